//! Speed of every effect and of the chain of all 19, at their defaults.
//!
//! Workload: 60 s of stereo noise at 48 kHz, processed in 512-sample blocks through a rack (so
//! the slot's mix, trims and sanitizing are included), as the plugin runs it.
//! Prints ×realtime (seconds of audio per second of CPU). `-- --json` prints one JSON object
//! instead, for `bench/pedalboard_compare.py`.

use codette_dsp::chain::{build_rack, SlotConfig};
use codette_dsp::registry::EFFECTS;
use std::time::Instant;

#[path = "workload.rs"]
mod workload;
use workload::{stereo_noise, BLOCK, SAMPLE_RATE, SECONDS};

/// Best of `runs` timings of processing the workload in blocks of `block`, as ×realtime.
fn realtime_factor(chain: &[SlotConfig], block: usize, runs: usize) -> f64 {
    let (left, right) = stereo_noise();
    let mut best = f64::INFINITY;
    for _ in 0..runs {
        let mut rack = build_rack(chain, SAMPLE_RATE).expect("valid chain");
        let (mut l, mut r) = (left.clone(), right.clone());
        let start = Instant::now();
        for (lc, rc) in l.chunks_mut(block).zip(r.chunks_mut(block)) {
            rack.process(lc, rc);
        }
        best = best.min(start.elapsed().as_secs_f64());
        std::hint::black_box(&l);
    }
    SECONDS as f64 / best
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let json = args.iter().any(|a| a == "--json");
    // `--block N` measures another block size (hosts that split blocks at automation events
    // call with small ones).
    let block =
        args.iter().position(|a| a == "--block").and_then(|i| args.get(i + 1)?.parse().ok()).unwrap_or(BLOCK);
    let runs = 3;
    let mut results = Vec::new();
    for spec in EFFECTS {
        results.push((spec.id.to_string(), realtime_factor(&[SlotConfig::effect(spec.id)], block, runs)));
        if !json {
            let (id, x) = results.last().unwrap();
            println!("{id:<16} {x:>9.1} x realtime");
        }
    }
    let chain: Vec<SlotConfig> = EFFECTS.iter().map(|e| SlotConfig::effect(e.id)).collect();
    let chain_x = realtime_factor(&chain, block, runs);
    if json {
        let effects: Vec<String> = results.iter().map(|(id, x)| format!("\"{id}\": {x:.2}")).collect();
        println!("{{\"workload\": \"{SECONDS} s stereo {SAMPLE_RATE} Hz, {block}-sample blocks\", \"effects\": {{{}}}, \"chain\": {chain_x:.2}}}", effects.join(", "));
    } else {
        println!("{:<16} {chain_x:>9.1} x realtime", "chain of all 19");
        println!("workload: {SECONDS} s of stereo noise at {SAMPLE_RATE} Hz in {block}-sample blocks, defaults, best of {runs}");
    }
}
