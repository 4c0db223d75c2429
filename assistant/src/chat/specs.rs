//! What the rack's own specs and templates say: an effect's parameters, the values the
//! measurements suggest for it, and the chain for an instrument and genre.

use super::facts::{fact, loudness, peaks, Fact};
use crate::recommend::recommend;
use crate::templates::levels;
use crate::tuning::DEFAULT_TARGET_LUFS;
use crate::{Genre, Instrument};
use codette_dsp::analysis::MeterReading;
use codette_dsp::EffectSpec;

/// An effect's parameters from its spec, and the values the measurements suggest for it.
pub(super) fn effect_advice(spec: &EffectSpec, m: &MeterReading) -> Vec<Fact> {
    let mut out = vec![describe(spec)];
    match spec.id {
        "compressor" => {
            let threshold = levels::threshold(m.rms_dbfs, 4.0);
            let makeup = levels::makeup(m.peak_dbfs, threshold, 4.0);
            out.push(fact(
                format!("the measured RMS is {:.1} dBFS and the peak {:.1} dBFS", m.rms_dbfs, m.peak_dbfs),
                Some(format!("threshold {threshold} dB (RMS + 4 dB), ratio 4, makeup {makeup} dB (half the reduction at the peak)")),
                false,
            ));
        }
        "limiter" => out.extend(loudness(m).into_iter().chain(peaks(m))),
        _ => {}
    }
    out
}

/// Every parameter with its range, default and unit, as the effect's spec states them.
pub fn describe(spec: &EffectSpec) -> Fact {
    let params: Vec<String> = spec
        .params
        .iter()
        .map(|p| match p.options() {
            [] => format!(
                "{} `{}` {}..{} (default {})",
                p.name,
                p.id,
                p.format(p.min),
                p.format(p.max),
                p.format(p.default)
            ),
            options => format!(
                "{} `{}` one of {} (default {})",
                p.name,
                p.id,
                options.join("/"),
                p.format(p.default)
            ),
        })
        .collect();
    fact(
        format!("{} (`{}`) has {} parameters: {}", spec.name, spec.id, params.len(), params.join("; ")),
        None,
        false,
    )
}

/// The template chain for an instrument and genre, slot by slot with its reasons, and what the
/// measurements change in it.
pub fn chain(instrument: Instrument, genre: Genre, m: Option<&MeterReading>) -> Vec<Fact> {
    let r = recommend(instrument, genre, m, DEFAULT_TARGET_LUFS);
    let mut out: Vec<Fact> = r
        .slots
        .iter()
        .map(|s| {
            fact(format!("slot {}, {}: {}", s.slot, s.effect, s.reason.trim_end_matches('.')), None, false)
        })
        .collect();
    out.extend(r.adjustments.iter().map(|a| {
        let change = format!("slot {} {} {} from {} to {}", a.slot, a.effect, a.parameter, a.from, a.to);
        fact(format!("tuned to the measurements: {change}"), Some(a.reason.clone()), false)
    }));
    out
}
