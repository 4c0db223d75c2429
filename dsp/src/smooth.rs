//! Parameter smoothing, so that a jump in any continuous parameter never clicks.

/// How long a smoothed parameter takes to get (within 0.1 %) to a new target.
pub const SMOOTHING_MS: f32 = 20.0;

/// A value that glides exponentially toward its target.
///
/// Exponential rather than linear so that a retargeting mid-glide stays smooth; it snaps to the
/// target once within a negligible distance, so a settled value costs nothing and is exact.
#[derive(Debug, Clone, Copy)]
pub struct Smoothed {
    current: f32,
    target: f32,
    coeff: f32,
}

impl Smoothed {
    pub fn new(value: f32, sample_rate: f32) -> Self {
        let mut s = Self { current: value, target: value, coeff: 0.0 };
        s.set_sample_rate(sample_rate);
        s
    }

    pub fn set_sample_rate(&mut self, sample_rate: f32) {
        // Reaches 1 - e^-7 (99.9 %) of a step after SMOOTHING_MS.
        let samples = (SMOOTHING_MS * 0.001 * sample_rate).max(1.0);
        self.coeff = (-7.0 / samples).exp();
    }

    pub fn set_target(&mut self, target: f32) {
        self.target = target;
    }

    pub fn target(&self) -> f32 {
        self.target
    }

    pub fn current(&self) -> f32 {
        self.current
    }

    /// Jumps to the target.
    pub fn snap(&mut self) {
        self.current = self.target;
    }

    pub fn is_settled(&self) -> bool {
        self.current == self.target
    }

    /// Advances one sample and returns the new value.
    #[inline]
    pub fn next_sample(&mut self) -> f32 {
        if self.current != self.target {
            let next = self.target + (self.current - self.target) * self.coeff;
            // f32 rounding can stall a glide a few ulps short of the target.
            self.current = if next == self.current { self.target } else { next };
            self.settle_if_close();
        }
        self.current
    }

    /// Advances `n` samples at once, for parameters that are applied per block of samples
    /// (filter coefficients) rather than per sample.
    pub fn advance(&mut self, n: usize) -> f32 {
        if self.current != self.target {
            self.current = self.target + (self.current - self.target) * power(self.coeff, n);
            self.settle_if_close();
        }
        self.current
    }

    fn settle_if_close(&mut self) {
        let scale = self.target.abs().max(1.0);
        if (self.current - self.target).abs() <= 1e-5 * scale {
            self.current = self.target;
        }
    }
}

/// `base^n` by repeated squaring. Not `powi`: the compiler folds `powi` of constants in higher
/// precision than it computes at run time, so the same glide could round differently where its
/// settings happen to be known at compile time. Products fold exactly as they run.
fn power(mut base: f32, mut n: usize) -> f32 {
    let mut result = 1.0;
    while n > 0 {
        if n & 1 == 1 {
            result *= base;
        }
        base *= base;
        n >>= 1;
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reaches_target_within_smoothing_time_without_jumping() {
        let sr = 48_000.0;
        let mut s = Smoothed::new(0.0, sr);
        s.set_target(1.0);
        let first = s.next_sample();
        assert!(first > 0.0 && first < 0.01, "first step {first} is a jump");
        let n = (SMOOTHING_MS * 0.001 * sr) as usize;
        let mut v = first;
        for _ in 1..n {
            v = s.next_sample();
        }
        assert!((v - 1.0).abs() < 2e-3, "after {n} samples at {v}");
        for _ in 0..n * 3 {
            s.next_sample();
        }
        assert!(s.is_settled(), "{} vs {}", s.current(), s.target());
    }

    #[test]
    fn advance_matches_per_sample_steps() {
        let mut a = Smoothed::new(-20.0, 44_100.0);
        let mut b = a;
        a.set_target(6.0);
        b.set_target(6.0);
        for _ in 0..32 {
            a.next_sample();
        }
        assert!((a.current() - b.advance(32)).abs() < 1e-4);
    }
}
