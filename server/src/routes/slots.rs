//! `/api/instances/{id}/slots`: what each slot holds, and the order they run in.

use super::instances::find;
use crate::error::{ApiError, ErrorResponse};
use crate::extract::ApiJson;
use crate::instance::{MoveRequest, OrderView, SlotView};
use crate::slots::SlotRequest;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(put_slot)).routes(routes!(move_slot))
}

/// Puts an effect (or none, with `"type": null`) into slot `n` (1-based) with the given
/// parameters (missing ones take their defaults), mix, bypass and trims. The old effect fades
/// out and the new one in, without a click.
#[utoipa::path(
    put, path = "/api/instances/{id}/slots/{n}", tag = "instances",
    params(("id" = String, Path, description = "Instance id"), ("n" = usize, Path, description = "Slot number, 1-based")),
    request_body = SlotRequest,
    responses((status = 200, body = SlotView), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)),
)]
async fn put_slot(
    State(state): State<AppState>,
    Path((id, n)): Path<(String, String)>,
    ApiJson(request): ApiJson<SlotRequest>,
) -> Result<Json<SlotView>, ApiError> {
    let instance = find(&state, &id)?;
    let slot: usize = n
        .parse()
        .map_err(|_| ApiError::invalid("invalid_field", format!("slot must be a number, got {n:?}"), "n"))?;
    let config = request.to_config("")?;
    Ok(Json(instance.put_slot(slot, config)?))
}

/// Moves the slot at position `from` to position `to` (1-based); the slots between shift by
/// one. The moved slot fades out, moves and fades back in.
#[utoipa::path(
    post, path = "/api/instances/{id}/slots/move", tag = "instances",
    params(("id" = String, Path, description = "Instance id")),
    request_body = MoveRequest,
    responses((status = 200, body = OrderView), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)),
)]
async fn move_slot(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<MoveRequest>,
) -> Result<Json<OrderView>, ApiError> {
    let instance = find(&state, &id)?;
    Ok(Json(OrderView { order: instance.move_slot(request.from, request.to)? }))
}
