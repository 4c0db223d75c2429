//! Automation recording from `/ws/automation` into the internal lanes.
//!
//! The lanes are edited in a working copy while passes run and handed to the audio thread (as
//! new modulation settings) on each tick, so a controller streaming at 100 Hz costs one engine
//! rebuild per tick, not one per value. Times come from the transport as the audio thread last
//! saw it, so a point lands within a block of when its value arrived.

use super::link::Telemetry;
use codette_dsp::modulation::{AutomationLane, LanePass, RecordMode};
use std::collections::{BTreeMap, HashMap};

/// What a controller sent for one parameter.
pub struct Control<'a> {
    pub param: &'a str,
    pub mode: RecordMode,
    /// The parameter's value (normalized) before this message.
    pub current: f32,
    /// The new value, normalized; `None` for a message that only lets go.
    pub value: Option<f32>,
    pub touching: bool,
}

#[derive(Default)]
pub struct Recording {
    /// The lanes being recorded into; `None` between recordings (the settings' own are used).
    lanes: Option<BTreeMap<String, AutomationLane>>,
    passes: HashMap<String, LanePass>,
    /// Where the transport was at the last look, while playing.
    position: Option<u64>,
    /// Lanes changed since they were last handed over.
    dirty: bool,
}

/// The transport position now, if playing.
fn playing_at(telemetry: Option<&Telemetry>) -> Option<u64> {
    telemetry
        .filter(|t| t.transport.playing)
        .and_then(|t| t.transport.position_samples)
        .and_then(|p| u64::try_from(p).ok())
}

impl Recording {
    /// Follows the transport: ends every pass when it stops.
    fn follow(&mut self, telemetry: Option<&Telemetry>) -> Result<(), String> {
        if let (None, Some(stopped_at)) = (playing_at(telemetry), self.position) {
            let lanes = self.lanes.get_or_insert_with(BTreeMap::new);
            for (param, pass) in self.passes.drain() {
                pass.finish(lanes.entry(param).or_default(), stopped_at)?;
            }
            self.dirty = true;
        }
        self.position = playing_at(telemetry);
        Ok(())
    }

    /// Records a control's value now; `Ok(None)` when the transport is not playing and nothing
    /// is recorded. `saved_lanes` gives the lanes a new recording starts from (asked only then:
    /// a controller streams values far more often than recordings start).
    pub fn value(
        &mut self,
        telemetry: Option<&Telemetry>,
        saved_lanes: impl FnOnce() -> BTreeMap<String, AutomationLane>,
        control: Control,
    ) -> Result<Option<u64>, String> {
        self.follow(telemetry)?;
        let Some(now) = self.position else { return Ok(None) };
        let Control { param, mode, current, value, touching } = control;
        let lanes = self.lanes.get_or_insert_with(saved_lanes);
        let lane = lanes.entry(param.to_string()).or_default();
        match (self.passes.get_mut(param), value) {
            (Some(pass), Some(v)) => pass.value(lane, now, v)?,
            (None, Some(v)) => {
                let before = if lane.points().is_empty() { current } else { lane.value_at(now) };
                let start = telemetry.and_then(|t| t.play_start_samples).map_or(now, |s| s.max(0) as u64);
                let pass = LanePass::start(lane, mode, start, before, now, v)?;
                self.passes.insert(param.to_string(), pass);
            }
            (_, None) => {}
        }
        if !touching {
            if let Some(pass) = self.passes.get_mut(param) {
                pass.release(lane, now)?;
            }
        }
        self.dirty = true;
        Ok(Some(now))
    }

    /// Carries resting controls along with the transport and ends passes when it stops.
    /// Returns the lanes to hand to the audio thread when they changed.
    pub fn tick(
        &mut self,
        telemetry: Option<&Telemetry>,
    ) -> Result<Option<BTreeMap<String, AutomationLane>>, String> {
        self.follow(telemetry)?;
        if let (Some(now), Some(lanes)) = (self.position, self.lanes.as_mut()) {
            for (param, pass) in &mut self.passes {
                pass.advance(lanes.entry(param.clone()).or_default(), now)?;
                self.dirty = true;
            }
        }
        if !std::mem::take(&mut self.dirty) {
            return Ok(None);
        }
        let lanes = self.lanes.clone().unwrap_or_default();
        if self.passes.is_empty() {
            self.lanes = None;
        }
        Ok(Some(lanes))
    }

    /// Whether a value now would start the first pass of a recording.
    pub fn would_start(&self, telemetry: Option<&Telemetry>) -> bool {
        self.passes.is_empty() && playing_at(telemetry).is_some()
    }
}
