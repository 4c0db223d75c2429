//! What the instance's rack holds that a question is about: the slots with the effect asked
//! after (its settings against the measurements, and what it takes off now), or every dynamics
//! slot for a question about dynamics.

use super::facts::Fact;
use super::topics::Topic;
use codette_dsp::analysis::{MeterReading, FLOOR_DB};
use codette_dsp::chain::SlotConfig;
use codette_dsp::preset::Preset;
use codette_dsp::{registry, EffectSpec, Family};

/// The rack as the question sees it: the preset of the instance and each slot's gain reduction.
#[derive(Debug, Clone, Copy)]
pub struct Rack<'a> {
    pub preset: &'a Preset,
    /// Slot 1 first; `None` for slots without dynamics.
    pub gain_reduction_db: &'a [Option<f32>],
}

pub fn rack_facts(topic: Topic, rack: Rack, meters: Option<&MeterReading>) -> Vec<Fact> {
    let wanted = |spec: &EffectSpec| match topic {
        Topic::Effect(asked) => spec.id == asked.id,
        Topic::Dynamics => spec.family == Family::Dynamics,
        _ => false,
    };
    if !matches!(topic, Topic::Effect(_) | Topic::Dynamics) {
        return Vec::new();
    }
    let found: Vec<_> = rack
        .preset
        .slots
        .iter()
        .enumerate()
        .filter_map(|(i, slot)| {
            let spec = slot.effect.as_deref().and_then(registry::find)?;
            wanted(spec).then_some((i, slot, spec))
        })
        .collect();
    if let (Topic::Effect(asked), true) = (topic, found.is_empty()) {
        let free =
            rack.preset.slots.iter().position(|s| s.effect.is_none()).unwrap_or(rack.preset.slots.len());
        return vec![Fact {
            observation: format!("your rack has no {} in it", asked.name),
            advice: (free < codette_dsp::rack::SLOT_COUNT)
                .then(|| format!("slot {} is free for one", free + 1)),
            concern: false,
        }];
    }
    found
        .into_iter()
        .map(|(i, slot, spec)| {
            describe_slot(i, slot, spec, rack.gain_reduction_db.get(i).copied().flatten(), meters)
        })
        .collect()
}

fn describe_slot(
    index: usize,
    slot: &SlotConfig,
    spec: &EffectSpec,
    reduction: Option<f32>,
    meters: Option<&MeterReading>,
) -> Fact {
    let value = |id: &str| {
        slot.parameters
            .get(id)
            .copied()
            .or_else(|| spec.params.iter().find(|p| p.id == id).map(|p| p.default))
    };
    let settings: Vec<String> = spec
        .params
        .iter()
        .map(|p| format!("{} {}", p.name.to_lowercase(), p.format(value(p.id).unwrap_or(p.default))))
        .collect();
    let mut observation = format!(
        "slot {} holds the {}{}: {}",
        index + 1,
        spec.name,
        if slot.bypass { " (bypassed)" } else { "" },
        settings.join(", ")
    );
    if let Some(gr) = reduction {
        observation += &format!("; it takes {gr:.1} dB off now");
    }
    let advice = match (spec.id, meters, value("threshold")) {
        ("compressor" | "expander", Some(m), Some(threshold)) if m.rms_dbfs > FLOOR_DB => Some(format!(
            "its threshold sits {:+.1} dB from the measured RMS of {:.1} dBFS and {:+.1} dB from the peak of {:.1} dBFS",
            threshold - m.rms_dbfs,
            m.rms_dbfs,
            threshold - m.peak_dbfs,
            m.peak_dbfs
        )),
        ("limiter", Some(m), Some(ceiling)) if m.true_peak_dbtp > ceiling + 0.1 => Some(format!(
            "the true peak measures {:.1} dBTP, above this {ceiling} dB ceiling: the limiter holds sample peaks, not the peaks between samples; lower the ceiling by {:.1} dB",
            m.true_peak_dbtp,
            m.true_peak_dbtp - ceiling
        )),
        _ => None,
    };
    Fact { observation, advice, concern: false }
}
