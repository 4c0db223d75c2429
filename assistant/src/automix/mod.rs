//! Auto-mix: for a set of tracks (the mixdown's: audio, volume, pan), per-track volume, pan and
//! EQ moves that bring the tracks to one loudness and pull apart the ones that fight in the
//! same band, each with the numbers that led to it.
//!
//! The steps, all measured on the tracks as the mix hears them (through the EQ, fader and pan
//! law of the mixdown):
//! 1. Each track's integrated loudness and its energy per band and side ([`measure`]).
//! 2. Conflicts: pairs of tracks sharing energy in a band on the same side, largest first, once
//!    the tracks are at equal loudness. The track for which the band matters least (the
//!    smaller share of its own energy) gets an EQ cut there; when the band is the core of both,
//!    two centred (near-)mono tracks are panned apart instead. The low bands stay centred.
//! 3. Volume: every track to the median loudness of the tracks, measured after its EQ.

mod conflicts;
pub mod measure;

use codette_dsp::chain::SlotConfig;
use conflicts::{resolve, Move};
use measure::{masking, measure, placed, TrackMeasure};
use serde::Serialize;

/// One track as given: its audio before the fader, and where its fader and pan sit.
pub struct TrackInput<'a> {
    pub name: String,
    pub left: &'a [f32],
    pub right: &'a [f32],
    pub volume_db: f32,
    pub pan: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Change {
    pub from: f32,
    pub to: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrackSuggestion {
    pub index: usize,
    pub name: String,
    /// Integrated loudness in the mix as it was, in LUFS; null for silence.
    pub loudness_lufs: Option<f32>,
    pub volume_db: Change,
    pub pan: Change,
    /// An `eq3band` slot to put on the track, when it has a cut to make.
    pub eq: Option<SlotConfig>,
    /// Why each move, with its numbers.
    pub reasons: Vec<String>,
}

/// The two measures auto-mix works on, for the whole set of tracks.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MixMeasure {
    /// Loudest track minus quietest, in LU (silent tracks left out).
    pub loudness_spread_lu: f32,
    /// Share of the energy two tracks contest in the same band and side, with the tracks at
    /// equal loudness ([`measure::masking`]).
    pub masking: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AutoMix {
    /// The loudness every track is brought to: the median of the tracks; null if all are silent.
    pub target_lufs: Option<f32>,
    pub tracks: Vec<TrackSuggestion>,
    /// Measured on the tracks as given, and with every suggestion applied.
    pub before: MixMeasure,
    pub after: MixMeasure,
}

fn median(mut values: Vec<f32>) -> Option<f32> {
    values.sort_by(f32::total_cmp);
    let n = values.len();
    (n > 0).then(|| if n % 2 == 1 { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2]) / 2.0 })
}

fn audible(measures: &[TrackMeasure]) -> Vec<f32> {
    measures.iter().filter(|m| !m.silent()).map(|m| m.loudness).collect()
}

fn mix_measure(measures: &[TrackMeasure]) -> MixMeasure {
    let loud = audible(measures);
    let spread =
        loud.iter().copied().fold(f32::MIN, f32::max) - loud.iter().copied().fold(f32::MAX, f32::min);
    MixMeasure { loudness_spread_lu: spread.max(0.0), masking: masking(measures) as f32 }
}

pub fn auto_mix(tracks: &[TrackInput], sample_rate: f32) -> AutoMix {
    let measure_with = |t: &TrackInput, eq: Option<&SlotConfig>, volume_db: f32, pan: f32| {
        let (l, r) = placed(t.left, t.right, sample_rate, eq, volume_db, pan);
        measure(&l, &r, sample_rate)
    };
    let before: Vec<TrackMeasure> =
        tracks.iter().map(|t| measure_with(t, None, t.volume_db, t.pan)).collect();
    let names: Vec<&str> = tracks.iter().map(|t| t.name.as_str()).collect();
    let mono: Vec<bool> = tracks.iter().map(|t| conflicts::near_mono(t.left, t.right)).collect();
    let pans: Vec<f32> = tracks.iter().map(|t| t.pan).collect();
    let moves: Vec<Move> = resolve(&before, &names, &mono, &pans);

    let after_eq: Vec<TrackMeasure> =
        tracks.iter().zip(&moves).map(|(t, m)| measure_with(t, m.eq.as_ref(), t.volume_db, m.pan)).collect();
    let target = median(audible(&after_eq));
    let count = audible(&after_eq).len();
    let mut suggestions = Vec::with_capacity(tracks.len());
    for (index, ((track, mut m), measured)) in tracks.iter().zip(moves).zip(&after_eq).enumerate() {
        let mut volume = track.volume_db;
        match target {
            Some(target) if !measured.silent() => {
                let gain = target - measured.loudness;
                volume = ((track.volume_db + gain) * 10.0).round() / 10.0;
                volume = volume.clamp(-120.0, 24.0);
                m.reasons.push(format!(
                    "{:.1} LUFS in the mix{}, {:+.1} LU from {target:.1} LUFS, the median of the {count} audible tracks: volume {:.1} → {volume:.1} dB",
                    measured.loudness,
                    if m.eq.is_some() { " after its EQ" } else { "" },
                    -gain,
                    track.volume_db
                ));
            }
            _ => m.reasons.push("silent: nothing to balance".into()),
        }
        suggestions.push(TrackSuggestion {
            index,
            name: track.name.clone(),
            loudness_lufs: (!before[index].silent()).then_some(before[index].loudness),
            volume_db: Change { from: track.volume_db, to: volume },
            pan: Change { from: track.pan, to: m.pan },
            eq: m.eq,
            reasons: m.reasons,
        });
    }
    let after: Vec<TrackMeasure> = tracks
        .iter()
        .zip(&suggestions)
        .map(|(t, s)| measure_with(t, s.eq.as_ref(), s.volume_db.to, s.pan.to))
        .collect();
    AutoMix {
        target_lufs: target,
        tracks: suggestions,
        before: mix_measure(&before),
        after: mix_measure(&after),
    }
}
