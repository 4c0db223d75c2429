//! The shared half of `/api/effects/process` and `/api/chain/process`: both take audio as JSON
//! or as a WAV body, run it through a chain, and answer in the form they were asked in.

use crate::audio::json::AudioData;
use crate::audio::wav;
use crate::audio::{self, check_rate};
use crate::error::ApiError;
use crate::extract::{blocking, parse_json, AudioPayload};
use crate::render::{self, check_tail};
use crate::state::StopFlag;
use axum::body::Bytes;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use codette_dsp::chain::SlotConfig;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

/// The answer to a JSON request.
#[derive(Serialize, ToSchema)]
pub struct ProcessResponse {
    /// Same shape as the request's `audio_data`.
    pub audio_data: AudioData,
    pub sample_rate: u32,
    /// Frames per channel.
    pub length: usize,
}

/// The fields every JSON process request has besides its effect settings.
pub trait JsonAudio: DeserializeOwned + Send + 'static {
    fn audio_data(&mut self) -> &mut AudioData;
    fn sample_rate(&self) -> u32;
    fn tail_seconds(&self) -> f64;
    /// The chain this request describes, checked.
    fn chain(&self) -> Result<Vec<SlotConfig>, ApiError>;
}

/// The query of a WAV request, by key (`effect_type`, `params`, `chain`, `tail_seconds`, and
/// for `/api/effects/process` any parameter id).
pub type WavQuery = HashMap<String, String>;

/// Parses the request (on the blocking pool), processes it, and encodes the answer.
pub async fn handle<T: JsonAudio>(
    stop: StopFlag,
    tempo_bpm: f64,
    query: WavQuery,
    payload: AudioPayload,
    wav_chain: fn(&WavQuery) -> Result<Vec<SlotConfig>, ApiError>,
) -> Result<Response, ApiError> {
    blocking(move || match payload {
        AudioPayload::Json(bytes) => {
            let mut request: T = parse_json(&bytes)?;
            let configs = request.chain()?;
            let rate = check_rate(request.sample_rate(), audio::PROCESS_RATES, "sample_rate")?;
            let tail = check_tail(request.tail_seconds(), "tail_seconds")?;
            let data = std::mem::replace(request.audio_data(), AudioData::Mono(Vec::new()));
            let flat = data.is_flat();
            let output =
                render::process(&configs, data.into_audio(rate, "audio_data")?, tail, tempo_bpm, &stop)?;
            let length = output.frames();
            let body = ProcessResponse {
                audio_data: AudioData::from_audio(output, flat),
                sample_rate: rate,
                length,
            };
            Ok(json_response(&body))
        }
        AudioPayload::Wav(bytes) => {
            let configs = wav_chain(&query)?;
            let tail = match query.get("tail_seconds") {
                Some(text) => check_tail(query_number(text, "tail_seconds")?, "tail_seconds")?,
                None => 0.0,
            };
            let (input, format) = wav::decode(&bytes)?;
            check_rate(input.sample_rate, audio::PROCESS_RATES, "sample_rate")?;
            Ok(wav_response(wav::encode(&render::process(&configs, input, tail, tempo_bpm, &stop)?, format)))
        }
    })
    .await
}

/// A JSON body written in one pass into a buffer sized for it (axum's `Json` grows its buffer
/// from 128 bytes, which for a million samples costs more than the DSP).
fn json_response(body: &ProcessResponse) -> Response {
    let samples: usize = match &body.audio_data {
        AudioData::Mono(s) => s.len(),
        AudioData::Channels(c) => c.iter().map(Vec::len).sum(),
    };
    let mut bytes = Vec::with_capacity(64 + samples * 12);
    match serde_json::to_writer(&mut bytes, body) {
        Ok(()) => ([(header::CONTENT_TYPE, "application/json")], bytes).into_response(),
        Err(e) => ApiError::internal(format!("could not write the answer: {e}")).into_response(),
    }
}

/// A WAV file as a response body.
pub fn wav_response(bytes: impl Into<Bytes>) -> Response {
    ([(header::CONTENT_TYPE, "audio/wav")], bytes.into()).into_response()
}

/// A number from the query string; `key` names it in the error.
pub fn query_number(text: &str, key: &str) -> Result<f64, ApiError> {
    text.trim()
        .parse::<f64>()
        .map_err(|_| ApiError::invalid("invalid_type", format!("{key} must be a number, got {text:?}"), key))
}

/// A JSON value from the query string (`params={...}`, `chain=[...]`).
pub fn query_json<T: DeserializeOwned>(text: &str, key: &str) -> Result<T, ApiError> {
    parse_json(text.as_bytes()).map_err(|mut e| {
        e.body.field = Some(match e.body.field.take() {
            Some(inner) => format!("{key}.{inner}"),
            None => key.to_string(),
        });
        e.status = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        e
    })
}
