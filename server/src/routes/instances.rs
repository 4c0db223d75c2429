//! `/api/instances`: the plugin instances of this process.

use crate::error::{ApiError, ErrorResponse};
use crate::registry::InstanceInfo;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

#[derive(Serialize, ToSchema)]
pub struct InstanceList {
    pub instances: Vec<InstanceInfo>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_instances)).routes(routes!(get_instance))
}

/// Every instance registered with this server, in registration order.
#[utoipa::path(get, path = "/api/instances", tag = "instances", responses((status = 200, body = InstanceList)))]
async fn list_instances(State(state): State<AppState>) -> Json<InstanceList> {
    Json(InstanceList { instances: state.registry.list() })
}

/// One instance.
#[utoipa::path(
    get, path = "/api/instances/{id}", tag = "instances",
    params(("id" = String, Path, description = "Instance id from the list")),
    responses((status = 200, body = InstanceInfo), (status = 404, body = ErrorResponse)),
)]
async fn get_instance(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<InstanceInfo>, ApiError> {
    state
        .registry
        .info(&id)
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no instance {id:?} in this process")).at("id"))
}
