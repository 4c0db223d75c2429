//! The sound of Codette Rack: its effects and the rack that chains them.
//!
//! Nothing here knows about plugin formats or GUIs, so that the plugin, the offline engine
//! (mixdown, the API's effect processing) and the tests all run the very same code.

pub mod analysis;
pub mod blocks;
pub mod chain;
pub mod effect;
pub mod effects;
pub mod modulated_rack;
pub mod modulation;
pub mod param;
pub mod preset;
pub mod preset_render;
pub mod rack;
pub mod registry;
pub mod slot;
pub mod smooth;
pub mod targets;
pub mod util;

pub use effect::{Effect, EffectSpec, Family};
pub use param::{ParamKind, ParamSpec, Unit};
