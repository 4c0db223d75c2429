//! The change proposed for each finding, computed from its measured numbers.

use super::rack::{holding, in_order, value};
use super::Fix;
use crate::band_bell;
use crate::delivery::limiter_threshold;
use crate::findings::{Context, Finding, FindingKind};
use crate::rack_change::{free_slot, ChangeError, Edit, Place, RackChange};
use crate::reference::Reference;
use codette_dsp::analysis::{Band, MeterReading, RANGES};
use codette_dsp::chain::{SlotConfig, TRIM_RANGE_DB};
use codette_dsp::preset::Preset;

pub(super) fn fix(
    finding: &Finding,
    m: &MeterReading,
    preset: &Preset,
    slots: usize,
    context: &Context,
) -> Fix {
    let reference = Reference::for_genre(context.genre);
    let delivery = context.delivery();
    let ceiling = limiter_threshold(delivery.ceiling_dbtp());
    match finding.id {
        FindingKind::LoudnessOffTarget => {
            final_limiter(preset, slots, delivery.target_lufs() - m.lufs_integrated, ceiling)
        }
        FindingKind::TruePeakOver => final_limiter(preset, slots, 0.0, ceiling),
        FindingKind::Clipping => none(
            "The rack cannot restore clipped samples.",
            "the clipping is in the signal the rack receives",
        ),
        FindingKind::Rumble => insert(
            preset,
            slots,
            Place::First,
            SlotConfig::effect("highlow_pass")
                .with("filter_type", 0.0)
                .with("cutoff_freq", 35.0)
                .with("order", 4.0),
            "A 24 dB/octave high-pass at 35 Hz, first in the chain, removes what lies below the music."
                .into(),
            0.9,
        ),
        FindingKind::Mud => {
            let cut = band_move(m.range_balance.hz_200_500 - reference.range_balance.hz_200_500);
            eq_bell(preset, slots, &RANGES[0], -cut, 0.8)
        }
        FindingKind::Harshness => {
            let cut = band_move(m.range_balance.hz_2000_5000 - reference.range_balance.hz_2000_5000);
            eq_bell(preset, slots, &RANGES[1], -cut, 0.8)
        }
        FindingKind::Dullness => {
            let boost = band_move(reference.tonal_balance.high - m.tonal_balance.high);
            let config = SlotConfig::effect("eq3band").with("high_gain", boost).with("high_freq", 8000.0);
            let description = format!("A high shelf of +{boost:.1} dB from 8 kHz brings the air back.");
            insert(preset, slots, Place::First, config, description, 0.8)
        }
        FindingKind::OverCompressed => release_dynamics(preset, slots, finding.excess),
        FindingKind::TooDynamic => too_dynamic(m, preset, slots, ceiling),
        FindingKind::PhaseProblem => none(
            "Flip the polarity of one channel of the part at fault, or check its microphones' alignment.",
            "the rack has no polarity or mid/side control",
        ),
        FindingKind::TooNarrow => {
            // Two short, different delays at a quarter of the mix decorrelate the sides.
            let config = SlotConfig::effect("stereo_delay")
                .with("time_l_ms", 7.0)
                .with("time_r_ms", 17.0)
                .with("feedback", 0.0)
                .with("mix", 0.25);
            let description = "Short different delays on the left (7 ms) and right (17 ms), mixed at 25%, \
                               widen the image without moving its centre."
                .to_string();
            insert(preset, slots, Place::Last, config, description, 0.6)
        }
        FindingKind::TooWide => narrow_time_effects(preset, slots),
    }
}

/// How much to move a band: its distance from the reference, at least 2 dB (less is not worth
/// a slot) and at most 9 dB (more should be fixed at the source).
fn band_move(distance_db: f32) -> f32 {
    (distance_db.clamp(2.0, 9.0) * 2.0).round() / 2.0
}

/// Values a person sets: dB to a tenth, which is finer than anyone hears.
fn tenths(x: f32) -> f32 {
    (x * 10.0).round() / 10.0
}

fn none(description: &str, reason: &str) -> Fix {
    Fix {
        description: description.to_string(),
        change: Err(ChangeError {
            field: "parameters".into(),
            message: format!("no change to propose: {reason}"),
        }),
        certainty: 0.0,
    }
}

fn insert(
    preset: &Preset,
    slots: usize,
    place: Place,
    config: SlotConfig,
    description: String,
    certainty: f32,
) -> Fix {
    let change = free_slot(preset, slots)
        .map(|slot| RackChange::new(vec![Edit::InsertEffect { slot, place, config }]));
    Fix { description, change, certainty }
}

/// A bell on `band` (`RANGES[0]` the 200-500 Hz of mud, `RANGES[1]` the 2-5 kHz of harshness).
fn eq_bell(preset: &Preset, slots: usize, band: &Band, gain: f32, certainty: f32) -> Fix {
    let (freq, q) = band_bell(band);
    let config = SlotConfig::effect("eq3band").with("mid_gain", gain).with("mid_freq", freq).with("mid_q", q);
    let description = format!("A bell of {gain:+.1} dB at {freq:.0} Hz (Q {q}) evens the band out.");
    insert(preset, slots, Place::First, config, description, certainty)
}

/// Sets the final level with a limiter last in the chain: the one already there, or a new one.
/// `gain_db` is added to its input trim, its ceiling set to `ceiling`.
fn final_limiter(preset: &Preset, slots: usize, gain_db: f32, ceiling: f32) -> Fix {
    let (low, high) = TRIM_RANGE_DB;
    let ceiling = tenths(ceiling);
    let description = |gain: f32| {
        format!("A limiter last in the chain with {gain:+.1} dB of input gain and its ceiling at {ceiling} dB sets the level.")
    };
    if let Some((slot, config)) =
        in_order(preset, slots).last().filter(|(_, c)| c.effect.as_deref() == Some("limiter"))
    {
        let gain = tenths((config.input_db + gain_db).clamp(low, high));
        let change = RackChange::new(vec![
            Edit::SetParameter { slot: *slot, parameter: "input_db".into(), value: gain },
            Edit::SetParameter { slot: *slot, parameter: "threshold".into(), value: ceiling },
        ]);
        return Fix { description: description(gain), change: Ok(change), certainty: 1.0 };
    }
    let gain = tenths(gain_db.clamp(low, high));
    let config = SlotConfig { input_db: gain, ..SlotConfig::effect("limiter").with("threshold", ceiling) };
    insert(preset, slots, Place::Last, config, description(gain), 1.0)
}

/// Over-compression the rack causes: halves the ratio of its compressors and raises their
/// thresholds by the PLR missing; lowers the drive into its limiters.
fn release_dynamics(preset: &Preset, slots: usize, missing_db: f32) -> Fix {
    let mut edits = Vec::new();
    for (slot, config) in holding(preset, slots, |id| id == "compressor" || id == "limiter") {
        if config.effect.as_deref() == Some("compressor") {
            let ratio = value(config, "ratio").unwrap_or(4.0);
            let threshold = value(config, "threshold").unwrap_or(-20.0);
            edits.push(Edit::SetParameter { slot, parameter: "ratio".into(), value: (ratio / 2.0).max(1.0) });
            let raised = (threshold + missing_db.max(3.0)).min(0.0).round();
            edits.push(Edit::SetParameter { slot, parameter: "threshold".into(), value: raised });
        } else if config.input_db > 0.0 {
            // A limiter driven into constant gain reduction makes the same output whatever the
            // drive (its gain follows the input's envelope), so a few dB less change nothing:
            // half the drive, and three dB less for each dB of PLR missing.
            let lowered = (config.input_db / 2.0 - 3.0 * missing_db).max(0.0).round();
            edits.push(Edit::SetParameter { slot, parameter: "input_db".into(), value: lowered });
        }
    }
    if edits.is_empty() {
        return none(
            "The squashing happened before the rack: use a less limited version of the source.",
            "no compressor or driven limiter in the rack",
        );
    }
    let description = "Half the ratio and a higher threshold on the rack's compressors, less drive into its \
                       limiters, let the transients through."
        .to_string();
    Fix { description, change: Ok(RackChange::new(edits)), certainty: 0.7 }
}

/// A too-wide image the rack makes: halves the width of its reverbs and ping-pong delays.
fn narrow_time_effects(preset: &Preset, slots: usize) -> Fix {
    let mut edits = Vec::new();
    for (slot, config) in holding(preset, slots, |id| id.ends_with("reverb") || id == "pingpong_delay") {
        let parameter =
            if config.effect.as_deref() == Some("pingpong_delay") { "stereo_width" } else { "width" };
        if let Some(width) = value(config, parameter).filter(|&w| w > 0.2) {
            edits.push(Edit::SetParameter {
                slot,
                parameter: parameter.into(),
                value: (width / 2.0 * 100.0).round() / 100.0,
            });
        }
    }
    if edits.is_empty() {
        return none(
            "Pan the wide parts closer to the centre, or narrow them where they are recorded.",
            "no reverb or ping-pong delay in the rack widens the image",
        );
    }
    let description =
        "Half the width on the rack's reverbs and ping-pong delays brings the image back together."
            .to_string();
    Fix { description, change: Ok(RackChange::new(edits)), certainty: 0.7 }
}

/// A slow compressor first in the chain, and a limiter last if there is none, to catch the
/// peaks of the gain that brings the loudness back.
fn too_dynamic(m: &MeterReading, preset: &Preset, slots: usize, ceiling: f32) -> Fix {
    let threshold = (m.lufs_integrated - m.loudness_range_lu / 2.0).clamp(-60.0, 0.0).round();
    let compressor = SlotConfig::effect("compressor")
        .with("threshold", threshold)
        .with("ratio", 3.0)
        .with("attack", 5.0)
        .with("release", 300.0)
        .with("knee", 6.0);
    let mut description = format!(
        "A slow 3:1 compressor from {threshold:.0} dB, half the loudness range under the integrated loudness, \
         brings the loud passages closer to the quiet ones."
    );
    let has_limiter =
        in_order(preset, slots).last().is_some_and(|(_, c)| c.effect.as_deref() == Some("limiter"));
    let change = free_slot(preset, slots).and_then(|slot| {
        let mut change =
            RackChange::new(vec![Edit::InsertEffect { slot, place: Place::First, config: compressor }]);
        if !has_limiter {
            let limiter = free_slot(&change.apply(preset, slots)?, slots)?;
            let config = SlotConfig::effect("limiter").with("threshold", tenths(ceiling));
            change.edits.push(Edit::InsertEffect { slot: limiter, place: Place::Last, config });
            description.push_str(&format!(" A limiter last, at {ceiling:.1} dB, keeps the peaks in place."));
        }
        Ok(change)
    });
    Fix { description, change, certainty: 0.75 }
}
