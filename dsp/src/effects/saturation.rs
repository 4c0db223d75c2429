//! Saturation: tanh soft clipping after a drive gain, then a tone tilt and makeup gain.

use crate::blocks::curves;
use crate::blocks::drive_stage::{Control, DriveStage};
use crate::blocks::oversampling::{Oversampler, CHUNK};
use crate::blocks::tilt::Tilt;
use crate::effect::{Effect, EffectSpec, Family};
use crate::param::{ParamSpec, Unit};
use crate::util::db_to_gain;

pub static SPEC: EffectSpec = EffectSpec {
    id: "saturation",
    name: "Saturation",
    family: Family::Drive,
    params: &[
        ParamSpec::linear("drive", "Drive", 0.0, 24.0, 0.0, Unit::Decibels),
        ParamSpec::linear("tone", "Tone", 0.0, 1.0, 0.5, Unit::Amount),
        ParamSpec::linear("makeup", "Makeup", -12.0, 12.0, 0.0, Unit::Decibels),
        ParamSpec::linear("mix", "Mix", 0.0, 1.0, 1.0, Unit::Amount),
        ParamSpec::choice("quality", "Quality", &["off", "2x", "4x", "8x"], 1),
    ],
    build: |sample_rate| Box::new(Saturation::new(sample_rate)),
};

struct Saturation {
    stage: DriveStage,
    tilt: Tilt,
    makeup: Control,
}

impl Saturation {
    fn new(sample_rate: f32) -> Self {
        let mut fx = Self {
            stage: DriveStage::new(sample_rate, 0),
            tilt: Tilt::new(sample_rate, 0.5),
            makeup: Control::new(1.0, sample_rate),
        };
        for (i, p) in SPEC.params.iter().enumerate() {
            fx.set_param(i, p.default);
        }
        fx.reset();
        fx
    }
}

impl Effect for Saturation {
    fn set_param(&mut self, index: usize, value: f32) {
        let Some(spec) = SPEC.params.get(index) else { return };
        let v = spec.clamp(value);
        match index {
            0 => self.stage.set_pre_gain(db_to_gain(v)),
            1 => self.tilt.set_tone(v),
            2 => self.makeup.set_target(db_to_gain(v)),
            3 => self.stage.set_mix(v),
            _ => self.stage.set_quality(v as usize),
        }
    }

    fn reset(&mut self) {
        self.stage.reset();
        self.tilt.reset();
        self.makeup.snap();
    }

    fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        let (tilt, makeup) = (&mut self.tilt, &mut self.makeup);
        let shape = |_: usize, os: &mut Oversampler, f: &mut [[f32; 2]]| os.process(f, curves::tanh);
        self.stage.process(left, right, shape, |wet, _| {
            tilt.process(wet);
            // A settled makeup (the usual case) is a constant of the loop.
            if makeup.is_steady() {
                let g = makeup.value();
                wet.iter_mut().for_each(|f| *f = [f[0] * g, f[1] * g]);
            } else {
                let mut gains = [0.0; CHUNK];
                makeup.fill(&mut gains[..wet.len()]);
                for (f, g) in wet.iter_mut().zip(gains) {
                    *f = [f[0] * g, f[1] * g];
                }
            }
        });
    }

    fn latency(&self) -> usize {
        self.stage.latency()
    }
}
