//! `POST /api/chain/process`: audio through a serial chain of effects, offline.

use crate::audio::json::AudioData;
use crate::error::{ApiError, ErrorResponse};
use crate::extract::AudioPayload;
use crate::openapi::WavFile;
use crate::process::{self, query_json, JsonAudio, ProcessResponse, WavQuery};
use crate::routes::effects::default_rate;
use crate::slots::{chain_configs, SlotRequest};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::response::Response;
use codette_dsp::chain::SlotConfig;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn audio_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(process_chain))
}

#[derive(Deserialize, ToSchema)]
pub struct ChainProcessRequest {
    /// Slots in processing order (`effect_chain` is accepted too).
    #[serde(alias = "effect_chain")]
    pub chain: Vec<SlotRequest>,
    pub audio_data: AudioData,
    /// Default 44100.
    #[serde(default = "default_rate")]
    pub sample_rate: u32,
    /// Extra seconds rendered after the input, 0..60; default 0.
    #[serde(default)]
    pub tail_seconds: f64,
}

impl JsonAudio for ChainProcessRequest {
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
        chain_configs(&self.chain, "chain")
    }
}

/// The chain of a WAV request: `chain=<JSON array of slots>` in the query.
fn wav_chain(query: &WavQuery) -> Result<Vec<SlotConfig>, ApiError> {
    let text = query.get("chain").ok_or_else(|| {
        ApiError::invalid("invalid_field", "chain is required in the query of a WAV request", "chain")
    })?;
    let chain: Vec<SlotRequest> = query_json(text, "chain")?;
    chain_configs(&chain, "chain")
}

/// Runs audio through a serial chain `[{type, parameters, mix, bypass}]` with the plugin's
/// rack: the same forms, latency compensation and mono handling as `/api/effects/process`.
#[utoipa::path(
    post, path = "/api/chain/process", tag = "effects",
    params(
        ("chain" = Option<String>, Query, description = "WAV requests: the chain as a JSON array"),
        ("tail_seconds" = Option<f64>, Query, description = "WAV requests: seconds rendered after the input"),
    ),
    request_body(content(
        (ChainProcessRequest = "application/json"),
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
async fn process_chain(
    State(state): State<AppState>,
    Query(query): Query<WavQuery>,
    payload: AudioPayload,
) -> Result<Response, ApiError> {
    process::handle::<ChainProcessRequest>(state.stop.clone(), state.tempo_bpm(), query, payload, wav_chain)
        .await
}
