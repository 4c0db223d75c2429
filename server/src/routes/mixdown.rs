//! `POST /api/mixdown`: tracks to a stereo WAV, inline or as a job.

use crate::error::{ApiError, ErrorResponse};
use crate::extract::{blocking, ApiJson};
use crate::jobs::shutting_down;
use crate::jobs::JobInfo;
use crate::mixdown::render::{render, MixOutput, MixReport};
use crate::mixdown::MixdownRequest;
use crate::openapi::WavFile;
use crate::process::wav_response;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn audio_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(mixdown))
}

/// The mix's [`MixReport`] as JSON.
pub const REPORT_HEADER: &str = "x-codette-report";
/// The loudness gain applied, in dB (when a target was given).
pub const GAIN_HEADER: &str = "x-codette-loudness-gain-db";
/// `true` when the true-peak ceiling kept the mix below its loudness target.
pub const LIMITED_HEADER: &str = "x-codette-loudness-limited";

/// The JSON form of a finished mixdown (asked for with `Accept: application/json`).
#[derive(Serialize, ToSchema)]
pub struct MixdownJson {
    /// The WAV file, base64-encoded.
    pub audio: String,
    pub report: MixReport,
}

/// Renders a mixdown. Each track: decoded (base64 WAV or `audio_data`), resampled to the output
/// rate, duplicated to stereo if mono, through its `effect_chain` (latency-compensated), then
/// volume and pan (equal-power θ = (pan+1)·π/4, L = cos θ, R = sin θ, applied per side, so it
/// is a balance law for stereo tracks). Heard tracks (not muted; only soloed ones when any is
/// soloed; mute wins over solo) are summed, the sum goes through `master_chain`, and is
/// optionally normalized to `loudness_target_lufs` with the true peak kept at or below −1 dBTP.
/// The length is that of the longest track (muted ones included) plus `tail_seconds`.
///
/// Small mixdowns answer with the WAV (or JSON with `Accept: application/json`); the
/// `X-Codette-Report` header carries the report (length, peak, loudness: gain applied, and
/// whether the true-peak ceiling limited it). Mixdowns of more than 30 s of input audio, or with
/// `async: true`, answer `202` with a job; follow it on `/ws` (topic `jobs`) or poll
/// `GET /api/jobs/{id}`.
#[utoipa::path(
    post, path = "/api/mixdown", tag = "mixdown",
    request_body = MixdownRequest,
    responses(
        (status = 200, description = "The mix", content((WavFile = "audio/wav"), (MixdownJson = "application/json")),
            headers(
                ("X-Codette-Report" = String, description = "The MixReport as JSON"),
                ("X-Codette-Loudness-Gain-Db" = String, description = "Gain applied by loudness normalization"),
                ("X-Codette-Loudness-Limited" = String, description = "true when the −1 dBTP ceiling kept the mix below the target"),
            )),
        (status = 202, description = "Rendering as a job", body = JobInfo),
        (status = 400, description = "Malformed JSON, unreadable WAV or base64", body = ErrorResponse),
        (status = 413, description = "Body too large", body = ErrorResponse),
        (status = 422, description = "Invalid field (named in `field`)", body = ErrorResponse),
        (status = 503, description = "Too many jobs waiting", body = ErrorResponse),
    ),
)]
async fn mixdown(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<MixdownRequest>,
) -> Result<Response, ApiError> {
    let bpm = state.tempo_bpm();
    let plan = blocking(move || request.plan(bpm)).await?;
    if plan.run_async.unwrap_or(plan.input_seconds > state.config.sync_mixdown_seconds) {
        let job = state.jobs.submit(plan)?;
        let location =
            HeaderValue::from_str(&job.status_url).map_err(|e| ApiError::internal(e.to_string()))?;
        return Ok((StatusCode::ACCEPTED, [(header::LOCATION, location)], Json(job)).into_response());
    }
    let json = wants_json(&headers);
    let stop = state.stop.clone();
    blocking(move || {
        let output = render(plan, &stop)?.ok_or_else(shutting_down)?;
        Ok(mix_response(&output, json))
    })
    .await
}

/// A finished mix as the client asked for it: WAV by default, JSON (`json`, see
/// [`wants_json`]) with the WAV in base64. Used by the inline answer and by job results alike;
/// base64 of a long mix is CPU work, so call it on the blocking pool.
pub fn mix_response(output: &MixOutput, json: bool) -> Response {
    let report = serde_json::to_string(&output.report).unwrap_or_default();
    let mut response = if json {
        let audio = base64::engine::general_purpose::STANDARD.encode(&output.wav);
        Json(MixdownJson { audio, report: output.report.clone() }).into_response()
    } else {
        wav_response(output.wav.clone())
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&report) {
        headers.insert(HeaderName::from_static(REPORT_HEADER), value);
    }
    // The loudness outcome again as plain headers, for scripts that only look at those.
    if let Some(loudness) = &output.report.loudness {
        if let Ok(gain) = HeaderValue::from_str(&format!("{:.2}", loudness.gain_db)) {
            headers.insert(HeaderName::from_static(GAIN_HEADER), gain);
        }
        let limited = if loudness.limited_by_true_peak { "true" } else { "false" };
        headers.insert(HeaderName::from_static(LIMITED_HEADER), HeaderValue::from_static(limited));
    }
    response
}

/// Whether the client asked for JSON (and not audio) in `Accept`.
pub fn wants_json(headers: &HeaderMap) -> bool {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
    accept.contains("application/json") && !accept.contains("audio/")
}
