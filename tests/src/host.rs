//! The host's side of the callbacks: it counts what the plugin asks for and notifies.

use clack_extensions::audio_ports::{AudioPortRescanFlags, HostAudioPorts, HostAudioPortsImpl};
use clack_extensions::audio_ports_config::{HostAudioPortsConfig, HostAudioPortsConfigImpl};
use clack_extensions::latency::{HostLatency, HostLatencyImpl};
use clack_extensions::log::{HostLog, HostLogImpl, LogSeverity};
use clack_extensions::params::{
    HostParams, HostParamsImplMainThread, HostParamsImplShared, ParamClearFlags, ParamRescanFlags,
};
use clack_extensions::state::{HostState, HostStateImpl};
use clack_host::prelude::*;
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

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
