//! Level-matched preview: a change is heard at the loudness of the rack without it, so that it
//! is judged for what it does and not for being louder.

use crate::rack_change::ChangeError;
use codette_dsp::analysis::{analyse_programme, FLOOR_DB};
use codette_dsp::preset::Preset;
use codette_dsp::preset_render::render_preset;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Preview {
    /// Integrated loudness of the audio through the rack as it is.
    pub before_lufs: f32,
    /// Integrated loudness through the rack with the change.
    pub after_lufs: f32,
    /// True peaks of the two renders (the changed one before the gain).
    pub before_true_peak_dbtp: f32,
    pub after_true_peak_dbtp: f32,
    /// The gain that brings the changed rack's output to the loudness of the rack as it is:
    /// play the preview through it.
    pub gain_db: f32,
    /// The changed rack's output, level-matched (left, right).
    #[serde(skip)]
    pub audio: (Vec<f32>, Vec<f32>),
}

/// Renders `audio` through `before` and `after` (racks of `slot_count` slots) with the DSP the
/// plugin runs, and the gain that matches their integrated loudness. A render with no
/// integrated loudness (silence) gets a gain of 0 dB.
pub fn preview(
    before: &Preset,
    after: &Preset,
    slot_count: usize,
    (left, right): (&[f32], &[f32]),
    sample_rate: f32,
    tempo_bpm: f64,
) -> Result<Preview, ChangeError> {
    let render =
        |preset: &Preset| render_preset(preset, slot_count, sample_rate, tempo_bpm, (left, right), 0);
    let (l, r) = render(before)?;
    let before_meters = analyse_programme(&l, &r, sample_rate).meters;
    let (mut l, mut r) = render(after)?;
    let after_meters = analyse_programme(&l, &r, sample_rate).meters;
    let (before_lufs, after_lufs) = (before_meters.lufs_integrated, after_meters.lufs_integrated);
    let gain_db =
        if before_lufs > FLOOR_DB && after_lufs > FLOOR_DB { before_lufs - after_lufs } else { 0.0 };
    let gain = 10f32.powf(gain_db / 20.0);
    for x in l.iter_mut().chain(r.iter_mut()) {
        *x *= gain;
    }
    Ok(Preview {
        before_lufs,
        after_lufs,
        before_true_peak_dbtp: before_meters.true_peak_dbtp,
        after_true_peak_dbtp: after_meters.true_peak_dbtp,
        gain_db,
        audio: (l, r),
    })
}
