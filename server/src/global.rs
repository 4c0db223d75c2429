//! The process-wide server that all plugin instances share.
//!
//! The first registration starts it (settings from the environment); later ones join it. When
//! the last instance unregisters, the server stops and its threads are joined: a host may
//! unload the plugin's library once its last instance is gone, and no thread may still be
//! running the library's code then. The next registration starts it again (on the same port,
//! which is reused at once). A failure to start is logged and kept as a message for the editor
//! to show; it never reaches the plugin as an error or a panic, and registering still works
//! (the instance is simply not reachable). It is retried once every instance has gone.

use crate::config::ServerConfig;
use crate::hub::Hub;
use crate::registry::{Instance, Registration, Registry};
use crate::server::{start_with, ServerHandle};
use crate::transport::SidecarTransport;
use crate::StartError;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

/// The shared server and registry. Cheap to clone; clones share everything.
#[derive(Clone)]
pub struct Global {
    inner: Arc<Inner>,
}

struct Inner {
    registry: Registry,
    hub: Hub,
    transport: Arc<SidecarTransport>,
    server: Mutex<Server>,
}

struct Server {
    state: State,
    /// Set by [`Global::start_with_config`]; otherwise the environment is read at each start.
    config: Option<ServerConfig>,
}

enum State {
    NotStarted,
    /// Boxed: the handle is ten times the size of the other states.
    Running(Box<ServerHandle>),
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

/// Keeps an instance registered with the shared server; dropping it unregisters the instance,
/// and stops the server if it was the last one.
#[must_use = "the instance is unregistered when the registration is dropped"]
pub struct GlobalRegistration {
    registration: Option<Registration>,
    owner: Global,
}

impl GlobalRegistration {
    /// The instance's id in the API (`/api/instances/{id}`).
    pub fn id(&self) -> String {
        self.registration.as_ref().map(Registration::id).unwrap_or_default()
    }
}

impl Drop for GlobalRegistration {
    fn drop(&mut self) {
        let mut server = self.owner.lock();
        drop(self.registration.take());
        if self.owner.inner.registry.is_empty() {
            // Under the lock, so that a registration arriving meanwhile waits and then starts
            // a fresh server rather than joining one that is going away.
            if let State::Running(handle) = std::mem::replace(&mut server.state, State::NotStarted) {
                handle.shutdown();
            }
            server.state = State::NotStarted;
        }
    }
}

impl Global {
    /// A separate instance of the shared-server logic; the plugin uses [`global()`], tests
    /// make their own.
    pub fn new() -> Self {
        let server = Mutex::new(Server { state: State::NotStarted, config: None });
        let (registry, hub, transport) = (Registry::new(), Hub::new(), Arc::default());
        Global { inner: Arc::new(Inner { registry, hub, transport, server }) }
    }

    fn lock(&self) -> MutexGuard<'_, Server> {
        self.inner.server.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers an instance, starting the server first if it is not running.
    pub fn register(&self, instance: Arc<dyn Instance>) -> GlobalRegistration {
        let mut server = self.lock();
        self.start_if_needed(&mut server);
        let registration = self.inner.registry.register(instance);
        GlobalRegistration { registration: Some(registration), owner: self.clone() }
    }

    /// Uses `config` instead of the environment (the standalone build, tests) and starts the
    /// server now if it is not running.
    pub fn start_with_config(&self, config: ServerConfig) -> ServerStatus {
        let mut server = self.lock();
        server.config = Some(config);
        self.start_if_needed(&mut server);
        status(&server.state)
    }

    fn start_if_needed(&self, server: &mut Server) {
        if !matches!(server.state, State::NotStarted) {
            return;
        }
        let config = match server.config.clone() {
            Some(config) => Ok(config),
            None => ServerConfig::from_env(),
        };
        server.state = match config {
            Ok(config) if !config.enabled => State::Disabled,
            Ok(config) => {
                let (registry, hub) = (self.inner.registry.clone(), self.inner.hub.clone());
                let transport = self.inner.transport.clone();
                let attempt = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    start_with(config, registry, hub, transport)
                }));
                match attempt {
                    Ok(Ok(handle)) => State::Running(Box::new(handle)),
                    Ok(Err(error)) => State::Failed(error.to_string()),
                    Err(_) => State::Failed("the server panicked while starting".into()),
                }
            }
            Err(error) => State::Failed(StartError::to_string(&error)),
        };
        if let State::Failed(reason) = &server.state {
            tracing::error!("Codette Rack API not started: {reason}");
            eprintln!("Codette Rack API not started: {reason}");
        }
    }

    pub fn status(&self) -> ServerStatus {
        status(&self.lock().state)
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
        &self.inner.registry
    }

    /// The message hub, for publishing on topics (transport, meters) from worker threads. It
    /// outlives server restarts.
    pub fn hub(&self) -> &Hub {
        &self.inner.hub
    }

    /// The process's sidecar transport: the standalone instance's audio thread calls
    /// [`SidecarTransport::advance`] on it each block, and the API controls it. Like the hub it
    /// outlives server restarts, so the position survives the last instance going away.
    pub fn transport(&self) -> &Arc<SidecarTransport> {
        &self.inner.transport
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
