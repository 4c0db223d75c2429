//! The plugin as the host sees it: one instance, its activation, parameters and state.
//! Rendering audio and the port/latency/render-mode extensions are in the submodules.

mod ports;
mod render;

pub use ports::{PortInfo, PortsConfig};

use crate::{hash_param_id, host_info, load_entry, HostMain, HostShared, Set, TestHost, PLUGIN_ID};
use clack_extensions::latency::PluginLatency;
use clack_extensions::params::{ParamInfoBuffer, ParamInfoFlags, PluginParams};
use clack_extensions::state::PluginState;
use clack_host::events::event_types::ParamValueEvent;
use clack_host::prelude::*;
use std::ffi::CString;
use std::sync::atomic::Ordering;

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
