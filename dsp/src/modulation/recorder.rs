//! Recording a control's movements into an automation lane, in a DAW's three modes.
//!
//! - **Write**: from where playback started until it stops, the lane is replaced: by the
//!   control's value before it was first moved, then by what it does.
//! - **Touch**: the lane is replaced only while the control is held; on release the existing
//!   automation takes over again.
//! - **Latch**: like touch, but after release the last value keeps being written until
//!   playback stops.
//!
//! Values arriving from a controller are samples of a continuous movement, so consecutive ones
//! are joined linearly. While the control rests, a "hold" point follows the transport, so that
//! a rest followed by a jump is a flat line and then a short step, never a long ramp.

use super::lane::{AutomationLane, AutomationPoint, Interpolation};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordMode {
    Write,
    #[default]
    Touch,
    Latch,
}

/// One pass of recording over one lane. Times are sample positions of the transport; each call
/// should come with a time no earlier than the previous one (earlier ones are taken as the
/// latest seen).
#[derive(Debug, Clone)]
pub struct LanePass {
    mode: RecordMode,
    /// The last point written from a value: its time and value.
    pen: (u64, f32),
    /// The moving point that carries the pen's value along while the control rests.
    hold: Option<u64>,
    /// Written to, as opposed to released (touch mode).
    active: bool,
}

fn point(time: u64, value: f32) -> AutomationPoint {
    AutomationPoint { time_samples: time, value, interpolation: Interpolation::Linear }
}

impl LanePass {
    /// Starts a pass with the control's first value `value` at `time`. In write mode the pass
    /// reaches back to `play_start`, holding `value_before` (the control's value until now).
    pub fn start(
        lane: &mut AutomationLane,
        mode: RecordMode,
        play_start: u64,
        value_before: f32,
        time: u64,
        value: f32,
    ) -> Result<Self, String> {
        let mut pass = Self { mode, pen: (time, value), hold: None, active: true };
        if mode == RecordMode::Write && play_start < time {
            pass.pen = (play_start, value_before);
            lane.clear_range(play_start..time + 1);
            lane.insert(point(play_start, value_before))?;
            pass.advance(lane, time - 1)?;
        } else {
            lane.clear_range(time..time + 1);
            lane.insert(point(time, value))?;
            return Ok(pass);
        }
        pass.value(lane, time, value)?;
        Ok(pass)
    }

    pub fn mode(&self) -> RecordMode {
        self.mode
    }

    /// Whether the pass is writing (touch mode stops on release).
    pub fn is_active(&self) -> bool {
        self.active
    }

    fn latest(&self) -> u64 {
        self.hold.unwrap_or(0).max(self.pen.0)
    }

    /// A new value of the control at `time`: joined linearly to the last point written.
    pub fn value(&mut self, lane: &mut AutomationLane, time: u64, value: f32) -> Result<(), String> {
        let time = time.max(self.latest());
        if !self.active {
            // Touched again: the existing automation ran until now.
            self.active = true;
            self.hold = None;
        } else {
            lane.clear_range(self.latest() + 1..time + 1);
        }
        lane.insert(point(time, value))?;
        self.pen = (time, value);
        self.hold = None;
        Ok(())
    }

    /// The transport has reached `time` with the control at rest: the lane holds its value up
    /// to there, replacing what was recorded before.
    pub fn advance(&mut self, lane: &mut AutomationLane, time: u64) -> Result<(), String> {
        if !self.active || time <= self.latest() {
            return Ok(());
        }
        if let Some(previous) = self.hold.take() {
            lane.remove(previous);
        }
        lane.clear_range(self.pen.0 + 1..time + 1);
        lane.insert(point(time, self.pen.1))?;
        self.hold = Some(time);
        Ok(())
    }

    /// The control is let go at `time`. Only touch mode stops writing; the others keep the
    /// last value until playback stops.
    pub fn release(&mut self, lane: &mut AutomationLane, time: u64) -> Result<(), String> {
        self.advance(lane, time)?;
        if self.mode == RecordMode::Touch {
            self.active = false;
        }
        Ok(())
    }

    /// Playback stopped at `time`: the pass ends there.
    pub fn finish(mut self, lane: &mut AutomationLane, time: u64) -> Result<(), String> {
        self.advance(lane, time)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lane_of(points: &[(u64, f32)]) -> AutomationLane {
        let mut lane = AutomationLane::default();
        points.iter().for_each(|&(t, v)| lane.insert(point(t, v)).unwrap());
        lane
    }

    fn points(lane: &AutomationLane) -> Vec<(u64, f32)> {
        lane.points().iter().map(|p| (p.time_samples, p.value)).collect()
    }

    /// An existing lane: a ramp from 0 to 1 over 10 000 samples.
    fn existing() -> AutomationLane {
        lane_of(&[(0, 0.0), (10_000, 1.0)])
    }

    #[test]
    fn touch_replaces_only_while_held() {
        let mut lane = existing();
        let mut pass = LanePass::start(&mut lane, RecordMode::Touch, 0, 0.0, 2_000, 0.5).unwrap();
        pass.value(&mut lane, 3_000, 0.6).unwrap();
        pass.release(&mut lane, 4_000).unwrap();
        // Released: time passing writes nothing more, the old automation resumes.
        pass.advance(&mut lane, 6_000).unwrap();
        assert_eq!(points(&lane), [(0, 0.0), (2_000, 0.5), (3_000, 0.6), (4_000, 0.6), (10_000, 1.0)]);
        assert!(!pass.is_active());
        // Touched again later: a new stretch, joined to nothing recorded before it.
        pass.value(&mut lane, 7_000, 0.1).unwrap();
        pass.finish(&mut lane, 8_000).unwrap();
        let expected =
            [(0, 0.0), (2_000, 0.5), (3_000, 0.6), (4_000, 0.6), (7_000, 0.1), (8_000, 0.1), (10_000, 1.0)];
        assert_eq!(points(&lane), expected);
    }

    #[test]
    fn latch_keeps_writing_the_last_value_until_stop() {
        let mut lane = existing();
        let mut pass = LanePass::start(&mut lane, RecordMode::Latch, 0, 0.0, 2_000, 0.5).unwrap();
        pass.release(&mut lane, 3_000).unwrap();
        pass.advance(&mut lane, 5_000).unwrap();
        pass.finish(&mut lane, 12_000).unwrap();
        // The old end point at 10 000 was overwritten; one moving hold point, not one per call.
        assert_eq!(points(&lane), [(0, 0.0), (2_000, 0.5), (12_000, 0.5)]);
    }

    #[test]
    fn write_replaces_from_where_playback_started() {
        let mut lane = lane_of(&[(0, 0.0), (1_500, 0.9), (10_000, 1.0)]);
        let mut pass = LanePass::start(&mut lane, RecordMode::Write, 1_000, 0.2, 3_000, 0.7).unwrap();
        pass.release(&mut lane, 4_000).unwrap();
        assert!(pass.is_active(), "write mode ignores release");
        pass.finish(&mut lane, 5_000).unwrap();
        // Before the first value the control's old value is held, then it steps to the new one.
        assert_eq!(
            points(&lane),
            [(0, 0.0), (1_000, 0.2), (2_999, 0.2), (3_000, 0.7), (5_000, 0.7), (10_000, 1.0)]
        );
    }

    #[test]
    fn a_rest_then_a_jump_is_flat_then_a_step() {
        let mut lane = AutomationLane::default();
        let mut pass = LanePass::start(&mut lane, RecordMode::Touch, 0, 0.0, 0, 0.2).unwrap();
        for t in (2_400..48_000).step_by(2_400) {
            pass.advance(&mut lane, t).unwrap();
        }
        pass.value(&mut lane, 48_100, 0.8).unwrap();
        assert_eq!(points(&lane), [(0, 0.2), (45_600, 0.2), (48_100, 0.8)]);
        assert_eq!(lane.value_at(30_000), 0.2);
    }

    #[test]
    fn times_never_go_backwards() {
        let mut lane = AutomationLane::default();
        let mut pass = LanePass::start(&mut lane, RecordMode::Touch, 0, 0.0, 5_000, 0.3).unwrap();
        pass.value(&mut lane, 4_000, 0.9).unwrap();
        assert_eq!(points(&lane), [(5_000, 0.9)]);
        assert!(lane.validate().is_ok());
    }
}
