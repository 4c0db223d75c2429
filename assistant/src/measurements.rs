//! What the findings are judged on: the meters, live or of a whole programme, and for a
//! programme the clipping that only the samples themselves show.

use codette_dsp::analysis::{analyse_mono_programme, analyse_programme, MeterReading, SpectrumReading};
use serde::Serialize;

/// A run of at least this many consecutive samples at full scale is clipping: one sample at
/// the top can be a normalised peak, three in a row are a flattened crest (the usual rule of
/// clip detectors in mastering tools).
pub const CLIP_RUN: usize = 3;
/// Full scale as a clip detector sees it: within 0.01 dB of 0 dBFS.
pub const CLIP_LEVEL: f32 = 0.998_85;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measurements {
    pub meters: MeterReading,
    /// Runs of clipped samples in the programme; `None` for live meters, which see no samples.
    pub clipped_runs: Option<u64>,
}

/// A whole programme measured: its meters and spectrum.
#[derive(Debug, Clone, PartialEq)]
pub struct Programme {
    pub measurements: Measurements,
    pub spectrum: SpectrumReading,
}

impl Measurements {
    pub fn live(meters: MeterReading) -> Self {
        Self { meters, clipped_runs: None }
    }

    /// Measures a stereo buffer with the analysis engine the plugin runs live.
    pub fn of_programme(left: &[f32], right: &[f32], sample_rate: f32) -> Programme {
        let reading = analyse_programme(left, right, sample_rate);
        let clipped_runs = clipped_runs(left) + clipped_runs(right);
        Programme {
            measurements: Measurements { meters: reading.meters, clipped_runs: Some(clipped_runs) },
            spectrum: reading.spectrum,
        }
    }

    /// Measures a one-channel buffer (its loudness as BS.1770 weighs one channel).
    pub fn of_mono_programme(samples: &[f32], sample_rate: f32) -> Programme {
        let reading = analyse_mono_programme(samples, sample_rate);
        let clipped_runs = clipped_runs(samples);
        Programme {
            measurements: Measurements { meters: reading.meters, clipped_runs: Some(clipped_runs) },
            spectrum: reading.spectrum,
        }
    }
}

/// Runs of [`CLIP_RUN`] or more consecutive samples at or above [`CLIP_LEVEL`] in magnitude.
pub fn clipped_runs(x: &[f32]) -> u64 {
    let (mut runs, mut length) = (0, 0);
    for &v in x {
        if v.abs() >= CLIP_LEVEL {
            length += 1;
            if length == CLIP_RUN {
                runs += 1;
            }
        } else {
            length = 0;
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipped_runs_count_flattened_crests_not_single_peaks() {
        let x = [0.0, 1.0, 0.5, 1.0, 1.0, 1.0, 1.0, 0.2, -1.0, -1.0, -1.0, 0.0, 0.999, 0.999];
        assert_eq!(clipped_runs(&x), 2);
    }
}
