//! The engine between host parameters and the rack, driven in-process.

mod common;
use codette_dsp::modulation::Transport;
use codette_dsp::registry::EFFECTS;
use codette_rack::engine::Engine;
use codette_rack::params::{RackParams, MACRO_COUNT, SLOT_COUNT};
use common::*;
use nice_plug::prelude::*;
use std::time::{Duration, Instant};

fn spec_in_slot(engine: &Engine, slot: usize) -> Option<&'static str> {
    engine.rack().slots()[slot].spec().map(|s| s.id)
}

fn process(engine: &mut Engine, params: &RackParams, l: &mut [f32], r: &mut [f32]) {
    engine.process(params, l, r, None, &Transport::default(), &[]);
}

/// Processes blocks (with short pauses, as a real-time host would) until `done` or a timeout.
fn run_until(engine: &mut Engine, params: &RackParams, done: impl Fn(&Engine) -> bool) -> bool {
    let start = Instant::now();
    let (mut l, mut r) = (vec![0.1f32; 512], vec![-0.1f32; 512]);
    while start.elapsed() < Duration::from_secs(5) {
        process(engine, params, &mut l, &mut r);
        assert!(l.iter().chain(&r).all(|x| x.is_finite()));
        if done(engine) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    false
}

#[test]
fn every_parameter_has_a_unique_stable_id_and_a_readable_name() {
    let params = RackParams::default();
    let map = params.param_map();
    let per_slot: usize = 5 + EFFECTS.iter().map(|e| e.params.len()).sum::<usize>();
    assert_eq!(map.len(), SLOT_COUNT * per_slot + MACRO_COUNT);
    let mut ids: Vec<&str> = map.iter().map(|(id, _, _)| id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), map.len(), "duplicate parameter ids");
    let (_, ptr, group) = map.iter().find(|(id, _, _)| id == "s3_compressor_threshold").unwrap();
    assert_eq!(unsafe { ptr.name() }, "Slot 3 · Compressor · Threshold");
    assert_eq!(group, "Slot 3/Compressor");
    let text = unsafe { ptr.normalized_value_to_string(ptr.default_normalized_value(), true) };
    assert_eq!(text, "-20.0 dB");
    let n = unsafe { ptr.string_to_normalized_value("-6 dB") }.unwrap();
    assert!((n - 0.9).abs() < 1e-6, "-6 dB on -60..0 is 0.9, got {n}");
}

#[test]
fn effects_chosen_before_activation_are_installed_at_once() {
    let params = RackParams::default();
    set(&params, "s1_effect", effect_choice("eq3band"));
    set(&params, "s4_effect", effect_choice("hall_reverb"));
    let engine = Engine::new(&params, SR, false).unwrap();
    assert_eq!(spec_in_slot(&engine, 0), Some("eq3band"));
    assert_eq!(spec_in_slot(&engine, 3), Some("hall_reverb"));
    assert_eq!(spec_in_slot(&engine, 1), None);
}

#[test]
fn effects_changed_while_playing_arrive_from_the_loader() {
    let params = RackParams::default();
    let mut engine = Engine::new(&params, SR, false).unwrap();
    set(&params, "s2_effect", effect_choice("compressor"));
    assert!(run_until(&mut engine, &params, |e| spec_in_slot(e, 1) == Some("compressor")));
    set(&params, "s2_effect", effect_choice("multitap_delay"));
    assert!(run_until(&mut engine, &params, |e| spec_in_slot(e, 1) == Some("multitap_delay")));
    set(&params, "s2_effect", 0.0);
    assert!(run_until(&mut engine, &params, |e| spec_in_slot(e, 1).is_none()));
}

#[test]
fn the_rack_follows_a_new_slot_order_one_faded_move_at_a_time() {
    let params = RackParams::default();
    for slot in 1..=3 {
        set(&params, &format!("s{slot}_effect"), effect_choice("eq3band"));
    }
    let mut engine = Engine::new(&params, SR, false).unwrap();
    let wanted = [2, 0, 1, 3, 4, 5, 6, 7];
    params.order.set(&wanted).unwrap();
    assert!(run_until(&mut engine, &params, |e| e.rack().order() == wanted));
}

/// Values the host changes while the engine runs reach the rack, each kind of slot parameter
/// (an effect's own, the trims, bypass) and in every slot, however long the engine had been
/// idle: the engine looks through a slot's parameters only when their change count moved.
#[test]
fn parameters_changed_while_running_reach_the_rack() {
    let params = RackParams::default();
    for slot in 0..SLOT_COUNT {
        set(&params, &format!("s{}_effect", slot + 1), effect_choice("hardclip"));
    }
    let mut engine = Engine::new(&params, SR, false).unwrap();
    // A constant 0.5 through hard clippers at -6.02 dB (0.5) comes out whole, at -12.04 dB
    // (0.25) clipped to a quarter.
    let run = |engine: &mut Engine| {
        let (mut l, mut r) = (vec![0.5f32; 4800], vec![0.5f32; 4800]);
        for _ in 0..10 {
            l.fill(0.5);
            r.fill(0.5);
            process(engine, &params, &mut l, &mut r);
        }
        l[4799]
    };
    let threshold = |db: f32| (db + 60.0) / 60.0;
    for slot in 0..SLOT_COUNT {
        set(&params, &format!("s{}_hardclip_threshold", slot + 1), threshold(-6.0206));
    }
    assert!((run(&mut engine) - 0.5).abs() < 1e-3);
    let last = SLOT_COUNT;
    set(&params, &format!("s{last}_hardclip_threshold"), threshold(-12.0412));
    assert!((run(&mut engine) - 0.25).abs() < 1e-3, "an effect parameter");
    set(&params, &format!("s{last}_out"), 0.75);
    let trimmed = run(&mut engine);
    assert!((trimmed - 0.25).abs() > 1e-2, "the output trim: {trimmed}");
    set(&params, &format!("s{last}_bypass"), 1.0);
    assert!((run(&mut engine) - 0.5).abs() < 1e-3, "bypass");
}
