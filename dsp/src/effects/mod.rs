//! The built-in effects, one per file.

pub mod compressor;
pub mod distortion;
pub mod eq3band;
pub mod expander;
pub mod gate;
pub mod hall_reverb;
pub mod hardclip;
pub mod highlow_pass;
pub mod limiter;
pub mod multitap_delay;
pub mod noise_gate;
pub mod pingpong_delay;
pub mod plate_reverb;
pub mod reverb;
pub mod room_reverb;
pub mod saturation;
pub mod simple_delay;
pub mod stereo_delay;
pub mod waveshaper;
