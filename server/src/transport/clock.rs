//! One ticker per server pushes the transport state to every listener.
//!
//! Each tick (60 a second) takes the state once, then hands the same serialized bytes to all
//! `/ws/transport/clock` clients (through a watch channel, which keeps only the latest state,
//! so a slow client skips states rather than queueing them) and to the `/ws` connections
//! subscribed to the `transport` topic. Sixty-four clients thus cost one state and two
//! serializations a tick plus their sends. Ticks nobody listens to take no state at all.

use super::current;
use crate::hub::TRANSPORT;
use crate::state::AppState;
use axum::extract::ws::Utf8Bytes;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::MissedTickBehavior;

/// Ticks a second: the `/ws` rate, and the highest `/ws/transport/clock` rate.
pub const TICK_HZ: u32 = 60;

/// Where the ticker leaves the flat state (JSON) for the clock clients.
#[derive(Clone)]
pub struct Clock {
    latest: Arc<watch::Sender<Utf8Bytes>>,
}

impl Default for Clock {
    fn default() -> Self {
        Self { latest: Arc::new(watch::Sender::new(Utf8Bytes::default())) }
    }
}

impl Clock {
    /// A receiver woken at each tick from now on.
    pub fn subscribe(&self) -> watch::Receiver<Utf8Bytes> {
        self.latest.subscribe()
    }
}

/// The ticker, until the server shuts down. Missed ticks (a stalled runtime) are skipped
/// rather than sent in a burst: a late state is worth less than the next one on time.
pub async fn run(state: AppState) {
    let mut shutdown = state.shutdown.clone();
    let mut interval = tokio::time::interval(Duration::from_secs(1) / TICK_HZ);
    interval.set_missed_tick_behavior(MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            _ = interval.tick() => {}
            _ = shutdown.changed() => return,
        }
        let clients = state.clock.latest.receiver_count();
        let subscribers = state.hub.receiver_count(TRANSPORT);
        if clients == 0 && subscribers == 0 {
            continue;
        }
        let now = current(&state.registry, &state.transport);
        if subscribers > 0 {
            state.hub.publish(TRANSPORT, "transport_state", &now);
        }
        if clients > 0 {
            let flat = serde_json::to_string(&now).unwrap_or_default();
            state.clock.latest.send_replace(Utf8Bytes::from(flat));
        }
    }
}
