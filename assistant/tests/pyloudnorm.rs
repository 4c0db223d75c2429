//! Integrated loudness against pyloudnorm (a trusted BS.1770-4 implementation in Python, pinned
//! in server/tests/requirements.txt and installed into .venv by scripts/deps.sh) on material
//! other than the EBU's sines: noise with fades, music-like mixes of tones and bursts with
//! quiet passages, mono and stereo, at 44.1 and 48 kHz. They must agree within 0.1 LU.

mod common;

use codette_assistant::Measurements;
use common::Noise;
use std::f32::consts::TAU;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A 32-bit float WAV file (format 3), channels interleaved.
fn write_wav(path: &Path, channels: &[Vec<f32>], sample_rate: u32) {
    let (count, frames) = (channels.len() as u16, channels[0].len());
    let data_len = (frames * count as usize * 4) as u32;
    let mut bytes = Vec::with_capacity(44 + data_len as usize);
    bytes.extend_from_slice(b"RIFF");
    bytes.extend_from_slice(&(36 + data_len).to_le_bytes());
    bytes.extend_from_slice(b"WAVEfmt ");
    bytes.extend_from_slice(&16u32.to_le_bytes());
    bytes.extend_from_slice(&3u16.to_le_bytes());
    bytes.extend_from_slice(&count.to_le_bytes());
    bytes.extend_from_slice(&sample_rate.to_le_bytes());
    bytes.extend_from_slice(&(sample_rate * count as u32 * 4).to_le_bytes());
    bytes.extend_from_slice(&(count * 4).to_le_bytes());
    bytes.extend_from_slice(&32u16.to_le_bytes());
    bytes.extend_from_slice(b"data");
    bytes.extend_from_slice(&data_len.to_le_bytes());
    for i in 0..frames {
        for channel in channels {
            bytes.extend_from_slice(&channel[i].to_le_bytes());
        }
    }
    std::fs::write(path, bytes).expect("write the WAV file");
}

/// White noise fading in over 5 s and out over 10 s, 30 s long.
fn noise_with_fades(seconds: f32, rate: u32, seed: u64) -> Vec<f32> {
    let len = (seconds * rate as f32) as usize;
    let mut noise = Noise::new(seed);
    (0..len)
        .map(|i| {
            let t = i as f32 / rate as f32;
            let fade = (t / 5.0).min(1.0).min((seconds - t) / 10.0);
            0.3 * fade * noise.next()
        })
        .collect()
}

/// Chords of decaying tones every half second, noise bursts on the off-beats, a quiet bridge
/// (-25 dB) in the middle third and silence at the end: something like music, with passages
/// that the relative gate must leave out.
fn music_like(seconds: f32, rate: u32, seed: u64, detune: f32) -> Vec<f32> {
    let len = (seconds * rate as f32) as usize;
    let mut noise = Noise::new(seed);
    let chords = [[220.0, 277.2, 329.6], [196.0, 246.9, 293.7], [174.6, 220.0, 261.6], [164.8, 207.7, 246.9]];
    (0..len)
        .map(|i| {
            let t = i as f32 / rate as f32;
            let beat = (t * 2.0) as usize;
            let since = t - beat as f32 / 2.0;
            let chord = chords[(beat / 4) % 4];
            let tones: f32 =
                chord.iter().map(|f| (TAU * f * detune * t).sin()).sum::<f32>() * 0.15 * (-3.0 * since).exp();
            let burst =
                if beat % 2 == 1 && since < 0.08 { 0.4 * noise.next() * (1.0 - since / 0.08) } else { 0.0 };
            let section = if t > seconds / 3.0 && t < 2.0 * seconds / 3.0 { 0.056 } else { 1.0 };
            if t > seconds - 4.0 {
                0.0
            } else {
                section * (tones + burst)
            }
        })
        .collect()
}

/// The interpreter of the project's venv, or a failure that says how to make it.
fn venv_python() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root");
    let python = root.join(".venv/bin/python");
    let has_pyloudnorm = python.exists()
        && Command::new(&python).args(["-c", "import pyloudnorm, scipy"]).status().is_ok_and(|s| s.success());
    assert!(
        has_pyloudnorm,
        "{} with pyloudnorm is missing: run scripts/deps.sh to install the test dependencies",
        python.display()
    );
    python
}

const SCRIPT: &str = "
import sys
import pyloudnorm
from scipy.io import wavfile
for path in sys.argv[1:]:
    rate, data = wavfile.read(path)
    print(pyloudnorm.Meter(rate).integrated_loudness(data))
";

#[test]
fn integrated_loudness_agrees_with_pyloudnorm() {
    let python = venv_python();
    let dir = std::env::temp_dir().join(format!("codette-pyloudnorm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases: Vec<(&str, Vec<Vec<f32>>, u32)> = vec![
        (
            "noise-fades-stereo-48k",
            vec![noise_with_fades(30.0, 48_000, 1), noise_with_fades(30.0, 48_000, 2)],
            48_000,
        ),
        ("noise-fades-mono-44k", vec![noise_with_fades(30.0, 44_100, 3)], 44_100),
        (
            "music-stereo-44k",
            vec![music_like(36.0, 44_100, 4, 1.0), music_like(36.0, 44_100, 5, 1.003)],
            44_100,
        ),
        ("music-mono-48k", vec![music_like(36.0, 48_000, 6, 1.0)], 48_000),
        ("music-left-only-48k", vec![music_like(24.0, 48_000, 7, 1.0), vec![0.0; 24 * 48_000]], 48_000),
    ];
    let paths: Vec<PathBuf> = cases
        .iter()
        .map(|(name, channels, rate)| {
            let path = dir.join(format!("{name}.wav"));
            write_wav(&path, channels, *rate);
            path
        })
        .collect();
    let output = Command::new(&python).arg("-c").arg(SCRIPT).args(&paths).output().expect("run python");
    std::fs::remove_dir_all(&dir).ok();
    assert!(output.status.success(), "pyloudnorm failed: {}", String::from_utf8_lossy(&output.stderr));
    let theirs: Vec<f64> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| l.trim().parse().expect("a number"))
        .collect();
    assert_eq!(theirs.len(), cases.len());
    for ((name, channels, rate), expected) in cases.iter().zip(theirs) {
        let programme = match channels.as_slice() {
            [mono] => Measurements::of_mono_programme(mono, *rate as f32),
            [left, right] => Measurements::of_programme(left, right, *rate as f32),
            _ => unreachable!("one or two channels"),
        };
        let ours = programme.measurements.meters.lufs_integrated as f64;
        println!("{name}: ours {ours:.3} LUFS, pyloudnorm {expected:.3} LUFS");
        assert!((ours - expected).abs() <= 0.1, "{name}: ours {ours:.3} LUFS, pyloudnorm {expected:.3} LUFS");
    }
}
