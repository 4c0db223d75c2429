//! Peak, RMS, crest, correlation and width against their definitions.

use super::*;
use codette_dsp::analysis::LEVEL_WINDOW_MS;

/// A sine's RMS is its peak over √2: 3.01 dB less. 997 Hz fits no whole number of periods in
/// the window, and its crests fall between samples, as music's do.
#[test]
fn rms_of_a_sine_is_its_peak_less_3_01_db() {
    for sample_rate in [44_100.0, 48_000.0, 96_000.0] {
        let mut analyzer = Analyzer::new(sample_rate);
        push_mono(&mut analyzer, &sine(997.0, -6.0, 1.0, sample_rate));
        let m = analyzer.meters();
        assert_near("peak", m.peak_dbfs, -6.0, 0.05);
        assert_near("rms", m.rms_dbfs, -6.0 - 3.0103, 0.02);
        assert_near("crest", m.crest_db, 3.0103, 0.05);
    }
}

/// Peak and RMS are those of the louder channel: a sine in one channel reads as in both.
#[test]
fn one_channel_reads_as_both() {
    let x = sine(1000.0, -10.0, 1.0, SR);
    let mut analyzer = Analyzer::new(SR);
    push(&mut analyzer, &vec![0.0; x.len()], &x);
    let m = analyzer.meters();
    assert_near("peak", m.peak_dbfs, -10.0, 0.01);
    assert_near("rms", m.rms_dbfs, -13.01, 0.01);
}

/// The window is 300 ms: 200 ms of a 1 kHz sine, then 250 ms of silence, leaves 50 ms of
/// sine in the window (RMS 10·log10(50/300) below the sine's); 100 ms more forgets it.
#[test]
fn peak_and_rms_cover_the_last_300_ms() {
    assert_eq!(LEVEL_WINDOW_MS, 300.0);
    let mut analyzer = Analyzer::new(SR);
    push_mono(&mut analyzer, &sine(1000.0, -6.0, 0.2, SR));
    push_mono(&mut analyzer, &vec![0.0; 12_000]);
    let m = analyzer.meters();
    assert_near("peak", m.peak_dbfs, -6.0, 0.01);
    assert_near("rms", m.rms_dbfs, -6.0 - 3.0103 + 10.0 * (50.0f64 / 300.0).log10(), 0.01);
    push_mono(&mut analyzer, &vec![0.0; 4800]);
    let m = analyzer.meters();
    assert_eq!((m.peak_dbfs, m.rms_dbfs, m.crest_db), (FLOOR_DB, FLOOR_DB, 0.0));
}

fn image(left: &[f32], right: &[f32]) -> (f32, f32) {
    let mut analyzer = Analyzer::new(SR);
    push(&mut analyzer, left, right);
    let m = analyzer.meters();
    (m.correlation, m.width)
}

/// Correlation +1 and width 0 for identical channels; -1 and 2 for inverted ones; about 0 and
/// 1 for unrelated noise (the correlation of 14 400 independent pairs has a standard deviation
/// of 0.008); 0 and exactly 1 for one channel alone.
#[test]
fn correlation_and_width_of_mono_anti_phase_and_unrelated_channels() {
    let a = common::noise(48_000, 11);
    let b = common::noise(48_000, 12);
    let inverted: Vec<f32> = a.iter().map(|x| -x).collect();
    let silent = vec![0.0; a.len()];
    let half: Vec<f32> = a.iter().map(|x| 0.5 * x).collect();
    let cases = [
        ("mono", &a, &a, 1.0, 0.0, 1e-6),
        ("mono, one channel quieter", &a, &half, 1.0, 0.2, 1e-6),
        ("anti-phase", &a, &inverted, -1.0, 2.0, 1e-6),
        ("unrelated", &a, &b, 0.0, 1.0, 0.04),
    ];
    for (what, l, r, correlation, width, tolerance) in cases {
        let (c, w) = image(l, r);
        assert_near(&format!("{what}: correlation"), c, correlation, tolerance);
        assert_near(&format!("{what}: width"), w, width, tolerance);
    }
    let (c, w) = image(&a, &silent);
    assert_eq!((c, w), (0.0, 1.0), "one channel alone");
}
