//! The host-facing parameters: every parameter of every slot, with stable ids.
//!
//! Each of the 8 slots carries the parameters of all 19 effects, so a parameter's id, name and
//! meaning never change while a project is open ("Slot 3 · Compressor · Threshold" is always
//! that). Continuous parameters are exposed to the host in the effect's own normalized space
//! (`ParamSpec::normalize`), so logarithmic ranges stay exactly logarithmic; the host shows and
//! parses plain values with units through the formatters.

use crate::layout::{SlotOrder, STATE_VERSION};
use crate::modulation_store::ModulationStore;
use codette_dsp::param::{ParamSpec, Unit};
use codette_dsp::registry::EFFECTS;
pub use codette_dsp::targets::{effect_param_id, slot_param_id};
use codette_dsp::targets::{INPUT_TRIM, OUTPUT_TRIM, SLOT_MIX};
use nice_plug::prelude::*;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};

pub use codette_dsp::rack::SLOT_COUNT;
pub const MACRO_COUNT: usize = 8;

static MACRO: ParamSpec = ParamSpec::linear("macro", "Macro", 0.0, 1.0, 0.0, Unit::Amount);

/// A host parameter standing for one [`ParamSpec`].
pub enum SpecParam {
    Continuous(FloatParam, &'static ParamSpec),
    Stepped(IntParam, &'static ParamSpec),
}

impl SpecParam {
    fn new(name: String, spec: &'static ParamSpec) -> Self {
        if spec.is_stepped() {
            let p = IntParam::new(
                name,
                spec.default as i32,
                IntRange::Linear { min: spec.min as i32, max: spec.max as i32 },
            )
            .with_value_to_string(Arc::new(move |v| spec.format(v as f32)))
            .with_string_to_value(Arc::new(move |s| spec.parse(s).map(|v| v as i32)));
            SpecParam::Stepped(p, spec)
        } else {
            let p = FloatParam::new(
                name,
                spec.normalize(spec.default),
                FloatRange::Linear { min: 0.0, max: 1.0 },
            )
            .with_value_to_string(Arc::new(move |n| spec.format(spec.denormalize(n))))
            .with_string_to_value(Arc::new(move |s| spec.parse(s).map(|v| spec.normalize(v))));
            SpecParam::Continuous(p, spec)
        }
    }

    /// Current normalized value (0..1, as the host automates it), host modulation included.
    pub fn normalized(&self) -> f32 {
        match self {
            SpecParam::Continuous(p, _) => p.value(),
            SpecParam::Stepped(p, spec) => spec.normalize(p.value() as f32),
        }
    }

    /// Current value in plain units, host modulation included.
    pub fn plain(&self) -> f32 {
        match self {
            SpecParam::Continuous(p, spec) => spec.denormalize(p.value()),
            SpecParam::Stepped(p, _) => p.value() as f32,
        }
    }

    pub fn spec(&self) -> &'static ParamSpec {
        match self {
            SpecParam::Continuous(_, spec) | SpecParam::Stepped(_, spec) => spec,
        }
    }

    pub fn add_to_page(&self, page: &mut impl RemoteControlsPage) {
        match self {
            SpecParam::Continuous(p, _) => page.add_param(p),
            SpecParam::Stepped(p, _) => page.add_param(p),
        }
    }

    /// The host's normalized value for a plain one (what a `ParamSetter` sends).
    pub fn host_normalized(&self, plain: f32) -> f32 {
        match self {
            SpecParam::Continuous(_, spec) => spec.normalize(spec.clamp(plain)),
            SpecParam::Stepped(p, spec) => p.preview_normalized(spec.clamp(plain).round() as i32),
        }
    }

    pub fn as_ptr(&self) -> ParamPtr {
        match self {
            SpecParam::Continuous(p, _) => p.as_ptr(),
            SpecParam::Stepped(p, _) => p.as_ptr(),
        }
    }

    /// The parameter, counting its changes as `slot`'s in `changes`.
    fn counted_in(self, changes: &Arc<ChangeCounts>, slot: usize) -> Self {
        match self {
            SpecParam::Continuous(p, spec) => {
                SpecParam::Continuous(p.with_callback(count(changes, slot)), spec)
            }
            SpecParam::Stepped(p, spec) => SpecParam::Stepped(p.with_callback(count(changes, slot)), spec),
        }
    }
}

/// How many times any parameter of each slot changed, whoever changed it (host automation or
/// modulation, the editor, the API, a restored state): the audio thread looks through a slot's
/// parameters only when its count moved, where looking through all of them at every call cost
/// more than a host's 64-sample automation calls cost the rack. All slots' counts share one
/// cache line, which the audio thread reads at every call (one counter per slot, each on its own
/// allocation, cost a cache miss per slot and call).
#[derive(Debug, Default)]
#[repr(align(64))]
pub struct ChangeCounts([AtomicU32; SLOT_COUNT]);

impl ChangeCounts {
    pub fn get(&self, slot: usize) -> u32 {
        self.0[slot].load(Ordering::Acquire)
    }
}

/// A parameter callback that counts the changes of `slot`, whatever the value's type.
fn count<T>(changes: &Arc<ChangeCounts>, slot: usize) -> Arc<dyn Fn(T) + Send + Sync> {
    let changes = changes.clone();
    Arc::new(move |_| {
        changes.0[slot].fetch_add(1, Ordering::Release);
    })
}

pub struct SlotParams {
    /// 0 = empty, `i` = `EFFECTS[i - 1]`.
    pub effect: IntParam,
    pub bypass: BoolParam,
    pub mix: SpecParam,
    pub input: SpecParam,
    pub output: SpecParam,
    /// `effects[e][p]`: parameter `p` of `EFFECTS[e]`.
    pub effects: Vec<Vec<SpecParam>>,
}

impl SlotParams {
    /// The parameters of `slot`, counting their changes in `changes`.
    fn new(slot: usize, changes: &Arc<ChangeCounts>) -> Self {
        let n = slot + 1;
        let counted =
            |name: String, spec: &'static ParamSpec| SpecParam::new(name, spec).counted_in(changes, slot);
        let effect = IntParam::new(
            format!("Slot {n} · Effect"),
            0,
            IntRange::Linear { min: 0, max: EFFECTS.len() as i32 },
        )
        .with_value_to_string(Arc::new(|v| effect_name(v).to_string()))
        .with_string_to_value(Arc::new(|s| {
            let s = s.trim();
            if s.eq_ignore_ascii_case("empty") || s.is_empty() {
                return Some(0);
            }
            EFFECTS
                .iter()
                .position(|e| e.id.eq_ignore_ascii_case(s) || e.name.eq_ignore_ascii_case(s))
                .map(|i| i as i32 + 1)
        }))
        .with_callback(count(changes, slot));
        Self {
            effect,
            bypass: BoolParam::new(format!("Slot {n} · Bypass"), false).with_callback(count(changes, slot)),
            mix: counted(format!("Slot {n} · Mix"), &SLOT_MIX),
            input: counted(format!("Slot {n} · Input"), &INPUT_TRIM),
            output: counted(format!("Slot {n} · Output"), &OUTPUT_TRIM),
            effects: EFFECTS
                .iter()
                .map(|e| {
                    e.params
                        .iter()
                        .map(|p| counted(format!("Slot {n} · {} · {}", e.name, p.name), p))
                        .collect()
                })
                .collect(),
        }
    }
}

fn effect_name(value: i32) -> &'static str {
    match value {
        v if v >= 1 && (v as usize) <= EFFECTS.len() => EFFECTS[v as usize - 1].name,
        _ => "Empty",
    }
}

pub struct RackParams {
    pub slots: Vec<SlotParams>,
    /// The slots' parameter changes, counted.
    pub changes: Arc<ChangeCounts>,
    /// Modulation sources the host can automate; each can drive any number of targets.
    pub macros: Vec<SpecParam>,
    /// LFOs, envelopes, followers, routes and automation lanes: not host parameters, saved
    /// with the state.
    pub modulation: ModulationStore,
    /// The processing order; not a host parameter (hosts cannot automate a permutation), but
    /// part of the saved state.
    pub order: SlotOrder,
    /// The editor window's last logical size, saved with the state.
    pub editor_size: crate::editor::EditorSize,
    /// The editor's window is open: the audio thread then computes every modulation source,
    /// routed or not, for the window to draw.
    pub editor_open: std::sync::atomic::AtomicBool,
}

impl Default for RackParams {
    fn default() -> Self {
        let changes: Arc<ChangeCounts> = Arc::default();
        Self {
            slots: (0..SLOT_COUNT).map(|slot| SlotParams::new(slot, &changes)).collect(),
            changes,
            macros: (1..=MACRO_COUNT).map(|n| SpecParam::new(format!("Macro {n}"), &MACRO)).collect(),
            modulation: ModulationStore::default(),
            order: SlotOrder::default(),
            editor_size: Default::default(),
            editor_open: Default::default(),
        }
    }
}

/// What a host parameter controls, for code that handles all of them alike (the API).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Macro(usize),
    /// A slot's effect choice.
    SlotEffect(usize),
    SlotBypass(usize),
    /// A slot's mix or trims.
    SlotControl(usize),
    /// Parameter `param` of `EFFECTS[effect]` in a slot.
    EffectParam {
        slot: usize,
        effect: usize,
        param: usize,
    },
}

/// One host parameter with everything needed to read, set and describe it.
pub struct HostParam {
    pub id: String,
    pub group: String,
    pub ptr: ParamPtr,
    /// Its range and value mapping; the host's normalized value is `spec.normalize(plain)`.
    pub spec: &'static ParamSpec,
    pub role: Role,
}

/// The effect choice as a spec: "empty", then the effect ids in registry order.
pub fn effect_choice_spec() -> &'static ParamSpec {
    static SPEC: OnceLock<ParamSpec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let options: Vec<&'static str> =
            std::iter::once("empty").chain(EFFECTS.iter().map(|e| e.id)).collect();
        ParamSpec::choice("effect", "Effect", Box::leak(options.into_boxed_slice()), 0)
    })
}

pub static BYPASS: ParamSpec = ParamSpec::choice("bypass", "Bypass", &["off", "on"], 0);

impl RackParams {
    /// Every host parameter in the host's order: the macros, then slot by slot its effect
    /// choice, bypass, mix, trims and the parameters of all effects.
    pub fn host_params(&self) -> Vec<HostParam> {
        let mut all = Vec::new();
        for (i, m) in self.macros.iter().enumerate() {
            let (id, group) = (format!("macro{}", i + 1), "Macros".to_string());
            all.push(HostParam { id, group, ptr: m.as_ptr(), spec: &MACRO, role: Role::Macro(i) });
        }
        for (i, slot) in self.slots.iter().enumerate() {
            let group = format!("Slot {}", i + 1);
            let mut push = |id: String, group: &String, ptr, spec, role| {
                all.push(HostParam { id, group: group.clone(), ptr, spec, role })
            };
            push(
                slot_param_id(i, "effect"),
                &group,
                slot.effect.as_ptr(),
                effect_choice_spec(),
                Role::SlotEffect(i),
            );
            push(slot_param_id(i, "bypass"), &group, slot.bypass.as_ptr(), &BYPASS, Role::SlotBypass(i));
            for p in [&slot.mix, &slot.input, &slot.output] {
                push(slot_param_id(i, p.spec().id), &group, p.as_ptr(), p.spec(), Role::SlotControl(i));
            }
            for (e, (effect, params)) in EFFECTS.iter().zip(&slot.effects).enumerate() {
                let effect_group = format!("{group}/{}", effect.name);
                for (k, p) in params.iter().enumerate() {
                    let role = Role::EffectParam { slot: i, effect: e, param: k };
                    push(
                        effect_param_id(i, effect.id, p.spec().id),
                        &effect_group,
                        p.as_ptr(),
                        p.spec(),
                        role,
                    );
                }
            }
        }
        all
    }
}

unsafe impl Params for RackParams {
    fn param_map(&self) -> Vec<(String, ParamPtr, String)> {
        self.host_params().into_iter().map(|p| (p.id, p.ptr, p.group)).collect()
    }

    fn serialize_fields(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("version".to_string(), STATE_VERSION.to_string()),
            ("order".to_string(), self.order.to_json()),
            ("modulation".to_string(), self.modulation.to_json()),
            ("editor_size".to_string(), self.editor_size.to_json()),
        ])
    }

    fn deserialize_fields(&self, serialized: &BTreeMap<String, String>) {
        // `layout::migrate` empties foreign states so that the current settings stay: the order
        // included.
        if serialized.contains_key("version") {
            self.order.restore(serialized);
            self.modulation.restore(serialized.get("modulation").map(String::as_str));
            if let Some(size) = serialized.get("editor_size") {
                self.editor_size.restore(size);
            }
        }
    }
}
