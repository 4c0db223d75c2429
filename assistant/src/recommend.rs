//! A recommendation: the template for an instrument and genre, tuned to the analysis when there
//! is one, as a preset ready to load with the reason for every slot and every tuned value.

use crate::templates::{Role, Template};
use crate::tuning::{self, Adjustment};
use crate::{Genre, Instrument};
use codette_dsp::analysis::MeterReading;
use codette_dsp::preset::Preset;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlotNote {
    /// 1-based.
    pub slot: usize,
    pub effect: String,
    pub role: Role,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    pub instrument: Instrument,
    pub genre: Genre,
    /// Load it as it is (`PUT /api/instances/{id}/state`).
    pub preset: Preset,
    /// Why each slot is there, as the template set it.
    pub slots: Vec<SlotNote>,
    /// What the analysis changed, and why; empty without one.
    pub adjustments: Vec<Adjustment>,
    /// Whether the values were tuned to a measurement.
    pub tuned: bool,
    pub target_lufs: f32,
}

pub fn recommend(
    instrument: Instrument,
    genre: Genre,
    meters: Option<&MeterReading>,
    target_lufs: f32,
) -> Recommendation {
    let mut template = Template::new(instrument, genre);
    let slots = template
        .slots
        .iter()
        .enumerate()
        .map(|(i, s)| SlotNote {
            slot: i + 1,
            effect: s.config.effect.clone().unwrap_or_default(),
            role: s.role,
            reason: s.reason.clone(),
        })
        .collect();
    let adjustments = meters.map(|m| tuning::tune(&mut template, m, target_lufs)).unwrap_or_default();
    Recommendation {
        instrument,
        genre,
        preset: template.preset(),
        slots,
        adjustments,
        tuned: meters.is_some(),
        target_lufs,
    }
}
