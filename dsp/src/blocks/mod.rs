//! DSP building blocks shared by several effects.

pub mod biquad;
pub mod curves;
pub mod delay_line;
pub mod drive_stage;
pub mod echo;
pub mod one_pole;
pub mod oversampling;
pub mod tilt;
