//! A rack together with its modulation: what the plugin runs on the audio thread and what an
//! offline render runs, so that both sound the same.

use crate::modulation::{MidiEvent, ModulationEngine, Transport};
use crate::rack::Rack;
use crate::targets::Targets;
use std::sync::Arc;

/// Modulation is computed at least this often (in samples) and the rack's own parameter
/// smoothing glides between the values, so that it never zips.
pub const TICK: usize = 32;

/// MIDI events one tick can carry; more in a single tick are dropped (a host sending that many
/// within 32 samples is not sending music).
const MAX_TICK_EVENTS: usize = 256;

pub struct ModulatedRack {
    pub rack: Rack,
    pub modulation: Box<ModulationEngine>,
    targets: Arc<Targets>,
    tick_events: Vec<MidiEvent>,
}

impl ModulatedRack {
    pub fn new(rack: Rack, modulation: Box<ModulationEngine>, targets: Arc<Targets>) -> Self {
        Self { rack, modulation, targets, tick_events: Vec::with_capacity(MAX_TICK_EVENTS) }
    }

    pub fn targets(&self) -> &Targets {
        &self.targets
    }

    /// Puts in a new modulation engine, carrying the running sources over; returns the old one
    /// for the caller to drop off the audio thread. Real-time safe.
    pub fn swap_modulation(&mut self, mut next: Box<ModulationEngine>) -> Box<ModulationEngine> {
        next.continue_from(&self.modulation);
        std::mem::replace(&mut self.modulation, next)
    }

    pub fn reset(&mut self) {
        self.rack.reset();
        self.modulation.reset();
    }

    /// Processes a block in place. `transport` is the host's at the block's first sample,
    /// `midi` the block's events sorted by offset, and `host_base(target)` a target's
    /// normalized value as the host has it (the base that modulation moves around).
    /// Real-time safe.
    pub fn process(
        &mut self,
        left: &mut [f32],
        right: &mut [f32],
        sidechain: Option<(&[f32], &[f32])>,
        transport: &Transport,
        midi: &[MidiEvent],
        host_base: impl Fn(usize) -> f32,
    ) {
        let n = left.len().min(right.len());
        let lanes_idle = self.modulation.lanes().is_empty();
        let idle = lanes_idle && self.modulation.matrix().targets().next().is_none();
        let mut position = transport.position_samples;
        let mut beats = transport.position_beats;
        let samples_per_beat = 60.0 * self.rack.sample_rate() as f64 / transport.tempo();
        let mut start = 0;
        while start < n {
            let mut end = if idle { n } else { (start + TICK).min(n) };
            if let (false, Some(pos)) = (lanes_idle, position) {
                // End the tick where a lane changes course, so its points land on their sample.
                if let Some(bp) = self.modulation.lanes().next_breakpoint_after(pos.max(0) as u64) {
                    let offset = (bp as i64 - pos) as usize;
                    if offset > 0 && start + offset < end {
                        end = start + offset;
                    }
                }
            }
            let tick_transport =
                Transport { position_samples: position, position_beats: beats, ..*transport };
            self.tick_events.clear();
            for event in midi.iter().filter(|e| (start..end).contains(&(e.offset as usize))) {
                if self.tick_events.len() < MAX_TICK_EVENTS {
                    self.tick_events.push(MidiEvent { offset: event.offset - start as u32, ..*event });
                }
            }
            let sidechain_tick = sidechain.map(|(l, r)| {
                (&l[start.min(l.len())..end.min(l.len())], &r[start.min(r.len())..end.min(r.len())])
            });
            self.modulation.process_tick(
                &tick_transport,
                end - start,
                (&left[start..end], &right[start..end]),
                sidechain_tick,
                &self.tick_events,
            );
            let (rack, targets) = (&mut self.rack, &self.targets);
            self.modulation.for_each_target(&host_base, |t, v| targets.apply(rack, t, v));
            self.rack.process(&mut left[start..end], &mut right[start..end]);
            if transport.playing {
                let advanced = (end - start) as i64;
                position = position.map(|p| p + advanced);
                beats = beats.map(|b| b + advanced as f64 / samples_per_beat);
            }
            start = end;
        }
    }
}
