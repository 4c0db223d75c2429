//! The parts of the saved state that are not host parameters, and their versioning.

use crate::params::{RackParams, SLOT_COUNT};
use nice_plug::plugin::ParamValue;
use nice_plug::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

/// Version of the state layout. Raise it when the meaning of saved data changes, and migrate
/// older states in [`migrate`].
pub const STATE_VERSION: u32 = 1;

const BITS_PER_SLOT: u32 = 4;

/// The processing order of the slots, packed into one atomic word (4 bits per position) so that
/// the audio thread reads it without locks and writers replace it whole.
pub struct SlotOrder(AtomicU32);

impl Default for SlotOrder {
    fn default() -> Self {
        Self(AtomicU32::new(pack(&std::array::from_fn::<usize, SLOT_COUNT, _>(|i| i))))
    }
}

fn pack(order: &[usize; SLOT_COUNT]) -> u32 {
    order
        .iter()
        .enumerate()
        .fold(0, |word, (pos, &slot)| word | (slot as u32) << (pos as u32 * BITS_PER_SLOT))
}

impl SlotOrder {
    pub fn get(&self) -> [usize; SLOT_COUNT] {
        let word = self.0.load(Ordering::Acquire);
        std::array::from_fn(|pos| ((word >> (pos as u32 * BITS_PER_SLOT)) & 0xF) as usize)
    }

    /// Sets a new order; `Err` unless it is a permutation of the slots.
    pub fn set(&self, order: &[usize]) -> Result<(), String> {
        let order: [usize; SLOT_COUNT] =
            order.try_into().map_err(|_| format!("an order lists all {SLOT_COUNT} slots"))?;
        if !(0..SLOT_COUNT).all(|s| order.contains(&s)) {
            return Err(format!("{order:?} is not an order of the slots 0..{SLOT_COUNT}"));
        }
        self.0.store(pack(&order), Ordering::Release);
        Ok(())
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.get()).expect("an array of integers serializes")
    }

    /// Restores the order from saved fields; a missing or damaged one resets to the default
    /// order and says why.
    pub fn restore(&self, fields: &BTreeMap<String, String>) {
        let result = fields
            .get("order")
            .ok_or_else(|| "no slot order saved".to_string())
            .and_then(|json| serde_json::from_str::<Vec<usize>>(json).map_err(|e| e.to_string()))
            .and_then(|order| self.set(&order));
        if let Err(why) = result {
            nice_warn!("Slot order not restored ({why}); using the default order");
            self.0.store(Self::default().0.into_inner(), Ordering::Release);
        }
    }
}

/// Brings a saved state to the current layout before it is loaded. A state that is not Codette
/// Rack's (no version field) is emptied, so that nothing foreign is applied and the current
/// settings stay; a newer one loads what this version understands.
pub fn migrate(state: &mut PluginState) {
    match state.fields.get("version").map(|v| v.parse::<u32>()) {
        Some(Ok(v)) if v <= STATE_VERSION => {}
        Some(Ok(v)) => {
            nice_warn!("State is from a newer Codette Rack (layout {v} > {STATE_VERSION}); loading what this version knows");
        }
        _ => {
            nice_warn!(
                "State has no valid Codette Rack version field; ignoring it and keeping the current settings"
            );
            state.params.clear();
            state.fields.clear();
        }
    }
    sanitize_values(state);
}

/// The values a saved parameter may have, read off the parameters themselves.
enum SavedRange {
    Float(f32, f32),
    Int(i32, i32),
    Bool,
}

fn saved_ranges() -> &'static HashMap<String, SavedRange> {
    static RANGES: OnceLock<HashMap<String, SavedRange>> = OnceLock::new();
    RANGES.get_or_init(|| {
        let range = |ptr: ParamPtr| unsafe {
            match ptr {
                ParamPtr::FloatParam(p) => match (*p).range() {
                    FloatRange::Linear { min, max } => SavedRange::Float(min, max),
                    _ => unreachable!("all float parameters are linear over their normalized range"),
                },
                ParamPtr::IntParam(p) => match (*p).range() {
                    IntRange::Linear { min, max } => SavedRange::Int(min, max),
                    IntRange::Reversed(_) => unreachable!("no reversed integer parameters"),
                },
                ParamPtr::BoolParam(_) => SavedRange::Bool,
                ParamPtr::EnumParam(_) => unreachable!("no enum parameters"),
            }
        };
        RackParams::default().param_map().into_iter().map(|(id, ptr, _)| (id, range(ptr))).collect()
    })
}

/// Brings saved values into their parameters' ranges. nice-plug restores plain values as they
/// are, so an out-of-range value would be played, shown and saved again as it came, and a
/// non-finite one would be saved as `null` and break the next load. An effect index this
/// version does not know (from a newer version) becomes an empty slot.
fn sanitize_values(state: &mut PluginState) {
    let ranges = saved_ranges();
    state.params.retain(|id, value| {
        let keep = match (ranges.get(id), &mut *value) {
            (None, _) => return true, // unknown ids are skipped by nice-plug itself
            (Some(SavedRange::Float(min, max)), ParamValue::F32(v)) if v.is_finite() => {
                *v = v.clamp(*min, *max);
                true
            }
            (Some(SavedRange::Int(min, max)), ParamValue::I32(v)) => {
                if !(*min..=*max).contains(v) {
                    *v = if id.ends_with("_effect") { 0 } else { (*v).clamp(*min, *max) };
                }
                true
            }
            (Some(SavedRange::Bool), ParamValue::Bool(_)) => true,
            _ => false,
        };
        if !keep {
            nice_warn!("Ignoring the saved value {value:?} of {id}");
        }
        keep
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use nice_plug::plugin::ParamValue;

    #[test]
    fn order_roundtrips_and_refuses_non_permutations() {
        let order = SlotOrder::default();
        assert_eq!(order.get(), [0, 1, 2, 3, 4, 5, 6, 7]);
        order.set(&[7, 6, 5, 4, 3, 2, 1, 0]).unwrap();
        assert_eq!(order.get(), [7, 6, 5, 4, 3, 2, 1, 0]);
        assert!(order.set(&[0, 0, 1, 2, 3, 4, 5, 6]).is_err());
        assert!(order.set(&[0, 1]).is_err());

        let fields = BTreeMap::from([("order".to_string(), "[1,0,2,3,4,5,6,7]".to_string())]);
        order.restore(&fields);
        assert_eq!(order.get(), [1, 0, 2, 3, 4, 5, 6, 7]);
        order.restore(&BTreeMap::from([("order".to_string(), "garbage".to_string())]));
        assert_eq!(order.get(), [0, 1, 2, 3, 4, 5, 6, 7]);
    }

    #[test]
    fn foreign_states_are_emptied_and_ours_kept() {
        let mut foreign = PluginState {
            version: "1.0".into(),
            params: BTreeMap::from([("gain".to_string(), ParamValue::F32(0.3))]),
            fields: BTreeMap::new(),
        };
        migrate(&mut foreign);
        assert!(foreign.params.is_empty());

        let mut ours = PluginState {
            version: "0.1.0".into(),
            params: BTreeMap::from([("s1_mix".to_string(), ParamValue::F32(0.3))]),
            fields: BTreeMap::from([("version".to_string(), "1".to_string())]),
        };
        migrate(&mut ours);
        assert_eq!(ours.params.len(), 1);
    }

    #[test]
    fn saved_values_are_brought_into_range() {
        let mut state = PluginState {
            version: "0.1.0".into(),
            params: BTreeMap::from([
                ("s1_effect".to_string(), ParamValue::I32(999)),
                ("s1_highlow_pass_order".to_string(), ParamValue::I32(40)),
                ("s1_mix".to_string(), ParamValue::F32(3.0)),
                ("s2_mix".to_string(), ParamValue::F32(f32::INFINITY)),
                ("s1_bypass".to_string(), ParamValue::F32(0.5)),
            ]),
            fields: BTreeMap::from([("version".to_string(), "1".to_string())]),
        };
        migrate(&mut state);
        assert!(matches!(state.params["s1_effect"], ParamValue::I32(0)));
        assert!(matches!(state.params["s1_highlow_pass_order"], ParamValue::I32(6)));
        assert!(matches!(state.params["s1_mix"], ParamValue::F32(v) if v == 1.0));
        assert!(!state.params.contains_key("s2_mix"));
        assert!(!state.params.contains_key("s1_bypass"));
    }
}
