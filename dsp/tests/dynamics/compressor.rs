//! The compressor: its static curve and knee, makeup, attack and release, stereo link, and
//! parameter jumps.

use crate::common::*;
use crate::support::*;
use codette_dsp::blocks::level_detector::WINDOW_MS;

/// The static curve of Giannoulis, Massberg & Reiss (2012), eq. 4, written piecewise as in the
/// paper; `knee` 0 is the hard corner.
fn gmr_curve(x: f64, threshold: f64, ratio: f64, knee: f64) -> f64 {
    let d = x - threshold;
    if 2.0 * d < -knee || (knee == 0.0 && d <= 0.0) {
        x
    } else if 2.0 * d > knee || knee == 0.0 {
        threshold + d / ratio
    } else {
        x + (1.0 / ratio - 1.0) * (d + knee / 2.0).powi(2) / (2.0 * knee)
    }
}

#[test]
fn compressor_static_curve_matches_the_formula_including_the_knee() {
    for (threshold, ratio, knee) in
        [(-30.0, 4.0, 0.0), (-30.0, 4.0, 12.0), (-20.0, 10.0, 6.0), (-12.0, 2.0, 24.0)]
    {
        let mut levels: Vec<f64> = (0..=25).map(|i| -50.0 + 2.0 * i as f64).collect();
        levels.extend([-0.5, -0.25, 0.0, 0.25, 0.5].map(|f| threshold + f * knee));
        for level in levels {
            let mut fx = build(
                "compressor",
                SR,
                &[
                    ("threshold", threshold as f32),
                    ("ratio", ratio as f32),
                    ("knee", knee as f32),
                    ("attack", 1.0),
                    ("release", 50.0),
                ],
            );
            let out = settled_tone_db(fx.as_mut(), level);
            let expected = gmr_curve(level, threshold, ratio, knee);
            assert!(
                (out - expected).abs() < 0.1,
                "thr {threshold} ratio {ratio} knee {knee}: {level} dB in gave {out:.3}, expected {expected:.3}"
            );
            let reported = fx.gain_reduction_db() as f64;
            assert!((reported - (level - out)).abs() < 0.1, "reported {reported} for {level} -> {out}");
        }
    }
}

#[test]
fn compressor_makeup_is_added_after_the_curve() {
    for makeup in [-12.0, 6.0, 24.0] {
        for level in [-40.0, -10.0] {
            let mut fx = build(
                "compressor",
                SR,
                &[("threshold", -20.0), ("ratio", 4.0), ("knee", 0.0), ("attack", 1.0), ("makeup", makeup)],
            );
            let out = settled_tone_db(fx.as_mut(), level);
            let expected = gmr_curve(level, -20.0, 4.0, 0.0) + makeup as f64;
            assert!((out - expected).abs() < 0.1, "makeup {makeup}: {level} -> {out}, expected {expected}");
        }
    }
}

/// The gain covers 1 - 1/e of its change in dB after the attack time when the level jumps up,
/// and after the release time (plus the detector's hold) when it falls back.
#[test]
fn compressor_attack_and_release_are_time_constants_of_the_gain_in_db() {
    for sr in [48_000.0, 96_000.0] {
        for (attack, release) in [(5.0, 50.0), (20.0, 300.0)] {
            let mut fx = build(
                "compressor",
                sr,
                &[
                    ("threshold", -20.0),
                    ("ratio", 4.0),
                    ("knee", 0.0),
                    ("attack", attack),
                    ("release", release),
                ],
            );
            let (quiet, loud) = (from_db(-40.0), 1.0);
            let (start, loud_len) = (samples(100.0, sr), samples(10.0 * attack as f64, sr));
            let x = steps(&[(quiet, start), (loud, loud_len), (quiet, samples(10.0 * release as f64, sr))]);
            let (y, _) = render_mono(fx.as_mut(), &x, 64);
            let g = gain_db(&x, &y);
            // 0 dB in, threshold -20, ratio 4: 15 dB of reduction.
            assert!(g[..start].iter().all(|v| *v == 0.0));
            assert!((g[start + loud_len - 1] + 15.0).abs() < 0.01, "{}", g[start + loud_len - 1]);
            let tau = 1.0 - (-1.0f64).exp();
            let reached = first(&g, start, |v| v <= -15.0 * tau) - start + 1;
            let expected = attack as f64 * 0.001 * sr as f64;
            assert!((reached as f64 / expected - 1.0).abs() < 0.02, "attack {attack} at {sr}: {reached}");

            let fall = start + loud_len;
            let hold = samples(WINDOW_MS as f64, sr);
            let recovered = first(&g, fall, |v| v >= -15.0 * (1.0 - tau)) - fall - hold + 1;
            let expected = release as f64 * 0.001 * sr as f64;
            assert!(
                (recovered as f64 / expected - 1.0).abs() < 0.02,
                "release {release} at {sr}: {recovered}"
            );
        }
    }
}

/// The predecessor's detector started at 0 dBFS, so every render began with a gain dip.
#[test]
fn compressor_starts_without_gain_reduction() {
    let mut fx = (spec("compressor").build)(SR);
    let x = sine(440.0, from_db(-26.0), SR, 4800);
    let (l, r) = render_mono(fx.as_mut(), &x, 32);
    assert_eq!(l, x, "a quiet signal (below threshold and knee) must pass untouched from sample 0");
    assert_eq!(r, x);
    assert_eq!(fx.gain_reduction_db(), 0.0);
}

#[test]
fn compressor_is_stereo_linked() {
    let loud = sine(1000.0, 1.0, SR, 48_000);
    let quiet = sine(1000.0, from_db(-50.0), SR, 48_000);
    for loud_left in [true, false] {
        let mut fx =
            build("compressor", SR, &[("threshold", -30.0), ("ratio", 4.0), ("knee", 0.0), ("attack", 1.0)]);
        let (l, r) = if loud_left {
            render(fx.as_mut(), &loud, &quiet, 256)
        } else {
            let (l, r) = render(fx.as_mut(), &quiet, &loud, 256);
            (r, l)
        };
        let loud_gain = to_db(tone_amplitude(&l[43_200..], 1000.0, SR) as f64);
        let quiet_gain = to_db(tone_amplitude(&r[43_200..], 1000.0, SR) as f64) + 50.0;
        // The quiet channel gets the loud channel's 22.5 dB of reduction.
        assert!((loud_gain + 22.5).abs() < 0.1, "{loud_gain}");
        assert!((quiet_gain - loud_gain).abs() < 0.01, "{quiet_gain} vs {loud_gain}");
    }
}

/// No saturation stage: at ratio 1 even +20 dBFS passes unchanged (the predecessor tanh-clipped).
#[test]
fn compressor_at_ratio_one_is_transparent_even_when_hot() {
    let mut fx = build("compressor", SR, &[("ratio", 1.0), ("threshold", -60.0)]);
    let x: Vec<f32> = noise(9600, 3).iter().map(|v| v * 10.0).collect();
    let (l, _) = render_mono(fx.as_mut(), &x, 100);
    assert_eq!(l, x);
}

#[test]
fn compressor_parameter_jumps_glide() {
    let mut fx = build("compressor", SR, &[("threshold", -20.0), ("attack", 0.1), ("knee", 0.0)]);
    let x = vec![0.5f32; 9600];
    let (mut l, mut r) = (x.clone(), x.clone());
    fx.process(&mut l[..4800], &mut r[..4800]);
    set(fx.as_mut(), "compressor", "makeup", 24.0);
    set(fx.as_mut(), "compressor", "threshold", -60.0);
    set(fx.as_mut(), "compressor", "ratio", 20.0);
    fx.process(&mut l[4800..], &mut r[4800..]);
    let g = gain_db(&x, &l);
    // 0.5 is -6.02 dB: 13.98 dB over the threshold, 3/4 of that taken away.
    assert!((g[4799] + 10.485).abs() < 0.01, "settled before the jump");
    let max_step = g[4799..].windows(2).map(|w| (w[1] - w[0]).abs()).fold(0.0, f64::max);
    assert!(max_step < 0.5, "a parameter jump moved the gain {max_step} dB in one sample");
}
