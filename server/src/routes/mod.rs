//! The API's routes, one module per resource, gathered with their OpenAPI descriptions.

pub mod ai;
pub mod automation;
pub mod chain;
pub mod chat;
pub mod codette;
pub mod effects;
pub mod health;
pub mod instances;
pub mod jobs;
pub mod meters;
pub mod mixdown;
pub mod modulation;
pub mod openapi;
pub mod params;
pub mod presets;
pub mod slots;
pub mod transport;
pub mod ws;

use crate::config::ServerConfig;
use crate::state::AppState;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::Uri;
use tower_http::limit::RequestBodyLimitLayer;
use utoipa_axum::router::OpenApiRouter;

/// The predecessor's paths that stay as aliases of the current ones: `(alias, canonical)`.
/// Requests to an alias are rewritten before routing, and the OpenAPI document lists the alias
/// with the canonical route's description.
pub const ALIASES: &[(&str, &str)] = &[
    ("/daw/effects/list", "/api/effects/list"),
    ("/effects", "/api/effects/list"),
    ("/daw/effects/process", "/api/effects/process"),
];

/// Every route, with body limits: audio routes take large bodies, the rest small JSON.
/// `DefaultBodyLimit` is disabled so that tower-http's limit is the only one.
pub fn router(config: &ServerConfig) -> OpenApiRouter<AppState> {
    let audio = OpenApiRouter::new()
        .merge(effects::audio_router())
        .merge(chain::audio_router())
        .merge(mixdown::audio_router())
        .merge(ai::audio_router())
        .merge(codette::audio_router())
        .merge(chat::audio_router())
        .layer(RequestBodyLimitLayer::new(config.audio_body_limit));
    let small = OpenApiRouter::new()
        .merge(health::router())
        .merge(instances::router())
        .merge(params::router())
        .merge(slots::router())
        .merge(modulation::router())
        .merge(presets::router())
        .merge(meters::router())
        .merge(effects::router())
        .merge(jobs::router())
        .merge(transport::router())
        .merge(ws::router())
        .merge(automation::router())
        .merge(codette::router())
        .merge(openapi::router())
        .layer(RequestBodyLimitLayer::new(config.body_limit));
    audio.merge(small).layer(DefaultBodyLimit::disable())
}

/// Maps an alias path to its canonical route, keeping the query.
pub fn rewrite_alias(mut request: Request) -> Request {
    let path = request.uri().path().trim_end_matches('/');
    if let Some((_, canonical)) = ALIASES.iter().find(|(alias, _)| *alias == path) {
        let target = match request.uri().query() {
            Some(query) => format!("{canonical}?{query}"),
            None => canonical.to_string(),
        };
        if let Ok(uri) = target.parse::<Uri>() {
            *request.uri_mut() = uri;
        }
    }
    request
}
