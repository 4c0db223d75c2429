//! The server over loopback: health, instances, effect list, OpenAPI, CORS, auth, limits,
//! start-up rules, and every kind of bad input answered with a JSON 4xx.

#[path = "../common/mod.rs"]
mod common;

mod access;
mod bad_input;
mod effects;
mod instances;
mod lifecycle;
mod openapi;
mod websocket;

use codette_server::{HostFormat, Instance};

/// An instance that only names itself (it offers no rack), for the registry and the shared server.
struct FakeInstance(&'static str);

impl Instance for FakeInstance {
    fn name(&self) -> String {
        self.0.to_string()
    }
    fn format(&self) -> HostFormat {
        HostFormat::Vst3
    }
    fn sample_rate(&self) -> Option<f32> {
        Some(48_000.0)
    }
    fn block_size(&self) -> Option<u32> {
        Some(256)
    }
}
