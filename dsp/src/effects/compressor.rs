//! Compressor: feed-forward, stereo-linked, soft knee, smoothing in the dB domain.

use crate::blocks::ballistics::Ballistics;
use crate::blocks::chunk::{Ramp, CHUNK};
use crate::blocks::decibels::{fast_db_to_gain, fast_gain_to_db};
use crate::blocks::level_detector::LevelDetector;
use crate::effect::{Effect, EffectSpec, Family};
use crate::param::{ParamSpec, Unit};
use crate::smooth::Smoothed;

pub static SPEC: EffectSpec = EffectSpec {
    id: "compressor",
    name: "Compressor",
    family: Family::Dynamics,
    params: &[
        ParamSpec::linear("threshold", "Threshold", -60.0, 0.0, -20.0, Unit::Decibels),
        ParamSpec::log("ratio", "Ratio", 1.0, 20.0, 4.0, Unit::Ratio),
        ParamSpec::log("attack", "Attack", 0.1, 100.0, 10.0, Unit::Milliseconds),
        ParamSpec::log("release", "Release", 10.0, 1000.0, 100.0, Unit::Milliseconds),
        ParamSpec::linear("knee", "Knee", 0.0, 24.0, 6.0, Unit::Decibels),
        ParamSpec::linear("makeup", "Makeup", -12.0, 24.0, 0.0, Unit::Decibels),
    ],
    build: |sample_rate| Box::new(Compressor::new(sample_rate)),
};

const THRESHOLD: usize = 0;
const RATIO: usize = 1;
const ATTACK: usize = 2;
const RELEASE: usize = 3;
const KNEE: usize = 4;
const MAKEUP: usize = 5;

/// How far a level is above the threshold (`over`, dB) once the corner is rounded by a knee of
/// `knee` dB: 0 below the knee, `over` above it, and in between the quadratic of Giannoulis,
/// Massberg & Reiss (2012), which joins both with matching slopes. The reduction is this times
/// 1 - 1/ratio.
#[inline]
fn excess_db(over: f32, knee: f32) -> f32 {
    let half = 0.5 * knee;
    let inside = (over + half).max(0.0).min(knee);
    // A zero knee leaves `inside` at 0, and the floor of the divisor keeps 0/0 away.
    inside * inside / (2.0 * knee).max(1e-6) + (over - half).max(0.0)
}

pub struct Compressor {
    sample_rate: f32,
    detector: LevelDetector,
    ballistics: Ballistics,
    threshold: Smoothed,
    /// 1 - 1/ratio: the fraction of the excess taken away, and what is smoothed (the reduction
    /// is proportional to it, so a ratio change glides evenly).
    slope: Smoothed,
    knee: Smoothed,
    makeup: Smoothed,
}

impl Compressor {
    fn new(sample_rate: f32) -> Self {
        let p = |i: usize| SPEC.params[i].default;
        let mut c = Self {
            sample_rate,
            detector: LevelDetector::new(sample_rate),
            ballistics: Ballistics::new(0.0),
            threshold: Smoothed::new(p(THRESHOLD), sample_rate),
            slope: Smoothed::new(0.0, sample_rate),
            knee: Smoothed::new(p(KNEE), sample_rate),
            makeup: Smoothed::new(p(MAKEUP), sample_rate),
        };
        for i in [RATIO, ATTACK, RELEASE] {
            c.set_param(i, p(i));
        }
        c.reset();
        c
    }
}

impl Effect for Compressor {
    fn set_param(&mut self, index: usize, value: f32) {
        let Some(spec) = SPEC.params.get(index) else { return };
        let v = spec.clamp(value);
        match index {
            THRESHOLD => self.threshold.set_target(v),
            RATIO => self.slope.set_target(1.0 - 1.0 / v),
            // Times are not smoothed: they only set how fast the gain moves, so cannot click.
            ATTACK => self.ballistics.set_grow_ms(v, self.sample_rate),
            RELEASE => self.ballistics.set_shrink_ms(v, self.sample_rate),
            KNEE => self.knee.set_target(v),
            MAKEUP => self.makeup.set_target(v),
            _ => {}
        }
    }

    fn reset(&mut self) {
        self.detector.reset();
        self.ballistics.reset(0.0);
        for s in [&mut self.threshold, &mut self.slope, &mut self.knee, &mut self.makeup] {
            s.snap();
        }
    }

    fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        for (left, right) in left.chunks_mut(CHUNK).zip(right.chunks_mut(CHUNK)) {
            let n = left.len();
            let mut work = [0.0; CHUNK];
            let work = &mut work[..n];
            self.detector.levels(left, right, work);
            let threshold = Ramp::follow(&mut self.threshold, n);
            let slope = Ramp::follow(&mut self.slope, n);
            let knee = Ramp::follow(&mut self.knee, n);
            for (i, w) in work.iter_mut().enumerate() {
                let over = fast_gain_to_db(*w) - threshold.at(i);
                *w = slope.at(i) * excess_db(over, knee.at(i));
            }
            self.ballistics.run(work);
            let makeup = Ramp::follow(&mut self.makeup, n);
            for (i, ((l, r), reduction)) in left.iter_mut().zip(right.iter_mut()).zip(work.iter()).enumerate()
            {
                let gain = fast_db_to_gain(makeup.at(i) - reduction);
                *l *= gain;
                *r *= gain;
            }
        }
    }

    fn gain_reduction_db(&self) -> f32 {
        self.ballistics.reduction_db()
    }
}
