//! The plugin instances of this process, as the API sees them.
//!
//! One server serves every instance in the process (API.md), so each instance registers itself
//! and keeps the returned [`Registration`]; dropping it (when the plugin instance is destroyed)
//! unregisters. The registry holds `Arc<dyn Instance>`: the API reads from the instance through
//! the trait, from its own threads, and never touches the audio thread directly.

use crate::error::ApiError;
use crate::instance::{
    HistoryView, MetersView, ParamView, ParamsRequest, RackView, RecordOutcome, RecordRequest, SlotView,
    SpectrumView,
};
use crate::transport::HostTransport;
use axum::http::StatusCode;
use codette_dsp::chain::SlotConfig;
use codette_dsp::modulation::ModulationConfig;
use codette_dsp::modulation::RecordMode;
use codette_dsp::preset::Preset;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use utoipa::ToSchema;

/// The plugin format an instance runs as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum HostFormat {
    Clap,
    Vst3,
    Standalone,
}

/// What the API needs from a plugin instance. Implementations are called from the server's
/// threads at any time, so they read shared state (atomics, locks the audio thread never
/// waits on); they must not block on the audio thread. Changes reach the audio thread through
/// the instance's own lock-free queues.
///
/// Editing methods default to a 501 answer, so that a minimal instance (a test double, a
/// read-only view) implements only what it offers.
pub trait Instance: Send + Sync {
    /// A human-readable name: the track name if the host tells it, else the plugin's name.
    fn name(&self) -> String;
    fn format(&self) -> HostFormat;
    /// The rate the instance was activated with; `None` before the host activates it.
    fn sample_rate(&self) -> Option<f32>;
    /// The host's maximum block size; `None` before activation.
    fn block_size(&self) -> Option<u32>;

    /// The whole rack: slots, parameters, macros, modulation.
    fn rack(&self) -> Result<RackView, ApiError> {
        Err(unsupported("reading the rack"))
    }
    /// Sets parameters (all or none) and returns them as now set.
    fn set_params(&self, _request: ParamsRequest) -> Result<Vec<ParamView>, ApiError> {
        Err(unsupported("setting parameters"))
    }
    /// Puts an effect (or none) with its settings into `slot` (1-based).
    fn put_slot(&self, _slot: usize, _config: SlotConfig) -> Result<SlotView, ApiError> {
        Err(unsupported("changing slots"))
    }
    /// Moves the slot at position `from` to position `to` (1-based); returns the new order.
    fn move_slot(&self, _from: usize, _to: usize) -> Result<Vec<usize>, ApiError> {
        Err(unsupported("reordering slots"))
    }
    fn modulation(&self) -> Result<ModulationConfig, ApiError> {
        Err(unsupported("modulation"))
    }
    fn set_modulation(&self, _config: ModulationConfig) -> Result<(), ApiError> {
        Err(unsupported("modulation"))
    }
    /// The rack as a preset document.
    fn preset(&self) -> Result<Preset, ApiError> {
        Err(unsupported("presets"))
    }
    fn load_preset(&self, _preset: Preset) -> Result<(), ApiError> {
        Err(unsupported("presets"))
    }
    fn undo(&self) -> Result<HistoryView, ApiError> {
        Err(unsupported("undo"))
    }
    fn redo(&self) -> Result<HistoryView, ApiError> {
        Err(unsupported("redo"))
    }
    /// The meters of what the instance plays, and each slot's gain reduction.
    fn meters(&self) -> Result<MetersView, ApiError> {
        Err(unsupported("meters"))
    }
    fn spectrum(&self) -> Result<SpectrumView, ApiError> {
        Err(unsupported("a spectrum"))
    }
    /// Sets a parameter from a controller and, while the transport plays, records it into the
    /// parameter's internal automation lane in `mode` (unless the request names its own).
    fn record(&self, _request: &RecordRequest, _mode: RecordMode) -> Result<RecordOutcome, ApiError> {
        Err(unsupported("automation recording"))
    }
    /// Called regularly while a client records: resting controls keep writing, passes end when
    /// the transport stops, and new lanes go to the audio thread.
    fn record_tick(&self) -> Result<(), ApiError> {
        Err(unsupported("automation recording"))
    }
    /// The host's transport as this instance's audio thread last saw it (stored there in
    /// atomics, read here). While a CLAP or VST3 instance is registered the API mirrors the
    /// first one that reports a transport and refuses to control the transport itself.
    /// `None`: not known yet, or not hosted (the standalone build follows the sidecar's own
    /// transport, [`crate::Global::transport`]).
    fn host_transport(&self) -> Option<HostTransport> {
        None
    }
    /// The last seconds (up to ten) of what the rack was given to process, before any effect:
    /// audio to render suggestions through, so that they can be level-matched. `None` when the
    /// instance keeps none.
    fn recent_input(&self) -> Option<RecentInput> {
        None
    }
}

/// Stereo audio an instance heard, oldest sample first.
#[derive(Debug, Clone, PartialEq)]
pub struct RecentInput {
    pub left: Vec<f32>,
    pub right: Vec<f32>,
    pub sample_rate: f32,
}

impl RecentInput {
    pub fn seconds(&self) -> f32 {
        self.left.len() as f32 / self.sample_rate
    }
}

fn unsupported(what: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_IMPLEMENTED,
        "not_supported",
        format!("this instance does not offer {what}"),
    )
}

/// An instance as `GET /api/instances` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct InstanceInfo {
    /// Assigned at registration, unique for the life of the process (never reused).
    pub id: String,
    pub name: String,
    pub format: HostFormat,
    pub sample_rate: Option<f32>,
    pub block_size: Option<u32>,
}

#[derive(Clone, Default)]
pub struct Registry {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    next_id: AtomicU64,
    instances: RwLock<BTreeMap<u64, Arc<dyn Instance>>>,
}

/// Keeps an instance registered; unregisters it when dropped.
#[must_use = "the instance is unregistered when the registration is dropped"]
pub struct Registration {
    id: u64,
    registry: Registry,
}

impl Registration {
    /// The instance's id in the API (`/api/instances/{id}`).
    pub fn id(&self) -> String {
        self.id.to_string()
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.registry.write().remove(&self.id);
    }
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn register(&self, instance: Arc<dyn Instance>) -> Registration {
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        self.write().insert(id, instance);
        Registration { id, registry: self.clone() }
    }

    pub fn len(&self) -> usize {
        self.read().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, id: &str) -> Option<Arc<dyn Instance>> {
        let id: u64 = id.parse().ok()?;
        self.read().get(&id).cloned()
    }

    /// Every instance, in registration order.
    pub fn list(&self) -> Vec<InstanceInfo> {
        // Clone the handles first so that no instance method runs under the registry's lock.
        let instances: Vec<(u64, Arc<dyn Instance>)> =
            self.read().iter().map(|(id, i)| (*id, i.clone())).collect();
        instances.into_iter().map(|(id, i)| info(id, i.as_ref())).collect()
    }

    /// Handles to every instance, in registration order, to call without the registry locked.
    pub fn instances(&self) -> Vec<Arc<dyn Instance>> {
        self.read().values().cloned().collect()
    }

    /// Every instance with its id, in registration order.
    pub fn entries(&self) -> Vec<(String, Arc<dyn Instance>)> {
        self.read().iter().map(|(id, i)| (id.to_string(), i.clone())).collect()
    }

    pub fn info(&self, id: &str) -> Option<InstanceInfo> {
        let numeric: u64 = id.parse().ok()?;
        self.get(id).map(|i| info(numeric, i.as_ref()))
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<u64, Arc<dyn Instance>>> {
        self.inner.instances.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, BTreeMap<u64, Arc<dyn Instance>>> {
        self.inner.instances.write().unwrap_or_else(|e| e.into_inner())
    }
}

fn info(id: u64, instance: &dyn Instance) -> InstanceInfo {
    InstanceInfo {
        id: id.to_string(),
        name: instance.name(),
        format: instance.format(),
        sample_rate: instance.sample_rate(),
        block_size: instance.block_size(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fake;
    impl Instance for Fake {
        fn name(&self) -> String {
            "Codette Rack".into()
        }
        fn format(&self) -> HostFormat {
            HostFormat::Clap
        }
        fn sample_rate(&self) -> Option<f32> {
            Some(48_000.0)
        }
        fn block_size(&self) -> Option<u32> {
            None
        }
    }

    #[test]
    fn registration_lives_as_long_as_its_guard() {
        let registry = Registry::new();
        let a = registry.register(Arc::new(Fake));
        let b = registry.register(Arc::new(Fake));
        assert_ne!(a.id(), b.id());
        assert_eq!(registry.len(), 2);
        drop(a);
        assert_eq!(registry.list().iter().map(|i| i.id.clone()).collect::<Vec<_>>(), [b.id()]);
        assert!(registry.info("nope").is_none());
        drop(b);
        assert!(registry.is_empty());
    }
}
