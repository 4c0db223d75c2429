//! The downward expander: its curve below the threshold, and attack and release times.

use crate::common::*;
use crate::support::*;
use codette_dsp::blocks::level_detector::WINDOW_MS;

#[test]
fn expander_curve_below_the_threshold_is_multiplied_by_the_ratio() {
    for ratio in [2.0, 4.0] {
        for level in [-65.0, -60.0, -55.0, -50.0, -45.0, -42.0, -40.0, -30.0, -10.0] {
            let mut fx = build(
                "expander",
                SR,
                &[("threshold", -40.0), ("ratio", ratio), ("attack", 1.0), ("release", 20.0)],
            );
            let out = settled_tone_db(fx.as_mut(), level);
            let expected = if level < -40.0 { -40.0 + (level + 40.0) * ratio as f64 } else { level };
            assert!(
                (out - expected).abs() < 0.1,
                "ratio {ratio}: {level} dB in gave {out:.3}, expected {expected}"
            );
            let reported = fx.gain_reduction_db() as f64;
            assert!((reported - (level - out)).abs() < 0.1, "reported {reported} for {level} -> {out}");
        }
    }
}

/// Attack is the expander opening (its reduction shrinking), release is it closing.
#[test]
fn expander_attack_opens_and_release_closes_at_their_time_constants() {
    let (attack, release) = (5.0, 50.0);
    let mut fx = build(
        "expander",
        SR,
        &[("threshold", -40.0), ("ratio", 2.0), ("attack", attack), ("release", release)],
    );
    assert_eq!(
        fx.gain_reduction_db(),
        codette_dsp::effects::expander::RANGE_DB,
        "starts closed, as after silence"
    );
    let (open, closed) = (from_db(-30.0), from_db(-50.0));
    let (a, b) = (samples(100.0, SR), samples(500.0, SR));
    let x = steps(&[(open, a), (closed, b), (open, samples(100.0, SR))]);
    let (y, _) = render_mono(fx.as_mut(), &x, 100);
    let g = gain_db(&x, &y);
    let tau = 1.0 - (-1.0f64).exp();
    // -50 dB is 10 dB under the threshold: 10 dB more at ratio 2.
    assert!(g[a - 1].abs() < 1e-3 && (g[a + b - 1] + 10.0).abs() < 0.01);
    let closing = first(&g, a, |v| v <= -10.0 * tau) - a - samples(WINDOW_MS as f64, SR) + 1;
    assert!((closing as f64 / samples(release as f64, SR) as f64 - 1.0).abs() < 0.02, "{closing}");
    let opening = first(&g, a + b, |v| v >= -10.0 * (1.0 - tau)) - (a + b) + 1;
    assert!((opening as f64 / samples(attack as f64, SR) as f64 - 1.0).abs() < 0.02, "{opening}");
}
