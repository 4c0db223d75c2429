//! Starting and stopping the server.
//!
//! The plugin has no async runtime, so the server brings its own: a small multi-threaded tokio
//! runtime on a thread of its own, started by [`start`] and stopped by
//! [`ServerHandle::shutdown`] (or by dropping the handle). Heavy work (decoding, DSP, encoding)
//! runs on the runtime's blocking pool so the two worker threads stay free to answer.

use crate::config::ServerConfig;
use crate::hub::Hub;
use crate::jobs::Jobs;
use crate::registry::Registry;
use crate::state::{AppState, StopFlag};
use crate::transport::clock::{self, Clock};
use crate::transport::SidecarTransport;
use crate::{middleware, openapi, routes};
use axum::extract::Request;
use axum::ServiceExt;
use codette_assistant::chat::llm::Llm;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tower::Layer;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

/// How long open connections get to finish after a shutdown is requested.
const GRACE: Duration = Duration::from_secs(1);

#[derive(Debug)]
pub enum StartError {
    /// An environment variable could not be understood.
    InvalidConfig(String),
    /// A non-loopback address was asked for without a token.
    TokenRequired(SocketAddr),
    /// No candidate port could be bound; the error of the last attempt.
    Bind { first: SocketAddr, last: SocketAddr, error: std::io::Error },
    /// The runtime or its thread could not be created.
    Runtime(std::io::Error),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::InvalidConfig(message) => f.write_str(message),
            StartError::TokenRequired(addr) => write!(
                f,
                "refusing to listen on {addr} without a token: addresses other than loopback are reachable from other \
                 machines, so set CODETTE_API_TOKEN (clients then send Authorization: Bearer <token>) or use 127.0.0.1"
            ),
            StartError::Bind { first, last, error } if first == last => write!(f, "could not listen on {first}: {error}"),
            StartError::Bind { first, last, error } => {
                write!(f, "could not listen on {first} or the ports after it up to {}: {error}", last.port())
            }
            StartError::Runtime(error) => write!(f, "could not start the API's runtime: {error}"),
        }
    }
}

impl std::error::Error for StartError {}

/// A running server. Dropping it shuts the server down, as [`ServerHandle::shutdown`] does.
pub struct ServerHandle {
    state: AppState,
    shutdown: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

impl ServerHandle {
    /// The address in use (the configured port, or the next free one).
    pub fn addr(&self) -> SocketAddr {
        self.state.addr
    }

    /// `http://127.0.0.1:8000` style, for display.
    pub fn url(&self) -> String {
        format!("http://{}", self.state.addr)
    }

    pub fn uptime(&self) -> Duration {
        self.state.started.elapsed()
    }

    pub fn registry(&self) -> &Registry {
        &self.state.registry
    }

    /// The message hub, for publishing on topics (transport, meters) from worker threads.
    pub fn hub(&self) -> &Hub {
        &self.state.hub
    }

    /// The sidecar transport this server controls; an audio thread drives it with
    /// [`SidecarTransport::advance`].
    pub fn transport(&self) -> &Arc<SidecarTransport> {
        &self.state.transport
    }

    /// Stops accepting connections, closes WebSockets, cancels running jobs, gives open
    /// requests a moment to finish and joins the server's thread.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        self.state.stop.set();
        let _ = self.shutdown.send(true);
        self.state.jobs.cancel_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Starts a server with a fresh registry, hub and transport.
pub fn start(config: ServerConfig) -> Result<ServerHandle, StartError> {
    start_with(config, Registry::new(), Hub::new(), Arc::default())
}

/// Starts a server that serves an existing registry, hub and transport (the process-wide ones
/// of [`crate::global()`]). Returns once the socket is bound, so the address is known.
pub fn start_with(
    config: ServerConfig,
    registry: Registry,
    hub: Hub,
    transport: Arc<SidecarTransport>,
) -> Result<ServerHandle, StartError> {
    if !config.addr.ip().is_loopback() && config.token.is_none() {
        return Err(StartError::TokenRequired(config.addr));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(16)
        .thread_name("codette-api")
        .enable_all()
        .build()
        .map_err(StartError::Runtime)?;
    // Bound here (in the runtime's context, without blocking on it, so that `start` also works
    // when called from async code) so that the caller learns the address or the error at once.
    let bound = {
        let _context = runtime.enter();
        bind(&config).and_then(|l| Ok((l.local_addr().map_err(StartError::Runtime)?, l)))
    };
    let (addr, listener) = match bound {
        Ok(bound) => bound,
        Err(error) => {
            // Not a plain drop, which would block (and panic if the caller is async code).
            runtime.shutdown_background();
            return Err(error);
        }
    };
    let (shutdown, shutdown_rx) = watch::channel(false);
    let stop = StopFlag::default();
    // One client for the chat model, kept for the server's life (its connections are reused).
    let llm = config.llm.clone().and_then(|c| {
        Llm::new(c)
            .inspect_err(|reason| tracing::warn!("Codette chat uses its embedded engine: {reason}"))
            .ok()
    });
    let state = AppState {
        registry,
        jobs: Jobs::new(hub.clone(), config.max_jobs, stop.clone()),
        stop,
        hub,
        config: Arc::new(config),
        addr,
        started: Instant::now(),
        shutdown: shutdown_rx.clone(),
        openapi: Arc::new(OnceLock::new()),
        transport,
        clock: Clock::default(),
        conversations: Arc::default(),
        llm,
    };
    runtime.spawn(clock::run(state.clone()));
    runtime.spawn(crate::streams::run(state.clone()));
    let app = app(state.clone());
    let thread = std::thread::Builder::new()
        .name("codette-api".into())
        .spawn(move || serve(runtime, listener, app, shutdown_rx))
        .map_err(StartError::Runtime)?;
    Ok(ServerHandle { state, shutdown, thread: Some(thread) })
}

/// Binds the first free candidate address.
fn bind(config: &ServerConfig) -> Result<tokio::net::TcpListener, StartError> {
    let mut last_error = None;
    let mut last = config.addr;
    for addr in config.candidate_addrs() {
        last = addr;
        match bind_one(addr) {
            Ok(listener) => return Ok(listener),
            Err(error) => last_error = Some(error),
        }
    }
    let error = last_error.unwrap_or_else(|| std::io::Error::other("no address to try"));
    Err(StartError::Bind { first: config.addr, last, error })
}

fn bind_one(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    let socket =
        if addr.is_ipv4() { tokio::net::TcpSocket::new_v4()? } else { tokio::net::TcpSocket::new_v6()? };
    // On Unix this only lets a restarted server reuse its port while old connections linger in
    // TIME_WAIT; it never lets two servers share a port. (On Windows it would, so it stays off.)
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(1024)
}

/// The whole application: routes, then (inside out) JSON errors, the token, panics caught,
/// CORS, tracing, and the alias rewrite before routing.
fn app(state: AppState) -> axum::Router {
    let (router, api) = routes::router(&state.config).split_for_parts();
    let document = openapi::complete(api).to_json().unwrap_or_default();
    let _ = state.openapi.set(document);
    let cors = middleware::cors(&state.config.cors_origins);
    router
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::require_token))
        .layer(axum::middleware::map_response(middleware::json_errors))
        .layer(CatchPanicLayer::custom(middleware::panic_response))
        .layer(cors)
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

fn serve(
    runtime: tokio::runtime::Runtime,
    listener: tokio::net::TcpListener,
    app: axum::Router,
    mut stop: watch::Receiver<bool>,
) {
    let service = tower::util::MapRequestLayer::new(routes::rewrite_alias).layer(app);
    runtime.block_on(async move {
        let mut stop_serving = stop.clone();
        let server = axum::serve(listener, ServiceExt::<Request>::into_make_service(service))
            .with_graceful_shutdown(async move {
                let _ = stop_serving.wait_for(|stopped| *stopped).await;
            });
        let server = tokio::spawn(async move { server.await });
        let _ = stop.wait_for(|stopped| *stopped).await;
        let _ = tokio::time::timeout(GRACE, server).await;
    });
    // Renders stop at their next check (milliseconds); only parsing a huge body cannot be
    // interrupted. Waiting for it matters: the plugin's library may be unloaded right after.
    runtime.shutdown_timeout(Duration::from_secs(5));
}
