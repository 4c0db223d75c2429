//! Envelope followers: time constants, RMS detection, gain and the sidechain input.

use crate::common::*;
use crate::support::*;
use codette_dsp::modulation::*;

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
