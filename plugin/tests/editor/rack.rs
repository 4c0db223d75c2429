//! The rack panel: choosing effects, turning knobs (drag, fine drag, double click, typed value)
//! and reordering slots.

use super::harness::{choose, effect_index, open, Gesture};
use codette_rack::params::{RackParams, SpecParam};
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use nice_plug::prelude::*;

#[test]
fn choosing_an_effect_sets_the_slots_effect_through_one_gesture() {
    let (mut harness, fixture) = open();
    harness.run();
    choose(&mut harness, "Compressor");
    let effect = &fixture.params.slots[0].effect;
    assert_eq!(effect.value() as usize, effect_index("compressor") + 1);
    let ptr = effect.as_ptr();
    let expected = effect.preview_normalized(effect_index("compressor") as i32 + 1);
    assert_eq!(fixture.gestures(), [Gesture::Begin(ptr), Gesture::Set(ptr, expected), Gesture::End(ptr)]);
    // The slot's controls are shown: the compressor's own knobs.
    harness.get_by_role_and_label(Role::Slider, "Threshold");
    harness.get_by_role_and_label(Role::Slider, "Ratio");
}

fn threshold(params: &RackParams) -> &SpecParam {
    &params.slots[0].effects[effect_index("compressor")][0]
}

#[test]
fn dragging_a_knob_turns_it_within_one_gesture_and_shift_makes_it_finer() {
    let (mut harness, fixture) = open();
    choose(&mut harness, "Compressor");
    fixture.gestures();
    let param = threshold(&fixture.params);
    let ptr = param.as_ptr();
    let start = param.normalized();
    let mut drag = |dy: f32, modifiers: egui::Modifiers| {
        let center = harness.get_by_role_and_label(Role::Slider, "Threshold").rect().center();
        harness.hover_at(center);
        harness.run();
        harness.event_modifiers(
            egui::Event::PointerButton {
                pos: center,
                button: egui::PointerButton::Primary,
                pressed: true,
                modifiers,
            },
            modifiers,
        );
        harness.run();
        for step in 1..=5 {
            harness.event_modifiers(
                egui::Event::PointerMoved(center - egui::vec2(0.0, dy * step as f32 / 5.0)),
                modifiers,
            );
            harness.run();
        }
        harness.event_modifiers(
            egui::Event::PointerButton {
                pos: center - egui::vec2(0.0, dy),
                button: egui::PointerButton::Primary,
                pressed: false,
                modifiers,
            },
            modifiers,
        );
        harness.run();
    };
    // 50 px up of a 200 px throw: a quarter of the range.
    drag(50.0, egui::Modifiers::NONE);
    let turned = param.normalized();
    assert!((turned - (start + 0.25)).abs() < 0.01, "{start} + 0.25 vs {turned}");
    let gestures = fixture.gestures();
    assert_eq!(gestures.first(), Some(&Gesture::Begin(ptr)));
    assert_eq!(gestures.last(), Some(&Gesture::End(ptr)));
    assert!(gestures[1..gestures.len() - 1].iter().all(|g| matches!(g, Gesture::Set(p, _) if *p == ptr)));
    assert!(gestures.len() >= 3);
    // The same drag with Shift: a tenth as far.
    drag(50.0, egui::Modifiers::SHIFT);
    let fine = param.normalized();
    assert!((fine - (turned + 0.025)).abs() < 0.005, "{turned} + 0.025 vs {fine}");
    // Each gesture is one undo step.
    harness.get_by_label("Undo").click();
    harness.run();
    // (Undo restores plain values, which round-trip through the normalized range in f32.)
    assert!((param.normalized() - turned).abs() < 1e-6);
    harness.get_by_label("Undo").click();
    harness.run();
    assert!((param.normalized() - start).abs() < 1e-6);
}

#[test]
fn double_click_returns_a_knob_to_its_default_and_a_typed_value_is_set() {
    let (mut harness, fixture) = open();
    choose(&mut harness, "Compressor");
    let param = threshold(&fixture.params);
    let ptr = param.as_ptr();
    // The value under the knob: click it, type, Enter.
    harness.get_by_label(&param.spec().format(param.spec().default)).click();
    harness.run();
    fixture.gestures();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.get_by_role(Role::TextInput).type_text("-31.5");
    harness.run();
    harness.key_press(egui::Key::Enter);
    harness.run();
    assert_eq!(param.plain(), -31.5);
    assert_eq!(
        fixture.gestures(),
        [Gesture::Begin(ptr), Gesture::Set(ptr, param.host_normalized(-31.5)), Gesture::End(ptr)]
    );
    let center = harness.get_by_role_and_label(Role::Slider, "Threshold").rect().center();
    harness.hover_at(center);
    harness.run();
    for pressed in [true, false, true, false] {
        harness.event(egui::Event::PointerButton {
            pos: center,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
        harness.step();
    }
    harness.run();
    assert_eq!(param.plain(), param.spec().default);
    assert_eq!(fixture.gestures().first(), Some(&Gesture::Begin(ptr)));
}

#[test]
fn dragging_a_slot_by_its_handle_moves_it_in_the_order() {
    let (mut harness, fixture) = open();
    harness.run();
    let handles: Vec<egui::Pos2> = harness.get_all_by_label("::").map(|h| h.rect().center()).collect();
    assert_eq!(handles.len(), 8);
    // Slot 1's handle onto the fourth row: slot 1 is then processed fourth.
    let (from, to) = (handles[0], handles[3]);
    harness.hover_at(from);
    harness.run();
    harness.drag_at(from);
    harness.run();
    for step in 1..=10 {
        harness.hover_at(from + (to - from) * step as f32 / 10.0);
        harness.run();
    }
    harness.drop_at(to);
    harness.run();
    assert_eq!(fixture.params.order.get(), [1, 2, 3, 0, 4, 5, 6, 7]);
}
