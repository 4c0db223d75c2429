//! What the analysis reports: plain numbers with the field names of the API (`API.md`), so the
//! sidecar serves these structs as they are and the GUI reads the same values.

use serde::{Deserialize, Serialize};

/// The value every level in dB (dBFS, dBTP, LUFS, spectrum dB, tonal balance) reads at or
/// below digital silence. JSON has no -inf, and -144 dB is the noise floor of 24-bit audio,
/// well below anything audible, so a level at the floor can only mean "nothing there".
pub const FLOOR_DB: f32 = -144.0;

/// Power (mean square) at [`FLOOR_DB`]: energies below it count as silence.
pub(super) const FLOOR_POWER: f64 = 3.981_071_7e-15; // 10^(-144 / 10)

/// A mean-square power in dB, never below [`FLOOR_DB`].
pub(super) fn power_db(power: f64) -> f32 {
    if power > FLOOR_POWER {
        (10.0 * power.log10()) as f32
    } else {
        FLOOR_DB
    }
}

/// An amplitude in dB, never below [`FLOOR_DB`].
pub(super) fn amplitude_db(amplitude: f64) -> f32 {
    power_db(amplitude * amplitude)
}

/// A loudness from ebur128 (-inf when there is no signal, or nothing above the gates) clamped
/// to the floor.
pub(super) fn floored(db: f64) -> f32 {
    if db.is_finite() {
        (db as f32).max(FLOOR_DB)
    } else {
        FLOOR_DB
    }
}

/// The meters, read at any time from the analysis thread. See [`super::Analyzer`] for the
/// window of each value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MeterReading {
    pub peak_dbfs: f32,
    pub true_peak_dbtp: f32,
    pub rms_dbfs: f32,
    pub lufs_momentary: f32,
    pub lufs_short_term: f32,
    pub lufs_integrated: f32,
    pub loudness_range_lu: f32,
    pub crest_db: f32,
    pub plr_db: f32,
    pub correlation: f32,
    pub width: f32,
    pub spectral_centroid_hz: f32,
    pub tonal_balance: TonalBalance,
    pub range_balance: RangeBalance,
}

/// Level of each band of [`super::BANDS`] relative to the pink target, in dB: 0 everywhere for
/// pink noise, positive where the signal has more than pink noise of the same total power
/// would. A band with no energy (or everything, in silence) reads [`FLOOR_DB`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TonalBalance {
    pub sub: f32,
    pub low: f32,
    pub low_mid: f32,
    pub mid: f32,
    pub high_mid: f32,
    pub high: f32,
}

impl TonalBalance {
    /// From the values of the bands in the order of [`super::BANDS`].
    pub(super) fn from_bands(db: [f32; 6]) -> Self {
        let [sub, low, low_mid, mid, high_mid, high] = db;
        Self { sub, low, low_mid, mid, high_mid, high }
    }
}

/// Level of each range of [`super::RANGES`] relative to the pink target, read as the bands of
/// [`TonalBalance`] are.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RangeBalance {
    pub hz_200_500: f32,
    pub hz_2000_5000: f32,
}

impl RangeBalance {
    /// From the values of the ranges in the order of [`super::RANGES`].
    pub(super) fn from_ranges(db: [f32; 2]) -> Self {
        let [hz_200_500, hz_2000_5000] = db;
        Self { hz_200_500, hz_2000_5000 }
    }

    /// What the ranges read for a spectrum whose bands read `balance`, each with its power per
    /// octave even across it: a range takes from each band it overlaps that band's density over
    /// the octaves they share. For values given per band only, such as a genre's reference.
    pub fn spread_from(balance: &TonalBalance) -> Self {
        Self::from_ranges(super::RANGES.map(|range| balance.spread_over(range.low_hz, range.high_hz)))
    }
}

impl TonalBalance {
    fn spread_over(&self, low_hz: f32, high_hz: f32) -> f32 {
        let db = [self.sub, self.low, self.low_mid, self.mid, self.high_mid, self.high];
        let (mut power, mut octaves) = (0.0f64, 0.0f64);
        for (band, db) in super::BANDS.iter().zip(db) {
            let shared = (high_hz.min(band.high_hz) / low_hz.max(band.low_hz)).log2() as f64;
            if shared > 0.0 {
                power += shared * 10f64.powf(db as f64 / 10.0);
                octaves += shared;
            }
        }
        if octaves > 0.0 {
            power_db(power / octaves)
        } else {
            FLOOR_DB
        }
    }
}

/// The spectrum on a logarithmic frequency grid: `db[i]` is the level at `frequencies[i]` Hz.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpectrumReading {
    pub frequencies: Vec<f32>,
    pub db: Vec<f32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Flat bands spread flat; 200-500 Hz takes the low band over log2(250/200) = 0.32 octave
    /// and the low-mid band over one octave, power-weighted; 2-5 kHz lies in the high-mid band.
    #[test]
    fn ranges_spread_from_the_bands_they_overlap() {
        let flat = TonalBalance::from_bands([0.0; 6]);
        assert_eq!(RangeBalance::spread_from(&flat), RangeBalance { hz_200_500: 0.0, hz_2000_5000: 0.0 });
        let tilted = TonalBalance::from_bands([9.0, 6.0, -3.0, 5.0, 2.5, 7.0]);
        let ranges = RangeBalance::spread_from(&tilted);
        let low_share = 1.25f64.log2();
        let expected = 10.0 * ((low_share * 10f64.powf(0.6) + 10f64.powf(-0.3)) / (low_share + 1.0)).log10();
        assert!((ranges.hz_200_500 as f64 - expected).abs() < 1e-4, "{ranges:?} vs {expected}");
        assert!((ranges.hz_2000_5000 - 2.5).abs() < 1e-4, "{ranges:?}");
    }
}
