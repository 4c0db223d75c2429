//! A small CLAP host for testing the bundled Codette Rack the way a DAW uses it.
//!
//! The tests load `target/bundled/Codette Rack.clap` (or `$CODETTE_CLAP`), a debug build made
//! with `assert_process_allocs`, so that any allocation inside `process()` aborts the test
//! process. Audio is rendered on a separate thread, as a host's audio thread would, and the
//! plugin's main-thread callbacks are served on the test's thread afterwards.
//!
//! What the plugin is expected to expose (parameter ids, names, ranges) is derived from the
//! effect registry of `codette_dsp`, so the expectations follow the effects as they are added.
//! The DSP itself is never run from here: only the bundle's copy of it is.

use clack_extensions::audio_ports::{
    AudioPortInfoBuffer, AudioPortRescanFlags, HostAudioPorts, HostAudioPortsImpl, PluginAudioPorts,
};
use clack_extensions::audio_ports_config::{
    AudioPortsConfigBuffer, HostAudioPortsConfig, HostAudioPortsConfigImpl, PluginAudioPortsConfig,
};
use clack_extensions::latency::{HostLatency, HostLatencyImpl, PluginLatency};
use clack_extensions::log::{HostLog, HostLogImpl, LogSeverity};
use clack_extensions::params::{
    HostParams, HostParamsImplMainThread, HostParamsImplShared, ParamClearFlags, ParamInfoBuffer,
    ParamInfoFlags, ParamRescanFlags, PluginParams,
};
use clack_extensions::render::{PluginRender, RenderMode};
use clack_extensions::state::{HostState, HostStateImpl, PluginState};
use clack_host::events::event_types::{ParamModEvent, ParamValueEvent};
use clack_host::prelude::*;
use codette_dsp::chain::TRIM_RANGE_DB;
use codette_dsp::param::{ParamSpec, Unit};
use codette_dsp::registry::EFFECTS;
use std::cell::Cell;
use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

pub use clack_extensions::params::ParamInfoFlags as Flags;

pub const PLUGIN_ID: &str = "audio.codette.rack";
pub const SLOT_COUNT: usize = 8;
pub const BUNDLE_COMMAND: &str = "cargo xtask bundle codette_rack --features assert_process_allocs";

// ---------------------------------------------------------------------------------------------
// Locating the bundle
// ---------------------------------------------------------------------------------------------

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

/// The CLAP bundle under test. Panics (never skips) when it is missing.
pub fn clap_path() -> PathBuf {
    let path = match std::env::var_os("CODETTE_CLAP") {
        Some(p) => PathBuf::from(p),
        None => workspace_root().join("target/bundled/Codette Rack.clap"),
    };
    assert!(
        path.is_file(),
        "The plugin bundle {} does not exist. Build it first, from the workspace root:\n    {BUNDLE_COMMAND}\n\
         (or point CODETTE_CLAP at a .clap file)",
        path.display()
    );
    warn_if_stale(&path);
    path
}

/// The standalone binary made by the same bundle command.
pub fn standalone_path() -> PathBuf {
    let path = match std::env::var_os("CODETTE_STANDALONE") {
        Some(p) => PathBuf::from(p),
        None => workspace_root().join("target/bundled/Codette Rack"),
    };
    assert!(
        path.is_file(),
        "The standalone binary {} does not exist. Build it first, from the workspace root:\n    {BUNDLE_COMMAND}",
        path.display()
    );
    warn_if_stale(&path);
    path
}

/// Says so when a source file of the plugin is newer than the bundle: the tests would then test
/// an old build.
fn warn_if_stale(bundle: &Path) {
    let Ok(built) = bundle.metadata().and_then(|m| m.modified()) else { return };
    let root = workspace_root();
    let newest = ["plugin/src", "dsp/src"]
        .iter()
        .flat_map(|dir| walk(&root.join(dir)))
        .filter_map(|f| f.metadata().and_then(|m| m.modified()).ok().map(|t| (t, f)))
        .max_by_key(|(t, _)| *t);
    if let Some((t, file)) = newest {
        if t > built + std::time::Duration::from_secs(1) {
            eprintln!(
                "WARNING: {} is newer than the bundle {} ({}s); rebuild it with `{BUNDLE_COMMAND}`",
                file.display(),
                bundle.display(),
                t.duration_since(built).unwrap_or_default().as_secs()
            );
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

pub fn load_entry() -> PluginEntry {
    let path = clap_path();
    // SAFETY: loading a CLAP bundle runs its initialisation code; this is the plugin under test.
    unsafe { PluginEntry::load(&path) }
        .unwrap_or_else(|e| panic!("could not load {} as a CLAP bundle: {e}", path.display()))
}

pub fn host_info() -> HostInfo {
    HostInfo::new("Codette host tests", "Codette", "https://codette.audio", "0.1.0").unwrap()
}

// ---------------------------------------------------------------------------------------------
// Host callbacks
// ---------------------------------------------------------------------------------------------

/// Thread-safe host state: what the plugin asked for.
#[derive(Default)]
pub struct HostShared {
    pub restart_requests: AtomicU32,
    pub process_requests: AtomicU32,
    pub flush_requests: AtomicU32,
    pub callback_requested: AtomicBool,
}

impl SharedHandler<'_> for HostShared {
    fn request_restart(&self) {
        self.restart_requests.fetch_add(1, Ordering::SeqCst);
    }
    fn request_process(&self) {
        self.process_requests.fetch_add(1, Ordering::SeqCst);
    }
    fn request_callback(&self) {
        self.callback_requested.store(true, Ordering::SeqCst);
    }
}

impl HostLogImpl for HostShared {
    fn log(&self, severity: LogSeverity, message: &str) {
        eprintln!("[plugin log {severity}] {message}");
    }
}

impl HostParamsImplShared for HostShared {
    fn request_flush(&self) {
        self.flush_requests.fetch_add(1, Ordering::SeqCst);
    }
}

/// Main-thread host state: notifications from the plugin, counted.
#[derive(Default)]
pub struct HostMain {
    pub param_rescans: Cell<u32>,
    pub param_clears: Cell<u32>,
    pub latency_changes: Cell<u32>,
    pub state_dirty: Cell<u32>,
    pub audio_port_rescans: Cell<u32>,
}

impl MainThreadHandler<'_> for HostMain {}

impl HostParamsImplMainThread for HostMain {
    fn rescan(&self, _flags: ParamRescanFlags) {
        self.param_rescans.set(self.param_rescans.get() + 1);
    }
    fn clear(&self, _param_id: ClapId, _flags: ParamClearFlags) {
        self.param_clears.set(self.param_clears.get() + 1);
    }
}

impl HostLatencyImpl for HostMain {
    fn changed(&self) {
        self.latency_changes.set(self.latency_changes.get() + 1);
    }
}

impl HostStateImpl for HostMain {
    fn mark_dirty(&self) {
        self.state_dirty.set(self.state_dirty.get() + 1);
    }
}

impl HostAudioPortsImpl for HostMain {
    fn is_rescan_flag_supported(&self, _flag: AudioPortRescanFlags) -> bool {
        true
    }
    fn rescan(&self, _flags: AudioPortRescanFlags) {
        self.audio_port_rescans.set(self.audio_port_rescans.get() + 1);
    }
}

impl HostAudioPortsConfigImpl for HostMain {
    fn rescan(&self) {
        self.audio_port_rescans.set(self.audio_port_rescans.get() + 1);
    }
}

pub struct TestHost;

impl HostHandlers for TestHost {
    type Shared<'a> = HostShared;
    type MainThread<'a> = HostMain;
    type AudioProcessor<'a> = ();

    fn declare_extensions(builder: &mut HostExtensions<Self>, _shared: &Self::Shared<'_>) {
        builder
            .register::<HostLog>()
            .register::<HostParams>()
            .register::<HostLatency>()
            .register::<HostState>()
            .register::<HostAudioPorts>()
            .register::<HostAudioPortsConfig>();
    }
}

// ---------------------------------------------------------------------------------------------
// What the plugin should expose
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// The plugin as the host sees it
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct Descriptor {
    pub id: String,
    pub name: String,
    pub vendor: String,
    pub version: String,
    pub description: String,
    pub features: Vec<String>,
}

pub fn descriptors(entry: &PluginEntry) -> Vec<Descriptor> {
    let factory = entry.get_plugin_factory().expect("the bundle has a plugin factory");
    let s = |c: Option<&std::ffi::CStr>| c.map(|c| c.to_string_lossy().into_owned()).unwrap_or_default();
    factory
        .plugin_descriptors()
        .map(|d| Descriptor {
            id: s(d.id()),
            name: s(d.name()),
            vendor: s(d.vendor()),
            version: s(d.version()),
            description: s(d.description()),
            features: d.features().map(|f| f.to_string_lossy().into_owned()).collect(),
        })
        .collect()
}

#[derive(Debug, Clone)]
pub struct ParamInfo {
    pub id: u32,
    pub name: String,
    pub module: String,
    pub min: f64,
    pub max: f64,
    pub default: f64,
    pub flags: ParamInfoFlags,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PortInfo {
    pub id: u32,
    pub name: String,
    pub channels: u32,
    pub port_type: Option<String>,
    pub is_main: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PortsConfig {
    pub id: u32,
    pub name: String,
    pub input_ports: u32,
    pub output_ports: u32,
    pub main_input_channels: Option<u32>,
    pub main_output_channels: Option<u32>,
}

/// A stereo (or, with the mono layout, mono-in) signal.
pub type Stereo = (Vec<f32>, Vec<f32>);

/// One plugin instance and, while active, its (started) audio processor.
pub struct Rack {
    instance: PluginInstance<TestHost>,
    processor: Option<StartedPluginAudioProcessor<TestHost>>,
    params: PluginParams,
    state: PluginState,
    latency: Option<PluginLatency>,
    input_channels: usize,
    max_block: usize,
    sample_rate: f64,
    steady_time: u64,
}

impl Rack {
    /// A new, inactive instance.
    pub fn new() -> Self {
        Self::with_entry(&load_entry())
    }

    pub fn with_entry(entry: &PluginEntry) -> Self {
        let id = CString::new(PLUGIN_ID).unwrap();
        let mut instance = PluginInstance::<TestHost>::new(
            |_| HostShared::default(),
            |_| HostMain::default(),
            entry,
            &id,
            &host_info(),
        )
        .unwrap_or_else(|e| panic!("could not instantiate {PLUGIN_ID}: {e}"));
        let handle = instance.plugin_handle();
        let params = handle.get_extension::<PluginParams>().expect("the plugin has the params extension");
        let state = handle.get_extension::<PluginState>().expect("the plugin has the state extension");
        let latency = handle.get_extension::<PluginLatency>();
        Self {
            instance,
            processor: None,
            params,
            state,
            latency,
            input_channels: 2,
            max_block: 0,
            sample_rate: 0.0,
            steady_time: 0,
        }
    }

    /// A new instance with parameters set (by a flush, before activation) and activated.
    pub fn configured(settings: &[Set], sample_rate: f64, max_block: usize) -> Self {
        let mut rack = Self::new();
        rack.flush(settings);
        rack.activate(sample_rate, max_block);
        rack
    }

    pub fn is_active(&self) -> bool {
        self.processor.is_some()
    }

    pub fn sample_rate(&self) -> f64 {
        self.sample_rate
    }

    /// Activates and starts processing.
    pub fn activate(&mut self, sample_rate: f64, max_block: usize) {
        self.try_activate(sample_rate, max_block).unwrap_or_else(|e| panic!("{e}"));
    }

    pub fn try_activate(&mut self, sample_rate: f64, max_block: usize) -> Result<(), String> {
        assert!(self.processor.is_none(), "already active");
        let config =
            PluginAudioConfiguration { sample_rate, min_frames_count: 1, max_frames_count: max_block as u32 };
        let stopped = self
            .instance
            .activate(|_, _| (), config)
            .map_err(|e| format!("activation at {sample_rate} Hz, {max_block} frames failed: {e}"))?;
        let started = stopped.start_processing().map_err(|e| format!("start_processing failed: {e:?}"))?;
        self.processor = Some(started);
        self.max_block = max_block;
        self.sample_rate = sample_rate;
        self.steady_time = 0;
        self.serve_main_thread();
        Ok(())
    }

    /// Stops processing and deactivates.
    pub fn deactivate(&mut self) {
        if let Some(p) = self.processor.take() {
            let stopped = p.stop_processing();
            self.instance.deactivate(stopped);
        }
        self.serve_main_thread();
    }

    /// What a host does when the plugin asks for a restart: deactivate and activate again.
    pub fn restart(&mut self) {
        let (sr, block) = (self.sample_rate, self.max_block);
        self.deactivate();
        self.activate(sr, block);
    }

    /// Runs `on_main_thread` if the plugin asked for it.
    pub fn serve_main_thread(&mut self) {
        let requested =
            self.instance.access_shared_handler(|h| h.callback_requested.swap(false, Ordering::SeqCst));
        if requested {
            self.instance.call_on_main_thread_callback();
        }
    }

    pub fn restart_requests(&self) -> u32 {
        self.instance.access_shared_handler(|h| h.restart_requests.load(Ordering::SeqCst))
    }

    pub fn latency_changes(&self) -> u32 {
        self.instance.access_handler(|h| h.latency_changes.get())
    }

    pub fn param_rescans(&self) -> u32 {
        self.instance.access_handler(|h| h.param_rescans.get())
    }

    // --- parameters --------------------------------------------------------------------------

    pub fn param_count(&mut self) -> u32 {
        let handle = self.instance.plugin_handle();
        self.params.count(&handle)
    }

    pub fn param_infos(&mut self) -> Vec<ParamInfo> {
        let handle = self.instance.plugin_handle();
        let count = self.params.count(&handle);
        let mut buffer = ParamInfoBuffer::new();
        (0..count)
            .map(|i| {
                let info = self
                    .params
                    .get_info(&handle, i, &mut buffer)
                    .unwrap_or_else(|| panic!("no info for parameter index {i} of {count}"));
                ParamInfo {
                    id: info.id.get(),
                    name: String::from_utf8_lossy(info.name).into_owned(),
                    module: String::from_utf8_lossy(info.module).into_owned(),
                    min: info.min_value,
                    max: info.max_value,
                    default: info.default_value,
                    flags: info.flags,
                }
            })
            .collect()
    }

    /// Current CLAP value of a parameter.
    pub fn value(&mut self, id: &str) -> f64 {
        self.value_by_hash(hash_param_id(id)).unwrap_or_else(|| panic!("no parameter {id}"))
    }

    pub fn value_by_hash(&mut self, hash: u32) -> Option<f64> {
        let handle = self.instance.plugin_handle();
        self.params.get_value(&handle, ClapId::new(hash))
    }

    pub fn value_to_text(&mut self, id: &str, value: f64) -> Option<String> {
        let handle = self.instance.plugin_handle();
        let mut buffer = [0u8; 256];
        self.params
            .value_to_text(&handle, ClapId::new(hash_param_id(id)), value, &mut buffer)
            .ok()
            .map(|b| String::from_utf8_lossy(b).into_owned())
    }

    pub fn text_to_value(&mut self, id: &str, text: &str) -> Option<f64> {
        let handle = self.instance.plugin_handle();
        let text = CString::new(text).unwrap();
        self.params.text_to_value(&handle, ClapId::new(hash_param_id(id)), &text)
    }

    /// Sets parameters through `params.flush` (inactive), or through a flush on the audio
    /// processor while active and not processing.
    pub fn flush(&mut self, settings: &[Set]) {
        let mut events = EventBuffer::with_capacity(settings.len());
        for s in settings {
            events.push(&ParamValueEvent::new(
                0,
                ClapId::new(hash_param_id(&s.id)),
                Pckn::match_all(),
                s.value,
            ));
        }
        let mut out = EventBuffer::new();
        match &mut self.processor {
            Some(p) => {
                self.params.flush_active(&mut p.plugin_handle(), &events.as_input(), &mut out.as_output())
            }
            None => {
                let mut handle = self.instance.inactive_plugin_handle().expect("inactive");
                self.params.flush(&mut handle, &events.as_input(), &mut out.as_output());
            }
        }
        self.serve_main_thread();
    }

    // --- state -------------------------------------------------------------------------------

    pub fn save_state(&mut self) -> Vec<u8> {
        self.try_save_state().unwrap_or_else(|e| panic!("{e}"))
    }

    pub fn try_save_state(&mut self) -> Result<Vec<u8>, String> {
        let handle = self.instance.plugin_handle();
        let mut bytes = Vec::new();
        self.state.save(&handle, &mut bytes).map_err(|e| format!("state save failed: {e:?}"))?;
        self.serve_main_thread();
        Ok(bytes)
    }

    /// `Err` when the plugin refused the state (which is allowed for bad states).
    pub fn load_state(&mut self, bytes: &[u8]) -> Result<(), String> {
        let handle = self.instance.plugin_handle();
        let mut reader = bytes;
        let result = self.state.load(&handle, &mut reader).map_err(|e| format!("state load refused: {e:?}"));
        self.serve_main_thread();
        result
    }

    // --- latency, ports, render mode ---------------------------------------------------------

    pub fn latency(&mut self) -> u32 {
        let latency = self.latency.expect("the plugin has the latency extension");
        let handle = self.instance.plugin_handle();
        latency.get(&handle)
    }

    /// The CLAP remote-control pages: (section, page name, parameter ids on the page).
    pub fn remote_pages(&mut self) -> Vec<(String, String, Vec<u32>)> {
        use clack_extensions::remote_controls::{PluginRemoteControls, RemoteControlsPageBuffer};
        let handle = self.instance.plugin_handle();
        let Some(pages) = handle.get_extension::<PluginRemoteControls>() else { return Vec::new() };
        let mut buffer = RemoteControlsPageBuffer::new();
        (0..pages.count(&handle))
            .filter_map(|i| {
                let page = pages.get(&handle, i, &mut buffer)?;
                Some((
                    String::from_utf8_lossy(page.section_name).into_owned(),
                    String::from_utf8_lossy(page.page_name).into_owned(),
                    page.param_ids.iter().flatten().map(|id| id.get()).collect(),
                ))
            })
            .collect()
    }

    pub fn audio_ports(&mut self, is_input: bool) -> Vec<PortInfo> {
        let handle = self.instance.plugin_handle();
        let ports =
            handle.get_extension::<PluginAudioPorts>().expect("the plugin has the audio-ports extension");
        let mut buffer = AudioPortInfoBuffer::new();
        (0..ports.count(&handle, is_input))
            .map(|i| {
                let info = ports.get(&handle, i, is_input, &mut buffer).expect("port info");
                PortInfo {
                    id: info.id.get(),
                    name: String::from_utf8_lossy(info.name).into_owned(),
                    channels: info.channel_count,
                    port_type: info.port_type.map(|t| t.0.to_string_lossy().into_owned()),
                    is_main: info.flags.contains(clack_extensions::audio_ports::AudioPortFlags::IS_MAIN),
                }
            })
            .collect()
    }

    pub fn ports_configs(&mut self) -> Vec<PortsConfig> {
        let handle = self.instance.plugin_handle();
        let Some(ext) = handle.get_extension::<PluginAudioPortsConfig>() else { return Vec::new() };
        let mut buffer = AudioPortsConfigBuffer::new();
        (0..ext.count(&handle))
            .map(|i| {
                let c = ext.get(&handle, i, &mut buffer).expect("ports config");
                PortsConfig {
                    id: c.id.get(),
                    name: String::from_utf8_lossy(c.name).into_owned(),
                    input_ports: c.input_port_count,
                    output_ports: c.output_port_count,
                    main_input_channels: c.main_input.as_ref().map(|p| p.channel_count),
                    main_output_channels: c.main_output.as_ref().map(|p| p.channel_count),
                }
            })
            .collect()
    }

    /// Selects an audio ports configuration (inactive only).
    pub fn select_ports_config(&mut self, id: u32) {
        assert!(!self.is_active(), "select a ports configuration before activating");
        let configs = self.ports_configs();
        let config = configs.iter().find(|c| c.id == id).expect("known configuration id");
        let handle = self.instance.plugin_handle();
        let ext = handle.get_extension::<PluginAudioPortsConfig>().unwrap();
        ext.select(&handle, ClapId::new(id)).expect("the plugin accepts the configuration");
        self.input_channels = config.main_input_channels.unwrap_or(0) as usize;
    }

    pub fn set_render_mode(&mut self, offline: bool) {
        let handle = self.instance.plugin_handle();
        let ext = handle.get_extension::<PluginRender>().expect("the plugin has the render extension");
        let mode = if offline { RenderMode::Offline } else { RenderMode::Realtime };
        ext.set(&handle, mode).expect("the plugin accepts the render mode");
    }

    // --- audio -------------------------------------------------------------------------------

    /// Renders `input` in blocks of `block` frames on an audio thread, with parameter events at
    /// absolute positions. `Err` names the first block whose `process` call failed.
    pub fn render(&mut self, input: &Stereo, block: usize, events: &[Event]) -> Result<Stereo, String> {
        self.render_with(input, block, events, |_| {})
    }

    /// Like [`render`](Self::render), calling `after_block(block_index)` on the audio thread
    /// after each block (to let wall-clock time pass, as it does in real time).
    pub fn render_with(
        &mut self,
        input: &Stereo,
        block: usize,
        events: &[Event],
        after_block: impl FnMut(usize) + Send,
    ) -> Result<Stereo, String> {
        assert!(block >= 1 && block <= self.max_block, "block {block} > max {}", self.max_block);
        assert_eq!(input.0.len(), input.1.len());
        let processor = self.processor.take().expect("render needs an active instance");
        let mut events = events.to_vec();
        events.sort_by_key(|e| e.at);
        let channels_in = self.input_channels;
        let steady_time = self.steady_time;
        let (processor, result) = std::thread::scope(|s| {
            std::thread::Builder::new()
                .name("host-audio".into())
                .spawn_scoped(s, move || {
                    let mut processor = processor;
                    let result = render_blocks(
                        &mut processor,
                        input,
                        block,
                        &events,
                        channels_in,
                        steady_time,
                        after_block,
                    );
                    (processor, result)
                })
                .expect("spawn audio thread")
                .join()
                .expect("the audio thread panicked")
        });
        self.processor = Some(processor);
        self.steady_time += input.0.len() as u64;
        self.serve_main_thread();
        result
    }
}

impl Default for Rack {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Rack {
    fn drop(&mut self) {
        if let Some(p) = self.processor.take() {
            let stopped = p.stop_processing();
            self.instance.deactivate(stopped);
        }
    }
}

/// The first `n` frames of each buffer, as a port's input channels.
fn input_channels(buffers: &mut [Vec<f32>], n: usize) -> impl Iterator<Item = InputChannel<'_, f32>> {
    buffers.iter_mut().map(move |b| InputChannel::variable(&mut b[..n]))
}

fn render_blocks(
    processor: &mut StartedPluginAudioProcessor<TestHost>,
    input: &Stereo,
    block: usize,
    events: &[Event],
    channels_in: usize,
    mut steady_time: u64,
    mut after_block: impl FnMut(usize),
) -> Result<Stereo, String> {
    let len = input.0.len();
    let mut out = (vec![0.0f32; len], vec![0.0f32; len]);
    let mut in_bufs = vec![vec![0.0f32; block]; channels_in];
    let mut out_bufs = vec![vec![0.0f32; block]; 2];
    // Every declared input port gets buffers, as hosts do: the main input and the (silent)
    // stereo sidechain.
    let mut sidechain = vec![vec![0.0f32; block]; 2];
    let mut in_ports = AudioPorts::with_capacity(channels_in + 2, 2);
    let mut out_ports = AudioPorts::with_capacity(2, 1);
    let mut in_events = EventBuffer::with_capacity(64);
    let mut out_events = EventBuffer::with_capacity(64);
    let mut next_event = 0;
    let mut start = 0;
    let mut index = 0;
    while start < len {
        let n = block.min(len - start);
        let sources = [&input.0, &input.1];
        for (ch, buf) in in_bufs.iter_mut().enumerate() {
            buf[..n].copy_from_slice(&sources[ch][start..start + n]);
        }
        in_events.clear();
        out_events.clear();
        while next_event < events.len() && events[next_event].at < start + n {
            let e = &events[next_event];
            let at = e.at.saturating_sub(start) as u32;
            if e.modulation {
                in_events.push(&ParamModEvent::new(at, ClapId::new(e.id), Pckn::match_all(), e.value));
            } else {
                in_events.push(&ParamValueEvent::new(at, ClapId::new(e.id), Pckn::match_all(), e.value));
            }
            next_event += 1;
        }
        let inputs = in_ports.with_input_buffers([
            AudioPortBuffer {
                latency: 0,
                channels: AudioPortBufferType::f32_input_only(input_channels(&mut in_bufs, n)),
            },
            AudioPortBuffer {
                latency: 0,
                channels: AudioPortBufferType::f32_input_only(input_channels(&mut sidechain, n)),
            },
        ]);
        let mut outputs = out_ports.with_output_buffers([AudioPortBuffer {
            latency: 0,
            channels: AudioPortBufferType::f32_output_only(out_bufs.iter_mut().map(|b| &mut b[..n])),
        }]);
        processor
            .process(
                &inputs,
                &mut outputs,
                &in_events.as_input(),
                &mut out_events.as_output(),
                Some(steady_time),
                None,
            )
            .map_err(|e| format!("process() failed on block {index} (frames {start}..{}): {e}", start + n))?;
        out.0[start..start + n].copy_from_slice(&out_bufs[0][..n]);
        out.1[start..start + n].copy_from_slice(&out_bufs[1][..n]);
        after_block(index);
        steady_time += n as u64;
        start += n;
        index += 1;
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Signals and checks
// ---------------------------------------------------------------------------------------------

/// Deterministic white noise in [-amplitude, amplitude] (xorshift32).
pub fn noise(len: usize, seed: u32, amplitude: f32) -> Vec<f32> {
    let mut state = seed.max(1);
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state as f32 / u32::MAX as f32 * 2.0 - 1.0) * amplitude
        })
        .collect()
}

pub fn stereo_noise(len: usize, seed: u32, amplitude: f32) -> Stereo {
    (noise(len, seed, amplitude), noise(len, seed.wrapping_mul(7919).wrapping_add(13), amplitude))
}

pub fn square(len: usize, period: usize, amplitude: f32) -> Vec<f32> {
    (0..len)
        .map(|i| if (i / (period / 2).max(1)).is_multiple_of(2) { amplitude } else { -amplitude })
        .collect()
}

pub fn rms(x: &[f32]) -> f64 {
    (x.iter().map(|&v| (v as f64) * (v as f64)).sum::<f64>() / x.len().max(1) as f64).sqrt()
}

pub fn db(ratio: f64) -> f64 {
    20.0 * ratio.log10()
}

/// `None` if every sample is finite and either zero or normal; otherwise the first offender.
pub fn first_unclean(x: &[f32]) -> Option<(usize, f32)> {
    x.iter().copied().enumerate().find(|&(_, v)| !(v == 0.0 || v.is_normal()))
}

pub fn assert_clean(what: &str, out: &Stereo) {
    for (ch, x) in [("left", &out.0), ("right", &out.1)] {
        if let Some((i, v)) = first_unclean(x) {
            panic!("{what}: {ch} sample {i} is {v:e} (must be finite and not subnormal)");
        }
    }
}

/// The JSON inside a saved state (nice-plug writes an 8-byte little-endian length first).
pub fn state_json(bytes: &[u8]) -> serde_json::Value {
    assert!(bytes.len() >= 8, "a state is at least its 8-byte length prefix");
    let len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    assert_eq!(len, bytes.len() - 8, "the length prefix counts the JSON that follows");
    serde_json::from_slice(&bytes[8..]).unwrap_or_else(|e| panic!("saved state is not JSON: {e}"))
}

/// A state stream as the plugin's CLAP wrapper reads it: length prefix and payload.
pub fn state_bytes(payload: &[u8]) -> Vec<u8> {
    let mut out = (payload.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(payload);
    out
}

pub fn state_from_json(value: &serde_json::Value) -> Vec<u8> {
    state_bytes(&serde_json::to_vec(value).unwrap())
}

/// A free loopback port (bound and released; the standalone binds it next).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// One JSON request over plain HTTP/1.1 to the standalone's sidecar; the status and body, or
/// `None` if nothing answers (yet).
pub fn http(port: u16, method: &str, path: &str, body: &str) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split(' ').nth(1)?.parse().ok()?;
    Some((status, response.split_once("\r\n\r\n")?.1.to_string()))
}
