//! The EQ bell that covers one band of the tonal balance, for every move Codette makes on a
//! band (a finding's fix, a template's tuning, an auto-mix cut), so that the same band is
//! always cut in the same place.

use codette_dsp::analysis::Band;

/// The `eq3band` mid band's centre (the band's geometric centre, to 1 Hz) and Q (the one whose
/// bandwidth is the band's, to hundredths) for `band`.
pub fn band_bell(band: &Band) -> (f32, f32) {
    let centre_hz = (band.low_hz * band.high_hz).sqrt().round();
    let q = (centre_hz / (band.high_hz - band.low_hz)).clamp(0.1, 10.0);
    (centre_hz, (q * 100.0).round() / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bell_spans_its_band() {
        // 250-500 Hz: centre √(250·500) ≈ 354 Hz, bandwidth 250 Hz, so Q = 354 / 250.
        let (centre, q) = band_bell(&Band { name: "low_mid", low_hz: 250.0, high_hz: 500.0 });
        assert_eq!(centre, 354.0);
        assert_eq!(q, 1.42);
    }
}
