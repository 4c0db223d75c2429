//! The analysis core against the EBU loudness test signals, analytical levels of sines and
//! noise, and the API's field names.

mod common;

#[path = "analysis/levels.rs"]
mod levels;
#[path = "analysis/loudness.rs"]
mod loudness;
#[path = "analysis/programme.rs"]
mod programme;
#[path = "analysis/spectrum.rs"]
mod spectrum;

use codette_dsp::analysis::{Analyzer, MeterReading, BANDS, FLOOR_DB, RANGES};
use std::f64::consts::TAU;

pub const SR: f32 = 48_000.0;

/// Pushed in blocks of an odd size, so that nothing relies on blocks lining up with the
/// analysis' 10 ms segments, 100 ms sub-blocks or FFT hops.
const BLOCK: usize = 333;

/// A sine of peak level `dbfs`, its phase computed in f64 so that long signals stay pure.
pub fn sine(freq: f64, dbfs: f64, seconds: f64, sample_rate: f32) -> Vec<f32> {
    sine_at_phase(freq, dbfs, 0.0, (seconds * sample_rate as f64).round() as usize, sample_rate)
}

pub fn sine_at_phase(freq: f64, dbfs: f64, phase: f64, len: usize, sample_rate: f32) -> Vec<f32> {
    let amplitude = 10f64.powf(dbfs / 20.0);
    (0..len)
        .map(|i| (amplitude * (TAU * freq * i as f64 / sample_rate as f64 + phase).sin()) as f32)
        .collect()
}

pub fn push(analyzer: &mut Analyzer, left: &[f32], right: &[f32]) {
    for (l, r) in left.chunks(BLOCK).zip(right.chunks(BLOCK)) {
        analyzer.push(l, r);
    }
}

pub fn push_mono(analyzer: &mut Analyzer, x: &[f32]) {
    push(analyzer, x, x);
}

pub fn assert_near(what: &str, value: f32, expected: f64, tolerance: f64) {
    assert!(
        (value as f64 - expected).abs() <= tolerance,
        "{what}: {value}, expected {expected} ± {tolerance}"
    );
}

#[test]
fn silence_reads_the_documented_floors_and_zeros() {
    let mut analyzer = Analyzer::new(SR);
    let silence = vec![0.0; 48_000 * 4];
    push_mono(&mut analyzer, &silence);
    let m = analyzer.meters();
    for (what, v) in [
        ("peak", m.peak_dbfs),
        ("true peak", m.true_peak_dbtp),
        ("rms", m.rms_dbfs),
        ("momentary", m.lufs_momentary),
        ("short-term", m.lufs_short_term),
        ("integrated", m.lufs_integrated),
    ] {
        assert_eq!(v, FLOOR_DB, "{what}");
    }
    for (what, v) in [
        ("range", m.loudness_range_lu),
        ("crest", m.crest_db),
        ("plr", m.plr_db),
        ("correlation", m.correlation),
        ("width", m.width),
        ("centroid", m.spectral_centroid_hz),
    ] {
        assert_eq!(v, 0.0, "{what}");
    }
    let tb = m.tonal_balance;
    assert_eq!([tb.sub, tb.low, tb.low_mid, tb.mid, tb.high_mid, tb.high], [FLOOR_DB; 6]);
    assert_eq!([m.range_balance.hz_200_500, m.range_balance.hz_2000_5000], [FLOOR_DB; 2]);
    let spectrum = analyzer.spectrum();
    assert!(spectrum.db.iter().all(|&d| d == FLOOR_DB));
    // A fresh analyzer, before anything is pushed, reads the same.
    assert_eq!(Analyzer::new(SR).meters(), m);
}

/// The JSON keys are those of API.md's "Field names" plus `range_balance` (the ranges mud and
/// harshness are judged on), the tonal balance's those of BANDS and the range balance's those of
/// RANGES.
#[test]
fn meters_serialize_with_the_api_field_names() {
    let mut analyzer = Analyzer::new(SR);
    push_mono(&mut analyzer, &common::noise(48_000, 3));
    let json = serde_json::to_value(analyzer.meters()).unwrap();
    let mut keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut api = vec![
        "peak_dbfs",
        "true_peak_dbtp",
        "rms_dbfs",
        "lufs_momentary",
        "lufs_short_term",
        "lufs_integrated",
        "loudness_range_lu",
        "crest_db",
        "plr_db",
        "correlation",
        "width",
        "spectral_centroid_hz",
        "tonal_balance",
        "range_balance",
    ];
    api.sort_unstable();
    assert_eq!(keys, api);
    let tonal = json["tonal_balance"].as_object().unwrap();
    let mut bands: Vec<&str> = BANDS.iter().map(|b| b.name).collect();
    let mut tonal_keys: Vec<&str> = tonal.keys().map(String::as_str).collect();
    bands.sort_unstable();
    tonal_keys.sort_unstable();
    assert_eq!(tonal_keys, bands);
    assert!(tonal.values().all(|v| v.is_number()));
    let ranges = json["range_balance"].as_object().unwrap();
    let mut range_keys: Vec<&str> = ranges.keys().map(String::as_str).collect();
    let mut names: Vec<&str> = RANGES.iter().map(|r| r.name).collect();
    range_keys.sort_unstable();
    names.sort_unstable();
    assert_eq!(range_keys, names);
    assert!(ranges.values().all(|v| v.is_number()));
    let back: MeterReading = serde_json::from_value(json).unwrap();
    assert_eq!(back, analyzer.meters());
}

/// After `reset`, the same input gives exactly what a fresh analyzer gives.
#[test]
fn reset_is_as_good_as_new() {
    let (first, second) = (common::noise(100_000, 7), sine(440.0, -10.0, 4.0, SR));
    let mut used = Analyzer::new(SR);
    push(&mut used, &first, &common::noise(100_000, 8));
    used.reset();
    push_mono(&mut used, &second);
    let mut fresh = Analyzer::new(SR);
    push_mono(&mut fresh, &second);
    assert_eq!(used.meters(), fresh.meters());
    assert_eq!(used.spectrum(), fresh.spectrum());
}

/// The analyzer is built where the sample rate is known and then moves to the analysis thread.
#[test]
fn analyzer_can_move_to_another_thread() {
    let mut analyzer = Analyzer::new(SR);
    let moved = std::thread::spawn(move || {
        push_mono(&mut analyzer, &sine(1000.0, -20.0, 0.5, SR));
        analyzer.meters()
    });
    assert_near("peak", moved.join().unwrap().peak_dbfs, -20.0, 0.01);
}
