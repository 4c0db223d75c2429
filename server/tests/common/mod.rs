//! Shared by the integration tests: a real server on loopback, a client, and test signals.
#![allow(dead_code)]

use codette_dsp::chain::{build_rack, SlotConfig};
use codette_server::{start, ServerConfig, ServerHandle};
use serde_json::Value;
use std::io::Cursor;

pub struct TestServer {
    pub handle: ServerHandle,
    pub client: reqwest::Client,
    pub base: String,
}

/// A server on a free loopback port.
pub fn serve() -> TestServer {
    serve_with(ServerConfig::at("127.0.0.1:0".parse().unwrap()))
}

pub fn serve_with(config: ServerConfig) -> TestServer {
    let handle = start(config).expect("server starts");
    let base = handle.url();
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    TestServer { handle, client, base }
}

impl TestServer {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        (status, response.json().await.expect("JSON body"))
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.post_raw(path, "application/json", serde_json::to_vec(body).unwrap()).await
    }

    pub async fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("POST")
    }

    /// Announces a body of `length` bytes and sends none of it, as a client does before a huge
    /// upload: the server must answer from the headers alone. Returns the status and the JSON
    /// `error` object. (Sending the real body races with the server closing the connection.)
    pub async fn announce_body(&self, path: &str, length: usize) -> (u16, Value) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let host = self.base.trim_start_matches("http://");
        let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect");
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
             Content-Length: {length}\r\nConnection: close\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).await.expect("send headers");
        let mut response = Vec::new();
        tokio::time::timeout(std::time::Duration::from_secs(5), stream.read_to_end(&mut response))
            .await
            .expect("the server answers without waiting for the body")
            .expect("read");
        let text = String::from_utf8_lossy(&response);
        let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("status line");
        let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
        let json: Value =
            serde_json::from_str(body).unwrap_or_else(|e| panic!("JSON error body ({e}): {body}"));
        (status, json["error"].clone())
    }

    /// Posts and expects a JSON error with this status; returns the `error` object.
    pub async fn expect_error(&self, path: &str, content_type: &str, body: Vec<u8>, status: u16) -> Value {
        let response = self.post_raw(path, content_type, body).await;
        check_error(response, status).await
    }

    /// The server still answers.
    pub async fn assert_alive(&self) {
        let (status, body) = self.get_json("/health").await;
        assert_eq!(status, 200);
        assert_eq!(body["status"], "ok");
    }
}

pub async fn check_error(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status().as_u16(), status, "status of {}", response.url());
    let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_string());
    assert_eq!(content_type.as_deref(), Some("application/json"));
    let body: Value = response.json().await.expect("JSON error body");
    let error = body["error"].clone();
    assert!(error["code"].is_string() && error["message"].is_string(), "error shape: {body}");
    assert!(error.get("field").is_some(), "error has a field key: {body}");
    error
}

/// A sine of `seconds` at `rate`, amplitude `amp`.
pub fn sine(freq: f64, amp: f64, seconds: f64, rate: u32) -> Vec<f32> {
    let n = (seconds * rate as f64).round() as usize;
    (0..n)
        .map(|i| (amp * (2.0 * std::f64::consts::PI * freq * i as f64 / rate as f64).sin()) as f32)
        .collect()
}

/// Deterministic noise-like test material (a few detuned partials and a decaying click train),
/// so dynamics and delays have something to work on.
pub fn material(seconds: f64, rate: u32, seed: u32) -> Vec<f32> {
    let n = (seconds * rate as f64).round() as usize;
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    (0..n)
        .map(|i| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let noise = (state as f64 / u32::MAX as f64 - 0.5) * 0.2;
            let t = i as f64 / rate as f64;
            let tone = 0.3 * (2.0 * std::f64::consts::PI * (220.0 + seed as f64 * 37.0) * t).sin();
            let env = if (i % (rate as usize / 4)) < rate as usize / 40 { 1.0 } else { 0.3 };
            ((tone + noise) * env) as f32
        })
        .collect()
}

/// A WAV in memory, written with hound directly (independent of the server's encoder).
pub fn wav_bytes(channels: &[Vec<f32>], rate: u32, bits: u16, float: bool) -> Vec<u8> {
    let spec = hound::WavSpec {
        channels: channels.len() as u16,
        sample_rate: rate,
        bits_per_sample: bits,
        sample_format: if float { hound::SampleFormat::Float } else { hound::SampleFormat::Int },
    };
    let mut cursor = Cursor::new(Vec::new());
    let mut writer = hound::WavWriter::new(&mut cursor, spec).unwrap();
    for i in 0..channels[0].len() {
        for c in channels {
            if float {
                writer.write_sample(c[i]).unwrap();
            } else {
                let full = (1i64 << (bits - 1)) as f32;
                writer.write_sample(((c[i] * full).round() as i64).clamp(-(full as i64), full as i64 - 1) as i32).unwrap();
            }
        }
    }
    writer.finalize().unwrap();
    cursor.into_inner()
}

/// Reads a WAV with hound: (channels, rate, bits, float).
pub fn read_wav(bytes: &[u8]) -> (Vec<Vec<f32>>, u32, u16, bool) {
    let mut reader = hound::WavReader::new(Cursor::new(bytes)).expect("a WAV");
    let spec = reader.spec();
    let n = spec.channels as usize;
    let interleaved: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Float => reader.samples::<f32>().map(Result::unwrap).collect(),
        hound::SampleFormat::Int => {
            let full = (1i64 << (spec.bits_per_sample - 1)) as f32;
            reader.samples::<i32>().map(|s| s.unwrap() as f32 / full).collect()
        }
    };
    let channels = (0..n).map(|c| interleaved.iter().skip(c).step_by(n).copied().collect()).collect();
    (channels, spec.sample_rate, spec.bits_per_sample, spec.sample_format == hound::SampleFormat::Float)
}

/// The reference: a chain run with codette_dsp directly, latency removed the documented way
/// (input followed by `latency + tail` zeros, first `latency` samples dropped).
pub fn reference(
    configs: &[SlotConfig],
    rate: u32,
    left: &[f32],
    right: &[f32],
    tail: usize,
) -> (Vec<f32>, Vec<f32>) {
    let mut rack = build_rack(configs, rate as f32).expect("valid chain");
    let latency = rack.latency();
    let mut l = left.to_vec();
    let mut r = right.to_vec();
    l.resize(left.len() + tail + latency, 0.0);
    r.resize(right.len() + tail + latency, 0.0);
    rack.process(&mut l, &mut r);
    (l[latency..].to_vec(), r[latency..].to_vec())
}

pub fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len(), "lengths differ");
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

pub fn f32s(value: &Value) -> Vec<f32> {
    value.as_array().expect("array").iter().map(|v| v.as_f64().expect("number") as f32).collect()
}

pub type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub async fn ws_connect(server: &TestServer) -> Ws {
    tokio_tungstenite::connect_async(format!("ws://{}/ws", server.handle.addr())).await.expect("WebSocket").0
}

/// The next text message as JSON (10 s at most), skipping `transport_state`: every default
/// `/ws` connection gets one 60 times a second, between whatever else a test waits for.
pub async fn next_json(ws: &mut Ws) -> Value {
    loop {
        let message = next_message(ws).await;
        if message["type"] != "transport_state" {
            return message;
        }
    }
}

/// The next text message as JSON, whatever it is (10 s at most).
pub async fn next_message(ws: &mut Ws) -> Value {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    let wait = async {
        loop {
            match ws.next().await.expect("open").expect("message") {
                Message::Text(text) => return serde_json::from_str(&text).expect("JSON message"),
                _ => continue,
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), wait).await.expect("a message within 10 s")
}

pub async fn send_json(ws: &mut Ws, value: &Value) {
    use futures_util::SinkExt;
    ws.send(tokio_tungstenite::tungstenite::Message::Text(value.to_string().into())).await.expect("send");
}
