//! Meters and spectrum of what the instance plays, measured off the audio thread.
//!
//! The audio thread copies its output into a lock-free ring (dropping what does not fit, never
//! waiting); a thread of the instance's own drains it into an [`Analyzer`] and keeps the latest
//! readings for the API and the editor.

use codette_dsp::analysis::{Analyzer, MeterReading, SpectrumReading};
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
}

impl Readings {
    pub fn meters(&self) -> Option<MeterReading> {
        self.latest.lock().unwrap_or_else(|e| e.into_inner()).as_ref().map(|(m, _)| *m)
    }

    pub fn spectrum(&self) -> Option<SpectrumReading> {
        self.latest.lock().unwrap_or_else(|e| e.into_inner()).as_ref().map(|(_, s)| s.clone())
    }

    fn clear(&self) {
        *self.latest.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// The audio thread's end: interleaved stereo frames into the ring.
pub struct AnalysisFeed {
    ring: rtrb::Producer<f32>,
}

impl AnalysisFeed {
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
        let (producer, mut consumer) = rtrb::RingBuffer::new(RING_FRAMES * 2);
        let stop = Arc::new(AtomicBool::new(false));
        let running = stop.clone();
        let shared = readings.clone();
        let thread = std::thread::Builder::new().name("codette-analysis".into()).spawn(move || {
            let mut analyzer = Analyzer::new(sample_rate);
            let (mut left, mut right) = (Vec::new(), Vec::new());
            while !running.load(Ordering::Relaxed) {
                std::thread::sleep(PERIOD);
                let available = consumer.slots() / 2 * 2;
                let Ok(chunk) = consumer.read_chunk(available) else { continue };
                left.clear();
                right.clear();
                let (first, second) = chunk.as_slices();
                let mut samples = first.iter().chain(second);
                while let (Some(l), Some(r)) = (samples.next(), samples.next()) {
                    left.push(*l);
                    right.push(*r);
                }
                chunk.commit_all();
                if !left.is_empty() {
                    analyzer.push(&left, &right);
                    *shared.latest.lock().unwrap_or_else(|e| e.into_inner()) =
                        Some((analyzer.meters(), analyzer.spectrum()));
                }
            }
        })?;
        Ok((Self { stop, thread: Some(thread), readings }, AnalysisFeed { ring: producer }))
    }
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
