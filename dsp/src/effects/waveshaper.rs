//! Waveshaper: a choice of static curves after a drive gain.

use crate::blocks::curves;
use crate::blocks::drive_stage::DriveStage;
use crate::blocks::oversampling::Oversampler;
use crate::effect::{Effect, EffectSpec, Family};
use crate::param::{ParamSpec, Unit};

pub static SPEC: EffectSpec = EffectSpec {
    id: "waveshaper",
    name: "Waveshaper",
    family: Family::Drive,
    params: &[
        ParamSpec::choice("curve", "Curve", &["sine", "square", "cubic", "tanh"], 3),
        ParamSpec::log("drive", "Drive", 0.1, 10.0, 1.0, Unit::None),
        ParamSpec::linear("mix", "Mix", 0.0, 1.0, 1.0, Unit::Amount),
        ParamSpec::choice("quality", "Quality", &["off", "2x", "4x", "8x"], 1),
    ],
    build: |sample_rate| Box::new(Waveshaper::new(sample_rate)),
};

/// `sin(x·π/2)`: a wavefolder once |x| passes 1. Odd for every input: the predecessor folded
/// negative input to positive, so negative half-waves came out upside down.
#[inline(always)]
fn sine(x: f32) -> f32 {
    // Rounds to the nearest period (4) by the 1.5·2^23 trick: cheaper than `round`, and
    // ties go to even, which commutes with negation. Exact while |x/4| < 2^22.
    const ROUND: f32 = 12_582_912.0;
    let x = x.clamp(-1e6, 1e6);
    let t = x - 4.0 * ((x * 0.25 + ROUND) - ROUND);
    // From -2..2 into -1..1, where sin(t·π/2) has the same value.
    let t = (1.0 - (t.abs() - 1.0).abs()).copysign(t);
    let t2 = t * t;
    // Least-squares fit on -1..1, within 2e-6.
    t * (1.570_792_4 + t2 * (-0.645_906 + t2 * (0.079_464_87 - 0.004_352_814 * t2)))
}

/// Steepness of the smoothed square: with drive 1, a full-scale sine is flat-topped
/// within 1 % beyond ±20° of its zero crossings.
const SQUARE_STEEPNESS: f32 = 8.0;

/// The classic cubic soft clipper `x - x³/3` on -1..1 (tops out at ±2/3 with zero slope).
#[inline(always)]
fn cubic(x: f32) -> f32 {
    let x = x.clamp(-1.0, 1.0);
    x - x * x * x * (1.0 / 3.0)
}

struct Waveshaper {
    stage: DriveStage,
}

impl Waveshaper {
    fn new(sample_rate: f32) -> Self {
        let mut fx = Self { stage: DriveStage::new(sample_rate, 0) };
        for (i, p) in SPEC.params.iter().enumerate() {
            fx.set_param(i, p.default);
        }
        fx.reset();
        fx
    }
}

impl Effect for Waveshaper {
    fn set_param(&mut self, index: usize, value: f32) {
        let Some(spec) = SPEC.params.get(index) else { return };
        let v = spec.clamp(value);
        match index {
            0 => self.stage.set_curve(v as usize),
            1 => self.stage.set_pre_gain(v),
            2 => self.stage.set_mix(v),
            _ => self.stage.set_quality(v as usize),
        }
    }

    fn reset(&mut self) {
        self.stage.reset();
    }

    fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        let shape = |curve: usize, os: &mut Oversampler, f: &mut [[f32; 2]]| match curve {
            0 => os.process(f, sine),
            1 => os.process(f, |x| curves::tanh(SQUARE_STEEPNESS * x)),
            2 => os.process(f, cubic),
            _ => os.process(f, curves::tanh),
        };
        self.stage.process(left, right, shape, |_, _| {});
    }

    fn latency(&self) -> usize {
        self.stage.latency()
    }
}
