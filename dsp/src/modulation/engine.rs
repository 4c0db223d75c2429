//! All sources together, advanced once per tick, and the matrix and lanes applied to them.

use super::config::{ConfigError, ModulationConfig};
use super::envelope::{Adsr, EnvelopeTrigger, ENVELOPE_COUNT};
use super::follower::{follow_rows, Follower, Levels, SignalInput, FOLLOWER_COUNT, LEVEL_CHUNK};
use super::lane::{AutomationLane, LaneSet};
use super::lfo::{Lfo, LFO_COUNT};
use super::matrix::{Matrix, Source, SourceValues, TargetResolver};
use super::midi::{apply_to_sources, Gate, HeldNotes, MidiEvent};
use super::ticks::TickRecord;
use super::transient::{TransientDetector, THRESHOLD_DB};
use super::transport::Transport;
use std::sync::Arc;

/// What one tick brings in.
struct Tick<'a> {
    n: usize,
    just_started: bool,
    main: (&'a [f32], &'a [f32]),
    sidechain: Option<(&'a [f32], &'a [f32])>,
    midi: &'a [MidiEvent],
}

/// The sources worth computing: those a route uses, or all of them while monitoring. (MIDI
/// envelopes cost next to nothing and always run; an envelope's flag is for its transient
/// detector.)
#[derive(Debug, Clone, Copy)]
struct Active {
    lfo: [bool; LFO_COUNT],
    envelope: [bool; ENVELOPE_COUNT],
    follower: [bool; FOLLOWER_COUNT],
}

impl Active {
    fn new(matrix: &Matrix, all: bool) -> Self {
        Self {
            lfo: std::array::from_fn(|i| all || matrix.uses(Source::Lfo(i))),
            envelope: std::array::from_fn(|i| all || matrix.uses(Source::Envelope(i))),
            follower: std::array::from_fn(|i| all || matrix.uses(Source::Follower(i))),
        }
    }
}

/// All modulation of one rack: built from a [`ModulationConfig`] off the audio thread, then
/// advanced by [`ModulationEngine::process_tick`] and read by
/// [`ModulationEngine::for_each_target`] on it. See the [module documentation](super).
pub struct ModulationEngine {
    monitoring: bool,
    active: Active,
    was_playing: bool,
    just_started: bool,
    lfos: [Lfo; LFO_COUNT],
    envelopes: [Adsr; ENVELOPE_COUNT],
    triggers: [EnvelopeTrigger; ENVELOPE_COUNT],
    detectors: [TransientDetector; ENVELOPE_COUNT],
    followers: [Follower; FOLLOWER_COUNT],
    held: HeldNotes,
    levels: Levels,
    sources: SourceValues,
    matrix: Matrix,
    lanes: Arc<LaneSet>,
    /// Where the lanes are read: the last tick's first sample, if the host said.
    lane_time: Option<u64>,
}

impl ModulationEngine {
    /// Checks the configuration (as [`ModulationConfig::validate`]) and builds the engine.
    /// Allocates: build it off the audio thread.
    pub fn new(
        config: &ModulationConfig,
        sample_rate: f32,
        resolver: &dyn TargetResolver,
    ) -> Result<Self, ConfigError> {
        let (matrix, lanes) = config.resolve(resolver)?;
        let lfos: [Lfo; LFO_COUNT] = std::array::from_fn(|i| Lfo::new(&config.lfos[i], sample_rate));
        let triggers = config.envelopes.map(|e| e.trigger);
        let mut sources = SourceValues::default();
        for (i, lfo) in lfos.iter().enumerate() {
            (sources.lfo[i], sources.lfo_polarity[i]) = (lfo.value(), lfo.polarity());
        }
        Ok(Self {
            monitoring: false,
            active: Active::new(&matrix, false),
            was_playing: false,
            just_started: false,
            lfos,
            envelopes: config.envelopes.map(|e| Adsr::new(&e, sample_rate)),
            triggers,
            detectors: triggers.map(|t| {
                let threshold = match t {
                    EnvelopeTrigger::Transient { threshold_db, .. } => threshold_db,
                    _ => THRESHOLD_DB.default,
                };
                TransientDetector::new(threshold, sample_rate)
            }),
            followers: config.followers.map(|f| Follower::new(&f, sample_rate)),
            held: HeldNotes::default(),
            levels: Levels::default(),
            sources,
            matrix,
            lanes: Arc::new(lanes),
            lane_time: None,
        })
    }

    /// Computes every source, routed or not, so that an editor can show them all. Otherwise
    /// LFOs, followers and transient detectors that no route uses are skipped: they cannot
    /// change the sound, and an instance without routes then costs next to nothing. A skipped
    /// source's value is stale; once routed (or monitored) it runs on from where it was.
    pub fn set_monitoring(&mut self, all_sources: bool) {
        self.monitoring = all_sources;
        self.active = Active::new(&self.matrix, all_sources);
    }

    /// Sets a macro (a host parameter) to a value in 0..1; it counts from the next
    /// [`ModulationEngine::for_each_target`] on.
    pub fn set_macro(&mut self, index: usize, value: f32) {
        if let Some(m) = self.sources.macros.get_mut(index) {
            *m = if value.is_nan() { 0.0 } else { value.clamp(0.0, 1.0) };
        }
    }

    /// Advances every source by `n` samples (the caller's tick, typically ≤ 32). `transport` is
    /// the state at the tick's first sample; `main` and `sidechain` hold the tick's input
    /// (missing samples count as silence); `midi` its events, sorted by offset.
    ///
    /// Afterwards LFOs and lanes hold their values at the tick's first sample; envelopes,
    /// followers and MIDI sources their state after the tick's audio and events.
    pub fn process_tick(
        &mut self,
        transport: &Transport,
        n: usize,
        main: (&[f32], &[f32]),
        sidechain: Option<(&[f32], &[f32])>,
        midi: &[MidiEvent],
    ) {
        self.just_started = transport.playing && !self.was_playing;
        self.was_playing = transport.playing;
        self.lane_time = transport.position_samples.map(|p| p.max(0) as u64);
        let tick = Tick { n, just_started: self.just_started, main, sidechain, midi };

        let last_note_on = midi.iter().rev().find(|e| e.is_note_on()).map(|e| e.offset as usize);
        for (i, lfo) in self.lfos.iter_mut().enumerate() {
            lfo.tick(transport, tick.just_started, n, last_note_on, self.active.lfo[i]);
            self.sources.lfo[i] = lfo.value();
        }
        for (envelope, &trigger) in self.envelopes.iter_mut().zip(&self.triggers) {
            run_envelope(envelope, trigger, self.held, &tick);
        }
        self.run_audio(&tick);
        for (value, envelope) in self.sources.envelope.iter_mut().zip(&self.envelopes) {
            *value = envelope.level();
        }
        for (value, follower) in self.sources.follower.iter_mut().zip(&self.followers) {
            *value = follower.value();
        }
        for event in midi {
            self.held.apply(&event.message);
            apply_to_sources(&mut self.sources, &event.message);
        }
    }

    /// Followers and transient-triggered envelopes, a chunk of levels at a time.
    fn run_audio(&mut self, tick: &Tick) {
        let active = self.active;
        let onset_input = |k: usize| match self.triggers[k] {
            EnvelopeTrigger::Transient { input, .. } if active.envelope[k] => Some(input),
            _ => None,
        };
        let onset_inputs: [Option<SignalInput>; ENVELOPE_COUNT] = std::array::from_fn(onset_input);
        if !active.follower.contains(&true) && onset_inputs.iter().all(Option::is_none) {
            return;
        }
        let mut start = 0;
        while start < tick.n {
            let len = (tick.n - start).min(LEVEL_CHUNK);
            self.levels.measure(tick.main, tick.sidechain, start, len);
            let levels = &self.levels;
            let rows: [Option<&[f32]>; FOLLOWER_COUNT] = std::array::from_fn(|k| {
                let f = &self.followers[k];
                active.follower[k].then(|| &levels.get(f.input(), f.is_rms())[..len])
            });
            follow_rows(&mut self.followers, rows);
            let onsets = onset_inputs.map(|input| input.map(|input| levels.get(input, false)));
            for (k, row) in onsets.iter().enumerate() {
                if let Some(row) = row {
                    for &level in &row[..len] {
                        if self.detectors[k].process(level) {
                            self.envelopes[k].trigger();
                        }
                        self.envelopes[k].step();
                    }
                }
            }
            start += len;
        }
    }

    pub fn sources(&self) -> &SourceValues {
        &self.sources
    }

    /// A source's current value, in its own polarity.
    pub fn value(&self, source: Source) -> f32 {
        self.sources.get(source).0
    }

    /// An LFO's phase (0..1) at the last tick's first sample, for display.
    pub fn lfo_phase(&self, index: usize) -> Option<f64> {
        self.lfos.get(index).map(Lfo::phase)
    }

    /// Whether the transport started at the last tick.
    pub fn just_started(&self) -> bool {
        self.just_started
    }

    /// Calls `apply(target, value)` once for every target that is modulated or automated, with
    /// its normalized value for this tick: the combination rule of the module documentation,
    /// where the base is the lane's value if there is one and `host_base(target)` otherwise.
    /// Targets with a lane but no route get the lane's value. Allocation-free.
    pub fn for_each_target(&self, host_base: impl FnMut(usize) -> f32, mut apply: impl FnMut(usize, f32)) {
        let mut record = TickRecord::<1>::default();
        self.record_tick(&mut record);
        self.for_each_target_over(&record, host_base, |target, value| apply(target, value[0]));
    }

    /// Adds this tick (the last [`process_tick`](Self::process_tick)) to `record`.
    pub fn record_tick<const N: usize>(&self, record: &mut TickRecord<N>) {
        let tick = record.push(self.lane_time);
        self.matrix.record(&self.sources, record, tick);
    }

    /// [`for_each_target`](Self::for_each_target) for every tick of `record` at once:
    /// `apply(target, column)` gets the target's value at each tick. Lanes are read only if
    /// every tick had a transport position. Allocation-free.
    #[inline]
    pub fn for_each_target_over<const N: usize>(
        &self,
        record: &TickRecord<N>,
        mut host_base: impl FnMut(usize) -> f32,
        mut apply: impl FnMut(usize, &[f32]),
    ) {
        let times = record.times().filter(|_| !self.lanes.is_empty());
        let play = |lane: &AutomationLane, times: &[u64], column: &mut [f32]| {
            for (value, &time) in column.iter_mut().zip(times) {
                *value = lane.value_at(time);
            }
        };
        let base = |target: usize, column: &mut [f32]| match (self.lanes.get(target), times) {
            (Some(lane), Some(times)) => play(lane, times, column),
            _ => column.fill(host_base(target)),
        };
        self.matrix.modulate_ticks(record, base, &mut apply);
        if let Some(times) = times {
            let mut column = [0.0f32; N];
            let column = &mut column[..record.len()];
            for (target, lane) in self.lanes.iter().filter(|(t, _)| !self.matrix.has_target(*t)) {
                play(lane, times, column);
                apply(target, column);
            }
        }
    }

    pub fn matrix(&self) -> &Matrix {
        &self.matrix
    }

    pub fn lanes(&self) -> &Arc<LaneSet> {
        &self.lanes
    }

    /// Puts in a new set of lanes (resolved off the audio thread) and hands back the previous
    /// one, for the caller to drop off the audio thread.
    #[must_use]
    pub fn set_lanes(&mut self, lanes: Arc<LaneSet>) -> Arc<LaneSet> {
        std::mem::replace(&mut self.lanes, lanes)
    }

    /// Takes over the running state of the engine this one replaces (LFO positions, envelope
    /// stages and levels, followers, held notes, MIDI values, macros, transport), so that a
    /// configuration change does not restart the modulation. Allocation-free.
    pub fn continue_from(&mut self, previous: &ModulationEngine) {
        (self.was_playing, self.just_started, self.lane_time) =
            (previous.was_playing, previous.just_started, previous.lane_time);
        self.set_monitoring(previous.monitoring);
        for (lfo, old) in self.lfos.iter_mut().zip(&previous.lfos) {
            lfo.continue_from(old);
        }
        for (envelope, old) in self.envelopes.iter_mut().zip(&previous.envelopes) {
            envelope.continue_from(old);
        }
        for (detector, old) in self.detectors.iter_mut().zip(&previous.detectors) {
            detector.continue_from(old);
        }
        for (follower, old) in self.followers.iter_mut().zip(&previous.followers) {
            follower.continue_from(old);
        }
        self.held = previous.held;
        let polarity = self.sources.lfo_polarity;
        self.sources = previous.sources;
        self.sources.lfo_polarity = polarity;
        for (i, lfo) in self.lfos.iter().enumerate() {
            self.sources.lfo[i] = lfo.value();
        }
        for (i, envelope) in self.envelopes.iter().enumerate() {
            self.sources.envelope[i] = envelope.level();
        }
        for (i, follower) in self.followers.iter().enumerate() {
            self.sources.follower[i] = follower.value();
        }
    }

    /// Back to the state of a fresh engine, macros aside (they belong to the host).
    pub fn reset(&mut self) {
        let macros = self.sources.macros;
        let polarity = self.sources.lfo_polarity;
        self.sources = SourceValues { macros, lfo_polarity: polarity, ..SourceValues::default() };
        (self.was_playing, self.just_started, self.lane_time) = (false, false, None);
        self.held = HeldNotes::default();
        for (i, lfo) in self.lfos.iter_mut().enumerate() {
            lfo.reset();
            self.sources.lfo[i] = lfo.value();
        }
        self.envelopes.iter_mut().for_each(Adsr::reset);
        self.detectors.iter_mut().for_each(TransientDetector::reset);
        self.followers.iter_mut().for_each(Follower::reset);
    }
}

/// Runs a MIDI- or transport-triggered envelope through a tick: gates at the events' offsets,
/// a one-shot at the transport start. Transient-triggered ones run in the audio loop.
fn run_envelope(envelope: &mut Adsr, trigger: EnvelopeTrigger, mut held: HeldNotes, tick: &Tick) {
    match trigger {
        EnvelopeTrigger::Midi => {
            let mut pos = 0;
            for event in tick.midi {
                let at = (event.offset as usize).clamp(pos, tick.n);
                envelope.advance(at - pos);
                pos = at;
                match held.apply(&event.message) {
                    Some(Gate::Open) => envelope.gate_on(),
                    Some(Gate::Close) => envelope.gate_off(),
                    None => {}
                }
            }
            envelope.advance(tick.n - pos);
        }
        EnvelopeTrigger::TransportStart => {
            if tick.just_started {
                envelope.trigger();
            }
            envelope.advance(tick.n);
        }
        EnvelopeTrigger::Transient { .. } => {}
    }
}
