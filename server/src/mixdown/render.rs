//! The mixdown render, the same for inline requests and jobs.
//!
//! Tracks are rendered in parallel: one worker per core takes the next unrendered track,
//! resamples it to the mix rate and runs its chain (latency-compensated, see
//! [`crate::render`]); the rendered tracks are then added to the mix with their volume and pan,
//! in track order (see [`InOrderSum`]), so a render is bit-identical whatever the core count.

use super::{MixPlan, TrackPlan};
use crate::audio::loudness::{self, LoudnessReport};
use crate::audio::{resample, wav, Audio};
use crate::error::ApiError;
use crate::render::{run_chain, Stereo, Timing};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use utoipa::ToSchema;

/// Phases of a render, as `job_progress` messages name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Queued,
    Tracks,
    Master,
    Loudness,
    Encoding,
}

impl Stage {
    /// The share of the whole render at which this stage starts and ends.
    fn span(self) -> (f64, f64) {
        match self {
            Stage::Queued => (0.0, 0.0),
            Stage::Tracks => (0.0, 0.85),
            Stage::Master => (0.85, 0.93),
            Stage::Loudness => (0.93, 0.97),
            Stage::Encoding => (0.97, 1.0),
        }
    }
}

/// Receives progress (0..1 over the whole render) from any worker thread, and may cancel.
pub trait Progress: Sync {
    fn report(&self, stage: Stage, progress: f64);
    fn cancelled(&self) -> bool {
        false
    }
}

/// No reporting and no cancelling (benchmarks).
pub struct Quiet;

impl Progress for Quiet {
    fn report(&self, _: Stage, _: f64) {}
}

/// No reporting, cancelled when the server stops: inline renders.
impl Progress for crate::state::StopFlag {
    fn report(&self, _: Stage, _: f64) {}
    fn cancelled(&self) -> bool {
        self.is_set()
    }
}

/// Equal-power pan law of the predecessor, θ = (pan + 1)·π/4, L = cos θ, R = sin θ, times the
/// volume. The gains apply per side, so for a stereo track it is a balance control (left
/// attenuated as it pans right and vice versa, nothing crosses over) and a mono track, which is
/// duplicated first, gets exactly the equal-power pan. At centre both sides are −3 dB.
pub fn pan_gains(volume_db: f64, pan: f64) -> (f32, f32) {
    let gain = 10f64.powf(volume_db / 20.0);
    let theta = (pan + 1.0) * std::f64::consts::FRAC_PI_4;
    ((gain * theta.cos()) as f32, (gain * theta.sin()) as f32)
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MixReport {
    /// Frames per channel.
    pub length: usize,
    pub sample_rate: u32,
    pub channels: u16,
    /// `pcm16`, `pcm24` or `float32`.
    pub format: String,
    pub duration_seconds: f64,
    /// Tracks that were heard (not muted, soloed when any is).
    pub tracks_rendered: usize,
    /// Highest sample of the result, in dBFS; null for silence.
    pub peak_dbfs: Option<f64>,
    /// Present when a loudness target was given.
    pub loudness: Option<LoudnessReport>,
}

#[derive(Debug)]
pub struct MixOutput {
    /// The WAV file; shared, not copied, when a job's result is fetched.
    pub wav: axum::body::Bytes,
    pub report: MixReport,
}

/// Renders the plan; `Ok(None)` when `progress` cancelled it.
pub fn render(plan: MixPlan, progress: &dyn Progress) -> Result<Option<MixOutput>, ApiError> {
    let MixPlan { tracks, master, sample_rate, format, loudness_target_lufs, frames, tempo_bpm, .. } = plan;
    let timing = Timing { sample_rate, tempo_bpm };
    let tracks_rendered = tracks.len();
    let Some((left, right)) = mix_tracks(tracks, timing, frames, progress)? else { return Ok(None) };

    progress.report(Stage::Master, Stage::Master.span().0);
    let mut done = 0;
    let mut tick = |n: usize| {
        done += n;
        progress.report(Stage::Master, lerp(Stage::Master, done as f64 / frames.max(1) as f64));
        !progress.cancelled()
    };
    let Some((left, right)) = run_chain(&master, timing, (left, right), 0, "master_chain", &mut tick)? else {
        return Ok(None);
    };
    let mut channels = vec![left, right];

    let loudness = loudness_target_lufs.map(|target| {
        progress.report(Stage::Loudness, Stage::Loudness.span().0);
        loudness::normalize(&mut channels, sample_rate, target)
    });
    if progress.cancelled() {
        return Ok(None);
    }

    progress.report(Stage::Encoding, Stage::Encoding.span().0);
    let peak = channels.iter().flatten().fold(0.0f32, |m, x| m.max(x.abs()));
    let audio = Audio { channels, sample_rate };
    let report = MixReport {
        length: audio.frames(),
        sample_rate,
        channels: 2,
        format: format.name(),
        duration_seconds: audio.seconds(),
        tracks_rendered,
        peak_dbfs: (peak > 0.0).then(|| 20.0 * (peak as f64).log10()),
        loudness,
    };
    let wav = wav::encode(&audio, format).into();
    progress.report(Stage::Encoding, 1.0);
    Ok(Some(MixOutput { wav, report }))
}

fn lerp(stage: Stage, fraction: f64) -> f64 {
    let (a, b) = stage.span();
    a + (b - a) * fraction.clamp(0.0, 1.0)
}

/// Renders every track and sums them, in parallel over the available cores.
fn mix_tracks(
    tracks: Vec<TrackPlan>,
    timing: Timing,
    frames: usize,
    progress: &dyn Progress,
) -> Result<Option<Stereo>, ApiError> {
    let count = tracks.len();
    let queue: Vec<Mutex<Option<TrackPlan>>> = tracks.into_iter().map(|t| Mutex::new(Some(t))).collect();
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let sum = Mutex::new(InOrderSum::new(frames));
    let work = (frames * count).max(1) as f64;
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(count).max(1);
    progress.report(Stage::Tracks, 0.0);

    let worker = || -> Result<(), ApiError> {
        loop {
            let position = next.fetch_add(1, Ordering::Relaxed);
            let Some(slot) = queue.get(position) else { return Ok(()) };
            let Some(track) = slot.lock().unwrap_or_else(|e| e.into_inner()).take() else { continue };
            let mut tick = |n: usize| {
                let total = done.fetch_add(n, Ordering::Relaxed) + n;
                progress.report(Stage::Tracks, lerp(Stage::Tracks, total as f64 / work));
                !(stop.load(Ordering::Relaxed) || progress.cancelled())
            };
            match render_track(track, timing, frames, &mut tick) {
                Ok(Some(rendered)) => sum.lock().unwrap_or_else(|e| e.into_inner()).add(position, rendered),
                Ok(None) => {
                    stop.store(true, Ordering::Relaxed);
                    return Ok(());
                }
                Err(e) => {
                    stop.store(true, Ordering::Relaxed);
                    return Err(e);
                }
            }
        }
    };

    let results: Vec<Result<(), ApiError>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers).map(|_| s.spawn(worker)).collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(ApiError::internal("a track render panicked"))))
            .collect()
    });
    results.into_iter().collect::<Result<(), ApiError>>()?;
    if stop.load(Ordering::Relaxed) {
        return Ok(None);
    }
    Ok(Some(sum.into_inner().unwrap_or_else(|e| e.into_inner()).mix))
}

/// Adds rendered tracks to the mix in track order, whichever worker finishes first, so that
/// the float sum (and so the file) is the same on every machine and every run. Tracks that
/// finish early wait here until those before them are added.
struct InOrderSum {
    mix: Stereo,
    next: usize,
    waiting: BTreeMap<usize, Rendered>,
}

impl InOrderSum {
    fn new(frames: usize) -> Self {
        Self { mix: (vec![0.0; frames], vec![0.0; frames]), next: 0, waiting: BTreeMap::new() }
    }

    fn add(&mut self, position: usize, rendered: Rendered) {
        self.waiting.insert(position, rendered);
        while let Some(((l, r), (gl, gr))) = self.waiting.remove(&self.next) {
            self.mix.0.iter_mut().zip(&l).for_each(|(s, x)| *s += x * gl);
            self.mix.1.iter_mut().zip(&r).for_each(|(s, x)| *s += x * gr);
            self.next += 1;
        }
    }
}

/// A rendered track and its left and right gains.
type Rendered = (Stereo, (f32, f32));

/// One track at the mix rate, through its chain, `frames` long; with its gains.
pub(crate) fn render_track(
    track: TrackPlan,
    timing: Timing,
    frames: usize,
    tick: &mut dyn FnMut(usize) -> bool,
) -> Result<Option<Rendered>, ApiError> {
    let TrackPlan { index, mut audio, chain, gains } = track;
    let rate = timing.sample_rate;
    if audio.sample_rate != rate {
        let channels =
            resample::resample(&audio.channels, audio.sample_rate, rate).map_err(ApiError::internal)?;
        audio = Audio { channels, sample_rate: rate };
    }
    let tail = frames.saturating_sub(audio.frames());
    let field = format!("tracks[{index}].effect_chain");
    Ok(run_chain(&chain, timing, audio.into_stereo(), tail, &field, tick)?.map(|stereo| (stereo, gains)))
}
