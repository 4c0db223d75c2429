//! 4. Saving and restoring: a project reopens exactly as it was saved.

use codette_host_tests::*;
use serde_json::json;

const SR: f64 = 48_000.0;
const ORDER: [usize; 8] = [3, 0, 1, 2, 7, 6, 5, 4];

/// A busy rack: several effects with non-default parameters, a bypassed slot, trims, an empty
/// slot with trims, and a non-default processing order.
fn busy_settings() -> Vec<Set> {
    vec![
        effect(1, "compressor"),
        set("s1_compressor_threshold", -30.0),
        set("s1_compressor_ratio", 6.0),
        set("s1_in", 6.0),
        effect(2, "simple_delay"),
        set("s2_simple_delay_time_ms", 250.0),
        set("s2_bypass", 1.0),
        effect(3, "highlow_pass"),
        set("s3_highlow_pass_filter_type", 1.0),
        set("s3_highlow_pass_cutoff_freq", 8000.0),
        set("s3_highlow_pass_order", 4.0),
        effect(4, "eq3band"),
        set("s4_eq3band_low_gain", 3.0),
        set("s4_eq3band_high_gain", -4.0),
        set("s5_out", -12.0),
        effect(6, "reverb"),
        set("s6_mix", 0.25),
        set("s6_reverb_room_size", 0.3),
        effect(7, "limiter"),
        set("s7_limiter_threshold", -1.0),
        effect(8, "saturation"),
        set("s8_saturation_drive", 6.0),
        set("s8_out", -3.0),
    ]
}

/// An inactive instance holding the busy rack in `ORDER`, and its saved state.
fn busy_instance() -> (Rack, Vec<u8>) {
    let mut rack = Rack::new();
    rack.flush(&busy_settings());
    // The order is not a host parameter: it only travels in the state.
    let mut state = state_json(&rack.save_state());
    state["fields"]["order"] = json!(serde_json::to_string(&ORDER).unwrap());
    rack.load_state(&state_from_json(&state)).expect("our own state with another order loads");
    let saved = rack.save_state();
    (rack, saved)
}

#[test]
fn saved_state_is_versioned_json_with_every_parameter_and_the_order() {
    let (mut rack, saved) = busy_instance();
    let json = state_json(&saved);
    assert_eq!(json["fields"]["version"], "1", "layout version is saved: {}", json["fields"]);
    let order: Vec<usize> = serde_json::from_str(json["fields"]["order"].as_str().unwrap()).unwrap();
    assert_eq!(order, ORDER);
    let params = json["params"].as_object().unwrap();
    assert_eq!(params.len(), rack.param_count() as usize, "every parameter is saved");
    assert_eq!(params["s1_effect"], json!({"i32": effect_index("compressor")}));
    assert_eq!(params["s2_bypass"], json!({"bool": true}));
}

#[test]
fn state_survives_a_reload_byte_for_byte() {
    let (_, saved) = busy_instance();
    let mut fresh = Rack::new();
    fresh.load_state(&saved).expect("our own state loads");
    assert_eq!(fresh.save_state(), saved, "save(load(state)) == state");
    // And once more, through an instance that has been active in between.
    fresh.activate(SR, 512);
    fresh.render(&stereo_noise(4096, 1, 0.5), 512, &[]).unwrap();
    assert_eq!(fresh.save_state(), saved, "saving while active gives the same state");
    fresh.deactivate();
    let mut third = Rack::new();
    third.load_state(&fresh.save_state()).unwrap();
    assert_eq!(third.save_state(), saved);
}

#[test]
fn restored_instances_render_bit_identically() {
    let (mut original, saved) = busy_instance();
    let mut restored = Rack::new();
    restored.load_state(&saved).unwrap();
    original.activate(SR, 512);
    restored.activate(SR, 512);
    assert_eq!(original.latency(), restored.latency());

    let input = stereo_noise(SR as usize, 21, 0.5);
    let a = original.render(&input, 512, &[]).unwrap();
    let b = restored.render(&input, 512, &[]).unwrap();
    assert_clean("original", &a);
    assert_eq!(a, b, "the same state renders the same output");
    // The state did something (trims act on the slots holding effects).
    assert_ne!(a.0, input.0);

    // And at another block size (the rack is block-size independent).
    let mut third = Rack::new();
    third.load_state(&saved).unwrap();
    third.activate(SR, 4096);
    let c = third.render(&input, 333, &[]).unwrap();
    assert_eq!(a, c, "block size does not change the output");
}

/// Loading a project's state into a running instance (host "load preset" while playing):
/// the rack follows, with its effects loaded off the audio thread and its slots moved one by one.
#[test]
fn state_loads_into_an_active_instance() {
    let (_, saved) = busy_instance();
    let mut reference = Rack::new();
    reference.load_state(&saved).unwrap();
    reference.activate(SR, 512);

    let mut live = Rack::new();
    live.activate(SR, 512);
    let input = stereo_noise(3 * SR as usize, 4, 0.5);
    let quarter = (input.0[..12_288].to_vec(), input.1[..12_288].to_vec());
    let warm = live.render(&quarter, 512, &[]).unwrap();
    assert_eq!(warm, quarter, "a default rack is a wire");

    live.load_state(&saved).expect("a valid state loads while active");
    assert_eq!(live.save_state(), saved, "the loaded state is the state");
    // Real time: let the effect loader do its work between blocks.
    let out = live
        .render_with(&input, 512, &[], |_| std::thread::sleep(std::time::Duration::from_micros(300)))
        .unwrap();
    assert_clean("after loading while active", &out);
    let want = reference.render(&input, 512, &[]).unwrap();
    let tail = input.0.len() - 24_000..input.0.len();
    for (o, w) in [(&out.0, &want.0), (&out.1, &want.1)] {
        let diff = db(rms(&o[tail.clone()]) / rms(&w[tail.clone()]));
        assert!(
            diff.abs() < 1.0,
            "once settled, the live-loaded rack sounds like the restored one ({diff:.2} dB apart)"
        );
    }
}
