//! The gate's linear attack, hold and release, and the noise gate's hysteresis.

use crate::common::*;
use crate::support::*;
use codette_dsp::blocks::level_detector::WINDOW_MS;

/// Linear gain (out / in) of a DC-stepped render.
fn gain(input: &[f32], output: &[f32]) -> Vec<f64> {
    input.iter().zip(output).map(|(i, o)| (*o / *i) as f64).collect()
}

#[test]
fn gate_opens_with_a_linear_attack_of_the_set_length() {
    for attack in [0.5, 2.0, 5.0] {
        let mut fx = build("gate", SR, &[("threshold", -40.0), ("attack", attack)]);
        let start = 2400;
        let x = steps(&[(from_db(-50.0), start), (from_db(-20.0), 4800)]);
        let (y, _) = render_mono(fx.as_mut(), &x, 64);
        let g = gain(&x, &y);
        assert!(g[..start].iter().all(|v| *v == 0.0), "closed below the threshold");
        let a = samples(attack as f64, SR);
        for k in 0..a {
            assert!((g[start + k] - (k + 1) as f64 / a as f64).abs() < 1e-4, "attack {attack} at {k}");
        }
        assert!((g[start + a - 1] - 1.0).abs() < 1e-6 && g[start + a..].iter().all(|v| *v == 1.0));
        assert_eq!(fx.gain_reduction_db(), 0.0);
    }
}

/// Fully open for the hold time after the last loud sample, then a linear fade to silence that
/// lasts the release time: no step anywhere.
#[test]
fn gate_holds_then_fades_out_over_the_release_time() {
    for (hold, release) in [(50.0, 100.0), (120.0, 20.0), (0.0, 10.0)] {
        let mut fx = build("gate", SR, &[("threshold", -40.0), ("hold", hold), ("release", release)]);
        let loud_until = 9600;
        let x = steps(&[(from_db(-20.0), loud_until), (from_db(-45.0), 24_000)]);
        let (y, _) = render_mono(fx.as_mut(), &x, 100);
        let g = gain(&x, &y);
        // Holds at least the detector's memory of the last peak.
        let h = samples(hold.max(WINDOW_MS) as f64, SR);
        let r = samples(release as f64, SR);
        let fade = loud_until + h;
        assert!(g[loud_until..fade].iter().all(|v| *v == 1.0), "hold {hold}: closed early");
        for k in 0..r {
            let expected = 1.0 - (k + 1) as f64 / r as f64;
            assert!(
                (g[fade + k] - expected).abs() < 1e-4,
                "hold {hold} release {release} at {k}: {}",
                g[fade + k]
            );
        }
        assert!(g[fade + r + 1..].iter().all(|v| *v == 0.0));
        assert!(fx.gain_reduction_db() > 200.0, "closed reads as silence");
    }
}

#[test]
fn noise_gate_between_its_thresholds_keeps_its_state() {
    let mut fx =
        build("noise_gate", SR, &[("open_threshold", -30.0), ("close_threshold", -45.0), ("release", 20.0)]);
    let seg = 9600;
    let levels = [-60.0, -38.0, -20.0, -38.0, -55.0, -38.0];
    let x = steps(&levels.map(|l| (from_db(l), seg)));
    let (y, _) = render_mono(fx.as_mut(), &x, 128);
    let g = gain(&x, &y);
    let settled = |i: usize| &g[i * seg + seg / 2..(i + 1) * seg];
    let expected = [0.0, 0.0, 1.0, 1.0, 0.0, 0.0];
    for (i, e) in expected.iter().enumerate() {
        assert!(settled(i).iter().all(|v| v == e), "segment {i} at {} dB should have gain {e}", levels[i]);
    }
    // The close is a fade of the release time, starting the detector's window after the fall.
    let fall = 4 * seg + samples(WINDOW_MS as f64, SR);
    let r = samples(20.0, SR);
    assert_eq!(g[fall - 1], 1.0);
    assert!((g[fall + r / 2 - 1] - 0.5).abs() < 1e-4);
    assert!(g[fall + r - 1].abs() < 1e-4 && g[fall + r + 1] == 0.0);
}

/// A close threshold above the open one acts as equal to it.
#[test]
fn noise_gate_close_threshold_is_kept_at_or_below_the_open_one() {
    let x: Vec<f32> = noise(48_000, 9)
        .iter()
        .enumerate()
        .map(|(i, v)| v * from_db([-50.0, -35.0, -42.0, -25.0, -60.0][(i / 9600) % 5]))
        .collect();
    let mut inverted = build("noise_gate", SR, &[("open_threshold", -40.0), ("close_threshold", -20.0)]);
    let mut equal = build("noise_gate", SR, &[("open_threshold", -40.0), ("close_threshold", -40.0)]);
    let (a, _) = render_mono(inverted.as_mut(), &x, 256);
    let (b, _) = render_mono(equal.as_mut(), &x, 256);
    assert_eq!(a, b);
    assert!(rms(&a[9600 + 4800..19_200]) > 0.9 * rms(&x[9600 + 4800..19_200]), "-35 dB opens (above -40)");
}
