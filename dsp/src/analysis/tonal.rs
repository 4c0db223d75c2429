//! Tonal balance against a pink target, and the spectral centroid.
//!
//! The target is pink noise: a power density falling 3 dB per octave, that is the same power
//! in every octave. Mixes are usually judged against a curve of about that slope (commercial
//! mixes fall a little faster), and equal power per octave makes the measure plain: a band
//! reads its power per octave relative to the power per octave of the whole 20 Hz-20 kHz
//! range, so pink noise reads 0 dB in every band and white noise rises 3 dB per octave.

use super::reading::{power_db, RangeBalance, TonalBalance, FLOOR_DB, FLOOR_POWER};

/// A named frequency band of the tonal balance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    /// The key of the band in [`TonalBalance`] and in the API's `tonal_balance` object.
    pub name: &'static str,
    pub low_hz: f32,
    pub high_hz: f32,
}

/// The bands, adjacent from 20 Hz to 20 kHz, on the usual mixing-engineer boundaries: sub
/// (felt more than heard), low (kick and bass fundamentals), low-mid (body, "mud"), mid
/// (most fundamentals, honk), high-mid (presence, harshness), high (air, sibilance). Above
/// the Nyquist frequency a band is cut short, or reads the floor if nothing of it is left.
pub const BANDS: [Band; 6] = [
    Band { name: "sub", low_hz: 20.0, high_hz: 60.0 },
    Band { name: "low", low_hz: 60.0, high_hz: 250.0 },
    Band { name: "low_mid", low_hz: 250.0, high_hz: 500.0 },
    Band { name: "mid", low_hz: 500.0, high_hz: 2000.0 },
    Band { name: "high_mid", low_hz: 2000.0, high_hz: 6000.0 },
    Band { name: "high", low_hz: 6000.0, high_hz: 20_000.0 },
];

/// Ranges read beside the bands, on the edges mixing guides give for two common problems: mud
/// builds up in 200-500 Hz and harshness sits in 2-5 kHz, edges that straddle or cut short the
/// bands above. Keys of [`RangeBalance`] and of the API's `range_balance` object.
pub const RANGES: [Band; 2] = [
    Band { name: "hz_200_500", low_hz: 200.0, high_hz: 500.0 },
    Band { name: "hz_2000_5000", low_hz: 2000.0, high_hz: 5000.0 },
];

/// The bins of a frequency range, each weighted by the part of its width inside the range, so
/// that a flat spectrum gives a range exactly its share of the power however its edges fall
/// between bins (the sub band is only 3.4 bins wide at 48 kHz).
struct Range {
    bins: Vec<(usize, f32)>,
    octaves: f32,
}

impl Range {
    fn new(low_hz: f32, high_hz: f32, bin_hz: f32, bins: usize) -> Self {
        let high_hz = high_hz.min(bin_hz * (bins - 1) as f32);
        let weighted = (1..bins)
            .filter_map(|k| {
                let (from, to) = ((k as f32 - 0.5) * bin_hz, (k as f32 + 0.5) * bin_hz);
                let overlap = (to.min(high_hz) - from.max(low_hz)) / bin_hz;
                (overlap > 0.0).then_some((k, overlap))
            })
            .collect();
        Self { bins: weighted, octaves: (high_hz / low_hz).log2().max(0.0) }
    }

    fn power(&self, power: &[f32]) -> f64 {
        self.bins.iter().map(|&(k, w)| (power[k] * w) as f64).sum()
    }
}

/// The bands are adjacent, so together they are the whole 20 Hz-20 kHz range: its power and
/// width in octaves are the sums of theirs.
pub(super) struct Tonal {
    bands: [Range; 6],
    bin_hz: f32,
}

impl Tonal {
    /// For spectra of `bins` bins (DC to Nyquist), `bin_hz` apart.
    pub fn new(bin_hz: f32, bins: usize) -> Self {
        Self { bands: BANDS.map(|b| Range::new(b.low_hz, b.high_hz, bin_hz, bins)), bin_hz }
    }

    pub fn balance(&self, power: &[f32]) -> TonalBalance {
        let density = self.density(power);
        TonalBalance::from_bands(self.bands.each_ref().map(|band| relative_db(band, power, density)))
    }

    pub fn range_balance(&self, power: &[f32]) -> RangeBalance {
        RangeBalance::from_ranges(RANGES.map(|r| self.range_db(power, r.low_hz, r.high_hz)))
    }

    /// Any range read as the bands are, against the same pink target (the power per octave of
    /// the whole 20 Hz-20 kHz), so that a range on a band's edges reads what the band does.
    pub fn range_db(&self, power: &[f32], low_hz: f32, high_hz: f32) -> f32 {
        let range = Range::new(low_hz, high_hz, self.bin_hz, power.len());
        relative_db(&range, power, self.density(power))
    }

    /// The power per octave of the whole 20 Hz-20 kHz, `None` in silence.
    fn density(&self, power: &[f32]) -> Option<f64> {
        let total: f64 = self.bands.iter().map(|band| band.power(power)).sum();
        let octaves: f32 = self.bands.iter().map(|band| band.octaves).sum();
        (total > FLOOR_POWER).then(|| total / octaves as f64)
    }

    /// The power-weighted mean frequency over 20 Hz-20 kHz (0 below the floor): where the weight
    /// of the spectrum lies, the usual single-number measure of brightness. Low rumble and
    /// DC offset, which nobody hears, stay out of it.
    pub fn centroid_hz(&self, power: &[f32]) -> f32 {
        let (mut weighted, mut total) = (0.0f64, 0.0f64);
        for &(k, w) in self.bands.iter().flat_map(|band| &band.bins) {
            let p = (power[k] * w) as f64;
            weighted += p * (k as f32 * self.bin_hz) as f64;
            total += p;
        }
        if total > FLOOR_POWER {
            (weighted / total) as f32
        } else {
            0.0
        }
    }
}

/// A range's power per octave against `density`, or the floor in silence or for a range with
/// nothing left below the Nyquist frequency.
fn relative_db(range: &Range, power: &[f32], density: Option<f64>) -> f32 {
    match density {
        Some(density) if range.octaves > 0.0 => power_db(range.power(power) / range.octaves as f64 / density),
        _ => FLOOR_DB,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The FFT of 4096 points at 48 kHz.
    const BIN_HZ: f32 = 48_000.0 / 4096.0;
    const BINS: usize = 2049;

    /// Pink noise's power in each bin: the integral of a 1/f density over the bin's width.
    fn pink() -> Vec<f32> {
        (0..BINS)
            .map(|k| if k == 0 { 0.0 } else { ((k as f64 + 0.5) / (k as f64 - 0.5)).ln() as f32 })
            .collect()
    }

    #[test]
    fn pink_noise_reads_0_db_in_any_range() {
        let tonal = Tonal::new(BIN_HZ, BINS);
        let power = pink();
        for (low, high) in
            [(200.0, 500.0), (2000.0, 5000.0), (300.0, 310.0), (100.0, 15_000.0), (1234.0, 1500.0)]
        {
            let db = tonal.range_db(&power, low, high);
            assert!(db.abs() < 0.1, "{low}-{high} Hz: {db} dB");
        }
    }

    /// One computation: a range on a band's edges reads what the band reads, and the ranges of
    /// the meters are those of `RANGES`.
    #[test]
    fn a_range_on_a_bands_edges_reads_the_band() {
        let tonal = Tonal::new(BIN_HZ, BINS);
        let power: Vec<f32> = (0..BINS).map(|k| 1.0 + (k % 7) as f32).collect();
        let balance = tonal.balance(&power);
        assert_eq!(tonal.range_db(&power, 250.0, 500.0), balance.low_mid);
        assert_eq!(tonal.range_db(&power, 6000.0, 20_000.0), balance.high);
        let ranges = tonal.range_balance(&power);
        assert_eq!(ranges.hz_200_500, tonal.range_db(&power, 200.0, 500.0));
        assert_eq!(ranges.hz_2000_5000, tonal.range_db(&power, 2000.0, 5000.0));
    }
}
