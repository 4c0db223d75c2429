//! The server over loopback: health, instances, effect list, OpenAPI, CORS, auth, limits,
//! start-up rules, and every kind of bad input answered with a JSON 4xx.

mod common;

use codette_server::{start, Global, HostFormat, Instance, ServerConfig, ServerStatus, StartError};
use common::*;
use serde_json::{json, Value};
use std::sync::Arc;

struct FakeInstance(&'static str);

impl Instance for FakeInstance {
    fn name(&self) -> String {
        self.0.to_string()
    }
    fn format(&self) -> HostFormat {
        HostFormat::Vst3
    }
    fn sample_rate(&self) -> Option<f32> {
        Some(48_000.0)
    }
    fn block_size(&self) -> Option<u32> {
        Some(256)
    }
}

#[tokio::test]
async fn health_and_instances_follow_registrations() {
    let server = serve();
    let (status, health) = server.get_json("/health").await;
    assert_eq!(status, 200);
    assert_eq!(health["status"], "ok");
    assert_eq!(health["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(health["address"], server.handle.addr().to_string());
    assert_eq!(health["instances"], 0);
    assert!(health["uptime_seconds"].as_f64().unwrap() >= 0.0);

    let guitar = server.handle.registry().register(Arc::new(FakeInstance("Guitar bus")));
    let _vocal = server.handle.registry().register(Arc::new(FakeInstance("Vocal")));
    assert_eq!(server.get_json("/health").await.1["instances"], 2);
    let (_, list) = server.get_json("/api/instances").await;
    let instances = list["instances"].as_array().unwrap();
    assert_eq!(instances.len(), 2);
    assert_eq!(
        instances[0],
        json!({"id": guitar.id(), "name": "Guitar bus", "format": "vst3", "sample_rate": 48000.0, "block_size": 256})
    );
    // The rack itself comes from the instance; one that offers none says so (the plugin's own
    // instances are tested in plugin/tests/api.rs).
    let error = check_error(server.get(&format!("/api/instances/{}", guitar.id())).await, 501).await;
    assert_eq!(error["code"], "not_supported");

    let id = guitar.id();
    drop(guitar);
    assert_eq!(server.get_json("/health").await.1["instances"], 1);
    let error = check_error(server.get(&format!("/api/instances/{id}")).await, 404).await;
    assert_eq!(error["code"], "not_found");
}

#[tokio::test]
async fn effect_list_at_all_three_paths() {
    let server = serve();
    let (status, list) = server.get_json("/api/effects/list").await;
    assert_eq!(status, 200);
    let effects = list["effects"].as_array().unwrap();
    assert_eq!(effects.len(), codette_dsp::registry::EFFECTS.len());
    let compressor = effects.iter().find(|e| e["id"] == "compressor").unwrap();
    let threshold =
        compressor["parameters"].as_array().unwrap().iter().find(|p| p["id"] == "threshold").unwrap();
    assert_eq!(threshold["min"], -60.0);
    assert_eq!(threshold["max"], 0.0);
    assert_eq!(threshold["default"], -20.0);
    assert_eq!(threshold["unit"], "dB");
    assert!(threshold.get("options").is_none());
    let distortion = effects.iter().find(|e| e["id"] == "distortion").unwrap();
    let kind =
        distortion["parameters"].as_array().unwrap().iter().find(|p| p["id"] == "distortion_type").unwrap();
    assert_eq!(kind["options"], json!(["soft", "hard", "fuzz"]));
    assert_eq!(kind["kind"], "choice");
    for alias in ["/daw/effects/list", "/effects", "/effects/"] {
        assert_eq!(server.get_json(alias).await, (200, list.clone()), "{alias}");
    }
}

/// Every route and method this step provides, as the OpenAPI document must list them.
const ROUTES: &[(&str, &str)] = &[
    ("get", "/health"),
    ("get", "/openapi.json"),
    ("get", "/api/instances"),
    ("get", "/api/instances/{id}"),
    ("patch", "/api/instances/{id}/params"),
    ("put", "/api/instances/{id}/slots/{n}"),
    ("post", "/api/instances/{id}/slots/move"),
    ("get", "/api/instances/{id}/modulation"),
    ("put", "/api/instances/{id}/modulation"),
    ("patch", "/api/instances/{id}/modulation"),
    ("get", "/api/instances/{id}/automation"),
    ("get", "/api/instances/{id}/state"),
    ("put", "/api/instances/{id}/state"),
    ("post", "/api/instances/{id}/undo"),
    ("post", "/api/instances/{id}/redo"),
    ("get", "/api/instances/{id}/meters"),
    ("get", "/api/instances/{id}/spectrum"),
    ("get", "/api/effects/list"),
    ("get", "/daw/effects/list"),
    ("get", "/effects"),
    ("post", "/api/effects/process"),
    ("post", "/daw/effects/process"),
    ("post", "/api/chain/process"),
    ("post", "/api/mixdown"),
    ("get", "/api/jobs"),
    ("get", "/api/jobs/{id}"),
    ("get", "/api/jobs/{id}/result"),
    ("get", "/ws"),
    ("get", "/ws/automation"),
    ("get", "/transport/status"),
    ("post", "/transport/play"),
    ("post", "/transport/stop"),
    ("post", "/transport/pause"),
    ("post", "/transport/resume"),
    ("post", "/transport/seek"),
    ("post", "/transport/tempo"),
    ("post", "/transport/loop"),
    ("get", "/ws/transport/clock"),
    ("post", "/codette/chat"),
    ("post", "/api/ai/recommend-effects"),
    ("post", "/api/ai/auto-mix"),
    ("post", "/codette/analyze"),
    ("post", "/codette/suggest"),
    ("post", "/codette/apply"),
    ("get", "/codette/status"),
    ("get", "/codette/genres"),
];

#[tokio::test]
async fn openapi_document_lists_every_route() {
    let server = serve();
    let (status, doc) = server.get_json("/openapi.json").await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    let paths = doc["paths"].as_object().unwrap();
    for (method, path) in ROUTES {
        let op = &paths.get(*path).unwrap_or_else(|| panic!("{path} missing"))[*method];
        assert!(op.is_object(), "{method} {path} missing");
        assert!(op["responses"].is_object(), "{method} {path} has no responses");
    }
    let mut ids: Vec<&str> = paths
        .values()
        .flat_map(|p| p.as_object().unwrap().values())
        .filter_map(|op| op["operationId"].as_str())
        .collect();
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count, "operation ids are unique");
    // The schemas that requests refer to are there.
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for name in [
        "ErrorResponse",
        "MixdownRequest",
        "TrackRequest",
        "SlotRequest",
        "EffectProcessRequest",
        "ChainProcessRequest",
        "JobInfo",
        "AudioData",
        "TransportState",
        "SeekRequest",
        "TempoRequest",
        "LoopRequest",
    ] {
        assert!(schemas.contains_key(name), "schema {name}");
    }
    validate_with_python(&doc);
}

/// Runs `openapi-spec-validator` (PyPI, pinned in server/tests/requirements.txt) from the
/// project's `.venv`, which `scripts/deps.sh` sets up (the README's test command runs it).
fn validate_with_python(doc: &Value) {
    let python = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run scripts/deps.sh (or scripts/test.sh) to install the test tools",
        python.display()
    );
    let path = std::env::temp_dir().join(format!("codette-openapi-{}.json", std::process::id()));
    std::fs::write(&path, serde_json::to_vec(doc).unwrap()).unwrap();
    let out = std::process::Command::new(&python)
        .arg("-m")
        .arg("openapi_spec_validator")
        .arg(&path)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "openapi-spec-validator: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn cors_allows_loopback_and_configured_origins_only() {
    let mut config = ServerConfig::at("127.0.0.1:0".parse().unwrap());
    config.cors_origins = vec!["https://studio.example".into()];
    let server = serve_with(config);
    let preflight = |origin: &'static str| {
        server
            .client
            .request(reqwest::Method::OPTIONS, server.url("/api/effects/process"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type,authorization")
            .send()
    };
    for origin in ["http://localhost:3000", "http://127.0.0.1:5173", "https://studio.example"] {
        let response = preflight(origin).await.unwrap();
        let allowed =
            response.headers().get("access-control-allow-origin").map(|v| v.to_str().unwrap().to_string());
        assert_eq!(allowed.as_deref(), Some(origin), "{origin}");
    }
    let response = preflight("http://evil.example").await.unwrap();
    assert!(response.headers().get("access-control-allow-origin").is_none());
    let simple = server
        .client
        .get(server.url("/health"))
        .header("origin", "http://localhost:8080")
        .send()
        .await
        .unwrap();
    assert_eq!(simple.headers()["access-control-allow-origin"], "http://localhost:8080");
}

#[tokio::test]
async fn token_is_required_when_configured() {
    let mut config = ServerConfig::at("127.0.0.1:0".parse().unwrap());
    config.token = Some("s3cret".into());
    let server = serve_with(config);
    let missing = check_error(server.get("/health").await, 401).await;
    assert_eq!(missing["code"], "unauthorized");
    assert!(missing["message"].as_str().unwrap().contains("Bearer"));
    let wrong = server.client.get(server.url("/api/effects/list")).bearer_auth("guess").send().await.unwrap();
    assert_eq!(check_error(wrong, 401).await["message"], "the bearer token is wrong");
    let body = serde_json::to_vec(&json!({"effect_type": "gate", "audio_data": [0.0]})).unwrap();
    let post = server
        .client
        .post(server.url("/api/effects/process"))
        .header("content-type", "application/json")
        .body(body);
    check_error(post.send().await.unwrap(), 401).await;
    let right = server.client.get(server.url("/health")).bearer_auth("s3cret").send().await.unwrap();
    assert_eq!(right.status(), 200);
    // WebSockets can pass it in the query, and are refused without it.
    let ws = format!("ws://{}/ws?token=s3cret", server.handle.addr());
    assert!(tokio_tungstenite::connect_async(ws).await.is_ok());
    let ws = format!("ws://{}/ws?token=nope", server.handle.addr());
    assert!(tokio_tungstenite::connect_async(ws).await.is_err());
}

#[test]
fn non_loopback_without_token_is_refused_at_start() {
    let error = start(ServerConfig::at("0.0.0.0:0".parse().unwrap())).err().expect("refused");
    assert!(matches!(error, StartError::TokenRequired(_)));
    let message = error.to_string();
    assert!(message.contains("CODETTE_API_TOKEN") && message.contains("0.0.0.0"), "{message}");
}

#[test]
fn a_taken_port_falls_back_to_the_next_ones() {
    let blocker = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken = blocker.local_addr().unwrap();
    let server = start(ServerConfig::at(taken)).expect("falls back");
    let port = server.addr().port();
    assert!(port > taken.port() && port <= taken.port() + 10, "{port} after {}", taken.port());
    server.shutdown();
}

#[tokio::test]
async fn when_every_port_is_taken_start_says_which() {
    // Eleven consecutive free ports, all taken.
    let blockers = (0..50)
        .find_map(|_| {
            let first = std::net::TcpListener::bind("127.0.0.1:0").ok()?;
            let port = first.local_addr().ok()?.port();
            if port > 65_000 {
                return None;
            }
            let mut all = vec![first];
            for p in port + 1..=port + 10 {
                all.push(std::net::TcpListener::bind(("127.0.0.1", p)).ok()?);
            }
            Some(all)
        })
        .expect("a free range of ports");
    let first = blockers[0].local_addr().unwrap();
    let error = start(ServerConfig::at(first)).err().expect("no port left");
    assert!(matches!(error, StartError::Bind { .. }));
    let message = error.to_string();
    assert!(
        message.contains(&first.to_string()) && message.contains(&(first.port() + 10).to_string()),
        "{message}"
    );
}

#[tokio::test]
async fn shutdown_stops_answering_and_closes_websockets() {
    use futures_util::StreamExt;
    let server = serve();
    let (mut ws, _) =
        tokio_tungstenite::connect_async(format!("ws://{}/ws", server.handle.addr())).await.unwrap();
    let _welcome = ws.next().await.unwrap().unwrap();
    let TestServer { handle, client, base } = server;
    let started = std::time::Instant::now();
    tokio::task::spawn_blocking(move || handle.shutdown()).await.unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(3), "graceful but prompt");
    let closed = loop {
        match ws.next().await {
            None | Some(Err(_)) => break true,
            Some(Ok(m)) if m.is_close() => break true,
            Some(Ok(_)) => continue,
        }
    };
    assert!(closed);
    assert!(client.get(format!("{base}/health")).send().await.is_err());
}

#[tokio::test]
async fn the_shared_server_starts_once_and_keeps_failures_to_itself() {
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let shared = Global::new();
    let status = shared.start_with_config(ServerConfig::at("127.0.0.1:0".parse().unwrap()));
    let ServerStatus::Running(addr) = status else { panic!("{status}") };
    let a = shared.register(Arc::new(FakeInstance("A")));
    let b = shared.register(Arc::new(FakeInstance("B")));
    assert_eq!(shared.address(), Some(addr), "one server for every instance");
    let health: Value =
        client.get(format!("http://{addr}/health")).send().await.unwrap().json().await.unwrap();
    assert_eq!(health["instances"], 2);

    // The last instance gone, the server stops (the host may unload the library next) ...
    drop(a);
    assert_eq!(shared.address(), Some(addr));
    let stopper = shared.clone();
    tokio::task::spawn_blocking(move || drop((b, stopper))).await.unwrap();
    assert_eq!(shared.status(), ServerStatus::NotStarted);
    assert!(client.get(format!("http://{addr}/health")).send().await.is_err());
    // ... and the next registration starts it again.
    let c = shared.register(Arc::new(FakeInstance("C")));
    let addr = shared.address().expect("running again");
    let health: Value =
        client.get(format!("http://{addr}/health")).send().await.unwrap().json().await.unwrap();
    assert_eq!(health["instances"], 1);
    tokio::task::spawn_blocking(move || drop(c)).await.unwrap();

    let broken = Global::new();
    let status = broken.start_with_config(ServerConfig::at("0.0.0.0:0".parse().unwrap()));
    assert!(matches!(status, ServerStatus::Failed(_)));
    let registration = broken.register(Arc::new(FakeInstance("C")));
    assert_eq!(broken.registry().len(), 1, "registering still works");
    assert!(broken.error().unwrap().contains("token"));
    assert_eq!(broken.address(), None);
    drop(registration);

    let off = Global::new();
    let mut config = ServerConfig::at("127.0.0.1:0".parse().unwrap());
    config.enabled = false;
    assert_eq!(off.start_with_config(config), ServerStatus::Disabled);
}

fn json_bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap()
}

#[tokio::test]
async fn bad_requests_get_json_4xx_naming_the_problem() {
    let server = serve();
    let process = "/api/effects/process";
    const JSON: &str = "application/json";

    let e = server.expect_error(process, JSON, b"{\"effect_type\": \"gate\", ".to_vec(), 400).await;
    assert_eq!(e["code"], "malformed_json");

    let e = server
        .expect_error(
            process,
            JSON,
            json_bytes(&json!({"effect_type": "gate", "audio_data": [0.1], "sample_rate": "fast"})),
            422,
        )
        .await;
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("invalid_field"), Some("sample_rate")));

    let e = server
        .expect_error(
            process,
            JSON,
            json_bytes(&json!({"effect_type": "gate", "audio_data": [0.1, "x"]})),
            422,
        )
        .await;
    assert_eq!(e["field"], "audio_data[1]");

    let e = server.expect_error(process, JSON, json_bytes(&json!({"audio_data": [0.1]})), 422).await;
    assert!(e["message"].as_str().unwrap().contains("effect_type"), "{e}");

    let e = server
        .expect_error(
            process,
            JSON,
            json_bytes(&json!({"effect_type": "flanger9000", "audio_data": [0.1]})),
            422,
        )
        .await;
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("unknown_effect"), Some("effect_type")));
    assert!(e["message"].as_str().unwrap().contains("compressor"), "lists the known effects");

    let body = json!({"effect_type": "compressor", "parameters": {"treshold": -10}, "audio_data": [0.1]});
    let e = server.expect_error(process, JSON, json_bytes(&body), 422).await;
    assert_eq!(
        (e["code"].as_str(), e["field"].as_str()),
        (Some("unknown_parameter"), Some("parameters.treshold"))
    );

    let body = json!({"effect_type": "compressor", "parameters": {"threshold": 10}, "audio_data": [0.1]});
    let e = server.expect_error(process, JSON, json_bytes(&body), 422).await;
    assert_eq!(
        (e["code"].as_str(), e["field"].as_str()),
        (Some("out_of_range"), Some("parameters.threshold"))
    );
    assert!(e["message"].as_str().unwrap().contains("between -60 and 0"), "{e}");

    let body = json!({"effect_type": "distortion", "parameters": {"distortion_type": "crunchy"}, "audio_data": [0.1]});
    let e = server.expect_error(process, JSON, json_bytes(&body), 422).await;
    assert!(e["message"].as_str().unwrap().contains("soft, hard, fuzz"), "{e}");

    let body = json!({"effect_type": "gate", "audio_data": [0.1], "sample_rate": 8000});
    let e = server.expect_error(process, JSON, json_bytes(&body), 422).await;
    assert!(e["message"].as_str().unwrap().contains("22050 and 192000"), "{e}");

    let body = json!({"effect_type": "gate", "audio_data": [[0.1, 0.2], [0.3]]});
    assert_eq!(server.expect_error(process, JSON, json_bytes(&body), 422).await["code"], "invalid_audio");

    let body = json!({"chain": [{"type": "gate"}, {"type": "compressor", "mix": 2}], "audio_data": [0.1]});
    let e = server.expect_error("/api/chain/process", JSON, json_bytes(&body), 422).await;
    assert_eq!(e["field"], "chain[1].mix");

    // WAV bodies.
    let wav = wav_bytes(&[sine(440.0, 0.5, 0.1, 48_000)], 48_000, 16, false);
    let e = server
        .expect_error(
            &format!("{process}?effect_type=gate"),
            "audio/wav",
            wav[..wav.len() - 333].to_vec(),
            400,
        )
        .await;
    assert_eq!(e["code"], "invalid_wav");
    assert!(e["message"].as_str().unwrap().contains("truncated"), "{e}");
    let e = server
        .expect_error(
            &format!("{process}?effect_type=gate"),
            "audio/wav",
            b"ID3\x03 an mp3, not a wav".to_vec(),
            400,
        )
        .await;
    assert_eq!(e["code"], "invalid_wav");
    let e = server.expect_error(process, "audio/wav", wav.clone(), 422).await;
    assert_eq!(e["field"], "effect_type");
    let e = server
        .expect_error(&format!("{process}?effect_type=gate&hold=999"), "audio/wav", wav.clone(), 422)
        .await;
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("out_of_range"), Some("hold")));
    let e = server
        .expect_error(&format!("{process}?effect_type=gate&params=%7Bnope"), "audio/wav", wav.clone(), 422)
        .await;
    assert_eq!(e["field"], "params");

    // Content types: a form, plain text or no type at all is refused (no CSRF from web pages).
    for content_type in ["application/x-www-form-urlencoded", "text/plain"] {
        let e = server
            .expect_error(
                process,
                content_type,
                json_bytes(&json!({"effect_type": "gate", "audio_data": [0.1]})),
                415,
            )
            .await;
        assert_eq!(e["code"], "unsupported_media_type");
    }
    let untyped = server.client.post(server.url(process)).body("{}").send().await.unwrap();
    check_error(untyped, 415).await;

    // Router errors are JSON too.
    assert_eq!(check_error(server.get("/no/such/route").await, 404).await["code"], "not_found");
    let delete = server.client.delete(server.url("/health")).send().await.unwrap();
    assert_eq!(check_error(delete, 405).await["code"], "method_not_allowed");
    assert_eq!(check_error(server.get("/ws").await, 400).await["code"], "bad_request");

    server.assert_alive().await;
}

#[tokio::test]
async fn bodies_over_the_limit_get_413() {
    let mut config = ServerConfig::at("127.0.0.1:0".parse().unwrap());
    config.audio_body_limit = 64 * 1024;
    config.body_limit = 1024;
    let server = serve_with(config);
    for (path, length) in [("/api/effects/process", 64 * 1024 + 1), ("/api/mixdown", 300 << 20)] {
        let (status, e) = server.announce_body(path, length).await;
        assert_eq!(status, 413, "{path}");
        assert_eq!(e["code"], "payload_too_large", "{path}");
        assert!(e["message"].is_string());
    }
    // Under the limit is fine.
    let ok = server
        .post_json("/api/effects/process", &json!({"effect_type": "gate", "audio_data": [0.1, 0.2]}))
        .await;
    assert_eq!(ok.status(), 200);
    server.assert_alive().await;
}

#[tokio::test]
async fn websocket_answers_unknown_messages_without_disconnecting() {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    let server = serve();
    let mut ws = ws_connect(&server).await;
    let welcome = next_json(&mut ws).await;
    assert_eq!(welcome["type"], "welcome");
    assert_eq!(welcome["data"]["subscribed"], json!(["jobs", "transport"]));

    let exchanges = [
        (json!({"type": "fly", "data": {}}).to_string(), "unknown_message_type"),
        ("not json".to_string(), "malformed_message"),
        (json!({"type": "subscribe", "data": {"streams": ["nope"]}}).to_string(), "unknown_stream"),
    ];
    for (sent, code) in exchanges {
        ws.send(Message::Text(sent.into())).await.unwrap();
        let reply = next_json(&mut ws).await;
        assert_eq!(reply["type"], "error");
        assert_eq!(reply["data"]["code"], code, "{reply}");
    }
    assert_eq!(next_json(&mut ws).await["type"], "subscribed", "the subscription list follows a subscribe");
    ws.send(Message::Binary(vec![1, 2, 3].into())).await.unwrap();
    assert_eq!(next_json(&mut ws).await["data"]["code"], "unsupported_message");
    send_json(&mut ws, &json!({"type": "unsubscribe", "data": {"streams": ["jobs", "transport"]}})).await;
    assert_eq!(next_json(&mut ws).await, json!({"type": "subscribed", "data": {"streams": []}}));
    send_json(&mut ws, &json!({"type": "ping", "data": {"n": 7}})).await;
    assert_eq!(next_json(&mut ws).await, json!({"type": "pong", "data": {"n": 7}}));
    server.assert_alive().await;
}

#[tokio::test]
async fn a_slow_websocket_client_is_dropped_from_the_topic_without_slowing_others() {
    let server = serve();
    let hub = server.handle.hub().clone();
    hub.declare("bulk", false);
    let url = format!("ws://{}/ws?streams=bulk", server.handle.addr());
    let (mut fast, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    let (mut slow, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    assert_eq!(next_json(&mut fast).await["data"]["subscribed"], json!(["bulk"]));
    assert_eq!(next_json(&mut slow).await["data"]["subscribed"], json!(["bulk"]));
    // 12 MB in 4 kB messages: far more than the slow client's socket buffers and queue hold.
    // The fast client reads every batch before the next is published, and gets them all.
    let padding = "x".repeat(4096);
    let (batches, per_batch) = (30, 100);
    for batch in 0..batches {
        for i in 0..per_batch {
            assert!(
                hub.publish("bulk", "blob", json!({"n": batch * per_batch + i, "padding": padding})) >= 1
            );
        }
        for i in 0..per_batch {
            assert_eq!(next_json(&mut fast).await["data"]["n"], batch * per_batch + i);
        }
    }
    // The slow client now reads: the stream stops with a slow_consumer error, well before the end.
    let mut received = 0;
    let dropped = loop {
        let message = next_json(&mut slow).await;
        match message["type"].as_str().unwrap() {
            "blob" => received += 1,
            "error" => break message,
            other => panic!("unexpected {other}"),
        }
    };
    assert_eq!(dropped["data"]["code"], "slow_consumer");
    assert!(received < batches * per_batch, "dropped after {received}");
    // It can subscribe again, and the connection is still alive.
    send_json(&mut slow, &json!({"type": "subscribe", "data": {"streams": ["bulk"]}})).await;
    assert_eq!(next_json(&mut slow).await["data"]["streams"], json!(["bulk"]));
    hub.publish("bulk", "blob", json!({"n": -1}));
    assert_eq!(next_json(&mut slow).await["data"]["n"], -1);
}
