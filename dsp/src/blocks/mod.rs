//! DSP building blocks shared by several effects.

pub mod biquad;
pub mod delay_bank;
pub mod delay_line;
pub mod one_pole;
pub mod reverb_controls;
pub mod reverb_parts;
