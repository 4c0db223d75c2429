//! Applying a tuned template moves the measurement it was tuned on: a mix with a low-mid bump,
//! measured, gets an EQ cut, and the same signal through that EQ (the rack's own DSP) measures
//! with the bump reduced by about the cut while the other bands stay where they were.

use codette_assistant::templates::Role;
use codette_assistant::{recommend, Genre, Instrument};
use codette_dsp::analysis::{Analyzer, MeterReading};
use codette_dsp::chain::build_rack;

const RATE: f32 = 48_000.0;

/// Log-spaced partials of equal amplitude from 30 Hz to 16 kHz (equal power per octave: pink),
/// those between 250 and 500 Hz `boost_db` louder; phases scattered.
fn pinkish(boost_db: f64, seconds: f64) -> Vec<f32> {
    let count = 160;
    let partials: Vec<(f64, f64, f64)> = (0..count)
        .map(|k| {
            let f = 30.0 * (16_000.0f64 / 30.0).powf(k as f64 / (count - 1) as f64);
            let amp = if (250.0..500.0).contains(&f) { 10f64.powf(boost_db / 20.0) } else { 1.0 } * 0.01;
            (f, amp, (k as f64 * 2.399_963).rem_euclid(std::f64::consts::TAU))
        })
        .collect();
    let n = (seconds * RATE as f64) as usize;
    (0..n)
        .map(|i| {
            let t = i as f64 / RATE as f64;
            partials.iter().map(|(f, a, p)| a * (std::f64::consts::TAU * f * t + p).sin()).sum::<f64>() as f32
        })
        .collect()
}

fn analyse(left: &[f32], right: &[f32]) -> MeterReading {
    let mut analyzer = Analyzer::new(RATE);
    analyzer.push(left, right);
    analyzer.meters()
}

fn low_mid_excess(m: &MeterReading) -> f32 {
    let b = m.tonal_balance;
    b.low_mid - (b.low + b.mid) / 2.0
}

#[test]
fn the_tuned_eq_cut_reduces_the_bump_it_was_made_for() {
    let signal = pinkish(8.0, 6.0);
    let before = analyse(&signal, &signal);
    let excess = low_mid_excess(&before);
    assert!(excess > 5.0, "the test signal has its bump: {:?}", before.tonal_balance);

    let recommendation = recommend(Instrument::MixBus, Genre::Pop, Some(&before), -14.0);
    let eq_slot = recommendation.slots.iter().find(|s| s.role == Role::Tone).unwrap().slot;
    let mut eq = recommendation.preset.slots[eq_slot - 1].clone();
    let cut = eq.parameters["mid_gain"];
    // The template's own shelves set aside, so that only the tuned cut acts.
    eq.parameters.insert("low_gain".into(), 0.0);
    eq.parameters.insert("high_gain".into(), 0.0);
    assert!(cut < -1.0, "{eq:?}");

    let (mut left, mut right) = (signal.clone(), signal);
    build_rack(std::slice::from_ref(&eq), RATE).unwrap().process(&mut left, &mut right);
    let after = analyse(&left, &right);
    let reduced = excess - low_mid_excess(&after);
    println!("excess {excess:.2} dB, cut {cut} dB, reduced by {reduced:.2} dB; {:?}", after.tonal_balance);
    // A peak whose bandwidth is the band's cuts the band's middle fully and its edges by
    // about half: on average at least half the cut, never more than all of it.
    assert!(reduced > -cut * 0.5 && reduced < -cut + 0.5, "reduced by {reduced}, cut {cut}");
    // Every band reads relative to the total, which the cut lowered; the far bands' difference
    // is free of that, and stays.
    let (b, a) = (before.tonal_balance, after.tonal_balance);
    assert!(((a.sub - a.high) - (b.sub - b.high)).abs() < 0.5, "{b:?} → {a:?}");
}
