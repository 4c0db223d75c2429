//! Automation lanes: a parameter's normalized value as sorted points in time.
//!
//! Lanes are edited off the audio thread (they allocate) and only read on it; see the module
//! documentation of [`super`] for how a new set of lanes reaches the audio thread.

use super::config::ConfigError;
use super::matrix::TargetResolver;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ops::Range;

/// The most points a lane holds: a 10-minute recording at 60 points a second would need
/// 36 000, so this bounds memory and document size without getting in the way.
pub const MAX_LANE_POINTS: usize = 1 << 16;

/// The value of a lane without points.
pub const DEFAULT_VALUE: f32 = 0.5;

/// How a segment goes from its left point to the next, by the left point's mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Interpolation {
    #[default]
    Linear,
    Exponential,
    Step,
    Smooth,
}

impl Interpolation {
    /// The share of the way from the left value to the right one at the fraction `u` of the
    /// segment: `u`, `u²`, a jump at `u ≥ 0.5`, `3u² − 2u³`.
    pub fn shape(self, u: f64) -> f64 {
        match self {
            Interpolation::Linear => u,
            Interpolation::Exponential => u * u,
            Interpolation::Step => (u >= 0.5) as u8 as f64,
            Interpolation::Smooth => u * u * (3.0 - 2.0 * u),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AutomationPoint {
    pub time_samples: u64,
    /// Normalized, 0..1.
    pub value: f32,
    #[serde(default)]
    pub interpolation: Interpolation,
}

/// Points in strictly increasing time order, values in 0..1, at most [`MAX_LANE_POINTS`].
/// The editing methods keep that; a deserialized lane is checked by [`AutomationLane::validate`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AutomationLane {
    points: Vec<AutomationPoint>,
}

impl AutomationLane {
    pub fn points(&self) -> &[AutomationPoint] {
        &self.points
    }

    /// Number of points at or before `time`.
    fn count_until(&self, time: u64) -> usize {
        self.points.partition_point(|p| p.time_samples <= time)
    }

    /// The value at a sample time: the end values before the first point and after the last,
    /// the left point's interpolation in between; exactly a point's value at its time.
    pub fn value_at(&self, time: u64) -> f32 {
        let i = self.count_until(time);
        match (i.checked_sub(1).map(|j| self.points[j]), self.points.get(i)) {
            (None, Some(first)) => first.value,
            (None, None) => DEFAULT_VALUE,
            (Some(last), None) => last.value,
            (Some(a), Some(b)) => {
                let u = (time - a.time_samples) as f64 / (b.time_samples - a.time_samples) as f64;
                let share = a.interpolation.shape(u);
                (a.value as f64 + (b.value as f64 - a.value as f64) * share) as f32
            }
        }
    }

    /// The time of the first point after `time`, where the caller splits its block so that
    /// the point's value is met at its exact sample.
    pub fn next_point_after(&self, time: u64) -> Option<u64> {
        self.points.get(self.count_until(time)).map(|p| p.time_samples)
    }

    /// Like [`AutomationLane::next_point_after`], but also stops at the middle of a step
    /// segment, where its value jumps: splitting there makes step lanes sample-accurate too.
    pub fn next_breakpoint_after(&self, time: u64) -> Option<u64> {
        let i = self.count_until(time);
        let next = self.points.get(i)?;
        let jump = i
            .checked_sub(1)
            .map(|j| self.points[j])
            .filter(|a| a.interpolation == Interpolation::Step)
            .map(|a| a.time_samples + (next.time_samples - a.time_samples).div_ceil(2));
        Some(jump.filter(|&t| t > time).unwrap_or(next.time_samples))
    }

    /// Adds a point (its value clamped to 0..1), replacing one at the same time.
    pub fn insert(&mut self, mut point: AutomationPoint) -> Result<(), String> {
        if !point.value.is_finite() {
            return Err(format!("automation value must be a number, got {}", point.value));
        }
        point.value = point.value.clamp(0.0, 1.0);
        match self.points.binary_search_by_key(&point.time_samples, |p| p.time_samples) {
            Ok(i) => self.points[i] = point,
            Err(_) if self.points.len() >= MAX_LANE_POINTS => {
                return Err(format!("a lane holds at most {MAX_LANE_POINTS} points"));
            }
            Err(i) => self.points.insert(i, point),
        }
        Ok(())
    }

    /// Removes the point at `time`, if there is one.
    pub fn remove(&mut self, time: u64) -> Option<AutomationPoint> {
        let i = self.points.binary_search_by_key(&time, |p| p.time_samples).ok()?;
        Some(self.points.remove(i))
    }

    /// Removes every point in `range` (start included, end excluded), as recording in write
    /// mode does before it lays down new points; returns how many went.
    pub fn clear_range(&mut self, range: Range<u64>) -> usize {
        let start = self.points.partition_point(|p| p.time_samples < range.start);
        let end = self.points.partition_point(|p| p.time_samples < range.end).max(start);
        self.points.drain(start..end).count()
    }

    pub fn validate(&self) -> Result<(), String> {
        if self.points.len() > MAX_LANE_POINTS {
            return Err(format!("{} points, at most {MAX_LANE_POINTS} are allowed", self.points.len()));
        }
        if let Some(i) = self.points.iter().position(|p| !(0.0..=1.0).contains(&p.value)) {
            return Err(format!("point {i} has value {}, outside 0..1", self.points[i].value));
        }
        match self.points.windows(2).position(|w| w[0].time_samples >= w[1].time_samples) {
            Some(i) => Err(format!("point {} is not later than point {i}", i + 1)),
            None => Ok(()),
        }
    }

    /// Makes the lane valid: sorts the points, keeps the last of several at the same time,
    /// drops non-numbers, clamps values and keeps the first [`MAX_LANE_POINTS`].
    pub fn repair(&mut self) {
        self.points.retain(|p| p.value.is_finite());
        self.points.iter_mut().for_each(|p| p.value = p.value.clamp(0.0, 1.0));
        self.points.sort_by_key(|p| p.time_samples);
        // `dedup_by` keeps the first of a run; reversing makes that the last one given.
        self.points.reverse();
        self.points.dedup_by_key(|p| p.time_samples);
        self.points.reverse();
        self.points.truncate(MAX_LANE_POINTS);
    }
}

impl FromIterator<AutomationPoint> for AutomationLane {
    /// Collects points in any order, as [`AutomationLane::repair`] would leave them.
    fn from_iter<I: IntoIterator<Item = AutomationPoint>>(points: I) -> Self {
        let mut lane = Self { points: points.into_iter().collect() };
        lane.repair();
        lane
    }
}

/// The lanes of all automated parameters, by the caller's target index. Immutable once built:
/// the audio thread reads it through an `Arc` that the caller replaces as a whole.
#[derive(Debug, Clone, Default)]
pub struct LaneSet {
    lanes: Vec<(usize, AutomationLane)>,
}

impl LaneSet {
    /// Checks the lanes and resolves their parameter ids. Allocates.
    pub fn resolve(
        lanes: &BTreeMap<String, AutomationLane>,
        resolver: &dyn TargetResolver,
    ) -> Result<Self, ConfigError> {
        let mut resolved = Vec::with_capacity(lanes.len());
        for (id, lane) in lanes {
            let field = format!("lanes[{id}]");
            lane.validate().map_err(|m| ConfigError::new(field.clone(), m))?;
            let target = resolver
                .resolve(id)
                .ok_or_else(|| ConfigError::new(field, format!("no parameter named {id:?}")))?;
            resolved.push((target, lane.clone()));
        }
        resolved.sort_by_key(|(target, _)| *target);
        resolved.dedup_by_key(|(target, _)| *target);
        Ok(Self { lanes: resolved })
    }

    pub fn get(&self, target: usize) -> Option<&AutomationLane> {
        let i = self.lanes.binary_search_by_key(&target, |(t, _)| *t).ok()?;
        Some(&self.lanes[i].1)
    }

    /// The automated targets, ascending.
    pub fn targets(&self) -> impl Iterator<Item = usize> + '_ {
        self.lanes.iter().map(|(t, _)| *t)
    }

    /// The automated targets with their lanes, ascending.
    pub fn iter(&self) -> impl Iterator<Item = (usize, &AutomationLane)> {
        self.lanes.iter().map(|(t, lane)| (*t, lane))
    }

    pub fn is_empty(&self) -> bool {
        self.lanes.is_empty()
    }

    /// The first time after `time` at which any lane's value jumps or changes course, where
    /// the caller splits its processing to stay sample-accurate.
    pub fn next_breakpoint_after(&self, time: u64) -> Option<u64> {
        self.lanes.iter().filter_map(|(_, lane)| lane.next_breakpoint_after(time)).min()
    }
}
