//! What modulation and dense host automation cost on top of the rack.
//!
//! Workload: the chain of all 19 effects at their defaults, 60 s of stereo noise at 48 kHz in
//! 512-sample blocks, transport playing at 120 bpm. Prints ×realtime for: the plain chain;
//! the chain with 16 active routes (4 LFOs, 2 followers, 2 macros) to parameters across it;
//! and the chain with a host automation event every 64 samples (the host splits the block
//! there and the parameter changes), with each one's cost over the plain chain. The same
//! 64-sample calls without any change show how much of that is the splitting alone.

use codette_dsp::chain::{build_rack, SlotConfig};
use codette_dsp::modulated_rack::ModulatedRack;
use codette_dsp::modulation::{
    LfoShape, ModulationConfig, ModulationEngine, Polarity, Route, Source, Transport,
};
use codette_dsp::registry::EFFECTS;
use codette_dsp::targets::Targets;
use std::sync::Arc;
use std::time::Instant;

#[path = "workload.rs"]
mod workload;
use workload::{stereo_noise, BLOCK, SAMPLE_RATE, SECONDS};

const AUTOMATION_INTERVAL: usize = 64;

/// 16 routes from every kind of continuous source to parameters all along the chain.
fn sixteen_routes() -> ModulationConfig {
    let targets = [
        "s1_eq3band_mid_gain",
        "s2_highlow_pass_cutoff_freq",
        "s3_compressor_threshold",
        "s4_limiter_threshold",
        "s5_expander_threshold",
        "s8_saturation_drive",
        "s9_hardclip_threshold",
        "s10_distortion_tone",
        "s12_simple_delay_feedback",
        "s13_pingpong_delay_stereo_width",
        "s15_stereo_delay_feedback",
        "s16_reverb_damping",
        "s17_hall_reverb_wet_level",
        "s18_plate_reverb_damping",
        "s19_mix",
        "s6_out",
    ];
    let sources = [
        Source::Lfo(0),
        Source::Lfo(1),
        Source::Lfo(2),
        Source::Lfo(3),
        Source::Follower(0),
        Source::Follower(1),
        Source::Macro(0),
        Source::Macro(1),
    ];
    let mut config = ModulationConfig::default();
    for (i, shape) in
        [LfoShape::Sine, LfoShape::Triangle, LfoShape::SmoothRandom, LfoShape::SawUp].into_iter().enumerate()
    {
        config.lfos[i].shape = shape;
    }
    config.routes = targets
        .iter()
        .enumerate()
        .map(|(i, t)| Route {
            source: sources[i % sources.len()],
            target: t.to_string(),
            depth: 0.2,
            mapping: Polarity::Bipolar,
            enabled: true,
        })
        .collect();
    config
}

enum Workload {
    Plain,
    Routes,
    Automation,
    /// The calls of `Automation` without its changes.
    Split,
}

impl Workload {
    fn named(name: &str) -> Option<Self> {
        match name {
            "plain" => Some(Self::Plain),
            "routes" => Some(Self::Routes),
            "automation" => Some(Self::Automation),
            "split" => Some(Self::Split),
            _ => None,
        }
    }
}

fn realtime_factor(workload: &Workload, runs: usize) -> f64 {
    let chain: Vec<SlotConfig> = EFFECTS.iter().map(|e| SlotConfig::effect(e.id)).collect();
    let targets = Arc::new(Targets::new(chain.len()));
    let config = match workload {
        Workload::Routes => sixteen_routes(),
        _ => ModulationConfig::default(),
    };
    let resolve = |id: &str| targets.resolve(id);
    // The host's values, as the plugin passes them: every parameter at its default, as in the
    // plain chain, so that the routes swing the parameters around the same settings.
    let defaults: Vec<f32> = (0..targets.len())
        .map(|t| {
            let spec = targets.get(t).spec();
            spec.normalize(spec.default)
        })
        .collect();
    let automated = targets.resolve("s3_compressor_threshold").unwrap();
    let (left, right) = stereo_noise();
    let mut best = f64::INFINITY;
    for _ in 0..runs {
        let rack = build_rack(&chain, SAMPLE_RATE).unwrap();
        let engine = ModulationEngine::new(&config, SAMPLE_RATE, &resolve).unwrap();
        let mut player = ModulatedRack::new(rack, Box::new(engine), targets.clone());
        let (mut l, mut r) = (left.clone(), right.clone());
        let mut transport = Transport {
            playing: true,
            position_beats: Some(0.0),
            position_samples: Some(0),
            ..Transport::default()
        };
        let step = match workload {
            Workload::Automation | Workload::Split => AUTOMATION_INTERVAL,
            _ => BLOCK,
        };
        let start = Instant::now();
        for (i, (lc, rc)) in l.chunks_mut(step).zip(r.chunks_mut(step)).enumerate() {
            if let Workload::Automation = workload {
                // What a host automation event does: a new value at the start of the sub-block.
                targets.apply(&mut player.rack, automated, (i % 100) as f32 / 100.0);
            }
            player.process(lc, rc, None, &transport, &[], |t| defaults[t]);
            let n = lc.len() as i64;
            transport.position_samples = transport.position_samples.map(|p| p + n);
            transport.position_beats = transport.position_beats.map(|b| b + n as f64 / 24_000.0);
        }
        best = best.min(start.elapsed().as_secs_f64());
        std::hint::black_box(&l);
    }
    SECONDS as f64 / best
}

fn main() {
    // `cargo bench --bench modulation -- routes` (or `plain`, `automation`) runs that workload
    // once, for a profiler: `valgrind --tool=callgrind` counts the same instructions however
    // busy the machine is, where the timings of a shared machine drift.
    if let Some((name, workload)) = std::env::args().find_map(|a| Workload::named(&a).map(|w| (a, w))) {
        println!("{name}: {:.1} x realtime", realtime_factor(&workload, 1));
        return;
    }
    // Runs interleaved, best of each: a machine whose load drifts during the benchmark then
    // slows all four alike instead of whichever ran last.
    let runs = 15;
    let (mut plain, mut routes, mut automation, mut split) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    for _ in 0..runs {
        plain = plain.max(realtime_factor(&Workload::Plain, 1));
        routes = routes.max(realtime_factor(&Workload::Routes, 1));
        automation = automation.max(realtime_factor(&Workload::Automation, 1));
        split = split.max(realtime_factor(&Workload::Split, 1));
    }
    let cost = |x: f64| (plain / x - 1.0) * 100.0;
    println!("chain of all 19, no modulation        {plain:>8.1} x realtime");
    println!(
        "  with 16 active routes               {routes:>8.1} x realtime  (+{:.1} % time, target <= 15 %)",
        cost(routes)
    );
    println!("  with host automation every {AUTOMATION_INTERVAL} samples {automation:>8.1} x realtime  (+{:.1} % time, target <= 10 %)", cost(automation));
    println!("    of which the host's {AUTOMATION_INTERVAL}-sample calls alone {split:>5.1} x realtime  (+{:.1} % time)", cost(split));
    println!("workload: {SECONDS} s of stereo noise at {SAMPLE_RATE} Hz in {BLOCK}-sample blocks, defaults, best of {runs} interleaved runs");
}
