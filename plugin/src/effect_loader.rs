//! Builds effect instances off the audio thread and disposes there of whatever the audio
//! thread retires (effects, modulation engines).
//!
//! Effects allocate (a delay holds up to 16 s of audio), so the audio thread never creates or
//! drops one: it asks this loader through a lock-free queue, keeps playing (the slot fades to
//! dry meanwhile), and picks the instance up from another queue a few milliseconds later.

use codette_dsp::modulation::ModulationEngine;
use codette_dsp::registry::EFFECTS;
use codette_dsp::slot::Installed;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// How often the worker looks for requests. The audio thread never wakes it (that would be a
/// syscall), so this bounds how long an effect change takes to be heard.
const POLL_INTERVAL: Duration = Duration::from_millis(2);
const QUEUE_CAPACITY: usize = 64;

pub struct Request {
    pub slot: usize,
    /// Index into `EFFECTS`.
    pub effect: usize,
    pub sample_rate: f32,
}

pub struct Built {
    pub slot: usize,
    pub effect: usize,
    pub installed: Installed,
}

/// What the audio thread hands back to be dropped (the only thing ever done with it).
#[allow(dead_code)]
pub enum Retired {
    Effect(Installed),
    Modulation(Box<ModulationEngine>),
}

impl From<Installed> for Retired {
    fn from(installed: Installed) -> Self {
        Retired::Effect(installed)
    }
}

impl From<Box<ModulationEngine>> for Retired {
    fn from(engine: Box<ModulationEngine>) -> Self {
        Retired::Modulation(engine)
    }
}

pub struct EffectLoader {
    requests: rtrb::Producer<Request>,
    built: rtrb::Consumer<Built>,
    trash: rtrb::Producer<Retired>,
    stop: Arc<AtomicBool>,
    worker: Option<JoinHandle<()>>,
}

impl EffectLoader {
    pub fn start() -> std::io::Result<Self> {
        let (requests, mut request_rx) = rtrb::RingBuffer::<Request>::new(QUEUE_CAPACITY);
        let (mut built_tx, built) = rtrb::RingBuffer::<Built>::new(QUEUE_CAPACITY);
        let (trash, mut trash_rx) = rtrb::RingBuffer::<Retired>::new(QUEUE_CAPACITY);
        let stop = Arc::new(AtomicBool::new(false));
        let stop_worker = stop.clone();
        let worker = std::thread::Builder::new().name("codette-effect-loader".into()).spawn(move || {
            while !stop_worker.load(Ordering::Acquire) {
                while let Ok(Request { slot, effect, sample_rate }) = request_rx.pop() {
                    let spec = EFFECTS[effect];
                    let installed = Installed { spec, effect: (spec.build)(sample_rate) };
                    // The audio thread requests at most one effect per slot at a time, so the
                    // queue has room; if it ever had not, dropping the instance here is harmless.
                    let _ = built_tx.push(Built { slot, effect, installed });
                }
                while trash_rx.pop().is_ok() {}
                std::thread::sleep(POLL_INTERVAL);
            }
        })?;
        Ok(Self { requests, built, trash, stop, worker: Some(worker) })
    }

    /// Real-time safe. `false` if the queue is full (try again next block).
    pub fn request(&mut self, request: Request) -> bool {
        self.requests.push(request).is_ok()
    }

    /// Real-time safe.
    pub fn receive(&mut self) -> Option<Built> {
        self.built.pop().ok()
    }

    /// How many instances [`dispose`](Self::dispose) can take right now.
    pub fn disposal_room(&self) -> usize {
        self.trash.slots()
    }

    /// Real-time safe: hands an instance to the worker to drop. Callers check
    /// [`disposal_room`](Self::disposal_room) first; should the queue still be full, the
    /// instance is leaked rather than freed on the audio thread.
    pub fn dispose(&mut self, retired: impl Into<Retired>) {
        if let Err(rtrb::PushError::Full(lost)) = self.trash.push(retired.into()) {
            std::mem::forget(lost);
        }
    }
}

impl Drop for EffectLoader {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}
