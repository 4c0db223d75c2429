//! A rack together with its modulation: what the plugin runs on the audio thread and what an
//! offline render runs, so that both sound the same.

use crate::modulation::{MidiEvent, ModulationEngine, TickRecord, Transport};
use crate::rack::{Rack, CHUNK};
use crate::targets::Targets;
use std::sync::Arc;

/// Modulation is computed at least this often (in samples) and the rack's own parameter
/// smoothing glides between the values, so that it never zips.
pub const TICK: usize = 32;

/// The block is modulated in segments of at most this many samples, so that the values of all
/// its ticks fit in fixed storage.
const SEGMENT: usize = 512;
/// Ticks one segment can hold: the regular ones plus where lanes change course; a segment with
/// more lane breakpoints than that lets its last tick run longer. A tick is a bit of a `u64`.
const MAX_TICKS: usize = 4 * SEGMENT / TICK;
const _: () = assert!(MAX_TICKS <= u64::BITS as usize);
/// MIDI events one tick can carry; more in a single tick are dropped (a host sending that many
/// within 32 samples is not sending music).
const MAX_TICK_EVENTS: usize = 256;

/// A target that modulation or a lane moves, in the current segment.
#[derive(Clone, Copy, Default)]
struct Moved {
    target: usize,
    slot: usize,
    /// Its plain values are `plain[row * MAX_TICKS..][..ticks]`.
    row: usize,
    /// Bit `k` is set where the value changes, at tick `k`. The first tick always counts: the
    /// host may have set the target since the last block.
    changes: u64,
}

pub struct ModulatedRack {
    pub rack: Rack,
    pub modulation: Box<ModulationEngine>,
    targets: Arc<Targets>,
    /// Slots with a modulated or automated target: only these run tick by tick.
    modulated_slots: Vec<bool>,
    tick_events: Vec<MidiEvent>,
    /// Where each tick of the segment starts (a tick lasts until the next one starts).
    tick_starts: Vec<usize>,
    /// The sources at each tick of the segment.
    record: Box<TickRecord<MAX_TICKS>>,
    /// The segment's moved targets in the order the engine gives them, then grouped by slot:
    /// slot `s` has `by_slot[slot_start[s]..slot_start[s + 1]]`.
    moved: Vec<Moved>,
    by_slot: Vec<Moved>,
    slot_start: Vec<usize>,
    /// Per slot, its first tick not applied yet.
    slot_next: Vec<usize>,
    /// The moved targets' plain values at the ticks where they change. Converted all together,
    /// with their parameter descriptions at hand: one by one between slots whose audio had
    /// pushed those out of the cache cost more.
    plain: Vec<f32>,
}

impl ModulatedRack {
    pub fn new(rack: Rack, modulation: Box<ModulationEngine>, targets: Arc<Targets>) -> Self {
        // Each target is moved at most once per segment.
        let mut player = Self {
            modulated_slots: vec![false; rack.slots().len()],
            modulation,
            tick_events: Vec::with_capacity(MAX_TICK_EVENTS),
            tick_starts: Vec::with_capacity(MAX_TICKS),
            record: Box::default(),
            moved: Vec::with_capacity(targets.len()),
            by_slot: vec![Moved::default(); targets.len()],
            slot_start: vec![0; rack.slots().len() + 1],
            slot_next: vec![0; rack.slots().len()],
            plain: vec![0.0; targets.len() * MAX_TICKS],
            targets,
            rack,
        };
        player.find_modulated_slots();
        player
    }

    pub fn targets(&self) -> &Targets {
        &self.targets
    }

    /// Puts in a new modulation engine, carrying the running sources over; returns the old one
    /// for the caller to drop off the audio thread. Real-time safe.
    pub fn swap_modulation(&mut self, mut next: Box<ModulationEngine>) -> Box<ModulationEngine> {
        next.continue_from(&self.modulation);
        let previous = std::mem::replace(&mut self.modulation, next);
        self.find_modulated_slots();
        previous
    }

    fn find_modulated_slots(&mut self) {
        self.modulated_slots.fill(false);
        let targets = self.modulation.matrix().targets().chain(self.modulation.lanes().targets());
        for t in targets {
            if let Some(m) = self.modulated_slots.get_mut(self.targets.get(t).slot) {
                *m = true;
            }
        }
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
        if !self.modulated_slots.contains(&true) {
            // Nothing to move: the sources still run (an editor may show them), in one tick.
            self.modulation.process_tick(transport, n, (&left[..n], &right[..n]), sidechain, midi);
            self.rack.process(&mut left[..n], &mut right[..n]);
            return;
        }
        let samples_per_beat = 60.0 * self.rack.sample_rate() as f64 / transport.tempo();
        let mut segment_start = 0;
        while segment_start < n {
            let segment_end = (segment_start + SEGMENT).min(n);
            let advanced = if transport.playing { segment_start as i64 } else { 0 };
            let at_segment = Transport {
                position_samples: transport.position_samples.map(|p| p + advanced),
                position_beats: transport.position_beats.map(|b| b + advanced as f64 / samples_per_beat),
                ..*transport
            };
            let range = segment_start..segment_end;
            let side = sidechain.map(|(l, r)| (clip(l, &range), clip(r, &range)));
            let events = &midi[midi.partition_point(|e| (e.offset as usize) < segment_start)
                ..midi.partition_point(|e| (e.offset as usize) < segment_end)];
            self.modulate_segment(
                &left[range.clone()],
                &right[range.clone()],
                side,
                &at_segment,
                events,
                segment_start,
                &host_base,
            );
            self.run_segment(&mut left[range.clone()], &mut right[range]);
            segment_start = segment_end;
        }
    }

    /// Runs the sources tick by tick through a segment and records every target's value at
    /// each tick. The sources listen to the rack's input, not to what the slots make of it, so
    /// they can run ahead of the audio.
    #[allow(clippy::too_many_arguments)]
    fn modulate_segment(
        &mut self,
        left: &[f32],
        right: &[f32],
        sidechain: Option<(&[f32], &[f32])>,
        transport: &Transport,
        midi: &[MidiEvent],
        midi_offset: usize,
        host_base: &impl Fn(usize) -> f32,
    ) {
        self.tick_starts.clear();
        self.record.clear();
        let n = left.len();
        let samples_per_beat = 60.0 * self.rack.sample_rate() as f64 / transport.tempo();
        let mut start = 0;
        while start < n {
            let mut end = (start + TICK).min(n);
            let position =
                transport.position_samples.map(|p| p + if transport.playing { start as i64 } else { 0 });
            if let Some(pos) = position.filter(|_| self.tick_starts.len() + 1 < MAX_TICKS) {
                // End the tick where a lane changes course, so its points land on their sample.
                if let Some(bp) = self.modulation.lanes().next_breakpoint_after(pos.max(0) as u64) {
                    let offset = (bp as i64 - pos) as usize;
                    if offset > 0 && start + offset < end {
                        end = start + offset;
                    }
                }
            }
            let advanced = if transport.playing { start as f64 } else { 0.0 };
            let tick_transport = Transport {
                position_samples: position,
                position_beats: transport.position_beats.map(|b| b + advanced / samples_per_beat),
                ..*transport
            };
            self.tick_events.clear();
            let tick_range = midi_offset + start..midi_offset + end;
            for event in midi.iter().filter(|e| tick_range.contains(&(e.offset as usize))) {
                if self.tick_events.len() < MAX_TICK_EVENTS {
                    self.tick_events.push(MidiEvent {
                        offset: (event.offset as usize - tick_range.start) as u32,
                        ..*event
                    });
                }
            }
            let range = start..end;
            let side = sidechain.map(|(l, r)| (clip(l, &range), clip(r, &range)));
            self.modulation.process_tick(
                &tick_transport,
                end - start,
                (&left[range.clone()], &right[range]),
                side,
                &self.tick_events,
            );
            self.modulation.record_tick(&mut self.record);
            // Beyond the storage, the last tick runs on.
            if self.tick_starts.len() < MAX_TICKS {
                self.tick_starts.push(start);
            }
            start = end;
        }
        self.convert(host_base);
        self.group_by_slot();
    }

    /// Combines the recorded ticks into each moved target's values, and keeps the plain ones
    /// where they change.
    fn convert(&mut self, host_base: &impl Fn(usize) -> f32) {
        let (moved, plain, targets) = (&mut self.moved, &mut self.plain, &*self.targets);
        moved.clear();
        self.modulation.for_each_target_over(&self.record, host_base, |target, column| {
            let row = moved.len();
            let Some(out) = plain.get_mut(row * MAX_TICKS..(row + 1) * MAX_TICKS) else {
                return;
            };
            let mut changes = 1;
            out[0] = targets.plain(target, column[0]);
            for (tick, pair) in column.windows(2).enumerate() {
                if pair[1].to_bits() != pair[0].to_bits() {
                    changes |= 2 << tick;
                    out[tick + 1] = targets.plain(target, pair[1]);
                }
            }
            moved.push(Moved { target, slot: targets.get(target).slot, row, changes });
        });
    }

    /// Sorts the moved targets by slot (a counting sort) into `by_slot`, and starts every
    /// slot at the first tick.
    fn group_by_slot(&mut self) {
        let slots = self.slot_next.len();
        // Sliced to their lengths, so that the compiler sees the slot tests cover the indices.
        let (start, next) = (&mut self.slot_start[..=slots], &mut self.slot_next[..slots]);
        start.fill(0);
        for m in self.moved.iter().filter(|m| m.slot < slots) {
            start[m.slot + 1] += 1;
        }
        for s in 0..slots {
            start[s + 1] += start[s];
        }
        next.copy_from_slice(&start[..slots]);
        for m in self.moved.iter().filter(|m| m.slot < slots) {
            self.by_slot[next[m.slot]] = *m;
            next[m.slot] += 1;
        }
        next.fill(0);
    }

    /// Runs the rack through a segment slot by slot: a slot without moved targets in one go
    /// per chunk, a moved one cut at every tick where one of its targets changes, which it
    /// sets there. Ticks that change nothing need no cut: each cut costs the effect a call,
    /// and a target that holds still (moved by a macro) need not cost anything.
    fn run_segment(&mut self, left: &mut [f32], right: &mut [f32]) {
        let (tick_starts, by_slot, slot_start, next, plain, targets, modulated) = (
            &self.tick_starts,
            &self.by_slot,
            &self.slot_start,
            &mut self.slot_next,
            &self.plain,
            &*self.targets,
            &self.modulated_slots,
        );
        self.rack.process_with(left, right, |offset, index, slot, chunk| {
            if !modulated[index] {
                chunk.run(slot, 0..CHUNK);
                return;
            }
            let moved = &by_slot[slot_start[index]..slot_start[index + 1]];
            let changes = moved.iter().fold(0, |all, m| all | m.changes);
            // The slot's ticks not applied yet, in order: those that start in this chunk (or
            // were cut by its start, whose values the previous chunk applied already).
            let next = &mut next[index];
            let mut pending = changes & u64::MAX.checked_shl(*next as u32).unwrap_or(0);
            let mut from = 0;
            while pending != 0 {
                let tick = pending.trailing_zeros() as usize;
                let start = tick_starts[tick];
                if start >= offset + CHUNK {
                    break;
                }
                let at = start.max(offset) - offset;
                if at > from {
                    chunk.run(slot, from..at);
                    from = at;
                }
                for m in moved.iter().filter(|m| m.changes >> tick & 1 != 0) {
                    targets.apply_plain_to_slot(slot, m.target, plain[m.row * MAX_TICKS + tick]);
                }
                pending &= pending - 1;
                *next = tick + 1;
            }
            chunk.run(slot, from..CHUNK);
        });
    }
}

/// The part of a (possibly shorter) buffer that falls in `range`.
fn clip<'a>(buffer: &'a [f32], range: &std::ops::Range<usize>) -> &'a [f32] {
    &buffer[range.start.min(buffer.len())..range.end.min(buffer.len())]
}
