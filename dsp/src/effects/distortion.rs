//! Distortion. PLACEHOLDER: the specification is final, the processing is not written yet.

use crate::effect::{Effect, EffectSpec, Family};
use crate::param::{ParamSpec, Unit};

pub static SPEC: EffectSpec = EffectSpec {
    id: "distortion",
    name: "Distortion",
    family: Family::Drive,
    params: &[
        ParamSpec::choice("distortion_type", "Type", &["soft", "hard", "fuzz"], 0),
        ParamSpec::linear("drive", "Drive", 0.0, 24.0, 12.0, Unit::Decibels),
        ParamSpec::linear("tone", "Tone", 0.0, 1.0, 0.5, Unit::Amount),
        ParamSpec::linear("mix", "Mix", 0.0, 1.0, 1.0, Unit::Amount),
        ParamSpec::choice("quality", "Quality", &["off", "2x", "4x", "8x"], 1),
    ],
    build: |_sample_rate| Box::new(crate::effects::placeholder::Passthrough),
};
