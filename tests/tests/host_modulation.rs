//! Modulation as a CLAP host offers it: per-parameter modulation events, the sidechain input
//! that envelope followers can listen to.

use codette_host_tests::*;

const SR: f64 = 48_000.0;

fn rms_db(x: &[f32]) -> f64 {
    let power = x.iter().map(|v| (*v as f64).powi(2)).sum::<f64>() / x.len() as f64;
    10.0 * power.log10()
}

/// A CLAP parameter-modulation event on slot 1's output trim (+0.25 of its normalized range =
/// +12 dB on -24..24 dB) reaches the parameter on its sample, on top of the host's value.
#[test]
fn host_parameter_modulation_reaches_the_parameter() {
    let block = 512;
    let at = 1000;
    let len = 48 * block;
    let input = stereo_noise(len, 5, 0.1);
    let rack = || Rack::configured(&[effect(1, "eq3band")], SR, block);
    let reference = rack().render(&input, block, &[]).unwrap();
    let modulated = rack().render(&input, block, &[Event::modulate(at, "s1_out", 0.25)]).unwrap();
    assert_clean("modulated", &modulated);
    let first = modulated.0.iter().zip(&reference.0).position(|(a, b)| a.to_bits() != b.to_bits());
    assert_eq!(first, Some(at), "untouched before the event, changed on its sample");
    let settled = len - 8192..len;
    let gain = rms_db(&modulated.0[settled.clone()]) - rms_db(&reference.0[settled]);
    assert!((gain - 12.0).abs() < 0.05, "modulation by a quarter of the range is +12 dB, got {gain:.3}");
}

#[test]
fn a_stereo_sidechain_input_is_offered() {
    let mut rack = Rack::new();
    let inputs = rack.audio_ports(true);
    assert_eq!(inputs.len(), 2, "main and sidechain inputs: {inputs:?}");
    assert_eq!(inputs[1].channels, 2);
    assert_eq!(inputs[1].name, "Sidechain");
    assert!(inputs[0].is_main && !inputs[1].is_main);
}

/// Controllers get the macros, and per slot its own controls and each effect's main parameters.
#[test]
fn remote_control_pages_offer_macros_and_every_slot() {
    let mut rack = Rack::new();
    let pages = rack.remote_pages();
    let (section, name, ids) = &pages[0];
    assert_eq!((section.as_str(), name.as_str()), ("Macros", "Macros"));
    let macros: Vec<u32> = (1..=8).map(|n| hash_param_id(&format!("macro{n}"))).collect();
    assert_eq!(ids, &macros);
    for n in 1..=8 {
        let slot_page = pages.iter().find(|(s, p, _)| s == &format!("Slot {n}") && p == &format!("Slot {n}"));
        let (_, _, ids) = slot_page.unwrap_or_else(|| panic!("no page for slot {n}"));
        for control in ["effect", "bypass", "mix", "in", "out"] {
            assert!(
                ids.contains(&hash_param_id(&format!("s{n}_{control}"))),
                "slot {n} page lacks {control}"
            );
        }
        let compressor = pages
            .iter()
            .find(|(s, p, _)| s == &format!("Slot {n}") && p == &format!("Slot {n} Compressor"))
            .unwrap_or_else(|| panic!("no compressor page for slot {n}"));
        assert!(compressor.2.contains(&hash_param_id(&format!("s{n}_compressor_threshold"))));
    }
}
