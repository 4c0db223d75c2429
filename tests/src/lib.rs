//! A small CLAP host for testing the bundled Codette Rack the way a DAW uses it.
//!
//! The tests load `target/bundled/Codette Rack.clap` (or `$CODETTE_CLAP`), a debug build made
//! with `assert_process_allocs`, so that any allocation inside `process()` aborts the test
//! process. Audio is rendered on a separate thread, as a host's audio thread would, and the
//! plugin's main-thread callbacks are served on the test's thread afterwards.
//!
//! What the plugin is expected to expose (parameter ids, names, ranges) is derived from the
//! effect registry of `codette_dsp`, so the expectations follow the effects as they are added.
//! The DSP itself is never run from here: only the bundle's copy of it is.

mod bundle;
mod expected;
mod host;
mod http;
mod rack;
mod signal;
mod state;

pub use bundle::*;
pub use expected::*;
pub use host::*;
pub use http::*;
pub use rack::*;
pub use signal::*;
pub use state::*;

pub use clack_extensions::params::ParamInfoFlags as Flags;
