//! Keeps a change from moving the loudness: a change judged louder sounds better whatever it
//! does, and a fix for one finding must not push the track off its loudness target.

use super::Suggestion;
use crate::findings::FindingKind;
use crate::preview::Audition;
use crate::rack_change::{ChangeError, Edit, RackChange};
use codette_dsp::chain::TRIM_RANGE_DB;
use codette_dsp::preset::Preset;

/// Rounds of trimming and measuring, and the loudness difference at which they stop.
const MATCH_ROUNDS: usize = 4;
const MATCHED_LU: f32 = 0.02;

/// Adds to the suggestion's change the output trim, on the first slot it touches, that keeps
/// the loudness of `audition`'s audio through the rack as it was; but less if that would raise
/// the true peak above both its level before the change and `ceiling_dbtp` (checked on renders
/// with the trim). Suggestions whose purpose is the level (loudness, true peak) and those
/// without a change are left as they are.
pub fn make_level_neutral(
    suggestion: &mut Suggestion,
    preset: &Preset,
    audition: &Audition,
    ceiling_dbtp: f32,
) -> Result<(), ChangeError> {
    if matches!(suggestion.finding, Some(FindingKind::LoudnessOffTarget | FindingKind::TruePeakOver)) {
        return Ok(());
    }
    let Some(change) = &mut suggestion.parameters else { return Ok(()) };
    let Some(slot) = change.edits.iter().find_map(|e| match e {
        Edit::InsertEffect { slot, .. } | Edit::SetParameter { slot, .. } => Some(*slot),
        _ => None,
    }) else {
        return Ok(());
    };
    let slot_count = audition.slot_count();
    let render = |change: &RackChange| audition.preview(&change.apply(preset, slot_count)?);
    let untrimmed = render(change)?;
    let current = change.apply(preset, slot_count)?.slots[slot - 1].output_db;
    let with_trim = |trim: f32| {
        let mut trimmed = change.clone();
        let value = (current + trim).clamp(TRIM_RANGE_DB.0, TRIM_RANGE_DB.1);
        trimmed.edits.push(Edit::SetParameter { slot, parameter: "output_db".into(), value });
        (trimmed, value)
    };
    // Limiting after the trimmed slot makes the loudness follow the trim less than one for one:
    // a few rounds of trim and measure converge.
    let allowed = audition.before.true_peak_dbtp.max(ceiling_dbtp);
    let mut trim = untrimmed.gain_db;
    for _ in 0..MATCH_ROUNDS {
        let trimmed = render(&with_trim(trim).0)?;
        let over = trimmed.after_true_peak_dbtp - allowed;
        if over > 0.0 && trim > 0.0 {
            trim = (trim - over).max(0.0);
            break;
        }
        if trimmed.gain_db.abs() < MATCHED_LU {
            break;
        }
        trim += trimmed.gain_db;
    }
    if trim.abs() < 0.01 {
        return Ok(());
    }
    let (trimmed, value) = with_trim(trim);
    *change = trimmed;
    suggestion
        .description
        .push_str(&format!(" An output trim of {value:+.1} dB on slot {slot} keeps the loudness as it was."));
    Ok(())
}
