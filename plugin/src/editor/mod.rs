//! The plugin's window (egui through nice-plug-egui): the rack, the modulation, the analysis,
//! the presets and Codette, each a panel with a `ui` method as in egui's demo, over a status bar.
//!
//! The window never waits for the audio thread: it reads the parameters (atomics), the audio
//! thread's telemetry snapshot (a triple buffer) and the analysis thread's readings, and edits
//! host parameters through the host's gestures ([`edits`]); everything else (the order, the
//! modulation, presets, undo) goes through the same code as the sidecar API.

mod analysis;
mod chat;
mod codette;
mod combo;
mod edits;
mod knob;
pub mod library;
mod matrix;
mod modulation;
mod presets;
mod rack;
mod size;
mod status;
mod suggestions;

use crate::params::RackParams;
use crate::remote::link::Telemetry;
use crate::remote::RemoteInstance;
use codette_dsp::modulation::{Matrix, ModulationConfig};
use edits::Edits;
use egui::{Ui, ViewportCommand};
use nice_plug::context::gui::GuiContext;
use nice_plug_egui::{EguiEditorState, EguiNiceSettings, NiceEguiApp, RepaintNotifier};
pub use size::EditorSize;
use std::cell::RefCell;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

/// The window repaints this often while open: the meters, scopes and rings move.
const FRAME: Duration = Duration::from_micros(16_667);

/// What every panel sees in one frame.
pub struct View<'a> {
    pub params: &'a RackParams,
    pub remote: &'a RemoteInstance,
    pub edits: Edits<'a>,
    /// The audio thread's latest snapshot; `None` while no audio runs.
    pub telemetry: Option<Telemetry>,
    pub modulation: ModulationConfig,
    /// The modulation's routes as the audio thread runs them, for the knobs' rings.
    pub matrix: Matrix,
    message: RefCell<Option<String>>,
}

impl View<'_> {
    /// Shows an error (a refused edit) in the status line.
    pub fn report(&self, message: String) {
        *self.message.borrow_mut() = Some(message);
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Default)]
enum Tab {
    #[default]
    Rack,
    Modulation,
    Analysis,
    Presets,
    Codette,
}

pub struct Editor {
    params: Arc<RackParams>,
    remote: Arc<RemoteInstance>,
    /// The host's side of the window while it is open.
    gui: Option<GuiContext>,
    tab: Tab,
    rack: rack::RackPanel,
    modulation: modulation::ModulationPanel,
    analysis: analysis::AnalysisPanel,
    presets: presets::PresetsPanel,
    codette: codette::CodettePanel,
    ab: presets::AbCompare,
    status: status::StatusBar,
    message: Option<String>,
    /// A text field had the keyboard at the last frame.
    typing: bool,
}

/// Hosts (Reaper, Ableton Live) keep keystrokes for their own shortcuts unless the plugin's
/// window takes the keyboard focus. When a text field (a typed value, a preset name, the chat
/// box) gains egui's focus, the window asks the system for the keyboard; egui-baseview then
/// captures key events only while a text field wants them, so the host's shortcuts keep
/// working otherwise. (The `keyboard_focus_workaround` feature of nice-plug-egui renews the
/// request while text is being typed; a click in the window also takes the focus.)
fn ask_for_keyboard(ctx: &egui::Context, typing: &mut bool) {
    let wants = ctx.egui_wants_keyboard_input();
    if wants && !*typing {
        ctx.send_viewport_cmd(ViewportCommand::Focus);
    }
    *typing = wants;
}

impl Editor {
    pub fn new(params: Arc<RackParams>, remote: Arc<RemoteInstance>, library: library::Library) -> Self {
        Self {
            params,
            remote,
            gui: None,
            tab: Tab::default(),
            rack: Default::default(),
            modulation: Default::default(),
            analysis: Default::default(),
            presets: presets::PresetsPanel::new(library),
            codette: Default::default(),
            ab: Default::default(),
            status: Default::default(),
            message: None,
            typing: false,
        }
    }

    /// Draws the whole window; `gui` carries the host's parameter gestures.
    pub fn show(&mut self, ui: &mut Ui, gui: &GuiContext) {
        ui.ctx().request_repaint_after(FRAME);
        let (params, remote) = (self.params.clone(), self.remote.clone());
        let modulation = params.modulation.config();
        let resolve = |id: &str| crate::modulation_store::targets().resolve(id);
        let view = View {
            params: &params,
            remote: &remote,
            edits: Edits { gui, remote: &remote },
            telemetry: remote.telemetry(),
            matrix: Matrix::new(&modulation.routes, &resolve).unwrap_or_default(),
            modulation,
            message: RefCell::new(None),
        };
        egui::Panel::top("tabs").show(ui, |ui| self.top_bar(ui, &view));
        egui::Panel::bottom("status").show(ui, |ui| {
            self.status.ui(ui, &view);
            if let Some(message) = &self.message {
                ui.small(message);
            }
        });
        egui::CentralPanel::default().show(ui, |ui| match self.tab {
            Tab::Rack => self.rack.ui(ui, &view),
            Tab::Modulation => self.modulation.ui(ui, &view),
            Tab::Analysis => self.analysis.ui(ui, &view),
            Tab::Presets => self.presets.ui(ui, &view),
            Tab::Codette => self.codette.ui(ui, &view),
        });
        if let Some(message) = view.message.into_inner() {
            self.message = Some(message);
        }
        ask_for_keyboard(ui.ctx(), &mut self.typing);
    }

    fn top_bar(&mut self, ui: &mut Ui, view: &View) {
        ui.horizontal(|ui| {
            ui.strong("Codette Rack");
            ui.separator();
            for (tab, name) in [
                (Tab::Rack, "Rack"),
                (Tab::Modulation, "Modulation"),
                (Tab::Analysis, "Analysis"),
                (Tab::Presets, "Presets"),
                (Tab::Codette, "Codette"),
            ] {
                ui.selectable_value(&mut self.tab, tab, name);
            }
            ui.separator();
            let history = self.remote.history_view();
            if ui.add_enabled(history.undo_steps > 0, egui::Button::new("Undo")).clicked() {
                self.message = view.edits.undo().err().map(|e| e.to_string());
            }
            if ui.add_enabled(history.redo_steps > 0, egui::Button::new("Redo")).clicked() {
                self.message = view.edits.redo().err().map(|e| e.to_string());
            }
            ui.separator();
            for (side, name) in ["A", "B"].iter().enumerate() {
                if ui.selectable_label(self.ab.active() == side, *name).clicked() {
                    self.message = self.ab.switch(side, view).err();
                }
            }
        });
    }
}

impl NiceEguiApp for Editor {
    fn build(
        &mut self,
        egui_ctx: egui::Context,
        gui: GuiContext,
        _frame: &mut nice_plug_egui::Frame,
    ) -> Result<(), nice_plug_egui::baseview::HandlerError> {
        self.gui = Some(gui);
        self.params.editor_open.store(true, Ordering::Relaxed);
        // The state (and its window size) may have been loaded after the window's state was
        // made: ask for the saved size.
        let (width, height) = self.params.editor_size.get();
        egui_ctx.send_viewport_cmd(ViewportCommand::InnerSize(egui::vec2(width, height)));
        Ok(())
    }

    fn ui(&mut self, ui: &mut Ui, _frame: &mut nice_plug_egui::Frame) {
        if let Some(gui) = self.gui.clone() {
            self.show(ui, &gui);
        }
    }

    fn resized(&mut self, size: nice_plug_egui::baseview::WindowSize) {
        self.params.editor_size.set(size.logical.width as f32, size.logical.height as f32);
    }

    fn editor_closed(&mut self) {
        self.gui = None;
        self.params.editor_open.store(false, Ordering::Relaxed);
    }
}

/// The editor for a plugin instance: resizable from its corner or by the host, its size kept
/// in the saved state. None without a display (an X11 one on Linux), where no window can open:
/// the standalone build then runs headless, as a server.
pub fn create(
    params: Arc<RackParams>,
    remote: Arc<RemoteInstance>,
) -> Option<nice_plug_egui::EguiEditor<Editor>> {
    if cfg!(target_os = "linux") && std::env::var_os("DISPLAY").is_none() {
        return None;
    }
    let (width, height) = params.editor_size.get();
    let state = EguiEditorState::from_size(nice_plug::editor::dpi::LogicalSize::new(width, height), 1.0);
    let settings = EguiNiceSettings::new().with_tile("Codette Rack").with_resize_hint(size::resize_hint());
    let editor = Editor::new(params, remote, library::Library::user_default());
    nice_plug_egui::create_egui_editor(state, RepaintNotifier::new(), settings, editor)
}
