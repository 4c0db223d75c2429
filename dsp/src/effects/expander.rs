//! Downward expander: below the threshold, every dB the signal falls is `ratio` dB at the output.

use crate::blocks::ballistics::Ballistics;
use crate::blocks::chunk::{Ramp, CHUNK};
use crate::blocks::decibels::{fast_db_to_gain, fast_gain_to_db};
use crate::blocks::level_detector::LevelDetector;
use crate::effect::{Effect, EffectSpec, Family};
use crate::param::{ParamSpec, Unit};
use crate::smooth::Smoothed;

pub static SPEC: EffectSpec = EffectSpec {
    id: "expander",
    name: "Expander",
    family: Family::Dynamics,
    params: &[
        ParamSpec::linear("threshold", "Threshold", -60.0, 0.0, -40.0, Unit::Decibels),
        ParamSpec::log("ratio", "Ratio", 1.0, 8.0, 4.0, Unit::Ratio),
        ParamSpec::log("attack", "Attack", 0.1, 100.0, 10.0, Unit::Milliseconds),
        ParamSpec::log("release", "Release", 10.0, 1000.0, 100.0, Unit::Milliseconds),
    ],
    build: |sample_rate| Box::new(Expander::new(sample_rate)),
};

const THRESHOLD: usize = 0;
const RATIO: usize = 1;
const ATTACK: usize = 2;
const RELEASE: usize = 3;

/// The deepest reduction. Without a floor, silence (a level of about -765 dB) would ask for
/// thousands of dB, and coming back from there would take many attack times; 80 dB is below
/// audibility after any sensible gain staging.
pub const RANGE_DB: f32 = 80.0;

pub struct Expander {
    sample_rate: f32,
    detector: LevelDetector,
    /// Attack is the reduction shrinking (the signal came back), release is it growing.
    ballistics: Ballistics,
    threshold: Smoothed,
    /// ratio - 1: dB of reduction per dB below the threshold.
    slope: Smoothed,
}

impl Expander {
    fn new(sample_rate: f32) -> Self {
        let p = |i: usize| SPEC.params[i].default;
        let mut e = Self {
            sample_rate,
            detector: LevelDetector::new(sample_rate),
            ballistics: Ballistics::new(RANGE_DB),
            threshold: Smoothed::new(p(THRESHOLD), sample_rate),
            slope: Smoothed::new(p(RATIO) - 1.0, sample_rate),
        };
        for i in [ATTACK, RELEASE] {
            e.set_param(i, p(i));
        }
        e.reset();
        e
    }
}

impl Effect for Expander {
    fn set_param(&mut self, index: usize, value: f32) {
        let Some(spec) = SPEC.params.get(index) else { return };
        let v = spec.clamp(value);
        match index {
            THRESHOLD => self.threshold.set_target(v),
            RATIO => self.slope.set_target(v - 1.0),
            // Times are not smoothed: they only set how fast the gain moves, so cannot click.
            ATTACK => self.ballistics.set_shrink_ms(v, self.sample_rate),
            RELEASE => self.ballistics.set_grow_ms(v, self.sample_rate),
            _ => {}
        }
    }

    /// Starts closed, as after silence: the first samples of a quiet signal are not let through.
    fn reset(&mut self) {
        self.detector.reset();
        self.ballistics.reset(RANGE_DB);
        self.threshold.snap();
        self.slope.snap();
    }

    fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        for (left, right) in left.chunks_mut(CHUNK).zip(right.chunks_mut(CHUNK)) {
            let n = left.len();
            let mut work = [0.0; CHUNK];
            let work = &mut work[..n];
            self.detector.levels(left, right, work);
            let threshold = Ramp::follow(&mut self.threshold, n);
            let slope = Ramp::follow(&mut self.slope, n);
            for (i, w) in work.iter_mut().enumerate() {
                let under = (threshold.at(i) - fast_gain_to_db(*w)).max(0.0);
                *w = (slope.at(i) * under).min(RANGE_DB);
            }
            self.ballistics.run(work);
            for ((l, r), reduction) in left.iter_mut().zip(right.iter_mut()).zip(work.iter()) {
                let gain = fast_db_to_gain(-reduction);
                *l *= gain;
                *r *= gain;
            }
        }
    }

    fn gain_reduction_db(&self) -> f32 {
        self.ballistics.reduction_db()
    }
}
