//! The modulation panel: routes added, retargeted and undone.

use super::harness::{choose, open};
use codette_dsp::modulation::{Polarity, Route, Source};
use egui_kittest::kittest::Queryable;

#[test]
fn routing_an_lfo_adds_a_route_to_the_modulation_and_undo_removes_it() {
    let (mut harness, fixture) = open();
    choose(&mut harness, "Compressor");
    harness.get_by_label("Modulation").click();
    harness.run();
    harness.get_by_label("Add route").click();
    harness.run();
    let routes = fixture.params.modulation.config().routes;
    assert_eq!(
        routes,
        [Route {
            source: Source::Lfo(0),
            target: "s1_mix".into(),
            depth: 0.5,
            mapping: Polarity::Bipolar,
            enabled: true
        }]
    );
    // Route it to the threshold instead: the target picker lists the slot's parameters.
    harness.get_by_label("Route 1 target").click();
    harness.run();
    harness.get_by_label("1 Compressor Threshold").click();
    harness.run();
    assert_eq!(fixture.params.modulation.config().routes[0].target, "s1_compressor_threshold");
    harness.get_by_label("Undo").click();
    harness.run();
    assert_eq!(fixture.params.modulation.config().routes[0].target, "s1_mix");
    harness.get_by_label("Undo").click();
    harness.run();
    assert!(fixture.params.modulation.config().routes.is_empty());
}
