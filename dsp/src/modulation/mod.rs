//! Modulation: LFOs, envelopes, envelope followers, macros and MIDI as sources; a matrix of
//! routes from them to parameters; and automation lanes that supply parameters' base values.
//!
//! Everything here is plain, deterministic Rust: the same configuration, transport, audio and
//! MIDI give the same values, to the bit, in the plugin and in the offline engine.
//!
//! # Sources
//! - 4 LFOs ([`lfo`]): sine, triangle, square, saw up/down, sample-and-hold and smooth random;
//!   0.01..100 Hz or one cycle per note value (`"1/4"`, `"1/8."`, `"1/16T"`, …, `"2/1"`,
//!   `"4/1"`); phase offset; free, restarted at transport start or at each note-on; unipolar
//!   (0..1) or bipolar (-1..1). Synced LFOs take their phase from the song position while the
//!   transport plays: `phase = frac(beats / beats_per_cycle + offset)`, so they meet every bar
//!   line at the same phase wherever playback started. Random LFOs draw cycle `k`'s value from
//!   `hash(seed, k)`: starting playback at bar 5 gives bar 5 the values it has when played
//!   through.
//! - 2 ADSR envelopes ([`envelope`]), linear or exponential, triggered by MIDI notes (held
//!   while a note is), by onsets in the audio ([`transient`]) or by the transport start (those
//!   two are one-shots: attack, decay, release). Segment times are exact to the sample.
//! - 2 envelope followers ([`follower`]) on the main input or the sidechain: peak or RMS level
//!   with attack and release, times a gain, limited to 1.
//! - 8 macros: values 0..1 the caller sets from its host parameters.
//! - MIDI ([`midi`]): the last note-on's velocity and note number, all 128 CCs, as 0..1.
//!
//! # The combination rule
//! Every route has a source, a target parameter, a depth (-1..1) and a mapping (unipolar or
//! bipolar). In the parameter's normalized (0..1, host) space:
//!
//! `value = clamp(base + Σ depth · m, 0, 1)`
//!
//! where the sum runs over the target's enabled routes, `base` is the parameter's own value
//! (its automation lane's value where it has one, otherwise the host's), and `m` is the
//! source's value seen in the route's mapping: as it is when the polarities agree, `2u − 1`
//! for a unipolar source `u` mapped bipolar, `(b + 1)/2` for a bipolar source `b` mapped
//! unipolar. So a bipolar route swings the parameter around its base, a unipolar one pushes it
//! one way; depth 1 sweeps the whole range; routes add up and the result never leaves the range.
//!
//! # Automation lanes
//! A lane ([`lane::AutomationLane`]) is a list of points `{time_samples, value, interpolation}`.
//! With no points it is 0.5; before the first point and after the last it holds the end value;
//! between two points it follows the left point's mode with `u` the fraction of the segment:
//! linear `u`, exponential `u²`, step (jumps at `u ≥ 0.5`), smooth `3u² − 2u³`.
//!
//! Lanes are edited off the audio thread (they allocate) and only read on it. The caller keeps
//! the lanes by parameter id in its [`ModulationConfig`], edits them there (recording in
//! write/touch/latch mode uses `clear_range` and `insert`), resolves them into a new
//! [`lane::LaneSet`] and sends it to the audio thread as an `Arc` (through a lock-free
//! channel or swap cell), where [`ModulationEngine::set_lanes`] puts it in and hands back the
//! old one, to be sent back and dropped off the audio thread.
//!
//! # Per block
//! Built off the audio thread, with the caller's resolver from parameter ids to its indices
//! (resolution happens once, here, never per tick):
//!
//! ```ignore
//! let engine = ModulationEngine::new(&config, sample_rate, &|id: &str| params.index_of(id))?;
//! ```
//!
//! Then for each tick of at most 32 samples (split further at
//! `lane.next_breakpoint_after(position)` for sample-accurate lanes):
//!
//! ```ignore
//! for (i, m) in macro_params.iter().enumerate() { engine.set_macro(i, m.value()); }
//! // The transport at the tick's first sample; MIDI offsets counted from it.
//! engine.process_tick(&transport, n, (&in_l[range], &in_r[range]), sidechain, &midi_in_tick);
//! engine.for_each_target(|t| host_normalized(t), |t, value| apply_to_rack(t, value));
//! rack.process(&mut l[range], &mut r[range]);
//! ```
//!
//! A player that runs a segment's ticks before the audio (as
//! [`ModulatedRack`](crate::modulated_rack::ModulatedRack) does) adds each to a [`TickRecord`]
//! with `record_tick` instead, and `for_each_target_over` then gives each target's values at
//! all of them as one column: one call per target rather than per target and tick.
//!
//! `process_tick` and `for_each_target` never allocate, lock or block, and their time is
//! bounded by `n`, the number of MIDI events and the number of routes and lanes. LFOs and
//! lanes are evaluated at the tick's first sample (where the transport position is exact);
//! envelopes, followers and MIDI values report their state after the tick's audio and events,
//! the freshest there is: the two differ by at most one tick.
//!
//! LFOs, followers and transient detectors that no route uses are not computed, so an instance
//! without routes costs next to nothing; an editor that displays every source turns
//! [`ModulationEngine::set_monitoring`] on while it is open.
//!
//! A configuration change builds a new engine off the audio thread; on the audio thread,
//! [`ModulationEngine::continue_from`] carries the running state over before the swap, so
//! LFOs and envelopes go on without a jump.
//!
//! # Configuration and validation
//! [`ModulationConfig`] (serde, with a `version`) holds every setting. [`ModulationConfig::validate`]
//! refuses a configuration with a [`ConfigError`] naming the field and, for a route to a
//! parameter that does not exist, that parameter; [`ModulationConfig::load_lenient`] instead
//! drops such routes and lanes, brings values into range, and returns warnings, for states
//! saved by older builds.

pub mod config;
pub mod engine;
pub mod envelope;
pub mod follower;
pub mod lane;
pub mod lfo;
pub mod matrix;
pub mod midi;
pub mod recorder;
pub mod ticks;
pub mod transient;
pub mod transport;

pub use config::{ConfigError, ModulationConfig, CONFIG_VERSION};
pub use engine::ModulationEngine;
pub use envelope::{Curve, EnvelopeConfig, EnvelopeTrigger};
pub use follower::{Detector, FollowerConfig, SignalInput};
pub use lane::{AutomationLane, AutomationPoint, Interpolation, LaneSet};
pub use lfo::{LfoConfig, LfoRate, LfoShape, Retrigger};
pub use matrix::{combine, map_polarity, Matrix, Polarity, Route, Source, SourceValues, TargetResolver};
pub use midi::{MidiEvent, MidiMessage};
pub use recorder::{LanePass, RecordMode};
pub use ticks::TickRecord;
pub use transport::Transport;
