//! Delay effects: echoes at exact sample positions and amplitudes, tempo sync, click-free
//! changes.

mod common;
use codette_dsp::util::SYNC_OPTIONS;
use codette_dsp::Effect;
use common::*;
use std::f64::consts::PI;

const RATES: [f32; 3] = [44_100.0, 48_000.0, 96_000.0];
const DELAYS: [&str; 4] = ["simple_delay", "pingpong_delay", "multitap_delay", "stereo_delay"];

/// The reference delay in samples: `round(ms · sr / 1000)`, computed in double precision.
fn samples(ms: f64, sample_rate: f32) -> usize {
    (ms * sample_rate as f64 / 1000.0).round() as usize
}

/// The plain value of a sync choice.
fn sync(name: &str) -> f32 {
    SYNC_OPTIONS.iter().position(|o| *o == name).unwrap() as f32
}

/// Duration in ms of a note value (fraction of a whole note) at a tempo.
fn note_ms(whole_note_fraction: f64, bpm: f64) -> f64 {
    whole_note_fraction * 4.0 * 60_000.0 / bpm
}

/// Sets a parameter by id without snapping, as a host automating it would.
fn set(fx: &mut dyn Effect, id: &str, effect: &str, value: f32) {
    fx.set_param(spec(effect).param_index(id).unwrap(), value);
}

/// Checks that `out` is exactly `expected` at the listed positions (the first of them bit-exact,
/// the repeats within float rounding of the reference) and zero everywhere else.
fn assert_echoes(out: &[f32], expected: &[(usize, f32)], what: &str) {
    let mut reference = vec![0.0f32; out.len()];
    for &(at, amplitude) in expected.iter().filter(|(at, _)| *at < out.len()) {
        reference[at] += amplitude;
    }
    for (i, (y, r)) in out.iter().zip(&reference).enumerate() {
        // Recirculation below -400 dBFS is flushed to zero (`util::flush`), hence the floor.
        let tolerance = if i == expected[0].0 { 0.0 } else { 1e-6 * r.abs() + 1e-19 };
        assert!((y - r).abs() <= tolerance, "{what}: sample {i} is {y}, expected {r}");
    }
}

/// Echo `n` (1, 2, ...) of an impulse: `mix · feedback^(n-1)`.
fn repeat(mix: f32, feedback: f32, n: usize) -> f32 {
    (mix as f64 * (feedback as f64).powi(n as i32 - 1)) as f32
}

#[test]
fn simple_delay_echoes_at_exactly_the_set_time_then_every_time_scaled_by_feedback() {
    let (mix, feedback) = (0.7, 0.6);
    for sr in RATES {
        for ms in [1.0, 7.3, 250.0, 500.0, 1234.5, 5000.0] {
            let d = samples(ms as f64, sr);
            let params = [("time_ms", ms), ("feedback", feedback), ("mix", mix)];
            let mut fx = build("simple_delay", sr, &params);
            let (l, r) = render_mono(fx.as_mut(), &impulse(3 * d + 100), 512);
            let mut expected = vec![(d, mix), (0, 1.0 - mix)];
            expected.extend((2..).map(|n| (n * d, repeat(mix, feedback, n))).take_while(|e| e.0 < l.len()));
            assert_echoes(&l, &expected, &format!("left, {ms} ms at {sr} Hz"));
            assert_echoes(&r, &expected, &format!("right, {ms} ms at {sr} Hz"));
        }
    }
}

#[test]
fn feedback_is_held_below_one_and_tails_decay_without_subnormals() {
    let mut fx = build("simple_delay", SR, &[("time_ms", 1.0), ("feedback", 3.0), ("mix", 1.0)]);
    let d = samples(1.0, SR);
    let (l, _) = render_mono(fx.as_mut(), &impulse(5 * SR as usize), 512);
    for n in [1, 2, 10, 100] {
        let expected = repeat(1.0, 0.95, n);
        assert!((l[n * d] - expected).abs() <= 1e-5 * expected, "repeat {n}: {}", l[n * d]);
    }
    // 0.95 per ms reaches the subnormal range after 1.7 s: the recirculation must be flushed.
    assert_clean(&l);
    assert_eq!(peak(&l[4 * SR as usize..]), 0.0);
}

#[test]
fn stereo_delay_has_independent_left_and_right_times() {
    let (mix, feedback) = (0.5, 0.5);
    for sr in RATES {
        for (ms_l, ms_r) in [(400.0, 500.0), (5000.0, 3.7), (123.4, 5000.0)] {
            let (d_l, d_r) = (samples(ms_l as f64, sr), samples(ms_r as f64, sr));
            let params = [("time_l_ms", ms_l), ("time_r_ms", ms_r), ("feedback", feedback), ("mix", mix)];
            let mut fx = build("stereo_delay", sr, &params);
            let len = 3 * d_l.max(d_r) + 100;
            // Only the left input: the right output must stay silent (no cross-feed).
            let (l, r) = render(fx.as_mut(), &impulse(len), &vec![0.0; len], 512);
            let train = |d: usize| {
                let mut e = vec![(d, mix), (0, 0.0)];
                e.extend((2..).map(|n| (n * d, repeat(mix, feedback, n))).take_while(|e| e.0 < len));
                e
            };
            let mut left = train(d_l);
            left[1] = (0, 1.0 - mix);
            assert_echoes(&l, &left, &format!("left {ms_l} ms at {sr} Hz"));
            assert_eq!(peak(&r), 0.0);
            fx.reset();
            let (l, r) = render(fx.as_mut(), &vec![0.0; len], &impulse(len), 512);
            let mut right = train(d_r);
            right[1] = (0, 1.0 - mix);
            assert_echoes(&r, &right, &format!("right {ms_r} ms at {sr} Hz"));
            assert_eq!(peak(&l), 0.0);
        }
    }
}

#[test]
fn pingpong_echoes_alternate_first_left_then_right() {
    let (mix, feedback) = (0.5, 0.7);
    for sr in RATES {
        for ms in [2.0, 333.3, 5000.0] {
            let d = samples(ms as f64, sr);
            let params = [("time_ms", ms), ("feedback", feedback), ("mix", mix), ("stereo_width", 1.0)];
            let mut fx = build("pingpong_delay", sr, &params);
            let len = 4 * d + 100;
            let (l, r) = render_mono(fx.as_mut(), &impulse(len), 512);
            let side = |odd: bool| {
                let mut e = vec![(0, 1.0 - mix)];
                let echoes = (1..).map(|n| (n, n * d)).take_while(|(_, at)| *at < len);
                e.extend(
                    echoes.filter(|(n, _)| (n % 2 == 1) == odd).map(|(n, at)| (at, repeat(mix, feedback, n))),
                );
                e
            };
            assert_echoes(&l, &side(true), &format!("left, {ms} ms at {sr} Hz"));
            assert_echoes(&r, &side(false), &format!("right, {ms} ms at {sr} Hz"));
        }
    }
}

#[test]
fn pingpong_width_moves_echoes_toward_the_centre() {
    let (mix, feedback, ms) = (1.0, 0.5, 100.0);
    let d = samples(ms as f64, SR);
    for width in [0.0f32, 0.3, 1.0] {
        let params = [("time_ms", ms), ("feedback", feedback), ("mix", mix), ("stereo_width", width)];
        let mut fx = build("pingpong_delay", SR, &params);
        // A right-only input is summed to mono, so it also echoes first on the left.
        let (l, r) = render(fx.as_mut(), &vec![0.0; 5 * d], &impulse(5 * d), 64);
        // Each echo keeps (1 + width) / 2 on its own side and gives the rest to the other.
        let (own, other) = ((1.0 + width) / 2.0, (1.0 - width) / 2.0);
        let (mut el, mut er) = (vec![(0, 0.0)], vec![(0, 0.0)]);
        for n in 1..=4 {
            let a = 0.5 * repeat(mix, feedback, n);
            let (near, far) = if n % 2 == 1 { (&mut el, &mut er) } else { (&mut er, &mut el) };
            near.push((n * d, own * a));
            far.push((n * d, other * a));
        }
        assert_echoes(&l, &el, &format!("left, width {width}"));
        assert_echoes(&r, &er, &format!("right, width {width}"));
        if width == 0.0 {
            assert_eq!(l, r, "width 0 must be mono");
        }
    }
}

#[test]
fn multitap_sounds_each_tap_once_at_its_spacing_and_level_up_to_sixteen_seconds() {
    let mix = 0.8;
    let levels: Vec<f32> = (1..=8).map(|k| 0.1 * k as f32).collect();
    for sr in [44_100.0, 48_000.0] {
        let mut params = vec![("tap_count", 8.0), ("spacing_ms", 2000.0), ("feedback", 0.0), ("mix", mix)];
        let ids: Vec<String> = (1..=8).map(|k| format!("tap_level_{k}")).collect();
        params.extend(ids.iter().map(String::as_str).zip(levels.iter().copied()));
        let mut fx = build("multitap_delay", sr, &params);
        let s = samples(2000.0, sr);
        let (l, r) = render_mono(fx.as_mut(), &impulse(8 * s + 1000), 4096);
        let mut expected: Vec<(usize, f32)> = (1..=8).map(|k| (k * s, mix * levels[k - 1])).collect();
        expected.push((0, 1.0 - mix));
        assert_echoes(&l, &expected, &format!("left at {sr} Hz"));
        assert_echoes(&r, &expected, &format!("right at {sr} Hz"));
    }
}

#[test]
fn multitap_feeds_the_last_tap_back_so_the_pattern_repeats() {
    let (mix, feedback, ms) = (1.0, 0.5, 100.0);
    let levels = [0.9, 0.6, 0.3, 0.7];
    for taps in [1usize, 3] {
        let mut params =
            vec![("tap_count", taps as f32), ("spacing_ms", ms), ("feedback", feedback), ("mix", mix)];
        let ids: Vec<String> = (1..=4).map(|k| format!("tap_level_{k}")).collect();
        params.extend(ids.iter().map(String::as_str).zip(levels));
        let mut fx = build("multitap_delay", 96_000.0, &params);
        let s = samples(ms as f64, 96_000.0);
        let (l, _) = render_mono(fx.as_mut(), &impulse(10 * s + 10), 333);
        // Echo q = m·taps + k comes from tap k after m trips round the feedback loop.
        let expected: Vec<(usize, f32)> = (1..=10)
            .map(|q| {
                let (m, k) = ((q - 1) / taps, (q - 1) % taps);
                (q * s, mix * levels[k] * feedback.powi(m as i32))
            })
            .chain([(0, 0.0)])
            .collect();
        assert_echoes(&l, &expected, &format!("{taps} taps"));
    }
}

#[test]
fn sync_follows_note_values_at_the_tempo() {
    let mix = 0.5;
    // (effect, time parameter, sync parameter, note, whole-note fraction, bpm)
    let cases = [
        ("simple_delay", "sync", "1/4", 0.25, 120.0),
        ("simple_delay", "sync", "1/8.", 0.1875, 120.0),
        ("simple_delay", "sync", "1/4T", 1.0 / 6.0, 90.0),
        ("simple_delay", "sync", "1/2.", 0.75, 100.0),
        ("simple_delay", "sync", "1/16", 0.0625, 140.0),
        ("pingpong_delay", "sync", "1/8", 0.125, 120.0),
        ("pingpong_delay", "sync", "1/16T", 1.0 / 24.0, 75.0),
        ("multitap_delay", "sync", "1/16", 0.0625, 120.0),
        ("stereo_delay", "sync_l", "1/4", 0.25, 120.0),
        ("stereo_delay", "sync_r", "1/8T", 1.0 / 12.0, 90.0),
    ];
    for sr in RATES {
        for (id, sync_id, note, fraction, bpm) in cases {
            let mut fx = (spec(id).build)(sr);
            set(fx.as_mut(), sync_id, id, sync(note));
            set(fx.as_mut(), "mix", id, mix);
            set(fx.as_mut(), "feedback", id, 0.0);
            if id == "multitap_delay" {
                set(fx.as_mut(), "tap_count", id, 1.0);
                set(fx.as_mut(), "tap_level_1", id, 1.0);
            }
            if bpm != 120.0 {
                fx.set_tempo(bpm);
            }
            fx.reset();
            let d = samples(note_ms(fraction, bpm), sr);
            let (l, r) = render_mono(fx.as_mut(), &impulse(d + 100), 512);
            // The synced side of the stereo delay, the left for ping-pong, both otherwise.
            let out = if sync_id == "sync_r" { &r } else { &l };
            let what = format!("{id} {note} at {bpm} bpm, {sr} Hz");
            assert_echoes(out, &[(d, mix), (0, 1.0 - mix)], &what);
        }
    }
}

#[test]
fn sync_off_uses_the_time_and_synced_times_stay_in_range() {
    let mut fx = build("simple_delay", SR, &[("time_ms", 123.0), ("sync", sync("1/1")), ("mix", 1.0)]);
    fx.set_tempo(30.0);
    fx.reset();
    // A whole note at 30 bpm is 8 s: held at the 5 s the time parameter allows.
    let (l, _) = render_mono(fx.as_mut(), &impulse(samples(5000.0, SR) + 10), 512);
    assert_echoes(&l, &[(samples(5000.0, SR), 1.0), (0, 0.0)], "clamped");
    set(fx.as_mut(), "sync", "simple_delay", 0.0);
    fx.reset();
    let (l, _) = render_mono(fx.as_mut(), &impulse(10_000), 512);
    assert_echoes(&l, &[(samples(123.0, SR), 1.0), (0, 0.0)], "off");
}

/// Largest sample-to-sample change in `x`.
fn max_step(x: &[f32]) -> f32 {
    x.windows(2).map(|w| (w[1] - w[0]).abs()).fold(0.0, f32::max)
}

/// A unit sine's largest step between samples: `2·sin(π·f/sr)`.
fn sine_step(freq: f32, sample_rate: f32) -> f32 {
    (2.0 * (PI * freq as f64 / sample_rate as f64).sin()) as f32
}

/// Shortest crossfade the bounds allow (the design uses the 20 ms parameter smoothing time).
const MIN_FADE_MS: f32 = 15.0;

#[test]
fn time_changes_crossfade_without_clicks_and_settle_on_the_new_time() {
    // 230 Hz is half a cycle out of phase between 300 and 450 ms: a hard switch would jump by
    // up to 2, a crossfade of F samples between two unit sines moves by at most
    // sine step + 2 / F per sample.
    let (freq, from_ms, to_ms) = (230.0, 300.0, 450.0);
    for sr in RATES {
        let x = sine(freq, 1.0, sr, 2 * sr as usize);
        let mut fx = build("simple_delay", sr, &[("time_ms", from_ms), ("feedback", 0.0), ("mix", 1.0)]);
        let half = sr as usize;
        let (first, _) = render_mono(fx.as_mut(), &x[..half], 512);
        set(fx.as_mut(), "time_ms", "simple_delay", to_ms);
        let (second, _) = render_mono(fx.as_mut(), &x[half..], 512);
        let out = [first, second].concat();
        let bound = sine_step(freq, sr) + 2.0 / (MIN_FADE_MS * 0.001 * sr);
        let start = samples(from_ms as f64, sr) + 1;
        let step = max_step(&out[start..]);
        assert!(step <= bound * 1.0001, "step {step} above {bound} at {sr} Hz");
        // Settled: an exact copy of the input at the new time, not an interpolated one.
        let d = samples(to_ms as f64, sr);
        for n in half + half / 2..2 * half {
            assert_eq!(out[n], x[n - d], "sample {n} at {sr} Hz");
        }
    }
}

#[test]
fn a_settled_time_reads_whole_samples_after_a_change() {
    let (mix, to_ms) = (0.5, 437.3);
    let mut fx = build("pingpong_delay", SR, &[("time_ms", 300.0), ("feedback", 0.0), ("mix", mix)]);
    set(fx.as_mut(), "time_ms", "pingpong_delay", to_ms);
    render_mono(fx.as_mut(), &vec![0.0; SR as usize / 10], 100);
    let d = samples(to_ms as f64, SR);
    let (l, r) = render_mono(fx.as_mut(), &impulse(2 * d), 100);
    assert_echoes(&l, &[(d, mix), (0, 1.0 - mix)], "left");
    assert_echoes(&r, &[(0, 1.0 - mix)], "right");
}

#[test]
fn multitap_count_and_spacing_changes_do_not_click() {
    let sr = SR;
    let freq = 170.0;
    let x = sine(freq, 1.0, sr, 3 * sr as usize);
    let params = [("tap_count", 4.0), ("spacing_ms", 100.0), ("feedback", 0.0), ("mix", 1.0)];
    let mut fx = build("multitap_delay", sr, &params);
    let third = sr as usize;
    let (a, _) = render_mono(fx.as_mut(), &x[..third], 256);
    set(fx.as_mut(), "tap_count", "multitap_delay", 2.0);
    let (b, _) = render_mono(fx.as_mut(), &x[third..2 * third], 256);
    set(fx.as_mut(), "spacing_ms", "multitap_delay", 133.0);
    let (c, _) = render_mono(fx.as_mut(), &x[2 * third..], 256);
    let out = [a, b, c].concat();
    // Four taps of level 1/4 sum to at most 1: each moves by at most its sine step, the spacing
    // crossfade adds 2 / F, and a tap fading out (exponential glide over the 20 ms smoothing
    // time, 7 time constants) changes its gain by at most 1/4 · 7 / (20 ms · sr) per sample.
    let bound = sine_step(freq, sr) + 2.0 / (MIN_FADE_MS * 0.001 * sr) + 2.0 * 0.25 * 7.0 / (0.02 * sr);
    let step = max_step(&out[samples(400.0, sr) + 1..]);
    assert!(step <= bound * 1.0001, "step {step} above {bound}");
    // Settled on two taps at 133 ms.
    let s = samples(133.0, sr);
    for n in 2 * third + third / 2..3 * third {
        assert!((out[n] - 0.25 * (x[n - s] + x[n - 2 * s])).abs() < 1e-6, "sample {n}");
    }
}

#[test]
fn tempo_changes_crossfade_to_the_new_synced_time() {
    let freq = 300.0;
    let x = sine(freq, 1.0, SR, 2 * SR as usize);
    let mut fx = build("stereo_delay", SR, &[("sync_l", sync("1/8")), ("feedback", 0.0), ("mix", 1.0)]);
    let half = SR as usize;
    let (a, _) = render_mono(fx.as_mut(), &x[..half], 512);
    fx.set_tempo(97.0);
    let (b, _) = render_mono(fx.as_mut(), &x[half..], 512);
    let out = [a, b].concat();
    let bound = sine_step(freq, SR) + 2.0 / (MIN_FADE_MS * 0.001 * SR);
    let step = max_step(&out[samples(250.0, SR) + 1..]);
    assert!(step <= bound * 1.0001, "step {step} above {bound}");
    let d = samples(note_ms(0.125, 97.0), SR);
    for n in half + half / 2..2 * half {
        assert_eq!(out[n], x[n - d], "sample {n}");
    }
}

/// Renders noise while parameters glide and the tempo moves, in blocks of `block`.
fn render_with_changes(id: &str, block: usize) -> (Vec<f32>, Vec<f32>) {
    let s = spec(id);
    let mut fx = (s.build)(SR);
    let (l, r) = (noise(30_000, 3), noise(30_000, 4));
    let mut out = (Vec::new(), Vec::new());
    for (step, (lc, rc)) in l.chunks(10_000).zip(r.chunks(10_000)).enumerate() {
        // Every parameter jumps to a different point of its range.
        for (i, p) in s.params.iter().enumerate() {
            fx.set_param(i, p.denormalize(((i * 7 + step * 3) % 10) as f32 / 9.0));
        }
        fx.set_tempo(100.0 + 20.0 * step as f64);
        let (bl, br) = render(fx.as_mut(), lc, rc, block);
        out.0.extend(bl);
        out.1.extend(br);
    }
    out
}

#[test]
fn output_does_not_depend_on_block_size() {
    for id in DELAYS {
        let reference = render_with_changes(id, 4096);
        for block in [1, 13, 64] {
            assert!(render_with_changes(id, block) == reference, "{id}: block {block} differs");
        }
    }
}

#[test]
fn reset_renders_like_a_fresh_instance() {
    for id in DELAYS {
        let s = spec(id);
        let x = noise(20_000, 9);
        // Glides started after the reset must line up with a fresh instance's too.
        let run = |fx: &mut dyn Effect| {
            let first = render_mono(fx, &x[..10_000], 512);
            s.params.iter().enumerate().for_each(|(i, p)| fx.set_param(i, p.denormalize(0.3)));
            (first, render_mono(fx, &x[10_000..], 512))
        };
        let mut used = (s.build)(SR);
        render_mono(used.as_mut(), &x[..1234], 100);
        used.reset();
        let mut fresh = (s.build)(SR);
        assert!(run(used.as_mut()) == run(fresh.as_mut()), "{id}");
    }
}
