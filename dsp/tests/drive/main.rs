//! Drive effects: saturation, hardclip, distortion, waveshaper, and their shared oversampling.

#[path = "../common/mod.rs"]
mod common;

mod adaa;
mod aliasing;
mod curves;
mod mix_and_latency;
mod support;
mod switching_and_reset;
