//! WAV in and out (hound). Integer PCM of 8 to 32 bits and 32-bit float are read; what is written
//! is 16- or 24-bit PCM or 32-bit float, rounded to nearest without dither and clipped to full
//! scale for PCM.

use super::Audio;
use crate::error::ApiError;
use hound::{SampleFormat, WavReader, WavSpec, WavWriter};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::io::Cursor;
use utoipa::ToSchema;

/// A WAV sample format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WavFormat {
    pub bits: u16,
    pub float: bool,
}

impl WavFormat {
    pub const PCM16: Self = Self { bits: 16, float: false };
    pub const PCM24: Self = Self { bits: 24, float: false };
    pub const FLOAT32: Self = Self { bits: 32, float: true };

    pub fn name(self) -> String {
        if self.float {
            format!("float{}", self.bits)
        } else {
            format!("pcm{}", self.bits)
        }
    }
}

/// The output formats a client can ask for: `16`, `24` or `32` (float), as numbers or strings
/// (`"pcm16"`, `"pcm24"`, `"float32"` are accepted too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ToSchema)]
#[schema(value_type = u16, example = 24)]
pub struct OutputFormat(pub WavFormat);

impl Default for OutputFormat {
    /// 16-bit, as the predecessor's front end exported.
    fn default() -> Self {
        Self(WavFormat::PCM16)
    }
}

impl<'de> Deserialize<'de> for OutputFormat {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        let text = match &value {
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::String(s) => s.to_ascii_lowercase(),
            _ => String::new(),
        };
        match text.as_str() {
            "16" | "pcm16" | "int16" => Ok(Self(WavFormat::PCM16)),
            "24" | "pcm24" | "int24" => Ok(Self(WavFormat::PCM24)),
            "32" | "32f" | "float32" | "f32" | "float" => Ok(Self(WavFormat::FLOAT32)),
            _ => Err(serde::de::Error::custom(format!(
                "format must be 16, 24 or 32 (32-bit float), got {value}"
            ))),
        }
    }
}

impl Serialize for OutputFormat {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u16(self.0.bits)
    }
}

fn unreadable(message: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request("invalid_wav", format!("not a readable WAV file: {message}"))
}

/// Reads a WAV file of one or two channels. A truncated file, one that is not a WAV at all, or
/// one with more channels is an error naming the problem. hound reads the header; the samples
/// are converted straight from the bytes, several times faster than its per-sample iterator.
pub fn decode(bytes: &[u8]) -> Result<(Audio, WavFormat), ApiError> {
    let reader = WavReader::new(Cursor::new(bytes)).map_err(unreadable)?;
    let spec = reader.spec();
    if !(1..=2).contains(&spec.channels) {
        return Err(ApiError::invalid(
            "unsupported_wav",
            format!("WAV files of 1 or 2 channels are supported, this one has {}", spec.channels),
            "",
        ));
    }
    if spec.sample_rate == 0 {
        return Err(unreadable("sample rate 0"));
    }
    let format = WavFormat { bits: spec.bits_per_sample, float: spec.sample_format == SampleFormat::Float };
    let width = match (format.float, format.bits) {
        (true, 32) | (false, 32) => 4,
        (false, 24) => 3,
        (false, 16) => 2,
        (false, 8) => 1,
        _ => {
            return Err(unreadable(format!(
                "{} {}-bit samples are not supported",
                if format.float { "float" } else { "integer" },
                format.bits
            )))
        }
    };
    let declared = reader.len() as usize;
    let start = reader.into_inner().position() as usize;
    // The header's length is checked against the bytes actually there, so a hostile header
    // cannot make us allocate more than the body.
    let data = bytes.get(start..).unwrap_or_default();
    if data.len() < declared * width {
        return Err(truncation());
    }
    let n = spec.channels as usize;
    let frames = declared / n;
    let data = &data[..frames * n * width];
    let mut channels = vec![Vec::with_capacity(frames); n];
    for frame in data.chunks_exact(n * width) {
        for (c, sample) in frame.chunks_exact(width).enumerate() {
            channels[c].push(read_sample(sample, format));
        }
    }
    Ok((Audio { channels, sample_rate: spec.sample_rate }, format))
}

/// One little-endian sample as a float, full scale ±1.
fn read_sample(bytes: &[u8], format: WavFormat) -> f32 {
    match (format.float, bytes.len()) {
        (true, _) => f32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]),
        (false, 1) => (bytes[0] as i32 - 128) as f32 / 128.0,
        (false, 2) => i16::from_le_bytes([bytes[0], bytes[1]]) as f32 / 32_768.0,
        (false, 3) => (i32::from_le_bytes([0, bytes[0], bytes[1], bytes[2]]) >> 8) as f32 / 8_388_608.0,
        (false, _) => i32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as f32 / 2_147_483_648.0,
    }
}

fn truncation() -> ApiError {
    unreadable("the data ends before the length its header declares (truncated file?)")
}

/// Writes `audio` as a WAV file in `format`. hound writes the header; the samples are
/// converted straight into the file's bytes, in parallel for long audio (hound's per-sample
/// writer takes a quarter of a second for a 3-minute stereo mix).
///
/// Panics if the data exceeds the 4 GiB a WAV file can hold; callers check [`fits`] first.
pub fn encode(audio: &Audio, format: WavFormat) -> Vec<u8> {
    let channels = audio.channels.len();
    let frames = audio.frames();
    let width = format.bits as usize / 8;
    let data_len = frames * channels * width;
    assert!(fits(frames, channels, format), "{data_len} bytes of samples do not fit in a WAV file");
    let mut file = header(channels as u16, audio.sample_rate, format);
    let header_len = file.len();
    file.resize(header_len + data_len, 0);
    // hound's header for no samples: the RIFF size at 4, the data chunk's size in its last 4 bytes.
    let riff_len = (file.len() - 8) as u32;
    file[4..8].copy_from_slice(&riff_len.to_le_bytes());
    file[header_len - 4..header_len].copy_from_slice(&(data_len as u32).to_le_bytes());

    let frame_bytes = channels * width;
    let threads =
        if frames > 1 << 20 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { 1 };
    let frames_per_part = frames.div_ceil(threads).max(1);
    std::thread::scope(|s| {
        for (part, bytes) in file[header_len..].chunks_mut(frames_per_part * frame_bytes).enumerate() {
            let first = part * frames_per_part;
            s.spawn(move || {
                for (i, frame) in bytes.chunks_exact_mut(frame_bytes).enumerate() {
                    for (c, sample) in frame.chunks_exact_mut(width).enumerate() {
                        write_sample(audio.channels[c][first + i], format, sample);
                    }
                }
            });
        }
    });
    file
}

/// Whether `frames` frames of `channels` channels fit in a WAV file (4 GiB of data at most).
pub fn fits(frames: usize, channels: usize, format: WavFormat) -> bool {
    (frames as u64) * (channels as u64) * (format.bits as u64 / 8) + 1024 < u32::MAX as u64
}

/// The header hound writes for this format, with no samples yet.
fn header(channels: u16, sample_rate: u32, format: WavFormat) -> Vec<u8> {
    let spec = WavSpec {
        channels,
        sample_rate,
        bits_per_sample: format.bits,
        sample_format: if format.float { SampleFormat::Float } else { SampleFormat::Int },
    };
    let mut cursor = Cursor::new(Vec::new());
    // Writing a header to memory cannot fail for the formats this server writes.
    WavWriter::new(&mut cursor, spec).and_then(|w| w.finalize()).expect("WAV header to memory");
    cursor.into_inner()
}

/// One sample in little-endian bytes: float as is; PCM rounded to nearest and clipped.
fn write_sample(x: f32, format: WavFormat, out: &mut [u8]) {
    if format.float {
        out.copy_from_slice(&x.to_le_bytes());
        return;
    }
    let full = (1i64 << (format.bits - 1)) as f32;
    let value = ((x * full).round() as i64).clamp(-(full as i64), full as i64 - 1) as i32;
    if format.bits == 8 {
        out[0] = (value + 128) as u8; // 8-bit WAV is unsigned
    } else {
        out.copy_from_slice(&value.to_le_bytes()[..out.len()]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(frames: usize) -> Audio {
        let l: Vec<f32> = (0..frames).map(|i| (i as f32 * 0.05).sin() * 0.9).collect();
        let r = l.iter().map(|x| -x * 0.5).collect();
        Audio { channels: vec![l, r], sample_rate: 44_100 }
    }

    #[test]
    fn roundtrips_within_quantization() {
        let audio = sine(1000);
        for (format, tolerance) in [
            (WavFormat::PCM16, 1.0 / 32768.0),
            (WavFormat::PCM24, 1.0 / 8_388_608.0),
            (WavFormat::FLOAT32, 0.0),
        ] {
            let (back, f) = decode(&encode(&audio, format)).unwrap();
            assert_eq!(f, format);
            assert_eq!(back.sample_rate, 44_100);
            for (a, b) in audio.channels.iter().flatten().zip(back.channels.iter().flatten()) {
                assert!((a - b).abs() <= tolerance, "{format:?}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn long_audio_and_eight_bit() {
        let audio = sine((1 << 20) + 12_345);
        let (back, _) = decode(&encode(&audio, WavFormat::PCM24)).unwrap();
        assert_eq!(back.frames(), audio.frames());
        let last = audio.frames() - 1;
        assert!((back.channels[1][last] - audio.channels[1][last]).abs() < 1e-6);
        let eight = WavFormat { bits: 8, float: false };
        let (back, f) = decode(&encode(&sine(300), eight)).unwrap();
        assert_eq!(f, eight);
        for (a, b) in sine(300).channels.iter().flatten().zip(back.channels.iter().flatten()) {
            assert!((a - b).abs() <= 1.0 / 128.0, "{a} vs {b}");
        }
    }

    #[test]
    fn rejects_garbage_and_truncation() {
        assert_eq!(decode(b"hello, not a wav").unwrap_err().body.code, "invalid_wav");
        let bytes = encode(&sine(1000), WavFormat::PCM16);
        let err = decode(&bytes[..bytes.len() - 101]).unwrap_err();
        assert!(err.body.message.contains("truncated"), "{}", err.body.message);
        assert_eq!(decode(&bytes[..20]).unwrap_err().body.code, "invalid_wav");
    }
}
