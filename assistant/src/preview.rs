//! Level-matched preview: a change is heard at the loudness of the rack without it, so that it
//! is judged for what it does and not for being louder.

use crate::rack_change::ChangeError;
use codette_dsp::analysis::{analyse_programme, MeterReading, FLOOR_DB};
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
    pub audio: Stereo,
}

/// Audio to judge changes to a rack by, rendered through the rack as it is and measured once,
/// so that each change costs one render.
pub struct Audition<'a> {
    audio: (&'a [f32], &'a [f32]),
    keep_going: &'a dyn Fn() -> bool,
    sample_rate: f32,
    tempo_bpm: f64,
    slot_count: usize,
    /// The rack as it is, heard.
    pub before: MeterReading,
}

impl<'a> Audition<'a> {
    /// Renders `audio` through `preset` (a rack of `slot_count` slots) with the DSP the plugin
    /// runs. Every render asks `keep_going` as it goes, and fails with
    /// [`ChangeError::cancelled`] when told to stop.
    pub fn new(
        preset: &Preset,
        slot_count: usize,
        audio: (&'a [f32], &'a [f32]),
        sample_rate: f32,
        tempo_bpm: f64,
        keep_going: &'a dyn Fn() -> bool,
    ) -> Result<Self, ChangeError> {
        let before = heard(preset, slot_count, audio, sample_rate, tempo_bpm, keep_going)?.0;
        Ok(Self { audio, keep_going, sample_rate, tempo_bpm, slot_count, before })
    }

    pub fn slot_count(&self) -> usize {
        self.slot_count
    }

    /// The audio through `preset`, measured.
    pub fn render(&self, preset: &Preset) -> Result<(MeterReading, Stereo), ChangeError> {
        heard(preset, self.slot_count, self.audio, self.sample_rate, self.tempo_bpm, self.keep_going)
    }

    /// The audio through `after`, with the gain that matches its integrated loudness to the
    /// rack as it was. A render with no integrated loudness (silence) gets a gain of 0 dB.
    pub fn preview(&self, after: &Preset) -> Result<Preview, ChangeError> {
        let (meters, (mut l, mut r)) = self.render(after)?;
        let (before_lufs, after_lufs) = (self.before.lufs_integrated, meters.lufs_integrated);
        let gain_db =
            if before_lufs > FLOOR_DB && after_lufs > FLOOR_DB { before_lufs - after_lufs } else { 0.0 };
        let gain = 10f32.powf(gain_db / 20.0);
        for x in l.iter_mut().chain(r.iter_mut()) {
            *x *= gain;
        }
        Ok(Preview {
            before_lufs,
            after_lufs,
            before_true_peak_dbtp: self.before.true_peak_dbtp,
            after_true_peak_dbtp: meters.true_peak_dbtp,
            gain_db,
            audio: (l, r),
        })
    }
}

type Stereo = (Vec<f32>, Vec<f32>);

/// `audio` through `preset`, measured.
fn heard(
    preset: &Preset,
    slot_count: usize,
    audio: (&[f32], &[f32]),
    sample_rate: f32,
    tempo_bpm: f64,
    keep_going: &dyn Fn() -> bool,
) -> Result<(MeterReading, Stereo), ChangeError> {
    let (l, r) = render_preset(preset, slot_count, sample_rate, tempo_bpm, audio, keep_going)?
        .ok_or_else(ChangeError::cancelled)?;
    Ok((analyse_programme(&l, &r, sample_rate).meters, (l, r)))
}

/// Renders `audio` through `before` and `after` and previews `after` level-matched to `before`.
pub fn preview(
    before: &Preset,
    after: &Preset,
    slot_count: usize,
    audio: (&[f32], &[f32]),
    sample_rate: f32,
    tempo_bpm: f64,
) -> Result<Preview, ChangeError> {
    Audition::new(before, slot_count, audio, sample_rate, tempo_bpm, &|| true)?.preview(after)
}
