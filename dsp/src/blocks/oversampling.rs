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
//! a pure fractional delay in the audible band; a Thiran allpass (maximally flat delay) of order
//! 1 or 2 matches it to within 1° (4×) and 5° (8×) up to 20 kHz, i.e. < 0.01 dB of ripple at
//! mix 0.5. Integer pads then bring every quality to the same low-frequency group delay.

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

/// Options of the `quality` choice: off, 2×, 4×, 8×.
const QUALITIES: usize = 4;

/// Two allpass chains for two channels, run side by side in four lanes
/// `[left branch 0, left branch 1, right branch 0, right branch 1]` so they vectorize.
#[derive(Clone, Copy)]
struct AllpassPairs<const S: usize> {
    coefs: [[f32; 4]; S],
    x1: [[f32; 4]; S],
    y1: [[f32; 4]; S],
}

impl<const S: usize> AllpassPairs<S> {
    fn new(coefs: &[f32]) -> Self {
        let c = |i: usize| [coefs[2 * i], coefs[2 * i + 1], coefs[2 * i], coefs[2 * i + 1]];
        Self { coefs: std::array::from_fn(c), x1: [[0.0; 4]; S], y1: [[0.0; 4]; S] }
    }

    #[inline(always)]
    fn run(&mut self, mut v: [f32; 4]) -> [f32; 4] {
        for s in 0..S {
            for k in 0..4 {
                // Only `a·y1` is on the sample-to-sample critical path.
                let c = self.coefs[s][k];
                let y = c * v[k] + self.x1[s][k] - c * self.y1[s][k];
                self.x1[s][k] = v[k];
                self.y1[s][k] = y;
                v[k] = y;
            }
        }
        v
    }

    fn flush(&mut self) {
        self.x1.iter_mut().chain(self.y1.iter_mut()).flatten().for_each(|v| *v = flush(*v));
    }
}

/// One 2× stage: an interpolator and a decimator with the same coefficients.
#[derive(Clone, Copy)]
struct HalfBand<const S: usize> {
    up: AllpassPairs<S>,
    down: AllpassPairs<S>,
}

impl<const S: usize> HalfBand<S> {
    fn new(coefs: &[f32]) -> Self {
        Self { up: AllpassPairs::new(coefs), down: AllpassPairs::new(coefs) }
    }

    fn upsample(&mut self, src: &[[f32; 2]], dst: &mut [[f32; 2]]) {
        for (x, out) in src.iter().zip(dst.chunks_exact_mut(2)) {
            let v = self.up.run([x[0], x[0], x[1], x[1]]);
            out[0] = [v[0], v[2]];
            out[1] = [v[1], v[3]];
        }
    }

    fn downsample(&mut self, src: &[[f32; 2]], dst: &mut [[f32; 2]]) {
        for (x, out) in src.chunks_exact(2).zip(dst.iter_mut()) {
            let v = self.down.run([x[1][0], x[0][0], x[1][1], x[0][1]]);
            *out = [0.5 * (v[0] + v[1]), 0.5 * (v[2] + v[3])];
        }
    }

    fn flush(&mut self) {
        self.up.flush();
        self.down.flush();
    }
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
    /// The 2× stage's sections, in series at the base rate.
    x1: [[f32; 2]; 8],
    y1: [[f32; 2]; 8],
    /// Thiran allpass `(b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2)` for the inner stages.
    thiran: [f32; 5],
    t: [[f32; 2]; 4],
}

impl DryAllpass {
    fn new(quality: usize) -> Self {
        // Maximally flat delay of the inner stages (Thiran's formulas for orders 1 and 2).
        let d = path_delay(quality) - path_delay(1);
        let thiran = match quality {
            2 => {
                let a1 = (1.0 - d) / (1.0 + d);
                [a1, 1.0, 0.0, a1, 0.0]
            }
            3 => {
                let a1 = -2.0 * (d - 2.0) / (d + 1.0);
                let a2 = (d - 1.0) * (d - 2.0) / ((d + 1.0) * (d + 2.0));
                [a2, a1, 1.0, a1, a2]
            }
            _ => [1.0, 0.0, 0.0, 0.0, 0.0],
        };
        Self { x1: [[0.0; 2]; 8], y1: [[0.0; 2]; 8], thiran, t: [[0.0; 2]; 4] }
    }

    fn run(&mut self, frames: &mut [[f32; 2]]) {
        let [b0, b1, b2, a1, a2] = self.thiran;
        for f in frames {
            let mut v = *f;
            for (s, c) in STAGE1.iter().enumerate() {
                for k in 0..2 {
                    let y = c * v[k] + self.x1[s][k] - c * self.y1[s][k];
                    self.x1[s][k] = v[k];
                    self.y1[s][k] = y;
                    v[k] = y;
                }
            }
            let [x1, x2, y1, y2] = &mut self.t;
            for k in 0..2 {
                let y = b0 * v[k] + b1 * x1[k] + b2 * x2[k] - a1 * y1[k] - a2 * y2[k];
                (x2[k], x1[k], y2[k], y1[k]) = (x1[k], v[k], y1[k], y);
                v[k] = y;
            }
            *f = v;
        }
    }

    fn flush(&mut self) {
        let states = self.x1.iter_mut().chain(self.y1.iter_mut()).chain(self.t.iter_mut());
        states.flatten().for_each(|v| *v = flush(*v));
    }
}

/// One stereo oversampled path at a fixed quality, with its matching dry path. Holds all the
/// scratch space of the 8× path, so changing quality never allocates.
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
    x2: Vec<[f32; 2]>,
    x4: Vec<[f32; 2]>,
    x8: Vec<[f32; 2]>,
}

impl Oversampler {
    /// `quality` is the index of the choice: 0 off, 1 2×, 2 4×, 3 8×.
    pub fn new(quality: usize) -> Self {
        let mut os = Self {
            quality: quality.min(QUALITIES - 1),
            s1: HalfBand::new(&STAGE1),
            s2: HalfBand::new(&STAGE2),
            s3: HalfBand::new(&STAGE3),
            carry: [0.0; 2],
            wet_pad: Pad::new(0),
            dry_pad: Pad::new(0),
            dry: DryAllpass::new(0),
            x2: vec![[0.0; 2]; 2 * CHUNK],
            x4: vec![[0.0; 2]; 4 * CHUNK],
            x8: vec![[0.0; 2]; 8 * CHUNK],
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
        self.s1 = HalfBand::new(&STAGE1);
        self.s2 = HalfBand::new(&STAGE2);
        self.s3 = HalfBand::new(&STAGE3);
        self.carry = [0.0; 2];
        let pad = LATENCY - path_delay(self.quality).round() as usize;
        self.wet_pad = Pad::new(pad);
        self.dry_pad = Pad::new(pad);
        self.dry = DryAllpass::new(self.quality);
    }

    /// Runs `shape` on the oversampled version of `frames` (at most [`CHUNK`] stereo frames,
    /// replaced by the result, [`LATENCY`] samples late). `shape` sees the samples of both
    /// channels, flattened.
    pub fn process(&mut self, frames: &mut [[f32; 2]], mut shape: impl FnMut(&mut [f32])) {
        let n = frames.len();
        debug_assert!(n <= CHUNK);
        let (x2, x4, x8) = (&mut self.x2[..2 * n], &mut self.x4[..4 * n], &mut self.x8[..8 * n]);
        match self.quality {
            0 => shape(frames.as_flattened_mut()),
            1 => {
                self.s1.upsample(frames, x2);
                shape(x2.as_flattened_mut());
                self.s1.downsample(x2, frames);
            }
            2 => {
                self.s1.upsample(frames, x2);
                self.s2.upsample(x2, x4);
                shape(x4.as_flattened_mut());
                self.s2.downsample(x4, x2);
                self.s1.downsample(x2, frames);
            }
            _ => {
                self.s1.upsample(frames, x2);
                for f in x2.iter_mut() {
                    std::mem::swap(f, &mut self.carry);
                }
                self.s2.upsample(x2, x4);
                self.s3.upsample(x4, x8);
                shape(x8.as_flattened_mut());
                self.s3.downsample(x8, x4);
                self.s2.downsample(x4, x2);
                self.s1.downsample(x2, frames);
            }
        }
        self.wet_pad.run(frames);
        if self.quality >= 1 {
            self.s1.flush();
        }
        if self.quality >= 2 {
            self.s2.flush();
        }
        if self.quality >= 3 {
            self.s3.flush();
        }
    }

    /// Delays `frames` (the dry signal) like [`Self::process`] delays the wet one, phase included.
    pub fn align_dry(&mut self, frames: &mut [[f32; 2]]) {
        if self.quality > 0 {
            self.dry.run(frames);
            self.dry.flush();
        }
        self.dry_pad.run(frames);
    }
}
