//! Keeps a change from moving the loudness: a change judged louder sounds better whatever it
//! does, and a fix for one finding must not push the track off its loudness target.

use super::Suggestion;
use crate::findings::FindingKind;
use crate::preview::{preview, Preview};
use crate::rack_change::{ChangeError, Edit, RackChange};
use codette_dsp::chain::TRIM_RANGE_DB;
use codette_dsp::preset::Preset;

/// Rounds of trimming and measuring, and the loudness difference at which they stop.
const MATCH_ROUNDS: usize = 4;
const MATCHED_LU: f32 = 0.02;

/// Renders `audio` through the rack with and without the suggestion's change and adds the
/// difference of their integrated loudness to the output trim of the first slot the change
/// touches, so that the changed rack plays as loud as before; but less if that would raise the
/// true peak above both its level before the change and `ceiling_dbtp` (checked on renders
/// with the trim). Suggestions whose purpose is the level (loudness, true peak) and
/// those without a change are left as they are.
pub fn make_level_neutral(
    suggestion: &mut Suggestion,
    preset: &Preset,
    slot_count: usize,
    audio: (&[f32], &[f32]),
    sample_rate: f32,
    tempo_bpm: f64,
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
    let render = |change: &RackChange| -> Result<Preview, ChangeError> {
        preview(preset, &change.apply(preset, slot_count)?, slot_count, audio, sample_rate, tempo_bpm)
    };
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
    let allowed = untrimmed.before_true_peak_dbtp.max(ceiling_dbtp);
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
