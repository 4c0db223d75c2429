//! Codette's routes over loopback: analysis of sent audio against analytical loudness, the
//! metrics of API.md, suggestions, apply and level-matched preview on an instance, status,
//! genres, and bad input answered with the field named.

mod common;

use base64::Engine;
use codette_dsp::preset::Preset;
use codette_server::{ApiError, HostFormat, Instance};
use common::*;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

const SR: u32 = 48_000;

/// A 1 kHz sine of peak `dbfs` in both channels: EBU Tech 3341 calibrates such a signal at
/// -23 dBFS to read -23 LUFS, so it reads `dbfs` LUFS.
fn sine(dbfs: f32, seconds: f32) -> Vec<f32> {
    tone(1000.0, dbfs, seconds)
}

fn tone(freq: f32, dbfs: f32, seconds: f32) -> Vec<f32> {
    let amplitude = 10f32.powf(dbfs / 20.0);
    (0..(seconds * SR as f32) as usize)
        .map(|i| amplitude * (std::f32::consts::TAU * freq * i as f32 / SR as f32).sin())
        .collect()
}

fn wav_base64(channels: &[&[f32]]) -> String {
    let spec = hound::WavSpec {
        channels: channels.len() as u16,
        sample_rate: SR,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut bytes = std::io::Cursor::new(Vec::new());
    let mut writer = hound::WavWriter::new(&mut bytes, spec).unwrap();
    for i in 0..channels[0].len() {
        for c in channels {
            writer.write_sample(c[i]).unwrap();
        }
    }
    writer.finalize().unwrap();
    base64::engine::general_purpose::STANDARD.encode(bytes.into_inner())
}

async fn post(server: &TestServer, path: &str, body: &Value) -> (u16, Value) {
    let response = server.post_json(path, body).await;
    (response.status().as_u16(), response.json().await.unwrap())
}

fn near(value: &Value, expected: f64, tolerance: f64) -> bool {
    value.as_f64().is_some_and(|v| (v - expected).abs() <= tolerance)
}

#[tokio::test]
async fn analyze_measures_sent_audio_and_shows_its_evidence() {
    let server = serve();
    let x = sine(-30.0, 8.0);
    let (status, answer) = post(&server, "/codette/analyze", &json!({"audio": wav_base64(&[&x, &x])})).await;
    assert_eq!(status, 200, "{answer}");
    let metrics = &answer["metrics"];
    for key in [
        "peak_dbfs",
        "true_peak_dbtp",
        "rms_dbfs",
        "lufs_momentary",
        "lufs_short_term",
        "lufs_integrated",
        "loudness_range_lu",
        "crest_db",
        "plr_db",
        "correlation",
        "width",
        "spectral_centroid_hz",
    ] {
        assert!(metrics[key].is_number(), "{key} in {metrics}");
    }
    assert!(metrics["tonal_balance"]["low_mid"].is_number());
    assert!(near(&metrics["lufs_integrated"], -30.0, 0.1), "{metrics}");
    assert!(near(&metrics["rms_dbfs"], -33.01, 0.01), "{metrics}");
    assert!(near(&metrics["correlation"], 1.0, 1e-4));
    assert_eq!(answer["analysis_type"], "quality");
    // The spectrum, smoothed in third octaves, has the tone's power around 1 kHz and little
    // an octave away; the reference it was judged against is the generic one.
    let spectrum = &answer["spectrum"];
    let at = |hz: f64| {
        let f = spectrum["frequencies"].as_array().unwrap();
        let i = f.iter().position(|v| v.as_f64().unwrap() >= hz).unwrap();
        spectrum["db"][i].as_f64().unwrap()
    };
    assert!(at(1000.0) > at(2000.0) + 20.0, "{spectrum}");
    assert_eq!(answer["reference"]["genre"], Value::Null);
    assert_eq!(answer["target"]["target_lufs"], -14.0);

    let findings = answer["findings"].as_array().unwrap();
    let loudness = findings.iter().find(|f| f["id"] == "loudness_off_target").expect("loudness finding");
    let evidence = &loudness["evidence"][0];
    assert_eq!(
        (evidence["metric"].as_str(), evidence["unit"].as_str()),
        (Some("lufs_integrated"), Some("LUFS"))
    );
    assert!(near(&evidence["measured"], -30.0, 0.1) && evidence["target"] == -14.0, "{evidence}");
    assert!(findings.iter().any(|f| f["id"] == "too_narrow"), "identical channels are mono");
    let score = answer["quality_score"].as_f64().unwrap();
    assert!((0.0..100.0).contains(&score));

    // The suggestion for the loudness: a limiter last with the missing 16 dB as input gain.
    let fix = answer["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "loudness_off_target")
        .unwrap();
    let edit = &fix["parameters"]["edits"][0];
    assert_eq!(
        (edit["op"].as_str(), edit["config"]["type"].as_str()),
        (Some("insert_effect"), Some("limiter"))
    );
    assert!(near(&edit["config"]["input_db"], 16.0, 0.15), "{edit}");

    // One channel sent as audio_data is measured as one channel: 3 dB under both.
    let body =
        json!({"audio_data": x, "sample_rate": SR, "analysis_type": "loudness", "target": "broadcast"});
    let (status, answer) = post(&server, "/codette/analyze", &body).await;
    assert_eq!(status, 200, "{answer}");
    assert!(near(&answer["metrics"]["lufs_integrated"], -33.01, 0.1), "{answer}");
    assert_eq!(answer["target"]["target_lufs"], -23.0);
    let ids: Vec<&str> =
        answer["findings"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["loudness_off_target"], "a loudness analysis reports loudness findings only");
}

/// Mud is judged on 200-500 Hz and harshness on 2-5 kHz, and the evidence says so. A tone has
/// all the power in the range that holds it, which reads 10·log10(9.97 / 1.32 octaves) =
/// +8.77 dB against pink; the generic reference there is the low band's +0.5 dB over 200-250 Hz
/// and the low-mid's 0 dB over 250-500 Hz, power-weighted (+0.13 dB), and the high-mid's -0.5 dB.
#[tokio::test]
async fn analyze_judges_mud_and_harshness_on_their_ranges() {
    let server = serve();
    let pink = 10.0 * (1000f64.log2() / 2.5f64.log2()).log10();
    let low_share = 1.25f64.log2();
    let mud_target = 10.0 * ((low_share * 10f64.powf(0.05) + 1.0) / (low_share + 1.0)).log10();
    // 220 Hz lies below the 250-500 Hz low-mid band; 3 kHz inside 2-5 kHz.
    for (freq, id, metric, range, target) in [
        (220.0, "mud", "hz_200_500", "200-500 Hz", mud_target),
        (3000.0, "harshness", "hz_2000_5000", "2-5 kHz", -0.5),
    ] {
        let x = tone(freq, -20.0, 4.0);
        let (status, answer) =
            post(&server, "/codette/analyze", &json!({"audio": wav_base64(&[&x, &x])})).await;
        assert_eq!(status, 200, "{answer}");
        assert!(near(&answer["metrics"]["range_balance"][metric], pink, 0.1), "{}", answer["metrics"]);
        assert!(near(&answer["reference"]["range_balance"][metric], target, 1e-3), "{}", answer["reference"]);
        let findings = answer["findings"].as_array().unwrap();
        let finding = findings.iter().find(|f| f["id"] == id).unwrap_or_else(|| panic!("{id} in {answer}"));
        let evidence = &finding["evidence"][0];
        assert_eq!(evidence["metric"], format!("range_balance.{metric}"), "{evidence}");
        assert!(
            near(&evidence["measured"], pink, 0.1) && near(&evidence["target"], target, 0.01),
            "{evidence}"
        );
        assert!(finding["description"].as_str().unwrap().contains(range), "{finding}");
    }
}

#[tokio::test]
async fn bad_requests_name_the_field() {
    let server = serve();
    let x = sine(-20.0, 1.0);
    let audio = wav_base64(&[&x]);
    let cases = [
        (json!({"audio": audio, "target": "radio"}), 422, "target"),
        (json!({"audio": audio, "genre": "polka"}), 422, "genre"),
        (json!({"audio": audio, "analysis_type": "vibes"}), 422, "analysis_type"),
        (json!({}), 422, "audio"),
        (json!({"instance": "999"}), 404, "instance"),
        (json!({"audio": audio, "audio_data": [0.0], "sample_rate": SR}), 422, "audio"),
        (json!({"audio_data": [0.0, 0.1]}), 422, "sample_rate"),
        (json!({"audio": "not base64!"}), 400, "audio"),
    ];
    for (body, status, field) in cases {
        let (got, answer) = post(&server, "/codette/analyze", &body).await;
        assert_eq!(got, status, "{answer}");
        assert_eq!(answer["error"]["field"], field, "{answer}");
    }
}

#[tokio::test]
async fn status_and_genres() {
    let server = serve();
    let (status, answer) = server.get_json("/codette/status").await;
    assert_eq!(status, 200);
    assert_eq!(answer["findings"].as_array().unwrap().len(), 12);
    let spotify = answer["platforms"].as_array().unwrap().iter().find(|p| p["name"] == "Spotify").unwrap();
    assert_eq!(spotify["reference_lufs"], -14.0);
    let (status, answer) = server.get_json("/codette/genres").await;
    assert_eq!(status, 200);
    let genres = answer["genres"].as_array().unwrap();
    assert_eq!(genres.len(), 6);
    assert!(genres.iter().any(|g| g["genre"] == "hip-hop" && g["tonal_balance"]["sub"].is_number()));
}

/// An instance whose rack is a preset document, with an undo stack of whole documents.
struct Rack {
    preset: Mutex<Preset>,
    loads: Mutex<Vec<Preset>>,
}

impl Instance for Rack {
    fn name(&self) -> String {
        "rack".into()
    }
    fn format(&self) -> HostFormat {
        HostFormat::Clap
    }
    fn sample_rate(&self) -> Option<f32> {
        Some(SR as f32)
    }
    fn block_size(&self) -> Option<u32> {
        Some(256)
    }
    fn preset(&self) -> Result<Preset, ApiError> {
        Ok(self.preset.lock().unwrap().clone())
    }
    fn load_preset(&self, preset: Preset) -> Result<(), ApiError> {
        self.loads.lock().unwrap().push(preset.clone());
        *self.preset.lock().unwrap() = preset;
        Ok(())
    }
}

#[tokio::test]
async fn suggestions_apply_to_an_instance_and_preview_level_matched() {
    let server = serve();
    let rack = Arc::new(Rack { preset: Mutex::new(Preset::new("mine")), loads: Mutex::default() });
    let registration = server.handle.registry().register(rack.clone());
    let id = registration.id();
    let x = sine(-30.0, 6.0);
    let audio = wav_base64(&[&x, &x]);

    let (status, answer) =
        post(&server, "/codette/suggest", &json!({"audio": audio, "instance": id, "limit": 2})).await;
    assert_eq!(status, 200, "{answer}");
    let suggestions = answer["suggestions"].as_array().unwrap();
    assert_eq!(suggestions.len(), 2);
    assert!(suggestions[0]["confidence"].as_f64() >= suggestions[1]["confidence"].as_f64());
    assert_eq!(answer["confidence"], suggestions[0]["confidence"]);

    // The loudness fix, previewed: the changed rack is 16 dB louder (less what the limiter
    // takes), and the preview's gain brings it back to the loudness of the rack as it is.
    let (_, all) = post(&server, "/codette/suggest", &json!({"audio": audio, "instance": id})).await;
    let loudness = all["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "loudness_off_target")
        .unwrap()
        .clone();
    let body = json!({"instance": id, "suggestion": loudness, "preview": true, "audio": audio});
    let (status, answer) = post(&server, "/codette/apply", &body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["applied"], false);
    assert!(rack.loads.lock().unwrap().is_empty(), "a preview changes nothing");
    let preview = &answer["preview"];
    assert!(near(&preview["before_lufs"], -30.0, 0.1), "{preview}");
    assert!(near(&preview["after_lufs"], -14.0, 1.0), "{preview}");
    let gain = preview["gain_db"].as_f64().unwrap();
    assert!(near(&preview["after_lufs"], preview["before_lufs"].as_f64().unwrap() - gain, 1e-3));
    let channels: Vec<Vec<f32>> = serde_json::from_value(preview["audio_data"].clone()).unwrap();
    let heard = codette_dsp::analysis::analyse_programme(&channels[0], &channels[1], SR as f32).meters;
    assert!(near(&json!(heard.lufs_integrated), -30.0, 0.1), "the preview plays at the loudness it had");

    // Applied: one load of the changed document.
    let (status, answer) =
        post(&server, "/codette/apply", &json!({"instance": id, "suggestion": loudness})).await;
    assert_eq!((status, answer["applied"].as_bool()), (200, Some(true)), "{answer}");
    let loads = rack.loads.lock().unwrap().clone();
    assert_eq!(loads.len(), 1);
    assert_eq!(loads[0].slots[0].effect.as_deref(), Some("limiter"));
    assert_eq!(answer["undo"], format!("/api/instances/{id}/undo"));

    // The slot the suggestion names is taken now: applying it again is refused by field.
    let (status, answer) =
        post(&server, "/codette/apply", &json!({"instance": id, "suggestion": loudness})).await;
    assert_eq!(
        (status, answer["error"]["field"].as_str()),
        (422, Some("suggestion.parameters.edits[0].slot")),
        "{answer}"
    );
    let (status, answer) = post(&server, "/codette/apply", &json!({"suggestion": loudness})).await;
    assert_eq!((status, answer["error"]["field"].as_str()), (422, Some("instance")), "{answer}");
}

/// Without an instance, suggestions change the `preset` sent: a full rack leaves no room for
/// the limiter the loudness needs, and says so; a broken preset is refused by field.
#[tokio::test]
async fn suggestions_for_a_preset_sent_with_the_audio() {
    let server = serve();
    let x = sine(-30.0, 4.0);
    let audio = wav_base64(&[&x, &x]);
    let full: Vec<Value> = (0..8).map(|_| json!({"type": "eq3band"})).collect();
    let preset = json!({"format": "codette-rack-preset", "slots": full});
    let (status, answer) =
        post(&server, "/codette/suggest", &json!({"audio": audio, "preset": preset})).await;
    assert_eq!(status, 200, "{answer}");
    let loudness =
        answer["suggestions"].as_array().unwrap().iter().find(|s| s["id"] == "loudness_off_target").unwrap();
    assert_eq!(loudness["parameters"], Value::Null);
    assert!(loudness["unavailable"].as_str().unwrap().contains("the rack is full"), "{loudness}");

    let broken = json!({"format": "codette-rack-preset", "slots": [{"type": "flanger"}]});
    let (status, answer) =
        post(&server, "/codette/suggest", &json!({"audio": audio, "preset": broken})).await;
    assert_eq!((status, answer["error"]["field"].as_str()), (422, Some("preset.slots[0].type")), "{answer}");
}
