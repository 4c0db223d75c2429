//! Modulation sources, matrix, lanes and engine against formulas and exact sample positions.

mod common;
use codette_dsp::modulation::envelope::{ATTACK_OVERSHOOT, FALL_OVERSHOOT};
use codette_dsp::modulation::lane::MAX_LANE_POINTS;
use codette_dsp::modulation::lfo::{random, splitmix64};
use codette_dsp::modulation::transient::TransientDetector;
use codette_dsp::modulation::*;
use common::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::f64::consts::PI;
use std::sync::Arc;

const TARGETS: &[&str] = &["s1_mix", "s3_compressor_threshold", "s3_mix", "s3_in", "s3_out"];
const SR64: f64 = SR as f64;
const BPM: f64 = 120.0;
/// Samples per bar of 4/4 at 120 bpm and 48 kHz.
const BAR: i64 = 96_000;

fn resolver() -> impl Fn(&str) -> Option<usize> {
    |id: &str| TARGETS.iter().position(|t| *t == id)
}

/// An engine that computes every source, routed or not, so that tests can read them.
fn engine(config: &ModulationConfig) -> ModulationEngine {
    let mut e = ModulationEngine::new(config, SR, &resolver()).expect("valid configuration");
    e.set_monitoring(true);
    e
}

fn with_lfo(lfo: LfoConfig) -> ModulationConfig {
    let mut config = ModulationConfig::default();
    config.lfos[0] = lfo;
    config
}

fn with_envelope(envelope: EnvelopeConfig) -> ModulationConfig {
    let mut config = ModulationConfig::default();
    config.envelopes[0] = envelope;
    config
}

fn with_routes(routes: Vec<Route>) -> ModulationConfig {
    ModulationConfig { routes, ..Default::default() }
}

fn route(source: Source, target: &str, depth: f32, mapping: Polarity) -> Route {
    Route { source, target: target.to_string(), depth, mapping, enabled: true }
}

/// The transport playing (or not) at a sample, with the position in beats derived from the
/// sample so that two runs meet the same position bit for bit.
fn at_sample(sample: i64, playing: bool) -> Transport {
    Transport {
        playing,
        tempo_bpm: BPM,
        position_beats: Some(sample as f64 * BPM / 60.0 / SR64),
        position_samples: Some(sample),
        time_sig: (4, 4),
    }
}

fn stopped() -> Transport {
    Transport::default()
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

fn note_on(offset: u32, note: u8) -> MidiEvent {
    MidiEvent { offset, message: MidiMessage::NoteOn { note, velocity: 0.8 } }
}

fn note_off(offset: u32, note: u8) -> MidiEvent {
    MidiEvent { offset, message: MidiMessage::NoteOff { note } }
}

// ---------------------------------------------------------------- LFOs

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

// ---------------------------------------------------------------- envelopes

/// Envelope 0's level after each one-sample tick, with `events(i)` at tick i.
fn envelope_levels(
    config: EnvelopeConfig,
    ticks: usize,
    events: impl Fn(usize) -> Vec<MidiEvent>,
) -> Vec<f32> {
    let mut e = engine(&with_envelope(config));
    (0..ticks)
        .map(|i| {
            e.process_tick(&stopped(), 1, (&[], &[]), None, &events(i));
            e.value(Source::Envelope(0))
        })
        .collect()
}

/// `levels[s - 1]` is the level after `s` samples; the number of samples until `target`.
fn samples_until(levels: &[f32], from: usize, target: f32) -> usize {
    from + levels[from..].iter().position(|&v| v == target).expect("target reached") + 1
}

/// The documented exponential segment from `a` to `b` over `length` samples, after `t`.
fn overshoot_curve(a: f64, b: f64, t: f64, length: f64, rho: f64) -> f64 {
    let k = (1.0 + 1.0 / rho).ln();
    a + (b - a) * (1.0 - (-k * t / length).exp()) / (1.0 - (-k).exp())
}

#[test]
fn envelope_segments_take_their_set_times_linear_and_exponential() {
    // 10 ms, 100 ms and 500 ms at 48 kHz; note-on at sample 0, note-off after 10 000 samples.
    let (attack, decay, release, off) = (480, 4800, 24_000, 10_000);
    for curve in [Curve::Linear, Curve::Exponential] {
        let config = EnvelopeConfig { curve, ..Default::default() };
        let levels = envelope_levels(config, off + release + 10, |i| match i {
            0 => vec![note_on(0, 60)],
            i if i == off => vec![note_off(0, 60)],
            _ => vec![],
        });
        let at = |s: usize| levels[s - 1] as f64;
        assert_eq!(samples_until(&levels, 0, 1.0), attack, "{curve:?} attack");
        assert_eq!(samples_until(&levels, attack, 0.7), attack + decay, "{curve:?} decay");
        assert_eq!(at(off), 0.7f32 as f64, "{curve:?} sustain");
        assert_eq!(samples_until(&levels, off, 0.0), off + release, "{curve:?} release");
        let s = 0.7f32 as f64;
        let expected = match curve {
            Curve::Linear => [0.5, 1.0 - (1.0 - s) * 0.25, s * 0.5],
            Curve::Exponential => [
                overshoot_curve(0.0, 1.0, 240.0, 480.0, ATTACK_OVERSHOOT),
                overshoot_curve(1.0, s, 1200.0, 4800.0, FALL_OVERSHOOT),
                overshoot_curve(s, 0.0, 12_000.0, 24_000.0, FALL_OVERSHOOT),
            ],
        };
        let measured = [at(240), at(attack + 1200), at(off + 12_000)];
        for (m, e) in measured.iter().zip(expected) {
            assert!((m - e).abs() < 1e-6, "{curve:?}: {measured:?} vs {expected:?}");
        }
    }
}

#[test]
fn envelope_reaches_the_top_within_a_tick_of_its_attack_time() {
    // Sustain at 1, so that the top, once reached, is still there at the end of the tick.
    let config = EnvelopeConfig { attack_ms: 11.0, sustain: 1.0, ..Default::default() };
    let mut e = engine(&with_envelope(config));
    let levels: Vec<f32> = (0..40)
        .map(|i| {
            let events = if i == 0 { vec![note_on(5, 60)] } else { vec![] };
            e.process_tick(&stopped(), 32, (&[], &[]), None, &events);
            e.value(Source::Envelope(0))
        })
        .collect();
    // 528 samples from offset 5 of the first tick end at sample 533, in tick 16 (512..544).
    assert_eq!(levels.iter().position(|&v| v == 1.0), Some(16));
}

#[test]
fn a_second_note_retriggers_and_the_gate_closes_with_the_last_note() {
    let config = EnvelopeConfig { curve: Curve::Linear, ..Default::default() };
    let levels = envelope_levels(config, 12_000, |i| match i {
        0 => vec![note_on(0, 60)],
        6_000 => vec![note_on(0, 64)],
        7_000 => vec![note_off(0, 60)],
        11_500 => vec![note_off(0, 64)],
        _ => vec![],
    });
    // The retrigger climbs from sustain at the attack's rate: 0.3 in 144 samples.
    assert_eq!(samples_until(&levels, 6_000, 1.0), 6_000 + 144);
    assert_eq!(samples_until(&levels, 6_144, 0.7), 6_000 + 144 + 4800, "still held by the second note");
    assert_eq!(levels[11_499], 0.7);
    assert!(levels[11_500] < 0.7, "released with the last note");
}

#[test]
fn transport_start_fires_a_one_shot_that_releases_by_itself() {
    let config = EnvelopeConfig {
        attack_ms: 5.0,
        decay_ms: 20.0,
        release_ms: 50.0,
        curve: Curve::Linear,
        trigger: EnvelopeTrigger::TransportStart,
        ..Default::default()
    };
    let mut e = engine(&with_envelope(config));
    let mut levels = Vec::new();
    for i in 0..6_000 {
        let transport = Transport { playing: i >= 100, ..stopped() };
        e.process_tick(&transport, 1, (&[], &[]), None, &[]);
        levels.push(e.value(Source::Envelope(0)));
    }
    assert!(levels[..100].iter().all(|&v| v == 0.0));
    assert_eq!(samples_until(&levels, 100, 1.0), 100 + 240);
    assert_eq!(samples_until(&levels, 340, 0.7), 100 + 240 + 960);
    assert_eq!(samples_until(&levels, 1300, 0.0), 100 + 240 + 960 + 2400);
}

/// Indices at which the detector fires.
fn onsets(signal: &[f32]) -> Vec<usize> {
    let mut d = TransientDetector::new(6.0, SR);
    (0..signal.len()).filter(|&i| d.process(signal[i].abs())).collect()
}

fn burst(signal: &mut [f32], at: usize) {
    signal[at..at + 24].iter_mut().for_each(|x| *x = 1.0);
}

#[test]
fn transients_fire_on_clicks_and_not_on_a_steady_tone() {
    let mut clicks = vec![0.0; 48_000];
    for at in [1000, 20_000, 30_000] {
        clicks[at] = 1.0;
    }
    assert_eq!(onsets(&clicks), vec![1000, 20_000, 30_000]);

    let tone = sine(220.0, 0.5, SR, 96_000);
    let found = onsets(&tone);
    assert!(found.len() == 1 && found[0] < 48, "only the tone's own start is an onset: {found:?}");
    // Faded in over a second (-80 dB to 0 dB), the same tone has no onset at all.
    let faded: Vec<f32> =
        tone.iter().enumerate().map(|(i, x)| x * (-9.2 * (1.0 - (i as f32 / SR).min(1.0))).exp()).collect();
    assert_eq!(onsets(&faded), vec![]);

    let mut hit = sine(220.0, 0.1, SR, 48_000);
    burst(&mut hit, 30_000);
    let found = onsets(&hit);
    assert!(found.len() == 2 && found[0] < 48 && (30_000..30_004).contains(&found[1]), "{found:?}");
}

#[test]
fn an_envelope_triggered_by_a_transient_starts_at_the_click() {
    let trigger = EnvelopeTrigger::Transient { input: SignalInput::Sidechain, threshold_db: 6.0 };
    let config = EnvelopeConfig { curve: Curve::Linear, trigger, ..Default::default() };
    let mut e = engine(&with_envelope(config));
    let mut side = vec![0.0; 32 * 20];
    side[32 * 10 + 7] = 1.0;
    let main = vec![0.0; 32];
    for tick in 0..20 {
        let s = &side[tick * 32..(tick + 1) * 32];
        e.process_tick(&stopped(), 32, (&main, &main), Some((s, s)), &[]);
        let expected = if tick < 10 { 0.0 } else { (25 + 32 * (tick - 10)) as f32 / 480.0 };
        assert!((e.value(Source::Envelope(0)) - expected).abs() < 1e-6, "tick {tick}");
    }
}

// ---------------------------------------------------------------- followers

fn with_follower(follower: FollowerConfig) -> ModulationConfig {
    let mut config = ModulationConfig::default();
    config.followers[0] = follower;
    config
}

#[test]
fn follower_step_response_follows_its_time_constants() {
    for gain_db in [0.0, 6.020_6] {
        let gain = if gain_db == 0.0 { 1.0 } else { 2.0 };
        let config = FollowerConfig { attack_ms: 10.0, release_ms: 100.0, gain_db, ..Default::default() };
        let mut e = engine(&with_follower(config));
        let (step, zero) = (vec![0.4; 32], vec![0.0; 32]);
        let mut run = |ticks: usize, x: &[f32]| {
            for _ in 0..ticks {
                e.process_tick(&stopped(), 32, (x, x), None, &[]);
            }
            e.value(Source::Follower(0)) as f64
        };
        let e1 = (-1.0f64).exp();
        let rise = run(15, &step); // 480 samples = 10 ms
        assert!((rise - gain * 0.4 * (1.0 - e1)).abs() < 1e-4, "gain {gain_db} dB: rise {rise}");
        let top = run(600, &step);
        assert!((top - gain * 0.4).abs() < 1e-4);
        let fall = run(150, &zero); // 4800 samples = 100 ms
        assert!((fall - gain * 0.4 * e1).abs() < 1e-4, "fall {fall}");
    }
}

#[test]
fn follower_rms_of_a_sine_is_its_amplitude_over_root_two_and_gain_clamps_at_1() {
    let config =
        FollowerConfig { detector: Detector::Rms, attack_ms: 200.0, release_ms: 200.0, ..Default::default() };
    let mut e = engine(&with_follower(config));
    let x = sine(1000.0, 0.6, SR, 48_000);
    for block in x.chunks(32) {
        e.process_tick(&stopped(), 32, (block, block), None, &[]);
    }
    let rms = e.value(Source::Follower(0));
    assert!((rms - 0.6 / 2f32.sqrt()).abs() < 0.005, "{rms}");

    let loud = FollowerConfig { gain_db: 24.0, ..Default::default() };
    let mut e = engine(&with_follower(loud));
    for block in x.chunks(32) {
        e.process_tick(&stopped(), 32, (block, block), None, &[]);
    }
    assert_eq!(e.value(Source::Follower(0)), 1.0);
}

#[test]
fn follower_listens_to_the_sidechain_and_falls_back_to_the_main_input() {
    let config = FollowerConfig { input: SignalInput::Sidechain, ..Default::default() };
    let (loud, silent) = (vec![0.5; 32], vec![0.0; 32]);
    let mut e = engine(&with_follower(config));
    for _ in 0..500 {
        e.process_tick(&stopped(), 32, (&silent, &silent), Some((&loud, &loud)), &[]);
    }
    assert!((e.value(Source::Follower(0)) - 0.5).abs() < 1e-4);
    let mut e = engine(&with_follower(config));
    for _ in 0..500 {
        e.process_tick(&stopped(), 32, (&loud, &loud), None, &[]);
    }
    assert!((e.value(Source::Follower(0)) - 0.5).abs() < 1e-4);
    for _ in 0..5000 {
        e.process_tick(&stopped(), 32, (&loud, &loud), Some((&silent, &silent)), &[]);
    }
    assert!(e.value(Source::Follower(0)) < 1e-3);
}

// ---------------------------------------------------------------- matrix

/// Everything `for_each_target` applies, sorted by target.
fn applied(e: &ModulationEngine, host_base: impl Fn(usize) -> f32) -> Vec<(usize, f32)> {
    let mut out = Vec::new();
    e.for_each_target(host_base, |t, v| out.push((t, v)));
    out.sort_by_key(|&(t, _)| t);
    out
}

fn close(measured: &[(usize, f32)], expected: &[(usize, f32)]) -> bool {
    measured.len() == expected.len()
        && measured.iter().zip(expected).all(|(m, e)| m.0 == e.0 && (m.1 - e.1).abs() < 1e-6)
}

#[test]
fn polarity_mapping_follows_the_documented_formulas() {
    assert_eq!(map_polarity(0.25, Polarity::Unipolar, Polarity::Bipolar), -0.5);
    assert_eq!(map_polarity(-0.5, Polarity::Bipolar, Polarity::Unipolar), 0.25);
    assert_eq!(map_polarity(-0.5, Polarity::Bipolar, Polarity::Bipolar), -0.5);
    assert_eq!(map_polarity(0.7, Polarity::Unipolar, Polarity::Unipolar), 0.7);
}

#[test]
fn routes_add_up_by_the_documented_rule_and_clamp() {
    let mut sources = SourceValues::default();
    sources.lfo[0] = 0.5;
    (sources.lfo[1], sources.lfo_polarity[1]) = (0.8, Polarity::Unipolar);
    sources.macros[0] = 0.25;
    sources.cc[7] = 1.0;
    let routes = [
        route(Source::Lfo(0), "s3_mix", 0.4, Polarity::Bipolar),
        route(Source::Lfo(0), "s3_in", 0.4, Polarity::Unipolar),
        route(Source::Lfo(1), "s3_out", 0.5, Polarity::Bipolar),
        route(Source::Lfo(1), "s3_out", -0.25, Polarity::Unipolar),
        route(Source::Macro(0), "s1_mix", 1.0, Polarity::Unipolar),
        route(Source::Cc(7), "s3_compressor_threshold", -1.0, Polarity::Unipolar),
        Route { enabled: false, ..route(Source::Macro(0), "s3_mix", 1.0, Polarity::Unipolar) },
    ];
    let matrix = Matrix::new(&routes, &resolver()).unwrap();
    assert_eq!(matrix.targets().collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
    let bases = [0.9, 0.5, 0.5, 0.2, 0.6];
    let mut out = Vec::new();
    matrix.modulate(&sources, |t| bases[t], |t, v| out.push((t, v)));
    let expected = [
        (0, 1.0),                                        // 0.9 + 0.25, clamped
        (1, 0.0),                                        // 0.5 - 1, clamped
        (2, 0.5 + 0.4 * 0.5), // bipolar source as it is; the disabled route not at all
        (3, 0.2 + 0.4 * (0.5 + 1.0) / 2.0), // bipolar source mapped unipolar: (b + 1) / 2
        (4, 0.6 + 0.5 * (2.0 * 0.8 - 1.0) - 0.25 * 0.8), // unipolar mapped bipolar: 2u - 1
    ];
    assert!(close(&out, &expected), "{out:?}");
}

#[test]
fn macros_drive_several_targets() {
    let config = with_routes(vec![
        route(Source::Macro(0), "s3_mix", 1.0, Polarity::Unipolar),
        route(Source::Macro(0), "s3_in", -0.5, Polarity::Unipolar),
        route(Source::Macro(1), "s3_mix", 0.25, Polarity::Bipolar),
        route(Source::Macro(1), "s3_out", 0.5, Polarity::Bipolar),
    ]);
    let mut e = engine(&config);
    e.set_macro(0, 0.3);
    e.set_macro(1, 0.6);
    let expected = [(2, 0.5 + 0.3 + 0.25 * 0.2), (3, 0.5 - 0.15), (4, 0.5 + 0.5 * 0.2)];
    assert!(close(&applied(&e, |_| 0.5), &expected));
    e.set_macro(0, 1.0);
    e.set_macro(1, 0.0);
    let expected = [(2, 1.0), (3, 0.5 - 0.5), (4, 0.5 - 0.5)];
    assert!(close(&applied(&e, |_| 0.5), &expected));
}

// ---------------------------------------------------------------- lanes

fn point(time_samples: u64, value: f32, interpolation: Interpolation) -> AutomationPoint {
    AutomationPoint { time_samples, value, interpolation }
}

#[test]
fn a_lane_holds_its_ends_and_meets_each_point_at_its_sample() {
    assert_eq!(AutomationLane::default().value_at(123), 0.5);
    let lane: AutomationLane = [
        point(3000, 0.8, Interpolation::Linear),
        point(1000, 0.2, Interpolation::Linear),
        point(5000, 0.4, Interpolation::Step),
    ]
    .into_iter()
    .collect();
    for (t, v) in [(0, 0.2), (999, 0.2), (1000, 0.2), (3000, 0.8), (5000, 0.4), (u64::MAX, 0.4)] {
        assert_eq!(lane.value_at(t), v, "at {t}");
    }
    assert!(lane.value_at(2999) < 0.8 && lane.value_at(1001) > 0.2);
}

#[test]
fn lane_interpolation_modes_at_quarter_points() {
    type Shape = fn(f64) -> f64;
    let shapes: [(Interpolation, Shape); 4] = [
        (Interpolation::Linear, |u| u),
        (Interpolation::Exponential, |u| u * u),
        (Interpolation::Step, |u| if u >= 0.5 { 1.0 } else { 0.0 }),
        (Interpolation::Smooth, |u| 3.0 * u * u - 2.0 * u * u * u),
    ];
    for (mode, shape) in shapes {
        let lane: AutomationLane =
            [point(1000, 0.2, mode), point(2000, 0.6, Interpolation::Linear)].into_iter().collect();
        for (t, u) in [(1250, 0.25), (1500, 0.5), (1750, 0.75)] {
            let expected = 0.2 + (0.6f32 as f64 - 0.2f32 as f64) * shape(u);
            assert!((lane.value_at(t) as f64 - expected).abs() < 1e-6, "{mode:?} at u = {u}");
        }
    }
}

#[test]
fn lane_editing_keeps_points_sorted_and_finds_the_next_breakpoint() {
    let mut lane = AutomationLane::default();
    for t in [3000, 1000, 2001] {
        lane.insert(point(t, 0.5, Interpolation::Step)).unwrap();
    }
    lane.insert(point(2001, 1.5, Interpolation::Linear)).unwrap();
    assert!(lane.insert(point(10, f32::NAN, Interpolation::Linear)).is_err());
    let times: Vec<u64> = lane.points().iter().map(|p| p.time_samples).collect();
    assert_eq!(times, [1000, 2001, 3000]);
    assert_eq!(lane.points()[1].value, 1.0, "replaced, clamped");

    // The step segment 1000..2001 jumps where u reaches 0.5: at 1000 + ceil(1001 / 2).
    assert_eq!((lane.value_at(1500), lane.value_at(1501)), (0.5, 1.0));
    assert_eq!(lane.next_point_after(999), Some(1000));
    assert_eq!(lane.next_point_after(1000), Some(2001));
    assert_eq!(lane.next_breakpoint_after(1000), Some(1501));
    assert_eq!(lane.next_breakpoint_after(1501), Some(2001));
    assert_eq!(lane.next_breakpoint_after(2001), Some(3000), "linear: only the point");
    assert_eq!(lane.next_point_after(3000), None);

    assert_eq!(lane.remove(2500), None);
    assert_eq!(lane.remove(2001).map(|p| p.value), Some(1.0));
    lane.insert(point(2500, 0.1, Interpolation::Linear)).unwrap();
    assert_eq!(lane.clear_range(1000..3000), 2);
    assert_eq!(lane.points().len(), 1);
    assert_eq!(lane.points()[0].time_samples, 3000);
}

#[test]
fn a_full_lane_refuses_new_points_but_still_takes_replacements() {
    let mut lane = AutomationLane::default();
    for t in 0..MAX_LANE_POINTS as u64 {
        lane.insert(point(t, 0.5, Interpolation::Linear)).unwrap();
    }
    let error = lane.insert(point(u64::MAX, 0.5, Interpolation::Linear)).unwrap_err();
    assert!(error.contains(&MAX_LANE_POINTS.to_string()), "{error}");
    lane.insert(point(7, 0.9, Interpolation::Linear)).unwrap();
    assert_eq!(lane.value_at(7), 0.9);
}

#[test]
fn the_engine_reads_lanes_at_the_tick_position_and_swaps_them_whole() {
    let mut config = ModulationConfig::default();
    let ramp = [point(0, 0.0, Interpolation::Linear), point(48_000, 1.0, Interpolation::Linear)];
    config.lanes.insert("s3_mix".into(), ramp.into_iter().collect());
    config.lanes.insert("s3_out".into(), [point(0, 0.3, Interpolation::Linear)].into_iter().collect());
    config.routes = vec![route(Source::Macro(0), "s3_mix", 0.5, Polarity::Unipolar)];
    let mut e = engine(&config);
    e.set_macro(0, 0.2);
    e.process_tick(&at_sample(12_000, true), 32, (&[], &[]), None, &[]);
    // The lane is the routed parameter's base; a lane without routes is the value itself.
    assert!(close(&applied(&e, |_| 0.5), &[(2, 0.25 + 0.1), (4, 0.3)]));
    // Without a position there is nothing to read: the host's value is the base.
    e.process_tick(&Transport { position_samples: None, ..at_sample(0, true) }, 32, (&[], &[]), None, &[]);
    assert!(close(&applied(&e, |_| 0.5), &[(2, 0.5 + 0.1)]));

    config.lanes.insert("s3_out".into(), [point(0, 0.9, Interpolation::Linear)].into_iter().collect());
    let next = Arc::new(LaneSet::resolve(&config.lanes, &resolver()).unwrap());
    let old = e.set_lanes(next);
    assert_eq!(old.get(4).map(|l| l.value_at(0)), Some(0.3));
    e.process_tick(&at_sample(24_000, true), 32, (&[], &[]), None, &[]);
    assert!(close(&applied(&e, |_| 0.5), &[(2, 0.5 + 0.1), (4, 0.9)]));
}

// ---------------------------------------------------------------- configuration

#[test]
fn a_route_to_a_missing_parameter_is_refused_by_name() {
    let config = with_routes(vec![
        route(Source::Macro(0), "s3_mix", 0.5, Polarity::Unipolar),
        route(Source::Lfo(1), "s9_nothing", 0.5, Polarity::Bipolar),
    ]);
    let error = config.validate(&resolver()).unwrap_err();
    assert_eq!(error.field, "routes[1].target");
    assert!(error.message.contains("s9_nothing"), "{error}");
    assert!(ModulationEngine::new(&config, SR, &resolver()).is_err());

    let bad = with_routes(vec![route(Source::Lfo(4), "s3_mix", 0.5, Polarity::Bipolar)]);
    let error = bad.validate(&resolver()).unwrap_err();
    assert!(error.field == "routes[0].source" && error.message.contains("LFO 4"), "{error}");

    let mut bad = ModulationConfig::default();
    bad.lfos[2].rate = LfoRate::Hz(500.0);
    let error = bad.validate(&resolver()).unwrap_err();
    assert!(error.field == "lfos[2]" && error.message.contains("between 0.01 and 100"), "{error}");

    let mut bad = ModulationConfig::default();
    bad.lanes.insert("s2_ghost".into(), AutomationLane::default());
    assert_eq!(bad.validate(&resolver()).unwrap_err().field, "lanes[s2_ghost]");

    let bad = ModulationConfig { version: CONFIG_VERSION + 1, ..Default::default() };
    assert_eq!(bad.validate(&resolver()).unwrap_err().field, "version");
    assert!(ModulationConfig::default().validate(&resolver()).is_ok());
}

#[test]
fn the_lenient_loader_drops_what_cannot_work_and_says_so() {
    let mut config = with_routes(vec![
        route(Source::Macro(0), "s3_mix", 0.5, Polarity::Unipolar),
        route(Source::Macro(1), "s9_nothing", 0.5, Polarity::Unipolar),
        route(Source::Lfo(9), "s3_in", 0.5, Polarity::Bipolar),
        route(Source::Velocity, "s3_out", 3.0, Polarity::Unipolar),
    ]);
    config.lfos[1].rate = LfoRate::Sync("1/7".into());
    config.lanes.insert("s9_gone".into(), AutomationLane::default());
    config.lanes.insert("s3_mix".into(), AutomationLane::default());
    let (loaded, warnings) = config.load_lenient(&resolver());
    assert!(loaded.validate(&resolver()).is_ok());
    assert_eq!(warnings.len(), 5, "{warnings:#?}");
    assert!(warnings.iter().any(|w| w.contains("s9_nothing") && w.contains("dropped")), "{warnings:#?}");
    assert!(warnings.iter().any(|w| w.contains("s9_gone") && w.contains("dropped")));
    let kept: Vec<(&str, f32)> = loaded.routes.iter().map(|r| (r.target.as_str(), r.depth)).collect();
    assert_eq!(kept, [("s3_mix", 0.5), ("s3_out", 1.0)]);
    assert_eq!(loaded.lfos[1].rate, LfoRate::Sync("1/4".into()));
    assert_eq!(loaded.lanes.keys().collect::<Vec<_>>(), ["s3_mix"]);
}

// ---------------------------------------------------------------- the whole engine

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
            (e.sources().clone(), applied(e, |t| 0.1 * t as f32))
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
