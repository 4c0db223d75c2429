//! Modulation Codette proposes: ducking a reverb's or a delay's wet signal under the dry one
//! with an envelope follower, so the tail fills the gaps instead of blurring the notes; and a
//! filter's cutoff moving with the tempo, from an LFO synced to the song.

use super::rack::{holding, value};
use super::{Suggestion, SuggestionType};
use crate::findings::Evidence;
use crate::rack_change::{Edit, RackChange};
use codette_dsp::analysis::{MeterReading, FLOOR_DB};
use codette_dsp::modulation::{FollowerConfig, LfoConfig, LfoRate, LfoShape, Polarity, Route, Source};
use codette_dsp::preset::Preset;
use codette_dsp::targets::effect_param_id;

/// How far the wet level falls under a full-scale follower: half its range.
const DUCK_DEPTH: f32 = -0.5;
/// The cutoff's swing each way: a tenth of its ten-octave range, an octave.
const SWEEP_DEPTH: f32 = 0.1;
/// One cycle per half note: a bar of 4/4 holds two sweeps.
const SWEEP_NOTE: &str = "1/2";

/// One suggestion per reverb or delay slot whose wet level nothing modulates yet, while a
/// follower is free (routed nowhere). The follower's gain brings the programme's RMS level to
/// full scale, so whatever plays at its usual level ducks the tail by the whole depth; without a
/// level heard (silence reads the analysis' floor) there is no gain to set, so no suggestion.
pub(super) fn duck_wet_under_dry(m: &MeterReading, preset: &Preset, slots: usize) -> Vec<Suggestion> {
    if m.rms_dbfs <= FLOOR_DB {
        return Vec::new();
    }
    let modulation = &preset.modulation;
    let used = |i: usize| modulation.routes.iter().any(|r| r.source == Source::Follower(i));
    let Some(follower) = (0..modulation.followers.len()).find(|&i| !used(i)) else { return Vec::new() };
    let gain_db = (-m.rms_dbfs).clamp(0.0, 48.0).round();
    holding(preset, slots, |id| id.ends_with("reverb") || id.ends_with("delay"))
        .into_iter()
        .filter_map(|(slot, config)| {
            let effect = config.effect.as_deref()?;
            let parameter = if effect.ends_with("reverb") { "wet_level" } else { "mix" };
            let target = effect_param_id(slot - 1, effect, parameter);
            if modulation.routes.iter().any(|r| r.target == target) {
                return None;
            }
            let wet = value(config, parameter)?;
            let edits = vec![
                Edit::SetFollower {
                    index: follower,
                    config: FollowerConfig { attack_ms: 5.0, release_ms: 250.0, gain_db, ..FollowerConfig::default() },
                },
                Edit::AddRoute {
                    route: Route {
                        source: Source::Follower(follower),
                        target: target.clone(),
                        depth: DUCK_DEPTH,
                        mapping: Polarity::Unipolar,
                        enabled: true,
                    },
                },
            ];
            Some(Suggestion {
                id: format!("duck_wet_s{slot}"),
                kind: SuggestionType::Modulation,
                finding: None,
                title: format!("Duck the {effect} under the dry signal"),
                description: format!(
                    "Follower {follower} listens to the rack's input (5 ms attack, 250 ms release, +{gain_db} dB \
                     so the music at its RMS level of {:.1} dBFS drives it fully) and lowers slot {slot}'s {parameter} from {wet:.2} by \
                     up to half its range while the music plays: the tail stays out of the notes and blooms in \
                     the gaps.",
                    m.rms_dbfs
                ),
                evidence: vec![
                    Evidence::new(&format!("s{slot}.{parameter}"), wet, wet, "", "unmodulated"),
                    Evidence::new("rms_dbfs", m.rms_dbfs, 0.0, "dBFS", "follower gain brings it to"),
                ],
                parameters: Some(RackChange::new(edits)),
                unavailable: None,
                confidence: 0.6,
            })
        })
        .collect()
}

/// One suggestion per filter slot whose cutoff nothing modulates yet, while an LFO is free: a
/// sine synced to half notes swings the cutoff an octave either way, in time with the song.
pub(super) fn filter_sweep(preset: &Preset, slots: usize) -> Vec<Suggestion> {
    let modulation = &preset.modulation;
    let used = |i: usize| modulation.routes.iter().any(|r| r.source == Source::Lfo(i));
    let Some(lfo) = (0..modulation.lfos.len()).find(|&i| !used(i)) else { return Vec::new() };
    holding(preset, slots, |id| id == "highlow_pass")
        .into_iter()
        .filter_map(|(slot, config)| {
            let target = effect_param_id(slot - 1, "highlow_pass", "cutoff_freq");
            if modulation.routes.iter().any(|r| r.target == target) {
                return None;
            }
            let cutoff = value(config, "cutoff_freq")?;
            let edits = vec![
                Edit::SetLfo {
                    index: lfo,
                    config: LfoConfig {
                        shape: LfoShape::Sine,
                        rate: LfoRate::Sync(SWEEP_NOTE.into()),
                        polarity: Polarity::Bipolar,
                        ..modulation.lfos[lfo].clone()
                    },
                },
                Edit::AddRoute {
                    route: Route {
                        source: Source::Lfo(lfo),
                        target,
                        depth: SWEEP_DEPTH,
                        mapping: Polarity::Bipolar,
                        enabled: true,
                    },
                },
            ];
            Some(Suggestion {
                id: format!("sweep_filter_s{slot}"),
                kind: SuggestionType::Modulation,
                finding: None,
                title: "Move the filter with the tempo".into(),
                description: format!(
                    "LFO {lfo}, a sine synced to half notes, swings slot {slot}'s cutoff an octave either side \
                     of {cutoff:.0} Hz: a static filter comes alive in time with the song."
                ),
                evidence: vec![Evidence::new(&format!("s{slot}.cutoff_freq"), cutoff, cutoff, "Hz", "unmodulated")],
                parameters: Some(RackChange::new(edits)),
                unavailable: None,
                confidence: 0.4,
            })
        })
        .collect()
}
