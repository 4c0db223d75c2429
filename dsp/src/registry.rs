//! The list of effects the rack offers. Adding an effect is one line here and one file in
//! `effects/`. The order is the order of pickers and of the host's "effect type" choices, so
//! new effects are appended: state stores effect ids, never positions.

use crate::effect::EffectSpec;
use crate::effects;

pub static EFFECTS: &[&EffectSpec] = &[
    &effects::eq3band::SPEC,
    &effects::highlow_pass::SPEC,
    &effects::compressor::SPEC,
    &effects::limiter::SPEC,
    &effects::expander::SPEC,
    &effects::gate::SPEC,
    &effects::noise_gate::SPEC,
    &effects::saturation::SPEC,
    &effects::hardclip::SPEC,
    &effects::distortion::SPEC,
    &effects::waveshaper::SPEC,
    &effects::simple_delay::SPEC,
    &effects::pingpong_delay::SPEC,
    &effects::multitap_delay::SPEC,
    &effects::stereo_delay::SPEC,
    &effects::reverb::SPEC,
    &effects::hall_reverb::SPEC,
    &effects::plate_reverb::SPEC,
    &effects::room_reverb::SPEC,
];

pub fn find(id: &str) -> Option<&'static EffectSpec> {
    EFFECTS.iter().copied().find(|e| e.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_defaults_in_range() {
        for (i, e) in EFFECTS.iter().enumerate() {
            assert!(EFFECTS[i + 1..].iter().all(|o| o.id != e.id), "duplicate effect id {}", e.id);
            for (j, p) in e.params.iter().enumerate() {
                assert!(e.params[j + 1..].iter().all(|o| o.id != p.id), "{}: duplicate {}", e.id, p.id);
                assert!(p.min <= p.default && p.default <= p.max, "{}.{} default out of range", e.id, p.id);
            }
        }
        assert_eq!(EFFECTS.len(), 19);
    }
}
