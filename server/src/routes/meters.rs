//! `/api/instances/{id}/meters` and `/spectrum`: what an instance plays, measured.

use super::instances::find;
use crate::error::{ApiError, ErrorResponse};
use crate::instance::{MetersView, SpectrumView};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(meters)).routes(routes!(spectrum))
}

/// Peak, RMS, LUFS (momentary, short-term, integrated), true peak, correlation and the rest of
/// the measurements of API.md, and each slot's gain reduction. Updated about 60 times a second
/// while audio runs; also streamed on `/ws` (`subscribe` to `meters`).
#[utoipa::path(
    get, path = "/api/instances/{id}/meters", tag = "analysis",
    params(("id" = String, Path, description = "Instance id")),
    responses((status = 200, body = MetersView), (status = 404, body = ErrorResponse)),
)]
async fn meters(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<MetersView>, ApiError> {
    Ok(Json(find(&state, &id)?.meters()?))
}

/// The current spectrum on a logarithmic grid (frequencies in Hz, levels in dB); also streamed
/// on `/ws` (`subscribe` to `spectrum`).
#[utoipa::path(
    get, path = "/api/instances/{id}/spectrum", tag = "analysis",
    params(("id" = String, Path, description = "Instance id")),
    responses((status = 200, body = SpectrumView), (status = 404, body = ErrorResponse)),
)]
async fn spectrum(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<SpectrumView>, ApiError> {
    Ok(Json(find(&state, &id)?.spectrum()?))
}
