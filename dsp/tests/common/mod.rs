//! Signal generators and measurements shared by the effect tests.
#![allow(dead_code)]

use codette_dsp::{registry, Effect, EffectSpec};
use std::f32::consts::PI;

pub const SR: f32 = 48_000.0;

pub fn spec(id: &str) -> &'static EffectSpec {
    registry::find(id).unwrap_or_else(|| panic!("no effect {id}"))
}

/// A fresh instance with the given parameters (by id, plain units) applied without smoothing.
pub fn build(id: &str, sample_rate: f32, params: &[(&str, f32)]) -> Box<dyn Effect> {
    let spec = spec(id);
    let mut fx = (spec.build)(sample_rate);
    for (pid, v) in params {
        let i = spec.param_index(pid).unwrap_or_else(|| panic!("{id} has no parameter {pid}"));
        fx.set_param(i, *v);
    }
    fx.reset();
    fx
}

pub fn sine(freq: f32, amplitude: f32, sample_rate: f32, len: usize) -> Vec<f32> {
    (0..len).map(|i| amplitude * (2.0 * PI * freq * i as f32 / sample_rate).sin()).collect()
}

/// Deterministic white noise in -1..1 (xorshift), so tests never depend on a random seed.
pub fn noise(len: usize, seed: u32) -> Vec<f32> {
    let mut s = seed.max(1);
    (0..len)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            s as f32 / u32::MAX as f32 * 2.0 - 1.0
        })
        .collect()
}

pub fn impulse(len: usize) -> Vec<f32> {
    let mut v = vec![0.0; len];
    v[0] = 1.0;
    v
}

/// Runs a stereo signal through an effect in blocks of `block` samples and returns the output.
pub fn render(fx: &mut dyn Effect, left: &[f32], right: &[f32], block: usize) -> (Vec<f32>, Vec<f32>) {
    let (mut l, mut r) = (left.to_vec(), right.to_vec());
    for (lc, rc) in l.chunks_mut(block).zip(r.chunks_mut(block)) {
        fx.process(lc, rc);
    }
    (l, r)
}

pub fn render_mono(fx: &mut dyn Effect, input: &[f32], block: usize) -> (Vec<f32>, Vec<f32>) {
    render(fx, input, input, block)
}

pub fn rms(x: &[f32]) -> f32 {
    (x.iter().map(|v| (*v as f64).powi(2)).sum::<f64>() / x.len().max(1) as f64).sqrt() as f32
}

pub fn peak(x: &[f32]) -> f32 {
    x.iter().fold(0.0f32, |m, v| m.max(v.abs()))
}

pub fn db(gain: f32) -> f32 {
    20.0 * gain.max(1e-12).log10()
}

/// Amplitude of the `freq` component of `x` (single-bin DFT); `x` should span whole periods or be
/// long enough that leakage is negligible.
pub fn tone_amplitude(x: &[f32], freq: f32, sample_rate: f32) -> f32 {
    let (mut re, mut im) = (0.0f64, 0.0f64);
    for (i, v) in x.iter().enumerate() {
        let ph = 2.0 * std::f64::consts::PI * freq as f64 * i as f64 / sample_rate as f64;
        re += *v as f64 * ph.cos();
        im += *v as f64 * ph.sin();
    }
    (2.0 * (re * re + im * im).sqrt() / x.len() as f64) as f32
}

/// Output is finite and never subnormal.
pub fn assert_clean(x: &[f32]) {
    for (i, v) in x.iter().enumerate() {
        assert!(v.is_finite() && (*v == 0.0 || v.is_normal()), "sample {i} is {v:e}");
    }
}
