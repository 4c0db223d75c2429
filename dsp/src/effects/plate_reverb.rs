//! Plate Reverb. PLACEHOLDER: the specification is final, the processing is not written yet.

use crate::effect::{Effect, EffectSpec, Family};
use crate::param::{ParamSpec, Unit};

pub static SPEC: EffectSpec = EffectSpec {
    id: "plate_reverb",
    name: "Plate Reverb",
    family: Family::Reverb,
    params: &[
        ParamSpec::linear("room_size", "Room Size", 0.0, 1.0, 0.7, Unit::Amount),
        ParamSpec::linear("damping", "Damping", 0.0, 1.0, 0.6, Unit::Amount),
        ParamSpec::linear("wet_level", "Wet", 0.0, 1.0, 0.8, Unit::Amount),
        ParamSpec::linear("dry_level", "Dry", 0.0, 1.0, 0.2, Unit::Amount),
        ParamSpec::linear("width", "Width", 0.0, 2.0, 0.7, Unit::Amount),
        ParamSpec::linear("predelay_ms", "Pre-Delay", 0.0, 200.0, 10.0, Unit::Milliseconds),
    ],
    build: |_sample_rate| Box::new(crate::effects::placeholder::Passthrough),
};
