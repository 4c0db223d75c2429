//! The measurements a Codette request is about: given as `metrics`, measured on audio sent
//! along (`audio` as base64 WAV, or `audio_data` + `sample_rate`), or read from an `instance`'s
//! meters. One request names at most one of them.

use crate::audio::{check_rate, json::AudioData, Audio, INPUT_RATES};
use crate::error::ApiError;
use crate::extract::blocking;
use crate::mixdown::{decode_base64_wav, FALLBACK_RATE};
use crate::routes::instances::find;
use crate::state::AppState;
use codette_dsp::analysis::{Analyzer, MeterReading, FLOOR_DB};
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct MeasureSource {
    /// A WAV file, base64-encoded.
    pub audio: Option<String>,
    /// Samples instead of `audio`: mono flat array or channel arrays.
    pub audio_data: Option<AudioData>,
    /// Rate of `audio_data`; default 44100.
    pub sample_rate: Option<u32>,
    /// Measurements already made, with the field names of the meters.
    #[schema(value_type = Option<Object>)]
    pub metrics: Option<MeterReading>,
    /// An instance id: its current meters.
    pub instance: Option<String>,
}

impl MeasureSource {
    /// The reading, or `None` when the request names no source.
    pub async fn reading(self, state: &AppState) -> Result<Option<MeterReading>, ApiError> {
        let given = [
            self.audio.is_some() || self.audio_data.is_some(),
            self.metrics.is_some(),
            self.instance.is_some(),
        ];
        if given.iter().filter(|&&g| g).count() > 1 {
            return Err(ApiError::invalid(
                "invalid_field",
                "give one of audio (or audio_data), metrics and instance",
                "metrics",
            ));
        }
        if let Some(id) = &self.instance {
            return Ok(Some(find(state, id)?.meters()?.meters));
        }
        if let Some(metrics) = self.metrics {
            return Ok(Some(metrics));
        }
        let audio = match (self.audio, self.audio_data) {
            (Some(_), Some(_)) => {
                return Err(ApiError::invalid(
                    "invalid_field",
                    "give either audio or audio_data, not both",
                    "audio",
                ))
            }
            (Some(b64), None) => blocking(move || decode_base64_wav(&b64).map_err(|e| e.at("audio"))).await?,
            (None, Some(data)) => {
                let rate = check_rate(self.sample_rate.unwrap_or(FALLBACK_RATE), INPUT_RATES, "sample_rate")?;
                data.into_audio(rate, "audio_data")?
            }
            (None, None) => return Ok(None),
        };
        blocking(move || Ok(measure(audio))).await.map(Some)
    }
}

/// Everything the analysis measures over the whole of `audio` (mono is measured as both sides).
/// The meters' peak, RMS, crest, correlation and width cover a sliding 300 ms window, which for
/// a file would be its last 300 ms; here they are taken over the whole file, with the meters'
/// definitions (the louder channel's peak and RMS; see `codette_dsp::analysis`).
pub fn measure(audio: Audio) -> MeterReading {
    let mut analyzer = Analyzer::new(audio.sample_rate as f32);
    let (left, right) = audio.into_stereo();
    analyzer.push(&left, &right);
    let mut reading = analyzer.meters();
    let (mut ll, mut rr, mut lr, mut peak) = (0.0f64, 0.0f64, 0.0f64, 0.0f32);
    for (&l, &r) in left.iter().zip(&right) {
        peak = peak.max(l.abs()).max(r.abs());
        (ll, rr, lr) = (ll + (l * l) as f64, rr + (r * r) as f64, lr + (l * r) as f64);
    }
    let frames = left.len().max(1) as f64;
    let db =
        |power: f64| if power > 0.0 { (10.0 * power.log10()).max(FLOOR_DB as f64) as f32 } else { FLOOR_DB };
    reading.peak_dbfs = db((peak as f64).powi(2));
    reading.rms_dbfs = db(ll.max(rr) / frames);
    reading.crest_db = reading.peak_dbfs - reading.rms_dbfs;
    if ll > 0.0 && rr > 0.0 {
        reading.correlation = (lr / (ll * rr).sqrt()).clamp(-1.0, 1.0) as f32;
        reading.width = (1.0 - 2.0 * lr / (ll + rr)).clamp(0.0, 2.0) as f32;
    }
    reading
}
