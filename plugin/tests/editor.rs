//! The editor driven as a user would, through egui_kittest: clicks, drags and typing on the
//! real window contents, with a host double that records the parameter gestures (what a host
//! would record as automation) and applies the values as a host does.

use codette_assistant::{detect, suggest, Context, Delivery, Genre, Instrument, Measurements};
use codette_dsp::modulation::{Polarity, Route, Source};
use codette_dsp::registry::EFFECTS;
use codette_rack::editor::library::Library;
use codette_rack::editor::Editor;
use codette_rack::params::{RackParams, SpecParam};
use codette_rack::remote::RemoteInstance;
use codette_server::Instance;
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use nice_plug::context::gui::{GuiContext, GuiContextInner};
use nice_plug::prelude::*;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Gesture {
    Begin(ParamPtr),
    Set(ParamPtr, f32),
    End(ParamPtr),
}

/// A host: records every gesture and sets the value it is given.
#[derive(Default)]
struct Host {
    gestures: Mutex<Vec<Gesture>>,
}

impl GuiContextInner for Host {
    fn plugin_api(&self) -> PluginApi {
        PluginApi::Clap
    }
    unsafe fn raw_begin_set_parameter(&self, param: ParamPtr) {
        self.gestures.lock().unwrap().push(Gesture::Begin(param));
    }
    unsafe fn raw_set_parameter_normalized(&self, param: ParamPtr, normalized: f32) {
        self.gestures.lock().unwrap().push(Gesture::Set(param, normalized));
        unsafe { param._internal_set_normalized_value(normalized) };
    }
    unsafe fn raw_end_set_parameter(&self, param: ParamPtr) {
        self.gestures.lock().unwrap().push(Gesture::End(param));
    }
    fn get_state(&self) -> PluginState {
        unimplemented!("the editor does not read the host's state")
    }
    fn set_state(&self, _: PluginState) {
        unimplemented!("the editor does not set the host's state")
    }
    fn request_restart(&self) {}
}

struct Fixture {
    params: Arc<RackParams>,
    remote: Arc<RemoteInstance>,
    host: Arc<Host>,
    presets: tempfile::TempDir,
}

fn open() -> (Harness<'static, Editor>, Fixture) {
    let params = Arc::new(RackParams::default());
    let remote = Arc::new(RemoteInstance::new(params.clone()));
    let presets = tempfile::tempdir().unwrap();
    let editor = Editor::new(params.clone(), remote.clone(), Library::new(presets.path().to_path_buf()));
    let host = Arc::new(Host::default());
    let gui = GuiContext::new(host.clone());
    let harness = Harness::builder()
        .with_size(egui::vec2(1200.0, 800.0))
        .with_step_dt(1.0 / 60.0)
        .build_ui_state(move |ui, editor: &mut Editor| editor.show(ui, &gui), editor);
    (harness, Fixture { params, remote, host, presets })
}

impl Fixture {
    fn gestures(&self) -> Vec<Gesture> {
        std::mem::take(&mut *self.host.gestures.lock().unwrap())
    }
}

fn effect_index(id: &str) -> usize {
    EFFECTS.iter().position(|e| e.id == id).unwrap()
}

/// Chooses an effect for slot 1 through its picker.
fn choose(harness: &mut Harness<Editor>, name: &str) {
    harness.get_by_label("Slot 1 effect").click();
    harness.run();
    harness.get_by_label(name).scroll_to_me();
    harness.run();
    harness.get_by_label(name).click();
    harness.run();
}

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

#[test]
fn a_suggestion_is_previewed_applied_and_undone() {
    let (mut harness, fixture) = open();
    choose(&mut harness, "High/Low Pass");
    harness.get_by_label("Codette").click();
    harness.run();
    // Nothing measured here (no audio runs): the suggestions are those for the rack, as the
    // assistant makes them for it.
    let before = fixture.remote.preset().unwrap();
    let silence = Measurements::live(fixture.remote.meters().unwrap().meters);
    let context = Context { delivery: Some(Delivery::Streaming), genre: None };
    let expected = suggest(&[], &silence, &before, 8, &context);
    let suggestion = expected.iter().find(|s| s.parameters.is_some()).expect("a filter sweep for slot 1");
    let after = suggestion.parameters.as_ref().unwrap().apply(&before, 8).unwrap();
    assert!(!after.modulation.routes.is_empty());
    harness.get_by_label(&suggestion.title);

    harness.get_by_label(&format!("Preview {}", suggestion.id)).click();
    harness.run();
    assert_eq!(fixture.params.modulation.config(), after.modulation, "previewed");
    harness.get_by_label("End preview").click();
    harness.run();
    assert_eq!(fixture.params.modulation.config(), before.modulation, "back as it was");

    harness.get_by_label(&format!("Apply {}", suggestion.id)).click();
    harness.run();
    assert_eq!(fixture.params.modulation.config(), after.modulation, "applied");
    harness.get_by_label("Undo").click();
    harness.run();
    assert_eq!(fixture.params.modulation.config(), before.modulation, "undone");
}

#[test]
fn a_template_chain_loads_and_the_chat_answers_what_is_typed() {
    let (mut harness, fixture) = open();
    harness.get_by_label("Codette").click();
    harness.run();
    harness.get_by_label("Suggest a chain").click();
    harness.run();
    // Untuned (nothing measured): the template for vocals in pop at the streaming target.
    let expected = codette_assistant::recommend(Instrument::Vocals, Genre::Pop, None, -14.0);
    let first = &expected.slots[0];
    harness.get_by_label(&format!("{}. {}: {}", first.slot, first.effect, first.reason.replace('→', "->")));
    harness.get_by_label("Load the chain").click();
    harness.run();
    let chosen: Vec<Option<String>> = (0..8)
        .map(|s| {
            let v = fixture.params.slots[s].effect.value() as usize;
            v.checked_sub(1).map(|e| EFFECTS[e].id.to_string())
        })
        .collect();
    let wanted: Vec<Option<String>> =
        (0..8).map(|s| expected.preset.slots.get(s).and_then(|c| c.effect.clone())).collect();
    assert_eq!(chosen, wanted);
    assert!(chosen.iter().any(Option::is_some));

    harness.get_by_label("Question").click();
    harness.run();
    harness.get_by_role_and_label(Role::TextInput, "Question").type_text("What does a compressor do?");
    harness.run();
    harness.get_by_label("Send").click();
    harness.run();
    let answer = codette_assistant::chat::embedded(
        "What does a compressor do?",
        Default::default(),
        codette_assistant::chat::Context::default(),
    );
    // The answer holds the engine's answer to the question without a rack (the editor's adds
    // what its rack has to say).
    harness.get_by_label("What does a compressor do?");
    harness.get_by_label_contains(&answer.response.replace('→', "->"));
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

/// The instance plays a second of a full-scale 1 kHz sine (far too loud for streaming), and
/// its analysis thread measures it; the audio thread's end of the link is returned.
fn play_a_loud_sine(fixture: &Fixture) -> codette_rack::remote::link::AudioLink {
    let mut audio = fixture.remote.activate(PluginApi::Clap, 48_000.0, 512);
    let sine: Vec<f32> =
        (0..48_000).map(|n| (std::f32::consts::TAU * 1000.0 * n as f32 / 48_000.0).sin()).collect();
    for block in sine.chunks(512) {
        audio.publish(Default::default(), block, block);
        // At about real-time pace: the rings hold half a second.
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let start = std::time::Instant::now();
    while fixture.remote.meters().unwrap().meters.lufs_integrated < -20.0 {
        assert!(start.elapsed() < std::time::Duration::from_secs(10), "the analysis thread measures");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(100));
    audio
}

#[test]
fn the_analysis_panel_shows_the_instances_loudness_and_peaks() {
    let (mut harness, fixture) = open();
    let audio = play_a_loud_sine(&fixture);
    let m = fixture.remote.meters().unwrap().meters;
    harness.get_by_label("Analysis").click();
    harness.run();
    for text in [
        format!("{:.1} LUFS", m.lufs_integrated),
        format!("{:.1} dBTP", m.true_peak_dbtp),
        format!("{:+.2}", m.correlation),
    ] {
        assert!(harness.query_all_by_label(&text).count() >= 1, "{text}");
    }
    // A mono sine: fully correlated, and loud (about -3 LUFS; its peak at full scale).
    assert!(m.correlation > 0.99 && m.lufs_integrated > -6.0 && m.true_peak_dbtp > -0.5, "{m:?}");
    fixture.remote.deactivate(audio);
}

#[test]
fn the_findings_on_what_the_rack_plays_are_shown_with_their_evidence() {
    let (mut harness, fixture) = open();
    let audio = play_a_loud_sine(&fixture);
    let meters = fixture.remote.meters().unwrap();
    assert!(meters.active);
    let context = Context { delivery: Some(Delivery::Streaming), genre: None };
    let findings = codette_assistant::detect(&Measurements::live(meters.meters), &context);
    assert!(!findings.is_empty(), "a full-scale sine is off the streaming references");
    harness.get_by_label("Codette").click();
    harness.run();
    // Each finding is listed, and again as the suggestion that answers it, with its evidence.
    for finding in &findings {
        assert!(harness.query_all_by_label(&finding.title).count() >= 2, "{}", finding.title);
        for e in &finding.evidence {
            let text =
                format!("{}: {} {} ({} {} {})", e.metric, e.measured, e.unit, e.comparison, e.target, e.unit);
            assert!(harness.query_all_by_label(&text).count() >= 2, "{text}");
        }
    }
    fixture.remote.deactivate(audio);
}

/// Loudness of `seconds` of `audio` (both channels) through `preset`.
fn loudness_through(preset: &codette_dsp::preset::Preset, audio: &[f32]) -> f32 {
    let (l, r) =
        codette_dsp::preset_render::render_preset(preset, 8, 48_000.0, 120.0, (audio, audio), &|| true)
            .unwrap()
            .unwrap();
    codette_dsp::analysis::analyse_programme(&l, &r, 48_000.0).meters.lufs_integrated
}

#[test]
fn a_preview_is_level_matched_on_what_the_rack_heard() {
    let (mut harness, fixture) = open();
    choose(&mut harness, "High/Low Pass");
    // The rack is given four seconds of uniform noise (-0.25 to 0.25).
    let mut audio = fixture.remote.activate(PluginApi::Clap, 48_000.0, 512);
    let mut seed = 1u32;
    let noise: Vec<f32> = (0..4 * 48_000)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            (seed as f32 / u32::MAX as f32 - 0.5) * 0.5
        })
        .collect();
    // It plays the noise unchanged, the same in both channels: Codette finds it too narrow
    // and suggests a stereo delay, which changes the loudness.
    for block in noise.chunks(512) {
        audio.publish_input(block, block);
        audio.publish(Default::default(), block, block);
        // At about real-time pace: the rings hold half a second.
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let start = std::time::Instant::now();
    while fixture.remote.recent_input().is_none_or(|input| input.left.len() < noise.len())
        || fixture.remote.meters().unwrap().meters.lufs_integrated < -20.0
    {
        assert!(start.elapsed() < std::time::Duration::from_secs(10), "the analysis thread keeps it");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    harness.get_by_label("Codette").click();
    harness.run();
    let before = fixture.remote.preset().unwrap();
    let measured = Measurements::live(fixture.remote.meters().unwrap().meters);
    let context = Context { delivery: Some(Delivery::Streaming), genre: None };
    let expected = suggest(&detect(&measured, &context), &measured, &before, 8, &context);
    let suggestion = expected.iter().find(|s| s.id == "too_narrow").expect("a stereo delay");
    let untrimmed = suggestion.parameters.as_ref().unwrap().apply(&before, 8).unwrap();

    // The findings come first: the suggestion is further down than the window shows.
    harness.set_size(egui::vec2(1200.0, 3000.0));
    harness.run();
    harness.get_by_label(&format!("Preview {}", suggestion.id)).click();
    let start = std::time::Instant::now();
    while harness.query_by_label_contains("level-matched").is_none() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(30),
            "the trim is found: {:?}",
            harness
                .query_all_by_role(Role::Label)
                .filter_map(|n| n.value())
                .filter(|v| v.contains("matching") || v.contains(":"))
                .collect::<Vec<_>>()
        );
        harness.step();
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let previewed = fixture.remote.preset().unwrap();
    // The trim goes on the slot the change inserts its effect into.
    let slot = untrimmed.slots.iter().zip(&before.slots).position(|(u, b)| u.effect != b.effect).unwrap();
    assert_eq!(previewed.slots[slot].effect, untrimmed.slots[slot].effect);
    let trim = previewed.slots[slot].output_db - untrimmed.slots[slot].output_db;
    harness.get_by_label(&format!("level-matched: {trim:+.1} dB"));
    let (unchanged, alone, matched) = (
        loudness_through(&before, &noise),
        loudness_through(&untrimmed, &noise),
        loudness_through(&previewed, &noise),
    );
    println!(
        "unchanged {unchanged:.2} LUFS, change alone {alone:.2}, previewed {matched:.2}, trim {trim:+.2} dB"
    );
    assert!((matched - unchanged).abs() < 0.5, "unchanged {unchanged}, previewed {matched}");

    // Applying keeps the level-neutral change.
    harness.get_by_label(&format!("Apply {}", suggestion.id)).click();
    harness.run();
    assert_eq!(fixture.remote.preset().unwrap(), previewed);
    fixture.remote.deactivate(audio);
}
