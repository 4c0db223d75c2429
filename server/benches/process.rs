//! Latency of `POST /api/effects/process` for 10 s of stereo 48 kHz audio through a compressor,
//! over loopback with a real server: WAV (16-bit and 32-bit float) and JSON bodies. Prints
//! p50/p99 of the full round trip (upload, decode, DSP, encode, download).
//! `cargo bench -p codette_server --bench process`

use codette_server::{start, ServerConfig};
use std::time::Instant;

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "signals.rs"]
mod signals;
use common::wav_bytes;
use signals::noise;

const RATE: u32 = 48_000;
const SECONDS: usize = 10;
const WARMUP: usize = 5;
const RUNS: usize = 60;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

async fn measure(client: &reqwest::Client, url: &str, content_type: &str, body: &[u8]) -> (f64, f64, usize) {
    let mut times = Vec::with_capacity(RUNS);
    let mut size = 0;
    for i in 0..WARMUP + RUNS {
        let start = Instant::now();
        let response =
            client.post(url).header("content-type", content_type).body(body.to_vec()).send().await.unwrap();
        assert_eq!(response.status(), 200);
        size = response.bytes().await.unwrap().len();
        if i >= WARMUP {
            times.push(start.elapsed().as_secs_f64() * 1000.0);
        }
    }
    times.sort_by(f64::total_cmp);
    (percentile(&times, 0.5), percentile(&times, 0.99), size)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let server = start(ServerConfig::at("127.0.0.1:0".parse().unwrap())).expect("server");
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let frames = SECONDS * RATE as usize;
    let channels = vec![noise(frames, 1), noise(frames, 2)];
    let base = format!("{}/api/effects/process", server.url());
    let query = format!("{base}?effect_type=compressor&threshold=-24&ratio=4");
    let json = serde_json::to_vec(&serde_json::json!({
        "effect_type": "compressor",
        "parameters": {"threshold": -24, "ratio": 4},
        "audio_data": channels,
        "sample_rate": RATE,
    }))
    .unwrap();
    println!("/api/effects/process, {SECONDS} s stereo {RATE} Hz, compressor, {RUNS} requests after {WARMUP} warm-up");
    for (name, url, content_type, body) in [
        ("WAV 16-bit", &query, "audio/wav", wav_bytes(&channels, RATE, 16, false)),
        ("WAV 32-bit float", &query, "audio/wav", wav_bytes(&channels, RATE, 32, true)),
        ("JSON audio_data", &base, "application/json", json),
    ] {
        let (p50, p99, size) = measure(&client, url, content_type, &body).await;
        println!(
            "{name:<18} p50 {p50:>7.1} ms   p99 {p99:>7.1} ms   ({:.1} MB up, {:.1} MB down)",
            body.len() as f64 / 1e6,
            size as f64 / 1e6
        );
    }
    server.shutdown();
}
