//! Hall Reverb: a long, smooth, slowly building tail.
//!
//! Pre-delay, then four allpass diffusers, then an 8-line feedback delay network whose lines
//! (30 to 100 ms at full size) shrink with the size, as the distance between a hall's walls
//! does. Size sets the low-frequency RT60 from 1 s to 10 s; damping shortens the decay at
//! 4 kHz down to a fifth of it. Four lines are slowly modulated (±0.3 ms), which keeps the long
//! tail from ringing metallically.
//!
//! The wet signal starts after the pre-delay plus the shortest line, `31 * (0.4 + 0.6 size)` ms
//! rounded to whole samples (that line is not modulated, so the onset stays put).

use crate::blocks::delay_bank::{for_each_chunk, mono_sum, Chunk, CHUNK};
use crate::blocks::reverb_controls::{clamp_param, PreDelay, ReverbControls, PREDELAY};
use crate::blocks::reverb_parts::{Diffuser, Fdn, Lfo};
use crate::effect::{Effect, EffectSpec, Family};
use crate::param::{ParamSpec, Unit};
use std::f32::consts::PI;

pub static SPEC: EffectSpec = EffectSpec {
    id: "hall_reverb",
    name: "Hall Reverb",
    family: Family::Reverb,
    params: &[
        ParamSpec::linear("room_size", "Room Size", 0.0, 1.0, 0.8, Unit::Amount),
        ParamSpec::linear("damping", "Damping", 0.0, 1.0, 0.5, Unit::Amount),
        ParamSpec::linear("wet_level", "Wet", 0.0, 1.0, 0.8, Unit::Amount),
        ParamSpec::linear("dry_level", "Dry", 0.0, 1.0, 0.2, Unit::Amount),
        ParamSpec::linear("width", "Width", 0.0, 2.0, 0.8, Unit::Amount),
        ParamSpec::linear("predelay_ms", "Pre-Delay", 0.0, 200.0, 20.0, Unit::Milliseconds),
    ],
    build: |sample_rate| Box::new(Hall::new(sample_rate)),
};

/// Line lengths at full size, spread over 30..100 ms with no common factors.
const LINES_MS: [f32; 8] = [31.0, 37.3, 43.9, 51.7, 59.3, 69.1, 83.3, 97.9];
const DIFFUSERS_MS: [f32; 4] = [4.7, 6.3, 9.1, 13.3];
const DIFFUSER_GAINS: [f32; 4] = [0.72, 0.68, 0.62, 0.58];
const MOD_DEPTH_MS: f32 = 0.3;
const MOD_HZ: [f32; 2] = [0.43, 0.67];
const DAMPING_REF_HZ: f32 = 4000.0;
/// Wet gain making a wet level of 1 about as loud as the input at the default size.
const WET_SCALE: f32 = 0.21;

/// Line length relative to full size.
fn length_scale(size: f32) -> f32 {
    0.4 + 0.6 * size
}

/// Low-frequency RT60 in seconds: 1 s to 10 s, equal ratios per equal size.
fn rt60(size: f32) -> f32 {
    10f32.powf(size)
}

struct Hall {
    controls: ReverbControls,
    predelay: PreDelay,
    diffuser: Diffuser<4>,
    fdn: Fdn<8>,
    lfos: [Lfo; 2],
    lines: [f32; 8],
    samples_per_ms: f32,
    sample_rate: f32,
}

impl Hall {
    fn new(sample_rate: f32) -> Self {
        let samples_per_ms = 0.001 * sample_rate;
        let max_line = (LINES_MS[7] + MOD_DEPTH_MS) * samples_per_ms;
        let p = SPEC.params[PREDELAY];
        let mut fx = Self {
            controls: ReverbControls::new(SPEC.params, WET_SCALE, sample_rate),
            predelay: PreDelay::new(p.max, p.default, sample_rate),
            diffuser: Diffuser::new(
                DIFFUSERS_MS.map(|ms| (ms * samples_per_ms).round() as usize),
                DIFFUSER_GAINS,
            ),
            fdn: Fdn::new(max_line.ceil() as usize + 1),
            lfos: MOD_HZ.map(|hz| Lfo::new(hz, sample_rate)),
            lines: [0.0; 8],
            samples_per_ms,
            sample_rate,
        };
        fx.reset();
        fx
    }

    /// Once per control period: follows size and damping, moves the modulation. `glide` is false on
    /// reset, where everything jumps to its place.
    fn update(&mut self, glide: bool) {
        let advanced = self.controls.advance();
        let (size, damping) = (advanced.size, advanced.damping);
        if advanced.moved() || !glide {
            let scale = length_scale(size) * self.samples_per_ms;
            self.lines = LINES_MS.map(|ms| (ms * scale).round());
            let cos_ref = (2.0 * PI * DAMPING_REF_HZ / self.sample_rate).cos();
            self.fdn.set_decay(&self.lines, rt60(size) * self.sample_rate, 1.0 - 0.8 * damping, cos_ref);
        }
        let (c0, s0) = if glide { self.lfos[0].advance() } else { (1.0, 0.0) };
        let (c1, s1) = if glide { self.lfos[1].advance() } else { (1.0, 0.0) };
        let depth = MOD_DEPTH_MS * self.samples_per_ms;
        let offsets = [0.0, c0, 0.0, s0, 0.0, c1, 0.0, s1];
        let delays = std::array::from_fn(|i| self.lines[i] + depth * offsets[i]);
        self.fdn.set_delays(&delays, glide);
    }
}

impl Effect for Hall {
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
        self.diffuser.reset();
        self.fdn.reset();
        self.lfos.iter_mut().for_each(Lfo::reset);
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
            let x = &mut x[..n];
            self.predelay.process(x, offset);
            self.diffuser.process(x);
            let (mut wet_l, mut wet_r): (Chunk, Chunk) = ([0.0; CHUNK], [0.0; CHUNK]);
            self.fdn.process(x, &mut wet_l[..n], &mut wet_r[..n], offset);
            self.controls.mix(left, right, &wet_l[..n], &wet_r[..n]);
        });
        self.controls.clock = clock;
    }
}
