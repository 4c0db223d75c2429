//! Stereo Delay. PLACEHOLDER: the specification is final, the processing is not written yet.

use crate::effect::{Effect, EffectSpec, Family};
use crate::param::{ParamSpec, Unit};

pub static SPEC: EffectSpec = EffectSpec {
    id: "stereo_delay",
    name: "Stereo Delay",
    family: Family::Delay,
    params: &[
        ParamSpec::log("time_l_ms", "Time L", 1.0, 5000.0, 400.0, Unit::Milliseconds),
        ParamSpec::log("time_r_ms", "Time R", 1.0, 5000.0, 500.0, Unit::Milliseconds),
        ParamSpec::linear("feedback", "Feedback", 0.0, 0.95, 0.5, Unit::Amount),
        ParamSpec::linear("mix", "Mix", 0.0, 1.0, 0.5, Unit::Amount),
    ],
    build: |_sample_rate| Box::new(crate::effects::placeholder::Passthrough),
};
