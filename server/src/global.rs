//! The process-wide server that all plugin instances share.
//!
//! The first registration starts it (settings from the environment); later ones join it. It
//! keeps running while the process lives, even when no instance is left, so its address stays
//! the same for clients while a project is closed and another opened. A failure to start is
//! logged and kept as a message for the editor to show; it never reaches the plugin as an
//! error or a panic, and registering still works (the instance is simply not reachable).

use crate::config::ServerConfig;
use crate::hub::Hub;
use crate::registry::{Instance, Registration, Registry};
use crate::server::{start_with, ServerHandle};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};

pub struct Global {
    registry: Registry,
    hub: Hub,
    server: Mutex<State>,
}

enum State {
    NotStarted,
    Running(ServerHandle),
    Disabled,
    Failed(String),
}

/// What the editor shows about the API.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerStatus {
    NotStarted,
    Running(SocketAddr),
    /// `CODETTE_API=off`.
    Disabled,
    /// Why it did not start.
    Failed(String),
}

impl std::fmt::Display for ServerStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServerStatus::NotStarted => f.write_str("API not started"),
            ServerStatus::Running(addr) => write!(f, "API at http://{addr}"),
            ServerStatus::Disabled => f.write_str("API off (CODETTE_API=off)"),
            ServerStatus::Failed(reason) => write!(f, "API unavailable: {reason}"),
        }
    }
}

/// The process's shared server and registry.
pub fn global() -> &'static Global {
    static GLOBAL: OnceLock<Global> = OnceLock::new();
    GLOBAL.get_or_init(Global::new)
}

impl Default for Global {
    fn default() -> Self {
        Self::new()
    }
}

impl Global {
    /// A separate instance of the shared-server logic; the plugin uses [`global()`], tests
    /// make their own.
    pub fn new() -> Self {
        Global { registry: Registry::new(), hub: Hub::new(), server: Mutex::new(State::NotStarted) }
    }

    /// Registers an instance, starting the server first if this is the first registration.
    pub fn register(&self, instance: Arc<dyn Instance>) -> Registration {
        self.ensure_started();
        self.registry.register(instance)
    }

    /// Starts the server from the environment unless it was already tried.
    pub fn ensure_started(&self) -> ServerStatus {
        self.start_once(ServerConfig::from_env)
    }

    /// Starts the server with `config` unless it was already tried: for the standalone build
    /// and tests, which may configure it without the environment.
    pub fn start_with_config(&self, config: ServerConfig) -> ServerStatus {
        self.start_once(|| Ok(config))
    }

    fn start_once(&self, config: impl FnOnce() -> Result<ServerConfig, crate::StartError>) -> ServerStatus {
        let mut server = self.server.lock().unwrap_or_else(|e| e.into_inner());
        if matches!(*server, State::NotStarted) {
            *server = match config() {
                Ok(config) if !config.enabled => State::Disabled,
                Ok(config) => {
                    let (registry, hub) = (self.registry.clone(), self.hub.clone());
                    let attempt = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        start_with(config, registry, hub)
                    }));
                    match attempt {
                        Ok(Ok(handle)) => State::Running(handle),
                        Ok(Err(error)) => State::Failed(error.to_string()),
                        Err(_) => State::Failed("the server panicked while starting".into()),
                    }
                }
                Err(error) => State::Failed(error.to_string()),
            };
            if let State::Failed(reason) = &*server {
                tracing::error!("Codette Rack API not started: {reason}");
                eprintln!("Codette Rack API not started: {reason}");
            }
        }
        status(&server)
    }

    pub fn status(&self) -> ServerStatus {
        status(&self.server.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// The address in use, when running.
    pub fn address(&self) -> Option<SocketAddr> {
        match self.status() {
            ServerStatus::Running(addr) => Some(addr),
            _ => None,
        }
    }

    /// Why the server is not running, when it failed to start.
    pub fn error(&self) -> Option<String> {
        match self.status() {
            ServerStatus::Failed(reason) => Some(reason),
            _ => None,
        }
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    pub fn hub(&self) -> &Hub {
        &self.hub
    }
}

fn status(state: &State) -> ServerStatus {
    match state {
        State::NotStarted => ServerStatus::NotStarted,
        State::Running(handle) => ServerStatus::Running(handle.addr()),
        State::Disabled => ServerStatus::Disabled,
        State::Failed(reason) => ServerStatus::Failed(reason.clone()),
    }
}
