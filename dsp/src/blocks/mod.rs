//! DSP building blocks shared by several effects.

pub mod biquad;
pub mod delay_line;
pub mod echo;
pub mod one_pole;
