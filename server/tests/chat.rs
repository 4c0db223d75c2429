//! Codette's routes over loopback: recommended chains (tuned to audio, metrics or an
//! instance's meters) and chat (embedded, and through a configured model).

mod common;

use codette_assistant::chat::llm::LlmConfig;
use codette_dsp::chain::SlotConfig;
use codette_dsp::preset::Preset;
use codette_server::instance::{MetersView, SpectrumView};
use codette_server::{ApiError, HostFormat, Instance, ServerConfig};
use common::*;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

#[path = "../../assistant/tests/fixtures/loud_master.rs"]
mod loud_master;
use loud_master::loud_master;

/// An instance whose meters read [`loud_master`], playing (`Metered(true)`) or stopped.
struct Metered(bool);

impl Instance for Metered {
    fn name(&self) -> String {
        "Master".into()
    }
    fn format(&self) -> HostFormat {
        HostFormat::Clap
    }
    fn sample_rate(&self) -> Option<f32> {
        Some(48_000.0)
    }
    fn block_size(&self) -> Option<u32> {
        Some(512)
    }
    fn meters(&self) -> Result<MetersView, ApiError> {
        let mut gain_reduction_db = vec![None; 8];
        gain_reduction_db[1] = Some(3.0);
        Ok(MetersView { active: self.0, meters: loud_master(), gain_reduction_db })
    }
    /// A flat spectrum: the findings are judged on the meters.
    fn spectrum(&self) -> Result<SpectrumView, ApiError> {
        let frequencies: Vec<f32> = (0..256).map(|i| 20.0 * 1000f32.powf(i as f32 / 255.0)).collect();
        Ok(SpectrumView { active: true, db: vec![-40.0; frequencies.len()], frequencies })
    }
    fn preset(&self) -> Result<Preset, ApiError> {
        let mut preset = Preset::new("rack");
        preset.slots = vec![SlotConfig::empty(), SlotConfig::effect("compressor").with("threshold", -16.0)];
        Ok(preset)
    }
}

async fn post(server: &TestServer, path: &str, body: Value) -> (u16, Value) {
    let response = server.post_json(path, &body).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

fn slot_with<'a>(preset: &'a Value, effect: &str) -> &'a Value {
    preset["slots"].as_array().unwrap().iter().find(|s| s["type"] == effect).unwrap()
}

#[tokio::test]
async fn recommended_chains_load_and_follow_the_measurements() {
    let server = serve();
    let (status, plain) =
        post(&server, "/api/ai/recommend-effects", json!({"instrument": "vocals", "genre": "pop"})).await;
    assert_eq!(status, 200, "{plain}");
    let preset: Preset = serde_json::from_value(plain["preset"].clone()).unwrap();
    preset.validate(8, 8).unwrap();
    assert_eq!(plain["tuned"], false);
    assert_eq!(plain["slots"].as_array().unwrap().len(), preset.slots.len());
    assert!(plain["slots"].as_array().unwrap().iter().all(|s| !s["reason"].as_str().unwrap().is_empty()));

    // A 1 kHz sine of amplitude 0.25: RMS 20·log10(0.25/√2) dBFS; pop puts the threshold 4 dB
    // above it, in 0.5 dB steps.
    let rms = 20.0 * (0.25f64 / 2f64.sqrt()).log10();
    let audio = sine(1000.0, 0.25, 2.0, 48_000);
    let body = json!({"instrument": "vocal", "genre": "Pop", "audio_data": audio, "sample_rate": 48_000});
    let (status, tuned) = post(&server, "/api/ai/recommend-effects", body).await;
    assert_eq!(status, 200, "{tuned}");
    assert_eq!(tuned["tuned"], true);
    assert!((tuned["metrics"]["rms_dbfs"].as_f64().unwrap() - rms).abs() < 0.01, "{}", tuned["metrics"]);
    let threshold = ((rms + 4.0) * 2.0).round() / 2.0;
    assert_eq!(
        slot_with(&tuned["preset"], "compressor")["parameters"]["threshold"].as_f64().unwrap(),
        threshold
    );
    let change =
        tuned["adjustments"].as_array().unwrap().iter().find(|a| a["parameter"] == "threshold").unwrap();
    assert_eq!(change["slot"], 3);
    assert!(change["reason"].as_str().unwrap().contains(&format!("{rms:.1}")));

    // A master from an instance's meters: the limiter raises −8.2 LUFS to the −6 LUFS asked for,
    // with a −2 dBTP ceiling for a target above −14 LUFS, its threshold 1.5 dB under it.
    let registration = server.handle.registry().register(Arc::new(Metered(true)));
    let body = json!({"instrument": "master", "genre": "electronic", "instance": registration.id(), "target_lufs": -6.0});
    let (status, master) = post(&server, "/api/ai/recommend-effects", body).await;
    assert_eq!(status, 200, "{master}");
    let limiter = slot_with(&master["preset"], "limiter");
    assert_eq!(limiter["parameters"]["threshold"], -3.5);
    assert_eq!(limiter["input_db"].as_f64().unwrap(), ((-6.0f64 + 8.2) * 2.0).round() / 2.0);
    // Metrics given directly do the same.
    let body =
        json!({"instrument": "master", "genre": "electronic", "metrics": loud_master(), "target_lufs": -6.0});
    assert_eq!(post(&server, "/api/ai/recommend-effects", body).await.1["preset"], master["preset"]);
}

#[tokio::test]
async fn recommend_rejects_what_it_cannot_use() {
    let server = serve();
    for (body, status, field) in [
        (json!({"instrument": "kazoo", "genre": "pop"}), 422, "instrument"),
        (json!({"instrument": "bass", "genre": "polka"}), 422, "genre"),
        (json!({"instrument": "bass", "genre": "rock", "target_lufs": 3.0}), 422, "target_lufs"),
        (
            json!({"instrument": "bass", "genre": "rock", "metrics": loud_master(), "audio_data": [0.0]}),
            422,
            "metrics",
        ),
        (json!({"instrument": "bass", "genre": "rock", "instance": "99"}), 404, "instance"),
        (json!({"instrument": "bass", "genre": "rock", "audio": "%%%"}), 400, ""),
        (json!({"instrument": "bass"}), 422, ""),
    ] {
        let error = check_error(server.post_json("/api/ai/recommend-effects", &body).await, status).await;
        if !field.is_empty() {
            assert_eq!(error["field"], field, "{body}: {error}");
        }
    }
    // A name Codette does not know is refused as every Codette route refuses one: with its
    // field's code and the names it knows.
    let body = json!({"instrument": "bass", "genre": "polka"});
    let error = check_error(server.post_json("/api/ai/recommend-effects", &body).await, 422).await;
    assert_eq!(error["code"], "unknown_genre");
    for genre in codette_assistant::Genre::ALL {
        assert!(error["message"].as_str().unwrap().contains(genre.id()), "{error}");
    }
}

#[tokio::test]
async fn chat_answers_from_an_instances_meters() {
    let server = serve();
    let registration = server.handle.registry().register(Arc::new(Metered(true)));
    let body = json!({"message": "Is it too loud for Spotify?", "instance": registration.id(), "perspective": "davinci", "conversation_id": "c-1"});
    let (status, answer) = post(&server, "/codette/chat", body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["perspective"], "davinci");
    assert_eq!(answer["conversation_id"], "c-1");
    assert_eq!(answer["source"], "embedded");
    let text = answer["response"].as_str().unwrap();
    assert!(
        text.contains("-8.2 LUFS") && text.contains(&format!("turns it down {:.1} dB", -8.2 + 14.0)),
        "{text}"
    );
    assert!(answer["confidence"].as_f64().unwrap() >= 0.9);
    assert!(answer["timestamp"].as_str().unwrap().ends_with('Z'));
    assert!(answer["follow_ups"].as_array().unwrap().iter().any(|s| s.as_str().unwrap().contains("peaks")));

    // The instance's rack: its compressor's settings against its RMS (−10.1 dBFS), and its
    // gain reduction.
    let body = json!({"message": "how is my compressor set?", "instance": registration.id()});
    let text = post(&server, "/codette/chat", body).await.1["response"].as_str().unwrap().to_string();
    assert!(text.contains("takes 3.0 dB off now"), "{text}");
    assert!(text.contains(&format!("{:+.1} dB from the measured RMS", -16.0 + 10.1)), "{text}");

    // What is wrong: the findings /codette/analyze makes of the same meters, with the
    // suggestions /codette/suggest makes for them (the ids /codette/apply looks up).
    let id = registration.id();
    let (_, wrong) =
        post(&server, "/codette/chat", json!({"message": "what's wrong with my mix?", "instance": id})).await;
    let (_, analysis) = post(&server, "/codette/analyze", json!({"instance": id})).await;
    let text = wrong["response"].as_str().unwrap();
    for finding in analysis["findings"].as_array().unwrap() {
        assert!(text.contains(finding["description"].as_str().unwrap()), "{finding} in {text}");
    }
    let (_, suggested) = post(&server, "/codette/suggest", json!({"instance": id})).await;
    let chat_suggestions = wrong["suggestions"].as_array().unwrap();
    assert!(!chat_suggestions.is_empty());
    for s in chat_suggestions {
        assert!(suggested["suggestions"].as_array().unwrap().contains(s), "{s} not in {suggested}");
    }
    // How to fix the loudness: a limiter last, its input lowered from the measured −8.2 LUFS to
    // the streaming target's −14.
    let (_, fix) =
        post(&server, "/codette/chat", json!({"message": "how do I make it less loud?", "instance": id}))
            .await;
    let fix = fix["suggestions"].as_array().unwrap();
    assert_eq!(fix.len(), 1, "{fix:?}");
    let limiter = &fix[0]["parameters"]["edits"][0]["config"];
    assert_eq!(limiter["type"], "limiter", "{fix:?}");
    assert_eq!(limiter["input_db"].as_f64().unwrap(), ((-14.0f64 + 8.2) * 10.0).round() / 10.0);

    // A stopped instance is not measured, but its rack still answers.
    let stopped = server.handle.registry().register(Arc::new(Metered(false)));
    let body = json!({"message": "how is my compressor set?", "instance": stopped.id()});
    let (status, answer) = post(&server, "/codette/chat", body).await;
    assert_eq!(status, 200, "{answer}");
    let text = answer["response"].as_str().unwrap();
    assert!(text.to_lowercase().contains("slot 2 holds the compressor"), "{text}");
    assert!(!text.contains("takes 3.0 dB off now") && answer["suggestions"] == json!([]), "{answer}");

    let (_, bare) = post(&server, "/codette/chat", json!({"message": "what does the limiter do?"})).await;
    assert_eq!(bare["perspective"], "mix_engineering");
    assert!(bare["response"].as_str().unwrap().contains("`lookahead` 0.10 ms..50.0 ms"), "{bare}");

    for (body, status, field) in [
        (json!({"message": "  "}), 422, "message"),
        (json!({"message": "hi", "perspective": "astrology"}), 422, "perspective"),
        (json!({"message": "hi", "instance": "77"}), 404, "instance"),
        (json!({"message": "hi", "target": "vinyl"}), 422, "target"),
    ] {
        let error = check_error(server.post_json("/codette/chat", &body).await, status).await;
        assert_eq!(error["field"], field);
    }
}

/// A chat-completions endpoint on loopback that echoes the user's message and records the
/// system message.
async fn fake_model() -> (String, Arc<std::sync::Mutex<Vec<Value>>>) {
    use axum::{routing::post, Json, Router};
    let seen: Arc<std::sync::Mutex<Vec<Value>>> = Arc::default();
    let log = seen.clone();
    let app = Router::new().route(
        "/v1/chat/completions",
        post(move |Json(body): Json<Value>| async move {
            log.lock().unwrap().push(body.clone());
            let content = format!("model: {}", body["messages"][1]["content"].as_str().unwrap());
            Json(json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]}))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1/chat/completions", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

fn with_model(endpoint: String) -> ServerConfig {
    let mut config = ServerConfig::at("127.0.0.1:0".parse().unwrap());
    config.llm = Some(LlmConfig { endpoint, model: "m".into(), key: None, timeout: Duration::from_secs(5) });
    config
}

#[tokio::test]
async fn chat_goes_through_a_configured_model_and_falls_back_without_it() {
    let (url, seen) = fake_model().await;
    let server = serve_with(with_model(url));
    let registration = server.handle.registry().register(Arc::new(Metered(true)));
    let (status, answer) =
        post(&server, "/codette/chat", json!({"message": "how wide is it?", "instance": registration.id()}))
            .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        (answer["source"].clone(), answer["response"].clone()),
        (json!("llm"), json!("model: how wide is it?"))
    );
    let system = seen.lock().unwrap()[0]["messages"][0]["content"].as_str().unwrap().to_string();
    assert!(
        system.contains(&serde_json::to_string(&loud_master()).unwrap()),
        "the instance's meters: {system}"
    );

    // Nothing listens on the configured port: the embedded engine answers and says why.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let server = serve_with(with_model(format!("http://127.0.0.1:{port}/v1/chat/completions")));
    let registration = server.handle.registry().register(Arc::new(Metered(true)));
    let (_, answer) =
        post(&server, "/codette/chat", json!({"message": "how wide is it?", "instance": registration.id()}))
            .await;
    assert_eq!(answer["source"], "embedded");
    assert!(answer["fallback"].as_str().unwrap().contains("could not be reached"));
    assert!(answer["response"].as_str().unwrap().contains("width 0.52"), "{answer}");
}

/// Integrated loudness of a mono signal placed with the mixdown's law: duplicated, then
/// L = g·cos θ, R = g·sin θ with θ = (pan + 1)·π/4.
fn placed_loudness(mono: &[f32], volume_db: f64, pan: f64) -> f64 {
    let gain = 10f64.powf(volume_db / 20.0);
    let theta = (pan + 1.0) * std::f64::consts::FRAC_PI_4;
    let left: Vec<f32> = mono.iter().map(|x| x * (gain * theta.cos()) as f32).collect();
    let right: Vec<f32> = mono.iter().map(|x| x * (gain * theta.sin()) as f32).collect();
    let mut meter = ebur128::EbuR128::new(2, 48_000, ebur128::Mode::I).unwrap();
    meter.add_frames_planar_f32(&[&left, &right]).unwrap();
    meter.loudness_global().unwrap()
}

#[tokio::test]
async fn auto_mix_balances_the_heard_tracks_after_their_chains() {
    let server = serve();
    let a = sine(1000.0, 0.5, 2.0, 48_000);
    let b = sine(300.0, 0.5, 2.0, 48_000);
    // A's chain takes exactly 6 dB off its 1 kHz sine (an RBJ peak at its own frequency).
    let chain = json!([{"type": "eq3band", "parameters": {"mid_gain": -6.0, "mid_freq": 1000.0}}]);
    let body = json!({"tracks": [
        {"name": "a", "audio_data": a, "sample_rate": 48_000, "effect_chain": chain},
        {"name": "b", "audio_data": b, "sample_rate": 48_000, "volume_db": -12.0, "pan": 0.3},
        {"name": "muted", "audio_data": a, "sample_rate": 48_000, "mute": true},
    ]});
    let (status, mix) = post(&server, "/api/ai/auto-mix", body).await;
    assert_eq!(status, 200, "{mix}");
    let tracks = mix["tracks"].as_array().unwrap();
    assert_eq!(
        tracks.iter().map(|t| t["index"].as_u64().unwrap()).collect::<Vec<_>>(),
        [0, 1],
        "the muted track is left out"
    );
    let at = |t: &Value, key: &str| t[key]["to"].as_f64().unwrap();
    let a_after: Vec<f32> = a.iter().map(|x| x * 10f32.powf(-6.0 / 20.0)).collect();
    let la = placed_loudness(&a_after, at(&tracks[0], "volume_db"), at(&tracks[0], "pan"));
    let lb = placed_loudness(&b, at(&tracks[1], "volume_db"), at(&tracks[1], "pan"));
    let before = (placed_loudness(&a_after, 0.0, 0.0) - placed_loudness(&b, -12.0, 0.3)).abs();
    assert!(before > 5.0 && (la - lb).abs() < 0.5, "spread {before:.2} LU → {:.2} LU", (la - lb).abs());
    assert!(
        (mix["before"]["loudness_spread_lu"].as_f64().unwrap() - before).abs() < 0.3,
        "{}",
        mix["before"]
    );
    assert!(tracks.iter().all(|t| !t["reasons"].as_array().unwrap().is_empty()));

    for (body, field) in [
        (json!({"tracks": []}), "tracks"),
        (json!({"tracks": [{"audio_data": [0.0, 0.1], "pan": 2.0}]}), "tracks[0].pan"),
        (json!({"tracks": [{"volume_db": 0.0}]}), "tracks[0].audio"),
    ] {
        let error = check_error(server.post_json("/api/ai/auto-mix", &body).await, 422).await;
        assert_eq!(error["field"], field, "{error}");
    }
}
