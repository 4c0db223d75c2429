//! Offline processing through the plugin's own rack, shared by `/api/effects/process`,
//! `/api/chain/process` and every track and the master of a mixdown.
//!
//! Latency compensation: a chain with latency (the limiter's lookahead, the drive effects'
//! oversampling filters) delays its output by `latency` samples. Offline, that is undone: the
//! input is followed by `latency` extra samples of silence and the first `latency` output samples
//! are dropped, so output sample `i` lines up with input sample `i` and nothing at the end is
//! lost. `tail` more samples of silence let reverbs and delays ring out past the input.

use crate::audio::Audio;
use crate::error::ApiError;
use crate::slots;
use crate::state::StopFlag;
use codette_dsp::chain::SlotConfig;
use codette_dsp::rack::CHUNK;

/// Frames processed between progress reports and cancellation checks; a multiple of the rack's
/// chunk, so the rack sees the same chunk boundaries as one call over the whole buffer would give.
pub const PROGRESS_FRAMES: usize = CHUNK * 256;

/// Left and right channels.
pub type Stereo = (Vec<f32>, Vec<f32>);

/// The clock a render runs at: its sample rate, and the tempo tempo-synced effects follow (the
/// transport's, as the server's transport or the host's says when the request is made).
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub sample_rate: u32,
    pub tempo_bpm: f64,
}

/// Runs stereo audio through `configs` at `timing`. Returns `left.len() + tail` frames, or
/// `None` if `on_progress` (called with the frames just processed) asked to stop.
pub fn run_chain(
    configs: &[SlotConfig],
    timing: Timing,
    (mut left, mut right): Stereo,
    tail: usize,
    field: &str,
    on_progress: &mut dyn FnMut(usize) -> bool,
) -> Result<Option<Stereo>, ApiError> {
    let mut rack = slots::build(configs, timing.sample_rate, field)?;
    rack.set_tempo(timing.tempo_bpm);
    let latency = rack.latency();
    let total = left.len() + tail + latency;
    left.resize(total, 0.0);
    right.resize(total, 0.0);
    for (l, r) in left.chunks_mut(PROGRESS_FRAMES).zip(right.chunks_mut(PROGRESS_FRAMES)) {
        rack.process(l, r);
        if !on_progress(l.len()) {
            return Ok(None);
        }
    }
    left.drain(..latency);
    right.drain(..latency);
    Ok(Some((left, right)))
}

/// Processes `audio` (mono or stereo) through `configs` and answers in the same channel count:
/// mono is run as dual-mono and returned as the average of the two sides. Gives up when `stop`
/// is set.
pub fn process(
    configs: &[SlotConfig],
    audio: Audio,
    tail_seconds: f64,
    tempo_bpm: f64,
    stop: &StopFlag,
) -> Result<Audio, ApiError> {
    let (rate, channels) = (audio.sample_rate, audio.channels.len());
    let tail = (tail_seconds * rate as f64).round() as usize;
    let timing = Timing { sample_rate: rate, tempo_bpm };
    let (left, right) = run_chain(configs, timing, audio.into_stereo(), tail, "", &mut |_| !stop.is_set())?
        .ok_or_else(crate::jobs::shutting_down)?;
    Ok(Audio::from_stereo(left, right, rate, channels))
}

/// Checks a `tail_seconds` value (0..=60).
pub fn check_tail(seconds: f64, field: &str) -> Result<f64, ApiError> {
    if seconds.is_finite() && (0.0..=60.0).contains(&seconds) {
        Ok(seconds)
    } else {
        Err(ApiError::invalid(
            "out_of_range",
            format!("tail_seconds must be between 0 and 60, got {seconds}"),
            field,
        ))
    }
}
