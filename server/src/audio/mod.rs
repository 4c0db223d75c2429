//! Audio as the server handles it, and its conversions: JSON sample arrays, WAV files,
//! resampling and loudness. Every route converts through here, so a format is read and written
//! in exactly one place.

pub mod json;
pub mod loudness;
pub mod resample;
pub mod wav;

use crate::error::ApiError;

/// Rates the DSP is specified for (EFFECTS.md: 22.05 to 192 kHz). Audio at other rates can be
/// mixed (it is resampled), but effects only run at these.
pub const PROCESS_RATES: (u32, u32) = (22_050, 192_000);

/// Rates accepted for input audio that is resampled before processing.
pub const INPUT_RATES: (u32, u32) = (1_000, 768_000);

/// Planar audio: one `Vec` per channel (one or two), all of the same length.
#[derive(Debug, Clone, PartialEq)]
pub struct Audio {
    pub channels: Vec<Vec<f32>>,
    pub sample_rate: u32,
}

impl Audio {
    pub fn frames(&self) -> usize {
        self.channels.first().map_or(0, Vec::len)
    }

    pub fn seconds(&self) -> f64 {
        self.frames() as f64 / self.sample_rate.max(1) as f64
    }

    /// Left and right; mono is duplicated, which is how the rack (and the predecessor's
    /// mixdown) treats a mono source.
    pub fn into_stereo(mut self) -> (Vec<f32>, Vec<f32>) {
        let left = self.channels.remove(0);
        let right = if self.channels.is_empty() { left.clone() } else { self.channels.remove(0) };
        (left, right)
    }

    /// The inverse of [`Self::into_stereo`] for `channel_count` channels: a mono result is the
    /// average of left and right, so a dual-mono effect (the same on both sides) returns exactly
    /// its output, and a stereo effect (ping-pong) keeps both sides' contributions.
    pub fn from_stereo(left: Vec<f32>, right: Vec<f32>, sample_rate: u32, channel_count: usize) -> Self {
        let channels = if channel_count == 1 {
            vec![left.iter().zip(&right).map(|(l, r)| 0.5 * (l + r)).collect()]
        } else {
            vec![left, right]
        };
        Self { channels, sample_rate }
    }
}

/// Checks a sample rate against a range; `field` names where it came from.
pub fn check_rate(rate: u32, (min, max): (u32, u32), field: &str) -> Result<u32, ApiError> {
    if (min..=max).contains(&rate) {
        Ok(rate)
    } else {
        Err(ApiError::invalid(
            "out_of_range",
            format!("sample rate must be between {min} and {max} Hz, got {rate}"),
            field,
        ))
    }
}
