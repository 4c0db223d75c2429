//! Modulation through the plugin: routes, macros, lanes, state and determinism.

mod common;
use codette_dsp::modulation::{
    AutomationLane, AutomationPoint, Interpolation, LfoConfig, LfoRate, LfoShape, ModulationConfig, Polarity,
    Route, Source,
};
use codette_dsp::util::db_to_gain;
use codette_rack::engine::Engine;
use codette_rack::params::RackParams;
use common::*;
use nice_plug::prelude::*;

fn route(source: Source, target: &str, depth: f32, mapping: Polarity) -> Route {
    Route { source, target: target.to_string(), depth, mapping, enabled: true }
}

/// Two slots holding an EQ at 0 dB (an exact wire), so that only their output trims act.
fn two_wires() -> RackParams {
    let params = RackParams::default();
    set(&params, "s1_effect", effect_choice("eq3band"));
    set(&params, "s2_effect", effect_choice("eq3band"));
    params
}

/// Output trim in dB for a normalized value (-24..24 dB).
fn trim_db(normalized: f32) -> f32 {
    -24.0 + 48.0 * normalized.clamp(0.0, 1.0)
}

fn settled_gain(params: &RackParams) -> f32 {
    let mut engine = Engine::new(params, SR, false).unwrap();
    let out = render(&mut engine, params, &vec![0.01; 9600], 512, playing());
    out[out.len() - 1] / 0.01
}

#[test]
fn macros_drive_several_targets_by_the_documented_rule() {
    let params = two_wires();
    set(&params, "macro1", 0.8);
    let config = ModulationConfig {
        routes: vec![
            route(Source::Macro(0), "s1_out", 0.5, Polarity::Unipolar),
            route(Source::Macro(0), "s2_out", -0.25, Polarity::Unipolar),
            // Unipolar 0.8 seen bipolar is 0.6: +0.3 on top of the first route.
            route(Source::Macro(0), "s1_out", 0.5, Polarity::Bipolar),
        ],
        ..ModulationConfig::default()
    };
    params.modulation.set(config).unwrap();
    // value = clamp(base + Σ depth·m): s1 0.5 + 0.4 + 0.3 = 1.2 → 1.0; s2 0.5 - 0.2 = 0.3.
    let expected = db_to_gain(trim_db(1.2) + trim_db(0.3));
    let gain = settled_gain(&params);
    assert!((gain / expected - 1.0).abs() < 1e-4, "gain {gain}, expected {expected}");
}

#[test]
fn a_route_to_a_parameter_that_does_not_exist_is_refused() {
    let params = RackParams::default();
    let bad = ModulationConfig {
        routes: vec![route(Source::Lfo(0), "s9_compressor_threshold", 0.5, Polarity::Bipolar)],
        ..ModulationConfig::default()
    };
    let err = params.modulation.set(bad).unwrap_err();
    assert!(err.to_string().contains("s9_compressor_threshold"), "{err}");
    assert!(params.modulation.config().routes.is_empty(), "nothing changed");
    // Stepped parameters are not modulation targets either.
    let stepped = ModulationConfig {
        routes: vec![route(Source::Lfo(0), "s1_highlow_pass_order", 0.5, Polarity::Bipolar)],
        ..ModulationConfig::default()
    };
    assert!(params.modulation.set(stepped).is_err());
}

#[test]
fn an_old_state_with_a_dead_route_loads_without_it() {
    let params = RackParams::default();
    let config = ModulationConfig {
        routes: vec![
            route(Source::Lfo(0), "s1_mix", 0.5, Polarity::Bipolar),
            route(Source::Lfo(1), "s1_flanger_rate", 0.5, Polarity::Bipolar),
        ],
        ..ModulationConfig::default()
    };
    let mut fields = params.serialize_fields();
    fields.insert("modulation".into(), serde_json::to_string(&config).unwrap());
    params.deserialize_fields(&fields);
    let routes = params.modulation.config().routes;
    assert_eq!(routes.len(), 1);
    assert_eq!(routes[0].target, "s1_mix");
}

#[test]
fn modulation_is_saved_and_restored_with_the_state() {
    let params = two_wires();
    let mut lane = AutomationLane::default();
    lane.insert(AutomationPoint { time_samples: 4800, value: 0.9, interpolation: Interpolation::Smooth })
        .unwrap();
    let mut config = ModulationConfig {
        routes: vec![route(Source::Lfo(2), "s2_eq3band_mid_gain", -0.3, Polarity::Bipolar)],
        ..ModulationConfig::default()
    };
    config.lfos[2] = LfoConfig {
        shape: LfoShape::SmoothRandom,
        rate: LfoRate::Sync("1/8.".into()),
        ..config.lfos[2].clone()
    };
    config.lanes.insert("s1_out".into(), lane);
    params.modulation.set(config.clone()).unwrap();

    let restored = RackParams::default();
    restored.deserialize_fields(&params.serialize_fields());
    assert_eq!(restored.modulation.config(), config);
    assert_eq!(restored.serialize_fields(), params.serialize_fields());
}

#[test]
fn rendering_is_deterministic_random_lfos_included() {
    let render_with_seed = |seed: u64| {
        let params = two_wires();
        let mut config = ModulationConfig {
            routes: vec![route(Source::Lfo(0), "s1_out", 0.5, Polarity::Bipolar)],
            ..ModulationConfig::default()
        };
        config.lfos[0] = LfoConfig {
            shape: LfoShape::SampleAndHold,
            rate: LfoRate::Sync("1/16".into()),
            seed,
            ..config.lfos[0].clone()
        };
        params.modulation.set(config).unwrap();
        let mut engine = Engine::new(&params, SR, false).unwrap();
        let input: Vec<f32> = (0..48_000).map(|i| ((i * 7919) % 2000) as f32 / 2000.0 - 0.5).collect();
        render(&mut engine, &params, &input, 333, playing())
    };
    let a = render_with_seed(7);
    assert_eq!(a, render_with_seed(7), "same state, input and transport: same output");
    assert_ne!(a, render_with_seed(8), "the seed matters");
}

#[test]
fn a_lane_moves_its_parameter_at_the_exact_sample_of_its_point() {
    // A step lane on slot 1's output trim: 0.5 (0 dB) jumping to 1.0 (+24 dB) halfway through
    // the segment from 0 to 2k, i.e. at sample k (not a multiple of the 32-sample tick).
    let k = 1000;
    let params = two_wires();
    let reference = {
        let mut engine = Engine::new(&params, SR, false).unwrap();
        render(&mut engine, &params, &vec![0.1; 4096], 4096, playing())
    };
    let mut lane = AutomationLane::default();
    lane.insert(AutomationPoint { time_samples: 0, value: 0.5, interpolation: Interpolation::Step }).unwrap();
    lane.insert(AutomationPoint {
        time_samples: 2 * k as u64,
        value: 1.0,
        interpolation: Interpolation::Step,
    })
    .unwrap();
    let mut config = ModulationConfig::default();
    config.lanes.insert("s1_out".into(), lane);
    params.modulation.set(config).unwrap();
    let mut engine = Engine::new(&params, SR, false).unwrap();
    let out = render(&mut engine, &params, &vec![0.1; 4096], 4096, playing());
    assert_eq!(out[..k], reference[..k], "nothing moves before the point");
    assert!(out[k] > reference[k], "the trim starts rising at sample {k}");
    assert!(out[4095] > 0.1 * db_to_gain(23.0), "and reaches +24 dB");
}

#[test]
fn settings_changed_while_playing_reach_the_audio_thread() {
    let params = two_wires();
    let mut engine = Engine::new(&params, SR, false).unwrap();
    render(&mut engine, &params, &vec![0.01; 4800], 480, playing());
    params
        .modulation
        .set(ModulationConfig {
            routes: vec![route(Source::Macro(3), "s1_out", 1.0, Polarity::Unipolar)],
            ..ModulationConfig::default()
        })
        .unwrap();
    set(&params, "macro4", 0.25);
    let out = render(&mut engine, &params, &vec![0.01; 9600], 480, playing());
    let expected = 0.01 * db_to_gain(trim_db(0.75));
    assert!((out[9599] / expected - 1.0).abs() < 1e-4, "{} vs {expected}", out[9599]);
}

/// Removing a route hands its target back to the host: the engine follows a host value only
/// when it changes, so it must send every value again when the modulation changes.
#[test]
fn a_target_whose_route_is_removed_returns_to_the_hosts_value() {
    let params = two_wires();
    set(&params, "s1_out", 0.25);
    params
        .modulation
        .set(ModulationConfig {
            routes: vec![route(Source::Macro(0), "s1_out", 0.5, Polarity::Unipolar)],
            ..ModulationConfig::default()
        })
        .unwrap();
    set(&params, "macro1", 1.0);
    let mut engine = Engine::new(&params, SR, false).unwrap();
    let out = render(&mut engine, &params, &vec![0.01; 9600], 480, playing());
    let modulated = 0.01 * db_to_gain(trim_db(0.75));
    assert!((out[9599] / modulated - 1.0).abs() < 1e-4, "modulated: {} vs {modulated}", out[9599]);
    params.modulation.set(ModulationConfig::default()).unwrap();
    let out = render(&mut engine, &params, &vec![0.01; 9600], 480, playing());
    let host = 0.01 * db_to_gain(trim_db(0.25));
    assert!((out[9599] / host - 1.0).abs() < 1e-4, "after removal: {} vs {host}", out[9599]);
}
