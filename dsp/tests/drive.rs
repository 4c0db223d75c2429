//! Drive effects: saturation, hardclip, distortion, waveshaper, and their shared oversampling.

mod common;
use codette_dsp::blocks::oversampling::{Oversampler, CHUNK};
use codette_dsp::Effect;
use common::*;
use std::cell::Cell;
use std::f64::consts::PI;

const DRIVE_IDS: [&str; 4] = ["saturation", "hardclip", "distortion", "waveshaper"];
/// The oversampling paths' latency; hardclip adds its ceiling's lookahead.
const LATENCY: usize = 5;
/// Hardclip's ADAA path: the pre-emphasis FIR's taps (newest sample first), whose magnitude is
/// `1 + 0.3 s + 1.25 s²` (`s = sin²(w / 2)`), and the centre of the path's impulse response.
const EMPHASIS: [f64; 5] = [1.52568546, -0.737248111, 0.245314029, -0.0377518892, 0.00400050716];
const ADAA_CENTRE: f32 = 0.156;

/// Counts this thread's allocations, to prove that processing (and switching quality) never
/// allocates.
struct CountingAllocator;
thread_local!(static ALLOCATIONS: Cell<usize> = const { Cell::new(0) });
unsafe impl std::alloc::GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        std::alloc::System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        std::alloc::System.dealloc(ptr, layout)
    }
}
#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Every (effect, curve parameter, curve value) combination, so that each curve is covered.
fn all_curves() -> Vec<(&'static str, Vec<(&'static str, f32)>)> {
    let mut v = vec![("saturation", vec![("drive", 24.0)]), ("hardclip", vec![("threshold", -20.0)])];
    for t in 0..3 {
        v.push(("distortion", vec![("distortion_type", t as f32), ("drive", 24.0)]));
    }
    for c in 0..4 {
        v.push(("waveshaper", vec![("curve", c as f32), ("drive", 10.0)]));
    }
    v
}

/// An effect's `quality` options, as (plain value, name): hardclip has one more than the others.
fn qualities(id: &str) -> Vec<(f32, &'static str)> {
    let s = spec(id);
    s.params[s.param_index("quality").unwrap()]
        .options()
        .iter()
        .enumerate()
        .map(|(i, o)| (i as f32, *o))
        .collect()
}

/// The plain value of the quality named `name`.
fn quality(id: &str, name: &str) -> f32 {
    qualities(id).iter().find(|q| q.1 == name).unwrap_or_else(|| panic!("{id} has no quality {name}")).0
}

/// Whether a quality runs the curve at the base rate (where nothing band-limits its output).
fn at_base_rate(name: &str) -> bool {
    name == "off" || name == "adaa"
}

/// Like `build`, skipping the parameters the effect does not have.
fn build_any(id: &str, params: &[(&str, f32)]) -> Box<dyn Effect> {
    let known: Vec<_> = params.iter().copied().filter(|(p, _)| spec(id).param_index(p).is_some()).collect();
    build(id, SR, &known)
}

fn hard(v: f64) -> f64 {
    v.clamp(-1.0, 1.0)
}

fn with(params: &[(&'static str, f32)], more: &[(&'static str, f32)]) -> Vec<(&'static str, f32)> {
    params.iter().chain(more).copied().collect()
}

/// Amplitude of `freq` in `x` through a 4-term Blackman-Harris window (-92 dB side lobes), so
/// that weak aliases 100 Hz away from strong harmonics can be measured.
fn windowed_amplitude(x: &[f32], freq: f64) -> f64 {
    let n = x.len() as f64;
    let w = |i: f64| {
        let p = 2.0 * PI * i / n;
        0.35875 - 0.48829 * p.cos() + 0.14128 * (2.0 * p).cos() - 0.01168 * (3.0 * p).cos()
    };
    let w0 = 2.0 * PI * freq / SR as f64;
    let step = (w0.cos(), -w0.sin());
    let (mut rot, mut acc, mut wsum) = ((1.0, 0.0), (0.0, 0.0), 0.0);
    for (i, v) in x.iter().enumerate() {
        let wv = w(i as f64) * *v as f64;
        acc = (acc.0 + wv * rot.0, acc.1 + wv * rot.1);
        rot = (rot.0 * step.0 - rot.1 * step.1, rot.0 * step.1 + rot.1 * step.0);
        wsum += w(i as f64);
    }
    2.0 * (acc.0 * acc.0 + acc.1 * acc.1).sqrt() / wsum
}

/// Power of the inharmonic aliases below 20 kHz of a driven sine at `f0`, relative to the
/// fundamental, in dB: every odd harmonic k·f0 (odd curves make no even ones) above Nyquist
/// folds to a known frequency. Harmonics are taken up to k < 240, where no two fold together.
fn alias_db(y: &[f32], f0: f64) -> f64 {
    let fs = SR as f64;
    let fundamental = windowed_amplitude(y, f0);
    let mut power = 0.0;
    for k in (3..240).step_by(2) {
        let f = k as f64 * f0;
        let folded = f % fs;
        let folded = if folded > fs / 2.0 { fs - folded } else { folded };
        if f > fs / 2.0 && folded < 20_000.0 {
            power += windowed_amplitude(y, folded).powi(2);
        }
    }
    10.0 * (power / fundamental.powi(2)).log10()
}

#[test]
fn every_curve_is_odd_and_bounded_for_hostile_input() {
    let mut x: Vec<f32> = noise(4096, 3).iter().map(|v| v * 1000.0).collect();
    x.extend(sine(9_000.0, 1000.0, SR, 2048));
    x.extend((0..2048).map(|i| (i as f32 - 1024.0) / 1024.0 * 1000.0));
    x.extend(sine(300.0, 0.3, SR, 2048));
    let neg: Vec<f32> = x.iter().map(|v| -v).collect();
    for (id, params) in all_curves() {
        for (q, name) in qualities(id) {
            let p = with(&params, &[("quality", q)]);
            let (y, _) = render_mono(build(id, SR, &p).as_mut(), &x, 256);
            let (y_neg, _) = render_mono(build(id, SR, &p).as_mut(), &neg, 256);
            for (i, (a, b)) in y.iter().zip(&y_neg).enumerate() {
                assert_eq!(*a, -*b, "{id} {params:?} q{q}: f(-x) != -f(x) at {i}");
            }
            // The curves top out at 1; band-limiting a clipped wave overshoots (clipped noise
            // the most), within the decimation filters' gain for the worst-case input.
            let bound = if at_base_rate(name) { 1.0 + 1e-6 } else { 4.0 };
            assert!(peak(&y) <= bound, "{id} {params:?} q{q}: peak {}", peak(&y));
            assert_clean(&y);
        }
    }
}

/// At quality "off" the wet path is the bare curve, `latency()` samples late: compare with the textbook
/// formulas (f64), for inputs across and well beyond the curves' knees.
#[test]
fn curves_follow_their_formulas() {
    let x: Vec<f32> = (0..4000).map(|i| (i as f32 - 2000.0) / 1000.0 * 1.7).collect();
    let g12 = 10f64.powf(12.0 / 20.0);
    type Case = (&'static str, Vec<(&'static str, f32)>, Box<dyn Fn(f64) -> f64>, f64);
    let cases: Vec<Case> = vec![
        ("saturation", vec![("drive", 12.0)], Box::new(move |v| (g12 * v).tanh()), 2e-4),
        (
            "saturation",
            vec![("drive", 12.0), ("makeup", 6.0)],
            Box::new(move |v| 1.9953 * (g12 * v).tanh()),
            5e-4,
        ),
        ("hardclip", vec![("threshold", -6.0)], Box::new(|v| v.clamp(-0.50119, 0.50119)), 1e-5),
        ("distortion", vec![("distortion_type", 0.0)], Box::new(move |v| (g12 * v).tanh()), 2e-4),
        ("distortion", vec![("distortion_type", 1.0)], Box::new(move |v| hard(g12 * v)), 1e-5),
        (
            "distortion",
            vec![("distortion_type", 2.0)],
            Box::new(move |v| hard(g12 * v) * (2.0 - hard(g12 * v).abs())),
            1e-5,
        ),
        ("waveshaper", vec![("curve", 0.0), ("drive", 3.0)], Box::new(|v| (3.0 * v * PI / 2.0).sin()), 1e-5),
        ("waveshaper", vec![("curve", 1.0), ("drive", 0.5)], Box::new(|v| (0.5 * 8.0 * v).tanh()), 2e-4),
        (
            "waveshaper",
            vec![("curve", 2.0), ("drive", 2.0)],
            Box::new(|v| hard(2.0 * v) - hard(2.0 * v).powi(3) / 3.0),
            1e-5,
        ),
        ("waveshaper", vec![("curve", 3.0), ("drive", 2.0)], Box::new(|v| (2.0 * v).tanh()), 2e-4),
    ];
    for (id, params, f, tol) in cases {
        let mut fx = build(id, SR, &with(&params, &[("quality", 0.0)]));
        let latency = fx.latency();
        let (y, _) = render_mono(fx.as_mut(), &x, 64);
        for i in 0..x.len() - latency {
            let expected = f(x[i] as f64);
            let got = y[i + latency] as f64;
            assert!(
                (got - expected).abs() <= tol,
                "{id} {params:?}: f({}) = {got}, expected {expected}",
                x[i]
            );
        }
    }
}

/// The predecessor's sine curve folded negative input to positive: a negative DC input must
/// give a negative output, the mirror image of the positive one.
#[test]
fn sine_curve_keeps_the_sign_of_negative_input() {
    for (q, _) in qualities("waveshaper") {
        let p = [("curve", 0.0), ("drive", 1.0), ("quality", q)];
        let (pos, _) = render_mono(build("waveshaper", SR, &p).as_mut(), &vec![0.5; 512], 64);
        let (neg, _) = render_mono(build("waveshaper", SR, &p).as_mut(), &vec![-0.5; 512], 64);
        let expected = (PI / 4.0).sin() as f32;
        assert!((pos[511] - expected).abs() < 1e-4, "q{q}: {}", pos[511]);
        assert!((neg[511] + expected).abs() < 1e-4, "q{q}: {}", neg[511]);
    }
}

#[test]
fn hardclip_never_exceeds_the_threshold_at_full_mix() {
    let mut x: Vec<f32> = noise(8192, 11).iter().map(|v| v * 1000.0).collect();
    x.extend((0..4096).map(|i| if (i / 3) % 2 == 0 { 1000.0 } else { -1000.0 }));
    x.extend((0..4096).map(|i| if i % 2 == 0 { 1.0 } else { -1.0 }));
    x.extend(sine(17_000.0, 4.0, SR, 4096));
    x.extend((0..4096).map(|i| if i % 64 == 0 { 1000.0 } else { 0.0 }));
    for threshold in [-60.0, -20.0, -1.0, 0.0] {
        let limit = 10f32.powf(threshold / 20.0) * (1.0 + 1e-6);
        for (q, name) in qualities("hardclip") {
            for block in [1, 37, 512] {
                let mut fx = build("hardclip", SR, &[("threshold", threshold), ("quality", q)]);
                let (l, r) = render(fx.as_mut(), &x, &noise(x.len(), 5), block);
                let top = peak(&l).max(peak(&r));
                assert!(top <= limit, "{name}, {threshold} dB, block {block}: peak {top} > {limit}");
                assert!(top >= 0.99 * limit, "{name}: the input should have been clipped ({top})");
            }
        }
    }
}

/// Harmonic amplitudes of curve(a·sin) by numerical Fourier analysis (f64), the reference.
fn harmonics(curve: impl Fn(f64) -> f64, amplitude: f64, orders: &[usize]) -> Vec<f64> {
    let n = 8192;
    orders
        .iter()
        .map(|&k| {
            let s: f64 = (0..n)
                .map(|i| {
                    let t = 2.0 * PI * i as f64 / n as f64;
                    curve(amplitude * t.sin()) * (k as f64 * t).sin()
                })
                .sum();
            (2.0 * s / n as f64).abs()
        })
        .collect()
}

#[test]
fn distortion_types_have_their_own_harmonic_signatures() {
    // 12 dB of drive on a 1 kHz sine of amplitude 0.5: the curves see a sine of amplitude 2.
    let orders = [1, 3, 5, 7];
    let references = [
        harmonics(|v| v.tanh(), 1.9905, &orders),
        harmonics(hard, 1.9905, &orders),
        harmonics(|v| hard(v) * (2.0 - hard(v).abs()), 1.9905, &orders),
    ];
    let x = sine(1000.0, 0.5, SR, 48_000);
    let mut measured = vec![];
    for (t, reference) in references.iter().enumerate() {
        let mut fx = build("distortion", SR, &[("distortion_type", t as f32), ("drive", 12.0)]);
        let (y, _) = render_mono(fx.as_mut(), &x, 512);
        let spectrum: Vec<f64> =
            orders.iter().map(|&k| windowed_amplitude(&y[4800..], 1000.0 * k as f64)).collect();
        for (k, (m, r)) in orders.iter().zip(spectrum.iter().zip(reference)) {
            let err_db = 20.0 * (m / r).log10();
            assert!(err_db.abs() < 0.1, "type {t} harmonic {k}: {m} vs {r} ({err_db:.2} dB)");
        }
        println!("type {t}: harmonics 1,3,5,7 = {spectrum:.4?}");
        measured.push(spectrum);
    }
    for a in 0..3 {
        for b in a + 1..3 {
            let differs = (1..4).any(|k| (20.0 * (measured[a][k] / measured[b][k]).log10()).abs() > 3.0);
            assert!(differs, "types {a} and {b} have the same harmonic profile");
        }
    }
}

/// THE alias test: a 7.3 kHz sine driven hard. Its 5th harmonic (36.5 kHz) already folds to
/// 11.5 kHz without oversampling; each doubling pushes the first folding harmonic higher.
#[test]
fn oversampling_removes_aliases() {
    let x = sine(7_300.0, 1.0, SR, 4096 + 16_384);
    let mut cases = all_curves();
    cases[1].1 = vec![("threshold", -12.0)];
    // Drive 10 folds the sine curve into harmonics far beyond 2x's reach: test it at 3.
    cases.iter_mut().filter(|c| c.0 == "waveshaper").for_each(|c| c.1[1].1 = 3.0);
    for (id, params) in cases {
        let db: Vec<f64> = ["off", "2x", "4x", "8x"]
            .iter()
            .map(|name| {
                let mut fx = build(id, SR, &with(&params, &[("quality", quality(id, name))]));
                let (y, _) = render_mono(fx.as_mut(), &x, 512);
                alias_db(&y[4096..], 7_300.0)
            })
            .collect();
        println!(
            "{id:10} {params:?}: aliases off {:.1} dB, 2x {:.1}, 4x {:.1}, 8x {:.1}",
            db[0], db[1], db[2], db[3]
        );
        assert!(db[1] < db[0] - 6.0, "{id} {params:?}: 2x only {:.1} dB better", db[0] - db[1]);
        assert!(db[2] < db[1], "{id} {params:?}: 4x not better than 2x");
        assert!(db[3] < db[0] - 20.0, "{id} {params:?}: 8x only {:.1} dB better", db[0] - db[3]);
    }
}

/// Hardclip's cheap antialiasing: ADAA (pre-emphasis included) takes the 7.3 kHz sine's aliases
/// well below the bare clip's. Also where the clip only shaves the peaks (1 dB), where methods
/// that correct each clip corner separately do badly.
#[test]
fn adaa_removes_most_aliases() {
    let x = sine(7_300.0, 1.0, SR, 4096 + 16_384);
    for threshold in [-12.0, -1.0] {
        let db = |name: &str| {
            let mut fx =
                build("hardclip", SR, &[("threshold", threshold), ("quality", quality("hardclip", name))]);
            let (y, _) = render_mono(fx.as_mut(), &x, 512);
            alias_db(&y[4096..], 7_300.0)
        };
        let (off, adaa, x2) = (db("off"), db("adaa"), db("2x"));
        println!("hardclip {threshold} dB: aliases off {off:.1} dB, adaa {adaa:.1}, 2x {x2:.1}");
        assert!(adaa < off - 10.0, "{threshold} dB: adaa only {:.1} dB better than off", off - adaa);
    }
}

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

/// The gain of the ADAA path below the threshold at `freq` (f64): the pre-emphasis FIR's
/// magnitude `1 + 0.3 s + 1.25 s²` times the two-sample average's `cos(w / 2)`, in dB.
fn adaa_gain_db(freq: f64, fs: f64) -> f64 {
    let half = PI * freq / fs;
    let s = half.sin().powi(2);
    20.0 * ((1.0 + 0.3 * s + 1.25 * s * s) * half.cos()).log10()
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

#[test]
fn tone_tilts_the_spectrum() {
    // Quiet enough for tanh to be linear: only the tilt shapes the spectrum.
    let (lo, hi) = (150.0, 6_000.0);
    let x: Vec<f32> =
        sine(lo, 0.01, SR, 24_000).iter().zip(sine(hi, 0.01, SR, 24_000)).map(|(a, b)| a + b).collect();
    for (id, drive) in [("saturation", 0.0), ("distortion", 0.0)] {
        let gains = |tone: f32| {
            let mut fx = build(id, SR, &[("tone", tone), ("drive", drive)]);
            let (y, _) = render_mono(fx.as_mut(), &x, 512);
            let a = |f: f64| 20.0 * (windowed_amplitude(&y[4800..], f) / 0.01).log10();
            (a(lo as f64), a(hi as f64))
        };
        let (dark, neutral, bright) = (gains(0.0), gains(0.5), gains(1.0));
        println!("{id}: tone 0 {dark:.2?} dB, 0.5 {neutral:.2?}, 1 {bright:.2?} (150 Hz, 6 kHz)");
        assert!(neutral.0.abs() < 0.05 && neutral.1.abs() < 0.05, "{id}: 0.5 is not neutral");
        // Each end moves both bands the right way, and the balance by at least 8 dB.
        assert!(dark.0 > 3.0 && dark.1 < -3.0 && dark.0 - dark.1 > 8.0, "{id}: tone 0 is not dark");
        assert!(bright.0 < -3.0 && bright.1 > 3.0 && bright.1 - bright.0 > 8.0, "{id}: tone 1 is not bright");
    }
}

#[test]
fn mix_zero_is_the_input_delayed_by_the_latency() {
    let x = noise(4000, 9);
    for id in DRIVE_IDS {
        let mut fx = build(id, SR, &[("mix", 0.0), ("quality", 0.0)]);
        let latency = fx.latency();
        let (y, _) = render_mono(fx.as_mut(), &x, 100);
        assert!(y[..latency].iter().all(|v| *v == 0.0));
        assert_eq!(&y[latency..], &x[..x.len() - latency], "{id}");
    }
}

/// With oversampling the dry path goes through an allpass copy of the wet path's phase: at mix 0
/// every frequency keeps its level, and with a curve that is linear for the signal (hardclip
/// below its threshold) any mix gives the same output as mix 1: no comb filtering. With ADAA
/// both paths are the pre-emphasis FIR and the two-sample average (see `adaa_gain_db`).
#[test]
fn dry_path_matches_the_wet_phase_so_mix_never_combs() {
    for (q, name) in qualities("hardclip") {
        for freq in [100.0, 1_000.0, 5_000.0, 10_000.0, 15_000.0, 19_000.0] {
            // Below the threshold even after ADAA's pre-emphasis (x2.3 at 19 kHz).
            let x = sine(freq, 0.3, SR, 12_000);
            let out = |mix: f32| {
                let mut fx = build("hardclip", SR, &[("threshold", 0.0), ("mix", mix), ("quality", q)]);
                render_mono(fx.as_mut(), &x, 256).0[2000..].to_vec()
            };
            let (dry, half, wet) = (out(0.0), out(0.5), out(1.0));
            let level = |y: &[f32]| 20.0 * (windowed_amplitude(y, freq as f64) / 0.3).log10();
            let diff: Vec<f32> = dry.iter().zip(&wet).map(|(a, b)| a - b).collect();
            let mismatch = 20.0 * (rms(&diff) / rms(&wet)).log10();
            println!(
                "{name} {freq} Hz: dry {:.4} dB, mix 0.5 {:.4} dB, dry vs wet {mismatch:.1} dB",
                level(&dry),
                level(&half)
            );
            let expected = if name == "adaa" { adaa_gain_db(freq as f64, SR as f64) } else { 0.0 };
            assert!((level(&dry) - expected).abs() < 0.01, "{name} {freq} Hz: dry level {}", level(&dry));
            assert!(
                (level(&half) - expected).abs() < 0.02,
                "{name} {freq} Hz: mix 0.5 level {}",
                level(&half)
            );
            let allowed = [-120.0, -120.0, -100.0, -38.0, -20.0][q as usize];
            assert!(mismatch < allowed, "{name} {freq} Hz: dry differs from wet by {mismatch:.1} dB");
        }
    }
}

/// The reported latency is where an impulse's energy is centred (its low-frequency group delay),
/// the same at every oversampled quality and sample rate-independent in time. Hardclip's
/// base-rate qualities have none: "off" is the bare curve; "adaa"'s minimum-phase pre-emphasis
/// takes its two-sample average's half-sample delay down to about 0.16 samples.
#[test]
fn latency_is_the_group_delay_of_every_path() {
    for id in DRIVE_IDS {
        // Hardclip's ceiling looks 0.25 ms ahead.
        let oversampled = LATENCY + if id == "hardclip" { 11 } else { 0 };
        let at_4x_rate = build_any(id, &[("quality", quality(id, "2x"))]);
        assert_eq!(at_4x_rate.latency(), oversampled);
        let at_4x_rate = build(id, 4.0 * SR, &[("quality", quality(id, "2x"))]);
        assert_eq!(at_4x_rate.latency(), LATENCY + if id == "hardclip" { 47 } else { 0 });
        for (q, name) in qualities(id) {
            let (expected, centre_expected) = match (id, name) {
                ("hardclip", "off") => (0, 0.0),
                ("hardclip", "adaa") => (0, ADAA_CENTRE),
                _ => (oversampled, oversampled as f32),
            };
            for mix in [0.0, 1.0] {
                let mut fx =
                    build_any(id, &[("quality", q), ("mix", mix), ("drive", 0.0), ("threshold", 0.0)]);
                assert_eq!(fx.latency(), expected, "{id} {name}");
                let x: Vec<f32> = impulse(512).iter().map(|v| v * 0.001).collect();
                let (h, _) = render_mono(fx.as_mut(), &x, 512);
                let (sum, moment) =
                    h.iter().enumerate().fold((0.0, 0.0), |(s, m), (i, v)| (s + v, m + i as f32 * v));
                let centre = moment / sum;
                assert!((centre - centre_expected).abs() < 0.11, "{id} {name} mix {mix}: centre {centre}");
            }
        }
    }
}

/// Changing quality or curve fades between two time-aligned renders: the output stays between
/// the steady outputs of the old and the new setting, and nothing is allocated. The same holds
/// for leaving mix 1, where the dry path has been resting.
#[test]
fn switching_quality_curve_or_mix_crossfades_without_allocating() {
    let x = sine(440.0, 0.8, SR, 24_000);
    let clip = |name: &str| quality("hardclip", name);
    let switches = [
        ("saturation", "quality", 0.0, 3.0),
        ("hardclip", "quality", clip("8x"), clip("2x")),
        // Between hardclip's base-rate paths and its oversampled ones, and between those two.
        ("hardclip", "quality", clip("adaa"), clip("4x")),
        ("hardclip", "quality", clip("2x"), clip("off")),
        ("hardclip", "quality", clip("off"), clip("adaa")),
        ("distortion", "distortion_type", 0.0, 2.0),
        ("waveshaper", "mix", 1.0, 0.0),
        ("hardclip", "mix", 1.0, 0.0),
    ];
    for (id, param, from, to) in switches {
        // Hardclip clips the sine by 6 dB, so that its qualities differ.
        let params = |v: f32| [(param, v), ("drive", 12.0), ("threshold", -8.0)];
        let steady = |v: f32| render_mono(build_any(id, &params(v)).as_mut(), &x, 128).0;
        let (a, b) = (steady(from), steady(to));
        let mut fx = build_any(id, &params(from));
        let index = spec(id).param_index(param).unwrap();
        let (mut l, mut r) = (x.clone(), x.clone());
        let before = ALLOCATIONS.with(|n| n.get());
        for (i, (lc, rc)) in l.chunks_mut(128).zip(r.chunks_mut(128)).enumerate() {
            if i == 40 {
                fx.set_param(index, to);
            }
            fx.process(lc, rc);
        }
        assert_eq!(ALLOCATIONS.with(|n| n.get()), before, "{id}: switching allocated");
        let mut worst: f32 = 0.0;
        for i in 0..x.len() {
            let (lo, hi) = (a[i].min(b[i]), a[i].max(b[i]));
            worst = worst.max(lo - l[i]).max(l[i] - hi);
        }
        assert!(
            worst < 0.01,
            "{id} {param} {from}->{to}: {worst} outside the crossfade between the two settings"
        );
        let settled = l.iter().zip(&b).skip(40 * 128 + 3000).fold(0.0f32, |m, (u, v)| m.max((u - v).abs()));
        assert!(
            settled < 1e-6,
            "{id} {param} {from}->{to}: not on the new setting after the fade ({settled})"
        );
    }
}

#[test]
fn reset_gives_the_output_of_a_fresh_instance() {
    let x = noise(3000, 21);
    for ((id, params), (q, _)) in
        all_curves().into_iter().flat_map(|c| qualities(c.0).into_iter().map(move |q| (c.clone(), q)))
    {
        let p = with(&params, &[("quality", q), ("mix", 0.7)]);
        let mut used = build(id, SR, &[]);
        render_mono(used.as_mut(), &noise(5000, 1), 333);
        let s = spec(id);
        for (pid, v) in &p {
            used.set_param(s.param_index(pid).unwrap(), *v);
        }
        used.reset();
        let fresh = render_mono(build(id, SR, &p).as_mut(), &x, 100).0;
        assert_eq!(render_mono(used.as_mut(), &x, 100).0, fresh, "{id} {params:?} q{q}");
    }
}

/// Runs a tone generated at the oversampled rate (returned by `shape`) through a decimator.
/// `shape` is called for left and right at t, then at t + 1: the `k`-th call is for time `k / 2`.
fn decimated_tone(quality: usize, freq: f64) -> Vec<f32> {
    let factor = 1 << quality;
    let mut os = Oversampler::new(quality);
    let mut k = 0usize;
    let mut out = vec![];
    for _ in 0..200 {
        let mut frames = [[0.0f32; 2]; CHUNK];
        os.process(&mut frames, |_| {
            let m = k / 2;
            k += 1;
            (2.0 * PI * freq * m as f64 / (SR as f64 * factor as f64)).sin() as f32
        });
        out.extend(frames.iter().map(|f| f[0]));
    }
    out
}

#[test]
fn oversampler_filters_meet_their_design() {
    for (quality, stop_hz, alias_hz, min_db) in
        [(1, 40_000.0, 8_000.0, 99.0), (2, 84_000.0, 12_000.0, 70.0), (3, 180_000.0, 12_000.0, 92.0)]
    {
        let passband = decimated_tone(quality, 10_000.0);
        let gain = windowed_amplitude(&passband[2000..], 10_000.0);
        assert!((20.0 * gain.log10()).abs() < 0.001, "{quality}: passband gain {gain}");
        let stop = decimated_tone(quality, stop_hz);
        let rejection = -20.0 * windowed_amplitude(&stop[2000..], alias_hz).log10();
        println!("quality {quality}: {stop_hz} Hz folds to {alias_hz} Hz at -{rejection:.1} dB");
        assert!(rejection > min_db, "quality {quality}: alias only {rejection:.1} dB down");
    }
}
