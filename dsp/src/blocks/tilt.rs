//! The tone control of the drive effects: a first-order tilt around a pivot frequency, after
//! the shaper, so that darkening tames the fizz a distortion adds and brightening brings out its
//! bite, with the middle position exactly neutral.

use super::drive_stage::Control;
use super::oversampling::CHUNK;
use crate::util::{db_to_gain, flush};
use std::f32::consts::PI;

/// Where the tilt pivots: the bass below it and the treble above it move in opposite ways.
const PIVOT_HZ: f32 = 1000.0;
/// Gain of each side at the ends of the tone range (tone 1: treble +6 dB, bass -6 dB).
const SIDE_DB: f32 = 6.0;

pub struct Tilt {
    coeff: f32,
    low: [f32; 2],
    low_gain: Control,
    high_gain: Control,
}

impl Tilt {
    pub fn new(sample_rate: f32, tone: f32) -> Self {
        let mut t = Self {
            coeff: (-2.0 * PI * PIVOT_HZ / sample_rate).exp(),
            low: [0.0; 2],
            low_gain: Control::new(1.0, sample_rate),
            high_gain: Control::new(1.0, sample_rate),
        };
        t.set_tone(tone);
        t.reset();
        t
    }

    /// 0 dark, 0.5 neutral, 1 bright.
    pub fn set_tone(&mut self, tone: f32) {
        let db = SIDE_DB * (2.0 * tone - 1.0);
        self.low_gain.set_target(db_to_gain(-db));
        self.high_gain.set_target(db_to_gain(db));
    }

    pub fn reset(&mut self) {
        self.low = [0.0; 2];
        self.low_gain.snap();
        self.high_gain.snap();
    }

    /// Processes up to [`CHUNK`] frames: the state is flushed once per call, which is enough
    /// for it not to reach subnormal values within that many samples.
    pub fn process(&mut self, frames: &mut [[f32; 2]]) {
        debug_assert!(frames.len() <= CHUNK);
        let (c, d) = (self.coeff, 1.0 - self.coeff);
        let mut low = self.low;
        let mut tilt = |f: &mut [f32; 2], gl: f32, gh: f32| {
            for (x, low) in f.iter_mut().zip(&mut low) {
                *low = c * *low + d * *x;
                // Written so that equal gains give back the input exactly.
                *x = gl * *x + (gh - gl) * (*x - *low);
            }
        };
        // Settled gains (the usual case) are constants of the loop.
        let n = frames.len();
        if self.low_gain.is_steady() && self.high_gain.is_steady() {
            let (gl, gh) = (self.low_gain.value(), self.high_gain.value());
            frames.iter_mut().for_each(|f| tilt(f, gl, gh));
        } else {
            let (mut gl, mut gh) = ([0.0; CHUNK], [0.0; CHUNK]);
            self.low_gain.fill(&mut gl[..n]);
            self.high_gain.fill(&mut gh[..n]);
            frames.iter_mut().enumerate().for_each(|(i, f)| tilt(f, gl[i], gh[i]));
        }
        self.low = low.map(flush);
    }
}
