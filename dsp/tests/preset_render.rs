//! A whole preset rendered offline: order, trims and modulation act as in the plugin.

mod common;

use codette_dsp::chain::SlotConfig;
use codette_dsp::modulation::{Polarity, Route, Source};
use codette_dsp::preset::Preset;
use codette_dsp::preset_render::render_preset;
use codette_dsp::rack::SLOT_COUNT;
use common::*;

fn render(preset: &Preset, x: &[f32]) -> Vec<f32> {
    render_preset(preset, SLOT_COUNT, SR, 120.0, (x, x), &|| true)
        .expect("valid preset")
        .expect("not stopped")
        .0
}

fn preset(slots: Vec<SlotConfig>) -> Preset {
    Preset { slots, ..Preset::new("test") }
}

#[test]
fn an_empty_preset_is_a_wire() {
    let x = noise(5000, 1);
    assert_eq!(render(&preset(Vec::new()), &x), x);
}

/// A clipper at -20 dB and a +10 dB trim: clipping first gives peaks of 0.1·10^(10/20), the
/// trim first leaves nothing above the clipper's 0.1.
#[test]
fn slots_run_in_the_presets_order() {
    let x = sine(440.0, 0.5, SR, 24_000);
    let slots = vec![
        SlotConfig::effect("hardclip").with("threshold", -20.0),
        SlotConfig { output_db: 10.0, ..SlotConfig::effect("eq3band") },
    ];
    let clip_first = render(&preset(slots.clone()), &x);
    let expected = 0.1 * 10f32.powf(0.5);
    assert!((peak(&clip_first[4800..]) - expected).abs() < 0.02 * expected, "{}", peak(&clip_first));
    let mut order: Vec<usize> = (1..=SLOT_COUNT).collect();
    order.swap(0, 1);
    let gain_first = render(&Preset { order: Some(order), ..preset(slots) }, &x);
    assert!(peak(&gain_first[4800..]) <= 0.1 + 1e-4, "{}", peak(&gain_first));
}

/// Macro 1 at full scale routed to slot 1's output trim with depth -0.25 moves the trim from
/// its base (0 dB, the middle of -24..24) down a quarter of its range: -12 dB.
#[test]
fn the_presets_modulation_moves_its_targets() {
    let x = sine(440.0, 0.5, SR, 48_000);
    let mut p = preset(vec![SlotConfig::effect("eq3band")]);
    p.macros = vec![1.0];
    p.modulation.routes.push(Route {
        source: Source::Macro(0),
        target: "s1_out".into(),
        depth: -0.25,
        mapping: Polarity::Unipolar,
        enabled: true,
    });
    let y = render(&p, &x);
    let expected = 0.5 * 10f32.powf(-12.0 / 20.0);
    assert!((peak(&y[24_000..]) - expected).abs() < 0.01 * expected, "{} vs {expected}", peak(&y[24_000..]));

    p.modulation.routes[0].target = "s1_nothing".into();
    let e = render_preset(&p, SLOT_COUNT, SR, 120.0, (&x, &x), &|| true).unwrap_err();
    assert_eq!(e.field, "modulation.routes[0].target");
}

#[test]
fn a_render_stops_when_asked() {
    let x = noise(48_000, 2);
    let asked = std::cell::Cell::new(0);
    let stop_at_second_check = || {
        asked.set(asked.get() + 1);
        asked.get() < 2
    };
    let p = preset(Vec::new());
    assert_eq!(render_preset(&p, SLOT_COUNT, SR, 120.0, (&x, &x), &stop_at_second_check), Ok(None));
    assert_eq!(asked.get(), 2);
}
