//! The transport as the API sees it: whose it is, and its flat state.
//!
//! Inside a DAW the host owns the transport; the plugin only sees it, block by block, and the
//! API mirrors what the first hosted instance last saw. Everywhere else (the standalone build,
//! a process with no instance, the offline engine) the sidecar runs a transport of its own,
//! [`SidecarTransport`], which the API controls and the standalone audio thread follows.

pub mod clock;
pub mod sidecar;
pub mod state;

pub use sidecar::{Invalid, SidecarTransport, Snapshot};
pub use state::{PlayState, Source, TransportState};

use crate::registry::{HostFormat, Registry};
use codette_dsp::modulation::Transport;
use std::time::{SystemTime, UNIX_EPOCH};

/// What a hosted instance's audio thread last saw of the host's transport
/// ([`crate::Instance::host_transport`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HostTransport {
    /// As the instance passed it to its DSP for the block.
    pub transport: Transport,
    pub sample_rate: f32,
    /// The host's loop region in seconds while its loop is on; `None` when it is off or the
    /// host does not say.
    pub loop_seconds: Option<(f64, f64)>,
}

/// Whose transport the API reports and controls.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Owner {
    /// A plugin instance runs inside a DAW, whose transport rules; the first hosted instance
    /// that has seen it says what it is (`None` until one has processed a block).
    Host(Option<HostTransport>),
    /// Only standalone instances, or none: the sidecar's own transport.
    Sidecar,
}

/// The owner, from the instances registered now (CLAP and VST3 instances run in a host).
pub fn owner(registry: &Registry) -> Owner {
    let hosted: Vec<_> = registry
        .instances()
        .into_iter()
        .filter(|i| matches!(i.format(), HostFormat::Clap | HostFormat::Vst3))
        .collect();
    if hosted.is_empty() {
        Owner::Sidecar
    } else {
        Owner::Host(hosted.iter().find_map(|i| i.host_transport()))
    }
}

/// The transport's state now, from whichever side owns it.
pub fn current(registry: &Registry, sidecar: &SidecarTransport) -> TransportState {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
    match owner(registry) {
        Owner::Host(host) => TransportState::from_host(host.as_ref(), now),
        Owner::Sidecar => TransportState::from_sidecar(&sidecar.snapshot(), now),
    }
}
