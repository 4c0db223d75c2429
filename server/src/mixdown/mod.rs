//! Mixdown: many tracks, each through its own chain, panned and summed, through a master chain,
//! optionally loudness-normalized, to a stereo WAV.
//!
//! A request is first turned into a [`MixPlan`]: every field is checked and every track decoded,
//! so a bad request is answered with a 4xx at once, whether the render then runs inline or as a
//! job. [`render::render`] does the work, identically for both.

pub mod render;

use crate::audio::{self, check_rate, json::AudioData, wav, wav::OutputFormat, Audio};
use crate::error::ApiError;
use crate::render::check_tail;
use crate::slots::{chain_configs, SlotRequest};
use base64::Engine;
use codette_dsp::chain::SlotConfig;
use serde::Deserialize;
use utoipa::ToSchema;

/// The predecessor's default rate for `audio_data` with no `sample_rate` anywhere.
pub const FALLBACK_RATE: u32 = 44_100;

/// Volume range of a track, in dB.
pub const VOLUME_RANGE_DB: (f64, f64) = (-120.0, 24.0);

#[derive(Debug, Deserialize, ToSchema)]
pub struct MixdownRequest {
    pub tracks: Vec<TrackRequest>,
    /// Chain run on the sum of the tracks. Nothing is implied: for the predecessor's −1 dB
    /// master limiter, put `{"type": "limiter", "parameters": {"threshold": -1}}` here.
    #[serde(default)]
    pub master_chain: Vec<SlotRequest>,
    /// Output rate; tracks at other rates are resampled. Default: the highest track rate.
    pub sample_rate: Option<u32>,
    /// 16 or 24 (PCM) or 32 (float); default 16.
    #[serde(default)]
    pub format: OutputFormat,
    /// Normalize the integrated loudness to this (−70..0 LUFS); the true peak is kept at or
    /// below −1 dBTP by reducing the gain, which the response reports.
    pub loudness_target_lufs: Option<f64>,
    /// Seconds rendered past the longest track so reverbs and delays ring out (0..60, default 0).
    #[serde(default)]
    pub tail_seconds: f64,
    /// `true` always runs a job (202), `false` never does; by default a mixdown with more than
    /// 30 s of input audio (all tracks together) runs as a job.
    #[serde(rename = "async", default)]
    pub run_async: Option<bool>,
    /// Tempo for tempo-synced effects (20..999 bpm); by default the transport's.
    #[serde(default)]
    pub bpm: Option<f64>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TrackRequest {
    /// A WAV file, base64-encoded (a `data:audio/wav;base64,` prefix is allowed).
    pub audio: Option<String>,
    /// Samples instead of `audio`: mono flat array or channel arrays.
    pub audio_data: Option<AudioData>,
    /// Rate of `audio_data`; default: the request's `sample_rate`, else 44100.
    pub sample_rate: Option<u32>,
    /// Fader in dB (−120..24, default 0); `volume` is accepted too, as the predecessor sent it.
    #[serde(default, alias = "volume")]
    pub volume_db: f64,
    /// −1 (left) .. 1 (right), equal-power; see [`render::pan_gains`].
    #[serde(default)]
    pub pan: f64,
    #[serde(default)]
    pub mute: bool,
    #[serde(default)]
    pub solo: bool,
    #[serde(default)]
    pub effect_chain: Vec<SlotRequest>,
    pub name: Option<String>,
}

/// A checked mixdown, ready to render.
#[derive(Debug, Clone)]
pub struct MixPlan {
    /// Only the tracks that are heard (mute and solo applied).
    pub tracks: Vec<TrackPlan>,
    pub master: Vec<SlotConfig>,
    pub sample_rate: u32,
    pub format: wav::WavFormat,
    pub loudness_target_lufs: Option<f64>,
    /// Output length in frames: the longest track (heard or not) plus the tail.
    pub frames: usize,
    /// Seconds of input audio over all tracks, to decide between inline and job.
    pub input_seconds: f64,
    pub run_async: Option<bool>,
    /// The tempo tempo-synced effects follow.
    pub tempo_bpm: f64,
}

#[derive(Debug, Clone)]
pub struct TrackPlan {
    /// Position in the request, for error messages.
    pub index: usize,
    pub audio: Audio,
    pub chain: Vec<SlotConfig>,
    /// Linear gains for left and right (volume and pan together).
    pub gains: (f32, f32),
}

fn range(value: f64, (min, max): (f64, f64), what: &str, field: String) -> Result<f64, ApiError> {
    if value.is_finite() && value >= min && value <= max {
        Ok(value)
    } else {
        Err(ApiError::invalid(
            "out_of_range",
            format!("{what} must be between {min} and {max}, got {value}"),
            field,
        ))
    }
}

impl MixdownRequest {
    /// Checks and decodes everything (CPU work: call it off the async runtime). Tempo-synced
    /// effects follow `bpm` unless the request names its own.
    pub fn plan(self, transport_bpm: f64) -> Result<MixPlan, ApiError> {
        let tempo_bpm = match self.bpm {
            Some(bpm) if !(20.0..=999.0).contains(&bpm) => {
                return Err(ApiError::invalid(
                    "out_of_range",
                    format!("bpm must be between 20 and 999, got {bpm}"),
                    "bpm",
                ))
            }
            Some(bpm) => bpm,
            None => transport_bpm,
        };
        if self.tracks.is_empty() {
            return Err(ApiError::invalid("invalid_field", "tracks must hold at least one track", "tracks"));
        }
        if let Some(rate) = self.sample_rate {
            check_rate(rate, audio::PROCESS_RATES, "sample_rate")?;
        }
        let tail = check_tail(self.tail_seconds, "tail_seconds")?;
        if let Some(target) = self.loudness_target_lufs {
            range(target, (-70.0, 0.0), "loudness_target_lufs", "loudness_target_lufs".into())?;
        }
        let master = chain_configs(&self.master_chain, "master_chain")?;
        let any_solo = self.tracks.iter().any(|t| t.solo && !t.mute);
        let mut decoded = Vec::with_capacity(self.tracks.len());
        for (i, track) in self.tracks.into_iter().enumerate() {
            decoded.push(track.check(i, self.sample_rate)?);
        }
        let sample_rate = self
            .sample_rate
            .or_else(|| decoded.iter().map(|(_, t)| t.audio.sample_rate).max())
            .map(|r| r.clamp(audio::PROCESS_RATES.0, audio::PROCESS_RATES.1))
            .unwrap_or(FALLBACK_RATE);
        let longest = decoded
            .iter()
            .map(|(_, t)| audio::resample::resampled_len(t.audio.frames(), t.audio.sample_rate, sample_rate))
            .max()
            .unwrap_or(0);
        let input_seconds = decoded.iter().map(|(_, t)| t.audio.seconds()).sum();
        let frames = longest + (tail * sample_rate as f64).round() as usize;
        if !wav::fits(frames, 2, self.format.0) {
            return Err(ApiError::invalid(
                "too_long",
                "the mix would exceed the 4 GiB a WAV file can hold",
                "tracks",
            ));
        }
        let heard = |r: &TrackRequestFlags| !r.mute && (!any_solo || r.solo);
        Ok(MixPlan {
            tracks: decoded.into_iter().filter(|(flags, _)| heard(flags)).map(|(_, t)| t).collect(),
            master,
            sample_rate,
            format: self.format.0,
            loudness_target_lufs: self.loudness_target_lufs,
            frames,
            input_seconds,
            run_async: self.run_async,
            tempo_bpm,
        })
    }
}

struct TrackRequestFlags {
    mute: bool,
    solo: bool,
}

impl TrackRequest {
    fn check(self, index: usize, mix_rate: Option<u32>) -> Result<(TrackRequestFlags, TrackPlan), ApiError> {
        let at = |name: &str| format!("tracks[{index}].{name}");
        let volume = range(self.volume_db, VOLUME_RANGE_DB, "volume_db", at("volume_db"))?;
        let pan = range(self.pan, (-1.0, 1.0), "pan", at("pan"))?;
        let chain = chain_configs(&self.effect_chain, &at("effect_chain"))?;
        let audio = match (self.audio, self.audio_data) {
            (Some(_), Some(_)) => {
                return Err(ApiError::invalid(
                    "invalid_field",
                    "give either audio or audio_data, not both",
                    at("audio"),
                ))
            }
            (None, None) => {
                return Err(ApiError::invalid(
                    "invalid_field",
                    "each track needs audio (base64 WAV) or audio_data",
                    at("audio"),
                ))
            }
            (Some(b64), None) => decode_base64_wav(&b64).map_err(|e| e.at(at("audio")))?,
            (None, Some(data)) => {
                let rate = self.sample_rate.or(mix_rate).unwrap_or(FALLBACK_RATE);
                check_rate(rate, audio::INPUT_RATES, &at("sample_rate"))?;
                data.into_audio(rate, &at("audio_data"))?
            }
        };
        check_rate(audio.sample_rate, audio::INPUT_RATES, &at("audio"))?;
        let flags = TrackRequestFlags { mute: self.mute, solo: self.solo };
        Ok((flags, TrackPlan { index, audio, chain, gains: render::pan_gains(volume, pan) }))
    }
}

/// A base64 WAV as JSON carries it.
pub fn decode_base64_wav(text: &str) -> Result<Audio, ApiError> {
    let payload = text.trim();
    let payload = match payload.find("base64,") {
        Some(pos) if payload.starts_with("data:") => &payload[pos + 7..],
        _ => payload,
    };
    // Padding is optional: some encoders (and JavaScript helpers) leave it out.
    const ENGINE: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    let bytes = ENGINE
        .decode(payload)
        .map_err(|e| ApiError::bad_request("invalid_base64", format!("audio is not valid base64: {e}")))?;
    Ok(wav::decode(&bytes)?.0)
}
