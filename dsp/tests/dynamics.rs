//! Compressor, limiter, expander, gate and noise gate against their defining curves and times.

mod common;
use codette_dsp::blocks::level_detector::WINDOW_MS;
use codette_dsp::Effect;
use common::*;

/// 20 log10, in f64 for levels far below full scale.
fn to_db(x: f64) -> f64 {
    20.0 * x.max(1e-30).log10()
}

fn from_db(db: f64) -> f32 {
    10f64.powf(db / 20.0) as f32
}

fn set(fx: &mut dyn Effect, id: &str, param: &str, value: f32) {
    fx.set_param(spec(id).param_index(param).unwrap(), value);
}

fn samples(ms: f64, sample_rate: f32) -> usize {
    (ms * 0.001 * sample_rate as f64).round() as usize
}

/// A constant level (DC) per segment: with DC in, `out / in` is the effect's gain at each sample.
fn steps(segments: &[(f32, usize)]) -> Vec<f32> {
    segments.iter().flat_map(|&(level, len)| std::iter::repeat_n(level, len)).collect()
}

/// Gain in dB at each sample of a DC-stepped render.
fn gain_db(input: &[f32], output: &[f32]) -> Vec<f64> {
    input.iter().zip(output).map(|(i, o)| to_db((*o / *i) as f64)).collect()
}

/// First index from `from` on where `pred` holds.
fn first(v: &[f64], from: usize, pred: impl Fn(f64) -> bool) -> usize {
    from + v[from..].iter().position(|x| pred(*x)).expect("never reached")
}

/// Output level in dB of a 1 kHz sine at `level_db` after the effect settled (last 100 ms).
fn settled_tone_db(fx: &mut dyn Effect, level_db: f64) -> f64 {
    let x = sine(1000.0, from_db(level_db), SR, 48_000);
    let (l, r) = render_mono(fx, &x, 480);
    assert_eq!(l, r);
    to_db(tone_amplitude(&l[43_200..], 1000.0, SR) as f64)
}

// ---------------------------------------------------------------------------------------------
// Compressor

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

// ---------------------------------------------------------------------------------------------
// Limiter

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

// ---------------------------------------------------------------------------------------------
// Expander

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

// ---------------------------------------------------------------------------------------------
// Gate and noise gate

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

// ---------------------------------------------------------------------------------------------
// All five

#[test]
fn reset_renders_like_a_fresh_instance() {
    let x: Vec<f32> = noise(30_000, 13)
        .iter()
        .enumerate()
        .map(|(i, v)| v * if (i / 3000) % 2 == 0 { 3.0 } else { 0.003 })
        .collect();
    for (id, params) in [
        ("compressor", vec![("threshold", -30.0), ("knee", 12.0), ("makeup", 6.0)]),
        ("limiter", vec![("threshold", -6.0), ("lookahead", 20.0)]),
        ("expander", vec![("threshold", -30.0), ("ratio", 3.0)]),
        ("gate", vec![("threshold", -30.0), ("hold", 10.0)]),
        ("noise_gate", vec![("open_threshold", -20.0), ("close_threshold", -50.0)]),
    ] {
        let mut used = (spec(id).build)(SR);
        render_mono(used.as_mut(), &x, 100);
        for (p, v) in &params {
            set(used.as_mut(), id, p, *v);
        }
        used.reset();
        let mut fresh = build(id, SR, &params);
        assert_eq!(render_mono(used.as_mut(), &x, 77), render_mono(fresh.as_mut(), &x, 77), "{id}");
    }
}
