//! Multi-Tap Delay: tap k of `tap_count` echoes the input k spacings later at its own level;
//! the last tap feeds back, so the whole pattern repeats scaled by the feedback.

use crate::blocks::echo::{Channels, Control, Echo, Routing};
use crate::effect::{EffectSpec, Family};
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
    build: |sample_rate| Box::new(Echo::new(sample_rate, Routing::Straight, SPEC.params, CONTROLS)),
};

const CONTROLS: &[Control] = &[
    Control::TapCount,
    Control::Time(Channels::Both),
    Control::Feedback,
    Control::TapLevel(0),
    Control::TapLevel(1),
    Control::TapLevel(2),
    Control::TapLevel(3),
    Control::TapLevel(4),
    Control::TapLevel(5),
    Control::TapLevel(6),
    Control::TapLevel(7),
    Control::Mix,
    Control::Sync(Channels::Both),
];
