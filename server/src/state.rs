//! What every handler can reach.

use crate::config::ServerConfig;
use crate::hub::Hub;
use crate::jobs::Jobs;
use crate::registry::Registry;
use crate::transport::clock::Clock;
use crate::transport::SidecarTransport;
use codette_assistant::chat::history::Conversations;
use codette_assistant::chat::llm::Llm;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
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
    /// Set when the server stops; renders check it between chunks and give up.
    pub stop: StopFlag,
    /// The sidecar's own transport (the process-wide one of [`crate::Global::transport`]).
    pub transport: Arc<SidecarTransport>,
    /// The transport state of the latest tick, for `/ws/transport/clock`.
    pub clock: Clock,
    /// Codette's recent chat turns by conversation id, for the model's context.
    pub conversations: Arc<Conversations>,
    /// The configured chat model and the one HTTP client that reaches it.
    pub llm: Option<Llm>,
}

/// Tells long computations on the blocking pool that the server is stopping, so that none is
/// left running when the plugin's library may be unloaded.
#[derive(Clone, Default, Debug)]
pub struct StopFlag(Arc<AtomicBool>);

impl AppState {
    /// The tempo offline renders run at: the transport's (the host's inside a DAW, else the
    /// server's own), so that tempo-synced effects render as they play.
    pub fn tempo_bpm(&self) -> f64 {
        crate::transport::current(&self.registry, &self.transport).bpm
    }
}

impl StopFlag {
    pub fn set(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}
