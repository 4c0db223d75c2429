//! The presets panel: saving to and loading from the library, factory presets, A/B, and what
//! a preset load sends the host.

use super::harness::{choose, effect_index, open, Gesture};
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use nice_plug::prelude::*;

#[test]
fn a_saved_preset_is_a_file_that_loads_back() {
    let (mut harness, fixture) = open();
    choose(&mut harness, "Plate Reverb");
    assert_eq!(fixture.params.slots[0].effect.value() as usize, effect_index("plate_reverb") + 1);
    harness.get_by_label("Presets").click();
    harness.run();
    let name = harness.get_all_by_role(Role::TextInput).next().expect("the name field");
    name.click();
    harness.run();
    harness.get_all_by_role(Role::TextInput).next().unwrap().type_text("My Plate");
    harness.run();
    harness.get_by_label("Save").click();
    harness.run();
    let file = fixture.presets.path().join("My Plate.json");
    let saved = codette_rack::editor::library::parse(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(saved.name, "My Plate");
    assert_eq!(saved.slots[0].effect.as_deref(), Some("plate_reverb"));
    // Empty the slot, then load the preset back.
    harness.get_by_label("Rack").click();
    harness.run();
    choose(&mut harness, "Empty");
    assert_eq!(fixture.params.slots[0].effect.value(), 0);
    harness.get_by_label("Presets").click();
    harness.run();
    harness.get_by_label("My Plate").click();
    harness.run();
    harness.get_by_label("Load").click();
    harness.run();
    assert_eq!(fixture.params.slots[0].effect.value() as usize, effect_index("plate_reverb") + 1);
}

#[test]
fn a_factory_preset_loads_and_a_b_switches_between_two_settings() {
    let (mut harness, fixture) = open();
    harness.get_by_label("Presets").click();
    harness.run();
    harness.get_by_label("Big Hall").click();
    harness.run();
    assert_eq!(fixture.params.slots[0].effect.value() as usize, effect_index("hall_reverb") + 1);
    harness.get_by_label("B").click();
    harness.run();
    harness.get_by_label("Small Room").click();
    harness.run();
    assert_eq!(fixture.params.slots[0].effect.value() as usize, effect_index("room_reverb") + 1);
    harness.get_by_label("A").click();
    harness.run();
    assert_eq!(fixture.params.slots[0].effect.value() as usize, effect_index("hall_reverb") + 1);
    harness.get_by_label("B").click();
    harness.run();
    assert_eq!(fixture.params.slots[0].effect.value() as usize, effect_index("room_reverb") + 1);
}

/// Every gesture the window sent: (parameter, value), each checked to be a whole begin, set,
/// end of one parameter.
fn whole_gestures(gestures: &[Gesture]) -> Vec<(ParamPtr, f32)> {
    assert_eq!(gestures.len() % 3, 0, "{gestures:?}");
    gestures
        .chunks(3)
        .map(|g| match *g {
            [Gesture::Begin(a), Gesture::Set(b, value), Gesture::End(c)] if a == b && b == c => (a, value),
            _ => panic!("not one whole gesture: {g:?}"),
        })
        .collect()
}

/// A preset loaded in the window, and undoing it, reach the host as gestures (each parameter
/// that moves begun, set and ended), so that hosts record them as automation.
#[test]
fn a_preset_loaded_and_undone_in_the_window_reaches_the_host_as_gestures() {
    let (mut harness, fixture) = open();
    harness.get_by_label("Presets").click();
    harness.run();
    fixture.gestures();
    harness.get_by_label("Big Hall").click();
    harness.run();
    let effect = &fixture.params.slots[0].effect;
    assert_eq!(effect.value() as usize, effect_index("hall_reverb") + 1);
    let ptr = effect.as_ptr();
    let hall = effect.preview_normalized(effect_index("hall_reverb") as i32 + 1);
    let loaded = whole_gestures(&fixture.gestures());
    assert!(loaded.contains(&(ptr, hall)), "{loaded:?}");
    harness.get_by_label("Undo").click();
    harness.run();
    assert_eq!(effect.value(), 0);
    let undone = whole_gestures(&fixture.gestures());
    assert!(undone.contains(&(ptr, effect.preview_normalized(0))), "{undone:?}");
    assert_eq!(loaded.len(), undone.len(), "undo moves back exactly what the preset moved");
}
