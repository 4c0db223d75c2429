//! The Codette panel: suggestions previewed (level-matched), applied and undone, findings with
//! their evidence, template chains and the chat.

use super::harness::{choose, open, play_a_loud_sine};
use codette_assistant::{detect, suggest, Context, Delivery, Genre, Instrument, Measurements};
use codette_dsp::registry::EFFECTS;
use codette_server::Instance;
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use nice_plug::prelude::*;

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

    // Applied without a preview, the change is level-matched the same way.
    harness.get_by_label("Undo").click();
    harness.run();
    assert_eq!(fixture.remote.preset().unwrap(), before, "undone");
    harness.get_by_label(&format!("Apply {}", suggestion.id)).click();
    let said = format!("Applied {} (level-matched: {trim:+.1} dB); Undo takes it back", suggestion.title);
    let start = std::time::Instant::now();
    while harness.query_by_label(&said).is_none() {
        assert!(start.elapsed() < std::time::Duration::from_secs(30), "the trim is found");
        harness.step();
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(fixture.remote.preset().unwrap(), previewed);
    fixture.remote.deactivate(audio);
}
