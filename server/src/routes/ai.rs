//! `/api/ai/recommend-effects` and `/api/ai/auto-mix`: Codette's chains and mix moves, each
//! with the numbers it rests on.

use crate::error::{ApiError, ErrorResponse};
use crate::extract::ApiJson;
use crate::measure::MeasureSource;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use codette_assistant::tuning::DEFAULT_TARGET_LUFS;
use codette_assistant::{recommend, Genre, Instrument, Recommendation};
use codette_dsp::analysis::MeterReading;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

/// Routes that take audio in their bodies.
pub fn audio_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(recommend_effects))
}

#[derive(Deserialize, ToSchema)]
pub struct RecommendRequest {
    /// `vocals`, `drums`, `bass`, `guitar`, `keys`, `mix-bus` or `master`.
    pub instrument: String,
    /// `pop`, `hip-hop`, `rock`, `electronic`, `jazz` or `ambient`.
    pub genre: String,
    /// What to tune the chain to (optional: without it, the template as it is).
    #[serde(flatten)]
    pub source: MeasureSource,
    /// Delivery loudness for a master's limiter, −70..0 LUFS; default −14 (streaming).
    pub target_lufs: Option<f32>,
}

#[derive(Serialize, ToSchema)]
pub struct RecommendResponse {
    /// `instrument`, `genre`, `preset` (a preset document, ready for
    /// `PUT /api/instances/{id}/state`), `slots` (the reason for each slot), `adjustments`
    /// (each value the analysis moved: slot, parameter, from, to, reason), `tuned`, `target_lufs`.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub recommendation: Recommendation,
    /// The measurements the chain was tuned to, when there were any.
    #[schema(value_type = Option<Object>)]
    pub metrics: Option<MeterReading>,
}

fn parsed<T>(
    value: Option<T>,
    what: &str,
    given: &str,
    choices: impl Iterator<Item = &'static str>,
) -> Result<T, ApiError> {
    value.ok_or_else(|| {
        let choices: Vec<_> = choices.collect();
        ApiError::invalid(
            "invalid_field",
            format!("unknown {what} {given:?}; one of {}", choices.join(", ")),
            what,
        )
    })
}

/// An effect chain for an instrument in a genre, ready to load into the rack, with the reason
/// for every slot. Given `metrics`, audio (`audio` or `audio_data`) or an `instance`, its values
/// are tuned to the measurements: compressor threshold from the RMS, makeup from the peak, an
/// EQ cut where the tonal balance has a bump, the master limiter's ceiling and gain for the
/// delivery target; each change says from what, to what and why.
#[utoipa::path(
    post, path = "/api/ai/recommend-effects", tag = "codette",
    request_body = RecommendRequest,
    responses(
        (status = 200, body = RecommendResponse),
        (status = 400, description = "Malformed JSON, unreadable WAV or base64", body = ErrorResponse),
        (status = 404, description = "No such instance", body = ErrorResponse),
        (status = 422, description = "Unknown instrument or genre, invalid field", body = ErrorResponse),
    ),
)]
async fn recommend_effects(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<RecommendRequest>,
) -> Result<Json<RecommendResponse>, ApiError> {
    let instrument = parsed(
        Instrument::parse(&request.instrument),
        "instrument",
        &request.instrument,
        Instrument::ALL.into_iter().map(Instrument::id),
    )?;
    let genre =
        parsed(Genre::parse(&request.genre), "genre", &request.genre, Genre::ALL.into_iter().map(Genre::id))?;
    let target = request.target_lufs.unwrap_or(DEFAULT_TARGET_LUFS);
    if !(-70.0..=0.0).contains(&target) {
        return Err(ApiError::invalid(
            "out_of_range",
            format!("target_lufs must be between -70 and 0, got {target}"),
            "target_lufs",
        ));
    }
    let metrics = request.source.reading(&state).await?;
    let recommendation = recommend(instrument, genre, metrics.as_ref(), target);
    Ok(Json(RecommendResponse { recommendation, metrics }))
}
