//! The drive curves: odd symmetry and bounds, their textbook formulas, hardclip's ceiling, the
//! distortion types' harmonics, and the tone control's tilt.

use crate::common::*;
use crate::support::*;
use std::f64::consts::PI;

/// Whether a quality runs the curve at the base rate (where nothing band-limits its output).
fn at_base_rate(name: &str) -> bool {
    name == "off" || name == "adaa"
}

fn hard(v: f64) -> f64 {
    v.clamp(-1.0, 1.0)
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
