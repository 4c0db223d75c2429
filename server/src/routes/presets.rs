//! `/api/instances/{id}/state`, `/undo`, `/redo`: the rack as a preset document and its edit
//! history.

use super::instances::find;
use crate::error::{ApiError, ErrorResponse};
use crate::extract::ApiJson;
use crate::instance::HistoryView;
use crate::slots::{chain_configs, SlotRequest};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use codette_dsp::modulation::ModulationConfig;
use codette_dsp::preset::{Preset, PRESET_FORMAT, PRESET_VERSION};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_state, put_state)).routes(routes!(undo)).routes(routes!(redo))
}

/// A preset document as clients send it: the format of preset files.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PresetRequest {
    /// Must be `codette-rack-preset`.
    pub format: String,
    #[serde(default)]
    pub version: Option<u32>,
    #[serde(default)]
    pub name: String,
    /// Slot 1 first, each `{type, parameters, mix, bypass, input_db, output_db}`; missing
    /// trailing slots are empty.
    #[serde(default)]
    pub slots: Vec<SlotRequest>,
    /// Slot numbers (1-based) in processing order.
    #[serde(default)]
    pub order: Option<Vec<usize>>,
    /// Macro values 0..1.
    #[serde(default)]
    pub macros: Vec<f32>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub modulation: ModulationConfig,
}

/// The whole rack as a preset document (the format of preset files).
#[utoipa::path(
    get, path = "/api/instances/{id}/state", tag = "instances",
    params(("id" = String, Path, description = "Instance id")),
    responses((status = 200, body = Object), (status = 404, body = ErrorResponse)),
)]
async fn get_state(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Preset>, ApiError> {
    Ok(Json(find(&state, &id)?.preset()?))
}

/// Loads a preset document: everything it names is set, everything it leaves out returns to
/// its default. All of it is checked first; on any error nothing changes. One undo step.
#[utoipa::path(
    put, path = "/api/instances/{id}/state", tag = "instances",
    params(("id" = String, Path, description = "Instance id")),
    request_body = PresetRequest,
    responses((status = 200, body = Object), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)),
)]
async fn put_state(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<PresetRequest>,
) -> Result<Json<Preset>, ApiError> {
    let instance = find(&state, &id)?;
    if request.format != PRESET_FORMAT {
        return Err(ApiError::invalid(
            "invalid_field",
            format!("not a Codette Rack preset (format {:?}, expected {PRESET_FORMAT:?})", request.format),
            "format",
        ));
    }
    let preset = Preset {
        format: request.format,
        version: request.version.unwrap_or(PRESET_VERSION),
        name: request.name,
        slots: chain_configs(&request.slots, "slots")?,
        order: request.order,
        macros: request.macros,
        modulation: request.modulation,
    };
    instance.load_preset(preset)?;
    Ok(Json(instance.preset()?))
}

/// Steps back one edit (parameter changes, slot changes, moves, modulation, loaded states).
/// 409 when there is nothing to undo.
#[utoipa::path(
    post, path = "/api/instances/{id}/undo", tag = "instances",
    params(("id" = String, Path, description = "Instance id")),
    responses((status = 200, body = HistoryView), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse)),
)]
async fn undo(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<HistoryView>, ApiError> {
    Ok(Json(find(&state, &id)?.undo()?))
}

/// Redoes the last undone edit. 409 when there is nothing to redo.
#[utoipa::path(
    post, path = "/api/instances/{id}/redo", tag = "instances",
    params(("id" = String, Path, description = "Instance id")),
    responses((status = 200, body = HistoryView), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse)),
)]
async fn redo(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<HistoryView>, ApiError> {
    Ok(Json(find(&state, &id)?.redo()?))
}
