//! What modulation and automation can move: every continuous parameter of every slot, by the
//! same stable ids the plugin gives its host parameters (`s3_compressor_threshold`, `s3_mix`).

use crate::chain::TRIM_RANGE_DB;
use crate::param::{ParamSpec, Unit};
use crate::rack::Rack;
use crate::registry::{self, EFFECTS};
use crate::slot::Slot;
use std::collections::HashMap;

pub static SLOT_MIX: ParamSpec = ParamSpec::linear("mix", "Mix", 0.0, 1.0, 1.0, Unit::Amount);
pub static INPUT_TRIM: ParamSpec =
    ParamSpec::linear("in", "Input", TRIM_RANGE_DB.0, TRIM_RANGE_DB.1, 0.0, Unit::Decibels);
pub static OUTPUT_TRIM: ParamSpec =
    ParamSpec::linear("out", "Output", TRIM_RANGE_DB.0, TRIM_RANGE_DB.1, 0.0, Unit::Decibels);

/// Id of a slot's own control (`effect`, `bypass`, `mix`, `in`, `out`); slots count from 0.
pub fn slot_param_id(slot: usize, name: &str) -> String {
    format!("s{}_{name}", slot + 1)
}

/// Id of an effect parameter in a slot, e.g. `s3_compressor_threshold`.
pub fn effect_param_id(slot: usize, effect_id: &str, param_id: &str) -> String {
    format!("s{}_{effect_id}_{param_id}", slot + 1)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    Mix,
    Input,
    Output,
    /// Parameter `param` of `EFFECTS[effect]`: it moves only while the slot holds that effect.
    Effect {
        effect: usize,
        param: usize,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    pub slot: usize,
    pub kind: TargetKind,
}

impl Target {
    pub fn spec(&self) -> &'static ParamSpec {
        match self.kind {
            TargetKind::Mix => &SLOT_MIX,
            TargetKind::Input => &INPUT_TRIM,
            TargetKind::Output => &OUTPUT_TRIM,
            TargetKind::Effect { effect, param } => &EFFECTS[effect].params[param],
        }
    }
}

/// The continuous parameters of a rack of `slot_count` slots, indexed for the modulation
/// matrix: ids resolve to indices once, and ticks apply values by index.
pub struct Targets {
    list: Vec<Target>,
    /// Each target's description, at hand for converting values tick after tick.
    specs: Vec<&'static ParamSpec>,
    by_id: HashMap<String, usize>,
}

impl Targets {
    pub fn new(slot_count: usize) -> Self {
        let mut targets = Self { list: Vec::new(), specs: Vec::new(), by_id: HashMap::new() };
        for slot in 0..slot_count {
            for (spec, kind) in [
                (&SLOT_MIX, TargetKind::Mix),
                (&INPUT_TRIM, TargetKind::Input),
                (&OUTPUT_TRIM, TargetKind::Output),
            ] {
                targets.push(slot_param_id(slot, spec.id), Target { slot, kind });
            }
            for (effect, spec) in EFFECTS.iter().enumerate() {
                for (param, p) in spec.params.iter().enumerate().filter(|(_, p)| !p.is_stepped()) {
                    let kind = TargetKind::Effect { effect, param };
                    targets.push(effect_param_id(slot, spec.id, p.id), Target { slot, kind });
                }
            }
        }
        targets
    }

    fn push(&mut self, id: String, target: Target) {
        self.by_id.insert(id, self.list.len());
        self.specs.push(target.spec());
        self.list.push(target);
    }

    pub fn resolve(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    pub fn get(&self, index: usize) -> Target {
        self.list[index]
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Sets a target to a normalized value. Real-time safe.
    pub fn apply(&self, rack: &mut Rack, index: usize, normalized: f32) {
        self.apply_to_slot(rack.slot_mut(self.list[index].slot), index, normalized);
    }

    /// Sets a target of `slot` (which must be the target's own slot) to a normalized value.
    pub fn apply_to_slot(&self, slot: &mut Slot, index: usize, normalized: f32) {
        self.apply_plain_to_slot(slot, index, self.plain(index, normalized));
    }

    /// A target's plain value for a normalized one.
    #[inline]
    pub fn plain(&self, index: usize, normalized: f32) -> f32 {
        self.specs[index].denormalize(normalized)
    }

    /// Sets a target of `slot` (which must be the target's own slot) to a plain value from
    /// [`plain`](Self::plain).
    pub fn apply_plain_to_slot(&self, slot: &mut Slot, index: usize, plain: f32) {
        match self.list[index].kind {
            TargetKind::Mix => slot.set_mix(plain),
            TargetKind::Input => slot.set_input_db(plain),
            TargetKind::Output => slot.set_output_db(plain),
            TargetKind::Effect { effect, param } => {
                let holds_it = slot.wanted_spec().is_some_and(|s| std::ptr::eq(s, EFFECTS[effect]));
                if let Some(fx) = slot.wanted_effect_mut().filter(|_| holds_it) {
                    fx.set_param(param, plain);
                }
            }
        }
    }
}

/// Index into `EFFECTS` of an effect spec.
pub fn registry_index(spec: &crate::EffectSpec) -> Option<usize> {
    registry::EFFECTS.iter().position(|e| std::ptr::eq(*e, spec))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_continuous_parameter_is_a_target_and_stepped_ones_are_not() {
        let targets = Targets::new(2);
        let continuous: usize = EFFECTS.iter().flat_map(|e| e.params).filter(|p| !p.is_stepped()).count();
        assert_eq!(targets.len(), 2 * (3 + continuous));
        let t = targets.get(targets.resolve("s2_compressor_threshold").unwrap());
        assert_eq!(t.slot, 1);
        assert_eq!(t.spec().id, "threshold");
        assert!(targets.resolve("s1_highlow_pass_order").is_none());
        assert!(targets.resolve("s3_mix").is_none());
        assert_eq!(targets.get(targets.resolve("s1_out").unwrap()).kind, TargetKind::Output);
    }
}
