//! The instance's place in the process's shared API server.

use crate::params::RackParams;
use crate::remote::link::{AudioLink, Telemetry};
use crate::remote::RemoteInstance;
use codette_dsp::modulation::Transport;
use codette_server::{global, GlobalRegistration};
use nice_plug::prelude::PluginApi;
use std::sync::Arc;

/// Registers the instance with the process's shared server (starting it if this is the first
/// instance) on its first activation, not before: hosts scanning plugins create instances they
/// never activate, and those should not start a server. Dropping it unregisters.
pub struct Sidecar {
    remote: Arc<RemoteInstance>,
    registration: Option<GlobalRegistration>,
    /// The audio thread's end of the bridge, while active.
    audio: Option<AudioLink>,
}

impl Sidecar {
    pub fn new(params: Arc<RackParams>) -> Self {
        Self { remote: Arc::new(RemoteInstance::new(params)), registration: None, audio: None }
    }

    /// The instance as the API sees it; the editor edits through the same paths.
    pub fn remote(&self) -> &Arc<RemoteInstance> {
        &self.remote
    }

    pub fn activated(&mut self, api: PluginApi, sample_rate: f32, block_size: u32) {
        self.deactivated();
        self.audio = Some(self.remote.activate(api, sample_rate, block_size));
        if self.registration.is_none() {
            self.registration = Some(global().register(self.remote.clone()));
        }
    }

    pub fn deactivated(&mut self) {
        if let Some(audio) = self.audio.take() {
            self.remote.deactivate(audio);
        }
    }

    /// Applies the API's parameter changes. Real-time safe; call before processing a block.
    pub fn take_changes(&mut self) {
        if let Some(audio) = &mut self.audio {
            audio.apply();
        }
    }

    /// Keeps what the block is given, before the rack processes it. Real-time safe.
    pub fn publish_input(&mut self, left: &[f32], right: &[f32]) {
        if let Some(audio) = &mut self.audio {
            audio.publish_input(left, right);
        }
    }

    /// Publishes what the block saw and played. Real-time safe.
    pub fn publish(&mut self, telemetry: Telemetry, left: &[f32], right: &[f32]) {
        if let Some(audio) = &mut self.audio {
            audio.publish(telemetry, left, right);
        }
    }
}

/// The standalone build's transport for a block of `frames`: the sidecar's, advanced by the
/// block. Real-time safe (atomics only).
pub fn standalone_transport(frames: usize, sample_rate: f32) -> Transport {
    global().transport().advance(frames, sample_rate)
}
