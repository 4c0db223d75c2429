//! Codette listens to what the rack plays (or to a file), says what it measured, and proposes
//! concrete changes to the rack. Every finding carries the numbers it rests on, so a user can
//! check the assistant instead of trusting it.
//!
//! Free of the plugin wrapper, the server and the GUI: the plugin's editor, the sidecar's
//! `/codette` routes and the tests all call the same functions on plain data (meter readings,
//! spectra, preset documents).

pub mod automix;
pub mod chat;
mod genre;
pub mod recommend;
pub mod templates;
pub mod tuning;

pub use genre::{Genre, Instrument};
pub use recommend::{recommend, Recommendation};
