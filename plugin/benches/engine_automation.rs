//! What dense host automation costs the plugin's engine, everything it does per call included
//! (following the host's parameters, then the rack).
//!
//! Workload: eight slots (EQ, compressor, saturation, limiter, delay, reverb, gate, hard clip)
//! at their defaults, 60 s of stereo noise at 48 kHz in 512-sample blocks; then the same with
//! a host automation event every 64 samples, which nice-plug turns into one call per 64
//! samples with the compressor's threshold set before each. Prints ×realtime for both and the
//! automation's cost, best of 15 interleaved runs.

use codette_rack::engine::Engine;
use codette_rack::params::RackParams;
use nice_plug::prelude::*;
use std::time::Instant;

#[path = "../../dsp/benches/workload.rs"]
mod workload;
use workload::{stereo_noise, BLOCK, SAMPLE_RATE, SECONDS};
#[path = "../tests/common/mod.rs"]
mod common;
use common::{effect_choice, playing, set};

const AUTOMATION_INTERVAL: usize = 64;
const CHAIN: [&str; 8] =
    ["eq3band", "compressor", "saturation", "limiter", "simple_delay", "reverb", "gate", "hardclip"];

/// ×realtime of one run; `automated` calls the engine every 64 samples with a new threshold.
fn realtime_factor(automated: bool) -> f64 {
    let params = RackParams::default();
    for (slot, effect) in CHAIN.iter().enumerate() {
        set(&params, &format!("s{}_effect", slot + 1), effect_choice(effect));
    }
    let mut engine = Engine::new(&params, SAMPLE_RATE, true).unwrap();
    let (_, threshold, _) =
        params.param_map().into_iter().find(|(id, _, _)| id == "s2_compressor_threshold").unwrap();
    let (mut left, mut right) = stereo_noise();
    let step = if automated { AUTOMATION_INTERVAL } else { BLOCK };
    let mut transport = playing();
    let start = Instant::now();
    for (i, (l, r)) in left.chunks_mut(step).zip(right.chunks_mut(step)).enumerate() {
        if automated {
            unsafe { threshold._internal_set_normalized_value((i % 100) as f32 / 100.0) };
        }
        engine.process(&params, l, r, None, &transport, &[]);
        let n = l.len() as i64;
        transport.position_samples = transport.position_samples.map(|p| p + n);
        transport.position_beats = transport.position_beats.map(|b| b + n as f64 / 24_000.0);
    }
    let elapsed = start.elapsed().as_secs_f64();
    std::hint::black_box(&left);
    SECONDS as f64 / elapsed
}

fn main() {
    // `-- plain` or `-- automated` runs that workload once, for a profiler.
    if let Some(automated) = std::env::args().find_map(|a| match a.as_str() {
        "plain" => Some(false),
        "automated" => Some(true),
        _ => None,
    }) {
        println!("{:.1} x realtime", realtime_factor(automated));
        return;
    }
    let runs = 15;
    let (mut plain, mut automated) = (0.0f64, 0.0f64);
    for _ in 0..runs {
        plain = plain.max(realtime_factor(false));
        automated = automated.max(realtime_factor(true));
    }
    println!("plugin engine, 8 effects                 {plain:>7.1} x realtime");
    println!(
        "  with host automation every {AUTOMATION_INTERVAL} samples {automated:>7.1} x realtime  (+{:.1} % time)",
        (plain / automated - 1.0) * 100.0
    );
    println!("workload: {SECONDS} s of stereo noise at {SAMPLE_RATE} Hz in {BLOCK}-sample blocks, best of {runs} interleaved runs");
}
