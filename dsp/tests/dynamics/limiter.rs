//! The limiter: the ceiling against hostile signals, lookahead latency and gain ramps, release,
//! and changes of lookahead and ceiling while limiting.

use crate::common::*;
use crate::support::*;
use codette_dsp::Effect;

fn limiter(sample_rate: f32, ceiling: f32, release: f32, lookahead: f32) -> Box<dyn Effect> {
    build("limiter", sample_rate, &[("threshold", ceiling), ("release", release), ("lookahead", lookahead)])
}

fn hostile_signals(sample_rate: f32) -> Vec<(&'static str, Vec<f32>, Vec<f32>)> {
    let n = samples(300.0, sample_rate);
    let square = |amp: f32, period: usize| -> Vec<f32> {
        (0..n).map(|i| if (i / (period / 2)).is_multiple_of(2) { amp } else { -amp }).collect()
    };
    let mut impulses = vec![0.0; n];
    for (k, i) in (100..n).step_by(997).enumerate() {
        impulses[i] = if k % 2 == 0 { 100.0 } else { -1000.0 };
    }
    let hot_noise: Vec<f32> = noise(n, 11).iter().map(|v| v * 10.0).collect();
    let jump: Vec<f32> = (0..n).map(|i| if i < n / 3 { 0.0 } else { 8.0 }).collect();
    let sine_jump: Vec<f32> = sine(3000.0, 1.0, sample_rate, n)
        .iter()
        .enumerate()
        .map(|(i, v)| if i < n / 2 { v * 0.01 } else { v * 30.0 })
        .collect();
    let spikes: Vec<f32> = (0..n).map(|i| if i % 2 == 0 { 1000.0 } else { -1000.0 }).collect();
    vec![
        ("full-scale square", square(1.0, 48), square(1.0, 48)),
        ("+20 dBFS square", square(10.0, 100), square(10.0, 37)),
        ("impulses", impulses.clone(), vec![0.0; n]),
        ("noise at +20 dBFS", hot_noise.clone(), impulses),
        ("jump from silence", jump.clone(), hot_noise),
        ("sine jump", sine_jump.clone(), jump),
        ("alternating spikes", spikes, sine_jump),
    ]
}

#[test]
fn limiter_never_exceeds_the_ceiling() {
    for sr in [44_100.0, 192_000.0] {
        let signals = hostile_signals(sr);
        for ceiling in [-0.3, -6.0, -40.0] {
            let limit = from_db(ceiling as f64);
            for lookahead in [0.1, 1.0, 5.0, 50.0] {
                for release in [10.0, 1000.0] {
                    for (name, l, r) in &signals {
                        for block in [1, 64, 517] {
                            let mut fx = limiter(sr, ceiling, release, lookahead);
                            let (yl, yr) = render(fx.as_mut(), l, r, block);
                            let over = peak(&yl).max(peak(&yr));
                            assert!(
                                over <= limit,
                                "{name}: {over} over {limit} ({ceiling} dB, {lookahead} ms, {release} ms, \
                                 block {block}, {sr} Hz)"
                            );
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn limiter_latency_is_the_lookahead_and_quiet_audio_passes_delayed_exactly() {
    for sr in [22_050.0, 48_000.0, 192_000.0] {
        for lookahead in [0.1, 1.0, 5.0, 50.0] {
            let fx = limiter(sr, -0.3, 100.0, lookahead);
            let d = samples(lookahead as f64, sr).max(1);
            assert_eq!(fx.latency(), d, "{lookahead} ms at {sr}");
            let mut fx = fx;
            let x: Vec<f32> = noise(20_000, 5).iter().map(|v| v * 0.9).collect();
            let (l, _) = render_mono(fx.as_mut(), &x, 333);
            assert!(l[..d].iter().all(|v| *v == 0.0));
            assert_eq!(&l[d..], &x[..x.len() - d], "{lookahead} ms at {sr}");
        }
    }
}

/// Gain = out / delayed in, for DC steps through a limiter of latency `d`.
fn limiter_gain(x: &[f32], y: &[f32], d: usize) -> Vec<f64> {
    (d..x.len()).map(|n| (y[n] / x[n - d]) as f64).collect()
}

/// Before a jump, the gain falls along a straight line across the lookahead and arrives at the
/// required gain exactly when the loud sample comes out: limiting, not clipping.
#[test]
fn limiter_ramps_the_gain_down_across_the_lookahead() {
    let ceiling = from_db(-6.0) as f64;
    let mut fx = limiter(SR, -6.0, 100.0, 2.0);
    let d = fx.latency();
    let jump = 4800;
    let x = steps(&[(0.1, jump), (2.0, 4800)]);
    let (y, _) = render_mono(fx.as_mut(), &x, 128);
    let g = limiter_gain(&x, &y, d);
    // g[n] is the gain on input sample n; the first loud input sample is `jump`.
    let target = ceiling / 2.0;
    assert_eq!(g[jump - d - 1], 1.0, "gain moved before the lookahead window");
    for k in 0..=d {
        let expected = 1.0 - (k + 1) as f64 / (d + 1) as f64 * (1.0 - target);
        let got = g[jump - d + k];
        assert!((got - expected).abs() < 1e-4, "ramp step {k}: {got} vs {expected}");
    }
    assert!(g[jump..].iter().all(|v| (v - target).abs() < 1e-4));
}

#[test]
fn limiter_turns_a_loud_sine_into_a_quieter_sine() {
    let mut fx = limiter(SR, -6.0, 100.0, 5.0);
    let x = sine(1000.0, 2.0, SR, 48_000);
    let (y, _) = render_mono(fx.as_mut(), &x, 512);
    let tail = &y[24_000..];
    let fundamental = tone_amplitude(tail, 1000.0, SR) as f64;
    assert!((to_db(fundamental) + 6.0).abs() < 0.05, "fundamental at {} dB", to_db(fundamental));
    for harmonic in [2.0, 3.0, 5.0] {
        let h = tone_amplitude(tail, 1000.0 * harmonic, SR) as f64;
        assert!(to_db(h / fundamental) < -80.0, "harmonic {harmonic} at {} dB", to_db(h / fundamental));
    }
    // A clipper's third harmonic would be about -10 dB relative; and it is not over-limiting.
    assert!(peak(tail) > 0.999 * from_db(-6.0));
    assert!((fx.gain_reduction_db() - 12.0).abs() < 0.05, "{}", fx.gain_reduction_db());
}

#[test]
fn limiter_release_is_a_time_constant_in_db() {
    for release in [50.0, 300.0] {
        let mut fx = limiter(SR, 0.0, release, 0.1);
        let d = fx.latency();
        let (start, len) = (4800, 4800);
        let x = steps(&[(0.1, start), (2.0, len), (0.1, samples(8.0 * release as f64, SR))]);
        let (y, _) = render_mono(fx.as_mut(), &x, 256);
        let g: Vec<f64> = limiter_gain(&x, &y, d).iter().map(|v| to_db(*v)).collect();
        let depth = to_db(2.0);
        assert!((g[start + len - 1] + depth).abs() < 0.01);
        // The last loud sample leaves the lookahead window d + 1 samples later.
        let fall = start + len + d;
        let recovered = first(&g, fall, |v| v >= -depth * (-1.0f64).exp()) - fall;
        let expected = release as f64 * 0.001 * SR as f64;
        assert!(
            (recovered as f64 - expected).abs() < 0.02 * expected + d as f64,
            "release {release}: {recovered}"
        );
    }
}

/// The lookahead (and with it the latency) can change while limiting: the ceiling still holds,
/// and afterwards the audio is the input delayed by the new latency.
#[test]
fn limiter_lookahead_changes_keep_the_ceiling_and_the_delay_consistent() {
    let limit = from_db(-3.0);
    let hot: Vec<f32> = noise(48_000, 21).iter().map(|v| v * 10.0).collect();
    for block in [1, 256] {
        let mut fx = limiter(SR, -3.0, 10.0, 5.0);
        for (k, chunk) in hot.chunks(4000).enumerate() {
            let lookahead = [0.1, 50.0, 2.0, 30.0, 0.5, 10.0][k % 6];
            set(fx.as_mut(), "limiter", "lookahead", lookahead);
            assert_eq!(fx.latency(), samples(lookahead as f64, SR).max(1));
            let (l, r) = render(fx.as_mut(), chunk, &chunk.iter().rev().copied().collect::<Vec<_>>(), block);
            assert!(peak(&l).max(peak(&r)) <= limit, "block {block} after switching to {lookahead} ms");
        }
    }
    // Quiet audio across a switch: exactly the input, delayed by the latency of the moment.
    let mut fx = limiter(SR, -3.0, 10.0, 5.0);
    let x: Vec<f32> = noise(20_000, 8).iter().map(|v| v * 0.5).collect();
    let (mut l, mut r) = (x.clone(), x.clone());
    fx.process(&mut l[..10_000], &mut r[..10_000]);
    set(fx.as_mut(), "limiter", "lookahead", 12.0);
    let d = fx.latency();
    assert_eq!(d, 576);
    fx.process(&mut l[10_000..], &mut r[10_000..]);
    assert_eq!(&l[10_000..], &x[10_000 - d..20_000 - d]);
}

#[test]
fn limiter_ceiling_changes_hold_from_the_moment_they_apply() {
    let hot: Vec<f32> = noise(48_000, 4).iter().map(|v| v * 10.0).collect();
    for (from, to) in [(-1.0, -12.0), (-12.0, -1.0)] {
        let mut fx = limiter(SR, from, 100.0, 5.0);
        let d = fx.latency();
        let switch = 24_000;
        let (mut l, mut r) = (hot.clone(), hot.clone());
        fx.process(&mut l[..switch], &mut r[..switch]);
        set(fx.as_mut(), "limiter", "threshold", to);
        fx.process(&mut l[switch..], &mut r[switch..]);
        let (high, low) = (from_db(from.max(to) as f64), from_db(from.min(to) as f64));
        assert!(peak(&l) <= high);
        // The old ceiling for audio already in the delay, the new one once the glide is over.
        let settled = switch + d + samples(40.0, SR);
        let (before, after) = if from > to { (high, low) } else { (low, high) };
        assert!(peak(&l[..switch + d]) <= before);
        assert!(peak(&l[settled..]) <= after && peak(&l[settled..]) > 0.99 * after);
    }
}
