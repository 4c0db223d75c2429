//! The sidecar HTTP/WebSocket API of Codette Rack.
//!
//! Every process holding Codette Rack instances runs one server on a runtime of its own (see
//! API.md). A plugin instance registers through [`global()`], which starts the server on first
//! use from the environment's settings and keeps any start failure to itself:
//!
//! ```no_run
//! use codette_server::{global, HostFormat, Instance};
//! use std::sync::Arc;
//!
//! struct MyInstance;
//! impl Instance for MyInstance {
//!     fn name(&self) -> String { "Codette Rack".into() }
//!     fn format(&self) -> HostFormat { HostFormat::Clap }
//!     fn sample_rate(&self) -> Option<f32> { Some(48_000.0) }
//!     fn block_size(&self) -> Option<u32> { Some(512) }
//! }
//!
//! let registration = global().register(Arc::new(MyInstance));
//! println!("API: {}", global().status());
//! drop(registration); // unregisters
//! ```

pub mod audio;
pub mod codette;
pub mod config;
pub mod error;
pub mod extract;
pub mod global;
pub mod hub;
pub mod instance;
pub mod jobs;
pub mod middleware;
pub mod mixdown;
pub mod openapi;
pub mod process;
pub mod registry;
pub mod render;
pub mod routes;
pub mod server;
pub mod slots;
pub mod state;
pub mod streams;
pub mod transport;

pub use axum::http::StatusCode;
pub use config::ServerConfig;
pub use error::ApiError;
pub use global::{global, Global, GlobalRegistration, ServerStatus};
pub use hub::Hub;
pub use registry::{HostFormat, Instance, InstanceInfo, RecentInput, Registration, Registry};
pub use server::{start, start_with, ServerHandle, StartError};
pub use transport::{HostTransport, SidecarTransport, TransportState};
