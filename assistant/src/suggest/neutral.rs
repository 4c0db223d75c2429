//! Keeps a change from moving the loudness: a change judged louder sounds better whatever it
//! does, and a fix for one finding must not push the track off its loudness target.

use super::Suggestion;
use crate::findings::FindingKind;
use crate::preview::preview;
use crate::rack_change::{ChangeError, Edit};
use codette_dsp::chain::TRIM_RANGE_DB;
use codette_dsp::preset::Preset;

/// Renders `audio` through the rack with and without the suggestion's change and adds the
/// difference of their integrated loudness to the output trim of the slot the change touches
/// last, so that the changed rack plays as loud as before. Suggestions whose purpose is the
/// level (loudness, true peak) and those without a change are left as they are.
pub fn make_level_neutral(
    suggestion: &mut Suggestion,
    preset: &Preset,
    slot_count: usize,
    audio: (&[f32], &[f32]),
    sample_rate: f32,
    tempo_bpm: f64,
) -> Result<(), ChangeError> {
    if matches!(suggestion.finding, Some(FindingKind::LoudnessOffTarget | FindingKind::TruePeakOver)) {
        return Ok(());
    }
    let Some(change) = &mut suggestion.parameters else { return Ok(()) };
    let Some(slot) = change.edits.iter().rev().find_map(|e| match e {
        Edit::InsertEffect { slot, .. } | Edit::SetParameter { slot, .. } => Some(*slot),
        _ => None,
    }) else {
        return Ok(());
    };
    let after = change.apply(preset, slot_count)?;
    let gain_db = preview(preset, &after, slot_count, audio, sample_rate, tempo_bpm)?.gain_db;
    let current = after.slots[slot - 1].output_db;
    let trim = ((current + gain_db).clamp(TRIM_RANGE_DB.0, TRIM_RANGE_DB.1) * 10.0).round() / 10.0;
    if (trim - current).abs() < 0.05 {
        return Ok(());
    }
    change.edits.push(Edit::SetParameter { slot, parameter: "output_db".into(), value: trim });
    suggestion
        .description
        .push_str(&format!(" Its output trim of {trim:+.1} dB keeps the loudness as it was."));
    Ok(())
}
