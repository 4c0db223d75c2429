//! The offline analysis of a whole buffer, and fractional-octave smoothing.

use super::*;
use codette_dsp::analysis::{analyse_programme, SpectrumReading};

/// Peak and correlation cover the whole buffer, not its last 300 ms: a -3 dBFS burst at the
/// start is the programme's peak, and a first half in phase and a second half in anti-phase
/// at the same level correlate at exactly 0 overall (the live meter reads -1 at the end).
#[test]
fn levels_cover_the_whole_programme() {
    let mut left = sine(1000.0, -3.0, 0.05, SR);
    left.extend(sine(1000.0, -20.0, 4.95, SR));
    let half = left.len() / 2;
    let right: Vec<f32> = left.iter().enumerate().map(|(i, &x)| if i < half { x } else { -x }).collect();
    let p = analyse_programme(&left, &right, SR).meters;
    assert_near("peak", p.peak_dbfs, -3.0, 0.01);
    let energy = |x: &[f32]| x.iter().map(|&v| (v as f64).powi(2)).sum::<f64>();
    let expected = (energy(&left[..half]) - energy(&left[half..])) / energy(&left);
    assert_near("correlation", p.correlation, expected, 1e-4);
    let mut live = Analyzer::new(SR);
    push(&mut live, &left, &right);
    let m = live.meters();
    assert_near("live peak", m.peak_dbfs, -20.0, 0.01);
    assert_near("live correlation", m.correlation, -1.0, 1e-4);
    assert_near("integrated is the live meter's", p.lufs_integrated, m.lufs_integrated as f64, 1e-6);
}

/// Equal time at 100 Hz and at 4 kHz at the same level: the programme's tonal balance puts the
/// same power in the low and high-mid bands (their widths in octaves differ: 2.06 and 1.58),
/// where the live 3 s average has forgotten the first half.
#[test]
fn tonal_balance_averages_every_frame_alike() {
    let mut x = sine(100.0, -20.0, 6.0, SR);
    x.extend(sine(4000.0, -20.0, 6.0, SR));
    let t = analyse_programme(&x, &x, SR).meters.tonal_balance;
    let density_ratio_db = 10.0 * ((6000.0f64 / 2000.0).log2() / (250.0f64 / 60.0).log2()).log10();
    assert_near("low - high_mid", t.low - t.high_mid, density_ratio_db, 0.3);
    let mut live = Analyzer::new(SR);
    push_mono(&mut live, &x);
    let live = live.meters().tonal_balance;
    assert!(live.low - live.high_mid < t.low - t.high_mid - 6.0, "live {live:?}");
}

/// Smoothing is a power mean over ±1/(2N) octave: a flat reading stays flat, and a single
/// point spreads over the points within the window at its power divided by the window's size.
#[test]
fn fractional_octave_smoothing_is_a_power_mean() {
    let frequencies: Vec<f32> = (0..256).map(|i| 20.0 * 1000f32.powf(i as f32 / 255.0)).collect();
    let flat = SpectrumReading { frequencies: frequencies.clone(), db: vec![-30.0; 256] };
    assert!(flat.smoothed(3.0).db.iter().all(|&d| (d + 30.0).abs() < 1e-4));
    let mut db = vec![FLOOR_DB; 256];
    db[128] = 0.0;
    let smoothed = SpectrumReading { frequencies: frequencies.clone(), db }.smoothed(3.0);
    let points_per_octave = 255.0 / 1000f64.log2();
    let half = (points_per_octave / 6.0).floor() as usize;
    let spread = -10.0 * ((2 * half + 1) as f64).log10();
    for (i, &d) in smoothed.db.iter().enumerate() {
        let within = i.abs_diff(128) <= half;
        let expected = if within { spread } else { FLOOR_DB as f64 };
        assert_near(&format!("point {i}"), d, expected, 0.01);
    }
}

/// A one-channel programme is measured as BS.1770 weighs one channel: 3.01 dB under the same
/// samples in both channels of a stereo programme (-23 LUFS for the EBU's stereo sine at
/// -23 dBFS), with the image of mono.
#[test]
fn a_mono_programme_weighs_one_channel() {
    use codette_dsp::analysis::analyse_mono_programme;
    let x = sine(1000.0, -23.0, 20.0, SR);
    let stereo = analyse_programme(&x, &x, SR).meters;
    let mono = analyse_mono_programme(&x, SR).meters;
    assert_near("stereo", stereo.lufs_integrated, -23.0, 0.1);
    assert_near("mono", mono.lufs_integrated, -23.0 - 10.0 * 2f64.log10(), 0.1);
    assert_near("true peak", mono.true_peak_dbtp, -23.0, 0.1);
    assert_eq!((mono.correlation, mono.width), (1.0, 0.0));
}
