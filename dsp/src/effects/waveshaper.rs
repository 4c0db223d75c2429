//! Waveshaper. PLACEHOLDER: the specification is final, the processing is not written yet.

use crate::effect::{Effect, EffectSpec, Family};
use crate::param::{ParamSpec, Unit};

pub static SPEC: EffectSpec = EffectSpec {
    id: "waveshaper",
    name: "Waveshaper",
    family: Family::Drive,
    params: &[
        ParamSpec::choice("curve", "Curve", &["sine", "square", "cubic", "tanh"], 3),
        ParamSpec::log("drive", "Drive", 0.1, 10.0, 1.0, Unit::None),
        ParamSpec::linear("mix", "Mix", 0.0, 1.0, 1.0, Unit::Amount),
        ParamSpec::choice("quality", "Quality", &["off", "2x", "4x", "8x"], 1),
    ],
    build: |_sample_rate| Box::new(crate::effects::placeholder::Passthrough),
};
