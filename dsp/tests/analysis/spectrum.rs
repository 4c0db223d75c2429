//! The spectrum's calibration and selectivity, the centroid and the tonal balance against
//! analytical values for sines and white noise.

use super::*;
use codette_dsp::analysis::{GRID_POINTS, LOW_HZ};

/// Index of the grid point nearest `freq` in log frequency.
fn nearest(frequencies: &[f32], freq: f32) -> usize {
    let distance = |f: f32| (f / freq).ln().abs();
    (0..frequencies.len())
        .min_by(|&a, &b| distance(frequencies[a]).total_cmp(&distance(frequencies[b])))
        .unwrap()
}

/// A full-scale sine reads 0 dB ± 0.5 at the grid point nearest its frequency, wherever it
/// falls between FFT bins, and at least 60 dB less two octaves away, where that is at least
/// 8 bins (94 Hz) away: closer, the Hann window's sidelobes are not yet 60 dB down (two
/// octaves below 100 Hz is 6.4 bins away, where they are at -58 dB).
#[test]
fn a_full_scale_sine_reads_0_db_at_its_frequency() {
    for sample_rate in [44_100.0, 48_000.0, 96_000.0] {
        for freq in [50.0, 100.0, 440.0, 1000.0, 1234.5, 5000.0, 10_000.0, 15_000.0] {
            let mut analyzer = Analyzer::new(sample_rate);
            push_mono(&mut analyzer, &sine(freq as f64, 0.0, 2.0, sample_rate));
            let s = analyzer.spectrum();
            let at = s.db[nearest(&s.frequencies, freq)];
            assert_near(&format!("{freq} Hz at {sample_rate} Hz"), at, 0.0, 0.5);
            for other in [freq / 4.0, freq * 4.0] {
                let resolved = (other - freq).abs() >= 8.0 * 48_000.0 / 4096.0;
                if resolved && (LOW_HZ..=*s.frequencies.last().unwrap()).contains(&other) {
                    let there = s.db[nearest(&s.frequencies, other)];
                    assert!(there <= at - 60.0, "{freq} Hz reads {there} dB at {other} Hz");
                }
            }
        }
    }
}

/// The grid: GRID_POINTS points, log-spaced from 20 Hz to 20 kHz, or to Nyquist below 40 kHz.
#[test]
fn grid_is_log_spaced_up_to_20_khz_or_nyquist() {
    for (sample_rate, top) in [(48_000.0, 20_000.0), (32_000.0, 16_000.0)] {
        let f = Analyzer::new(sample_rate).spectrum().frequencies;
        assert_eq!(f.len(), GRID_POINTS);
        assert_near("first", f[0], 20.0, 1e-3);
        assert_near("last", f[GRID_POINTS - 1], top, top * 1e-5);
        let ratio = f[1] / f[0];
        assert!(f.windows(2).all(|w| ((w[1] / w[0]) / ratio - 1.0).abs() < 1e-4));
    }
}

/// The centroid of a pure tone is its frequency.
#[test]
fn centroid_of_a_sine_is_its_frequency() {
    for freq in [200.0, 1000.0, 6000.0] {
        let mut analyzer = Analyzer::new(SR);
        push_mono(&mut analyzer, &sine(freq, -12.0, 2.0, SR));
        assert_near("centroid", analyzer.meters().spectral_centroid_hz, freq, freq * 0.01);
    }
}

/// Against the pink target, white noise (equal power per hertz) reads, in a band of width B
/// hertz and O octaves, 10·log10((B/O) / (19 980 Hz / 9.97 octaves)): -19 dB for the sub band,
/// +6 dB for the high one. Its centroid is the middle of 20 Hz-20 kHz: 10 010 Hz.
#[test]
fn white_noise_against_the_pink_target() {
    let mut analyzer = Analyzer::new(SR);
    push(&mut analyzer, &common::noise(480_000, 21), &common::noise(480_000, 22));
    let m = analyzer.meters();
    let tb = m.tonal_balance;
    let measured = [tb.sub, tb.low, tb.low_mid, tb.mid, tb.high_mid, tb.high];
    let density = |low: f64, high: f64| (high - low) / (high / low).log2();
    let whole = density(20.0, 20_000.0);
    for (band, value) in BANDS.iter().zip(measured) {
        let expected = 10.0 * (density(band.low_hz as f64, band.high_hz as f64) / whole).log10();
        assert_near(band.name, value, expected, 0.5);
    }
    assert_near("centroid", m.spectral_centroid_hz, 10_010.0, 150.0);
}

/// A tone has all the power in its band: the band reads 10·log10(9.97 octaves / its octaves)
/// (+7 dB for the two octaves of the mid band) and the others far below.
#[test]
fn a_tone_puts_all_the_balance_in_its_band() {
    let mut analyzer = Analyzer::new(SR);
    push_mono(&mut analyzer, &sine(1000.0, -20.0, 2.0, SR));
    let tb = analyzer.meters().tonal_balance;
    assert_near("mid", tb.mid, 10.0 * (1000f64.log2() / 2.0).log10(), 0.1);
    for (band, value) in [
        ("sub", tb.sub),
        ("low", tb.low),
        ("low_mid", tb.low_mid),
        ("high_mid", tb.high_mid),
        ("high", tb.high),
    ] {
        assert!(value < -60.0, "{band}: {value}");
    }
}

/// A tone of any level inside a range puts all the power in it: the range reads
/// 10·log10(9.97 octaves / its octaves) (+8.77 dB for the 1.32 octaves of the meters' 200-500 Hz),
/// and a range without it reads far below.
#[test]
fn a_tone_puts_all_the_balance_in_its_range() {
    for (freq, dbfs) in [(300.0, -20.0), (3000.0, -6.0)] {
        let mut analyzer = Analyzer::new(SR);
        push_mono(&mut analyzer, &sine(freq, dbfs, 2.0, SR));
        let (low, high) = (freq / 1.5, freq * 1.25);
        let expected = 10.0 * (1000f64.log2() / (high / low).log2()).log10();
        assert_near("range", analyzer.range_balance_db(low as f32, high as f32), expected, 0.1);
        assert!(analyzer.range_balance_db(freq as f32 * 2.0, freq as f32 * 4.0) < -60.0);
    }
    let mut analyzer = Analyzer::new(SR);
    push_mono(&mut analyzer, &sine(300.0, -20.0, 2.0, SR));
    let ranges = analyzer.meters().range_balance;
    assert_near("hz_200_500", ranges.hz_200_500, 10.0 * (1000f64.log2() / 2.5f64.log2()).log10(), 0.1);
    assert!(ranges.hz_2000_5000 < -60.0, "{ranges:?}");
}
