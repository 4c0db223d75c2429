//! The recirculating parts of the reverbs: a chunked one-pole, Schroeder allpass diffusers, a
//! slow LFO and an N-line feedback delay network, all running on [`DelayBank`]s a chunk at a
//! time (see [`delay_bank`](crate::blocks::delay_bank)).

use crate::blocks::delay_bank::{Chunk, DelayBank, Glide, CHUNK};
use crate::util::flush;
use std::f32::consts::{LN_10, PI};

/// Gain per pass of a loop `delay` samples long for a decay of 60 dB in `rt60` samples.
#[inline]
pub fn decay_gain(delay: f32, rt60: f32) -> f32 {
    (-3.0 * LN_10 * delay / rt60.max(1.0)).exp()
}

/// The one-pole `y[j] = c x[j] + p y[j-1]`, four samples at a time.
///
/// Written as a lower-triangular 4×4 matrix on four inputs plus powers of `p` on the previous
/// output, the recursion's latency is paid once per four samples and the rest runs in SIMD.
/// The groups of four lie on the control period's grid: a group cut by a block boundary is
/// finished in the next call from its partial sums, with the very same arithmetic, so the
/// output's rounding does not depend on block sizes.
#[derive(Debug, Clone, Copy, Default)]
pub struct OnePole4 {
    /// `cols[m][k]`: weight of input `m` in output `k`.
    cols: [[f32; 4]; 4],
    /// `p^(k+1)`: weight of the previous output in output `k`.
    pows: [f32; 4],
}

/// What a [`OnePole4`] carries from one chunk to the next.
#[derive(Debug, Clone, Copy, Default)]
pub struct OnePoleState {
    /// The output before the current group of four.
    y: f32,
    /// The current group's matrix products so far (zero between groups).
    acc: [f32; 4],
}

impl OnePole4 {
    pub fn new(c: f32, p: f32) -> Self {
        // Powers by products rather than `powi`, a library call each: modulated damping
        // redesigns these filters every period.
        let mut pow = [1.0; 5];
        for k in 1..5 {
            pow[k] = pow[k - 1] * p;
        }
        let cols =
            std::array::from_fn(|m| std::array::from_fn(|k| if k >= m { c * pow[k - m] } else { 0.0 }));
        Self { cols, pows: std::array::from_fn(|k| pow[k + 1]) }
    }

    /// A unity-gain low-pass whose -3 dB point is at `cutoff` (matched-z: exact for low
    /// frequencies; `cutoff` is kept below Nyquist).
    pub fn lowpass(cutoff: f32, sample_rate: f32) -> Self {
        let p = (-2.0 * PI * cutoff.clamp(1.0, 0.49 * sample_rate) / sample_rate).exp();
        Self::new(1.0 - p, p)
    }

    /// Filters `x` into `y` (same length), the samples `offset..` of the control period.
    #[inline]
    pub fn run(&self, x: &[f32], y: &mut [f32], state: &mut OnePoleState, offset: usize) {
        let n = x.len();
        // A whole chunk is a whole period, hence whole groups, and its constant length unrolls.
        if n == CHUNK {
            state.y = self.groups(&x[..CHUNK], &mut y[..CHUNK], state.y);
        } else {
            self.run_cut(x, y, state, offset % 4);
        }
        // At the period's end, a group's end.
        if (offset + n).is_multiple_of(CHUNK) {
            state.y = flush(state.y);
        }
    }

    /// Whole groups from the output `s` before them; returns the last output.
    #[inline(always)]
    fn groups(&self, x: &[f32], y: &mut [f32], mut s: f32) -> f32 {
        for (x, y) in x.chunks_exact(4).zip(y.chunks_exact_mut(4)) {
            let mut acc = [0.0; 4];
            for (m, col) in self.cols.iter().enumerate() {
                for k in 0..4 {
                    acc[k] += col[k] * x[m];
                }
            }
            for k in 0..4 {
                y[k] = acc[k] + self.pows[k] * s;
            }
            s = y[3];
        }
        s
    }

    /// A run starting `g` samples into a group or not ending at a group's end.
    #[inline]
    fn run_cut(&self, x: &[f32], y: &mut [f32], state: &mut OnePoleState, g: usize) {
        let n = x.len();
        if g + n <= 4 {
            // Within one group, as all runs of tiny blocks are.
            return self.part(x, y, state, g);
        }
        let head = if g == 0 { 0 } else { 4 - g };
        let body = head + (n - head) / 4 * 4;
        self.part(&x[..head], &mut y[..head], state, g);
        state.y = self.groups(&x[head..body], &mut y[head..body], state.y);
        self.part(&x[body..], &mut y[body..], state, 0);
    }

    /// Outputs `g..g + x.len()` of a group (not beyond it), one input at a time, bit for bit
    /// as a whole group gives them: that adds its inputs' products in the same order, and its
    /// terms beyond the triangle are `0 * x`, which leave a sum started at +0 unchanged.
    #[inline]
    fn part(&self, x: &[f32], y: &mut [f32], state: &mut OnePoleState, g: usize) {
        for (m, (x, y)) in (g..).zip(x.iter().zip(y.iter_mut())) {
            for k in 0..4 {
                state.acc[k] += self.cols[m][k] * x;
            }
            *y = state.acc[m] + self.pows[m] * state.y;
            if m == 3 {
                (state.y, state.acc) = (*y, [0.0; 4]);
            }
        }
    }
}

/// One chunk `x` (in place) through a Schroeder allpass `(-g + z^-M) / (1 - g z^-M)` whose
/// line gave `delayed` and takes `line`. Its `-g x` term passes the input at once, so
/// allpasses add no onset delay.
#[inline]
pub fn allpass(x: &mut [f32], delayed: &[f32], line: &mut [f32], g: f32) {
    for ((x, d), w) in x.iter_mut().zip(delayed).zip(line) {
        let v = flush(*x + g * d);
        (*w, *x) = (v, d - g * v);
    }
}

/// Allpasses in series, the diffusers that smear an impulse into a dense burst. Their delays
/// are at least a chunk (at 22.05 kHz, 1.5 ms).
#[derive(Debug, Clone)]
pub struct Diffuser<const STAGES: usize> {
    bank: DelayBank<STAGES>,
    delays: [usize; STAGES],
    gains: [f32; STAGES],
}

impl<const STAGES: usize> Diffuser<STAGES> {
    pub fn new(delays: [usize; STAGES], gains: [f32; STAGES]) -> Self {
        let delays = delays.map(|d| d.max(CHUNK));
        Self { bank: DelayBank::new(delays.iter().copied().max().unwrap_or(CHUNK)), delays, gains }
    }

    /// Diffuses one chunk in place.
    #[inline]
    pub fn process(&mut self, x: &mut [f32]) {
        for i in 0..STAGES {
            let (delayed, line) = self.bank.io(i, self.delays[i], x.len());
            allpass(x, delayed, line, self.gains[i]);
        }
        self.bank.advance(x.len());
    }

    pub fn reset(&mut self) {
        self.bank.reset();
    }
}

/// A quadrature sine oscillator stepped once per chunk (slow modulation).
#[derive(Debug, Clone, Copy)]
pub struct Lfo {
    cos: f32,
    sin: f32,
    step_cos: f32,
    step_sin: f32,
}

impl Lfo {
    pub fn new(freq: f32, sample_rate: f32) -> Self {
        let w = 2.0 * PI * freq * CHUNK as f32 / sample_rate;
        Self { cos: 1.0, sin: 0.0, step_cos: w.cos(), step_sin: w.sin() }
    }

    /// Advances one chunk and returns `(cos, sin)` of the phase.
    #[inline]
    pub fn advance(&mut self) -> (f32, f32) {
        let c = self.cos * self.step_cos - self.sin * self.step_sin;
        let s = self.sin * self.step_cos + self.cos * self.step_sin;
        // First-order renormalization keeps the amplitude at 1 despite rounding.
        let k = 1.5 - 0.5 * (c * c + s * s);
        (self.cos, self.sin) = (c * k, s * k);
        (self.cos, self.sin)
    }

    pub fn reset(&mut self) {
        (self.cos, self.sin) = (1.0, 0.0);
    }
}

/// A feedback delay network: `N` (4 or 8) delay lines mixed through a Hadamard matrix.
///
/// Each line has Jot's absorbent filter `g (1 - b) / (1 - b z^-1)`, with `g` and `b` set from
/// its length so that every line loses the same dB per second: the decay is one exponential (no
/// line rings on), whose low-frequency and high-frequency RT60 are set independently. The mono
/// input feeds every line; the outputs tap the lines with orthogonal sign patterns, so left and
/// right are decorrelated. Line delays are fractional and glide linearly, so size changes and
/// modulation are smooth.
pub struct Fdn<const N: usize> {
    bank: DelayBank<N>,
    delays: [Glide; N],
    damping: [OnePole4; N],
    state: [OnePoleState; N],
    max_delay: f32,
}

impl<const N: usize> Fdn<N> {
    const NORM: f32 = if N == 8 { 0.353_553_4 } else { 0.5 };

    pub fn new(max_delay: usize) -> Self {
        assert!(N == 4 || N == 8, "the FDN mixes 4 or 8 lines");
        Self {
            bank: DelayBank::new(max_delay),
            delays: [Glide::default(); N],
            damping: [OnePole4::default(); N],
            state: [OnePoleState::default(); N],
            max_delay: max_delay as f32,
        }
    }

    /// At the start of a control period: moves the line delays (samples, kept above a chunk)
    /// linearly to `delays` over the period, or at once when `glide` is false.
    pub fn set_delays(&mut self, delays: &[f32; N], glide: bool) {
        for (line, delay) in self.delays.iter_mut().zip(delays) {
            line.set(delay.clamp(CHUNK as f32 + 1.0, self.max_delay), glide);
        }
    }

    /// Sets the decay for lines of (nominal) lengths `delays`: `rt60` samples at low
    /// frequencies and `rt60 * hf_ratio` at the angular frequency whose cosine is `cos_ref`.
    pub fn set_decay(&mut self, delays: &[f32; N], rt60: f32, hf_ratio: f32, cos_ref: f32) {
        for (damping, &delay) in self.damping.iter_mut().zip(delays) {
            let g = decay_gain(delay, rt60);
            let r = decay_gain(delay, rt60 * hf_ratio) / g;
            // Pole giving the low-pass |H(ref)| / |H(0)| = r: the root below 1 of
            // b^2 - 2kb + 1 = 0 with k = (1 - r^2 cos) / (1 - r^2).
            let r2 = r * r;
            let k = (1.0 - r2 * cos_ref) / (1.0 - r2).max(1e-9);
            let b = 1.0 / (k + (k * k - 1.0).max(0.0).sqrt());
            *damping = OnePole4::new(g * (1.0 - b), b);
        }
    }

    /// One chunk, the samples `offset..` of the control period: `input` in, the left and right
    /// taps added to `left` and `right`.
    #[inline]
    pub fn process(&mut self, input: &[f32], left: &mut [f32], right: &mut [f32], offset: usize) {
        let n = input.len();
        let mut taps = [[0.0; CHUNK]; N];
        let mut mixed = [[0.0; CHUNK]; N];
        for i in 0..N {
            self.bank.read_gliding(i, &self.delays[i], offset, &mut taps[i][..n]);
            self.damping[i].run(&taps[i][..n], &mut mixed[i][..n], &mut self.state[i], offset);
        }
        // A whole chunk's constant length unrolls; a cut chunk's work stays proportional.
        if n == CHUNK {
            hadamard(&mut mixed, CHUNK);
        } else {
            hadamard(&mut mixed, n);
        }
        for (i, (tap, m)) in taps.iter().zip(&mixed).enumerate() {
            for ((w, m), x) in self.bank.chunk_mut(i, n).iter_mut().zip(m).zip(input) {
                *w = flush(m * Self::NORM + x);
            }
            let (sl, sr) = (if i & 1 == 0 { 1.0 } else { -1.0 }, if i & 2 == 0 { 1.0 } else { -1.0 });
            for ((l, r), t) in left.iter_mut().zip(right.iter_mut()).zip(tap) {
                (*l, *r) = (*l + sl * t, *r + sr * t);
            }
        }
        self.bank.advance(n);
    }

    pub fn reset(&mut self) {
        self.bank.reset();
        self.state = [OnePoleState::default(); N];
    }
}

/// The unnormalized Hadamard transform of `N` lines, on their first `n` samples.
#[inline(always)]
fn hadamard<const N: usize>(lines: &mut [Chunk; N], n: usize) {
    let mut h = 1;
    while h < N {
        for i in (0..N).step_by(2 * h) {
            for j in i..i + h {
                let (low, high) = lines.split_at_mut(j + h);
                for (a, b) in low[j][..n].iter_mut().zip(&mut high[0][..n]) {
                    (*a, *b) = (*a + *b, *a - *b);
                }
            }
        }
        h *= 2;
    }
}
