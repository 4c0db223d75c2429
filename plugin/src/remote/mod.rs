//! This instance as the sidecar API sees it: its rack read and edited from the server's
//! threads, with every change reaching the audio thread through [`link`]'s queue.
//!
//! Parameters set here change the plugin's own values, which hosts read back when they poll
//! (CLAP `params.get_value`, VST3 `getParamNormalized`); nice-plug offers no way to announce a
//! change to the host outside an open editor, so hosts do not record API changes as
//! automation (README, "The API").

mod analysis;
mod history;
mod instance;
pub mod link;
mod param_table;
mod rack_state;
mod recent_input;
mod recording;

use crate::params::{RackParams, MACRO_COUNT, SLOT_COUNT};
use analysis::{AnalysisThread, Readings};
use codette_dsp::modulation::ConfigError;
use codette_dsp::preset::Preset;
use codette_server::instance::{HistoryView, SlotView};
use codette_server::{ApiError, StatusCode};
use history::History;
use link::{AudioLink, Link, Telemetry};
use nice_plug::prelude::{nice_warn, ParamPtr, PluginApi};
pub use param_table::ParamTable;
use recording::Recording;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

pub struct RemoteInstance {
    params: Arc<RackParams>,
    link: Link,
    history: Mutex<History>,
    recording: Mutex<Recording>,
    /// The measuring thread while active, and what it measured.
    analysis: Mutex<Option<AnalysisThread>>,
    readings: Arc<Readings>,
    /// A gesture is open: its changes are one undo step, recorded when it began.
    in_gesture: AtomicBool,
    format: AtomicU32,
    /// 0 until activated, then `f32::to_bits` of the sample rate.
    sample_rate: AtomicU32,
    block_size: AtomicU32,
}

impl RemoteInstance {
    pub fn new(params: Arc<RackParams>) -> Self {
        let table = Arc::new(ParamTable::new(params.clone()));
        Self {
            params,
            link: Link::new(table),
            history: Mutex::new(History::default()),
            recording: Mutex::new(Recording::default()),
            analysis: Mutex::new(None),
            readings: Arc::new(Readings::default()),
            in_gesture: AtomicBool::new(false),
            format: AtomicU32::new(0),
            sample_rate: AtomicU32::new(0),
            block_size: AtomicU32::new(0),
        }
    }

    /// Called at activation: records what the API reports and opens the queue to the audio
    /// thread, whose end is returned.
    pub fn activate(&self, api: PluginApi, sample_rate: f32, block_size: u32) -> AudioLink {
        let format = match api {
            PluginApi::Clap => 0,
            PluginApi::Vst3 => 1,
            PluginApi::Standalone => 2,
        };
        self.format.store(format, Ordering::Relaxed);
        self.sample_rate.store(sample_rate.to_bits(), Ordering::Relaxed);
        self.block_size.store(block_size, Ordering::Relaxed);
        let feed = match AnalysisThread::start(sample_rate, self.readings.clone()) {
            Ok((thread, feed)) => {
                *self.analysis.lock().unwrap_or_else(|e| e.into_inner()) = Some(thread);
                Some(feed)
            }
            Err(e) => {
                nice_warn!("No meters: the analysis thread did not start ({e})");
                None
            }
        };
        self.link.connect(feed)
    }

    /// Called at deactivation with the audio thread's end of the queue.
    pub fn deactivate(&self, audio: AudioLink) {
        self.link.disconnect(audio);
        *self.analysis.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    fn history(&self) -> MutexGuard<'_, History> {
        self.history.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn capture(&self) -> Preset {
        rack_state::capture(&self.link, &self.params)
    }

    /// Runs an edit as one undo step.
    fn edit<T>(&self, apply: impl FnOnce() -> Result<T, ApiError>) -> Result<T, ApiError> {
        let before = self.capture();
        let result = apply()?;
        self.history().record(before);
        Ok(result)
    }

    /// The API's way to the audio thread: [`link`]'s queue.
    fn queue(&self) -> impl Fn(&[(usize, f32)]) -> Result<(), ApiError> + '_ {
        |changes| self.link.send(changes)
    }

    /// Sets a whole (valid) preset: the parameters that move through `send`, order and
    /// modulation in their stores.
    fn load(&self, preset: &Preset, send: ParamSink) -> Result<(), ApiError> {
        send(&rack_state::preset_changes(&self.link, preset))?;
        self.params
            .order
            .set(&preset.order_indices(SLOT_COUNT))
            .map_err(|m| ApiError::invalid("invalid_field", m, "order"))?;
        self.params.modulation.set(preset.modulation.clone()).map_err(|e| config_error(e, "modulation"))
    }

    fn slot_view(&self, slot: usize, telemetry: Option<&Telemetry>) -> SlotView {
        rack_state::slot_view(&self.link, &self.params, telemetry, slot)
    }

    fn step(
        &self,
        step: impl FnOnce(&mut History, Preset) -> Option<Preset>,
        what: &str,
        send: ParamSink,
    ) -> Result<HistoryView, ApiError> {
        let current = self.capture();
        let mut history = self.history();
        let Some(target) = step(&mut history, current) else {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "nothing_to_do",
                format!("there is nothing to {what}"),
            ));
        };
        self.load(&target, send)?;
        Ok(history.view())
    }
}

/// What the editor reads beside the API's views, and the undo step it records when one of its
/// gestures begins (its edits reach the host through the `ParamSetter`, not through [`link`]).
impl RemoteInstance {
    /// The newest snapshot from the audio thread; `None` while it is not running.
    pub fn telemetry(&self) -> Option<Telemetry> {
        self.link.telemetry()
    }

    /// Records the rack as it is now as one undo step.
    pub fn record_undo_step(&self) {
        self.history().record(self.capture());
    }

    pub fn history_view(&self) -> HistoryView {
        self.history().view()
    }

    /// The host parameter at `index` of the parameter table (the order of `send`'s changes).
    pub fn param_ptr(&self, index: usize) -> ParamPtr {
        self.link.table().get(index).ptr
    }

    /// Loads a preset as one undo step, like the API's `PUT /state`, with the parameters that
    /// move sent through `send`: the window sends them as host gestures, so that hosts record
    /// a preset, an A/B switch or an undo made in the window as automation.
    pub fn load_preset_through(&self, preset: Preset, send: ParamSink) -> Result<(), ApiError> {
        preset
            .validate(SLOT_COUNT, MACRO_COUNT)
            .map_err(|e| ApiError::invalid("invalid_field", e.message, e.field))?;
        crate::modulation_store::validate(&preset.modulation).map_err(|e| config_error(e, "modulation"))?;
        self.edit(|| self.load(&preset, send))
    }

    pub fn undo_through(&self, send: ParamSink) -> Result<HistoryView, ApiError> {
        self.step(History::undo, "undo", send)
    }

    pub fn redo_through(&self, send: ParamSink) -> Result<HistoryView, ApiError> {
        self.step(History::redo, "redo", send)
    }
}

/// Where the parameter values of a whole-rack change go, as `(table index, normalized)` pairs:
/// the API's queue to the audio thread, or the window's host gestures.
pub type ParamSink<'a> = &'a dyn Fn(&[(usize, f32)]) -> Result<(), ApiError>;

fn config_error(e: ConfigError, prefix: &str) -> ApiError {
    ApiError::invalid("invalid_field", e.message, format!("{prefix}.{}", e.field))
}
