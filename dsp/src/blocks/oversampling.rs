//! Oversampling for the drive effects: a nonlinearity run at 2, 4 or 8 times the sample rate
//! puts the harmonics it creates above the base Nyquist frequency where the decimation filter
//! removes them, instead of letting them fold back into the audible band as inharmonic aliases.
//!
//! Why polyphase IIR half-band filters (Laurent de Soras' HIIR design: two parallel chains of
//! first-order allpasses in z^-2) rather than linear-phase FIR half-bands:
//! - Latency: an FIR pair as steep as the 2× stage here (flat to 20 kHz, 100 dB down from
//!   28 kHz: ~77 taps each way) delays by ~38 samples, and more with each further stage. These
//!   delay by 3 to 5 samples, which lets every quality share one small [`LATENCY`]: quality
//!   changes never change the latency reported to the host (which most hosts handle with a
//!   glitch) and can be crossfaded between time-aligned signals.
//! - Cost: 8 sections of 2 multiplies per sample each way for that 2× stage, laid out so that
//!   both channels and both branches fill one SIMD vector; a folded symmetric FIR needs ~20
//!   multiply-adds on a long history for the same job.
//!
//! The price is a phase shift (a few samples of group delay, frequency dependent), which the dry
//! path must match or `mix` would comb-filter. A 2× up/down pair with nothing between is
//! *exactly* the allpass `A0(z)·A1(z)` at the base rate (the polyphase branches commute), so the
//! dry path runs the same sections. The inner stages of 4× and 8× add a phase that is close to
//! a pure fractional delay in the audible band; a first-order Thiran allpass (maximally flat
//! delay) matches it to within 0.6° (4×) and 3° (8×) up to 19 kHz, i.e. < 0.01 dB of ripple at
//! mix 0.5. Integer pads then bring every quality to the same low-frequency group delay.
//!
//! Speed: what limits these recursive filters is latency more than arithmetic. Each stage runs
//! as separate loops over the chunk (interpolator, curve, decimator) on local copies of the
//! state, so that each loop carries only its own sections' recursions and the processor can
//! overlap many frames of it; a section's recursion is two operations (see
//! [`AllpassChain::run`]). Running the whole path frame by frame in one loop was slower: a
//! frame then crosses 16 sections and the curve one after the other, deeper than the
//! processor's window can overlap (measured: 2 ns per frame more with tanh, no gain with a
//! clip).

use crate::util::flush;

/// Latency of every quality, in samples: the low-frequency group delay of the deepest path,
/// rounded up, so that each quality only needs padding (off 5, 2× 5.10, 4× 5.00, 8× 5.02).
pub const LATENCY: usize = 5;

/// Largest block processed at once; longer blocks are split.
pub const CHUNK: usize = 64;

/// 2×: flat to 20 kHz at 48 kHz (transition 1/24 of the doubled rate), 100 dB stopband.
const STAGE1: [f32; 8] =
    [0.03973108, 0.14744216, 0.29545647, 0.4541325, 0.6027874, 0.7327846, 0.8453436, 0.9483093];
/// 4×: only has to reject what would fold below 28 kHz (transition 5/48), 71 dB.
const STAGE2: [f32; 4] = [0.07776364, 0.2779061, 0.5381194, 0.830651];
/// 8×: wider still (transition 17/96), 93 dB.
const STAGE3: [f32; 4] = [0.053999033, 0.20751704, 0.44639653, 0.7790987];

/// The stages' coefficients as [`AllpassChain`] uses them: constants (rather than fields), so
/// that the interpolator and the decimator share them and they take no registers from the state.
static LANES1: [Lanes; 4] = branches(&STAGE1);
static LANES2: [Lanes; 2] = branches(&STAGE2);
static LANES3: [Lanes; 2] = branches(&STAGE3);

/// Options of the `quality` choice: off, 2×, 4×, 8×.
const QUALITIES: usize = 4;

/// Four lanes of samples: `[left, right, left, right]`, both channels in each of the two
/// polyphase branches, which run side by side so that every step is one SIMD instruction.
type Lanes = [f32; 4];

#[inline(always)]
fn lanes(f: impl FnMut(usize) -> f32) -> Lanes {
    std::array::from_fn(f)
}

/// `S` first-order allpasses `(a + z^-1) / (1 + a z^-1)` in series on each of four lanes. As in
/// HIIR, a section's previous input is the previous output of the one before it, so the chain
/// keeps `S + 1` values per lane.
#[derive(Clone, Copy)]
struct AllpassChain<const S: usize> {
    input: Lanes,
    outputs: [Lanes; S],
}

/// A half-band filter's coefficients per section, for the lanes of [`Lanes`]: branch 0 takes
/// the even coefficients, branch 1 the odd ones.
const fn branches<const S: usize>(coefs: &[f32]) -> [Lanes; S] {
    let mut lanes = [[0.0; 4]; S];
    let mut s = 0;
    while s < S {
        let (a, b) = (coefs[2 * s], coefs[2 * s + 1]);
        lanes[s] = [a, a, b, b];
        s += 1;
    }
    lanes
}

impl<const S: usize> AllpassChain<S> {
    const NEW: Self = Self { input: [0.0; 4], outputs: [[0.0; 4]; S] };

    /// `y = (a·x + x1) - a·y1`: from one sample to the next, a section's recursion is one
    /// multiply and one subtraction (`a·(x - y1) + x1`, one operation shorter, puts three in it).
    #[inline(always)]
    fn run(&mut self, coefs: &[Lanes; S], mut v: Lanes) -> Lanes {
        let mut x1 = std::mem::replace(&mut self.input, v);
        for (c, y1) in coefs.iter().zip(&mut self.outputs) {
            let y = lanes(|k| (c[k] * v[k] + x1[k]) - c[k] * y1[k]);
            x1 = std::mem::replace(y1, y);
            v = y;
        }
        v
    }

    fn flushed(self) -> Self {
        Self { input: self.input.map(flush), outputs: self.outputs.map(|v| v.map(flush)) }
    }
}

/// One 2× stage: an interpolator and a decimator with the same coefficients. These are passed
/// in from the constant tables, whose values the compiler then knows: it keeps them in registers
/// or reloads them, rather than spilling filter state.
#[derive(Clone, Copy)]
struct HalfBand<const S: usize> {
    up: AllpassChain<S>,
    down: AllpassChain<S>,
}

impl<const S: usize> HalfBand<S> {
    const NEW: Self = Self { up: AllpassChain::NEW, down: AllpassChain::NEW };

    /// Interpolates each frame into the two frames at the doubled rate that follow it, as
    /// `[left, right, next left, next right]`.
    fn upsample(&mut self, coefs: &[Lanes; S], frames: &[[f32; 2]], out: &mut [Lanes]) {
        for (x, u) in frames.iter().zip(out) {
            *u = self.up.run(coefs, [x[0], x[1], x[0], x[1]]);
        }
    }

    /// Decimates each pair of frames at the doubled rate (laid out as `upsample` writes them).
    fn downsample(&mut self, coefs: &[Lanes; S], pairs: &[Lanes], frames: &mut [[f32; 2]]) {
        for (u, x) in pairs.iter().zip(frames) {
            let d = self.down.run(coefs, [u[2], u[3], u[0], u[1]]);
            *x = [0.5 * (d[0] + d[2]), 0.5 * (d[1] + d[3])];
        }
    }

    fn flushed(self) -> Self {
        Self { up: self.up.flushed(), down: self.down.flushed() }
    }
}

/// Frames at the doubled rate held in pairs, seen as a run of frames.
fn frames_of(pairs: &mut [Lanes]) -> &mut [[f32; 2]] {
    pairs.as_flattened_mut().as_chunks_mut().0
}

/// Sum over first-order allpasses `(a + z^-1) / (1 + a z^-1)` of their DC group delay.
fn group_delay(coefs: &[f32]) -> f32 {
    coefs.iter().map(|a| (1.0 - a) / (1.0 + a)).sum()
}

/// Low-frequency group delay of a quality's wet path before padding, in base samples. At 8× the
/// path gets one extra sample of delay at 2× (half a base sample) to land on a whole number.
fn path_delay(quality: usize) -> f32 {
    let stages = [group_delay(&STAGE1), group_delay(&STAGE2) / 2.0, group_delay(&STAGE3) / 4.0 + 0.5];
    stages[..quality].iter().sum()
}

/// A short integer delay that pads every quality's path to [`LATENCY`].
#[derive(Clone, Copy)]
struct Pad {
    history: [[f32; 2]; LATENCY],
    delay: usize,
}

impl Pad {
    fn new(delay: usize) -> Self {
        Self { history: [[0.0; 2]; LATENCY], delay }
    }

    fn run(&mut self, frames: &mut [[f32; 2]]) {
        let (d, n) = (self.delay, frames.len());
        if d == 0 {
            return;
        }
        let mut joined = [[0.0; 2]; CHUNK + LATENCY];
        joined[..d].copy_from_slice(&self.history[..d]);
        joined[d..d + n].copy_from_slice(frames);
        frames.copy_from_slice(&joined[..n]);
        self.history[..d].copy_from_slice(&joined[n..n + d]);
    }
}

/// The dry path's copy of the wet path's phase response (see the module documentation).
#[derive(Clone, Copy)]
struct DryAllpass {
    /// The 2× stage's two branches in series, pipelined: the first branch takes the new frame
    /// while the second takes the first's output for the frame before, side by side in the
    /// lanes of one chain. This delays by one more frame, which the pad gives back.
    chain: AllpassChain<4>,
    first: [f32; 2],
    /// Coefficient of the Thiran allpass `(a + z^-1) / (1 + a z^-1)` for the inner stages.
    thiran: f32,
    t: [[f32; 2]; 2],
}

impl DryAllpass {
    /// `early` is how many samples (0 or 1) the Thiran section should take off the inner
    /// stages' delay, for a quality whose pad is too short for the pipeline's frame.
    fn new(quality: usize, early: usize) -> Self {
        // Maximally flat delay of the inner stages (Thiran's formula for order 1).
        let d = path_delay(quality) - path_delay(1) - early as f32;
        Self { chain: AllpassChain::NEW, first: [0.0; 2], thiran: (1.0 - d) / (1.0 + d), t: [[0.0; 2]; 2] }
    }

    fn run(&mut self, frames: &mut [[f32; 2]], inner_stages: bool) {
        let a = self.thiran;
        let (mut chain, mut first, [mut x1, mut y1]) = (self.chain, self.first, self.t);
        for f in frames {
            let y = chain.run(&LANES1, [f[0], f[1], first[0], first[1]]);
            first = [y[0], y[1]];
            let mut v = [y[2], y[3]];
            if inner_stages {
                let y = [a * v[0] + x1[0] - a * y1[0], a * v[1] + x1[1] - a * y1[1]];
                (x1, y1) = (v, y);
                v = y;
            }
            *f = v;
        }
        self.chain = chain.flushed();
        self.first = first.map(flush);
        self.t = [x1, y1].map(|v| v.map(flush));
    }
}

/// One stereo oversampled path at a fixed quality, with its matching dry path. Holds the
/// buffers of the 8× path, so changing quality never allocates.
pub struct Oversampler {
    quality: usize,
    s1: HalfBand<4>,
    s2: HalfBand<2>,
    s3: HalfBand<2>,
    /// The half-sample (one 2× sample) delay of the 8× path.
    carry: [f32; 2],
    wet_pad: Pad,
    dry_pad: Pad,
    dry: DryAllpass,
    /// The signal at 2×, 4× and 8×, in pairs of frames.
    x2: Vec<Lanes>,
    x4: Vec<Lanes>,
    x8: Vec<Lanes>,
}

impl Oversampler {
    /// `quality` is the index of the choice: 0 off, 1 2×, 2 4×, 3 8×.
    pub fn new(quality: usize) -> Self {
        let mut os = Self {
            quality: quality.min(QUALITIES - 1),
            s1: HalfBand::NEW,
            s2: HalfBand::NEW,
            s3: HalfBand::NEW,
            carry: [0.0; 2],
            wet_pad: Pad::new(0),
            dry_pad: Pad::new(0),
            dry: DryAllpass::new(0, 0),
            x2: vec![[0.0; 4]; CHUNK],
            x4: vec![[0.0; 4]; 2 * CHUNK],
            x8: vec![[0.0; 4]; 4 * CHUNK],
        };
        os.reset();
        os
    }

    pub fn quality(&self) -> usize {
        self.quality
    }

    /// Switches to another quality and clears all state.
    pub fn set_quality(&mut self, quality: usize) {
        self.quality = quality.min(QUALITIES - 1);
        self.reset();
    }

    pub fn reset(&mut self) {
        self.s1 = HalfBand::NEW;
        self.s2 = HalfBand::NEW;
        self.s3 = HalfBand::NEW;
        self.carry = [0.0; 2];
        let pad = LATENCY - path_delay(self.quality).round() as usize;
        self.wet_pad = Pad::new(pad);
        // The dry allpass's pipeline frame comes off the pad, or else off the Thiran section.
        let pipeline = usize::from(self.quality > 0);
        let early = pipeline.saturating_sub(pad);
        self.dry_pad = Pad::new(pad + early - pipeline);
        self.dry = DryAllpass::new(self.quality, early);
    }

    /// Runs `shape` on the oversampled version of `frames` (at most [`CHUNK`] stereo frames,
    /// replaced by the result, [`LATENCY`] samples late). `shape` is called for every
    /// oversampled sample, in time order, left then right.
    pub fn process(&mut self, frames: &mut [[f32; 2]], mut shape: impl FnMut(f32) -> f32) {
        let n = frames.len();
        debug_assert!(n <= CHUNK);
        let (x2, x4, x8) = (&mut self.x2[..n], &mut self.x4[..2 * n], &mut self.x8[..4 * n]);
        let mut curve = |x: &mut [f32]| x.iter_mut().for_each(|x| *x = shape(*x));
        // Local copies, so that the filter states stay in registers within each loop.
        let (mut s1, mut s2, mut s3) = (self.s1, self.s2, self.s3);
        match self.quality {
            0 => curve(frames.as_flattened_mut()),
            1 => {
                s1.upsample(&LANES1, frames, x2);
                curve(x2.as_flattened_mut());
                s1.downsample(&LANES1, x2, frames);
            }
            2 => {
                s1.upsample(&LANES1, frames, x2);
                s2.upsample(&LANES2, frames_of(x2), x4);
                curve(x4.as_flattened_mut());
                s2.downsample(&LANES2, x4, frames_of(x2));
                s1.downsample(&LANES1, x2, frames);
            }
            _ => {
                s1.upsample(&LANES1, frames, x2);
                for f in frames_of(x2) {
                    std::mem::swap(f, &mut self.carry);
                }
                s2.upsample(&LANES2, frames_of(x2), x4);
                s3.upsample(&LANES3, frames_of(x4), x8);
                curve(x8.as_flattened_mut());
                s3.downsample(&LANES3, x8, frames_of(x4));
                s2.downsample(&LANES2, x4, frames_of(x2));
                s1.downsample(&LANES1, x2, frames);
            }
        }
        // Flushed once per chunk, which is often enough for none to reach subnormal values.
        (self.s1, self.s2, self.s3) = (s1.flushed(), s2.flushed(), s3.flushed());
        self.wet_pad.run(frames);
    }

    /// Delays `frames` (the dry signal) like [`Self::process`] delays the wet one, phase included.
    pub fn align_dry(&mut self, frames: &mut [[f32; 2]]) {
        if self.quality > 0 {
            self.dry.run(frames, self.quality > 1);
        }
        self.dry_pad.run(frames);
    }
}
