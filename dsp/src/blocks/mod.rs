//! DSP building blocks shared by several effects.

pub mod biquad;
pub mod biquad_chain;
pub mod delay_line;
pub mod one_pole;
