//! A whole preset (slots, order, macros and modulation) run offline on a buffer, with the same
//! [`ModulatedRack`] the plugin runs live: what Codette renders to compare a rack with and
//! without a proposed change.

use crate::chain::{build_rack, SlotConfig};
use crate::modulated_rack::ModulatedRack;
use crate::modulation::{ConfigError, ModulationEngine, Transport};
use crate::preset::Preset;
use crate::rack::CHUNK;
use crate::targets::{TargetKind, Targets};
use std::sync::Arc;

/// The host's side of the render: every target's base value (the one modulation moves around),
/// as the preset sets it, the way the plugin's host parameters hold it live.
fn base_values(preset: &Preset, targets: &Targets) -> Vec<f32> {
    let empty = SlotConfig::empty();
    (0..targets.len())
        .map(|t| {
            let target = targets.get(t);
            let spec = target.spec();
            let slot = preset.slots.get(target.slot).unwrap_or(&empty);
            let plain = match target.kind {
                TargetKind::Mix => slot.mix,
                TargetKind::Input => slot.input_db,
                TargetKind::Output => slot.output_db,
                TargetKind::Effect { .. } => slot.parameters.get(spec.id).copied().unwrap_or(spec.default),
            };
            spec.normalize(plain)
        })
        .collect()
}

/// Left and right channels.
pub type Stereo = (Vec<f32>, Vec<f32>);

/// Chunks rendered between two calls of the caller's `keep_going` (about 0.3 s at 48 kHz).
const CHUNKS_PER_CHECK: usize = 64;

/// Renders `left`/`right` through `preset` on a rack of `slot_count` slots, at `tempo_bpm` with
/// the transport playing from the song's start. The rack's latency is compensated: output
/// sample `i` lines up with input sample `i`, and the result is as long as the input. Returns
/// `None` when `keep_going`, asked every [`CHUNKS_PER_CHECK`] chunks, says to stop (a server
/// shutting down).
pub fn render_preset(
    preset: &Preset,
    slot_count: usize,
    sample_rate: f32,
    tempo_bpm: f64,
    (left, right): (&[f32], &[f32]),
    keep_going: &dyn Fn() -> bool,
) -> Result<Option<Stereo>, ConfigError> {
    preset.validate(slot_count, crate::modulation::matrix::MACRO_COUNT)?;
    let mut slots = preset.slots.clone();
    slots.resize(slot_count, SlotConfig::empty());
    let mut rack = build_rack(&slots, sample_rate).map_err(|m| ConfigError::new("slots", m))?;
    rack.set_order(&preset.order_indices(slot_count));
    rack.set_tempo(tempo_bpm);
    let targets = Arc::new(Targets::new(slot_count));
    let mut engine = ModulationEngine::new(&preset.modulation, sample_rate, &|id: &str| targets.resolve(id))
        .map_err(|e| ConfigError::new(format!("modulation.{}", e.field), e.message))?;
    for (i, &value) in preset.macros.iter().enumerate() {
        engine.set_macro(i, value);
    }
    let base = base_values(preset, &targets);
    let mut player = ModulatedRack::new(rack, Box::new(engine), targets);
    let latency = player.rack.latency();
    let frames = left.len().min(right.len());
    let total = frames + latency;
    let (mut l, mut r) = (left[..frames].to_vec(), right[..frames].to_vec());
    l.resize(total, 0.0);
    r.resize(total, 0.0);
    let samples_per_beat = 60.0 * sample_rate as f64 / tempo_bpm;
    let mut position = 0i64;
    for (i, (lc, rc)) in l.chunks_mut(CHUNK).zip(r.chunks_mut(CHUNK)).enumerate() {
        if i % CHUNKS_PER_CHECK == 0 && !keep_going() {
            return Ok(None);
        }
        let transport = Transport {
            playing: true,
            tempo_bpm,
            position_beats: Some(position as f64 / samples_per_beat),
            position_samples: Some(position),
            ..Transport::default()
        };
        player.process(lc, rc, None, &transport, &[], |t| base[t]);
        position += lc.len() as i64;
    }
    l.drain(..latency);
    r.drain(..latency);
    Ok(Some((l, r)))
}
