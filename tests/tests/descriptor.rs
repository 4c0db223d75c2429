//! 1. What a host sees before instantiating anything: the descriptor, and the audio ports.

use codette_host_tests::*;

#[test]
fn descriptor_identifies_codette_rack() {
    let entry = load_entry();
    let all = descriptors(&entry);
    assert_eq!(
        all.len(),
        1,
        "one plugin in the bundle, got {:?}",
        all.iter().map(|d| &d.id).collect::<Vec<_>>()
    );
    let d = &all[0];
    assert_eq!(d.id, PLUGIN_ID);
    assert_eq!(d.name, "Codette Rack");
    assert_eq!(d.vendor, "Codette");
    assert_eq!(d.version, env!("CARGO_PKG_VERSION"), "the plugin shares the workspace version");
    assert!(!d.description.is_empty(), "a description for plugin browsers");
    for feature in ["audio-effect", "stereo"] {
        assert!(d.features.iter().any(|f| f == feature), "feature {feature} missing from {:?}", d.features);
    }
    for not_expected in ["instrument", "note-effect"] {
        assert!(!d.features.iter().any(|f| f == not_expected), "{not_expected} in {:?}", d.features);
    }
}

#[test]
fn default_ports_are_stereo_in_stereo_out_plus_a_sidechain() {
    let mut rack = Rack::new();
    let inputs = rack.audio_ports(true);
    let outputs = rack.audio_ports(false);
    assert_eq!(inputs.len(), 2, "main and sidechain: {inputs:?}");
    assert_eq!(outputs.len(), 1, "{outputs:?}");
    for port in inputs.iter().chain(&outputs) {
        assert_eq!(port.channels, 2, "{port:?}");
        assert_eq!(port.port_type.as_deref(), Some("stereo"), "{port:?}");
    }
    assert!(inputs[0].is_main && outputs[0].is_main);
    assert!(!inputs[1].is_main);
}

#[test]
fn ports_configs_offer_stereo_and_mono_in() {
    let mut rack = Rack::new();
    let configs = rack.ports_configs();
    assert_eq!(configs.len(), 2, "{configs:?}");
    assert_eq!((configs[0].main_input_channels, configs[0].main_output_channels), (Some(2), Some(2)));
    assert_eq!((configs[1].main_input_channels, configs[1].main_output_channels), (Some(1), Some(2)));
    for c in &configs {
        assert_eq!((c.input_ports, c.output_ports), (2, 1), "main and sidechain in: {c:?}");
    }

    rack.select_ports_config(configs[1].id);
    let inputs = rack.audio_ports(true);
    assert_eq!(inputs.len(), 2);
    assert_eq!(inputs[0].channels, 1);
    assert_eq!(inputs[0].port_type.as_deref(), Some("mono"));
    assert_eq!(rack.audio_ports(false)[0].channels, 2);
}

/// With one input channel the rack feeds the same signal to both sides: an empty rack puts the
/// mono input, unchanged, on both outputs.
#[test]
fn mono_input_comes_out_on_both_channels() {
    let mut rack = Rack::new();
    let mono = rack.ports_configs()[1].id;
    rack.select_ports_config(mono);
    rack.activate(48_000.0, 512);
    let latency = rack.latency() as usize;
    let x = noise(4096, 5, 0.5);
    let out = rack.render(&(x.clone(), vec![0.0; x.len()]), 512, &[]).unwrap();
    assert_clean("mono in", &out);
    assert_eq!(out.0, out.1, "both outputs carry the mono input");
    assert_eq!(&out.0[latency..], &x[..x.len() - latency], "an empty rack is a wire");
}
