//! Reading the rack a suggestion is made for: which slots hold what, in processing order.

use codette_dsp::chain::SlotConfig;
use codette_dsp::preset::Preset;
use codette_dsp::registry;

/// The occupied slots in processing order, as (slot number from 1, its configuration).
pub(super) fn in_order(preset: &Preset, slot_count: usize) -> Vec<(usize, &SlotConfig)> {
    preset
        .order_indices(slot_count)
        .into_iter()
        .filter_map(|i| preset.slots.get(i).filter(|s| s.effect.is_some() && !s.bypass).map(|s| (i + 1, s)))
        .collect()
}

/// The slots holding an effect whose id satisfies `is`, in processing order.
pub(super) fn holding(
    preset: &Preset,
    slot_count: usize,
    is: impl Fn(&str) -> bool,
) -> Vec<(usize, &SlotConfig)> {
    in_order(preset, slot_count).into_iter().filter(|(_, s)| s.effect.as_deref().is_some_and(&is)).collect()
}

/// A slot's parameter as the effect will run it: the preset's value, or the default.
pub(super) fn value(config: &SlotConfig, parameter: &str) -> Option<f32> {
    if let Some(v) = config.parameters.get(parameter) {
        return Some(*v);
    }
    let spec = registry::find(config.effect.as_deref()?)?;
    spec.params.get(spec.param_index(parameter)?).map(|p| p.default)
}
