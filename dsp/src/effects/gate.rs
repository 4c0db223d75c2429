//! Gate: opens above the threshold, holds, then fades out with the release time.

use crate::blocks::gate_envelope::GateEnvelope;
use crate::effect::{Effect, EffectSpec, Family};
use crate::param::{ParamSpec, Unit};

pub static SPEC: EffectSpec = EffectSpec {
    id: "gate",
    name: "Gate",
    family: Family::Dynamics,
    params: &[
        ParamSpec::linear("threshold", "Threshold", -60.0, 0.0, -40.0, Unit::Decibels),
        ParamSpec::log("attack", "Attack", 0.1, 5.0, 1.0, Unit::Milliseconds),
        ParamSpec::linear("hold", "Hold", 0.0, 200.0, 50.0, Unit::Milliseconds),
        ParamSpec::log("release", "Release", 10.0, 500.0, 100.0, Unit::Milliseconds),
    ],
    build: |sample_rate| Box::new(Gate::new(sample_rate)),
};

const THRESHOLD: usize = 0;
const ATTACK: usize = 1;
const HOLD: usize = 2;
const RELEASE: usize = 3;

/// One threshold for opening and closing; the hold does the job hysteresis does in the noise
/// gate. Hold times below the detector's window (5 ms) act as 5 ms.
pub struct Gate {
    envelope: GateEnvelope,
}

impl Gate {
    fn new(sample_rate: f32) -> Self {
        let p = |i: usize| SPEC.params[i].default;
        let mut envelope = GateEnvelope::new(sample_rate, p(THRESHOLD), p(THRESHOLD), p(ATTACK), p(RELEASE));
        envelope.set_hold_ms(p(HOLD));
        Self { envelope }
    }
}

impl Effect for Gate {
    fn set_param(&mut self, index: usize, value: f32) {
        let Some(spec) = SPEC.params.get(index) else { return };
        let v = spec.clamp(value);
        match index {
            THRESHOLD => {
                self.envelope.set_open_db(v);
                self.envelope.set_close_db(v);
            }
            ATTACK => self.envelope.set_attack_ms(v),
            HOLD => self.envelope.set_hold_ms(v),
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
