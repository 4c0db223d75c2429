//! Aliases of a driven sine with oversampling and with hardclip's ADAA, and the oversampler's
//! decimation filters against their design.

use crate::common::*;
use crate::support::*;
use codette_dsp::blocks::oversampling::{Oversampler, CHUNK};
use std::f64::consts::PI;

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
