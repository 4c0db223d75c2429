//! Helpers shared by the drive tests: the effects and their curves and qualities, the ADAA
//! path's reference figures, and a windowed amplitude measurement.

use crate::common::*;
use codette_dsp::Effect;
use std::f64::consts::PI;

pub const DRIVE_IDS: [&str; 4] = ["saturation", "hardclip", "distortion", "waveshaper"];

/// Hardclip's ADAA path: the pre-emphasis FIR's taps (newest sample first), whose magnitude is
/// `1 + 0.3 s + 1.25 s²` (`s = sin²(w / 2)`), and the centre of the path's impulse response.
pub const EMPHASIS: [f64; 5] = [1.52568546, -0.737248111, 0.245314029, -0.0377518892, 0.00400050716];
pub const ADAA_CENTRE: f32 = 0.156;

/// Every (effect, curve parameter, curve value) combination, so that each curve is covered.
pub fn all_curves() -> Vec<(&'static str, Vec<(&'static str, f32)>)> {
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
pub fn qualities(id: &str) -> Vec<(f32, &'static str)> {
    let s = spec(id);
    s.params[s.param_index("quality").unwrap()]
        .options()
        .iter()
        .enumerate()
        .map(|(i, o)| (i as f32, *o))
        .collect()
}

/// The plain value of the quality named `name`.
pub fn quality(id: &str, name: &str) -> f32 {
    qualities(id).iter().find(|q| q.1 == name).unwrap_or_else(|| panic!("{id} has no quality {name}")).0
}

/// Like `build`, skipping the parameters the effect does not have.
pub fn build_any(id: &str, params: &[(&str, f32)]) -> Box<dyn Effect> {
    let known: Vec<_> = params.iter().copied().filter(|(p, _)| spec(id).param_index(p).is_some()).collect();
    build(id, SR, &known)
}

pub fn with(params: &[(&'static str, f32)], more: &[(&'static str, f32)]) -> Vec<(&'static str, f32)> {
    params.iter().chain(more).copied().collect()
}

/// Amplitude of `freq` in `x` through a 4-term Blackman-Harris window (-92 dB side lobes), so
/// that weak aliases 100 Hz away from strong harmonics can be measured.
pub fn windowed_amplitude(x: &[f32], freq: f64) -> f64 {
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

/// The gain of the ADAA path below the threshold at `freq` (f64): the pre-emphasis FIR's
/// magnitude `1 + 0.3 s + 1.25 s²` times the two-sample average's `cos(w / 2)`, in dB.
pub fn adaa_gain_db(freq: f64, fs: f64) -> f64 {
    let half = PI * freq / fs;
    let s = half.sin().powi(2);
    20.0 * ((1.0 + 0.3 * s + 1.25 * s * s) * half.cos()).log10()
}
