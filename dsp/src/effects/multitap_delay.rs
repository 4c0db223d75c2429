//! Multi-Tap Delay. PLACEHOLDER: the specification is final, the processing is not written yet.

use crate::effect::{Effect, EffectSpec, Family};
use crate::param::{ParamSpec, Unit};
use crate::util::SYNC_OPTIONS;

pub static SPEC: EffectSpec = EffectSpec {
    id: "multitap_delay",
    name: "Multi-Tap Delay",
    family: Family::Delay,
    params: &[
        ParamSpec::integer("tap_count", "Taps", 1.0, 8.0, 4.0),
        ParamSpec::log("spacing_ms", "Spacing", 50.0, 2000.0, 250.0, Unit::Milliseconds),
        ParamSpec::linear("feedback", "Feedback", 0.0, 0.95, 0.4, Unit::Amount),
        ParamSpec::linear("tap_level_1", "Tap 1 Level", 0.0, 1.0, 0.25, Unit::Amount),
        ParamSpec::linear("tap_level_2", "Tap 2 Level", 0.0, 1.0, 0.25, Unit::Amount),
        ParamSpec::linear("tap_level_3", "Tap 3 Level", 0.0, 1.0, 0.25, Unit::Amount),
        ParamSpec::linear("tap_level_4", "Tap 4 Level", 0.0, 1.0, 0.25, Unit::Amount),
        ParamSpec::linear("tap_level_5", "Tap 5 Level", 0.0, 1.0, 0.25, Unit::Amount),
        ParamSpec::linear("tap_level_6", "Tap 6 Level", 0.0, 1.0, 0.25, Unit::Amount),
        ParamSpec::linear("tap_level_7", "Tap 7 Level", 0.0, 1.0, 0.25, Unit::Amount),
        ParamSpec::linear("tap_level_8", "Tap 8 Level", 0.0, 1.0, 0.25, Unit::Amount),
        ParamSpec::linear("mix", "Mix", 0.0, 1.0, 0.5, Unit::Amount),
        ParamSpec::choice("sync", "Sync", SYNC_OPTIONS, 0),
    ],
    build: |_sample_rate| Box::new(crate::effects::placeholder::Passthrough),
};
