//! The transport over loopback: the flat state, the controls and their semantics with a
//! simulated audio thread (the test calls `advance` as the standalone audio thread would), the
//! host's ownership inside a DAW, bad input, and both WebSockets. Expected values are worked
//! out by hand from the definitions in API.md and the route docs.

mod common;

use codette_dsp::modulation::Transport;
use codette_server::{Global, HostFormat, HostTransport, Instance, ServerConfig, ServerStatus};
use common::*;
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

/// The fields API.md lists for the flat state, and no others.
const FIELDS: [&str; 14] = [
    "playing",
    "status",
    "sample_pos",
    "time_seconds",
    "time_formatted",
    "bpm",
    "beat_pos",
    "bar",
    "time_sig",
    "loop_enabled",
    "loop_start_seconds",
    "loop_end_seconds",
    "timestamp_ms",
    "source",
];

/// A plugin instance whose audio thread has seen `seen` of the host's transport.
struct Plugin {
    format: HostFormat,
    seen: Mutex<Option<HostTransport>>,
}

impl Plugin {
    fn new(format: HostFormat) -> Arc<Self> {
        Arc::new(Plugin { format, seen: Mutex::new(None) })
    }
}

impl Instance for Plugin {
    fn name(&self) -> String {
        "Codette Rack".into()
    }
    fn format(&self) -> HostFormat {
        self.format
    }
    fn sample_rate(&self) -> Option<f32> {
        Some(48_000.0)
    }
    fn block_size(&self) -> Option<u32> {
        Some(512)
    }
    fn host_transport(&self) -> Option<HostTransport> {
        *self.seen.lock().unwrap()
    }
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64
}

async fn status(server: &TestServer) -> Value {
    let (code, state) = server.get_json("/transport/status").await;
    assert_eq!(code, 200);
    state
}

/// Posts a command (an empty body when `body` is null) and returns the new state.
async fn command(server: &TestServer, path: &str, body: Value) -> Value {
    let bytes = if body.is_null() { Vec::new() } else { serde_json::to_vec(&body).unwrap() };
    let response = server.post_raw(path, "application/json", bytes).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

/// `frames` of audio at 48 kHz in blocks of 480, as the standalone audio thread runs them.
fn play_audio(server: &TestServer, frames: usize) {
    for _ in 0..frames / 480 {
        server.handle.transport().advance(480, 48_000.0);
    }
}

#[tokio::test]
async fn status_is_the_flat_state_of_the_sidecar_transport() {
    let server = serve();
    let before = now_ms();
    let state = status(&server).await;
    let mut keys: Vec<&str> = state.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut expected = FIELDS.to_vec();
    expected.sort_unstable();
    assert_eq!(keys, expected);
    let timestamp = state["timestamp_ms"].as_u64().unwrap();
    assert!(before <= timestamp && timestamp <= now_ms(), "{timestamp}");
    let mut rest = state.clone();
    rest.as_object_mut().unwrap().remove("timestamp_ms");
    assert_eq!(
        rest,
        json!({
            "playing": false, "status": "stopped", "sample_pos": 0, "time_seconds": 0.0,
            "time_formatted": "00:00.000", "bpm": 120.0, "beat_pos": 0.0, "bar": 1, "time_sig": [4, 4],
            "loop_enabled": false, "loop_start_seconds": 0.0, "loop_end_seconds": 10.0, "source": "sidecar",
        })
    );
}

#[tokio::test]
async fn play_pause_resume_and_stop_follow_the_audio_thread() {
    let server = serve();
    let playing = command(&server, "/transport/play", Value::Null).await;
    assert_eq!((playing["playing"].as_bool(), playing["status"].as_str()), (Some(true), Some("playing")));
    // One second at 48 kHz and 120 bpm: 2 quarter notes, still bar 1.
    play_audio(&server, 48_000);
    let state = status(&server).await;
    assert_eq!(state["sample_pos"], 48_000);
    assert_eq!(
        (state["time_seconds"].as_f64(), state["time_formatted"].as_str()),
        (Some(1.0), Some("00:01.000"))
    );
    assert_eq!((state["beat_pos"].as_f64(), state["bar"].as_i64()), (Some(2.0), Some(1)));

    let paused = command(&server, "/transport/pause", json!({})).await;
    assert_eq!((paused["playing"].as_bool(), paused["status"].as_str()), (Some(false), Some("paused")));
    play_audio(&server, 4800);
    assert_eq!(status(&server).await["sample_pos"], 48_000, "pause keeps the position");

    command(&server, "/transport/resume", Value::Null).await;
    // Another 1.5 s: 2.5 s is 5 quarter notes, the second bar in 4/4.
    play_audio(&server, 72_000);
    let state = status(&server).await;
    assert_eq!(
        (state["sample_pos"].as_i64(), state["time_formatted"].as_str()),
        (Some(120_000), Some("00:02.500"))
    );
    assert_eq!((state["beat_pos"].as_f64(), state["bar"].as_i64()), (Some(5.0), Some(2)));

    let stopped = command(&server, "/transport/stop", Value::Null).await;
    assert_eq!((stopped["status"].as_str(), stopped["sample_pos"].as_i64()), (Some("stopped"), Some(0)));
    play_audio(&server, 4800);
    assert_eq!(status(&server).await["sample_pos"], 0, "stop returns to the start and stays there");
    // Pausing a stopped transport leaves it stopped.
    assert_eq!(command(&server, "/transport/pause", Value::Null).await["status"], "stopped");
}

#[tokio::test]
async fn seek_tempo_and_loop_in_bodies_and_queries() {
    let server = serve();
    // 65.25 s: 3 132 000 samples at 48 kHz; 130.5 quarter notes at 120 bpm, in bar 33 of 4/4.
    let state = command(&server, "/transport/seek", json!({"position": 65.25})).await;
    assert_eq!(
        (state["sample_pos"].as_i64(), state["time_formatted"].as_str()),
        (Some(3_132_000), Some("01:05.250"))
    );
    assert_eq!((state["beat_pos"].as_f64(), state["bar"].as_i64()), (Some(130.5), Some(33)));
    // 90 bpm in 6/8: 97.875 quarter notes, 3 to a bar: bar 33 again (32.625 bars done).
    let state = command(&server, "/transport/tempo", json!({"bpm": 90, "time_sig": [6, 8]})).await;
    assert_eq!((state["bpm"].as_f64(), state["time_sig"].clone()), (Some(90.0), json!([6, 8])));
    assert_eq!((state["beat_pos"].as_f64(), state["bar"].as_i64()), (Some(97.875), Some(33)));
    // The predecessor's names and its query parameters.
    for (path, body, seconds) in [
        ("/transport/seek", json!({"seconds": 1.5}), 1.5),
        ("/transport/seek", json!({"time": 2.0}), 2.0),
        ("/transport/seek", json!({"time_seconds": 0.25}), 0.25),
        ("/transport/seek?seconds=3", Value::Null, 3.0),
    ] {
        assert_eq!(command(&server, path, body).await["time_seconds"].as_f64(), Some(seconds), "{path}");
    }
    let state = command(&server, "/transport/tempo?bpm=140", Value::Null).await;
    assert_eq!((state["bpm"].as_f64(), state["time_sig"].clone()), (Some(140.0), json!([6, 8])));

    // A loop without `enabled` turns looping on, as the predecessor's did.
    let state = command(&server, "/transport/loop", json!({"start": 1, "end": 2})).await;
    let looped = |s: &Value| {
        (s["loop_enabled"].clone(), s["loop_start_seconds"].clone(), s["loop_end_seconds"].clone())
    };
    assert_eq!(looped(&state), (json!(true), json!(1.0), json!(2.0)));
    // From 1.99 s, two blocks of 960 frames: the first crosses 2 s (96 000) and the second
    // starts as far past 1 s: 95 520 + 960 - 96 000 + 48 000 = 48 480.
    command(&server, "/transport/seek", json!({"position": 1.99})).await;
    command(&server, "/transport/play", Value::Null).await;
    let transport = server.handle.transport();
    assert_eq!(transport.advance(960, 48_000.0).position_samples, Some(95_520));
    assert_eq!(transport.advance(960, 48_000.0).position_samples, Some(48_480));
    assert_eq!(status(&server).await["sample_pos"], 49_440);
    // Off keeps the region; bounds under the state's names and in the query work too.
    let state = command(&server, "/transport/loop", json!({"enabled": false})).await;
    assert_eq!(looped(&state), (json!(false), json!(1.0), json!(2.0)));
    let state = command(&server, "/transport/loop", json!({"start_seconds": 4, "end_seconds": 8.5})).await;
    assert_eq!(looped(&state), (json!(true), json!(4.0), json!(8.5)));
    let state = command(&server, "/transport/loop?start=0.5&end=1&enabled=false", Value::Null).await;
    assert_eq!(looped(&state), (json!(false), json!(0.5), json!(1.0)));
}

/// A request's path and body, the status it must get, and the error code and field it names.
type BadInput = (&'static str, &'static [u8], u16, &'static str, Option<&'static str>);

#[tokio::test]
async fn bad_input_is_a_json_4xx_naming_the_field() {
    let server = serve();
    let cases: &[BadInput] = &[
        ("/transport/seek", br#"{"position": -1}"#, 422, "out_of_range", Some("position")),
        ("/transport/seek", br#"{"position": 90000}"#, 422, "out_of_range", Some("position")),
        ("/transport/seek", br#"{"position": "soon"}"#, 422, "invalid_field", Some("position")),
        ("/transport/seek", br#"{}"#, 422, "invalid_field", None),
        ("/transport/seek", br#"{"position": "#, 400, "malformed_json", None),
        ("/transport/seek?seconds=soon", b"", 422, "invalid_field", Some("seconds")),
        ("/transport/tempo", br#"{"bpm": 19}"#, 422, "out_of_range", Some("bpm")),
        ("/transport/tempo", br#"{"bpm": 1000}"#, 422, "out_of_range", Some("bpm")),
        ("/transport/tempo", br#"{}"#, 422, "missing_field", Some("bpm")),
        ("/transport/tempo", br#"{"time_sig": [4, 3]}"#, 422, "out_of_range", Some("time_sig")),
        ("/transport/tempo", br#"{"time_sig": "4/4"}"#, 422, "invalid_field", Some("time_sig")),
        ("/transport/tempo?bpm=5", b"", 422, "out_of_range", Some("bpm")),
        ("/transport/loop", br#"{"start": 3, "end": 2}"#, 422, "invalid_loop", Some("end")),
        ("/transport/loop", br#"{"start": 2, "end": 2}"#, 422, "invalid_loop", Some("end")),
        ("/transport/loop", br#"{"start": -1, "end": 2}"#, 422, "out_of_range", Some("start")),
        ("/transport/loop", br#"{"start": 12}"#, 422, "invalid_loop", Some("end")),
        ("/transport/loop", br#"{"enabled": "yes"}"#, 422, "invalid_field", Some("enabled")),
        ("/transport/loop", br#""4 to 8""#, 422, "invalid_field", None),
    ];
    for (path, body, code, kind, field) in cases {
        let error = server.expect_error(path, "application/json", body.to_vec(), *code).await;
        assert_eq!(error["code"], *kind, "{path} {}", String::from_utf8_lossy(body));
        assert_eq!(error["field"].as_str(), *field, "{path} {}: {error}", String::from_utf8_lossy(body));
        assert!(!error["message"].as_str().unwrap().is_empty());
    }
    // Not marked as JSON (a page's plain form post): refused before anything happens.
    for path in ["/transport/play", "/transport/seek?seconds=1", "/transport/tempo"] {
        let error = server.expect_error(path, "text/plain", b"{}".to_vec(), 415).await;
        assert_eq!(error["code"], "unsupported_media_type");
    }
    let untyped = server.client.post(server.url("/transport/stop")).send().await.unwrap();
    assert_eq!(check_error(untyped, 415).await["code"], "unsupported_media_type");
    // Nothing changed.
    let state = status(&server).await;
    assert_eq!((state["status"].as_str(), state["sample_pos"].as_i64()), (Some("stopped"), Some(0)));
    assert_eq!((state["bpm"].as_f64(), state["loop_end_seconds"].as_f64()), (Some(120.0), Some(10.0)));
    assert!(!state["loop_enabled"].as_bool().unwrap());
}

#[tokio::test]
async fn inside_a_daw_the_host_owns_the_transport() {
    let server = serve();
    let standalone = server.handle.registry().register(Plugin::new(HostFormat::Standalone));
    assert_eq!(status(&server).await["source"], "sidecar", "a standalone instance follows the sidecar");

    let unseen = Plugin::new(HostFormat::Vst3);
    let seeing = Plugin::new(HostFormat::Clap);
    let first = server.handle.registry().register(unseen.clone());
    // Hosted, but no block processed yet: the host's, stopped at the start.
    let state = status(&server).await;
    assert_eq!((state["source"].as_str(), state["status"].as_str()), (Some("host"), Some("stopped")));
    assert_eq!((state["sample_pos"].as_i64(), state["bar"].as_i64()), (Some(0), Some(1)));

    let second = server.handle.registry().register(seeing.clone());
    *seeing.seen.lock().unwrap() = Some(HostTransport {
        transport: Transport {
            playing: true,
            tempo_bpm: 128.0,
            position_beats: Some(4.25),
            position_samples: Some(96_000),
            time_sig: (3, 4),
        },
        sample_rate: 48_000.0,
        loop_seconds: Some((2.0, 6.0)),
    });
    // The first hosted instance that has seen the transport: 96 000 samples at 48 kHz is 2 s;
    // 4.25 quarter notes in 3/4 are in bar 2.
    let state = status(&server).await;
    let mut rest = state.clone();
    rest.as_object_mut().unwrap().remove("timestamp_ms");
    assert_eq!(
        rest,
        json!({
            "playing": true, "status": "playing", "sample_pos": 96000, "time_seconds": 2.0,
            "time_formatted": "00:02.000", "bpm": 128.0, "beat_pos": 4.25, "bar": 2, "time_sig": [3, 4],
            "loop_enabled": true, "loop_start_seconds": 2.0, "loop_end_seconds": 6.0, "source": "host",
        })
    );

    for (path, body) in [
        ("/transport/play", json!({})),
        ("/transport/stop", json!({})),
        ("/transport/pause", json!({})),
        ("/transport/resume", json!({})),
        ("/transport/seek", json!({"position": 1})),
        ("/transport/tempo", json!({"bpm": 100})),
        ("/transport/loop", json!({"start": 0, "end": 1})),
    ] {
        let error =
            server.expect_error(path, "application/json", serde_json::to_vec(&body).unwrap(), 409).await;
        assert_eq!(error["code"], "host_owns_transport", "{path}");
        assert!(error["message"].as_str().unwrap().contains("DAW"), "{error}");
    }
    let mut ws = ws_connect(&server).await;
    send_json(&mut ws, &json!({"type": "transport_play"})).await;
    assert_eq!(next_json(&mut ws).await["type"], "welcome");
    assert_eq!(next_json(&mut ws).await["data"]["code"], "host_owns_transport");
    assert_eq!(server.handle.transport().snapshot().bpm, 120.0, "the sidecar's transport was not touched");

    // Once the DAW's instances are gone, the sidecar's transport is back in charge.
    drop((first, second));
    assert_eq!(command(&server, "/transport/play", Value::Null).await["source"], "sidecar");
    drop(standalone);
}

#[tokio::test]
async fn the_shared_server_serves_the_process_transport() {
    let shared = Global::new();
    let ServerStatus::Running(addr) =
        shared.start_with_config(ServerConfig::at("127.0.0.1:0".parse().unwrap()))
    else {
        panic!("not running")
    };
    // The standalone instance drives the process's transport; the API sees it.
    shared.transport().seek(2.0).unwrap();
    shared.transport().play();
    shared.transport().advance(480, 48_000.0);
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let state: Value =
        client.get(format!("http://{addr}/transport/status")).send().await.unwrap().json().await.unwrap();
    assert_eq!((state["status"].as_str(), state["sample_pos"].as_i64()), (Some("playing"), Some(96_480)));
    tokio::task::spawn_blocking(move || drop(shared)).await.unwrap();
}

/// Connects to `/ws/transport/clock` with this query.
async fn clock(server: &TestServer, query: &str) -> Result<Ws, WsError> {
    let url = format!("ws://{}/ws/transport/clock{query}", server.handle.addr());
    tokio_tungstenite::connect_async(url).await.map(|(ws, _)| ws)
}

/// The text messages that arrive within `window`.
async fn collect(ws: &mut Ws, window: Duration) -> Vec<Value> {
    let end = Instant::now() + window;
    let mut messages = Vec::new();
    while let Ok(Some(Ok(message))) = tokio::time::timeout_at(end.into(), ws.next()).await {
        if let Message::Text(text) = message {
            messages.push(serde_json::from_str(&text).unwrap());
        }
    }
    messages
}

#[tokio::test]
async fn the_clock_pushes_flat_states_at_the_requested_rate() {
    let server = serve();
    // Rates in messages a second, counted over 2 s with room for a loaded machine.
    for (query, rate) in [("?rate=20", 20), ("", 30), ("?rate=60", 60), ("?rate=7", 7)] {
        let mut ws = clock(&server, query).await.unwrap();
        let messages = collect(&mut ws, Duration::from_secs(2)).await;
        let expected = 2 * rate;
        assert!(
            messages.len() * 10 >= expected * 6 && messages.len() <= expected + 4,
            "{query}: {} messages in 2 s",
            messages.len()
        );
        assert!(
            messages.iter().all(|m| m.get("type").is_none() && m["source"] == "sidecar"),
            "flat: {query}"
        );
    }
    // The states follow the transport.
    let mut ws = clock(&server, "?rate=60").await.unwrap();
    command(&server, "/transport/seek", json!({"position": 61.5})).await;
    let messages = collect(&mut ws, Duration::from_millis(500)).await;
    assert_eq!(messages.last().unwrap()["time_formatted"], "01:01.500");

    for query in ["?rate=0", "?rate=61", "?rate=fast", "?rate=-3"] {
        let Err(WsError::Http(response)) = clock(&server, query).await else { panic!("{query} accepted") };
        assert_eq!(response.status(), 400, "{query}");
        let body: Value = serde_json::from_slice(response.body().as_deref().unwrap()).unwrap();
        assert_eq!(
            (body["error"]["code"].as_str(), body["error"]["field"].as_str()),
            (Some("out_of_range"), Some("rate"))
        );
    }
}

/// The next `transport_state` on `/ws` that satisfies `check` (within 5 s).
async fn state_where(ws: &mut Ws, check: impl Fn(&Value) -> bool) -> Value {
    let wait = async {
        loop {
            let message = next_message(ws).await;
            if message["type"] == "transport_state" && check(&message["data"]) {
                return message["data"].clone();
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(5), wait).await.expect("such a state within 5 s")
}

#[tokio::test]
async fn the_websocket_carries_transport_states_and_commands() {
    let server = serve();
    let mut ws = ws_connect(&server).await;
    assert_eq!(next_message(&mut ws).await["data"]["subscribed"], json!(["jobs", "transport"]));
    let messages = collect(&mut ws, Duration::from_secs(1)).await;
    let states = messages.iter().filter(|m| m["type"] == "transport_state").count();
    assert!((36..=64).contains(&states), "{states} transport_state messages in 1 s (60 expected)");
    assert_eq!(messages[0]["data"]["source"], "sidecar");

    // The predecessor's command names, with arguments in `data` or beside `type`.
    send_json(&mut ws, &json!({"type": "transport_play"})).await;
    state_where(&mut ws, |s| s["status"] == "playing").await;
    send_json(&mut ws, &json!({"type": "transport_seek", "data": {"position": 3}})).await;
    state_where(&mut ws, |s| s["time_seconds"] == 3.0).await;
    send_json(&mut ws, &json!({"type": "seek", "time_seconds": 4.5})).await;
    state_where(&mut ws, |s| s["time_formatted"] == "00:04.500").await;
    send_json(&mut ws, &json!({"type": "set_tempo", "data": {"bpm": 100}})).await;
    state_where(&mut ws, |s| s["bpm"] == 100.0).await;
    send_json(&mut ws, &json!({"type": "transport_loop", "data": {"start": 1, "end": 3}})).await;
    state_where(&mut ws, |s| s["loop_enabled"] == true && s["loop_end_seconds"] == 3.0).await;
    send_json(&mut ws, &json!({"type": "transport_pause"})).await;
    state_where(&mut ws, |s| s["status"] == "paused").await;
    send_json(&mut ws, &json!({"type": "transport_stop"})).await;
    state_where(&mut ws, |s| s["status"] == "stopped" && s["sample_pos"] == 0).await;

    send_json(&mut ws, &json!({"type": "transport_seek", "data": {"position": -5}})).await;
    let error = next_json(&mut ws).await;
    assert_eq!(error["type"], "error");
    assert_eq!(
        (error["data"]["code"].as_str(), error["data"]["field"].as_str()),
        (Some("out_of_range"), Some("position"))
    );
    send_json(&mut ws, &json!({"type": "transport_tempo", "data": {"bpm": "fast"}})).await;
    let error = next_json(&mut ws).await;
    assert_eq!(
        (error["data"]["code"].as_str(), error["data"]["field"].as_str()),
        (Some("invalid_field"), Some("bpm"))
    );
    assert_eq!(server.handle.transport().snapshot().bpm, 100.0);
}

#[tokio::test]
async fn pages_from_foreign_origins_may_listen_but_not_command() {
    let server = serve();
    let mut request = format!("ws://{}/ws", server.handle.addr()).into_client_request().unwrap();
    request.headers_mut().insert("origin", "http://evil.example".parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    send_json(&mut ws, &json!({"type": "transport_play"})).await;
    assert_eq!(next_json(&mut ws).await["type"], "welcome");
    assert_eq!(next_json(&mut ws).await["data"]["code"], "forbidden_origin");
    state_where(&mut ws, |s| s["status"] == "stopped").await;
    assert_eq!(status(&server).await["status"], "stopped");
}
