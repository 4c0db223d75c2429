//! Compressor, limiter, expander, gate and noise gate against their defining curves and times.

#[path = "../common/mod.rs"]
mod common;

mod compressor;
mod expander;
mod gates;
mod limiter;
mod reset;
mod support;
