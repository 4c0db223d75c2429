//! How the window changes the rack: host parameters through the host's gestures, so that hosts
//! record them as automation, with an undo step recorded as each gesture begins; whole-rack
//! changes (presets, A/B, undo) through the API's own code, their parameters as gestures too.

use crate::remote::RemoteInstance;
use codette_dsp::preset::Preset;
use codette_server::instance::HistoryView;
use codette_server::ApiError;
use nice_plug::context::gui::GuiContext;
use nice_plug::prelude::ParamPtr;

pub struct Edits<'a> {
    pub gui: &'a GuiContext,
    pub remote: &'a RemoteInstance,
}

impl Edits<'_> {
    /// Starts a gesture (a knob grabbed): the rack as it was becomes one undo step.
    pub fn begin(&self, param: ParamPtr) {
        self.remote.record_undo_step();
        // SAFETY: every `ParamPtr` the editor holds comes from the plugin's own `RackParams`,
        // which live as long as the plugin and so as long as its editor.
        unsafe { self.gui.raw_begin_set_parameter(param) };
    }

    pub fn set(&self, param: ParamPtr, normalized: f32) {
        // SAFETY: as in `begin`.
        unsafe { self.gui.raw_set_parameter_normalized(param, normalized.clamp(0.0, 1.0)) };
    }

    pub fn end(&self, param: ParamPtr) {
        // SAFETY: as in `begin`.
        unsafe { self.gui.raw_end_set_parameter(param) };
    }

    /// A whole gesture at once: a click, a typed value, a double-click to the default.
    pub fn set_once(&self, param: ParamPtr, normalized: f32) {
        self.remote.record_undo_step();
        self.gesture(param, normalized);
    }

    /// Begin, set and end, without an undo step of its own.
    fn gesture(&self, param: ParamPtr, normalized: f32) {
        // SAFETY: as in `begin`.
        unsafe { self.gui.raw_begin_set_parameter(param) };
        self.set(param, normalized);
        self.end(param);
    }

    /// The parameters a whole-rack change moves (a preset, A/B, undo; `(table index,
    /// normalized)`), each as one gesture: the change records its undo step itself.
    pub fn send_all(&self, changes: &[(usize, f32)]) -> Result<(), ApiError> {
        for &(index, normalized) in changes {
            self.gesture(self.remote.param_ptr(index), normalized);
        }
        Ok(())
    }

    pub fn load_preset(&self, preset: Preset) -> Result<(), ApiError> {
        self.remote.load_preset_through(preset, &|changes| self.send_all(changes))
    }

    pub fn undo(&self) -> Result<HistoryView, ApiError> {
        self.remote.undo_through(&|changes| self.send_all(changes))
    }

    pub fn redo(&self) -> Result<HistoryView, ApiError> {
        self.remote.redo_through(&|changes| self.send_all(changes))
    }
}
