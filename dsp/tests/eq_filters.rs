//! The EQ family against analytical references: the RBJ cookbook for `eq3band`, the digital
//! Butterworth magnitude for `highlow_pass`.

mod common;
use codette_dsp::Effect;
use common::*;
use std::f64::consts::PI;

const EQ_IDS: [&str; 9] =
    ["low_gain", "low_freq", "low_q", "mid_gain", "mid_freq", "mid_q", "high_gain", "high_freq", "high_q"];

/// A sine computed in f64, so that its phase stays exact over long renders.
fn pure_sine(freq: f32, amplitude: f32, sample_rate: f32, len: usize) -> Vec<f32> {
    let w = 2.0 * PI * freq as f64 / sample_rate as f64;
    (0..len).map(|i| amplitude * (w * i as f64).sin() as f32).collect()
}

/// The gain in dB an effect applies to a steady sine: `settle` seconds of transient are
/// discarded, then the tone is measured over a whole number of periods (at least half a
/// second), where the single-bin DFT has no leakage.
fn sine_gain_db(fx: &mut dyn Effect, freq: f32, sample_rate: f32, settle: f32) -> f64 {
    const AMPLITUDE: f32 = 0.25;
    let periods = (0.5 * freq).ceil().max(4.0);
    let measured = (periods * sample_rate / freq).round() as usize;
    let skip = (settle * sample_rate) as usize;
    let x = pure_sine(freq, AMPLITUDE, sample_rate, skip + measured);
    let (l, r) = render_mono(fx, &x, 512);
    assert_eq!(l, r, "both channels must be filtered alike");
    20.0 * (tone_amplitude(&l[skip..], freq, sample_rate) as f64 / AMPLITUDE as f64).log10()
}

/// The largest sample-to-sample step of a signal, the measure of a click.
fn largest_step(x: &[f32]) -> f32 {
    x.windows(2).map(|w| (w[1] - w[0]).abs()).fold(0.0, f32::max)
}

// ---------------------------------------------------------------------------------------------
// eq3band

#[derive(Debug, Clone, Copy)]
enum Band {
    LowShelf,
    Peak,
    HighShelf,
}

/// Magnitude in dB at `f` of one band, from the formulas of R. Bristow-Johnson's "Cookbook
/// formulae for audio EQ biquad filter coefficients", written out here independently of the
/// effect's code: b and a as the cookbook states them, then |H(e^jw)| of their ratio.
fn cookbook_db(band: Band, f0: f64, q: f64, gain_db: f64, fs: f64, f: f64) -> f64 {
    let a = 10f64.powf(gain_db / 40.0);
    let (sin, cos) = (2.0 * PI * f0 / fs).sin_cos();
    let alpha = sin / (2.0 * q);
    let k = 2.0 * a.sqrt() * alpha;
    let (b, den) = match band {
        Band::Peak => {
            ([1.0 + alpha * a, -2.0 * cos, 1.0 - alpha * a], [1.0 + alpha / a, -2.0 * cos, 1.0 - alpha / a])
        }
        Band::LowShelf => (
            [
                a * ((a + 1.0) - (a - 1.0) * cos + k),
                2.0 * a * ((a - 1.0) - (a + 1.0) * cos),
                a * ((a + 1.0) - (a - 1.0) * cos - k),
            ],
            [
                (a + 1.0) + (a - 1.0) * cos + k,
                -2.0 * ((a - 1.0) + (a + 1.0) * cos),
                (a + 1.0) + (a - 1.0) * cos - k,
            ],
        ),
        Band::HighShelf => (
            [
                a * ((a + 1.0) + (a - 1.0) * cos + k),
                -2.0 * a * ((a - 1.0) + (a + 1.0) * cos),
                a * ((a + 1.0) + (a - 1.0) * cos - k),
            ],
            [
                (a + 1.0) - (a - 1.0) * cos + k,
                2.0 * ((a - 1.0) - (a + 1.0) * cos),
                (a + 1.0) - (a - 1.0) * cos - k,
            ],
        ),
    };
    let w = 2.0 * PI * f / fs;
    // |c0 + c1 e^-jw + c2 e^-2jw|
    let poly = |c: [f64; 3]| {
        let re = c[0] + c[1] * w.cos() + c[2] * (2.0 * w).cos();
        let im = c[1] * w.sin() + c[2] * (2.0 * w).sin();
        re.hypot(im)
    };
    20.0 * (poly(b) / poly(den)).log10()
}

fn eq(sample_rate: f32, settings: [f32; 9]) -> Box<dyn Effect> {
    let params: Vec<(&str, f32)> = EQ_IDS.iter().copied().zip(settings).collect();
    build("eq3band", sample_rate, &params)
}

/// Expected dB of the whole EQ: the sum of the three bands' cookbook magnitudes in dB.
fn eq_reference_db(s: [f32; 9], fs: f32, f: f32) -> f64 {
    let s = s.map(|v| v as f64);
    let (fs, f) = (fs as f64, f as f64);
    cookbook_db(Band::LowShelf, s[1], s[2], s[0], fs, f)
        + cookbook_db(Band::Peak, s[4], s[5], s[3], fs, f)
        + cookbook_db(Band::HighShelf, s[7], s[8], s[6], fs, f)
}

#[test]
fn eq_matches_the_cookbook_magnitudes() {
    // low gain, freq, Q; mid gain, freq, Q; high gain, freq, Q
    let settings: [[f32; 9]; 4] = [
        [6.0, 100.0, 0.707, -9.0, 1000.0, 2.0, 4.0, 8000.0, 0.707],
        [-12.0, 300.0, 1.5, 12.0, 2500.0, 0.5, -6.0, 15_000.0, 3.0],
        [24.0, 20.0, 0.1, -24.0, 200.0, 10.0, 24.0, 4000.0, 10.0],
        [-24.0, 500.0, 10.0, 24.0, 5000.0, 0.1, -24.0, 20_000.0, 0.1],
    ];
    let grid = [
        25.0, 40.0, 63.0, 160.0, 250.0, 400.0, 630.0, 1600.0, 3150.0, 6300.0, 10_000.0, 12_500.0, 18_000.0,
        20_500.0,
    ];
    for sr in [44_100.0, 96_000.0] {
        for s in settings {
            let mut fx = eq(sr, s);
            let corners = [s[1], s[4], s[7], 0.9 * s[4], 1.1 * s[4], 2.0 * s[4], 2.0 * s[1], 2.0 * s[7]];
            for f in grid.into_iter().chain(corners).filter(|&f| f < 0.47 * sr) {
                fx.reset();
                let got = sine_gain_db(fx.as_mut(), f, sr, 1.0);
                let want = eq_reference_db(s, sr, f);
                assert!(
                    (got - want).abs() < 0.1,
                    "{s:?} at {sr} Hz: {f} Hz is {got:.3} dB, cookbook {want:.3} dB"
                );
            }
        }
    }
}

/// The predecessor put every band an octave above its setting; the mid band's extremum and the
/// shelves' midpoints (half the gain, by the cookbook's definition) must be at the set frequency.
#[test]
fn every_band_sits_at_its_set_frequency() {
    let sr = 48_000.0;
    for (f0, q, gain) in [(200.0, 0.5, 12.0), (1000.0, 2.0, -12.0), (3300.0, 8.0, 9.0), (5000.0, 1.0, -6.0)] {
        let mut fx = build("eq3band", sr, &[("mid_freq", f0), ("mid_q", q), ("mid_gain", gain)]);
        let mut at = |f: f32| sine_gain_db(fx.as_mut(), f, sr, 0.5);
        let (centre, below, above) = (at(f0), at(0.9 * f0), at(1.1 * f0));
        assert!((centre - gain as f64).abs() < 0.1, "peak at {f0} Hz is {centre:.3} dB, set {gain}");
        let sign = gain.signum() as f64;
        assert!(
            sign * (centre - below) > 0.0 && sign * (centre - above) > 0.0,
            "{f0} Hz is not the extremum"
        );
    }
    for (id, f0, gain) in [("low", 20.0, 12.0), ("low", 150.0, -18.0), ("low", 500.0, 6.0)]
        .into_iter()
        .chain([("high", 4000.0, 12.0), ("high", 9000.0, -18.0), ("high", 20_000.0, 6.0)])
    {
        let params = [(format!("{id}_freq"), f0), (format!("{id}_gain"), gain)];
        let params: Vec<(&str, f32)> = params.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        let mut fx = build("eq3band", sr, &params);
        let mid = sine_gain_db(fx.as_mut(), f0, sr, 1.0);
        assert!(
            (mid - gain as f64 / 2.0).abs() < 0.1,
            "{id} shelf at {f0} Hz: {mid:.3} dB, want {}",
            gain / 2.0
        );
    }
}

#[test]
fn eq_is_exactly_flat_with_all_gains_at_zero() {
    let x = noise(48_000, 3);
    let settings = [0.0, 37.0, 3.0, 0.0, 4321.0, 9.0, 0.0, 5000.0, 0.2];
    let (l, r) = render(eq(SR, settings).as_mut(), &x, &x, 64);
    assert_eq!((&l, &r), (&x, &x));

    // Also once gains that were not 0 have glided back there.
    let mut fx = eq(SR, [12.0, 100.0, 1.0, -6.0, 1000.0, 1.0, 3.0, 8000.0, 1.0]);
    render_mono(fx.as_mut(), &x, 512);
    for i in [0, 3, 6] {
        fx.set_param(i, 0.0);
    }
    render_mono(fx.as_mut(), &x, 512);
    let (l, _) = render_mono(fx.as_mut(), &x, 512);
    assert_eq!(l, x);
}

/// A jump of every parameter of the mid band glides: no step exceeds what a clean sine of the
/// largest gain on the way (+24 dB, with Q = 1 no overshoot) could make, with 50 % margin. Set
/// at once, the same jump steps by up to (15.8 - 0.06) times the amplitude.
#[test]
fn eq_parameter_jumps_do_not_click() {
    let (f, amplitude) = (1000.0, 0.05);
    let x = pure_sine(f, amplitude, SR, 24_000);
    let bound = 1.5 * 10f32.powf(24.0 / 20.0) * amplitude * 2.0 * (std::f32::consts::PI * f / SR).sin();
    for at in [4000, 4003, 4007, 4011] {
        let mut fx = build("eq3band", SR, &[("mid_gain", -24.0), ("mid_freq", 200.0), ("mid_q", 1.0)]);
        let (mut l, mut r) = (x.clone(), x.clone());
        fx.process(&mut l[..at], &mut r[..at]);
        fx.set_param(3, 24.0);
        fx.set_param(4, 5000.0);
        fx.process(&mut l[at..], &mut r[at..]);
        let step = largest_step(&l);
        assert!(step < bound, "jump at {at}: step {step} above {bound}");
    }
}

/// A gain jump glides over the smoothing time (20 ms to 99.9 %, exponentially in dB): 1 ms
/// after a jump from -24 to +24 dB the level has covered about 30 % of the way, after 60 ms
/// all of it. Measured one period of the tone at a time, at the peak's own frequency.
#[test]
fn eq_gain_glides_over_the_smoothing_time() {
    let (f, amplitude, at) = (1000.0, 0.05, 4800);
    let period = (SR / f) as usize;
    let x = pure_sine(f, amplitude, SR, at + 4 * 960);
    let mut fx = build("eq3band", SR, &[("mid_gain", -24.0), ("mid_freq", f), ("mid_q", 1.0)]);
    let (mut l, mut r) = (x.clone(), x.clone());
    fx.process(&mut l[..at], &mut r[..at]);
    fx.set_param(3, 24.0);
    fx.process(&mut l[at..], &mut r[at..]);
    let level_db = |start: usize| db(peak(&l[start..start + period]) / amplitude) as f64;
    let after_1ms = level_db(at + period);
    assert!(after_1ms > -24.0 + 5.0 && after_1ms < 0.0, "1 ms after the jump: {after_1ms:.2} dB");
    let after_60ms = level_db(at + 60 * period);
    assert!((after_60ms - 24.0).abs() < 0.05, "60 ms after the jump: {after_60ms:.2} dB");
}

// ---------------------------------------------------------------------------------------------
// highlow_pass

fn filter(sample_rate: f32, lowpass: bool, order: usize, cutoff: f32) -> Box<dyn Effect> {
    let params = [("filter_type", lowpass as u8 as f32), ("order", order as f32), ("cutoff_freq", cutoff)];
    build("highlow_pass", sample_rate, &params)
}

/// The bilinear-transformed Butterworth magnitude in dB:
/// |H|² = 1 / (1 + (tan(πf/fs) / tan(πfc/fs))^2n) for the low-pass, ratio inverted for the high-pass.
fn butterworth_db(lowpass: bool, order: usize, fc: f32, fs: f32, f: f32) -> f64 {
    let (fc, fs, f) = (fc as f64, fs as f64, f as f64);
    let ratio = (PI * f / fs).tan() / (PI * fc / fs).tan();
    let ratio = if lowpass { ratio } else { 1.0 / ratio };
    -10.0 * (1.0 + ratio.powi(2 * order as i32)).log10()
}

#[test]
fn cutoff_is_3db_down_for_every_order_and_type() {
    for cutoff in [20.0, 100.0, 1000.0, 10_000.0, 20_000.0] {
        for order in 1..=6 {
            for lowpass in [false, true] {
                let got = sine_gain_db(filter(SR, lowpass, order, cutoff).as_mut(), cutoff, SR, 0.5);
                assert!(
                    (got + 3.0103).abs() < 0.1,
                    "lowpass {lowpass} order {order} at {cutoff} Hz: {got:.3} dB"
                );
            }
        }
    }
}

#[test]
fn magnitude_follows_the_digital_butterworth_formula() {
    let ratios = [0.125, 0.25, 0.5, 0.7, 1.0, 1.4, 2.0, 4.0, 8.0];
    for sr in [44_100.0, 96_000.0] {
        for cutoff in [50.0, 1000.0, 12_000.0] {
            for order in 1..=6 {
                for lowpass in [false, true] {
                    let mut fx = filter(sr, lowpass, order, cutoff);
                    for f in ratios.map(|r| r * cutoff).into_iter().filter(|&f| f > 15.0 && f < 0.47 * sr) {
                        let want = butterworth_db(lowpass, order, cutoff, sr, f);
                        fx.reset();
                        let got = sine_gain_db(fx.as_mut(), f, sr, 0.5);
                        assert!(
                            (got - want).abs() < 0.1,
                            "{sr} Hz, lowpass {lowpass}, order {order}, cutoff {cutoff}: {f} Hz is {got:.3} dB, \
                             Butterworth {want:.3} dB"
                        );
                    }
                }
            }
        }
    }
}

/// Two and three octaves past the cutoff, the slope is 6 dB/octave per order (at 192 kHz, where
/// the bilinear transform's warping is negligible there; the first order is 0.2 dB short of its
/// asymptote at that distance).
#[test]
fn slope_is_6db_per_octave_per_order() {
    let sr = 192_000.0;
    for order in 1..=6 {
        for (lowpass, cutoff, near, far) in [(true, 1000.0, 4000.0, 8000.0), (false, 8000.0, 2000.0, 1000.0)]
        {
            let mut fx = filter(sr, lowpass, order, cutoff);
            let slope = sine_gain_db(fx.as_mut(), near, sr, 0.2) - sine_gain_db(fx.as_mut(), far, sr, 0.2);
            let want = 20.0 * 2f64.log10() * order as f64;
            assert!((slope - want).abs() < 0.3, "lowpass {lowpass} order {order}: {slope:.2} dB/octave");
        }
    }
}

/// An effect, its parameters set by id before the run, and changes `(index, value)` sent
/// mid-run.
type Setup = (&'static str, Vec<(&'static str, f32)>, Vec<(usize, f32)>);

/// With changes in flight (a glide, a crossfade), the output does not depend on how the signal
/// is cut into blocks: the predecessor lost its filter state at every block boundary. The
/// silent end lets the states decay through the flush threshold, which must not depend on the
/// blocks either.
#[test]
fn block_size_does_not_change_the_output() {
    let mut x = noise(30_000, 11);
    x.resize(78_000, 0.0);
    let at = 10_000;
    let cases: [Setup; 2] = [
        ("highlow_pass", vec![("order", 3.0), ("cutoff_freq", 300.0)], vec![(0, 1.0), (1, 5000.0), (2, 6.0)]),
        (
            "eq3band",
            vec![("low_gain", 6.0), ("high_gain", -3.0)],
            vec![(0, -12.0), (1, 400.0), (3, 9.0), (5, 4.0), (6, 0.0)],
        ),
    ];
    for (id, initial, changes) in cases {
        let run = |block: usize| {
            let mut fx = build(id, SR, &initial);
            let (mut l, mut r) = (x.clone(), x.clone());
            let split = |fx: &mut Box<dyn Effect>, l: &mut [f32], r: &mut [f32]| {
                for (lc, rc) in l.chunks_mut(block).zip(r.chunks_mut(block)) {
                    fx.process(lc, rc);
                }
            };
            split(&mut fx, &mut l[..at], &mut r[..at]);
            for &(i, v) in &changes {
                fx.set_param(i, v);
            }
            split(&mut fx, &mut l[at..], &mut r[at..]);
            (l, r)
        };
        let whole = run(x.len());
        assert_ne!(whole.0[at..], x[at..]);
        for block in [1, 37, 4096] {
            assert!(run(block) == whole, "{id}: blocks of {block} differ from one block");
        }
    }
}

/// A clean filtered sine never steps further per sample than the input sine (2A sin(πf/fs)):
/// Butterworth gain is at most 1. Changes may add their start-up transient on top, hence a
/// 50 % margin. Switched abruptly, the new filter (or the old states under new coefficients)
/// steps by a sizeable part of the amplitude.
#[test]
fn cutoff_type_and_order_changes_do_not_click() {
    // (input frequency, initial (lowpass, order, cutoff), change (index, value))
    let cases = [
        (200.0, (false, 6, 20.0), (1, 5000.0)),
        (3000.0, (true, 6, 20_000.0), (1, 200.0)),
        (3000.0, (true, 4, 1000.0), (0, 0.0)),
        (300.0, (false, 4, 1000.0), (0, 1.0)),
        (800.0, (true, 1, 1000.0), (2, 6.0)),
        (800.0, (true, 6, 1000.0), (2, 1.0)),
    ];
    for (f, (lowpass, order, cutoff), (index, value)) in cases {
        let x = pure_sine(f, 1.0, SR, 24_000);
        let bound = 1.5 * 2.0 * (std::f32::consts::PI * f / SR).sin();
        for at in [12_000, 12_005, 12_011, 12_017] {
            let mut fx = filter(SR, lowpass, order, cutoff);
            let (mut l, mut r) = (x.clone(), x.clone());
            fx.process(&mut l[..at], &mut r[..at]);
            fx.set_param(index, value);
            fx.process(&mut l[at..], &mut r[at..]);
            // The first 0.2 s are the filter's own start-up from silence.
            let step = largest_step(&l[9600..]);
            assert!(step < bound, "{f} Hz, change {index} -> {value} at {at}: step {step} above {bound}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// both

#[test]
fn channels_are_filtered_independently() {
    let (a, b) = (noise(8192, 5), noise(8192, 6));
    let silent = vec![0.0; 8192];
    let setups: [(&str, Vec<(&str, f32)>); 2] = [
        ("eq3band", vec![("low_gain", 9.0), ("mid_gain", -6.0), ("high_gain", 3.0)]),
        ("highlow_pass", vec![("filter_type", 1.0), ("order", 5.0), ("cutoff_freq", 2000.0)]),
    ];
    for (id, params) in setups {
        let (l_alone, r_silent) = render(build(id, SR, &params).as_mut(), &a, &silent, 100);
        assert!(r_silent.iter().all(|v| *v == 0.0), "{id}: left leaks into right");
        let (l, r) = render(build(id, SR, &params).as_mut(), &a, &b, 100);
        let (r_alone, _) = render(build(id, SR, &params).as_mut(), &b, &silent, 100);
        assert!(l == l_alone && r == r_alone, "{id}: channels interact");
    }
}

/// `reset` after use renders exactly what a fresh instance renders, even with glides and a
/// crossfade pending when it is called.
#[test]
fn reset_renders_like_a_fresh_instance() {
    let x = noise(20_000, 9);
    let setups: [Setup; 2] = [
        ("eq3band", vec![("low_gain", 5.0), ("mid_q", 3.0)], vec![(3, -8.0), (7, 6000.0)]),
        ("highlow_pass", vec![("order", 4.0)], vec![(0, 1.0), (1, 150.0)]),
    ];
    for (id, params, changes) in setups {
        let mut used = build(id, SR, &params);
        render_mono(used.as_mut(), &x, 333);
        for &(i, v) in &changes {
            used.set_param(i, v);
        }
        render_mono(used.as_mut(), &x[..100], 33);
        used.reset();
        let mut fresh = build(id, SR, &params);
        for &(i, v) in &changes {
            fresh.set_param(i, v);
        }
        fresh.reset();
        assert!(render_mono(used.as_mut(), &x, 256) == render_mono(fresh.as_mut(), &x, 256), "{id}");
    }
}
