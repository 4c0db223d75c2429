//! The built-in effects, one per file.

pub mod eq3band;
pub mod highlow_pass;
pub mod compressor;
pub mod limiter;
pub mod expander;
pub mod gate;
pub mod noise_gate;
pub mod saturation;
pub mod hardclip;
pub mod distortion;
pub mod waveshaper;
pub mod simple_delay;
pub mod pingpong_delay;
pub mod multitap_delay;
pub mod stereo_delay;
pub mod reverb;
pub mod hall_reverb;
pub mod plate_reverb;
pub mod room_reverb;
pub(crate) mod placeholder;
