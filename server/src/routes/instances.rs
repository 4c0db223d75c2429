//! `/api/instances`: the plugin instances of this process, and each one's whole rack.

use crate::error::{ApiError, ErrorResponse};
use crate::instance::RackView;
use crate::registry::{Instance, InstanceInfo};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use serde::Serialize;
use std::sync::Arc;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

#[derive(Serialize, ToSchema)]
pub struct InstanceList {
    pub instances: Vec<InstanceInfo>,
}

/// An instance with its rack.
#[derive(Serialize, ToSchema)]
pub struct InstanceDetail {
    #[serde(flatten)]
    pub info: InstanceInfo,
    #[serde(flatten)]
    pub rack: RackView,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_instances)).routes(routes!(get_instance))
}

/// The instance with this id, or a 404 that says so.
pub fn find(state: &AppState, id: &str) -> Result<Arc<dyn Instance>, ApiError> {
    state
        .registry
        .get(id)
        .ok_or_else(|| ApiError::not_found(format!("no instance {id:?} in this process")).at("id"))
}

/// Every instance registered with this server, in registration order.
#[utoipa::path(get, path = "/api/instances", tag = "instances", responses((status = 200, body = InstanceList)))]
async fn list_instances(State(state): State<AppState>) -> Json<InstanceList> {
    Json(InstanceList { instances: state.registry.list() })
}

/// One instance: its slots with every parameter (plain value, unit, range, normalized value),
/// the order, macros, modulation and the reach of its edit history.
#[utoipa::path(
    get, path = "/api/instances/{id}", tag = "instances",
    params(("id" = String, Path, description = "Instance id from the list")),
    responses((status = 200, body = InstanceDetail), (status = 404, body = ErrorResponse)),
)]
async fn get_instance(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<InstanceDetail>, ApiError> {
    let instance = find(&state, &id)?;
    let info = state.registry.info(&id).ok_or_else(|| ApiError::not_found(format!("no instance {id:?}")))?;
    Ok(Json(InstanceDetail { info, rack: instance.rack()? }))
}
