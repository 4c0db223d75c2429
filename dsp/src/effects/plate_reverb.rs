//! Plate Reverb: Dattorro's plate (J. Dattorro, "Effect Design Part 1", JAES 45(9), 1997).
//!
//! The input is smeared by eight allpass diffusers, then circulates in a figure-eight tank: two
//! halves, each a modulated allpass, a delay, a damping low-pass, an allpass and a delay, each
//! feeding the other. The outputs sum seven taps across the tank, as in the paper. The result
//! is bright and very dense almost at once, like a steel plate. Size sets the RT60 from 0.5 s to
//! 5 s; damping the tank's low-pass from 16 kHz down to 2 kHz.
//!
//! Where Dattorro applies one decay gain twice per half, every element here loses in proportion
//! to its length and every output tap is weighted by the decay over its position along its
//! line (Jot's rule): the tank then decays exponentially wherever it is tapped, and short decay
//! times are met instead of turning into a staircase of discrete passes.
//!
//! The wet signal starts after the pre-delay plus the earliest output tap, 266 samples at
//! Dattorro's 29.761 kHz (8.94 ms).

use crate::blocks::delay_bank::{for_each_chunk, mono_sum, Chunk, DelayBank, Glide, CHUNK};
use crate::blocks::reverb_controls::{clamp_param, PreDelay, ReverbControls, PREDELAY};
use crate::blocks::reverb_parts::{allpass, decay_gain, Diffuser, Lfo, OnePole4, OnePoleState};
use crate::effect::{Effect, EffectSpec, Family};
use crate::param::{ParamSpec, Unit};

pub static SPEC: EffectSpec = EffectSpec {
    id: "plate_reverb",
    name: "Plate Reverb",
    family: Family::Reverb,
    params: &[
        ParamSpec::linear("room_size", "Room Size", 0.0, 1.0, 0.7, Unit::Amount),
        ParamSpec::linear("damping", "Damping", 0.0, 1.0, 0.6, Unit::Amount),
        ParamSpec::linear("wet_level", "Wet", 0.0, 1.0, 0.8, Unit::Amount),
        ParamSpec::linear("dry_level", "Dry", 0.0, 1.0, 0.2, Unit::Amount),
        ParamSpec::linear("width", "Width", 0.0, 2.0, 0.7, Unit::Amount),
        ParamSpec::linear("predelay_ms", "Pre-Delay", 0.0, 200.0, 10.0, Unit::Milliseconds),
    ],
    build: |sample_rate| Box::new(Plate::new(sample_rate)),
};

/// Dattorro's delays are in samples at this rate.
const PAPER_RATE: f32 = 29_761.0;
/// Dattorro's four input diffusers, after four short ones of ours: a plate's dispersion turns a
/// click into dense noise within milliseconds, which his four alone do not.
const DIFFUSERS: [usize; 8] = [47, 59, 71, 89, 142, 107, 379, 277];
const DIFFUSER_GAINS: [f32; 8] = [0.7, 0.7, 0.7, 0.7, 0.75, 0.75, 0.625, 0.625];
/// Per half (left, right): modulated allpass, delay, allpass, delay.
const TANK: [[usize; 4]; 2] = [[672, 4453, 1800, 3720], [908, 4217, 2656, 3163]];
const DECAY_DIFFUSION_1: f32 = -0.7;
const EXCURSION: f32 = 16.0;
const MOD_HZ: f32 = 1.0;
/// Output taps (bank lane, delay, sign), lanes numbered as `TANK` flattened.
const TAPS: [[(usize, usize, f32); 7]; 2] = [
    [
        (5, 266, 1.0),
        (5, 2974, 1.0),
        (6, 1913, -1.0),
        (7, 1996, 1.0),
        (1, 1990, -1.0),
        (2, 187, -1.0),
        (3, 1066, -1.0),
    ],
    [
        (1, 353, 1.0),
        (1, 3627, 1.0),
        (2, 1228, -1.0),
        (3, 2673, 1.0),
        (5, 2111, -1.0),
        (6, 335, -1.0),
        (7, 121, -1.0),
    ],
];
/// Wet gain making a wet level of 1 about as loud as the input at the default size.
const WET_SCALE: f32 = 0.8;

/// RT60 in seconds: 0.5 s to 5 s, equal ratios per equal size.
fn rt60(size: f32) -> f32 {
    0.5 * 10f32.powf(size)
}

/// Cutoff of the tank's low-pass: 16 kHz at no damping to 2 kHz at full damping.
fn cutoff(damping: f32) -> f32 {
    16_000.0 * 0.125f32.powf(damping)
}

struct Plate {
    controls: ReverbControls,
    predelay: PreDelay,
    diffuser: Diffuser<8>,
    tank: DelayBank<8>,
    /// `TANK` and `TAPS` at this rate.
    delays: [[usize; 4]; 2],
    taps: [[(usize, usize, f32); 7]; 2],
    excursion: f32,
    lfo: Lfo,
    /// The modulated allpasses' delays.
    mod_delay: [Glide; 2],
    lowpass: OnePole4,
    lowpass_state: [OnePoleState; 2],
    /// Decay gain of each element of each half, as `delays`.
    gains: [[f32; 4]; 2],
    /// Tap weights: sign and decay over the tap's position.
    weights: [[f32; 7]; 2],
    /// The two tank allpasses' coefficients of each half.
    diffusion: [[f32; 2]; 2],
    sample_rate: f32,
}

impl Plate {
    fn new(sample_rate: f32) -> Self {
        // Every delay and tap must span a chunk; only rates far below 22.05 kHz would need this.
        let scale = |n: usize| ((n as f32 * sample_rate / PAPER_RATE).round() as usize).max(CHUNK);
        let delays = TANK.map(|half| half.map(scale));
        let excursion = EXCURSION * sample_rate / PAPER_RATE;
        let longest = delays.iter().flatten().copied().max().unwrap_or(0);
        let p = SPEC.params[PREDELAY];
        let mut fx = Self {
            controls: ReverbControls::new(SPEC.params, WET_SCALE, sample_rate),
            predelay: PreDelay::new(p.max, p.default, sample_rate),
            diffuser: Diffuser::new(DIFFUSERS.map(scale), DIFFUSER_GAINS),
            tank: DelayBank::new(longest + excursion.ceil() as usize),
            delays,
            taps: TAPS.map(|side| side.map(|(lane, d, sign)| (lane, scale(d), sign))),
            excursion,
            lfo: Lfo::new(MOD_HZ, sample_rate),
            mod_delay: [Glide::default(); 2],
            lowpass: OnePole4::default(),
            lowpass_state: [OnePoleState::default(); 2],
            gains: [[0.0; 4]; 2],
            weights: [[0.0; 7]; 2],
            diffusion: [[0.0; 2]; 2],
            sample_rate,
        };
        fx.reset();
        fx
    }

    /// Once per control period: follows size and damping, moves the modulation (`glide` false
    /// on reset).
    fn update(&mut self, glide: bool) {
        let advanced = self.controls.advance();
        if advanced.size_moved || !glide {
            let rt60 = rt60(advanced.size) * self.sample_rate;
            let gain = |samples: usize| decay_gain(samples as f32, rt60);
            self.gains = self.delays.map(|half| half.map(gain));
            self.weights = self.taps.map(|side| side.map(|(_, delay, sign)| sign * gain(delay)));
            // Dattorro's second decay diffusion follows his decay gain, which stands for a
            // quarter of the loop.
            let quarter = self.delays.iter().flatten().sum::<usize>() / 4;
            let decay_diffusion_2 = (gain(quarter) + 0.15).clamp(0.25, 0.5);
            // An allpass's own loop rings by its coefficient per pass whatever the tank's
            // gains: keep that ring at most half as long as the set decay, or it would hold
            // short decays up.
            self.diffusion = self.delays.map(|half| {
                let cap = |samples: usize| gain(samples).powi(2);
                [DECAY_DIFFUSION_1.max(-cap(half[0])), decay_diffusion_2.min(cap(half[2]))]
            });
        }
        if advanced.damping_moved || !glide {
            self.lowpass = OnePole4::lowpass(cutoff(advanced.damping), self.sample_rate);
        }
        let (c, s) = if glide { self.lfo.advance() } else { (1.0, 0.0) };
        for (half, m) in [c, s].iter().enumerate() {
            self.mod_delay[half].set(self.delays[half][0] as f32 + self.excursion * m, glide);
        }
    }

    /// One chunk of diffused input `x`, the samples `offset..` of the control period, through
    /// the tank, output taps added to `out`.
    fn tank(&mut self, x: &[f32], out: &mut [Chunk; 2], offset: usize) {
        let n = x.len();
        // Each half's end, from before this chunk, feeds the other half.
        let mut ends = [[0.0; CHUNK]; 2];
        for (half, end) in ends.iter_mut().enumerate() {
            end[..n].copy_from_slice(self.tank.delayed(4 * half + 3, self.delays[half][3], n));
        }
        for half in 0..2 {
            let lane = 4 * half;
            let mut a: Chunk = [0.0; CHUNK];
            let [g_ap1, g_d1, g_ap2, _] = self.gains[half];
            let g_end = self.gains[1 - half][3];
            for ((a, x), e) in a.iter_mut().zip(x).zip(&ends[1 - half]) {
                *a = x + g_end * e;
            }
            let a = &mut a[..n];
            let mut delayed: Chunk = [0.0; CHUNK];
            self.tank.read_gliding(lane, &self.mod_delay[half], offset, &mut delayed[..n]);
            allpass(a, &delayed[..n], self.tank.chunk_mut(lane, n), self.diffusion[half][0]);
            let (far, line) = self.tank.io(lane + 1, self.delays[half][1], n);
            for (w, a) in line.iter_mut().zip(a.iter()) {
                *w = g_ap1 * a;
            }
            self.lowpass.run(far, a, &mut self.lowpass_state[half], offset);
            for a in a.iter_mut() {
                *a *= g_d1;
            }
            let (delayed, line) = self.tank.io(lane + 2, self.delays[half][2], n);
            allpass(a, delayed, line, self.diffusion[half][1]);
            for (w, a) in self.tank.chunk_mut(lane + 3, n).iter_mut().zip(a.iter()) {
                *w = g_ap2 * a;
            }
        }
        for ((out, taps), weights) in out.iter_mut().zip(&self.taps).zip(&self.weights) {
            for (&(lane, delay, _), w) in taps.iter().zip(weights) {
                for (o, t) in out.iter_mut().zip(self.tank.delayed(lane, delay, n)) {
                    *o += w * t;
                }
            }
        }
        self.tank.advance(n);
    }
}

impl Effect for Plate {
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
        self.tank.reset();
        self.lowpass_state = [OnePoleState::default(); 2];
        self.lfo.reset();
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
            let mut wet = [[0.0; CHUNK]; 2];
            self.tank(x, &mut wet, offset);
            self.controls.mix(left, right, &wet[0][..n], &wet[1][..n]);
        });
        self.controls.clock = clock;
    }
}
