//! Envelope segments, retriggers and triggers (notes, transport start, transients), and the
//! transient detector itself.

use crate::common::*;
use crate::support::*;
use codette_dsp::modulation::envelope::{ATTACK_OVERSHOOT, FALL_OVERSHOOT};
use codette_dsp::modulation::transient::TransientDetector;
use codette_dsp::modulation::*;

fn with_envelope(envelope: EnvelopeConfig) -> ModulationConfig {
    let mut config = ModulationConfig::default();
    config.envelopes[0] = envelope;
    config
}

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
