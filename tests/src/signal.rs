//! Test signals and checks on rendered audio.

/// A stereo (or, with the mono layout, mono-in) signal.
pub type Stereo = (Vec<f32>, Vec<f32>);

/// Deterministic white noise in [-amplitude, amplitude] (xorshift32).
pub fn noise(len: usize, seed: u32, amplitude: f32) -> Vec<f32> {
    let mut state = seed.max(1);
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state as f32 / u32::MAX as f32 * 2.0 - 1.0) * amplitude
        })
        .collect()
}

pub fn stereo_noise(len: usize, seed: u32, amplitude: f32) -> Stereo {
    (noise(len, seed, amplitude), noise(len, seed.wrapping_mul(7919).wrapping_add(13), amplitude))
}

pub fn square(len: usize, period: usize, amplitude: f32) -> Vec<f32> {
    (0..len)
        .map(|i| if (i / (period / 2).max(1)).is_multiple_of(2) { amplitude } else { -amplitude })
        .collect()
}

pub fn rms(x: &[f32]) -> f64 {
    (x.iter().map(|&v| (v as f64) * (v as f64)).sum::<f64>() / x.len().max(1) as f64).sqrt()
}

pub fn db(ratio: f64) -> f64 {
    20.0 * ratio.log10()
}

/// `None` if every sample is finite and either zero or normal; otherwise the first offender.
pub fn first_unclean(x: &[f32]) -> Option<(usize, f32)> {
    x.iter().copied().enumerate().find(|&(_, v)| !(v == 0.0 || v.is_normal()))
}

pub fn assert_clean(what: &str, out: &Stereo) {
    for (ch, x) in [("left", &out.0), ("right", &out.1)] {
        if let Some((i, v)) = first_unclean(x) {
            panic!("{what}: {ch} sample {i} is {v:e} (must be finite and not subnormal)");
        }
    }
}
