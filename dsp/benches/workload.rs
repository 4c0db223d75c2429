//! The benchmarks' common workload: 60 s of stereo noise at 48 kHz, in 512-sample blocks.

pub const SAMPLE_RATE: f32 = 48_000.0;
pub const SECONDS: usize = 60;
pub const BLOCK: usize = 512;

/// Deterministic white noise at -6 dBFS peak (xorshift).
pub fn noise(len: usize, mut seed: u32) -> Vec<f32> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            (seed as f32 / u32::MAX as f32 * 2.0 - 1.0) * 0.5
        })
        .collect()
}

/// The two channels of the workload.
pub fn stereo_noise() -> (Vec<f32>, Vec<f32>) {
    let len = SECONDS * SAMPLE_RATE as usize;
    (noise(len, 1), noise(len, 2))
}
