//! DSP building blocks shared by several effects.

pub mod ballistics;
pub mod biquad;
pub mod biquad_chain;
pub mod ceiling;
pub mod chunk;
pub mod curves;
pub mod decibels;
pub mod delay_bank;
pub mod delay_line;
pub mod drive_stage;
pub mod echo;
pub mod gate_envelope;
pub mod level_detector;
pub mod oversampling;
pub mod period_ramp;
pub mod reverb_controls;
pub mod reverb_parts;
pub mod sliding_max;
pub mod tilt;
