//! Reverb. PLACEHOLDER: the specification is final, the processing is not written yet.

use crate::effect::{Effect, EffectSpec, Family};
use crate::param::{ParamSpec, Unit};

pub static SPEC: EffectSpec = EffectSpec {
    id: "reverb",
    name: "Reverb",
    family: Family::Reverb,
    params: &[
        ParamSpec::linear("room_size", "Room Size", 0.0, 1.0, 0.5, Unit::Amount),
        ParamSpec::linear("damping", "Damping", 0.0, 1.0, 0.5, Unit::Amount),
        ParamSpec::linear("wet_level", "Wet", 0.0, 1.0, 0.3, Unit::Amount),
        ParamSpec::linear("dry_level", "Dry", 0.0, 1.0, 0.4, Unit::Amount),
        ParamSpec::linear("width", "Width", 0.0, 2.0, 0.5, Unit::Amount),
    ],
    build: |_sample_rate| Box::new(crate::effects::placeholder::Passthrough),
};
