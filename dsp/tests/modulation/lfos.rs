//! LFO shapes, rates, tempo sync, retrigger modes, polarity and seeded random shapes.

use crate::support::*;
use codette_dsp::modulation::lfo::{random, splitmix64};
use codette_dsp::modulation::*;
use std::f64::consts::PI;

/// Samples per bar of 4/4 at 120 bpm and 48 kHz.
const BAR: i64 = 96_000;

fn with_lfo(lfo: LfoConfig) -> ModulationConfig {
    let mut config = ModulationConfig::default();
    config.lfos[0] = lfo;
    config
}

/// Runs ticks without audio or MIDI and returns LFO 0's value at each.
fn lfo_values(
    e: &mut ModulationEngine,
    ticks: usize,
    n: usize,
    transport: impl Fn(usize) -> Transport,
) -> Vec<f32> {
    (0..ticks)
        .map(|i| {
            e.process_tick(&transport(i), n, (&[], &[]), None, &[]);
            e.value(Source::Lfo(0))
        })
        .collect()
}

fn textbook(shape: LfoShape, p: f64) -> f64 {
    match shape {
        LfoShape::Sine => (2.0 * PI * p).sin(),
        LfoShape::Triangle if p < 0.25 => 4.0 * p,
        LfoShape::Triangle if p < 0.75 => 2.0 - 4.0 * p,
        LfoShape::Triangle => 4.0 * p - 4.0,
        LfoShape::Square => {
            if p < 0.5 {
                1.0
            } else {
                -1.0
            }
        }
        LfoShape::SawUp => 2.0 * p - 1.0,
        LfoShape::SawDown => 1.0 - 2.0 * p,
        _ => unreachable!(),
    }
}

const PERIODIC: [LfoShape; 5] =
    [LfoShape::Sine, LfoShape::Triangle, LfoShape::Square, LfoShape::SawUp, LfoShape::SawDown];

#[test]
fn lfo_shapes_follow_their_formulas_at_known_phases() {
    for shape in PERIODIC {
        for p in [0.0, 0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9] {
            // A free LFO's first value is at its phase offset.
            let mut e = engine(&with_lfo(LfoConfig { shape, phase_offset: p as f32, ..Default::default() }));
            let v = lfo_values(&mut e, 1, 32, |_| stopped())[0];
            assert!((v as f64 - textbook(shape, p)).abs() < 1e-6, "{shape:?} at {p}: {v}");
        }
    }
}

#[test]
fn random_shapes_hold_or_glide_between_hashed_values() {
    // splitmix64's published outputs from state 0: the hash is the real one.
    assert_eq!(splitmix64(0), 0xE220_A839_7B1D_CDAF);
    assert_eq!(splitmix64(0x9E37_79B9_7F4A_7C15), 0x6E78_9E6A_A1B9_65F4);
    let seed = 77;
    let (a, b) = (random(splitmix64(seed), 0), random(splitmix64(seed), 1));
    assert_ne!(a, b);
    for p in [0.0, 0.25, 0.5, 0.75, 0.99] {
        let config =
            |shape| with_lfo(LfoConfig { shape, phase_offset: p as f32, seed, ..Default::default() });
        let held = lfo_values(&mut engine(&config(LfoShape::SampleAndHold)), 1, 32, |_| stopped())[0];
        assert_eq!(held, a as f32, "sample and hold at {p}");
        let smooth = lfo_values(&mut engine(&config(LfoShape::SmoothRandom)), 1, 32, |_| stopped())[0];
        let cosine = a + (b - a) * (1.0 - (PI * p).cos()) / 2.0;
        assert!((smooth as f64 - cosine).abs() < 1e-6, "smooth random at {p}: {smooth} vs {cosine}");
    }
}

/// Tick indices (one sample each) at which a rising saw wraps around.
fn wraps(values: &[f32]) -> Vec<usize> {
    (1..values.len()).filter(|&i| values[i] < values[i - 1]).collect()
}

#[test]
fn lfo_period_in_samples_matches_the_rate() {
    for hz in [100.0, 7.3, 0.37] {
        let period = SR64 / hz;
        let mut e = engine(&with_lfo(LfoConfig {
            shape: LfoShape::SawUp,
            rate: LfoRate::Hz(hz as f32),
            ..Default::default()
        }));
        let values = lfo_values(&mut e, (3.2 * period) as usize, 1, |_| stopped());
        let found = wraps(&values);
        assert_eq!(found.len(), 3, "{hz} Hz");
        for (k, &at) in found.iter().enumerate() {
            // The first sample of cycle k+1 is the first at or after (k+1)·period.
            let expected = ((k + 1) as f64 * (SR64 / hz as f32 as f64)).ceil();
            assert!((at as f64 - expected).abs() <= 1.0, "{hz} Hz: wrap {k} at {at}, expected {expected}");
        }
    }
}

#[test]
fn a_synced_quarter_at_120_bpm_lasts_24000_samples() {
    let config = with_lfo(LfoConfig {
        shape: LfoShape::SawUp,
        rate: LfoRate::Sync("1/4".into()),
        ..Default::default()
    });
    // Without a position it runs at the tempo's rate.
    let mut free = engine(&config);
    let values = lfo_values(&mut free, 80_000, 1, |_| Transport { tempo_bpm: BPM, ..stopped() });
    let found = wraps(&values);
    assert_eq!(found.len(), 3);
    for (k, at) in found.iter().enumerate() {
        assert!((*at as i64 - 24_000 * (k as i64 + 1)).abs() <= 1, "wrap {k} at {at}");
    }
    // With the position it wraps at the beats themselves.
    let mut locked = engine(&config);
    let values = lfo_values(&mut locked, 2_500, 32, |i| at_sample(i as i64 * 32, true));
    let found: Vec<usize> = wraps(&values).iter().map(|i| i * 32).collect();
    assert_eq!(found, vec![24_000, 48_000, 72_000]);
}

#[test]
fn synced_phase_at_bar_lines_is_the_offset_wherever_playback_starts() {
    for note in ["1/4", "1/1", "1/8T", "4/1"] {
        for offset in [0.0, 0.3] {
            for start in [0, 156_000, 13 * 24_000 + 32 * 7] {
                let config = with_lfo(LfoConfig {
                    rate: LfoRate::Sync(note.into()),
                    phase_offset: offset as f32,
                    ..Default::default()
                });
                let mut e = engine(&config);
                let mut bar_lines = 0;
                for i in 0..12_000 {
                    let sample = start + i * 32;
                    e.process_tick(&at_sample(sample, true), 32, (&[], &[]), None, &[]);
                    // 4/1 spans four bars: its phase repeats every fourth bar line.
                    let cycle = if note == "4/1" { 4 * BAR } else { BAR };
                    if sample % cycle == 0 {
                        let phase = e.lfo_phase(0).unwrap();
                        assert!(
                            (phase - offset as f32 as f64).abs() < 1e-9,
                            "{note} from {start}: {phase} at {sample}"
                        );
                        bar_lines += 1;
                    }
                }
                assert!(bar_lines >= 1, "{note} from {start}");
            }
        }
    }
}

#[test]
fn lfo_restarts_at_transport_start_only_when_asked() {
    for (retrigger, restarts) in [(Retrigger::TransportStart, true), (Retrigger::Free, false)] {
        let hz = 3.0;
        let config = with_lfo(LfoConfig {
            rate: LfoRate::Hz(hz),
            phase_offset: 0.25,
            retrigger,
            ..Default::default()
        });
        let mut e = engine(&config);
        let playing = |i: usize| Transport { playing: (1000..2000).contains(&i) || i >= 3000, ..stopped() };
        let mut phases = Vec::new();
        for i in 0..3002 {
            e.process_tick(&playing(i), 32, (&[], &[]), None, &[]);
            phases.push(e.lfo_phase(0).unwrap());
        }
        let running = |i: usize| (0.25 + i as f64 * 32.0 * hz as f64 / SR64).fract();
        for start in [1000, 3000] {
            let expected = if restarts { 0.25 } else { running(start) };
            assert!((phases[start] - expected).abs() < 1e-9, "{retrigger:?} at {start}: {}", phases[start]);
            let next = if restarts { 0.25 + 32.0 * hz as f64 / SR64 } else { running(start + 1) };
            assert!((phases[start + 1] - next).abs() < 1e-9);
        }
    }
}

#[test]
fn lfo_restarts_at_note_on_and_then_ignores_the_song_position() {
    let config = with_lfo(LfoConfig {
        rate: LfoRate::Sync("1/4".into()),
        phase_offset: 0.1,
        retrigger: Retrigger::Note,
        ..Default::default()
    });
    let mut e = engine(&config);
    let per_sample = BPM / 60.0 / SR64; // one quarter note per cycle
    for i in 0..100 {
        e.process_tick(&at_sample(i * 32, true), 32, (&[], &[]), None, &[]);
    }
    // At offset 0 the tick itself starts from the offset.
    e.process_tick(&at_sample(100 * 32, true), 32, (&[], &[]), None, &[note_on(0, 60)]);
    let offset = 0.1f32 as f64;
    assert!((e.lfo_phase(0).unwrap() - offset).abs() < 1e-12);
    // Later in a tick, the next tick starts that many samples past the offset.
    e.process_tick(&at_sample(101 * 32, true), 32, (&[], &[]), None, &[note_on(10, 62)]);
    e.process_tick(&at_sample(102 * 32, true), 32, (&[], &[]), None, &[]);
    assert!((e.lfo_phase(0).unwrap() - (offset + 22.0 * per_sample)).abs() < 1e-12);
    e.process_tick(&at_sample(103 * 32, true), 32, (&[], &[]), None, &[]);
    assert!((e.lfo_phase(0).unwrap() - (offset + 54.0 * per_sample)).abs() < 1e-12);
}

#[test]
fn unipolar_lfos_span_0_to_1_and_bipolar_ones_minus_1_to_1() {
    for shape in PERIODIC.into_iter().chain([LfoShape::SampleAndHold, LfoShape::SmoothRandom]) {
        let config = |polarity| {
            with_lfo(LfoConfig { shape, rate: LfoRate::Hz(37.0), polarity, seed: 5, ..Default::default() })
        };
        let bipolar = lfo_values(&mut engine(&config(Polarity::Bipolar)), 20_000, 8, |_| stopped());
        let unipolar = lfo_values(&mut engine(&config(Polarity::Unipolar)), 20_000, 8, |_| stopped());
        let range = |v: &[f32]| v.iter().fold((f32::MAX, f32::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x)));
        let (lo, hi) = range(&bipolar);
        assert!(lo >= -1.0 && hi <= 1.0 && lo < -0.9 && hi > 0.9, "{shape:?} bipolar {lo}..{hi}");
        let (lo, hi) = range(&unipolar);
        assert!(lo >= 0.0 && hi <= 1.0 && lo < 0.05 && hi > 0.95, "{shape:?} unipolar {lo}..{hi}");
        for (u, b) in unipolar.iter().zip(&bipolar) {
            assert!((u - (b + 1.0) / 2.0).abs() < 1e-6);
        }
    }
}

#[test]
fn random_lfos_are_deterministic_and_start_mid_song_as_if_played_through() {
    let n = 32;
    let from_bar = |shape, seed, first_bar: i64| {
        let config =
            with_lfo(LfoConfig { shape, rate: LfoRate::Sync("1/8".into()), seed, ..Default::default() });
        let mut e = engine(&config);
        let start = first_bar * BAR;
        let ticks = ((6 * BAR - start) / n) as usize;
        lfo_values(&mut e, ticks, n as usize, |i| at_sample(start + (i as i64) * n, true))
    };
    for shape in [LfoShape::SampleAndHold, LfoShape::SmoothRandom] {
        let through = from_bar(shape, 9, 0);
        assert_eq!(through, from_bar(shape, 9, 0), "{shape:?}: same seed, same transport");
        assert_ne!(through, from_bar(shape, 10, 0), "{shape:?}: other seed");
        let bar5 = from_bar(shape, 9, 4); // bar 5 starts after four bars
        assert_eq!(bar5[..], through[(4 * BAR / n) as usize..], "{shape:?} from bar 5");
        let distinct = through.windows(2).filter(|w| w[0] != w[1]).count();
        assert!(distinct > 40, "{shape:?} barely moves");
    }
}
