//! This instance as the sidecar API lists it. The server runs on threads of its own; nothing
//! here is touched by the audio thread.

use codette_server::{global, GlobalRegistration, HostFormat, Instance};
use nice_plug::prelude::PluginApi;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

/// What the API reads of an instance: set at activation, read from the server's threads.
#[derive(Default)]
struct Shared {
    /// 0 until activated, then `f32::to_bits` of the sample rate.
    sample_rate: AtomicU32,
    block_size: AtomicU32,
    format: AtomicU32,
}

impl Instance for Shared {
    fn name(&self) -> String {
        "Codette Rack".to_string()
    }

    fn format(&self) -> HostFormat {
        match self.format.load(Ordering::Relaxed) {
            1 => HostFormat::Vst3,
            2 => HostFormat::Standalone,
            _ => HostFormat::Clap,
        }
    }

    fn sample_rate(&self) -> Option<f32> {
        let bits = self.sample_rate.load(Ordering::Relaxed);
        (bits != 0).then(|| f32::from_bits(bits))
    }

    fn block_size(&self) -> Option<u32> {
        let size = self.block_size.load(Ordering::Relaxed);
        (size != 0).then_some(size)
    }
}

/// Registers the instance with the process's shared server (starting it if this is the first
/// instance) on its first activation, not before: hosts scanning plugins create instances they
/// never activate, and those should not start a server. Dropping it unregisters.
#[derive(Default)]
pub struct Sidecar {
    shared: Arc<Shared>,
    registration: Option<GlobalRegistration>,
}

impl Sidecar {
    pub fn activated(&mut self, api: PluginApi, sample_rate: f32, block_size: u32) {
        let format = match api {
            PluginApi::Clap => 0,
            PluginApi::Vst3 => 1,
            PluginApi::Standalone => 2,
        };
        self.shared.format.store(format, Ordering::Relaxed);
        self.shared.sample_rate.store(sample_rate.to_bits(), Ordering::Relaxed);
        self.shared.block_size.store(block_size, Ordering::Relaxed);
        if self.registration.is_none() {
            self.registration = Some(global().register(self.shared.clone()));
        }
    }
}
