//! Noise gate: a gate with hysteresis, so a level hovering near one threshold cannot chatter.

use crate::blocks::gate_envelope::GateEnvelope;
use crate::effect::{Effect, EffectSpec, Family};
use crate::param::{ParamSpec, Unit};

pub static SPEC: EffectSpec = EffectSpec {
    id: "noise_gate",
    name: "Noise Gate",
    family: Family::Dynamics,
    params: &[
        ParamSpec::linear("open_threshold", "Open Threshold", -60.0, 0.0, -35.0, Unit::Decibels),
        ParamSpec::linear("close_threshold", "Close Threshold", -60.0, 0.0, -40.0, Unit::Decibels),
        ParamSpec::log("attack", "Attack", 0.1, 5.0, 0.5, Unit::Milliseconds),
        ParamSpec::log("release", "Release", 10.0, 500.0, 50.0, Unit::Milliseconds),
    ],
    build: |sample_rate| Box::new(NoiseGate::new(sample_rate)),
};

const OPEN: usize = 0;
const CLOSE: usize = 1;
const ATTACK: usize = 2;
const RELEASE: usize = 3;

/// Opens when the level reaches the open threshold and closes only once it falls below the
/// close threshold; a close threshold set above the open one acts as equal to it. There is no
/// hold parameter: the detector's 5 ms memory is the hold.
pub struct NoiseGate {
    envelope: GateEnvelope,
}

impl NoiseGate {
    fn new(sample_rate: f32) -> Self {
        let p = |i: usize| SPEC.params[i].default;
        Self { envelope: GateEnvelope::new(sample_rate, p(OPEN), p(CLOSE), p(ATTACK), p(RELEASE)) }
    }
}

impl Effect for NoiseGate {
    fn set_param(&mut self, index: usize, value: f32) {
        let Some(spec) = SPEC.params.get(index) else { return };
        let v = spec.clamp(value);
        match index {
            OPEN => self.envelope.set_open_db(v),
            CLOSE => self.envelope.set_close_db(v),
            ATTACK => self.envelope.set_attack_ms(v),
            RELEASE => self.envelope.set_release_ms(v),
            _ => {}
        }
    }

    fn reset(&mut self) {
        self.envelope.reset();
    }

    fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        self.envelope.process(left, right);
    }

    fn gain_reduction_db(&self) -> f32 {
        self.envelope.reduction_db()
    }
}
