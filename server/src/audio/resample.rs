//! Sample-rate conversion for mixdown tracks recorded at another rate than the mix.
//!
//! rubato's synchronous FFT resampler: the rates are fixed for a whole clip, and it is both the
//! fastest and the cleanest of its resamplers for that case. `process_all` removes its delay,
//! so the output starts where the input did, provided both FFT sizes are even: with an odd
//! size (44.1 → 48 kHz picks 1029 → 1120 by default) the output is off by half a sample, so the
//! chunk is chosen here as an even multiple of the reduced ratio.

use rubato::audioadapter_buffers::direct::SequentialSliceOfVecs;
use rubato::{Fft, FixedSync, Resampler, WindowFunction};

/// The length of `frames` frames at `to` Hz when they were at `from` Hz, rounded to nearest.
/// Mixdown lengths are computed with this, so they agree with what [`resample`] returns.
pub fn resampled_len(frames: usize, from: u32, to: u32) -> usize {
    if from == to {
        return frames;
    }
    ((frames as u128 * to as u128 + from as u128 / 2) / from as u128) as usize
}

/// Resamples planar audio from `from` to `to` Hz; the result has [`resampled_len`] frames.
pub fn resample(channels: &[Vec<f32>], from: u32, to: u32) -> Result<Vec<Vec<f32>>, String> {
    let frames = channels.first().map_or(0, Vec::len);
    let target = resampled_len(frames, from, to);
    if from == to || frames == 0 || channels.is_empty() {
        return Ok(channels.iter().map(|c| c[..c.len().min(target)].to_vec()).collect());
    }
    let fail = |e: &dyn std::fmt::Display| format!("resampling {from} Hz to {to} Hz failed: {e}");
    let base = (from / gcd(from, to)) as usize;
    let multiple = 2 * 1024usize.div_ceil(2 * base);
    let mut resampler = Fft::<f32>::new_custom(
        from as usize,
        to as usize,
        multiple * base,
        1,
        channels.len(),
        WindowFunction::BlackmanHarris2,
        FixedSync::Both,
    )
    .map_err(|e| fail(&e))?;
    let capacity = resampler.process_all_needed_output_len(frames);
    let mut output = vec![vec![0.0f32; capacity]; channels.len()];
    let input = SequentialSliceOfVecs::new(channels, channels.len(), frames).map_err(|e| fail(&e))?;
    let mut output_adapter =
        SequentialSliceOfVecs::new_mut(&mut output, channels.len(), capacity).map_err(|e| fail(&e))?;
    resampler.process_all_into_buffer(&input, &mut output_adapter, frames, None).map_err(|e| fail(&e))?;
    for channel in &mut output {
        channel.resize(target, 0.0);
    }
    Ok(output)
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_frequency() {
        assert_eq!(resampled_len(44_100, 44_100, 48_000), 48_000);
        assert_eq!(resampled_len(441, 44_100, 48_000), 480);
        let sine: Vec<f32> =
            (0..44_100).map(|i| (2.0 * std::f32::consts::PI * 1000.0 * i as f32 / 44_100.0).sin()).collect();
        let out = resample(&[sine], 44_100, 48_000).unwrap();
        assert_eq!(out[0].len(), 48_000);
        // A 1 kHz sine at 48 kHz: compare against the ideal in the middle, away from the edges.
        let err = (10_000..38_000)
            .map(|i| (out[0][i] - (2.0 * std::f32::consts::PI * 1000.0 * i as f32 / 48_000.0).sin()).abs())
            .fold(0.0f32, f32::max);
        assert!(err < 1e-3, "max error {err}");
    }
}
