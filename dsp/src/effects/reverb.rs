//! Reverb: Jezar's Freeverb. Per side, eight damped combs in parallel then four allpasses in
//! series; the right side's delays are 23 samples longer, which decorrelates the two sides.
//!
//! Size sets the comb feedback (`0.28 size + 0.7`), damping the combs' low-pass pole
//! (`0.4 damping`), both as in Freeverb; all his tunings are scaled from 44.1 kHz. His allpass
//! (`-x + buffer`) is only roughly one; these are true Schroeder allpasses with his gain 0.5.
//! Unlike the predecessor the output is never clipped: a loud input gives a proportionally loud
//! reverb.

use crate::blocks::delay_bank::{for_each_chunk, Chunk, DelayBank, CHUNK};
use crate::blocks::reverb_controls::{clamp_param, ReverbControls};
use crate::blocks::reverb_parts::{Diffuser, OnePole4, OnePoleState};
use crate::effect::{Effect, EffectSpec, Family};
use crate::param::{ParamSpec, Unit};
use crate::util::flush;

pub static SPEC: EffectSpec = EffectSpec {
    id: "reverb",
    name: "Reverb",
    family: Family::Reverb,
    params: &[
        ParamSpec::linear("room_size", "Room Size", 0.0, 1.0, 0.5, Unit::Amount),
        ParamSpec::linear("damping", "Damping", 0.0, 1.0, 0.5, Unit::Amount),
        ParamSpec::linear("wet_level", "Wet", 0.0, 1.0, 0.3, Unit::Amount),
        ParamSpec::linear("dry_level", "Dry", 0.0, 1.0, 0.4, Unit::Amount),
        ParamSpec::linear("width", "Width", 0.0, 2.0, 0.5, Unit::Amount),
    ],
    build: |sample_rate| Box::new(Freeverb::new(sample_rate)),
};

/// Jezar's tunings, in samples at 44.1 kHz.
const TUNING_RATE: f32 = 44_100.0;
const COMBS: [usize; 8] = [1116, 1188, 1277, 1356, 1422, 1491, 1557, 1617];
const ALLPASSES: [usize; 4] = [556, 441, 341, 225];
const STEREO_SPREAD: usize = 23;
/// Freeverb's input gain and wet scale: eight combs of feedback up to 0.98 sum to a lot.
const INPUT_GAIN: f32 = 0.015;
const WET_SCALE: f32 = 3.0;
const ALLPASS_GAIN: f32 = 0.5;

struct Freeverb {
    controls: ReverbControls,
    /// The eight left combs, then the eight right ones.
    combs: DelayBank<16>,
    comb_delays: [usize; 16],
    /// The combs' low-pass: `store = (1 - damp) out + damp store`.
    lowpass: OnePole4,
    stores: [OnePoleState; 16],
    allpasses: [Diffuser<4>; 2],
    feedback: f32,
    /// Converts Freeverb's damping pole (tuned at 44.1 kHz) to this rate: `pole^(44.1k / rate)`
    /// keeps its time constant, hence the cutoff.
    damp_exponent: f32,
}

impl Freeverb {
    fn new(sample_rate: f32) -> Self {
        let scale = |n: usize, side: usize| {
            (((n + side * STEREO_SPREAD) as f32) * sample_rate / TUNING_RATE).round() as usize
        };
        let comb_delays: [usize; 16] = std::array::from_fn(|i| scale(COMBS[i % 8], i / 8));
        let allpass = |side| Diffuser::new(ALLPASSES.map(|n| scale(n, side)), [ALLPASS_GAIN; 4]);
        let mut fx = Self {
            controls: ReverbControls::new(SPEC.params, WET_SCALE, sample_rate),
            combs: DelayBank::new(comb_delays[15]),
            comb_delays,
            lowpass: OnePole4::default(),
            stores: [OnePoleState::default(); 16],
            allpasses: [allpass(0), allpass(1)],
            feedback: 0.0,
            damp_exponent: TUNING_RATE / sample_rate,
        };
        fx.reset();
        fx
    }

    /// Once per control period while size or damping move, and on reset (`force`).
    fn update(&mut self, force: bool) {
        let advanced = self.controls.advance();
        if advanced.size_moved || force {
            self.feedback = 0.28 * advanced.size + 0.7;
        }
        if advanced.damping_moved || force {
            let damp = (0.4 * advanced.damping).powf(self.damp_exponent);
            self.lowpass = OnePole4::new(1.0 - damp, damp);
        }
    }
}

impl Effect for Freeverb {
    fn set_param(&mut self, index: usize, value: f32) {
        if let Some(v) = clamp_param(SPEC.params, index, value) {
            self.controls.set(index, v);
        }
    }

    fn reset(&mut self) {
        self.controls.reset();
        self.combs.reset();
        self.stores = [OnePoleState::default(); 16];
        self.allpasses.iter_mut().for_each(Diffuser::reset);
        self.update(true);
    }

    fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        let mut clock = self.controls.clock;
        for_each_chunk(&mut clock, left.len().min(right.len()), |range, offset| {
            if offset == 0 {
                self.update(false);
            }
            let n = range.len();
            let (left, right) = (&mut left[range.clone()], &mut right[range]);
            let mut input: Chunk = [0.0; CHUNK];
            for ((x, l), r) in input.iter_mut().zip(&*left).zip(&*right) {
                *x = (l + r) * INPUT_GAIN;
            }
            let mut wet = [[0.0; CHUNK]; 2];
            let mut store: Chunk = [0.0; CHUNK];
            for (i, state) in self.stores.iter_mut().enumerate() {
                let (out, line) = self.combs.io(i, self.comb_delays[i], n);
                let (store, input, acc) = (&mut store[..n], &input[..n], &mut wet[i / 8][..n]);
                self.lowpass.run(out, store, state, offset);
                for j in 0..n {
                    line[j] = flush(input[j] + store[j] * self.feedback);
                    acc[j] += out[j];
                }
            }
            self.combs.advance(n);
            for (side, wet) in wet.iter_mut().enumerate() {
                self.allpasses[side].process(&mut wet[..n]);
            }
            self.controls.mix(left, right, &wet[0][..n], &wet[1][..n]);
        });
        self.controls.clock = clock;
    }
}
