//! Ping-Pong Delay. PLACEHOLDER: the specification is final, the processing is not written yet.

use crate::effect::{Effect, EffectSpec, Family};
use crate::param::{ParamSpec, Unit};
use crate::util::SYNC_OPTIONS;

pub static SPEC: EffectSpec = EffectSpec {
    id: "pingpong_delay",
    name: "Ping-Pong Delay",
    family: Family::Delay,
    params: &[
        ParamSpec::log("time_ms", "Time", 1.0, 5000.0, 500.0, Unit::Milliseconds),
        ParamSpec::linear("feedback", "Feedback", 0.0, 0.95, 0.5, Unit::Amount),
        ParamSpec::linear("stereo_width", "Width", 0.0, 1.0, 1.0, Unit::Amount),
        ParamSpec::linear("mix", "Mix", 0.0, 1.0, 0.5, Unit::Amount),
        ParamSpec::choice("sync", "Sync", SYNC_OPTIONS, 0),
    ],
    build: |_sample_rate| Box::new(crate::effects::placeholder::Passthrough),
};
