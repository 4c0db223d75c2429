//! What the four reverbs are built from: a bank of delay lines, Schroeder allpass diffusers, a
//! chunked one-pole, an N-line feedback delay network, and the pre-delay, parameters and
//! wet/dry/width output every reverb shares.
//!
//! Everything runs in chunks of at most [`CHUNK`] samples, one stage at a time over the whole
//! chunk. Every recirculating delay is longer than a chunk, so a stage only ever reads what was
//! written before the chunk began: its loop over the chunk has no dependency from one sample to
//! the next and runs in SIMD. The only true recursions, the one-pole damping filters, are
//! evaluated four samples at a time ([`OnePole4`]).

use crate::param::ParamSpec;
use crate::smooth::Smoothed;
use crate::util::flush;
use std::f32::consts::{LN_10, PI};
use std::ops::Range;

/// Parameter indices every reverb shares (the named ones add [`PREDELAY`]).
pub const SIZE: usize = 0;
pub const DAMPING: usize = 1;
pub const WET: usize = 2;
pub const DRY: usize = 3;
pub const WIDTH: usize = 4;
pub const PREDELAY: usize = 5;

/// Longest chunk, and the control period: decay gains, filter poles and slow modulation are
/// recomputed once per chunk, whose `exp`s would otherwise cost more than the reverb itself.
/// Every recirculating delay must be longer (at the lowest rate, 22.05 kHz: 1.5 ms).
pub const CHUNK: usize = 32;

/// One chunk of one signal.
pub type Chunk = [f32; CHUNK];

/// Splits blocks on a fixed grid of [`CHUNK`] samples, so that control updates fall on the
/// same samples however the host splits its blocks.
#[derive(Debug, Clone, Copy, Default)]
pub struct ControlClock {
    phase: usize,
}

impl ControlClock {
    /// Calls `f(range, tick)` for consecutive chunks of `0..len`; `tick` marks the chunks that
    /// start a control period.
    #[inline]
    pub fn run(&mut self, len: usize, mut f: impl FnMut(Range<usize>, bool)) {
        let mut start = 0;
        while start < len {
            let n = (len - start).min(CHUNK - self.phase);
            f(start..start + n, self.phase == 0);
            self.phase = (self.phase + n) % CHUNK;
            start += n;
        }
    }
}

/// Gain per pass of a loop `delay` samples long for a decay of 60 dB in `rt60` samples.
#[inline]
pub fn decay_gain(delay: f32, rt60: f32) -> f32 {
    (-3.0 * LN_10 * delay / rt60.max(1.0)).exp()
}

/// `LANES` delay lines advancing together, one chunk at a time.
///
/// Each lane is contiguous, so a chunk's reads and writes are slices. Instead of wrapping, the
/// lanes slide: when the space for the next chunk runs out, what is still readable is copied
/// back to the start, which costs a fraction of a sample per sample.
#[derive(Debug, Clone)]
pub struct DelayBank<const LANES: usize> {
    /// Lane `i` is `buf[i * len..(i + 1) * len]`.
    buf: Box<[f32]>,
    len: usize,
    /// Where the current chunk starts.
    pos: usize,
    /// The longest readable delay plus what interpolation reads beyond it.
    keep: usize,
}

impl<const LANES: usize> DelayBank<LANES> {
    pub fn new(max_delay: usize) -> Self {
        let keep = max_delay + 3;
        let len = keep + (2 * keep).max(8 * CHUNK);
        Self { buf: vec![0.0; len * LANES].into_boxed_slice(), len, pos: keep, keep }
    }

    fn lane(&self, lane: usize) -> &[f32] {
        &self.buf[lane * self.len..(lane + 1) * self.len]
    }

    /// `n` samples of `lane` written `delay` samples before the current chunk's (`delay >= n`),
    /// and the lane's `n` places in the current chunk.
    #[inline]
    pub fn io(&mut self, lane: usize, delay: usize, n: usize) -> (&[f32], &mut [f32]) {
        let pos = self.pos;
        let lane = &mut self.buf[lane * self.len..(lane + 1) * self.len];
        let (past, chunk) = lane.split_at_mut(pos);
        (&past[pos - delay..][..n], &mut chunk[..n])
    }

    /// `n` samples of `lane` delayed by `delay >= n`.
    #[inline]
    pub fn delayed(&self, lane: usize, delay: usize, n: usize) -> &[f32] {
        &self.lane(lane)[self.pos - delay..][..n]
    }

    /// The lane's `n` places in the current chunk.
    #[inline]
    pub fn chunk_mut(&mut self, lane: usize, n: usize) -> &mut [f32] {
        let at = lane * self.len + self.pos;
        &mut self.buf[at..at + n]
    }

    /// Fills `out` from `lane` at a delay going from `delay` by `step` per sample (clamped to
    /// `0..=max_delay`). A delay shorter than `out.len()` reads the current chunk, which must
    /// then have been written first.
    ///
    /// A fixed delay is read with linear interpolation (exact for whole samples). A moving one
    /// uses 4-point Catmull-Rom interpolation, flat to a quarter of the sample rate: inside a
    /// feedback loop, linear interpolation's loss of highs would compound on every pass. It
    /// keeps the delay at least one sample, as its newest point must already be written.
    #[inline]
    pub fn read_gliding(&self, lane: usize, delay: f32, step: f32, out: &mut [f32]) {
        let (lane, pos, max, n) = (self.lane(lane), self.pos, (self.keep - 3) as f32, out.len());
        if step == 0.0 {
            let d = delay.clamp(0.0, max);
            let whole = d as usize;
            let frac = d - whole as f32;
            let newer = &lane[pos - whole..][..n];
            let older = &lane[pos - whole - 1..][..n];
            for ((y, a), b) in out.iter_mut().zip(newer).zip(older) {
                *y = a + (b - a) * frac;
            }
        } else if (step * n as f32).abs() <= 0.5 {
            // Slow modulation: one whole-sample base for the chunk (the fraction strays at most
            // a quarter sample outside 0..1, where the cubic is still accurate), so the reads
            // are slices and the loop runs in SIMD.
            let from = delay.clamp(1.0, max);
            let step = ((delay + step * n as f32).clamp(1.0, max) - from) / n as f32;
            let whole = (from + 0.5 * step * n as f32) as usize;
            let at = pos - whole;
            let (p0, p1) = (&lane[at + 1..][..n], &lane[at..][..n]);
            let (p2, p3) = (&lane[at - 1..][..n], &lane[at - 2..][..n]);
            let u0 = from - whole as f32;
            for j in 0..n {
                out[j] = catmull_rom(p0[j], p1[j], p2[j], p3[j], u0 + step * j as f32);
            }
        } else {
            // Sample j sits at pos + j - delay_j = end - t with t = delay_j - j + CHUNK > 0.
            let end = pos + CHUNK;
            for (j, y) in out.iter_mut().enumerate() {
                let t = (delay + step * j as f32).clamp(1.0, max) + (CHUNK - j) as f32;
                let whole = t as usize;
                let p = &lane[end - whole - 2..end - whole + 2];
                *y = catmull_rom(p[3], p[2], p[1], p[0], t - whole as f32);
            }
        }
    }

    /// Moves on by `n` samples once the chunk is written.
    #[inline]
    pub fn advance(&mut self, n: usize) {
        self.pos += n;
        if self.pos + CHUNK > self.len {
            let (len, from) = (self.len, self.pos - self.keep);
            for lane in self.buf.chunks_exact_mut(len) {
                lane.copy_within(from..from + self.keep, 0);
            }
            self.pos = self.keep;
        }
    }

    pub fn reset(&mut self) {
        self.buf.fill(0.0);
        self.pos = self.keep;
    }
}

/// The Catmull-Rom cubic through `p1` (at `u = 0`) and `p2` (at `u = 1`), with slopes from
/// their neighbours `p0` and `p3`.
#[inline]
fn catmull_rom(p0: f32, p1: f32, p2: f32, p3: f32, u: f32) -> f32 {
    p1 + 0.5 * u * (p2 - p0 + u * (2.0 * p0 - 5.0 * p1 + 4.0 * p2 - p3 + u * (3.0 * (p1 - p2) + p3 - p0)))
}

/// The one-pole `y[j] = c x[j] + p y[j-1]`, four samples at a time.
///
/// Written as a lower-triangular 4×4 matrix on four inputs plus powers of `p` on the previous
/// output, the recursion's latency is paid once per four samples and the rest runs in SIMD.
#[derive(Debug, Clone, Copy, Default)]
pub struct OnePole4 {
    /// `cols[m][k]`: weight of input `m` in output `k`.
    cols: [[f32; 4]; 4],
    /// `p^(k+1)`: weight of the previous output in output `k`.
    pows: [f32; 4],
    c: f32,
    p: f32,
}

impl OnePole4 {
    pub fn new(c: f32, p: f32) -> Self {
        let pow = |k: usize| p.powi(k as i32);
        let cols =
            std::array::from_fn(|m| std::array::from_fn(|k| if k >= m { c * pow(k - m) } else { 0.0 }));
        Self { cols, pows: std::array::from_fn(|k| pow(k + 1)), c, p }
    }

    /// A unity-gain low-pass whose -3 dB point is at `cutoff` (matched-z: exact for low
    /// frequencies; `cutoff` is kept below Nyquist).
    pub fn lowpass(cutoff: f32, sample_rate: f32) -> Self {
        let p = (-2.0 * PI * cutoff.clamp(1.0, 0.49 * sample_rate) / sample_rate).exp();
        Self::new(1.0 - p, p)
    }

    /// Filters `x` into `y` (same length), carrying the filter's output in `state`.
    #[inline]
    pub fn run(&self, x: &[f32], y: &mut [f32], state: &mut f32) {
        let mut s = *state;
        let mut xs = x.chunks_exact(4);
        let mut ys = y.chunks_exact_mut(4);
        for (x, y) in (&mut xs).zip(&mut ys) {
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
        for (x, y) in xs.remainder().iter().zip(ys.into_remainder()) {
            s = self.c * x + self.p * s;
            *y = s;
        }
        *state = flush(s);
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

/// Allpasses in series, the diffusers that smear an impulse into a dense burst.
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
    delay: [f32; N],
    step: [f32; N],
    /// Where the delays glide to by the end of the control period.
    target: [f32; N],
    damping: [OnePole4; N],
    state: [f32; N],
    max_delay: f32,
}

impl<const N: usize> Fdn<N> {
    const NORM: f32 = if N == 8 { 0.353_553_4 } else { 0.5 };

    pub fn new(max_delay: usize) -> Self {
        assert!(N == 4 || N == 8, "the FDN mixes 4 or 8 lines");
        Self {
            bank: DelayBank::new(max_delay),
            delay: [CHUNK as f32 + 1.0; N],
            step: [0.0; N],
            target: [CHUNK as f32 + 1.0; N],
            damping: [OnePole4::default(); N],
            state: [0.0; N],
            max_delay: max_delay as f32,
        }
    }

    /// At the start of a control period: moves the line delays (samples, kept above a chunk)
    /// linearly to `delays` over the period, or at once when `glide` is false.
    pub fn set_delays(&mut self, delays: &[f32; N], glide: bool) {
        for i in 0..N {
            let target = delays[i].clamp(CHUNK as f32 + 1.0, self.max_delay);
            // Restarting from the exact previous target keeps rounding from accumulating and
            // a settled delay from creeping.
            self.delay[i] = if glide { self.target[i] } else { target };
            self.step[i] = (target - self.delay[i]) / CHUNK as f32;
            self.target[i] = target;
        }
    }

    /// Sets the decay for lines of (nominal) lengths `delays`: `rt60` samples at low
    /// frequencies and `rt60 * hf_ratio` at the angular frequency whose cosine is `cos_ref`.
    pub fn set_decay(&mut self, delays: &[f32; N], rt60: f32, hf_ratio: f32, cos_ref: f32) {
        for i in 0..N {
            let g = decay_gain(delays[i], rt60);
            let r = decay_gain(delays[i], rt60 * hf_ratio) / g;
            // Pole giving the low-pass |H(ref)| / |H(0)| = r: the root below 1 of
            // b^2 - 2kb + 1 = 0 with k = (1 - r^2 cos) / (1 - r^2).
            let r2 = r * r;
            let k = (1.0 - r2 * cos_ref) / (1.0 - r2).max(1e-9);
            let b = 1.0 / (k + (k * k - 1.0).max(0.0).sqrt());
            self.damping[i] = OnePole4::new(g * (1.0 - b), b);
        }
    }

    /// One chunk: `input` in, the left and right taps added to `left` and `right`.
    #[inline]
    pub fn process(&mut self, input: &[f32], left: &mut [f32], right: &mut [f32]) {
        let n = input.len();
        let mut taps = [[0.0; CHUNK]; N];
        let mut mixed = [[0.0; CHUNK]; N];
        for i in 0..N {
            self.bank.read_gliding(i, self.delay[i], self.step[i], &mut taps[i][..n]);
            self.delay[i] += self.step[i] * n as f32;
            self.damping[i].run(&taps[i][..n], &mut mixed[i][..n], &mut self.state[i]);
        }
        let mut h = 1;
        while h < N {
            for i in (0..N).step_by(2 * h) {
                for j in i..i + h {
                    for k in 0..CHUNK {
                        let (a, b) = (mixed[j][k], mixed[j + h][k]);
                        (mixed[j][k], mixed[j + h][k]) = (a + b, a - b);
                    }
                }
            }
            h *= 2;
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
        self.state = [0.0; N];
    }
}

/// A pre-delay whose time glides (a jump would click); settled, it delays by whole samples.
pub struct PreDelay {
    bank: DelayBank<1>,
    samples: Smoothed,
    samples_per_ms: f32,
}

impl PreDelay {
    pub fn new(max_ms: f32, ms: f32, sample_rate: f32) -> Self {
        let samples_per_ms = 0.001 * sample_rate;
        let bank = DelayBank::new((max_ms * samples_per_ms).ceil() as usize);
        let mut p = Self { bank, samples: Smoothed::new(0.0, sample_rate), samples_per_ms };
        p.set_ms(ms);
        p.samples.snap();
        p
    }

    pub fn set_ms(&mut self, ms: f32) {
        self.samples.set_target((ms * self.samples_per_ms).round());
    }

    /// Delays one chunk in place.
    #[inline]
    pub fn process(&mut self, x: &mut [f32]) {
        let n = x.len();
        self.bank.chunk_mut(0, n).copy_from_slice(x);
        let from = self.samples.current();
        let to = self.samples.advance(n);
        self.bank.read_gliding(0, from, (to - from) / n as f32, x);
        self.bank.advance(n);
    }

    pub fn reset(&mut self) {
        self.bank.reset();
        self.samples.snap();
    }
}

/// The parameters every reverb shares and its output stage.
///
/// Width follows Freeverb (`wet1 = wet (1 + width) / 2`, `wet2 = wet (1 - width) / 2`), written
/// as mid/side: the mid of the wet signal always gets `wet`, its side `wet * width`, so width 0
/// is exactly mono, 1 is the tank's own stereo and 2 doubles the side (exaggerated).
pub struct ReverbControls {
    pub size: Smoothed,
    pub damping: Smoothed,
    wet: Smoothed,
    dry: Smoothed,
    width: Smoothed,
    /// Makes a wet level of 1 about as loud as the input, per tank.
    wet_scale: f32,
    pub clock: ControlClock,
}

impl ReverbControls {
    pub fn new(params: &[ParamSpec], wet_scale: f32, sample_rate: f32) -> Self {
        let s = |i: usize| Smoothed::new(params[i].default, sample_rate);
        Self {
            size: s(SIZE),
            damping: s(DAMPING),
            wet: s(WET),
            dry: s(DRY),
            width: s(WIDTH),
            wet_scale,
            clock: ControlClock::default(),
        }
    }

    /// Sets one of the shared parameters (indices below [`PREDELAY`]), already clamped.
    pub fn set(&mut self, index: usize, value: f32) {
        match index {
            SIZE => self.size.set_target(value),
            DAMPING => self.damping.set_target(value),
            WET => self.wet.set_target(value),
            DRY => self.dry.set_target(value),
            WIDTH => self.width.set_target(value),
            _ => {}
        }
    }

    pub fn reset(&mut self) {
        for s in [&mut self.size, &mut self.damping, &mut self.wet, &mut self.dry, &mut self.width] {
            s.snap();
        }
        self.clock = ControlClock::default();
    }

    /// Size and damping one chunk later, and whether they moved.
    pub fn advance(&mut self) -> (f32, f32, bool) {
        let moving = !(self.size.is_settled() && self.damping.is_settled());
        (self.size.advance(CHUNK), self.damping.advance(CHUNK), moving)
    }

    /// Mixes a chunk of input (`left`, `right`, in place) with the tank's output.
    #[inline]
    pub fn mix(&mut self, left: &mut [f32], right: &mut [f32], wet_l: &[f32], wet_r: &[f32]) {
        let frames = left.iter_mut().zip(right.iter_mut()).zip(wet_l.iter().zip(wet_r));
        if self.wet.is_settled() && self.dry.is_settled() && self.width.is_settled() {
            let (wet, dry) = (self.wet.current() * self.wet_scale, self.dry.current());
            let (mid, side) = (0.5 * wet, 0.5 * wet * self.width.current());
            for ((l, r), (wl, wr)) in frames {
                let (m, s) = ((wl + wr) * mid, (wl - wr) * side);
                (*l, *r) = (*l * dry + m + s, *r * dry + m - s);
            }
        } else {
            for ((l, r), (wl, wr)) in frames {
                let (wet, dry, width) =
                    (self.wet.next() * self.wet_scale, self.dry.next(), self.width.next());
                let (m, s) = ((wl + wr) * (0.5 * wet), (wl - wr) * (0.5 * wet * width));
                (*l, *r) = (*l * dry + m + s, *r * dry + m - s);
            }
        }
    }
}

/// `value` clamped by the parameter's spec, or `None` for an unknown index.
pub fn clamp_param(params: &[ParamSpec], index: usize, value: f32) -> Option<f32> {
    params.get(index).map(|p| p.clamp(value))
}
