//! The rack read as a preset or as the API's views, and the parameter changes that load one.

use super::link::{Link, Telemetry};
use crate::params::{RackParams, MACRO_COUNT, SLOT_COUNT};
use codette_dsp::chain::SlotConfig;
use codette_dsp::preset::Preset;
use codette_dsp::registry::EFFECTS;
use codette_dsp::targets::{effect_param_id, slot_param_id};
use codette_server::instance::SlotView;

/// The slot controls every slot has, in the order the API lists them.
const CONTROLS: [&str; 5] = ["effect", "bypass", "mix", "in", "out"];

fn plain(link: &Link, id: &str) -> f32 {
    let table = link.table();
    let index = table.index(id);
    table.plain(index, link.normalized(index))
}

/// The effect in a slot, as an index into `EFFECTS`.
fn effect_of(link: &Link, slot: usize) -> Option<usize> {
    let choice = plain(link, &slot_param_id(slot, "effect")) as usize;
    choice.checked_sub(1)
}

/// The rack as a preset document.
pub fn capture(link: &Link, params: &RackParams) -> Preset {
    let mut preset = Preset::new("");
    preset.slots = (0..SLOT_COUNT)
        .map(|slot| {
            let control = |name: &str| plain(link, &slot_param_id(slot, name));
            let effect = effect_of(link, slot).map(|e| EFFECTS[e]);
            SlotConfig {
                effect: effect.map(|e| e.id.to_string()),
                parameters: effect
                    .map(|e| {
                        let value = |p: &str| plain(link, &effect_param_id(slot, e.id, p));
                        e.params.iter().map(|p| (p.id.to_string(), value(p.id))).collect()
                    })
                    .unwrap_or_default(),
                mix: control("mix"),
                bypass: control("bypass") >= 0.5,
                input_db: control("in"),
                output_db: control("out"),
            }
        })
        .collect();
    preset.order = Some(params.order.get().iter().map(|s| s + 1).collect());
    preset.macros = (1..=MACRO_COUNT).map(|m| plain(link, &format!("macro{m}"))).collect();
    preset.modulation = params.modulation.config();
    preset
}

/// The changes `(parameter index, normalized value)` that make one slot hold `config`, with
/// every parameter it does not name at its default (those of the other effects included, so
/// that the slot's state depends on nothing but `config`). `config` must be valid.
pub fn slot_changes(link: &Link, slot: usize, config: &SlotConfig) -> Vec<(usize, f32)> {
    let chosen = config.effect.as_deref().and_then(|id| EFFECTS.iter().position(|e| e.id == id));
    let mut wanted = vec![
        (slot_param_id(slot, "effect"), chosen.map_or(0.0, |e| e as f32 + 1.0)),
        (slot_param_id(slot, "bypass"), if config.bypass { 1.0 } else { 0.0 }),
        (slot_param_id(slot, "mix"), config.mix),
        (slot_param_id(slot, "in"), config.input_db),
        (slot_param_id(slot, "out"), config.output_db),
    ];
    for (e, effect) in EFFECTS.iter().enumerate() {
        for p in effect.params {
            let given = (chosen == Some(e)).then(|| config.parameters.get(p.id)).flatten();
            wanted.push((effect_param_id(slot, effect.id, p.id), given.copied().unwrap_or(p.default)));
        }
    }
    changed(link, wanted)
}

/// The changes that load a preset's parameters (slots and macros; the order and the
/// modulation are set apart). `preset` must be valid.
pub fn preset_changes(link: &Link, preset: &Preset) -> Vec<(usize, f32)> {
    let empty = SlotConfig::empty();
    let mut changes: Vec<(usize, f32)> =
        (0..SLOT_COUNT).flat_map(|s| slot_changes(link, s, preset.slots.get(s).unwrap_or(&empty))).collect();
    let macros =
        (0..MACRO_COUNT).map(|m| (format!("macro{}", m + 1), preset.macros.get(m).copied().unwrap_or(0.0)));
    changes.extend(changed(link, macros.collect()));
    changes
}

/// Plain values by id, as normalized changes, leaving out those already set.
fn changed(link: &Link, wanted: Vec<(String, f32)>) -> Vec<(usize, f32)> {
    let table = link.table();
    wanted
        .into_iter()
        .map(|(id, value)| {
            let index = table.index(&id);
            (index, table.get(index).spec.normalize(value))
        })
        .filter(|&(index, normalized)| link.normalized(index) != normalized)
        .collect()
}

/// A slot as the API shows it.
pub fn slot_view(link: &Link, params: &RackParams, telemetry: Option<&Telemetry>, slot: usize) -> SlotView {
    let table = link.table();
    let view = |id: String| {
        let index = table.index(&id);
        table.view(index, link.normalized(index))
    };
    let effect = effect_of(link, slot).map(|e| EFFECTS[e]);
    let control = |name: &str| plain(link, &slot_param_id(slot, name)) as f64;
    SlotView {
        slot: slot + 1,
        position: params.order.get().iter().position(|&s| s == slot).map_or(0, |p| p + 1),
        effect: effect.map(|e| e.id.to_string()),
        bypass: control("bypass") >= 0.5,
        mix: control("mix"),
        input_db: control("in"),
        output_db: control("out"),
        gain_reduction_db: telemetry.and_then(|t| t.gain_reduction_db[slot]),
        controls: CONTROLS.iter().map(|c| view(slot_param_id(slot, c))).collect(),
        parameters: effect
            .map(|e| e.params.iter().map(|p| view(effect_param_id(slot, e.id, p.id))).collect())
            .unwrap_or_default(),
    }
}
