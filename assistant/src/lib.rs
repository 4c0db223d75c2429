//! Codette listens to what the rack plays (or to a file), says what it measured, and proposes
//! concrete changes to the rack. Every finding carries the numbers it rests on, so a user can
//! check the assistant instead of trusting it.
//!
//! Free of the plugin wrapper, the server and the GUI: the plugin's editor, the sidecar's
//! `/codette` routes and the tests all call the same functions on plain data (meter readings,
//! spectra, preset documents).

pub mod automix;
mod band_bell;
pub mod chat;
mod delivery;
mod findings;
mod genre;
mod measurements;
mod preview;
mod rack_change;
pub mod recommend;
mod reference;
mod suggest;
pub mod templates;
pub mod tuning;

pub use band_bell::band_bell;
pub use delivery::{limiter_threshold, turn_downs, Delivery, Platform, TurnDown, PLATFORMS};
pub use findings::{detect, AnalysisType, Context, Evidence, Finding, FindingKind};
pub use genre::{Genre, Instrument};
pub use measurements::{clipped_runs, Measurements, Programme};
pub use preview::{preview, Audition, Preview};
pub use rack_change::{free_slot, ChangeError, Edit, Place, RackChange};
pub use recommend::{recommend, Recommendation};
pub use reference::Reference;
pub use suggest::{make_level_neutral, suggest, Suggestion, SuggestionType};
