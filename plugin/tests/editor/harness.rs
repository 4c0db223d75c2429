//! The editor in a kittest harness, with a host double that records the parameter gestures and
//! applies the values as a host does; and the steps several tests take (choosing an effect,
//! playing audio into the instance).

use codette_dsp::registry::EFFECTS;
use codette_rack::editor::library::Library;
use codette_rack::editor::Editor;
use codette_rack::params::RackParams;
use codette_rack::remote::RemoteInstance;
use codette_server::Instance;
use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use nice_plug::context::gui::{GuiContext, GuiContextInner};
use nice_plug::prelude::*;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Gesture {
    Begin(ParamPtr),
    Set(ParamPtr, f32),
    End(ParamPtr),
}

/// A host: records every gesture and sets the value it is given.
#[derive(Default)]
struct Host {
    gestures: Mutex<Vec<Gesture>>,
}

impl GuiContextInner for Host {
    fn plugin_api(&self) -> PluginApi {
        PluginApi::Clap
    }
    unsafe fn raw_begin_set_parameter(&self, param: ParamPtr) {
        self.gestures.lock().unwrap().push(Gesture::Begin(param));
    }
    unsafe fn raw_set_parameter_normalized(&self, param: ParamPtr, normalized: f32) {
        self.gestures.lock().unwrap().push(Gesture::Set(param, normalized));
        unsafe { param._internal_set_normalized_value(normalized) };
    }
    unsafe fn raw_end_set_parameter(&self, param: ParamPtr) {
        self.gestures.lock().unwrap().push(Gesture::End(param));
    }
    fn get_state(&self) -> PluginState {
        unimplemented!("the editor does not read the host's state")
    }
    fn set_state(&self, _: PluginState) {
        unimplemented!("the editor does not set the host's state")
    }
    fn request_restart(&self) {}
}

pub struct Fixture {
    pub params: Arc<RackParams>,
    pub remote: Arc<RemoteInstance>,
    host: Arc<Host>,
    pub presets: tempfile::TempDir,
}

pub fn open() -> (Harness<'static, Editor>, Fixture) {
    let params = Arc::new(RackParams::default());
    let remote = Arc::new(RemoteInstance::new(params.clone()));
    let presets = tempfile::tempdir().unwrap();
    let editor = Editor::new(params.clone(), remote.clone(), Library::new(presets.path().to_path_buf()));
    let host = Arc::new(Host::default());
    let gui = GuiContext::new(host.clone());
    let harness = Harness::builder()
        .with_size(egui::vec2(1200.0, 800.0))
        .with_step_dt(1.0 / 60.0)
        .build_ui_state(move |ui, editor: &mut Editor| editor.show(ui, &gui), editor);
    (harness, Fixture { params, remote, host, presets })
}

impl Fixture {
    pub fn gestures(&self) -> Vec<Gesture> {
        std::mem::take(&mut *self.host.gestures.lock().unwrap())
    }
}

pub fn effect_index(id: &str) -> usize {
    EFFECTS.iter().position(|e| e.id == id).unwrap()
}

/// Chooses an effect for slot 1 through its picker.
pub fn choose(harness: &mut Harness<Editor>, name: &str) {
    harness.get_by_label("Slot 1 effect").click();
    harness.run();
    harness.get_by_label(name).scroll_to_me();
    harness.run();
    harness.get_by_label(name).click();
    harness.run();
}

/// The instance plays a second of a full-scale 1 kHz sine (far too loud for streaming), and
/// its analysis thread measures it; the audio thread's end of the link is returned.
pub fn play_a_loud_sine(fixture: &Fixture) -> codette_rack::remote::link::AudioLink {
    let mut audio = fixture.remote.activate(PluginApi::Clap, 48_000.0, 512);
    let sine: Vec<f32> =
        (0..48_000).map(|n| (std::f32::consts::TAU * 1000.0 * n as f32 / 48_000.0).sin()).collect();
    for block in sine.chunks(512) {
        audio.publish(Default::default(), block, block);
        // At about real-time pace: the rings hold half a second.
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let start = std::time::Instant::now();
    while fixture.remote.meters().unwrap().meters.lufs_integrated < -20.0 {
        assert!(start.elapsed() < std::time::Duration::from_secs(10), "the analysis thread measures");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(100));
    audio
}
