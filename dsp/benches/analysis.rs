//! What the analysis costs on its background thread.
//!
//! Workload: 60 s of stereo noise at 48 kHz pushed in 512-frame blocks, with the meters and
//! the spectrum read at 30 Hz (every 1600 frames), as the GUI and the sidecar's streams do.
//! Prints ×realtime for the whole and for pushing alone (the target is ≥ 200× for the whole).

use codette_dsp::analysis::Analyzer;
use std::time::Instant;

#[path = "workload.rs"]
mod workload;
use workload::{stereo_noise, BLOCK, SAMPLE_RATE, SECONDS};

/// Frames between two readings: 30 per second at 48 kHz.
const READ_INTERVAL: usize = 1600;

fn realtime_factor(read: bool, runs: usize) -> f64 {
    let (left, right) = stereo_noise();
    let mut best = f64::INFINITY;
    for _ in 0..runs {
        let mut analyzer = Analyzer::new(SAMPLE_RATE);
        let mut since_read = 0;
        let start = Instant::now();
        for (l, r) in left.chunks(BLOCK).zip(right.chunks(BLOCK)) {
            analyzer.push(l, r);
            since_read += l.len();
            if read && since_read >= READ_INTERVAL {
                since_read -= READ_INTERVAL;
                std::hint::black_box(analyzer.meters());
                std::hint::black_box(analyzer.spectrum());
            }
        }
        best = best.min(start.elapsed().as_secs_f64());
        std::hint::black_box(analyzer.meters());
    }
    SECONDS as f64 / best
}

fn main() {
    let runs = 5;
    let whole = realtime_factor(true, runs);
    let push = realtime_factor(false, runs);
    println!("analysis, read at 30 Hz   {whole:>8.1} x realtime  (target >= 200)");
    println!("  pushing alone            {push:>8.1} x realtime");
    println!(
        "workload: {SECONDS} s of stereo noise at {SAMPLE_RATE} Hz in {BLOCK}-frame blocks, best of {runs}"
    );
}
