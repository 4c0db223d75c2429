//! Simple Delay: each channel echoes itself after the set time, every repeat scaled by the
//! feedback.

use crate::blocks::echo::{Channels, Control, Echo, Routing};
use crate::effect::{EffectSpec, Family};
use crate::param::{ParamSpec, Unit};
use crate::util::SYNC_OPTIONS;

pub static SPEC: EffectSpec = EffectSpec {
    id: "simple_delay",
    name: "Simple Delay",
    family: Family::Delay,
    params: &[
        ParamSpec::log("time_ms", "Time", 1.0, 5000.0, 500.0, Unit::Milliseconds),
        ParamSpec::linear("feedback", "Feedback", 0.0, 0.95, 0.5, Unit::Amount),
        ParamSpec::linear("mix", "Mix", 0.0, 1.0, 0.5, Unit::Amount),
        ParamSpec::choice("sync", "Sync", SYNC_OPTIONS, 0),
    ],
    build: |sample_rate| Box::new(Echo::new(sample_rate, Routing::Straight, SPEC.params, CONTROLS)),
};

const CONTROLS: &[Control] =
    &[Control::Time(Channels::Both), Control::Feedback, Control::Mix, Control::Sync(Channels::Both)];
