//! The `meters` and `spectrum` topics of `/ws`: one task per server reads every instance's
//! measurements at the topic's rate and publishes them, only while someone is subscribed.

use crate::hub::{METERS, SPECTRUM};
use crate::registry::Instance;
use crate::state::AppState;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::MissedTickBehavior;

const METERS_HZ: u32 = 30;
/// Spectrum messages are 256 pairs of numbers: half the meters' rate is plenty for a display.
const SPECTRUM_EVERY: u32 = 2;

#[derive(Serialize)]
struct Tagged<T> {
    instance: String,
    #[serde(flatten)]
    reading: T,
}

/// Publishes until the server shuts down.
pub async fn run(state: AppState) {
    let mut shutdown = state.shutdown.clone();
    let mut interval = tokio::time::interval(Duration::from_secs(1) / METERS_HZ);
    interval.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut tick = 0u32;
    loop {
        tokio::select! {
            _ = interval.tick() => {}
            _ = shutdown.changed() => return,
        }
        tick = tick.wrapping_add(1);
        if state.hub.receiver_count(METERS) > 0 {
            publish(&state, METERS, |i| i.meters().ok());
        }
        if tick.is_multiple_of(SPECTRUM_EVERY) && state.hub.receiver_count(SPECTRUM) > 0 {
            publish(&state, SPECTRUM, |i| i.spectrum().ok());
        }
    }
}

fn publish<T: Serialize>(state: &AppState, topic: &str, read: impl Fn(&Arc<dyn Instance>) -> Option<T>) {
    for (instance, handle) in state.registry.entries() {
        if let Some(reading) = read(&handle) {
            state.hub.publish(topic, topic, Tagged { instance, reading });
        }
    }
}
