//! Helpers shared by the dynamics tests: dB conversions, DC-stepped renders and their gains, and
//! settled tone levels.

use crate::common::*;
use codette_dsp::Effect;

/// 20 log10, in f64 for levels far below full scale.
pub fn to_db(x: f64) -> f64 {
    20.0 * x.max(1e-30).log10()
}

pub fn from_db(db: f64) -> f32 {
    10f64.powf(db / 20.0) as f32
}

pub fn set(fx: &mut dyn Effect, id: &str, param: &str, value: f32) {
    fx.set_param(spec(id).param_index(param).unwrap(), value);
}

pub fn samples(ms: f64, sample_rate: f32) -> usize {
    (ms * 0.001 * sample_rate as f64).round() as usize
}

/// A constant level (DC) per segment: with DC in, `out / in` is the effect's gain at each sample.
pub fn steps(segments: &[(f32, usize)]) -> Vec<f32> {
    segments.iter().flat_map(|&(level, len)| std::iter::repeat_n(level, len)).collect()
}

/// Gain in dB at each sample of a DC-stepped render.
pub fn gain_db(input: &[f32], output: &[f32]) -> Vec<f64> {
    input.iter().zip(output).map(|(i, o)| to_db((*o / *i) as f64)).collect()
}

/// First index from `from` on where `pred` holds.
pub fn first(v: &[f64], from: usize, pred: impl Fn(f64) -> bool) -> usize {
    from + v[from..].iter().position(|x| pred(*x)).expect("never reached")
}

/// Output level in dB of a 1 kHz sine at `level_db` after the effect settled (last 100 ms).
pub fn settled_tone_db(fx: &mut dyn Effect, level_db: f64) -> f64 {
    let x = sine(1000.0, from_db(level_db), SR, 48_000);
    let (l, r) = render_mono(fx, &x, 480);
    assert_eq!(l, r);
    to_db(tone_amplitude(&l[43_200..], 1000.0, SR) as f64)
}
