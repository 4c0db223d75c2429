//! The rack around the effects: trims, mix, bypass, reordering, chunking and sanitizing.

mod common;
use codette_dsp::chain::{build_rack, SlotConfig};
use codette_dsp::rack::Rack;
use codette_dsp::slot::FADE_MS;
use common::*;

fn trim(output_db: f32) -> SlotConfig {
    SlotConfig { output_db, ..SlotConfig::effect("eq3band") }
}

fn largest_step(x: &[f32]) -> f32 {
    x.windows(2).map(|w| (w[1] - w[0]).abs()).fold(0.0, f32::max)
}

#[test]
fn an_empty_rack_is_a_wire_and_removes_what_must_not_pass() {
    let mut rack = Rack::new(8, SR);
    let mut l = noise(1000, 3);
    let mut r = noise(1000, 4);
    let (el, er) = (l.clone(), r.clone());
    rack.process(&mut l, &mut r);
    assert_eq!((l, r), (el, er));

    // Non-finite and subnormal values become 0, magnitudes are bounded to +60 dBFS, and what
    // is below -400 dBFS leaves as 0: on both channels.
    let mut bad = vec![f32::NAN, f32::INFINITY, -f32::INFINITY, 1e-40, 0.5, 1e9, -1e9, 1e-25, -3e-21, 2e-20];
    let expected = vec![0.0, 0.0, 0.0, 0.0, 0.5, 1000.0, -1000.0, 0.0, 0.0, 2e-20];
    let mut bad_r: Vec<f32> = bad.iter().map(|v| -v).collect();
    rack.process(&mut bad, &mut bad_r);
    assert_eq!(bad, expected);
    assert_eq!(bad_r, expected.iter().map(|v| -v).collect::<Vec<f32>>());
}

#[test]
fn trims_and_mix_scale_as_documented() {
    // -6.0206 dB out = x0.5 at mix 1. At mix 0 only the trims act on the (dry) signal, whatever
    // the effect does: +12 dB in and -12 dB out cancel.
    let input = sine(440.0, 0.5, SR, 4800);
    let mut rack = build_rack(&[trim(-6.020_6)], SR).unwrap();
    let (mut l, mut r) = (input.clone(), input.clone());
    rack.process(&mut l, &mut r);
    for (y, x) in l.iter().zip(&input) {
        assert!((y - 0.5 * x).abs() < 1e-5);
    }
    let mut dry = build_rack(&[SlotConfig { mix: 0.0, input_db: 12.0, ..trim(-12.0) }], SR).unwrap();
    let (mut l, mut r) = (input.clone(), input.clone());
    dry.process(&mut l, &mut r);
    for (y, x) in l.iter().zip(&input) {
        assert!((y - x).abs() < 1e-5);
    }
}

#[test]
fn bypass_fades_instead_of_clicking() {
    let input = sine(100.0, 1.0, SR, 48_000);
    let mut rack = build_rack(&[trim(-24.0)], SR).unwrap();
    let (mut l, mut r) = (input.clone(), input.clone());
    let half = input.len() / 2;
    rack.process(&mut l[..half], &mut r[..half]);
    rack.slot_mut(0).set_bypass(true);
    rack.process(&mut l[half..], &mut r[half..]);
    // Sine's own largest step is 2*pi*100/48000 = 0.013; a hard switch from x0.063 to x1 would
    // jump by up to 0.94. A 10 ms linear fade adds at most 1/480 per sample.
    let bound = 2.0 * std::f32::consts::PI * 100.0 / SR + 1.0 / (FADE_MS * 0.001 * SR) + 1e-4;
    assert!(largest_step(&l) <= bound, "step {} > {bound}", largest_step(&l));
    // After the fade the slot is a wire.
    let settled = half + (FADE_MS * 0.001 * SR) as usize + 1;
    assert_eq!(&l[settled..], &input[settled..]);
}

#[test]
fn moving_a_slot_changes_the_order_after_its_fade() {
    let mut rack = build_rack(&[trim(-6.0), trim(0.0), trim(-12.0)], SR).unwrap();
    assert!(rack.move_slot(0, 2));
    let (mut l, mut r) = (vec![0.1; 16], vec![0.1; 16]);
    rack.process(&mut l, &mut r);
    assert_eq!(rack.order(), &[0, 1, 2], "moved before its fade");
    let (mut l, mut r) = (vec![0.1; 4800], vec![0.1; 4800]);
    rack.process(&mut l, &mut r);
    assert_eq!(rack.order(), &[1, 2, 0]);
    assert!(!rack.move_slot(0, 3));
    assert!(!rack.set_order(&[0, 0, 1]));
}

#[test]
fn block_size_and_rebuilds_do_not_change_the_output() {
    let chain = [trim(-3.0), SlotConfig { mix: 0.3, ..trim(6.0) }];
    let input = noise(20_000, 9);
    let render_in = |block: usize| {
        let mut rack = build_rack(&chain, SR).unwrap();
        let (mut l, mut r) = (input.clone(), input.clone());
        for (lc, rc) in l.chunks_mut(block).zip(r.chunks_mut(block)) {
            rack.process(lc, rc);
        }
        l
    };
    let reference = render_in(20_000);
    for block in [1, 37, 256, 4096] {
        assert_eq!(render_in(block), reference, "block {block}");
    }
}

#[test]
fn invalid_configurations_are_refused_with_their_reason() {
    let err = |c: SlotConfig| build_rack(&[c], SR).err().unwrap();
    assert!(err(SlotConfig::effect("flanger")).contains("unknown effect type flanger"));
    assert!(err(SlotConfig::effect("compressor").with("ratio", 50.0)).contains("between 1 and 20"));
    assert!(err(SlotConfig::effect("compressor").with("speed", 1.0)).contains("no parameter speed"));
    assert!(err(SlotConfig { mix: 2.0, ..SlotConfig::effect("gate") }).contains("mix"));
}

/// A slot's dry path follows its effect's latency when a parameter changes it: with the
/// limiter's lookahead changed mid-stream and the mix at one half, a quiet impulse comes out
/// once, whole, at the new latency, not split between the old delay and the new one.
#[test]
fn the_dry_path_follows_a_latency_changed_by_a_parameter() {
    let limiter = SlotConfig { mix: 0.5, ..SlotConfig::effect("limiter") };
    let mut rack = build_rack(&[limiter], SR).unwrap();
    let silence = |rack: &mut Rack, n: usize| {
        let (mut l, mut r) = (vec![0.0; n], vec![0.0; n]);
        rack.process(&mut l, &mut r);
    };
    silence(&mut rack, 4800);
    let old = rack.slot_mut(0).latency();
    let spec = rack.slot_mut(0).spec().unwrap();
    let fx = rack.slot_mut(0).effect_mut().unwrap();
    codette_dsp::rack::set_param_by_id(spec, fx, "lookahead", 20.0).unwrap();
    let new = rack.slot_mut(0).latency();
    assert!(new > old + 100, "lookahead 20 ms: latency {old} -> {new}");
    // The limiter replays its window on the switch: let it settle on silence first.
    silence(&mut rack, 4800);
    let mut l = vec![0.0; 4800];
    l[0] = 0.25;
    let mut r = l.clone();
    rack.process(&mut l, &mut r);
    assert!((l[new] - 0.25).abs() < 1e-4, "at the new latency {new}: {}", l[new]);
    assert!(l[old].abs() < 1e-6, "at the old latency {old}: {}", l[old]);
}
