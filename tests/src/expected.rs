//! What the plugin should expose: every parameter's id, name, module and CLAP range, derived
//! from the effect registry; and parameter assignments in plain units.

use codette_dsp::chain::TRIM_RANGE_DB;
use codette_dsp::param::{ParamSpec, Unit};
use codette_dsp::registry::EFFECTS;

pub const SLOT_COUNT: usize = 8;

/// nice-plug's CLAP/VST3 parameter id: a hash of the string id (kept stable across releases).
pub fn hash_param_id(id: &str) -> u32 {
    let mut hash: u32 = 0;
    for b in id.bytes() {
        hash = hash.wrapping_mul(31).wrapping_add(b as u32);
    }
    hash & !(1 << 31)
}

pub static MACRO: ParamSpec = ParamSpec::linear("macro", "Macro", 0.0, 1.0, 0.0, Unit::Amount);
pub const MACRO_COUNT: usize = 8;
pub static SLOT_MIX: ParamSpec = ParamSpec::linear("mix", "Mix", 0.0, 1.0, 1.0, Unit::Amount);
pub static INPUT_TRIM: ParamSpec =
    ParamSpec::linear("in", "Input", TRIM_RANGE_DB.0, TRIM_RANGE_DB.1, 0.0, Unit::Decibels);
pub static OUTPUT_TRIM: ParamSpec =
    ParamSpec::linear("out", "Output", TRIM_RANGE_DB.0, TRIM_RANGE_DB.1, 0.0, Unit::Decibels);

#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// The slot's effect choice: 0 = empty, i = EFFECTS[i - 1].
    Effect,
    Bool,
    /// Exposed to the host as the spec's normalized value (0..1).
    Continuous(&'static ParamSpec),
    /// Exposed as `plain - min` (0..step count).
    Stepped(&'static ParamSpec),
}

#[derive(Debug, Clone)]
pub struct Expected {
    pub id: String,
    pub name: String,
    pub module: String,
    pub kind: Kind,
}

impl Expected {
    pub fn hash(&self) -> u32 {
        hash_param_id(&self.id)
    }

    /// The largest CLAP value (CLAP's range is 0..step count, or 0..1 for continuous ones).
    pub fn clap_max(&self) -> f64 {
        match self.kind {
            Kind::Effect => EFFECTS.len() as f64,
            Kind::Bool | Kind::Continuous(_) => 1.0,
            Kind::Stepped(s) => (s.max - s.min) as f64,
        }
    }

    pub fn clap_default(&self) -> f64 {
        match self.kind {
            Kind::Effect | Kind::Bool => 0.0,
            Kind::Continuous(s) => s.normalize(s.default) as f64,
            Kind::Stepped(s) => (s.default - s.min) as f64,
        }
    }
}

fn spec_kind(spec: &'static ParamSpec) -> Kind {
    if spec.is_stepped() {
        Kind::Stepped(spec)
    } else {
        Kind::Continuous(spec)
    }
}

/// Every host parameter, in the order the plugin declares them.
pub fn expected_params() -> Vec<Expected> {
    let mut out: Vec<Expected> = (1..=MACRO_COUNT)
        .map(|n| Expected {
            id: format!("macro{n}"),
            name: format!("Macro {n}"),
            module: "Macros".to_string(),
            kind: Kind::Continuous(&MACRO),
        })
        .collect();
    for n in 1..=SLOT_COUNT {
        let module = format!("Slot {n}");
        let slot = |id: &str, name: &str, kind| Expected {
            id: format!("s{n}_{id}"),
            name: format!("Slot {n} · {name}"),
            module: module.clone(),
            kind,
        };
        out.push(slot("effect", "Effect", Kind::Effect));
        out.push(slot("bypass", "Bypass", Kind::Bool));
        out.push(slot("mix", "Mix", Kind::Continuous(&SLOT_MIX)));
        out.push(slot("in", "Input", Kind::Continuous(&INPUT_TRIM)));
        out.push(slot("out", "Output", Kind::Continuous(&OUTPUT_TRIM)));
        for effect in EFFECTS {
            for p in effect.params {
                out.push(Expected {
                    id: format!("s{n}_{}_{}", effect.id, p.id),
                    name: format!("Slot {n} · {} · {}", effect.name, p.name),
                    module: format!("Slot {n}/{}", effect.name),
                    kind: spec_kind(p),
                });
            }
        }
    }
    out
}

/// The expected description of one parameter by string id.
pub fn expected(id: &str) -> Expected {
    if let Some(n) = id.strip_prefix("macro") {
        return Expected {
            id: id.to_string(),
            name: format!("Macro {n}"),
            module: "Macros".to_string(),
            kind: Kind::Continuous(&MACRO),
        };
    }
    let (slot, rest) = id
        .strip_prefix('s')
        .and_then(|s| s.split_once('_'))
        .unwrap_or_else(|| panic!("{id} is not a Codette Rack parameter id"));
    let n: usize = slot.parse().unwrap_or_else(|_| panic!("{id}: bad slot number"));
    assert!((1..=SLOT_COUNT).contains(&n), "{id}: slot out of range");
    let module = format!("Slot {n}");
    let slot_param = |name: &str, kind| Expected {
        id: id.to_string(),
        name: format!("Slot {n} · {name}"),
        module: module.clone(),
        kind,
    };
    match rest {
        "effect" => return slot_param("Effect", Kind::Effect),
        "bypass" => return slot_param("Bypass", Kind::Bool),
        "mix" => return slot_param("Mix", Kind::Continuous(&SLOT_MIX)),
        "in" => return slot_param("Input", Kind::Continuous(&INPUT_TRIM)),
        "out" => return slot_param("Output", Kind::Continuous(&OUTPUT_TRIM)),
        _ => {}
    }
    for effect in EFFECTS {
        if let Some(pid) = rest.strip_prefix(effect.id).and_then(|r| r.strip_prefix('_')) {
            if let Some(p) = effect.params.iter().find(|p| p.id == pid) {
                return Expected {
                    id: id.to_string(),
                    name: format!("Slot {n} · {} · {}", effect.name, p.name),
                    module: format!("Slot {n}/{}", effect.name),
                    kind: spec_kind(p),
                };
            }
        }
    }
    panic!("{id} is not a Codette Rack parameter id")
}

/// 1-based value of the `s{n}_effect` parameter for an effect id.
pub fn effect_index(effect_id: &str) -> u32 {
    EFFECTS
        .iter()
        .position(|e| e.id == effect_id)
        .unwrap_or_else(|| panic!("no effect {effect_id} in the registry")) as u32
        + 1
}

/// The CLAP value that sets a parameter to a plain value (an effect id for `s{n}_effect`,
/// 0/1 for bypass, dB, Hz, ms, a choice index...).
pub fn clap_value(id: &str, plain: f64) -> f64 {
    match expected(id).kind {
        Kind::Effect | Kind::Bool => plain,
        Kind::Continuous(spec) => spec.normalize(plain as f32) as f64,
        Kind::Stepped(spec) => plain - spec.min as f64,
    }
}

/// A parameter assignment in plain units: `set("s1_out", -12.0)`, `effect(2, "reverb")`.
#[derive(Debug, Clone)]
pub struct Set {
    pub id: String,
    pub value: f64,
}

pub fn set(id: &str, plain: f64) -> Set {
    Set { id: id.to_string(), value: clap_value(id, plain) }
}

/// Chooses an effect for slot `n` (1-based).
pub fn effect(n: usize, effect_id: &str) -> Set {
    set(&format!("s{n}_effect"), effect_index(effect_id) as f64)
}

pub fn empty_slot(n: usize) -> Set {
    set(&format!("s{n}_effect"), 0.0)
}

/// A parameter event at an absolute sample position of a render: a new value, or (CLAP
/// parameter modulation) an offset added to the value, in the parameter's CLAP units.
#[derive(Debug, Clone)]
pub struct Event {
    pub at: usize,
    pub id: u32,
    pub value: f64,
    pub modulation: bool,
}

impl Event {
    pub fn at(at: usize, s: Set) -> Self {
        Self { at, id: hash_param_id(&s.id), value: s.value, modulation: false }
    }

    /// Host modulation of parameter `id` by `amount` (normalized units for continuous ones).
    pub fn modulate(at: usize, id: &str, amount: f64) -> Self {
        Self { at, id: hash_param_id(id), value: amount, modulation: true }
    }
}
