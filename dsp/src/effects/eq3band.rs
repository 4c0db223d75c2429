//! Three-Band EQ. PLACEHOLDER: the specification is final, the processing is not written yet.

use crate::effect::{Effect, EffectSpec, Family};
use crate::param::{ParamSpec, Unit};

pub static SPEC: EffectSpec = EffectSpec {
    id: "eq3band",
    name: "Three-Band EQ",
    family: Family::Eq,
    params: &[
        ParamSpec::linear("low_gain", "Low Gain", -24.0, 24.0, 0.0, Unit::Decibels),
        ParamSpec::log("low_freq", "Low Frequency", 20.0, 500.0, 100.0, Unit::Hertz),
        ParamSpec::log("low_q", "Low Q", 0.1, 10.0, 0.707, Unit::None),
        ParamSpec::linear("mid_gain", "Mid Gain", -24.0, 24.0, 0.0, Unit::Decibels),
        ParamSpec::log("mid_freq", "Mid Frequency", 200.0, 5000.0, 1000.0, Unit::Hertz),
        ParamSpec::log("mid_q", "Mid Q", 0.1, 10.0, 0.707, Unit::None),
        ParamSpec::linear("high_gain", "High Gain", -24.0, 24.0, 0.0, Unit::Decibels),
        ParamSpec::log("high_freq", "High Frequency", 4000.0, 20_000.0, 10_000.0, Unit::Hertz),
        ParamSpec::log("high_q", "High Q", 0.1, 10.0, 0.707, Unit::None),
    ],
    build: |_sample_rate| Box::new(crate::effects::placeholder::Passthrough),
};
