//! Smoothed parameters applied as linear ramps across control periods.
//!
//! [`Smoothed::next_sample`] at every sample is a recursion of its own: a chain of dependent
//! operations that keeps the loop it sits in from running in SIMD and costs more than the
//! arithmetic it feeds. That is rare for a knob, but modulation moves its targets all the time.
//! A ramp follows the smoother once per period and interpolates linearly in between: exact
//! once the smoother is settled, a hair off its exponential while it glides, and free of steps.
//!
//! Periods never follow the host's block boundaries, so the values do not depend on how the
//! host splits the audio: a [`PeriodRamp`]'s owner counts them on its own timeline (from its
//! last reset), an [`AnchoredRamp`] from its last change of target.

use crate::smooth::Smoothed;

/// A ramp whose owner says where periods start ([`tick`](Self::tick)) and where in the period
/// a sample is ([`at`](Self::at)).
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

    /// Whether the value is 0 across this period.
    pub fn is_silent(&self) -> bool {
        self.start == 0.0 && self.step == 0.0
    }
}

/// A ramp that counts its periods from its last change of target: the change starts gliding
/// at the very sample it is made, as host automation and modulation must, and a value reaches
/// the smoother's at the end of each period. Changes come at the same samples however the host
/// splits its blocks, and so do the periods.
#[derive(Debug, Clone, Copy)]
pub struct AnchoredRamp<const PERIOD: usize> {
    ramp: PeriodRamp<PERIOD>,
    /// Samples of the current period done.
    phase: usize,
    /// [`is_steady`](Self::is_steady), found again after every change: it is asked several
    /// times per call of every slot and reverb (a modulated one is called every 32 samples),
    /// where the flag costs a load and finding it three comparisons.
    steady: bool,
}

impl<const PERIOD: usize> AnchoredRamp<PERIOD> {
    pub fn new(value: f32, sample_rate: f32) -> Self {
        Self { ramp: PeriodRamp::new(value, sample_rate), phase: 0, steady: true }
    }

    /// Glides from the value reached so far toward `target`, starting with the next sample.
    /// Setting the target it already has changes nothing.
    pub fn set_target(&mut self, target: f32) {
        if target == self.ramp.smoothed.target() {
            return;
        }
        let now = self.ramp.at(self.phase as f32);
        // The smoother restarts from there: set to it, snapped, then aimed at the target.
        let smoothed = &mut self.ramp.smoothed;
        smoothed.set_target(now);
        smoothed.snap();
        smoothed.set_target(target);
        (self.ramp.start, self.ramp.step, self.phase) = (now, 0.0, 0);
        self.steady = self.find_steady();
    }

    /// Jumps to the target, at once.
    pub fn snap(&mut self) {
        self.ramp.snap();
        self.phase = 0;
        self.steady = self.find_steady();
    }

    /// The value of every sample while [`is_steady`](Self::is_steady).
    pub fn value(&self) -> f32 {
        self.ramp.start
    }

    /// Whether the value stays what it is until the target changes.
    #[inline]
    pub fn is_steady(&self) -> bool {
        self.steady
    }

    fn find_steady(&self) -> bool {
        let r = &self.ramp;
        r.step == 0.0 && r.smoothed.is_settled() && r.start == r.smoothed.current()
    }

    /// Writes the values of the next `out.len()` samples. Sample `j` of a period gets the value
    /// after `j + 1` steps, so that the first sample after a change already moves.
    #[inline]
    pub fn fill(&mut self, out: &mut [f32]) {
        if self.is_steady() {
            // Every period would start where this one is, with no step: one value throughout.
            // (Levels that rest while others glide next to them are common under modulation.)
            out.fill(self.ramp.at(1.0));
            self.phase = (self.phase + out.len()) % PERIOD;
            return;
        }
        let mut done = 0;
        while done < out.len() {
            if self.phase == 0 {
                self.ramp.tick();
            }
            let (j, n) = (self.phase, (PERIOD - self.phase).min(out.len() - done));
            for (k, y) in out[done..done + n].iter_mut().enumerate() {
                // Through i32, which converts to f32 in SIMD.
                *y = self.ramp.at((j + k + 1) as i32 as f32);
            }
            (self.phase, done) = ((j + n) % PERIOD, done + n);
        }
        self.steady = self.find_steady();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_the_smoother_at_period_ends_and_lines_up_in_between() {
        let mut ramp = AnchoredRamp::<32>::new(0.0, 48_000.0);
        let mut smoothed = Smoothed::new(0.0, 48_000.0);
        ramp.set_target(1.0);
        smoothed.set_target(1.0);
        let mut values = [0.0; 96];
        ramp.fill(&mut values);
        for period in values.chunks(32) {
            let start = smoothed.current();
            let end = smoothed.advance(32);
            assert_eq!(period[31], end);
            for (j, v) in period.iter().enumerate() {
                let line = start + (end - start) * (j + 1) as f32 / 32.0;
                assert!((v - line).abs() < 1e-6, "{v} vs {line}");
            }
        }
    }

    #[test]
    fn a_change_glides_from_the_sample_it_is_made_at() {
        let mut ramp = AnchoredRamp::<32>::new(0.0, 48_000.0);
        let mut before = [0.0; 10];
        ramp.fill(&mut before);
        ramp.set_target(1.0);
        let mut after = [0.0; 3];
        ramp.fill(&mut after);
        assert_eq!(before, [0.0; 10]);
        assert!(0.0 < after[0] && after[0] < after[1] && after[1] < after[2] && after[2] < 0.03);
        // Mid-glide, a new target carries on from where the glide is, without a step.
        ramp.set_target(-1.0);
        let mut turned = [0.0; 2];
        ramp.fill(&mut turned);
        assert!(turned[0] < after[2] && after[2] - turned[0] < 0.01, "{turned:?} after {after:?}");
    }

    #[test]
    fn the_values_do_not_depend_on_how_the_samples_are_cut() {
        let whole = {
            let mut ramp = AnchoredRamp::<32>::new(-6.0, 44_100.0);
            ramp.set_target(3.0);
            let mut v = [0.0; 200];
            ramp.fill(&mut v);
            v
        };
        let mut ramp = AnchoredRamp::<32>::new(-6.0, 44_100.0);
        ramp.set_target(3.0);
        let mut v = [0.0; 200];
        let mut at = 0;
        for run in [1, 7, 31, 33, 64, 64] {
            ramp.fill(&mut v[at..at + run]);
            at += run;
        }
        assert_eq!(v, whole);
    }

    #[test]
    fn a_resting_ramp_holds_its_value_however_cut_and_glides_on_from_it() {
        let settled = |pieces: &[usize]| {
            let mut ramp = AnchoredRamp::<32>::new(0.5, 48_000.0);
            let mut v = [f32::NAN; 72];
            let mut at = 0;
            for &run in pieces {
                ramp.fill(&mut v[at..at + run]);
                at += run;
            }
            (ramp, v)
        };
        let (mut whole, held) = settled(&[72]);
        let (mut cut, held_cut) = settled(&[5, 27, 40]);
        assert_eq!((held, held_cut), ([0.5; 72], [0.5; 72]));
        // Leaving the rest: both glide alike, reaching the smoother's value at period ends.
        let mut smoothed = Smoothed::new(0.5, 48_000.0);
        smoothed.set_target(1.0);
        let (mut a, mut b) = ([0.0; 64], [0.0; 64]);
        for (ramp, out) in [(&mut whole, &mut a), (&mut cut, &mut b)] {
            ramp.set_target(1.0);
            ramp.fill(out);
        }
        assert_eq!(a, b);
        assert_eq!(a[31], smoothed.advance(32));
        assert_eq!(a[63], smoothed.advance(32));
    }

    #[test]
    fn settles_exactly_on_the_target() {
        let mut ramp = AnchoredRamp::<32>::new(0.25, 48_000.0);
        ramp.set_target(0.75);
        let mut v = [0.0; 32];
        for _ in 0..200 {
            ramp.fill(&mut v);
        }
        assert!(ramp.is_steady());
        assert_eq!((ramp.value(), v), (0.75, [0.75; 32]));
    }
}
