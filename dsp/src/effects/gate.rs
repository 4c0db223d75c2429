//! Gate. PLACEHOLDER: the specification is final, the processing is not written yet.

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
    build: |_sample_rate| Box::new(crate::effects::placeholder::Passthrough),
};
