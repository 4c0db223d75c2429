//! Meters and spectrum of what the instance plays, measured off the audio thread, and the last
//! seconds of what it was given.
//!
//! The audio thread copies its input and its output into lock-free rings (dropping what does
//! not fit, never waiting); a thread of the instance's own drains the output into an
//! [`Analyzer`] and the input into a [`Window`], and keeps the latest readings for the API and
//! the editor.

use super::recent_input::Window;
use codette_dsp::analysis::{Analyzer, MeterReading, SpectrumReading};
use codette_server::RecentInput;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// Audio the ring holds: half a second at 192 kHz, far more than the thread falls behind by.
const RING_FRAMES: usize = 96_000;
/// How often the thread wakes to measure, and to refresh the readings.
const PERIOD: Duration = Duration::from_millis(15);

/// The latest readings, shared by the analysis thread (writer) and the API (readers).
#[derive(Default)]
pub struct Readings {
    latest: Mutex<Option<(MeterReading, SpectrumReading)>>,
    input: Mutex<Option<Window>>,
}

impl Readings {
    pub fn meters(&self) -> Option<MeterReading> {
        self.latest.lock().unwrap_or_else(|e| e.into_inner()).as_ref().map(|(m, _)| *m)
    }

    pub fn spectrum(&self) -> Option<SpectrumReading> {
        self.latest.lock().unwrap_or_else(|e| e.into_inner()).as_ref().map(|(_, s)| s.clone())
    }

    /// The input heard since the last activation, up to its last ten seconds (kept after
    /// deactivation: what the instance last heard); `None` before the first activation.
    pub fn recent_input(&self) -> Option<RecentInput> {
        self.input.lock().unwrap_or_else(|e| e.into_inner()).as_ref().map(Window::snapshot)
    }

    fn clear(&self) {
        *self.latest.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// The audio thread's end: its input and output, as interleaved stereo frames into the rings.
pub struct AnalysisFeed {
    pub input: Feed,
    pub output: Feed,
}

/// One ring's writing end.
pub struct Feed {
    ring: rtrb::Producer<f32>,
}

impl Feed {
    /// Real-time safe: copies what fits and drops the rest.
    pub fn push(&mut self, left: &[f32], right: &[f32]) {
        let frames = left.len().min(right.len()).min(self.ring.slots() / 2);
        let Ok(mut chunk) = self.ring.write_chunk(frames * 2) else { return };
        let (first, second) = chunk.as_mut_slices();
        let interleaved = left.iter().zip(right).flat_map(|(l, r)| [*l, *r]);
        for (slot, x) in first.iter_mut().chain(second.iter_mut()).zip(interleaved) {
            *slot = x;
        }
        chunk.commit_all();
    }
}

/// The measuring thread; stops and is joined when dropped.
pub struct AnalysisThread {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    readings: Arc<Readings>,
}

impl AnalysisThread {
    /// Starts measuring at `sample_rate`; returns the thread and the feed for the audio thread.
    pub fn start(sample_rate: f32, readings: Arc<Readings>) -> std::io::Result<(Self, AnalysisFeed)> {
        let (output, mut played) = rtrb::RingBuffer::new(RING_FRAMES * 2);
        let (input, mut given) = rtrb::RingBuffer::new(RING_FRAMES * 2);
        let stop = Arc::new(AtomicBool::new(false));
        let running = stop.clone();
        let shared = readings.clone();
        *readings.input.lock().unwrap_or_else(|e| e.into_inner()) = Some(Window::new(sample_rate));
        let thread = std::thread::Builder::new().name("codette-analysis".into()).spawn(move || {
            let mut analyzer = Analyzer::new(sample_rate);
            let mut frames = (Vec::new(), Vec::new());
            let mut take = || {
                if drain(&mut given, &mut frames) {
                    if let Some(window) = shared.input.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
                        window.push(&frames.0, &frames.1);
                    }
                }
                if drain(&mut played, &mut frames) {
                    analyzer.push(&frames.0, &frames.1);
                    *shared.latest.lock().unwrap_or_else(|e| e.into_inner()) =
                        Some((analyzer.meters(), analyzer.spectrum()));
                }
            };
            while !running.load(Ordering::Relaxed) {
                std::thread::sleep(PERIOD);
                take();
            }
            // The audio thread has stopped: what it gave last belongs in the window.
            take();
        })?;
        let feed = AnalysisFeed { input: Feed { ring: input }, output: Feed { ring: output } };
        Ok((Self { stop, thread: Some(thread), readings }, feed))
    }
}

/// Takes what the ring holds into `(left, right)`; whether there was anything.
fn drain(ring: &mut rtrb::Consumer<f32>, (left, right): &mut (Vec<f32>, Vec<f32>)) -> bool {
    left.clear();
    right.clear();
    let Ok(chunk) = ring.read_chunk(ring.slots() / 2 * 2) else { return false };
    let (first, second) = chunk.as_slices();
    let mut samples = first.iter().chain(second);
    while let (Some(l), Some(r)) = (samples.next(), samples.next()) {
        left.push(*l);
        right.push(*r);
    }
    chunk.commit_all();
    !left.is_empty()
}

impl Drop for AnalysisThread {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.readings.clear();
    }
}
