//! High/Low Pass. PLACEHOLDER: the specification is final, the processing is not written yet.

use crate::effect::{Effect, EffectSpec, Family};
use crate::param::{ParamSpec, Unit};

pub static SPEC: EffectSpec = EffectSpec {
    id: "highlow_pass",
    name: "High/Low Pass",
    family: Family::Eq,
    params: &[
        ParamSpec::choice("filter_type", "Type", &["highpass", "lowpass"], 0),
        ParamSpec::log("cutoff_freq", "Cutoff", 20.0, 20_000.0, 1000.0, Unit::Hertz),
        ParamSpec::integer("order", "Order", 1.0, 6.0, 2.0),
    ],
    build: |_sample_rate| Box::new(crate::effects::placeholder::Passthrough),
};
