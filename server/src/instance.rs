//! What an instance shows and accepts through `/api/instances/{id}/…`.
//!
//! Slots and positions are numbered from 1, as the parameter ids are (`s3_compressor_threshold`
//! is slot 3), so that a client never has to translate between the two.

use crate::slots::ParamValue;
use codette_dsp::analysis::MeterReading;
use codette_dsp::modulation::{AutomationLane, ModulationConfig, RecordMode};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ParamKind {
    /// A number in a range (mapped logarithmically where the unit calls for it).
    Continuous,
    /// Whole numbers.
    Integer,
    /// One of `options`; `value` is the option's index.
    Choice,
    /// On (1) or off (0).
    Toggle,
}

/// One host parameter, as the host's generic editor would show it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ParamView {
    /// The stable id hosts and the API know it by.
    pub id: String,
    /// "Slot 3 · Compressor · Threshold".
    pub name: String,
    /// The value in plain units (dB, Hz, ms, …), without host modulation.
    pub value: f64,
    /// The value as the host displays it, unit included.
    pub text: String,
    pub unit: String,
    pub min: f64,
    pub max: f64,
    pub default: f64,
    /// The value in the host's 0..1 automation space.
    pub normalized: f64,
    pub kind: ParamKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SlotView {
    /// Slot number, 1-based: the `s{n}_` of its parameter ids.
    pub slot: usize,
    /// Where the slot runs in the chain, 1-based.
    pub position: usize,
    /// Effect id, or null for an empty slot.
    pub effect: Option<String>,
    pub bypass: bool,
    pub mix: f64,
    pub input_db: f64,
    pub output_db: f64,
    /// What a dynamics effect is taking off right now (dB, positive), as the audio thread last
    /// published it; null for other effects or before audio runs.
    pub gain_reduction_db: Option<f32>,
    /// The slot's own controls: effect, bypass, mix, input and output trim.
    pub controls: Vec<ParamView>,
    /// The parameters of the effect in the slot.
    pub parameters: Vec<ParamView>,
}

/// The whole rack of an instance.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RackView {
    pub slots: Vec<SlotView>,
    /// Slot numbers in processing order.
    pub order: Vec<usize>,
    pub macros: Vec<ParamView>,
    /// LFOs, envelopes, followers, matrix routes and automation lanes.
    #[schema(value_type = Object)]
    pub modulation: ModulationConfig,
    /// The latency the rack reports to the host, in samples.
    pub latency_samples: u32,
    pub history: HistoryView,
}

/// How far the edit history reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct HistoryView {
    pub undo_steps: usize,
    pub redo_steps: usize,
}

/// Marks a parameter change as part of a continuous edit (a fader move), so that it is one step
/// in the undo history and, where the plugin API allows it, one automation gesture in the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Gesture {
    Begin,
    End,
}

/// One parameter change: `value` in plain units (or an option name, or a boolean for
/// toggles), or `normalized` in 0..1 — exactly one of the two.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParamChange {
    pub id: String,
    #[serde(default)]
    #[schema(value_type = Option<Object>, example = json!(-18.0))]
    pub value: Option<ParamValue>,
    #[serde(default)]
    pub normalized: Option<f64>,
}

/// `PATCH /api/instances/{id}/params`: changes applied together, all or none.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParamsRequest {
    #[serde(default, alias = "params")]
    pub changes: Vec<ParamChange>,
    /// Shorthand: plain values by id.
    #[serde(default)]
    #[schema(value_type = Object, example = json!({"s1_compressor_threshold": -18}))]
    pub values: BTreeMap<String, ParamValue>,
    #[serde(default)]
    pub gesture: Option<Gesture>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ParamsResponse {
    /// The parameters as they are now set.
    pub params: Vec<ParamView>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveRequest {
    /// Position (1-based) of the slot to move.
    pub from: usize,
    /// Position it moves to; the slots between shift by one.
    pub to: usize,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrderView {
    /// Slot numbers in processing order.
    pub order: Vec<usize>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LanesView {
    /// Internal automation lanes by parameter id.
    #[schema(value_type = Object)]
    pub lanes: BTreeMap<String, AutomationLane>,
}

/// A message of `/ws/automation`: a controller's value for one parameter of one instance, in
/// plain units (`value`) or normalized; `touch: false` lets go of the control.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordRequest {
    pub instance: String,
    pub param: String,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub value: Option<ParamValue>,
    #[serde(default)]
    pub normalized: Option<f64>,
    #[serde(default)]
    pub touch: Option<bool>,
    /// Overrides the connection's mode for this parameter's next pass.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub mode: Option<RecordMode>,
}

/// What became of a recorded value.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecordOutcome {
    pub instance: String,
    pub param: String,
    /// Whether it landed in the lane (only while the transport plays).
    pub recorded: bool,
    /// Where, in samples of the transport.
    pub time_samples: Option<u64>,
    /// The parameter's value now, normalized.
    pub normalized: Option<f64>,
}

/// `GET /api/instances/{id}/meters`: what the instance plays, as measured off the audio thread.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MetersView {
    /// Whether audio is running; when not, the levels read as silence.
    pub active: bool,
    /// Peak, true peak, RMS, LUFS (momentary, short-term, integrated), loudness range, crest,
    /// PLR, correlation, width, spectral centroid and tonal balance (API.md's field names).
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub meters: MeterReading,
    /// Per slot (slot 1 first), what its dynamics effect takes off now in dB; null for others.
    pub gain_reduction_db: Vec<Option<f32>>,
}

/// `GET /api/instances/{id}/spectrum`: `db[i]` is the level at `frequencies[i]` Hz (a full-scale
/// sine reads 0 dB), on a logarithmic grid from 20 Hz.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SpectrumView {
    pub active: bool,
    pub frequencies: Vec<f32>,
    pub db: Vec<f32>,
}
