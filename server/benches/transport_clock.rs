//! Timing of `/ws/transport/clock`: 64 WebSocket clients at `?rate=60` for 10 s over loopback,
//! while a simulated audio thread plays the sidecar transport (blocks of 480 frames at 48 kHz
//! every 10 ms). Each client stamps every message on arrival; the figures are how far each
//! interval between two messages strays from 1/60 s (16.7 ms), over all clients, after 1 s of
//! warm-up. The target is p99 ≤ 4 ms. Server and clients share the machine: the server's
//! runtime has its 2 worker threads, the clients one thread, so the figures include the
//! clients' own scheduling (and whatever else the machine runs: note its load).
//! `cargo bench -p codette_server --bench transport_clock`

use codette_server::{start, ServerConfig};
use futures_util::StreamExt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CLIENTS: usize = 64;
const RATE: u32 = 60;
const WARMUP: Duration = Duration::from_secs(1);
const MEASURED: Duration = Duration::from_secs(10);
const TARGET_P99_MS: f64 = 4.0;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Arrival times of one client's messages from `start + WARMUP` to the end of the window.
async fn listen(url: String, start: Instant) -> Vec<Instant> {
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.expect("clock connects");
    let (from, until) = (start + WARMUP, start + WARMUP + MEASURED);
    let mut arrivals = Vec::new();
    while let Ok(Some(Ok(message))) = tokio::time::timeout_at(until.into(), ws.next()).await {
        let now = Instant::now();
        if message.is_text() && now >= from {
            arrivals.push(now);
        }
    }
    arrivals
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let server = start(ServerConfig::at("127.0.0.1:0".parse().unwrap())).expect("server");
    let transport = server.transport().clone();
    transport.play();
    let running = Arc::new(AtomicBool::new(true));
    let audio = {
        let running = running.clone();
        std::thread::spawn(move || {
            while running.load(Ordering::Relaxed) {
                transport.advance(480, 48_000.0);
                std::thread::sleep(Duration::from_millis(10));
            }
        })
    };

    let url = format!("ws://{}/ws/transport/clock?rate={RATE}", server.addr());
    let start = Instant::now();
    let clients: Vec<_> = (0..CLIENTS).map(|_| tokio::spawn(listen(url.clone(), start))).collect();
    let mut deviations = Vec::new();
    let mut worst_client_p99: f64 = 0.0;
    let mut counts = Vec::new();
    for client in clients {
        let arrivals = client.await.unwrap();
        counts.push(arrivals.len());
        let period = 1000.0 / f64::from(RATE);
        let mut mine: Vec<f64> =
            arrivals.windows(2).map(|w| ((w[1] - w[0]).as_secs_f64() * 1000.0 - period).abs()).collect();
        mine.sort_by(f64::total_cmp);
        worst_client_p99 = worst_client_p99.max(percentile(&mine, 0.99));
        deviations.extend(mine);
    }
    running.store(false, Ordering::Relaxed);
    audio.join().unwrap();
    deviations.sort_by(f64::total_cmp);

    let (p50, p99, max) =
        (percentile(&deviations, 0.5), percentile(&deviations, 0.99), deviations[deviations.len() - 1]);
    let (fewest, most) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
    println!(
        "/ws/transport/clock: {CLIENTS} clients at ?rate={RATE} for {} s (after {} s warm-up), audio thread \
         advancing 480 frames every 10 ms",
        MEASURED.as_secs(),
        WARMUP.as_secs()
    );
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    // Other processes compete with both sides for the CPUs, so the load belongs with the figures.
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load.split_whitespace().next().unwrap_or("unknown");
    println!("{cpus} CPUs, load average {load}");
    println!("messages per client: {fewest}..{most} (expected {})", RATE as u64 * MEASURED.as_secs());
    println!(
        "deviation of the interval from {:.1} ms, {} intervals:",
        1000.0 / f64::from(RATE),
        deviations.len()
    );
    println!(
        "  p50 {p50:.2} ms   p99 {p99:.2} ms   max {max:.2} ms   worst client's p99 {worst_client_p99:.2} ms"
    );
    println!("  target p99 <= {TARGET_P99_MS} ms: {}", if p99 <= TARGET_P99_MS { "met" } else { "MISSED" });
    tokio::task::spawn_blocking(move || server.shutdown()).await.unwrap();
}
