//! Test signals: stereo pink noise (a mix's long-term spectrum, and the reference the tonal
//! balance is measured against) and the flaws the findings look for, made with the rack's own
//! effects where a filter is needed.
#![allow(dead_code)]

use codette_assistant::Measurements;
use codette_dsp::analysis::MeterReading;
use codette_dsp::chain::{build_rack, SlotConfig};

pub const SR: f32 = 48_000.0;
pub const SECONDS: f32 = 20.0;

pub type Stereo = (Vec<f32>, Vec<f32>);

/// xorshift64*: reproducible white noise, uniform in -1..1.
pub struct Noise(u64);

impl Noise {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> f32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let x = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        (x >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    }
}

/// Pink noise by Paul Kellet's refined filter (within ±0.05 dB of -3 dB/octave above 9 Hz).
#[allow(clippy::excessive_precision)]
pub fn pink(len: usize, seed: u64) -> Vec<f32> {
    let mut noise = Noise::new(seed);
    let mut b = [0.0f32; 7];
    (0..len)
        .map(|_| {
            let w = noise.next();
            b[0] = 0.99886 * b[0] + w * 0.0555179;
            b[1] = 0.99332 * b[1] + w * 0.0750759;
            b[2] = 0.96900 * b[2] + w * 0.1538520;
            b[3] = 0.86650 * b[3] + w * 0.3104856;
            b[4] = 0.55000 * b[4] + w * 0.5329522;
            b[5] = -0.7616 * b[5] - w * 0.0168980;
            let y = b.iter().sum::<f32>() + w * 0.5362;
            b[6] = w * 0.115926;
            y * 0.11
        })
        .collect()
}

/// Stereo pink noise whose channels correlate by `correlation` (0..1): a shared centre and
/// independent sides, L = a·c + b·s₁, R = a·c + b·s₂ with a² = ρ, b² = 1 - ρ.
pub fn stereo_pink(correlation: f32, seconds: f32, seed: u64) -> Stereo {
    let len = (seconds * SR) as usize;
    let (centre, side_l, side_r) = (pink(len, seed), pink(len, seed + 1), pink(len, seed + 2));
    let (a, b) = (correlation.sqrt(), (1.0 - correlation).sqrt());
    let left = centre.iter().zip(&side_l).map(|(c, s)| a * c + b * s).collect();
    let right = centre.iter().zip(&side_r).map(|(c, s)| a * c + b * s).collect();
    (left, right)
}

/// A mix without flaws: 20 s of stereo pink noise, correlation 0.6, at -14 LUFS.
pub fn clean() -> Stereo {
    at_lufs(stereo_pink(0.6, SECONDS, 1), -14.0)
}

pub fn measure((left, right): &Stereo) -> Measurements {
    Measurements::of_programme(left, right, SR).measurements
}

pub fn meters(audio: &Stereo) -> MeterReading {
    measure(audio).meters
}

pub fn gain(audio: Stereo, db: f32) -> Stereo {
    let g = 10f32.powf(db / 20.0);
    (audio.0.iter().map(|x| x * g).collect(), audio.1.iter().map(|x| x * g).collect())
}

/// Scaled to an integrated loudness.
pub fn at_lufs(audio: Stereo, lufs: f32) -> Stereo {
    let measured = meters(&audio).lufs_integrated;
    gain(audio, lufs - measured)
}

/// Through a chain of the rack's effects.
pub fn through(chain: &[SlotConfig], (mut left, mut right): Stereo) -> Stereo {
    let mut rack = build_rack(chain, SR).expect("valid chain");
    rack.process(&mut left, &mut right);
    (left, right)
}

pub fn map(audio: Stereo, f: impl Fn(f32) -> f32) -> Stereo {
    (audio.0.into_iter().map(&f).collect(), audio.1.into_iter().map(&f).collect())
}
