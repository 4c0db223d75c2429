//! Biquad sections in series over a stereo signal, both channels sharing the coefficients, and
//! the clock that paces their coefficient updates and state flushes.

use super::biquad::{flush_state, Coefficients, Kernel};
use crate::util::flush;

/// Samples per period of [`UpdateClock`]. Designing coefficients costs a few transcendental
/// functions per section, too much per sample; in between, coefficients move linearly (see
/// [`StereoBiquad::ramp_to`]), so this coarse pace causes no zipper noise. Modulation moves a
/// cutoff without pause, and at 32 samples its redesigns cost more than the filtering itself;
/// at 64 (1.3 ms at 48 kHz, against a 20 ms smoothing) a modulated filter costs 30 % less.
pub const UPDATE_INTERVAL: usize = 64;

const ZERO: Kernel = Kernel { b0: 0.0, c1: 0.0, c2: 0.0, a1: 0.0, a2: 0.0 };

/// One section for both channels of a stereo signal.
#[derive(Debug, Clone, Copy)]
pub struct StereoBiquad {
    coeffs: Kernel,
    /// Where the current glide ends, what it adds per sample, and how many samples it has left.
    target: Kernel,
    step: Kernel,
    ramp_left: usize,
    s1: [f64; 2],
    s2: [f64; 2],
}

impl Default for StereoBiquad {
    fn default() -> Self {
        let c = Kernel::from(Coefficients::IDENTITY);
        Self { coeffs: c, target: c, step: ZERO, ramp_left: 0, s1: [0.0; 2], s2: [0.0; 2] }
    }
}

impl StereoBiquad {
    /// Jumps to `coeffs` with a cleared state: for a section that is not heard yet.
    pub fn restart(&mut self, coeffs: Coefficients) {
        let coeffs = Kernel::from(coeffs);
        *self = Self { coeffs, target: coeffs, ..Self::default() };
    }

    /// Moves the coefficients linearly to `coeffs` over the next `samples` samples. Every
    /// coefficient set on the way is stable when both ends are, because the region of stable
    /// (a1, a2) is a triangle, which is convex.
    pub fn ramp_to(&mut self, coeffs: Coefficients, samples: usize) {
        let (coeffs, c, k) = (Kernel::from(coeffs), self.coeffs, 1.0 / samples.max(1) as f64);
        self.step = Kernel {
            b0: (coeffs.b0 - c.b0) * k,
            c1: (coeffs.c1 - c.c1) * k,
            c2: (coeffs.c2 - c.c2) * k,
            a1: (coeffs.a1 - c.a1) * k,
            a2: (coeffs.a2 - c.a2) * k,
        };
        self.target = coeffs;
        self.ramp_left = samples.max(1);
    }
}

/// Runs up to three sections (the most any effect needs) in series over a stereo run, in
/// place. Runs are cut by [`UpdateClock`]: `period_ended` says whether this one ends a period,
/// where the states are flushed.
pub fn process_chain<'a>(
    sections: impl IntoIterator<Item = &'a mut StereoBiquad>,
    left: &mut [f32],
    right: &mut [f32],
    period_ended: bool,
) {
    let mut it = sections.into_iter();
    match (it.next(), it.next(), it.next()) {
        (Some(a), Some(b), Some(c)) => run([a, b, c], left, right, period_ended),
        (Some(a), Some(b), None) => run([a, b], left, right, period_ended),
        (Some(a), None, _) => run([a], left, right, period_ended),
        _ => {}
    }
    debug_assert!(it.next().is_none(), "more than three sections");
}

fn run<const N: usize>(
    sections: [&mut StereoBiquad; N],
    left: &mut [f32],
    right: &mut [f32],
    flush_states: bool,
) {
    if sections.iter().any(|s| s.ramp_left > 0) {
        run_sections::<N, true>(sections, left, right, flush_states);
    } else {
        run_sections::<N, false>(sections, left, right, flush_states);
    }
}

/// Sample by sample through all sections rather than section by section through the run: the
/// sections' recursions are then independent work the CPU overlaps, instead of one long chain
/// of dependent operations per section.
///
/// States are flushed once per period rather than per sample, where the flush would lengthen
/// the recursion's critical path (one section took 30 % longer). That is enough: from at least
/// 1e-20, an f64 state would have to fall by 10^288 within one period to become subnormal,
/// which takes poles below 1e-9 in magnitude, and those leave exact zeros, not a subnormal
/// limit cycle. (A sweep of all the cookbook designs over frequency, Q and gain found no
/// subnormal state this way; flushed only at the end of long blocks, some designs sat in a
/// subnormal limit cycle for the rest of the block.) Flushing at fixed points of the signal's
/// timeline, not at block ends, keeps the output independent of block sizes. The f32 output
/// is flushed per sample, off the critical path.
fn run_sections<const N: usize, const RAMP: bool>(
    sections: [&mut StereoBiquad; N],
    left: &mut [f32],
    right: &mut [f32],
    flush_states: bool,
) {
    let mut c = sections.each_ref().map(|s| s.coeffs);
    let step = sections.each_ref().map(|s| s.step);
    let mut s1 = sections.each_ref().map(|s| s.s1);
    let mut s2 = sections.each_ref().map(|s| s.s2);
    let n = left.len().min(right.len());
    for (l, r) in left.iter_mut().zip(right.iter_mut()) {
        let (mut xl, mut xr) = (*l as f64, *r as f64);
        for k in 0..N {
            if RAMP {
                let (c, d) = (&mut c[k], &step[k]);
                (c.b0, c.c1, c.c2, c.a1, c.a2) =
                    (c.b0 + d.b0, c.c1 + d.c1, c.c2 + d.c2, c.a1 + d.a1, c.a2 + d.a2);
            }
            xl = c[k].tick(xl, &mut s1[k][0], &mut s2[k][0]);
            xr = c[k].tick(xr, &mut s1[k][1], &mut s2[k][1]);
        }
        *l = flush(xl as f32);
        *r = flush(xr as f32);
    }
    for (k, s) in sections.into_iter().enumerate() {
        (s.s1, s.s2) =
            if flush_states { (s1[k].map(flush_state), s2[k].map(flush_state)) } else { (s1[k], s2[k]) };
        if RAMP {
            debug_assert!(s.ramp_left == 0 || n <= s.ramp_left, "run outlasts a ramp");
            s.ramp_left = s.ramp_left.saturating_sub(n);
            // Ends exactly on the design, free of the rounding the steps accumulated.
            (s.coeffs, s.step) = if s.ramp_left == 0 { (s.target, ZERO) } else { (c[k], s.step) };
        }
    }
}

/// Cuts blocks into runs along periods of `PERIOD` samples (the EQ's [`UPDATE_INTERVAL`]) that
/// run on the signal's timeline, wherever the host's block boundaries fall. A period starts
/// with the coefficient update of anything that glides and ends with a flush of the filter
/// states; both thus happen at the same samples whatever the block sizes, and so does the
/// output.
#[derive(Debug, Clone, Copy, Default)]
pub struct UpdateClock<const PERIOD: usize = UPDATE_INTERVAL> {
    left: usize,
}

impl<const PERIOD: usize> UpdateClock<PERIOD> {
    /// Whether the next sample starts a period (and the previous one, if any, ended one).
    pub fn at_boundary(&self) -> bool {
        self.left == 0
    }

    /// How far into its period the next sample is (0 at a boundary).
    pub fn position(&self) -> usize {
        (PERIOD - self.left) % PERIOD
    }

    /// The length of the next run out of `available` samples: at most to the period's end.
    pub fn take(&mut self, available: usize) -> usize {
        if self.left == 0 {
            self.left = PERIOD;
        }
        let n = self.left.min(available);
        self.left -= n;
        n
    }
}
