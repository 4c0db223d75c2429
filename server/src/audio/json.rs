//! `audio_data` as the predecessor's clients send it: a flat array of samples for mono, or an
//! array of channel arrays for stereo. Answers keep the shape the request used.

use super::Audio;
use crate::error::ApiError;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;
use utoipa::ToSchema;

/// Samples, -1..1 full scale: a flat array for mono, or one or two channel arrays of equal
/// length (left, right).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(untagged)]
pub enum AudioData {
    /// `[0.1, 0.2, …]`
    Mono(Vec<f32>),
    /// `[[left…], [right…]]` (or a single channel array).
    Channels(Vec<Vec<f32>>),
}

impl AudioData {
    /// Validates the shape (one or two channels of equal length) and pairs it with its rate.
    pub fn into_audio(self, sample_rate: u32, field: &str) -> Result<Audio, ApiError> {
        let channels = match self {
            AudioData::Mono(samples) => vec![samples],
            AudioData::Channels(channels) => channels,
        };
        if channels.is_empty() || channels.len() > 2 {
            return Err(ApiError::invalid(
                "invalid_audio",
                format!("audio_data must have 1 or 2 channels, got {}", channels.len()),
                field,
            ));
        }
        if channels.iter().any(|c| c.len() != channels[0].len()) {
            return Err(ApiError::invalid(
                "invalid_audio",
                format!(
                    "channels of audio_data must have the same length, got {}",
                    channels.iter().map(|c| c.len().to_string()).collect::<Vec<_>>().join(" and ")
                ),
                field,
            ));
        }
        Ok(Audio { channels, sample_rate })
    }

    /// Whether this is the flat (mono) form, which answers are given in too.
    pub fn is_flat(&self) -> bool {
        matches!(self, AudioData::Mono(_))
    }

    /// `audio` as `audio_data`: flat when `flat` (mono), else channel arrays.
    pub fn from_audio(audio: Audio, flat: bool) -> AudioData {
        if flat {
            AudioData::Mono(audio.channels.into_iter().next().unwrap_or_default())
        } else {
            AudioData::Channels(audio.channels)
        }
    }
}

impl<'de> Deserialize<'de> for AudioData {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(AudioVisitor)
    }
}

struct AudioVisitor;

impl<'de> Visitor<'de> for AudioVisitor {
    type Value = AudioData;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of samples (mono) or an array of channel arrays (stereo)")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<AudioData, A::Error> {
        // The first element decides the shape; the rest must follow it.
        match seq.next_element::<First>()? {
            None => Ok(AudioData::Mono(Vec::new())),
            Some(First::Sample(x)) => {
                let mut samples = Vec::with_capacity(seq.size_hint().unwrap_or(0) + 1);
                samples.push(x);
                while let Some(x) = seq.next_element::<f32>()? {
                    samples.push(x);
                }
                Ok(AudioData::Mono(samples))
            }
            Some(First::Channel(channel)) => {
                let mut channels = vec![channel];
                while let Some(c) = seq.next_element::<Vec<f32>>()? {
                    channels.push(c);
                }
                Ok(AudioData::Channels(channels))
            }
        }
    }
}

enum First {
    Sample(f32),
    Channel(Vec<f32>),
}

impl<'de> Deserialize<'de> for First {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FirstVisitor;
        impl<'de> Visitor<'de> for FirstVisitor {
            type Value = First;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a sample (number) or a channel (array of numbers)")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<First, E> {
                Ok(First::Sample(v as f32))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<First, E> {
                Ok(First::Sample(v as f32))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<First, E> {
                Ok(First::Sample(v as f32))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<First, A::Error> {
                let mut channel = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(x) = seq.next_element::<f32>()? {
                    channel.push(x);
                }
                Ok(First::Channel(channel))
            }
        }
        deserializer.deserialize_any(FirstVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let mono: AudioData = serde_json::from_str("[0.5, -1, 0]").unwrap();
        assert_eq!(mono, AudioData::Mono(vec![0.5, -1.0, 0.0]));
        let stereo: AudioData = serde_json::from_str("[[0.5, 1], [0, 0.25]]").unwrap();
        assert_eq!(stereo.clone().into_audio(48_000, "").unwrap().channels.len(), 2);
        assert_eq!(serde_json::to_string(&stereo).unwrap(), "[[0.5,1.0],[0.0,0.25]]");
        assert!(serde_json::from_str::<AudioData>("[0.5, [1]]").is_err());
        assert!(serde_json::from_str::<AudioData>("[[0.5], 1]").is_err());
        assert!(serde_json::from_str::<AudioData>("[\"a\"]").is_err());
        assert!(serde_json::from_str::<AudioData>("{}").is_err());
        let three: AudioData = serde_json::from_str("[[1], [2], [3]]").unwrap();
        assert_eq!(
            three.into_audio(48_000, "audio_data").unwrap_err().body.field.as_deref(),
            Some("audio_data")
        );
        let ragged: AudioData = serde_json::from_str("[[1, 2], [3]]").unwrap();
        assert!(ragged.into_audio(48_000, "").unwrap_err().body.message.contains("2 and 1"));
    }
}
