//! Helpers shared by the modulation tests: the target table, engines, routes, transports, MIDI,
//! the applied target values and lane points.

use crate::common::SR;
use codette_dsp::modulation::*;

pub const TARGETS: &[&str] = &["s1_mix", "s3_compressor_threshold", "s3_mix", "s3_in", "s3_out"];
pub const SR64: f64 = SR as f64;
pub const BPM: f64 = 120.0;

pub fn resolver() -> impl Fn(&str) -> Option<usize> {
    |id: &str| TARGETS.iter().position(|t| *t == id)
}

/// An engine that computes every source, routed or not, so that tests can read them.
pub fn engine(config: &ModulationConfig) -> ModulationEngine {
    let mut e = ModulationEngine::new(config, SR, &resolver()).expect("valid configuration");
    e.set_monitoring(true);
    e
}

pub fn with_routes(routes: Vec<Route>) -> ModulationConfig {
    ModulationConfig { routes, ..Default::default() }
}

pub fn route(source: Source, target: &str, depth: f32, mapping: Polarity) -> Route {
    Route { source, target: target.to_string(), depth, mapping, enabled: true }
}

/// The transport playing (or not) at a sample, with the position in beats derived from the
/// sample so that two runs meet the same position bit for bit.
pub fn at_sample(sample: i64, playing: bool) -> Transport {
    Transport {
        playing,
        tempo_bpm: BPM,
        position_beats: Some(sample as f64 * BPM / 60.0 / SR64),
        position_samples: Some(sample),
        time_sig: (4, 4),
    }
}

pub fn stopped() -> Transport {
    Transport::default()
}

pub fn note_on(offset: u32, note: u8) -> MidiEvent {
    MidiEvent { offset, message: MidiMessage::NoteOn { note, velocity: 0.8 } }
}

pub fn note_off(offset: u32, note: u8) -> MidiEvent {
    MidiEvent { offset, message: MidiMessage::NoteOff { note } }
}

/// Everything `for_each_target` applies, sorted by target.
pub fn applied(e: &ModulationEngine, host_base: impl Fn(usize) -> f32) -> Vec<(usize, f32)> {
    let mut out = Vec::new();
    e.for_each_target(host_base, |t, v| out.push((t, v)));
    out.sort_by_key(|&(t, _)| t);
    out
}

pub fn close(measured: &[(usize, f32)], expected: &[(usize, f32)]) -> bool {
    measured.len() == expected.len()
        && measured.iter().zip(expected).all(|(m, e)| m.0 == e.0 && (m.1 - e.1).abs() < 1e-6)
}

pub fn point(time_samples: u64, value: f32, interpolation: Interpolation) -> AutomationPoint {
    AutomationPoint { time_samples, value, interpolation }
}
