//! Expander. PLACEHOLDER: the specification is final, the processing is not written yet.

use crate::effect::{Effect, EffectSpec, Family};
use crate::param::{ParamSpec, Unit};

pub static SPEC: EffectSpec = EffectSpec {
    id: "expander",
    name: "Expander",
    family: Family::Dynamics,
    params: &[
        ParamSpec::linear("threshold", "Threshold", -60.0, 0.0, -40.0, Unit::Decibels),
        ParamSpec::log("ratio", "Ratio", 1.0, 8.0, 4.0, Unit::Ratio),
        ParamSpec::log("attack", "Attack", 0.1, 100.0, 10.0, Unit::Milliseconds),
        ParamSpec::log("release", "Release", 10.0, 1000.0, 100.0, Unit::Milliseconds),
    ],
    build: |_sample_rate| Box::new(crate::effects::placeholder::Passthrough),
};
