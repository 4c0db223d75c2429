//! Ping-Pong Delay: the input, summed to mono, echoes first on the left, then on the right, and
//! so on, every repeat scaled by the feedback. Width narrows the alternation toward the centre.

use crate::blocks::echo::{Channels, Control, Echo, Routing};
use crate::effect::{EffectSpec, Family};
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
    build: |sample_rate| Box::new(Echo::new(sample_rate, Routing::PingPong, SPEC.params, CONTROLS)),
};

const CONTROLS: &[Control] = &[
    Control::Time(Channels::Both),
    Control::Feedback,
    Control::Width,
    Control::Mix,
    Control::Sync(Channels::Both),
];
