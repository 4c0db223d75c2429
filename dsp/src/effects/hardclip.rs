//! Hard Clip: the signal clipped at the threshold, with the clip run oversampled, and a
//! [`Ceiling`] that keeps the result at or below the threshold.

use crate::blocks::ceiling::Ceiling;
use crate::blocks::curves;
use crate::blocks::drive_stage::DriveStage;
use crate::blocks::oversampling::Oversampler;
use crate::effect::{Effect, EffectSpec, Family};
use crate::param::{ParamSpec, Unit};
use crate::util::db_to_gain;

pub static SPEC: EffectSpec = EffectSpec {
    id: "hardclip",
    name: "Hard Clip",
    family: Family::Drive,
    params: &[
        ParamSpec::linear("threshold", "Threshold", -60.0, 0.0, -1.0, Unit::Decibels),
        ParamSpec::linear("mix", "Mix", 0.0, 1.0, 1.0, Unit::Amount),
        ParamSpec::choice("quality", "Quality", &["off", "2x", "4x", "8x"], 1),
    ],
    build: |sample_rate| Box::new(HardClip::new(sample_rate)),
};

struct HardClip {
    stage: DriveStage,
    ceiling: Ceiling,
}

impl HardClip {
    fn new(sample_rate: f32) -> Self {
        let ceiling = Ceiling::new(sample_rate);
        let mut fx = Self { stage: DriveStage::new(sample_rate, ceiling.latency()), ceiling };
        for (i, p) in SPEC.params.iter().enumerate() {
            fx.set_param(i, p.default);
        }
        fx.reset();
        fx
    }
}

impl Effect for HardClip {
    fn set_param(&mut self, index: usize, value: f32) {
        let Some(spec) = SPEC.params.get(index) else { return };
        let v = spec.clamp(value);
        match index {
            // The signal is scaled so that the threshold sits at the curve's ±1, and back.
            0 => self.stage.set_pre_gain(db_to_gain(-v)),
            1 => self.stage.set_mix(v),
            _ => self.stage.set_quality(v as usize),
        }
    }

    fn reset(&mut self) {
        self.stage.reset();
        self.ceiling.reset();
    }

    fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        let ceiling = &mut self.ceiling;
        let shape = |_: usize, os: &mut Oversampler, f: &mut [[f32; 2]]| os.process(f, curves::hard_clip);
        self.stage.process(left, right, shape, |wet, gains| {
            ceiling.process(wet);
            for (f, g) in wet.iter_mut().zip(gains) {
                // |x| <= 1 makes |x * threshold| <= threshold exactly.
                let threshold = 1.0 / g;
                *f = f.map(|x| x * threshold);
            }
        });
    }

    fn latency(&self) -> usize {
        self.stage.latency()
    }
}
