//! The editor driven as a user would, through egui_kittest: clicks, drags and typing on the
//! real window contents, with a host double that records the parameter gestures (what a host
//! would record as automation) and applies the values as a host does.

mod analysis;
mod codette;
mod harness;
mod modulation;
mod presets;
mod rack;
