//! 2. The parameter list a host shows and automates: complete, stable ids, names, ranges,
//!    defaults, and text conversion both ways.

use codette_dsp::registry::EFFECTS;
use codette_host_tests::*;
use std::collections::{HashMap, HashSet};

/// CLAP values of stepped parameters travel as f32 normalized values times the step count, so
/// they come back within float rounding of the whole number.
#[track_caller]
fn assert_near(got: Option<f64>, want: f64) {
    let got = got.expect("a value");
    assert!((got - want).abs() < 1e-4, "got {got}, want {want}");
}

#[test]
fn every_slot_parameter_of_every_effect_is_listed() {
    let mut rack = Rack::new();
    let per_slot = 5 + EFFECTS.iter().map(|e| e.params.len()).sum::<usize>();
    assert_eq!(EFFECTS.len(), 19);
    assert_eq!(
        rack.param_count() as usize,
        MACRO_COUNT + SLOT_COUNT * per_slot,
        "8 macros + 8 × (5 slot controls + every effect parameter)"
    );

    let infos = rack.param_infos();
    let expected = expected_params();
    assert_eq!(infos.len(), expected.len());

    let mut seen = HashSet::new();
    for info in &infos {
        assert!(seen.insert(info.id), "parameter id {} is used twice", info.id);
    }
    let by_id: HashMap<u32, &ParamInfo> = infos.iter().map(|i| (i.id, i)).collect();
    for e in &expected {
        let info = by_id
            .get(&e.hash())
            .unwrap_or_else(|| panic!("no parameter with the id of {} (hash {})", e.id, e.hash()));
        assert_eq!(info.name, e.name, "name of {}", e.id);
        assert_eq!(info.module, e.module, "module of {}", e.id);
        assert_eq!(info.min, 0.0, "min of {}", e.id);
        assert_eq!(info.max, e.clap_max(), "max of {}", e.id);
        assert!(
            (info.default - e.clap_default()).abs() < 1e-6,
            "default of {}: {} vs {}",
            e.id,
            info.default,
            e.clap_default()
        );
        let stepped = !matches!(e.kind, Kind::Continuous(_));
        assert_eq!(info.flags.contains(Flags::IS_STEPPED), stepped, "stepped flag of {}", e.id);
        assert!(info.flags.contains(Flags::IS_AUTOMATABLE), "{} is automatable", e.id);
        assert!(!info.flags.contains(Flags::IS_HIDDEN), "{} is visible", e.id);
    }
    // Every name says which slot it belongs to, or that it is a macro.
    for info in &infos {
        let slot_name = info.name.starts_with("Slot ") && info.name.contains(" · ");
        assert!(slot_name || info.name.starts_with("Macro "), "{:?}", info.name);
    }
}

/// Host parameter ids are what projects store automation under: they must never change. These
/// are the numbers hosts see today.
#[test]
fn parameter_ids_are_stable() {
    let pinned = [
        ("s1_effect", 1349397202u32),
        ("s1_out", 1193061805),
        ("s2_bypass", 876677896),
        ("s3_compressor_threshold", 2073572912),
        ("s1_highlow_pass_filter_type", 1714365857),
        ("s8_room_reverb_predelay_ms", 760578146),
    ];
    let mut rack = Rack::new();
    let infos = rack.param_infos();
    for (id, hash) in pinned {
        assert_eq!(hash_param_id(id), hash, "id hashing of {id} changed");
        let name = expected(id).name;
        let info =
            infos.iter().find(|i| i.name == name).unwrap_or_else(|| panic!("no parameter named {name:?}"));
        assert_eq!(info.id, hash, "{name:?} is reported under another id");
    }
}

#[test]
fn every_parameter_starts_at_its_default() {
    let mut rack = Rack::new();
    for info in rack.param_infos() {
        let v = rack.value_by_hash(info.id).unwrap();
        assert!((v - info.default).abs() < 1e-6, "{}: value {v} but default {}", info.name, info.default);
    }
}

fn round_trip(rack: &mut Rack, id: &str, typed: &str, shown: &str) {
    let v = rack.text_to_value(id, typed).unwrap_or_else(|| panic!("{id}: {typed:?} not understood"));
    let text = rack.value_to_text(id, v).unwrap();
    assert_eq!(text, shown, "{id}: {typed:?} -> {v} -> {text:?}");
    let again = rack.text_to_value(id, &text).unwrap();
    assert!((again - v).abs() < 1e-6, "{id}: {text:?} parses back to {again}, not {v}");
}

#[test]
fn decibel_parameters_convert_text_both_ways() {
    let mut rack = Rack::new();
    round_trip(&mut rack, "s1_out", "-6 dB", "-6.00 dB");
    round_trip(&mut rack, "s1_out", "-6", "-6.00 dB");
    round_trip(&mut rack, "s4_in", "12.5dB", "12.5 dB");
    round_trip(&mut rack, "s3_compressor_threshold", "-30 dB", "-30.0 dB");
    let v = rack.text_to_value("s1_out", "-6 dB").unwrap();
    assert!((v - clap_value("s1_out", -6.0)).abs() < 1e-6, "-6 dB is {v}");
    assert!((v - 0.375).abs() < 1e-6, "-6 dB on -24..24 is 0.375 normalized, got {v}");
    // Out of range clamps; nonsense is refused.
    assert_near(rack.text_to_value("s1_out", "100 dB"), 1.0);
    assert_eq!(rack.text_to_value("s1_out", "loud"), None);
    assert_eq!(rack.value_to_text("s1_out", 0.5).unwrap(), "0.00 dB");
    assert_eq!(rack.value_to_text("s1_out", 0.0).unwrap(), "-24.0 dB");
}

#[test]
fn frequency_parameters_convert_text_both_ways() {
    let mut rack = Rack::new();
    round_trip(&mut rack, "s1_eq3band_mid_freq", "2.5 kHz", "2.50 kHz");
    round_trip(&mut rack, "s1_eq3band_mid_freq", "440 Hz", "440 Hz");
    round_trip(&mut rack, "s2_highlow_pass_cutoff_freq", "1000", "1.00 kHz");
    // Logarithmic: the geometric centre of 20 Hz..20 kHz is half way.
    let v = rack.text_to_value("s2_highlow_pass_cutoff_freq", "632.46 Hz").unwrap();
    assert!((v - 0.5).abs() < 1e-4, "{v}");
}

#[test]
fn choice_and_stepped_parameters_convert_text_both_ways() {
    let mut rack = Rack::new();
    let id = "s1_highlow_pass_filter_type";
    assert_eq!(rack.value_to_text(id, 0.0).unwrap(), "highpass");
    assert_eq!(rack.value_to_text(id, 1.0).unwrap(), "lowpass");
    assert_near(rack.text_to_value(id, "lowpass"), 1.0);
    assert_near(rack.text_to_value(id, "HIGHPASS"), 0.0);
    round_trip(&mut rack, id, "lowpass", "lowpass");

    // Integer with a minimum of 1: CLAP value = plain - 1.
    assert_eq!(rack.value_to_text("s1_highlow_pass_order", 1.0).unwrap(), "2");
    assert_near(rack.text_to_value("s1_highlow_pass_order", "4"), 3.0);

    // The effect choice speaks effect names and ids.
    assert_eq!(rack.value_to_text("s2_effect", 0.0).unwrap(), "Empty");
    assert_eq!(rack.value_to_text("s2_effect", 3.0).unwrap(), "Compressor");
    assert_near(rack.text_to_value("s2_effect", "reverb"), effect_index("reverb") as f64);
    assert_near(rack.text_to_value("s2_effect", "Hall Reverb"), effect_index("hall_reverb") as f64);
    assert_near(rack.text_to_value("s2_effect", "empty"), 0.0);
    assert_eq!(rack.text_to_value("s2_effect", "no such effect"), None);
    for (i, e) in EFFECTS.iter().enumerate() {
        assert_eq!(rack.value_to_text("s5_effect", (i + 1) as f64).unwrap(), e.name);
    }

    // Times and amounts.
    round_trip(&mut rack, "s1_limiter_lookahead", "5 ms", "5.00 ms");
    round_trip(&mut rack, "s1_simple_delay_time_ms", "1.5 s", "1500 ms");
    round_trip(&mut rack, "s1_mix", "40 %", "40.0 %");
}

#[test]
fn flushed_values_are_reported_back() {
    let mut rack = Rack::new();
    rack.flush(&[
        set("s1_out", -6.0),
        effect(2, "compressor"),
        set("s1_highlow_pass_filter_type", 1.0),
        set("s3_bypass", 1.0),
    ]);
    assert!((rack.value("s1_out") - 0.375).abs() < 1e-6);
    assert_near(Some(rack.value("s2_effect")), effect_index("compressor") as f64);
    assert_near(Some(rack.value("s1_highlow_pass_filter_type")), 1.0);
    assert_near(Some(rack.value("s3_bypass")), 1.0);
    let v = rack.value("s1_out");
    assert_eq!(rack.value_to_text("s1_out", v).unwrap(), "-6.00 dB");
}
