//! The bridge between the API's threads and the audio thread.
//!
//! Parameter changes travel as commands through a bounded lock-free queue and are applied by
//! the audio thread at the start of its next block, so that a change never lands in the middle
//! of one. Until then the API reads back what it sent (an overlay), so that a client sees its
//! own writes at once. What the audio thread knows (the host's transport, gain reduction,
//! latency) comes back as a snapshot through a triple buffer: the audio thread never waits for
//! a reader, and a reader always gets the newest complete snapshot.

use super::analysis::AnalysisFeed;
use super::param_table::ParamTable;
use codette_dsp::modulation::lfo::LFO_COUNT;
use codette_dsp::modulation::{SourceValues, Transport};
use codette_server::{ApiError, StatusCode};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// Parameter changes that may wait for the next block: a whole preset (about 860) several
/// times over.
const QUEUE_CAPACITY: usize = 8192;

#[derive(Debug, Clone, Copy)]
struct Command {
    seq: u64,
    index: u32,
    normalized: f32,
}

/// What the audio thread publishes after each block.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Telemetry {
    /// Blocks processed since activation.
    pub blocks: u64,
    /// The transport the block was processed with (the host's, or the sidecar's standalone).
    pub transport: Transport,
    /// Where the transport started playing, while it plays.
    pub play_start_samples: Option<i64>,
    /// The host's loop region in seconds, while its loop is on.
    pub loop_seconds: Option<(f64, f64)>,
    /// Per slot, what its dynamics effect takes off right now (dB, positive).
    pub gain_reduction_db: [Option<f32>; crate::params::SLOT_COUNT],
    pub latency_samples: u32,
    /// The modulation sources at the block's last tick: the editor draws its rings from them.
    pub sources: SourceValues,
    /// Each LFO's phase (0..1) at the block's last tick, for the editor's scopes.
    pub lfo_phase: [f32; LFO_COUNT],
    /// How long `process()` took over the block's duration (1: all the time there was).
    pub cpu_load: f32,
}

/// The API's end: sends changes, reads back values and snapshots.
pub struct Link {
    table: Arc<ParamTable>,
    sender: Mutex<Sender>,
    /// Sequence number of the last command the audio thread applied.
    applied: Arc<AtomicU64>,
    telemetry: Mutex<Option<triple_buffer::Output<Telemetry>>>,
}

struct Sender {
    /// `None` while the plugin is not processing: changes are then set directly.
    queue: Option<rtrb::Producer<Command>>,
    next_seq: u64,
    /// Per parameter: the last value sent and its sequence number, until applied.
    sent: Vec<Option<(u64, f32)>>,
}

/// The audio thread's end.
pub struct AudioLink {
    table: Arc<ParamTable>,
    queue: rtrb::Consumer<Command>,
    applied: Arc<AtomicU64>,
    telemetry: triple_buffer::Input<Telemetry>,
    /// Where the input goes to be kept and the output to be measured; `None` when the analysis
    /// thread could not start.
    analysis: Option<AnalysisFeed>,
}

impl Link {
    pub fn new(table: Arc<ParamTable>) -> Self {
        let sent = vec![None; table.len()];
        Self {
            table,
            sender: Mutex::new(Sender { queue: None, next_seq: 1, sent }),
            applied: Arc::new(AtomicU64::new(0)),
            telemetry: Mutex::new(None),
        }
    }

    pub fn table(&self) -> &ParamTable {
        &self.table
    }

    fn sender(&self) -> MutexGuard<'_, Sender> {
        self.sender.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Opens the queue to a newly activated audio thread. Not real-time safe (allocates).
    pub fn connect(&self, analysis: Option<AnalysisFeed>) -> AudioLink {
        let (producer, consumer) = rtrb::RingBuffer::new(QUEUE_CAPACITY);
        let (input, output) = triple_buffer::triple_buffer(&Telemetry::default());
        self.sender().queue = Some(producer);
        *self.telemetry.lock().unwrap_or_else(|e| e.into_inner()) = Some(output);
        AudioLink {
            table: self.table.clone(),
            queue: consumer,
            applied: self.applied.clone(),
            telemetry: input,
            analysis,
        }
    }

    /// Closes the queue after deactivation; what the audio thread did not take yet is applied
    /// here, so that no change is lost.
    pub fn disconnect(&self, mut audio: AudioLink) {
        let mut sender = self.sender();
        sender.queue = None;
        audio.apply();
        sender.sent.iter_mut().for_each(|s| *s = None);
        *self.telemetry.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Sends changes `(parameter index, normalized value)` together: all are queued, or none
    /// when the queue has no room for all (503: the audio thread is not keeping up).
    pub fn send(&self, changes: &[(usize, f32)]) -> Result<(), ApiError> {
        let mut sender = self.sender();
        let Sender { queue, next_seq, sent } = &mut *sender;
        let Some(queue) = queue else {
            changes.iter().for_each(|&(index, value)| self.table.set_normalized(index, value));
            return Ok(());
        };
        if queue.slots() < changes.len() {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "the audio thread has not yet taken the previous changes; try again",
            ));
        }
        for &(index, normalized) in changes {
            let seq = *next_seq;
            *next_seq += 1;
            let command = Command { seq, index: index as u32, normalized };
            queue.push(command).expect("room was checked");
            sent[index] = Some((seq, normalized));
        }
        Ok(())
    }

    /// The parameter's value as the API last set it, or as the host has it.
    pub fn normalized(&self, index: usize) -> f32 {
        let applied = self.applied.load(Ordering::Acquire);
        match self.sender().sent[index] {
            Some((seq, value)) if seq > applied => value,
            _ => self.table.normalized(index),
        }
    }

    /// The newest snapshot from the audio thread; `None` while it is not running.
    pub fn telemetry(&self) -> Option<Telemetry> {
        let mut output = self.telemetry.lock().unwrap_or_else(|e| e.into_inner());
        output.as_mut().map(|o| *o.read())
    }
}

impl AudioLink {
    /// Applies every queued change. Real-time safe: atomics only.
    pub fn apply(&mut self) {
        let mut last = None;
        while let Ok(command) = self.queue.pop() {
            self.table.set_normalized(command.index as usize, command.normalized);
            last = Some(command.seq);
        }
        if let Some(seq) = last {
            self.applied.store(seq, Ordering::Release);
        }
    }

    /// Keeps this block's input, before the rack processes it. Real-time safe: copies into a
    /// preallocated ring.
    pub fn publish_input(&mut self, left: &[f32], right: &[f32]) {
        if let Some(feed) = &mut self.analysis {
            feed.input.push(left, right);
        }
    }

    /// Publishes this block's snapshot and output. Real-time safe: copies into preallocated
    /// buffers.
    pub fn publish(&mut self, telemetry: Telemetry, left: &[f32], right: &[f32]) {
        self.telemetry.write(telemetry);
        if let Some(feed) = &mut self.analysis {
            feed.output.push(left, right);
        }
    }
}
