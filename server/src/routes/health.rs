//! `GET /health`: is the API up, where, and for how many instances.

use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` when the server answers.
    pub status: &'static str,
    /// The plugin's version.
    pub version: &'static str,
    /// The address in use (after port fallback), e.g. `127.0.0.1:8001`.
    pub address: String,
    pub uptime_seconds: f64,
    /// Plugin instances registered in this process.
    pub instances: usize,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(health))
}

/// Liveness, version and address; kept from the predecessor for its clients' health checks.
#[utoipa::path(get, path = "/health", tag = "server", responses((status = 200, body = Health)))]
async fn health(State(state): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
        address: state.addr.to_string(),
        uptime_seconds: state.started.elapsed().as_secs_f64(),
        instances: state.registry.len(),
    })
}
