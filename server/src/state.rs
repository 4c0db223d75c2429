//! What every handler can reach.

use crate::config::ServerConfig;
use crate::hub::Hub;
use crate::jobs::Jobs;
use crate::registry::Registry;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Instant;
use tokio::sync::watch;

#[derive(Clone)]
pub struct AppState {
    pub registry: Registry,
    pub hub: Hub,
    pub jobs: Jobs,
    pub config: Arc<ServerConfig>,
    /// The address actually bound (after port fallback).
    pub addr: SocketAddr,
    pub started: Instant,
    /// Becomes `true` when the server shuts down; long-lived connections (WebSockets) watch it.
    pub shutdown: watch::Receiver<bool>,
    /// The OpenAPI document, serialized once when the router is built.
    pub openapi: Arc<OnceLock<String>>,
}
