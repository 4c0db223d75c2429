//! Stereo Delay: the left and right channels echo themselves after independent times (each
//! optionally tempo-synced), every repeat scaled by the feedback.

use crate::blocks::echo::{Channels, Control, Echo, Routing};
use crate::effect::{EffectSpec, Family};
use crate::param::{ParamSpec, Unit};
use crate::util::SYNC_OPTIONS;

pub static SPEC: EffectSpec = EffectSpec {
    id: "stereo_delay",
    name: "Stereo Delay",
    family: Family::Delay,
    params: &[
        ParamSpec::log("time_l_ms", "Time L", 1.0, 5000.0, 400.0, Unit::Milliseconds),
        ParamSpec::log("time_r_ms", "Time R", 1.0, 5000.0, 500.0, Unit::Milliseconds),
        ParamSpec::linear("feedback", "Feedback", 0.0, 0.95, 0.5, Unit::Amount),
        ParamSpec::linear("mix", "Mix", 0.0, 1.0, 0.5, Unit::Amount),
        ParamSpec::choice("sync_l", "Sync L", SYNC_OPTIONS, 0),
        ParamSpec::choice("sync_r", "Sync R", SYNC_OPTIONS, 0),
    ],
    build: |sample_rate| Box::new(Echo::new(sample_rate, Routing::Straight, SPEC.params, CONTROLS)),
};

const CONTROLS: &[Control] = &[
    Control::Time(Channels::Left),
    Control::Time(Channels::Right),
    Control::Feedback,
    Control::Mix,
    Control::Sync(Channels::Left),
    Control::Sync(Channels::Right),
];
