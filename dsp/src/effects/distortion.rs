//! Distortion: three clipping characters after a drive gain, then a tone tilt.

use crate::blocks::curves;
use crate::blocks::drive_stage::DriveStage;
use crate::blocks::oversampling::Oversampler;
use crate::blocks::tilt::Tilt;
use crate::effect::{Effect, EffectSpec, Family};
use crate::param::{ParamSpec, Unit};
use crate::util::db_to_gain;

pub static SPEC: EffectSpec = EffectSpec {
    id: "distortion",
    name: "Distortion",
    family: Family::Drive,
    params: &[
        ParamSpec::choice("distortion_type", "Type", &["soft", "hard", "fuzz"], 0),
        ParamSpec::linear("drive", "Drive", 0.0, 24.0, 12.0, Unit::Decibels),
        ParamSpec::linear("tone", "Tone", 0.0, 1.0, 0.5, Unit::Amount),
        ParamSpec::linear("mix", "Mix", 0.0, 1.0, 1.0, Unit::Amount),
        ParamSpec::choice("quality", "Quality", &["off", "2x", "4x", "8x"], 1),
    ],
    build: |sample_rate| Box::new(Distortion::new(sample_rate)),
};

/// Fuzz: twice the small-signal gain of the others and a parabolic knee `x·(2 - |x|)` into a
/// flat top at ±1. The `x·|x|` term has a corner in its curvature at zero, so even quiet
/// signals get a long series of odd harmonics (falling as 1/n³, where tanh's fall
/// exponentially): the grainy, buzzy edge of a fuzz, while staying odd-symmetric, hence free
/// of the DC offset and the level-dependent thump that asymmetric curves bring.
#[inline(always)]
fn fuzz(x: f32) -> f32 {
    let x = x.clamp(-1.0, 1.0);
    x * (2.0 - x.abs())
}

struct Distortion {
    stage: DriveStage,
    tilt: Tilt,
}

impl Distortion {
    fn new(sample_rate: f32) -> Self {
        let mut fx = Self { stage: DriveStage::new(sample_rate, 0), tilt: Tilt::new(sample_rate, 0.5) };
        for (i, p) in SPEC.params.iter().enumerate() {
            fx.set_param(i, p.default);
        }
        fx.reset();
        fx
    }
}

impl Effect for Distortion {
    fn set_param(&mut self, index: usize, value: f32) {
        let Some(spec) = SPEC.params.get(index) else { return };
        let v = spec.clamp(value);
        match index {
            0 => self.stage.set_curve(v as usize),
            1 => self.stage.set_pre_gain(db_to_gain(v)),
            2 => self.tilt.set_tone(v),
            3 => self.stage.set_mix(v),
            _ => self.stage.set_quality(v as usize),
        }
    }

    fn reset(&mut self) {
        self.stage.reset();
        self.tilt.reset();
    }

    fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        let tilt = &mut self.tilt;
        let shape = |curve: usize, os: &mut Oversampler, f: &mut [[f32; 2]]| match curve {
            0 => os.process(f, curves::tanh),
            1 => os.process(f, curves::hard_clip),
            _ => os.process(f, fuzz),
        };
        self.stage.process(left, right, shape, |wet, _| tilt.process(wet));
    }

    fn latency(&self) -> usize {
        self.stage.latency()
    }
}
