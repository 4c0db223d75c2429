//! Fractional-octave smoothing of a spectrum reading, as room-acoustics and mixing analysers
//! show it: each point becomes the power mean of the spectrum within ±1/(2·N) octave of it, so
//! narrow peaks and the noise between FFT bins give way to the balance an ear hears.

use super::reading::{SpectrumReading, FLOOR_DB};

impl SpectrumReading {
    /// The reading smoothed in 1/`fraction` octaves (3 for third octaves, 6 for sixths). The
    /// grid is log-spaced, so the window is the same number of points everywhere; at the ends
    /// it is cut short rather than padded. A `fraction` of 0 or less, or NaN, leaves it as is.
    pub fn smoothed(&self, fraction: f32) -> SpectrumReading {
        let n = self.frequencies.len();
        if n < 2 || fraction.is_nan() || fraction <= 0.0 {
            return self.clone();
        }
        let octaves_per_point = (self.frequencies[n - 1] / self.frequencies[0]).log2() / (n - 1) as f32;
        let half = (0.5 / fraction / octaves_per_point).floor() as usize;
        let power: Vec<f64> = self.db.iter().map(|&db| 10f64.powf(db as f64 / 10.0)).collect();
        let db = (0..n)
            .map(|i| {
                let window = &power[i.saturating_sub(half)..(i + half + 1).min(n)];
                let mean = window.iter().sum::<f64>() / window.len() as f64;
                ((10.0 * mean.log10()) as f32).max(FLOOR_DB)
            })
            .collect();
        SpectrumReading { frequencies: self.frequencies.clone(), db }
    }
}
