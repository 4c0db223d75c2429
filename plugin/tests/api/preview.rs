//! Codette's suggestions for a live instance are level-neutral: rendered through the rack on
//! the instance's recent input, they carry the output trim that keeps its loudness.

use super::live::{noise, Live, SR};
use codette_assistant::RackChange;
use codette_dsp::analysis::analyse_programme;
use codette_dsp::preset::Preset;
use codette_dsp::preset_render::render_preset;
use codette_rack::params::SLOT_COUNT;
use codette_server::Instance;
use serde_json::{json, Value};

/// The window the instance keeps.
const WINDOW: usize = 10 * SR as usize;

#[test]
fn recent_input_is_exactly_the_last_ten_seconds_the_rack_was_given() {
    let mut live = Live::start();
    live.wait_heard(10.0);
    let first = noise(1).next().unwrap();
    live.wait_until("the oldest samples are forgotten", || {
        live.remote.recent_input().is_some_and(|input| input.left[0] != first)
    });
    live.stop_audio();
    let input = live.remote.recent_input().expect("kept after deactivation");
    assert_eq!((input.left.len(), input.sample_rate), (WINDOW, SR));
    assert_eq!(input.right, input.left, "the harness gives both channels the same noise");
    // The window ends with the last block the audio thread was given: it is the fed noise
    // from some point on, and that point is not the start (more than ten seconds were fed).
    let fed: Vec<f32> = noise(1).take(20 * SR as usize).collect();
    let start = fed.windows(8).position(|w| w == &input.left[..8]).expect("the window is fed noise");
    assert!(start > 0, "the oldest samples were forgotten");
    assert_eq!(input.left, fed[start..start + WINDOW]);
}

/// Integrated loudness of `preset`'s output for ten seconds of the harness's noise (another
/// stretch of it than the instance heard).
fn loudness(preset: &Preset) -> f32 {
    let audio: Vec<f32> = noise(7).take(WINDOW).collect();
    let (l, r) = render_preset(preset, SLOT_COUNT, SR, 120.0, (&audio, &audio), &|| true).unwrap().unwrap();
    analyse_programme(&l, &r, SR).meters.lufs_integrated
}

fn with(preset: &Preset, change: &Value) -> Preset {
    let change: RackChange = serde_json::from_value(change.clone()).unwrap();
    change.apply(preset, SLOT_COUNT).unwrap()
}

#[test]
fn a_live_suggestion_carries_the_trim_that_keeps_the_loudness() {
    let live = Live::start();
    live.wait_heard(3.0);
    live.wait_until("the instance's meters run", || live.get("/meters").1["active"] == true);
    let rack = live.remote.preset().unwrap();

    let (status, answer) = live.post_server("/codette/suggest", &json!({"instance": live.id}));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer.get("not_level_matched"), None, "{answer}");
    let narrow = answer["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "too_narrow")
        .unwrap_or_else(|| panic!("{answer}"));
    let edits = narrow["parameters"]["edits"].as_array().unwrap();
    let trim = edits.last().unwrap();
    assert_eq!((trim["op"].as_str(), trim["parameter"].as_str()), (Some("set_parameter"), Some("output_db")));
    assert_eq!(trim["slot"], edits[0]["slot"], "on the slot the change inserts");

    // Measured on other audio than the instance heard: the change alone moves the loudness,
    // with the trim it stays where the unchanged rack has it.
    let before = loudness(&rack);
    let untrimmed = loudness(&with(&rack, &json!({"edits": edits[..edits.len() - 1]})));
    let after = loudness(&with(&rack, &narrow["parameters"]));
    println!("before {before:.2} LUFS, change alone {untrimmed:.2}, with the trim {after:.2}");
    assert!((untrimmed - before).abs() > 0.5, "the change alone moves the loudness");
    assert!((after - before).abs() < 0.5, "before {before}, after {after}");

    // A preview without audio sent renders the instance's recent input: the rack without the
    // change is as loud as on the other stretch of the same noise, and the level-neutral
    // change needs (almost) no further gain.
    let body = json!({"instance": live.id, "suggestion": narrow, "preview": true});
    let (status, applied) = live.post_server("/codette/apply", &body);
    assert_eq!(status, 200, "{applied}");
    let preview = &applied["preview"];
    assert_eq!(applied["applied"], false);
    assert!((preview["before_lufs"].as_f64().unwrap() as f32 - before).abs() < 0.5, "{preview}");
    assert!(preview["gain_db"].as_f64().unwrap().abs() < 0.5, "{preview}");
}

#[test]
fn a_preview_of_an_instance_that_heard_nothing_says_so() {
    let live = Live::idle();
    let suggestion = json!({
        "id": "too_narrow", "type": "static", "title": "Widen", "description": "",
        "evidence": [], "confidence": 0.5,
        "parameters": {"edits": [{"op": "set_parameter", "slot": 1, "parameter": "mix", "value": 0.5}]}
    });
    let body = json!({"instance": live.id, "suggestion": suggestion, "preview": true});
    let (status, error) = live.post_server("/codette/apply", &body);
    assert_eq!((status, error["error"]["field"].as_str()), (422, Some("audio")), "{error}");
    let message = error["error"]["message"].as_str().unwrap();
    assert!(message.contains("keeps no recent input"), "{message}");
}
