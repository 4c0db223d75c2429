//! Modulation sources, matrix, lanes and engine against formulas and exact sample positions.

#[path = "../common/mod.rs"]
mod common;

mod configuration;
mod envelopes;
mod followers;
mod lanes;
mod lfos;
mod matrix;
mod support;
mod whole_engine;
