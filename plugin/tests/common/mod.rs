//! Driving the plugin's engine in-process, as a host would.
#![allow(dead_code)]

use codette_dsp::modulation::Transport;
use codette_dsp::registry::EFFECTS;
use codette_rack::engine::Engine;
use codette_rack::params::RackParams;
use nice_plug::prelude::*;

pub const SR: f32 = 48_000.0;

/// Sets a host parameter by id to a normalized value, as a host's automation would.
pub fn set(params: &RackParams, id: &str, normalized: f32) {
    let (_, ptr, _) = params.param_map().into_iter().find(|(pid, _, _)| pid == id).expect(id);
    unsafe { ptr._internal_set_normalized_value(normalized) };
}

/// Normalized value of an effect choice (1-based position in the registry; 0 = empty).
pub fn effect_choice(id: &str) -> f32 {
    let i = EFFECTS.iter().position(|e| e.id == id).unwrap() + 1;
    i as f32 / EFFECTS.len() as f32
}

/// A transport playing from the song start at 120 bpm.
pub fn playing() -> Transport {
    Transport { playing: true, position_beats: Some(0.0), position_samples: Some(0), ..Transport::default() }
}

/// Renders `input` (mono, on both channels) in blocks, advancing the transport; returns the
/// left channel.
pub fn render(
    engine: &mut Engine,
    params: &RackParams,
    input: &[f32],
    block: usize,
    transport: Transport,
) -> Vec<f32> {
    let (mut l, mut r) = (input.to_vec(), input.to_vec());
    let mut t = transport;
    for (lc, rc) in l.chunks_mut(block).zip(r.chunks_mut(block)) {
        engine.process(params, lc, rc, None, &t, &[]);
        if t.playing {
            let n = lc.len() as i64;
            t.position_samples = t.position_samples.map(|p| p + n);
            t.position_beats = t.position_beats.map(|b| b + n as f64 * t.tempo_bpm / 60.0 / SR as f64);
        }
    }
    l
}
