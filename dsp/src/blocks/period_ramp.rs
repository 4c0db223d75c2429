//! Smoothed parameters applied as linear ramps across control periods.
//!
//! [`Smoothed::next`] at every sample is a recursion of its own: a chain of dependent
//! operations that keeps the loop it sits in from running in SIMD and costs more than the
//! arithmetic it feeds. That is rare for a knob, but modulation moves its targets all the time.
//! A ramp follows the smoother once per period and interpolates linearly in between: exact
//! once the smoother is settled, a hair off its exponential while it glides, and free of steps.
//!
//! The owner counts the periods from its last reset, not from the start of each block, and
//! passes the position in the period: the values then do not depend on how the host splits
//! the audio into blocks.

use crate::smooth::Smoothed;

#[derive(Debug, Clone, Copy)]
pub struct PeriodRamp<const PERIOD: usize> {
    smoothed: Smoothed,
    /// The value at the current period's first sample and the change per sample across it.
    start: f32,
    step: f32,
}

impl<const PERIOD: usize> PeriodRamp<PERIOD> {
    pub fn new(value: f32, sample_rate: f32) -> Self {
        Self { smoothed: Smoothed::new(value, sample_rate), start: value, step: 0.0 }
    }

    pub fn set_target(&mut self, target: f32) {
        self.smoothed.set_target(target);
    }

    /// Jumps to the target, at once.
    pub fn snap(&mut self) {
        self.smoothed.snap();
        (self.start, self.step) = (self.smoothed.current(), 0.0);
    }

    /// At a period's start: the ramp across it, from where the previous one ended.
    pub fn tick(&mut self) {
        self.start = self.smoothed.current();
        self.step = if self.smoothed.is_settled() {
            0.0
        } else {
            (self.smoothed.advance(PERIOD) - self.start) / PERIOD as f32
        };
    }

    /// The value `j` samples into the period.
    #[inline]
    pub fn at(&self, j: f32) -> f32 {
        self.start + self.step * j
    }

    /// The value at the current period's first sample: the value of every sample while
    /// [`is_steady`](Self::is_steady).
    pub fn value(&self) -> f32 {
        self.start
    }

    /// Whether the value stays what it is across this period and the following ones (until the
    /// target changes).
    pub fn is_steady(&self) -> bool {
        self.step == 0.0 && self.smoothed.is_settled() && self.start == self.smoothed.current()
    }

    /// Whether the value is 0 across this period.
    pub fn is_silent(&self) -> bool {
        self.start == 0.0 && self.step == 0.0
    }

    /// Writes the values of the next `out.len()` samples, the first of them `phase` samples
    /// into a period, ticking at every period start.
    #[inline]
    pub fn fill(&mut self, out: &mut [f32], phase: usize) {
        let mut j = phase % PERIOD;
        let mut done = 0;
        while done < out.len() {
            if j == 0 {
                self.tick();
            }
            let n = (PERIOD - j).min(out.len() - done);
            for (k, y) in out[done..done + n].iter_mut().enumerate() {
                // Through i32, which converts to f32 in SIMD.
                *y = self.at((j + k) as i32 as f32);
            }
            (j, done) = ((j + n) % PERIOD, done + n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_the_smoother_at_period_starts_and_lines_up_in_between() {
        let mut ramp = PeriodRamp::<32>::new(0.0, 48_000.0);
        let mut smoothed = Smoothed::new(0.0, 48_000.0);
        ramp.set_target(1.0);
        smoothed.set_target(1.0);
        let mut values = [0.0; 96];
        ramp.fill(&mut values, 0);
        for period in values.chunks(32) {
            let start = smoothed.current();
            let end = smoothed.advance(32);
            assert_eq!(period[0], start);
            for (j, v) in period.iter().enumerate() {
                let line = start + (end - start) * j as f32 / 32.0;
                assert!((v - line).abs() < 1e-6, "{v} vs {line}");
            }
        }
    }

    #[test]
    fn the_values_do_not_depend_on_how_the_samples_are_cut() {
        let whole = {
            let mut ramp = PeriodRamp::<32>::new(-6.0, 44_100.0);
            ramp.set_target(3.0);
            let mut v = [0.0; 200];
            ramp.fill(&mut v, 0);
            v
        };
        let mut ramp = PeriodRamp::<32>::new(-6.0, 44_100.0);
        ramp.set_target(3.0);
        let mut v = [0.0; 200];
        let mut phase = 0;
        for run in [1, 7, 31, 33, 64, 64] {
            ramp.fill(&mut v[phase..phase + run], phase);
            phase += run;
        }
        assert_eq!(v, whole);
    }

    #[test]
    fn settles_exactly_on_the_target() {
        let mut ramp = PeriodRamp::<32>::new(0.25, 48_000.0);
        ramp.set_target(0.75);
        let mut v = [0.0; 32];
        for _ in 0..200 {
            ramp.fill(&mut v, 0);
        }
        assert!(ramp.is_steady());
        assert_eq!((ramp.value(), v), (0.75, [0.75; 32]));
    }
}
