//! The dry path and the reported latency: mix 0 is the delayed input, the dry path matches the
//! wet path's phase, and the latency is every path's group delay.

use crate::common::*;
use crate::support::*;

/// The oversampling paths' latency; hardclip adds its ceiling's lookahead.
const LATENCY: usize = 5;

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
