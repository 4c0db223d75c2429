//! DSP building blocks shared by several effects.

pub mod biquad;
pub mod delay_line;
pub mod one_pole;
pub mod reverb_parts;
