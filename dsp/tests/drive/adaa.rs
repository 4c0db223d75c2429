//! Hardclip's ADAA path: the mean of the clip over each pre-emphasized line, linear below the
//! threshold, and flat thanks to the pre-emphasis.

use crate::common::*;
use crate::support::*;

/// The mean of the clip at ±t over the line from `a` to `b`, in f64 from the clip's
/// antiderivative (exact in f64 for lines not too short), the reference for ADAA.
fn mean_of_clip(a: f64, b: f64, t: f64) -> f64 {
    let antiderivative = |x: f64| if x.abs() <= t { x * x / 2.0 } else { t * x.abs() - t * t / 2.0 };
    if (b - a).abs() < 1e-6 {
        ((a + b) / 2.0).clamp(-t, t)
    } else {
        (antiderivative(b) - antiderivative(a)) / (b - a)
    }
}

/// The ends of the ADAA path's lines: the input through the pre-emphasis FIR (f64), zero before
/// `x`, the `i`-th ending on `x[i - 1]`, so that output sample `i` is the mean of the clip from
/// the `i`-th to the next.
fn emphasized(x: &[f32]) -> Vec<f64> {
    let at = |i: isize| if i < 0 { 0.0 } else { x[i as usize] as f64 };
    (0..=x.len() as isize).map(|i| (0..5).map(|k| EMPHASIS[k] * at(i - 1 - k as isize)).sum()).collect()
}

/// Each ADAA sample is the mean of the clip over the line between the last two pre-emphasized
/// input samples: equal to the f64 formula across the knees and beyond, without latency.
#[test]
fn adaa_is_the_mean_of_the_clip_over_each_emphasized_line() {
    let adaa = quality("hardclip", "adaa");
    // Lines of every kind: within, across one knee or both, beyond, short and long.
    let mut x: Vec<f32> = noise(6000, 17).iter().map(|v| v * 3.0).collect();
    x.extend(sine(50.0, 1.2, SR, 3000));
    x.extend((0..2000).map(|i| if i % 40 < 20 { 0.7 } else { -2.5 }));
    let p = emphasized(&x);
    for threshold in [-6.0, 0.0] {
        let t = 10f64.powf(threshold / 20.0);
        let mut fx = build("hardclip", SR, &[("threshold", threshold as f32), ("quality", adaa)]);
        assert_eq!(fx.latency(), 0);
        let (y, _) = render_mono(fx.as_mut(), &x, 77);
        for (i, (got, line)) in y.iter().zip(p.windows(2)).enumerate() {
            let expected = mean_of_clip(line[0], line[1], t);
            let error = (*got as f64 - expected).abs();
            assert!(error < 5e-6, "{threshold} dB, sample {i}: {got} for {expected} ({line:?})");
        }
    }
}

/// Below the threshold, at any mix, the ADAA path is linear: its impulse response is the
/// pre-emphasis FIR convolved with ADAA's two-sample average, from the impulse on, and its
/// output for any signal is that response's convolution.
#[test]
fn adaa_below_the_threshold_is_the_fir_and_the_average() {
    let adaa = quality("hardclip", "adaa");
    let mut h = [0.0; 6];
    for (k, c) in EMPHASIS.iter().enumerate() {
        h[k] += 0.5 * c;
        h[k + 1] += 0.5 * c;
    }
    let expected_h: Vec<f64> = (0..64).map(|i| if i < 6 { h[i] } else { 0.0 }).collect();
    // Peaks below 0.3, below the threshold after the FIR's gain of at most 2.55.
    let quiet: Vec<f32> = noise(5000, 4).iter().map(|v| v * 0.3).collect();
    let expected: Vec<f64> = (0..quiet.len())
        .map(|i| (0..6).filter(|k| *k <= i).map(|k| h[k] * quiet[i - k] as f64).sum())
        .collect();
    for mix in [0.0, 0.5, 1.0] {
        for block in [1, 3, 100] {
            let params = [("threshold", -1.0), ("quality", adaa), ("mix", mix)];
            let x: Vec<f32> = impulse(64).iter().map(|v| v * 0.3).collect();
            let (y, _) = render_mono(build("hardclip", SR, &params).as_mut(), &x, block);
            for (i, (got, want)) in y.iter().zip(&expected_h).enumerate() {
                assert!((*got as f64 / 0.3 - want).abs() < 1e-6, "mix {mix} block {block}: h[{i}] = {got}");
            }
            let (y, _) = render_mono(build("hardclip", SR, &params).as_mut(), &quiet, block);
            for (i, (got, want)) in y.iter().zip(&expected).enumerate() {
                assert!((*got as f64 - want).abs() < 1e-6, "mix {mix} block {block}: sample {i}");
            }
        }
    }
}

/// The pre-emphasis undoes ADAA's treble droop: measured sine gains follow the formula within
/// 0.01 dB at 44.1, 48 and 96 kHz, and stay within ±0.5 dB up to 10 kHz and ±1.5 dB up to
/// 15 kHz (uncompensated: -2.0 and -5.1 dB at 48 kHz).
#[test]
fn adaa_is_flat_below_the_threshold() {
    let adaa = quality("hardclip", "adaa");
    for fs in [44_100.0, 48_000.0, 96_000.0] {
        let mut line = format!("{fs} Hz:");
        for freq in [100.0, 1_000.0, 5_000.0, 8_000.0, 10_000.0, 12_000.0, 15_000.0, 19_000.0] {
            let mut fx = build("hardclip", fs, &[("threshold", 0.0), ("quality", adaa)]);
            let (y, _) = render_mono(fx.as_mut(), &sine(freq, 0.3, fs, 16_000), 256);
            // `windowed_amplitude` works at SR: the same tone, relative to the sample rate.
            let gain =
                20.0 * (windowed_amplitude(&y[2000..], freq as f64 * SR as f64 / fs as f64) / 0.3).log10();
            let expected = adaa_gain_db(freq as f64, fs as f64);
            line += &format!(" {freq} {gain:+.2} dB,");
            assert!((gain - expected).abs() < 0.01, "{fs} Hz, {freq} Hz: {gain} dB, expected {expected}");
            let bound = if freq <= 10_000.0 { 0.5 } else { 1.5 };
            assert!(freq > 15_000.0 || gain.abs() <= bound, "{fs} Hz, {freq} Hz: {gain:.2} dB, not flat");
        }
        println!("{line}");
    }
}
