//! Room Reverb: distinct early reflections, then a short, damped tail.
//!
//! After the pre-delay the input is darkened as by wall absorption, then read by eight taps per
//! side in the first 40 ms (at full size; they close in as the room shrinks), each weaker than
//! the one before. The reflections feed an 8-line feedback delay network of 11 to 31 ms lines
//! (likewise scaled), which makes the diffuse tail. Size sets the low-frequency RT60 from
//! 0.2 s to 1.5 s; damping lowers the wall cutoff and shortens the decay at 4 kHz.
//!
//! The first reflection (left) comes exactly at the pre-delay: the pre-delay is the gap before
//! the first reflection.

use crate::blocks::delay_bank::{for_each_chunk, mono_sum, Chunk, DelayBank, Glide, CHUNK};
use crate::blocks::reverb_controls::{clamp_param, PreDelay, ReverbControls, PREDELAY};
use crate::blocks::reverb_parts::{Fdn, OnePole4, OnePoleState};
use crate::effect::{Effect, EffectSpec, Family};
use crate::param::{ParamSpec, Unit};
use std::f32::consts::PI;

pub static SPEC: EffectSpec = EffectSpec {
    id: "room_reverb",
    name: "Room Reverb",
    family: Family::Reverb,
    params: &[
        ParamSpec::linear("room_size", "Room Size", 0.0, 1.0, 0.3, Unit::Amount),
        ParamSpec::linear("damping", "Damping", 0.0, 1.0, 0.3, Unit::Amount),
        ParamSpec::linear("wet_level", "Wet", 0.0, 1.0, 0.6, Unit::Amount),
        ParamSpec::linear("dry_level", "Dry", 0.0, 1.0, 0.4, Unit::Amount),
        ParamSpec::linear("width", "Width", 0.0, 2.0, 0.5, Unit::Amount),
        ParamSpec::linear("predelay_ms", "Pre-Delay", 0.0, 200.0, 5.0, Unit::Milliseconds),
    ],
    build: |sample_rate| Box::new(Room::new(sample_rate)),
};

/// Reflection times at full size, left then right, interleaved so that the sides alternate.
const REFLECTIONS_MS: [[f32; 8]; 2] =
    [[0.0, 4.3, 8.9, 13.1, 18.7, 24.1, 30.7, 37.3], [2.3, 6.1, 11.3, 15.7, 21.1, 27.9, 33.1, 40.0]];
/// Tail line lengths at full size.
const LINES_MS: [f32; 8] = [11.3, 13.7, 16.1, 18.9, 21.7, 24.7, 27.1, 31.3];
/// Each reflection's gain is `exp(-REFLECTION_DECAY * its full-size time in ms)`: weaker with
/// every bounce, at any size.
const REFLECTION_DECAY: f32 = 0.045;
const DAMPING_REF_HZ: f32 = 4000.0;
/// How much of the reflections feeds the tail.
const TAIL_SEND: f32 = 0.35;
/// Wet gain making a wet level of 1 about as loud as the input at the default size.
const WET_SCALE: f32 = 0.48;

/// Distances relative to full size.
fn length_scale(size: f32) -> f32 {
    0.3 + 0.7 * size
}

/// Low-frequency RT60 in seconds: 0.2 s to 1.5 s, equal ratios per equal size.
fn rt60(size: f32) -> f32 {
    0.2 * 7.5f32.powf(size)
}

/// Cutoff of the wall absorption: 16 kHz at no damping to 3.2 kHz at full damping.
fn wall_cutoff(damping: f32) -> f32 {
    16_000.0 * 0.2f32.powf(damping)
}

struct Room {
    controls: ReverbControls,
    predelay: PreDelay,
    walls: OnePole4,
    wall_state: OnePoleState,
    reflections: DelayBank<1>,
    /// Tap delays in samples, left then right, and their gains.
    taps: [[Glide; 8]; 2],
    gains: [[f32; 8]; 2],
    fdn: Fdn<8>,
    lines: [f32; 8],
    samples_per_ms: f32,
    sample_rate: f32,
}

impl Room {
    fn new(sample_rate: f32) -> Self {
        let samples_per_ms = 0.001 * sample_rate;
        let p = SPEC.params[PREDELAY];
        let gains = REFLECTIONS_MS.map(|side| side.map(|ms| (-REFLECTION_DECAY * ms).exp()));
        let mut fx = Self {
            controls: ReverbControls::new(SPEC.params, WET_SCALE, sample_rate),
            predelay: PreDelay::new(p.max, p.default, sample_rate),
            walls: OnePole4::default(),
            wall_state: OnePoleState::default(),
            reflections: DelayBank::new((REFLECTIONS_MS[1][7] * samples_per_ms).ceil() as usize),
            taps: [[Glide::default(); 8]; 2],
            gains,
            fdn: Fdn::new((LINES_MS[7] * samples_per_ms).ceil() as usize),
            lines: [0.0; 8],
            samples_per_ms,
            sample_rate,
        };
        fx.reset();
        fx
    }

    /// Once per control period: follows size and damping (`glide` false on reset, where
    /// everything jumps to its place).
    fn update(&mut self, glide: bool) {
        let advanced = self.controls.advance();
        let (size, damping) = (advanced.size, advanced.damping);
        let scale = length_scale(size) * self.samples_per_ms;
        for (taps, times) in self.taps.iter_mut().zip(&REFLECTIONS_MS) {
            for (tap, ms) in taps.iter_mut().zip(times) {
                tap.set(ms * scale, glide);
            }
        }
        if advanced.moved() || !glide {
            self.lines = LINES_MS.map(|ms| (ms * scale).round());
            let cos_ref = (2.0 * PI * DAMPING_REF_HZ / self.sample_rate).cos();
            self.fdn.set_decay(&self.lines, rt60(size) * self.sample_rate, 1.0 - 0.7 * damping, cos_ref);
            self.walls = OnePole4::lowpass(wall_cutoff(damping), self.sample_rate);
        }
        self.fdn.set_delays(&self.lines, glide);
    }
}

impl Effect for Room {
    fn set_param(&mut self, index: usize, value: f32) {
        match clamp_param(SPEC.params, index, value) {
            Some(v) if index == PREDELAY => self.predelay.set_ms(v),
            Some(v) => self.controls.set(index, v),
            None => {}
        }
    }

    fn reset(&mut self) {
        self.controls.reset();
        self.predelay.reset();
        self.wall_state = OnePoleState::default();
        self.reflections.reset();
        self.fdn.reset();
        self.update(false);
    }

    fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        let mut clock = self.controls.clock;
        for_each_chunk(&mut clock, left.len().min(right.len()), |range, offset| {
            if offset == 0 {
                self.update(true);
            }
            let n = range.len();
            let (left, right) = (&mut left[range.clone()], &mut right[range]);
            let mut x = mono_sum(left, right);
            self.predelay.process(&mut x[..n], offset);
            self.walls.run(&x[..n], self.reflections.chunk_mut(0, n), &mut self.wall_state, offset);
            let mut wet = [[0.0; CHUNK]; 2];
            let mut tap: Chunk = [0.0; CHUNK];
            for ((wet, taps), gains) in wet.iter_mut().zip(&self.taps).zip(&self.gains) {
                for (glide, gain) in taps.iter().zip(gains) {
                    self.reflections.read_gliding(0, glide, offset, &mut tap[..n]);
                    for (w, t) in wet.iter_mut().zip(&tap[..n]) {
                        *w += gain * t;
                    }
                }
            }
            self.reflections.advance(n);
            let mut send: Chunk = [0.0; CHUNK];
            for ((s, l), r) in send.iter_mut().zip(&wet[0]).zip(&wet[1]) {
                *s = TAIL_SEND * (l + r);
            }
            let [wet_l, wet_r] = &mut wet;
            self.fdn.process(&send[..n], &mut wet_l[..n], &mut wet_r[..n], offset);
            self.controls.mix(left, right, &wet_l[..n], &wet_r[..n]);
        });
        self.controls.clock = clock;
    }
}
