//! Parameter changes through the API while audio runs: their latency, and what they do to the
//! audio callback.
//!
//! Workload: one instance with eight effects (EQ, compressor, saturation, limiter, delay,
//! reverb, gate, hard clip) running 512-sample blocks of stereo noise at 48 kHz, paced in real
//! time, in three phases of 10 s: no changes; 1000 parameter changes per second set directly on
//! the parameters (as a host's automation would, without the API); and the same 1000 changes per
//! second as `PATCH /params` (two clients at 500/s, one parameter per request, over loopback with
//! keep-alive). Prints the PATCH latency (p50, p99, max; target p99 ≤ 5 ms) and the audio
//! callback's time (p50, p99, worst) in each phase: changing parameters costs the DSP some work
//! (slots leave their steady fast path while values glide); the API should add nothing to that.

use codette_dsp::modulation::Transport;
use codette_rack::engine::Engine;
use codette_rack::params::RackParams;
use codette_rack::remote::{ParamTable, RemoteInstance};
use codette_server::{start, ServerConfig};
use nice_plug::prelude::PluginApi;
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SR: f32 = 48_000.0;
const BLOCK: usize = 512;
const PHASE: Duration = Duration::from_secs(10);
const CLIENTS: usize = 2;
const RATE_PER_CLIENT: f64 = 500.0;
const CHAIN: [&str; 8] =
    ["eq3band", "compressor", "saturation", "limiter", "simple_delay", "reverb", "gate", "hardclip"];

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn summary(mut values: Vec<f64>) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    (percentile(&values, 0.5), percentile(&values, 0.99), *values.last().unwrap())
}

/// Runs the audio thread for `PHASE`, returning each callback's duration in ms.
fn run_audio(params: &Arc<RackParams>, remote: &RemoteInstance, engine: &mut Engine) -> Vec<f64> {
    let mut link = remote.activate(PluginApi::Clap, SR, BLOCK as u32);
    let mut times = Vec::new();
    let period = Duration::from_secs_f64(BLOCK as f64 / SR as f64);
    let transport = Transport::default();
    let start = Instant::now();
    let mut next = start;
    let mut seed = 1u32;
    while start.elapsed() < PHASE {
        let mut l = [0.0f32; BLOCK];
        for x in &mut l {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            *x = (seed as f32 / u32::MAX as f32 - 0.5) * 0.5;
        }
        let mut r = l;
        let began = Instant::now();
        link.apply();
        engine.process(params, &mut l, &mut r, None, &transport, &[]);
        link.publish(engine.telemetry(&transport), &l, &r);
        times.push(began.elapsed().as_secs_f64() * 1e3);
        next += period;
        std::thread::sleep(next.saturating_duration_since(Instant::now()));
    }
    remote.deactivate(link);
    times
}

/// Runs `audio` while `CLIENTS` threads each make `RATE_PER_CLIENT` changes a second with
/// `change(client, value)`; returns each change's duration in ms and what `audio` returned.
fn while_changing<T>(
    change: impl Fn(usize, f64) + Send + Sync + 'static,
    audio: impl FnOnce() -> T,
) -> (Vec<f64>, T) {
    let change = Arc::new(change);
    let stop = Arc::new(AtomicBool::new(false));
    let durations = Arc::new(Mutex::new(Vec::new()));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (change, stop, durations) = (change.clone(), stop.clone(), durations.clone());
            std::thread::spawn(move || {
                let period = Duration::from_secs_f64(1.0 / RATE_PER_CLIENT);
                let mut next = Instant::now();
                let mut mine = Vec::new();
                let mut n = 0u32;
                while !stop.load(Ordering::Relaxed) {
                    let began = Instant::now();
                    change(c, (n % 100) as f64 / 100.0);
                    mine.push(began.elapsed().as_secs_f64() * 1e3);
                    n += 1;
                    next += period;
                    std::thread::sleep(next.saturating_duration_since(Instant::now()));
                }
                durations.lock().unwrap().extend(mine);
            })
        })
        .collect();
    let result = audio();
    stop.store(true, Ordering::Relaxed);
    clients.into_iter().for_each(|c| c.join().unwrap());
    let durations = std::mem::take(&mut *durations.lock().unwrap());
    (durations, result)
}

fn main() {
    let params = Arc::new(RackParams::default());
    let remote = Arc::new(RemoteInstance::new(params.clone()));
    let server = start(ServerConfig::at("127.0.0.1:0".parse().unwrap())).expect("server starts");
    let registration = server.registry().register(remote.clone());
    let url = format!("{}/api/instances/{}/params", server.url(), registration.id());
    {
        let client = reqwest::blocking::Client::new();
        for (i, effect) in CHAIN.iter().enumerate() {
            let slot = format!("{}/api/instances/{}/slots/{}", server.url(), registration.id(), i + 1);
            assert!(client.put(slot).json(&json!({"type": effect})).send().unwrap().status().is_success());
        }
    }
    let mut engine = Engine::new(&params, SR, true).unwrap();

    let quiet = run_audio(&params, &remote, &mut engine);

    let table = Arc::new(ParamTable::new(params.clone()));
    let direct_changes = while_changing(
        move |slot, value| {
            let index = table.find(&format!("s{}_mix", slot + 1), "").unwrap();
            table.set_normalized(index, value as f32);
        },
        || run_audio(&params, &remote, &mut engine),
    )
    .1;
    let (latencies, api_changes) = while_changing(
        move |slot, value| {
            thread_local!(static CLIENT: reqwest::blocking::Client = reqwest::blocking::Client::builder().no_proxy().build().unwrap());
            let body = json!({"values": {format!("s{}_mix", slot + 1): value}});
            CLIENT.with(|client| {
                let response = client.patch(&url).json(&body).send().unwrap();
                assert!(response.status().is_success());
                response.bytes().unwrap();
            });
        },
        || run_audio(&params, &remote, &mut engine),
    );

    let rate = latencies.len() as f64 / PHASE.as_secs_f64();
    let (p50, p99, max) = summary(latencies);
    println!(
        "workload: 8 effects, {BLOCK}-sample blocks at {SR} Hz paced in real time, {} s per phase",
        PHASE.as_secs()
    );
    println!("PATCH /params at {rate:.0}/s: p50 {p50:.2} ms, p99 {p99:.2} ms (target <= 5), max {max:.2} ms");
    for (phase, times) in [
        ("no changes", quiet),
        ("1000 changes/s, direct", direct_changes),
        ("1000 PATCH/s via the API", api_changes),
    ] {
        let (p50, p99, worst) = summary(times);
        println!("audio callback, {phase:<26} p50 {p50:.3} ms, p99 {p99:.3} ms, worst {worst:.3} ms");
    }
    println!("(block period {:.2} ms)", BLOCK as f64 / SR as f64 * 1e3);
}
