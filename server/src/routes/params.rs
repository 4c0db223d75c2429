//! `PATCH /api/instances/{id}/params`: set parameters by their stable ids.

use super::instances::find;
use crate::error::{ApiError, ErrorResponse};
use crate::extract::ApiJson;
use crate::instance::{ParamsRequest, ParamsResponse};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(patch_params))
}

/// Sets one or many parameters, in plain units (`value`) or normalized (`normalized`); all are
/// checked before any is applied, and the audio thread takes them at its next block. Unknown
/// ids and values out of range are refused with the field at fault.
#[utoipa::path(
    patch, path = "/api/instances/{id}/params", tag = "instances",
    params(("id" = String, Path, description = "Instance id")),
    request_body = ParamsRequest,
    responses(
        (status = 200, body = ParamsResponse),
        (status = 404, body = ErrorResponse),
        (status = 422, description = "Unknown parameter or value out of range", body = ErrorResponse),
    ),
)]
async fn patch_params(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<ParamsRequest>,
) -> Result<Json<ParamsResponse>, ApiError> {
    let instance = find(&state, &id)?;
    if request.changes.is_empty() && request.values.is_empty() && request.gesture.is_none() {
        return Err(ApiError::invalid("invalid_field", "give at least one change", "changes"));
    }
    Ok(Json(ParamsResponse { params: instance.set_params(request)? }))
}
