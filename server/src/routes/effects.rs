//! `/api/effects`: the effects the rack offers, and one effect applied to audio offline.

use crate::audio::json::AudioData;
use crate::error::{ApiError, ErrorResponse};
use crate::extract::AudioPayload;
use crate::openapi::WavFile;
use crate::process::{self, query_json, JsonAudio, ProcessResponse, WavQuery};
use crate::slots::{single_effect, ParamValue, Parameters};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::Json;
use codette_dsp::chain::SlotConfig;
use codette_dsp::{registry, EffectSpec, Family, ParamKind, ParamSpec};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_effects))
}

/// The routes that carry audio (and get the large body limit).
pub fn audio_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(process_effect))
}

#[derive(Serialize, ToSchema)]
pub struct EffectList {
    pub effects: Vec<EffectInfo>,
}

#[derive(Serialize, ToSchema)]
pub struct EffectInfo {
    /// Stable id used in `effect_type`, chains and presets.
    pub id: &'static str,
    pub name: &'static str,
    /// eq, dynamics, drive, delay or reverb.
    pub family: &'static str,
    pub parameters: Vec<ParamInfo>,
}

#[derive(Serialize, ToSchema)]
pub struct ParamInfo {
    pub id: &'static str,
    pub name: &'static str,
    pub min: f32,
    pub max: f32,
    pub default: f32,
    /// dB, Hz, ms, ratio, amount (0..1) or empty.
    pub unit: &'static str,
    /// linear, logarithmic, integer or choice.
    pub kind: &'static str,
    /// For choices: the option names; the plain value is the option's index, and the name is
    /// accepted in `parameters` too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<&'static str>>,
}

fn effect_info(spec: &EffectSpec) -> EffectInfo {
    let family = match spec.family {
        Family::Eq => "eq",
        Family::Dynamics => "dynamics",
        Family::Drive => "drive",
        Family::Delay => "delay",
        Family::Reverb => "reverb",
    };
    EffectInfo {
        id: spec.id,
        name: spec.name,
        family,
        parameters: spec.params.iter().map(param_info).collect(),
    }
}

fn param_info(p: &ParamSpec) -> ParamInfo {
    let unit = p.unit.name();
    let (kind, options) = match p.kind {
        ParamKind::Linear => ("linear", None),
        ParamKind::Logarithmic => ("logarithmic", None),
        ParamKind::Integer => ("integer", None),
        ParamKind::Choice(options) => ("choice", Some(options.to_vec())),
    };
    ParamInfo { id: p.id, name: p.name, min: p.min, max: p.max, default: p.default, unit, kind, options }
}

/// All effects with their parameters (also at the predecessor's `/daw/effects/list` and `/effects`).
#[utoipa::path(get, path = "/api/effects/list", tag = "effects", responses((status = 200, body = EffectList)))]
async fn list_effects() -> Json<EffectList> {
    Json(EffectList { effects: registry::EFFECTS.iter().map(|s| effect_info(s)).collect() })
}

/// `POST /api/effects/process` as JSON.
#[derive(Deserialize, ToSchema)]
pub struct EffectProcessRequest {
    /// Effect id, e.g. `compressor`.
    pub effect_type: String,
    /// Parameter values by id; missing ones take their defaults.
    #[serde(default)]
    #[schema(value_type = Object, example = json!({"threshold": -24, "ratio": 4}))]
    pub parameters: Parameters,
    pub audio_data: AudioData,
    /// Default 44100.
    #[serde(default = "default_rate")]
    pub sample_rate: u32,
    /// Extra seconds rendered after the input (reverb and delay tails), 0..60; default 0.
    #[serde(default)]
    pub tail_seconds: f64,
}

pub fn default_rate() -> u32 {
    44_100
}

impl JsonAudio for EffectProcessRequest {
    fn audio_data(&mut self) -> &mut AudioData {
        &mut self.audio_data
    }
    fn sample_rate(&self) -> u32 {
        self.sample_rate
    }
    fn tail_seconds(&self) -> f64 {
        self.tail_seconds
    }
    fn chain(&self) -> Result<Vec<SlotConfig>, ApiError> {
        single_effect(&self.effect_type, &self.parameters, "effect_type", "parameters")
    }
}

/// Query keys of a WAV request that are not parameter ids.
const RESERVED: [&str; 4] = ["effect_type", "params", "tail_seconds", "token"];

/// The effect of a WAV request: `effect_type`, then parameters from `params=<JSON object>` and
/// from any other query key (`?effect_type=compressor&threshold=-20&ratio=4`); a key overrides
/// the same id in `params`.
fn wav_chain(query: &WavQuery) -> Result<Vec<SlotConfig>, ApiError> {
    let effect = query.get("effect_type").ok_or_else(|| {
        ApiError::invalid(
            "invalid_field",
            "effect_type is required in the query of a WAV request",
            "effect_type",
        )
    })?;
    let mut parameters: Parameters = match query.get("params") {
        Some(json) => query_json(json, "params")?,
        None => Parameters::new(),
    };
    for (key, value) in query.iter().filter(|(k, _)| !RESERVED.contains(&k.as_str())) {
        let value = match value.trim().parse::<f64>() {
            Ok(n) => ParamValue::Number(n),
            Err(_) => ParamValue::Name(value.clone()),
        };
        parameters.insert(key.clone(), value);
    }
    single_effect(effect, &parameters, "effect_type", "")
}

/// Runs audio through one effect offline, with the plugin's DSP. JSON in, JSON out
/// (`audio_data` in the shape sent: mono processed as dual-mono and returned as the average of
/// both sides); or a WAV body (`Content-Type: audio/wav`, effect and parameters in the query)
/// answered with a WAV of the same sample format. Latency is compensated: output sample i lines
/// up with input sample i. Also at the predecessor's `/daw/effects/process`.
#[utoipa::path(
    post, path = "/api/effects/process", tag = "effects",
    params(
        ("effect_type" = Option<String>, Query, description = "WAV requests: the effect id"),
        ("params" = Option<String>, Query, description = "WAV requests: parameters as a JSON object; any other query key is taken as a parameter id (`&threshold=-20`)"),
        ("tail_seconds" = Option<f64>, Query, description = "WAV requests: seconds rendered after the input"),
    ),
    request_body(content(
        (EffectProcessRequest = "application/json"),
        (WavFile = "audio/wav"),
    )),
    responses(
        (status = 200, description = "The processed audio, in the request's form", content(
            (ProcessResponse = "application/json"),
            (WavFile = "audio/wav"),
        )),
        (status = 400, description = "Malformed JSON or unreadable WAV", body = ErrorResponse),
        (status = 413, description = "Body too large", body = ErrorResponse),
        (status = 415, description = "Neither JSON nor WAV", body = ErrorResponse),
        (status = 422, description = "Unknown effect or parameter, value out of range, wrong type", body = ErrorResponse),
    ),
)]
async fn process_effect(
    State(state): State<AppState>,
    Query(query): Query<WavQuery>,
    payload: AudioPayload,
) -> Result<Response, ApiError> {
    process::handle::<EffectProcessRequest>(state.stop.clone(), state.tempo_bpm(), query, payload, wav_chain)
        .await
}
