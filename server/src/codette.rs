//! What the `/codette` routes listen to and judge by: the audio a request sends (analysed
//! offline, as a whole programme) or what an instance plays (its live meters), the delivery
//! target and genre, and the rack that suggestions change.

use crate::audio::json::AudioData;
use crate::audio::{check_rate, Audio, INPUT_RATES};
use crate::error::ApiError;
use crate::extract::blocking;
use crate::mixdown::decode_base64_wav;
use crate::routes::instances::find;
use crate::state::AppState;
use crate::Instance;
use codette_assistant::{Context, Delivery, Genre, Measurements};
use codette_dsp::analysis::SpectrumReading;
use codette_dsp::preset::Preset;
use codette_dsp::rack::SLOT_COUNT;
use serde::Deserialize;
use std::sync::Arc;
use utoipa::ToSchema;

/// What to listen to: `audio` (a base64 WAV) or `audio_data` + `sample_rate`, or `instance`
/// (an instance id) for what that instance plays. Audio wins when both are given.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct Listen {
    pub instance: Option<String>,
    /// A WAV file, base64 (a `data:` URL prefix is accepted).
    pub audio: Option<String>,
    pub audio_data: Option<AudioData>,
    pub sample_rate: Option<u32>,
}

/// Stereo audio a request sent, at its rate.
pub struct Sent {
    pub left: Vec<f32>,
    pub right: Vec<f32>,
    pub sample_rate: u32,
}

/// What was heard, measured.
pub struct Heard {
    pub measurements: Measurements,
    /// Per slot, what its dynamics effect takes off now (instances only).
    pub gain_reduction_db: Option<Vec<Option<f32>>>,
    /// The programme's average spectrum, or the instance's current one.
    pub spectrum: SpectrumReading,
    pub audio: Option<Sent>,
    /// Why the suggestions could not be level-matched, when an instance was heard without the
    /// audio it was given.
    pub not_level_matched: Option<String>,
}

/// What an instance must have heard before its recent input stands for what it plays.
pub const MIN_HEARD_SECONDS: f32 = 3.0;

/// The instance's recent input, to render changes through; or why there is none to use.
pub fn recent_input(instance: &dyn Instance) -> Result<Sent, String> {
    let input = instance.recent_input().ok_or("the instance keeps no recent input")?;
    if input.seconds() < MIN_HEARD_SECONDS {
        return Err(format!(
            "the instance has heard {:.1} s of input; level-matching needs {MIN_HEARD_SECONDS} s",
            input.seconds()
        ));
    }
    Ok(Sent { left: input.left, right: input.right, sample_rate: input.sample_rate.round() as u32 })
}

impl Listen {
    /// Whether the request names anything to listen to.
    pub fn given(&self) -> bool {
        self.instance.is_some() || self.audio.is_some() || self.audio_data.is_some()
    }

    /// The audio sent, if any: stereo as sent, mono as one channel.
    pub fn audio(&self) -> Result<Option<Audio>, ApiError> {
        match (&self.audio, &self.audio_data) {
            (Some(_), Some(_)) => {
                Err(ApiError::invalid("invalid_field", "send audio or audio_data, not both", "audio"))
            }
            (Some(b64), None) => decode_base64_wav(b64).map(Some).map_err(|e| e.at("audio")),
            (None, Some(data)) => {
                let rate = self.sample_rate.ok_or_else(|| {
                    ApiError::invalid("missing_field", "audio_data needs sample_rate", "sample_rate")
                })?;
                let rate = check_rate(rate, INPUT_RATES, "sample_rate")?;
                data.clone().into_audio(rate, "audio_data").map(Some)
            }
            (None, None) => Ok(None),
        }
    }

    /// The instance named, if any.
    pub fn instance(&self, state: &AppState) -> Result<Option<Arc<dyn Instance>>, ApiError> {
        self.instance.as_deref().map(|id| find(state, id).map_err(|e| e.at("instance"))).transpose()
    }

    /// Measures the audio sent, or else the instance's meters (with its recent input, when it has
    /// heard enough, as the audio to level-match changes on).
    pub async fn hear(&self, state: &AppState) -> Result<Heard, ApiError> {
        if let Some(audio) = self.audio()? {
            if audio.frames() == 0 {
                return Err(ApiError::invalid("invalid_audio", "the audio is empty", "audio"));
            }
            return blocking(move || {
                let rate = audio.sample_rate;
                let programme = match audio.channels.as_slice() {
                    [mono] => Measurements::of_mono_programme(mono, rate as f32),
                    _ => {
                        let (left, right) = (&audio.channels[0], &audio.channels[1]);
                        Measurements::of_programme(left, right, rate as f32)
                    }
                };
                let (left, right) = audio.into_stereo();
                let sent = Sent { left, right, sample_rate: rate };
                Ok(Heard {
                    measurements: programme.measurements,
                    gain_reduction_db: None,
                    spectrum: programme.spectrum,
                    audio: Some(sent),
                    not_level_matched: None,
                })
            })
            .await;
        }
        let Some(instance) = self.instance(state)? else {
            return Err(ApiError::invalid(
                "missing_field",
                "send audio (base64 WAV), audio_data with sample_rate, or an instance id",
                "audio",
            ));
        };
        let view = instance.meters()?;
        if !view.active {
            return Err(ApiError::new(
                axum::http::StatusCode::CONFLICT,
                "not_playing",
                "the instance is not processing audio: start playback in the host, or send audio",
            )
            .at("instance"));
        }
        let spectrum = instance.spectrum()?;
        let input = recent_input(instance.as_ref());
        Ok(Heard {
            measurements: Measurements::live(view.meters),
            gain_reduction_db: Some(view.gain_reduction_db),
            spectrum: SpectrumReading { frequencies: spectrum.frequencies, db: spectrum.db },
            not_level_matched: input.as_ref().err().cloned(),
            audio: input.ok(),
        })
    }
}

/// The delivery target and genre by name; an unknown one is refused with the valid names.
pub fn context(target: Option<&str>, genre: Option<&str>) -> Result<Context, ApiError> {
    let delivery = target
        .map(|t| named(Delivery::parse(t), "target", t, Delivery::ALL.map(Delivery::id)))
        .transpose()?;
    let genre = genre.map(|g| named(Genre::parse(g), "genre", g, Genre::ALL.map(Genre::id))).transpose()?;
    Ok(Context { delivery, genre })
}

/// What `given` names, or an `unknown_{field}` error that lists the `valid` names.
pub fn named<T>(
    value: Option<T>,
    field: &str,
    given: &str,
    valid: impl IntoIterator<Item = &'static str>,
) -> Result<T, ApiError> {
    value.ok_or_else(|| {
        let valid: Vec<&str> = valid.into_iter().collect();
        ApiError::invalid(
            &format!("unknown_{field}"),
            format!("unknown {field} {given:?}; one of {}", valid.join(", ")),
            field,
        )
    })
}

/// The rack suggestions are made for: the instance's, else the `preset` sent, else an empty
/// rack of the plugin's [`SLOT_COUNT`] slots.
pub fn rack(instance: Option<&Arc<dyn Instance>>, preset: Option<Preset>) -> Result<Preset, ApiError> {
    if let Some(instance) = instance {
        return instance.preset();
    }
    let preset = preset.unwrap_or_else(|| Preset::new(""));
    preset
        .validate(SLOT_COUNT, codette_dsp::modulation::matrix::MACRO_COUNT)
        .map_err(|e| ApiError::invalid("invalid_field", e.message, format!("preset.{}", e.field)))?;
    Ok(preset)
}

/// A change that does not fit the rack, as the API says it; or the server shutting down, when
/// that is what stopped a render.
pub fn change_error(e: codette_assistant::ChangeError, prefix: &str) -> ApiError {
    if e == codette_assistant::ChangeError::cancelled() {
        return crate::jobs::shutting_down();
    }
    ApiError::invalid("invalid_change", e.message, format!("{prefix}{}", e.field))
}
