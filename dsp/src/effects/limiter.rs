//! Limiter. PLACEHOLDER: the specification is final, the processing is not written yet.

use crate::effect::{Effect, EffectSpec, Family};
use crate::param::{ParamSpec, Unit};

pub static SPEC: EffectSpec = EffectSpec {
    id: "limiter",
    name: "Limiter",
    family: Family::Dynamics,
    params: &[
        ParamSpec::linear("threshold", "Ceiling", -60.0, 0.0, -0.3, Unit::Decibels),
        ParamSpec::log("release", "Release", 10.0, 1000.0, 100.0, Unit::Milliseconds),
        ParamSpec::log("lookahead", "Lookahead", 0.1, 50.0, 5.0, Unit::Milliseconds),
    ],
    build: |_sample_rate| Box::new(crate::effects::placeholder::Passthrough),
};
