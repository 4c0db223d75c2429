//! The whole engine: determinism, reset, rebuilding mid-run, skipping unrouted sources, and no
//! allocation on the audio thread.

use crate::common::*;
use crate::support::*;
use codette_dsp::modulation::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::Arc;

fn busy_config() -> ModulationConfig {
    let mut config = ModulationConfig {
        lfos: [
            LfoConfig { rate: LfoRate::Hz(3.3), ..Default::default() },
            LfoConfig {
                shape: LfoShape::SampleAndHold,
                rate: LfoRate::Sync("1/16".into()),
                seed: 3,
                ..Default::default()
            },
            LfoConfig {
                shape: LfoShape::SmoothRandom,
                rate: LfoRate::Hz(0.7),
                retrigger: Retrigger::TransportStart,
                ..Default::default()
            },
            LfoConfig {
                shape: LfoShape::Triangle,
                retrigger: Retrigger::Note,
                polarity: Polarity::Unipolar,
                ..Default::default()
            },
        ],
        ..Default::default()
    };
    config.envelopes[1] = EnvelopeConfig {
        curve: Curve::Linear,
        trigger: EnvelopeTrigger::Transient { input: SignalInput::Sidechain, threshold_db: 6.0 },
        ..Default::default()
    };
    config.followers[1] =
        FollowerConfig { input: SignalInput::Sidechain, detector: Detector::Rms, ..Default::default() };
    let sources = [
        Source::Lfo(0),
        Source::Lfo(1),
        Source::Lfo(2),
        Source::Lfo(3),
        Source::Envelope(0),
        Source::Envelope(1),
        Source::Follower(0),
        Source::Follower(1),
        Source::Macro(2),
        Source::Velocity,
        Source::Note,
        Source::Cc(1),
    ];
    config.routes = sources
        .iter()
        .enumerate()
        .map(|(i, &s)| route(s, TARGETS[i % TARGETS.len()], 0.3 - 0.05 * i as f32, Polarity::Bipolar))
        .collect();
    config.lanes.insert(
        "s1_mix".into(),
        [point(0, 0.1, Interpolation::Smooth), point(200_000, 0.9, Interpolation::Linear)]
            .into_iter()
            .collect(),
    );
    config
}

/// Ticks `range` of a scenario with audio, sidechain hits, notes, CCs, macro moves and a
/// transport that starts at tick 100: per tick, the sources and every applied target value.
fn run_scenario(
    e: &mut ModulationEngine,
    range: std::ops::Range<usize>,
) -> Vec<(SourceValues, Vec<(usize, f32)>)> {
    let n = 32;
    range
        .map(|i| {
            let main = noise(n, i as u32 + 1);
            let side: Vec<f32> =
                noise(n, i as u32 + 7).iter().map(|x| if i % 40 < 2 { *x } else { x * 0.01 }).collect();
            let mut midi = Vec::new();
            if i % 50 == 0 {
                let (note, velocity) = ((40 + i % 30) as u8, (i % 11) as f32 / 10.0);
                midi.push(MidiEvent {
                    offset: (i * 7 % 32) as u32,
                    message: MidiMessage::NoteOn { note, velocity },
                });
            }
            if i % 50 == 20 {
                midi.push(note_off(3, (40 + (i - 20) % 30) as u8));
                midi.push(MidiEvent {
                    offset: 9,
                    message: MidiMessage::Cc { cc: 1, value: (i % 128) as u8 },
                });
            }
            let playing = i >= 100;
            let transport = Transport { playing, ..at_sample((i as i64 - 100).max(0) * n as i64, playing) };
            e.set_macro(2, (i % 97) as f32 / 96.0);
            e.process_tick(&transport, n, (&main, &main), Some((&side, &side)), &midi);
            (*e.sources(), applied(e, |t| 0.1 * t as f32))
        })
        .collect()
}

#[test]
fn a_whole_engine_run_is_deterministic_and_reset_replays_it() {
    let config = busy_config();
    let mut first = engine(&config);
    let run = run_scenario(&mut first, 0..2000);
    assert_eq!(run, run_scenario(&mut engine(&config), 0..2000));
    first.reset();
    assert_eq!(run, run_scenario(&mut first, 0..2000));
    // The scenario exercises every source.
    let moved = |f: fn(&SourceValues) -> f32| run.iter().map(|(s, _)| f(s)).any(|v| v != f(&run[0].0));
    assert!(
        moved(|s| s.lfo[1]) && moved(|s| s.lfo[3]) && moved(|s| s.envelope[0]) && moved(|s| s.envelope[1])
    );
    assert!(moved(|s| s.follower[1]) && moved(|s| s.velocity) && moved(|s| s.cc[1]));
}

#[test]
fn a_rebuilt_engine_continues_where_the_old_one_was() {
    let config = busy_config();
    let mut old = engine(&config);
    let mut reference = engine(&config);
    run_scenario(&mut old, 0..730);
    run_scenario(&mut reference, 0..730);
    let mut changed = config.clone();
    changed.routes.push(route(Source::Lfo(0), "s3_out", 0.1, Polarity::Bipolar));
    let mut rebuilt = engine(&changed);
    rebuilt.continue_from(&old);
    let expected = run_scenario(&mut reference, 730..1000);
    let continued = run_scenario(&mut rebuilt, 730..1000);
    for ((a, _), (b, _)) in continued.iter().zip(&expected) {
        assert_eq!(a, b, "the sources go on as if nothing had happened");
    }

    // New envelope times take over from the level reached, without a jump.
    let mut slower = config.clone();
    slower.envelopes[0].release_ms = 2000.0;
    let mut rebuilt = engine(&slower);
    rebuilt.continue_from(&old);
    let before = old.value(Source::Envelope(0));
    let after = run_scenario(&mut rebuilt, 730..731)[0].0.envelope[0];
    let unchanged = run_scenario(&mut old, 730..731)[0].0.envelope[0];
    assert!(before > 0.1 && unchanged < after && after < before, "{before} -> {after} (not {unchanged})");
}

/// What `for_each_target_over` gives for a record, as `(target, value)` per tick.
fn per_tick<const N: usize>(e: &ModulationEngine, record: &TickRecord<N>) -> Vec<Vec<(usize, f32)>> {
    let mut columns = Vec::new();
    e.for_each_target_over(record, |t| 0.1 * t as f32, |t, column| columns.push((t, column.to_vec())));
    columns.sort_by_key(|&(t, _)| t);
    (0..record.len()).map(|k| columns.iter().map(|(t, column)| (*t, column[k])).collect()).collect()
}

#[test]
fn recorded_ticks_give_the_values_of_each_tick_at_once() {
    let mut config = busy_config();
    // A lane-only target besides the routed one with a lane.
    config.routes.retain(|r| r.target != "s3_in");
    let ramp = [point(0, 0.2, Interpolation::Linear), point(9_000, 0.8, Interpolation::Exponential)];
    config.lanes.insert("s3_in".into(), ramp.into_iter().collect());
    let mut e = engine(&config);
    let mut record = TickRecord::<16>::default();
    let mut expected = Vec::new();
    for i in 0..400u32 {
        let main = noise(32, i + 1);
        e.set_macro(2, (i % 7) as f32 / 6.0);
        e.process_tick(&at_sample(i as i64 * 32, true), 32, (&main, &main), None, &[]);
        e.record_tick(&mut record);
        expected.push(applied(&e, |t| 0.1 * t as f32));
        if i % 13 == 12 {
            assert_eq!(per_tick(&e, &record), expected, "ticks up to {i}");
            assert!(expected[0].iter().any(|&(t, _)| t == 3), "the lane-only target is there");
            record.clear();
            expected.clear();
        }
    }

    // Beyond its room, a record's last tick is the latest one.
    record.clear();
    for i in 0..20 {
        e.process_tick(&at_sample(i * 32, true), 32, (&[], &[]), None, &[]);
        e.record_tick(&mut record);
    }
    assert_eq!(record.len(), 16);
    assert_eq!(per_tick(&e, &record)[15], applied(&e, |t| 0.1 * t as f32));

    // One tick without a position: the lanes are not read, the routed target's base is the
    // host's.
    record.clear();
    for position in [Some(0), None, Some(64)] {
        let transport = Transport { position_samples: position, ..at_sample(0, true) };
        e.process_tick(&transport, 32, (&[], &[]), None, &[]);
        e.record_tick(&mut record);
    }
    let ticks = per_tick(&e, &record);
    assert!(ticks.iter().all(|tick| tick.iter().all(|&(t, _)| t != 3)));
    assert!(ticks[0].len() == 4 && ticks[0][0].0 == 0);
}

#[test]
fn unrouted_sources_are_skipped_unless_monitored_without_changing_the_sound() {
    let mut config = busy_config();
    config.routes.retain(|r| matches!(r.source, Source::Lfo(0) | Source::Envelope(1) | Source::Follower(1)));
    let mut skipping = ModulationEngine::new(&config, SR, &resolver()).unwrap();
    let mut watching = engine(&config);
    let (a, b) = (run_scenario(&mut skipping, 0..1500), run_scenario(&mut watching, 0..1500));
    for ((sa, ta), (sb, tb)) in a.iter().zip(&b) {
        assert_eq!(ta, tb, "the targets do not depend on monitoring");
        assert_eq!((sa.lfo[0], sa.envelope[1], sa.follower[1]), (sb.lfo[0], sb.envelope[1], sb.follower[1]));
    }
    assert!(a.iter().all(|(s, _)| s.follower[0] == 0.0 && s.lfo[1] == a[0].0.lfo[1]), "skipped");

    let mut idle = ModulationEngine::new(&ModulationConfig::default(), SR, &resolver()).unwrap();
    let loud = vec![0.5; 32];
    let run = |e: &mut ModulationEngine| {
        for _ in 0..200 {
            e.process_tick(&stopped(), 32, (&loud, &loud), None, &[]);
        }
        e.value(Source::Follower(0))
    };
    assert_eq!(run(&mut idle), 0.0);
    idle.set_monitoring(true);
    assert!((run(&mut idle) - 0.5).abs() < 1e-3);
}

/// Counts the allocations of the current thread, to check the real-time contract.
struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        System.alloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

#[test]
fn the_audio_thread_calls_never_allocate() {
    let config = busy_config();
    let mut e = engine(&config);
    let mut next = engine(&config);
    let lanes = Arc::new(LaneSet::resolve(&config.lanes, &resolver()).unwrap());
    let (main, side) = (noise(32, 1), noise(32, 2));
    let events = [note_on(3, 60), MidiEvent { offset: 9, message: MidiMessage::Cc { cc: 1, value: 64 } }];
    let mut out = [0.0; TARGETS.len()];
    let before = ALLOCATIONS.with(Cell::get);
    for i in 0..500 {
        let midi = if i % 50 == 0 { &events[..] } else { &[] };
        e.set_macro(2, i as f32 / 500.0);
        e.process_tick(&at_sample(i * 32, i > 10), 32, (&main, &main), Some((&side, &side)), midi);
        e.for_each_target(|t| 0.1 * t as f32, |t, v| out[t] = v);
    }
    next.continue_from(&e);
    next.set_monitoring(false);
    let previous = next.set_lanes(lanes);
    next.process_tick(&at_sample(16_000, true), 32, (&main, &main), None, &[]);
    next.reset();
    assert_eq!(ALLOCATIONS.with(Cell::get) - before, 0);
    drop(previous);
}
