//! Delay lines for chunked processing, the way all the reverbs run.
//!
//! A reverb processes chunks of at most [`CHUNK`] samples, one stage at a time over the whole
//! chunk. Every recirculating delay is longer than a chunk, so a stage only ever reads what was
//! written before the chunk began: its loop over the chunk has no dependency from one sample to
//! the next and runs in SIMD.
//!
//! Chunks follow a grid of control periods counted from the last reset, and a block boundary
//! inside a period only cuts it into shorter chunks. Every quantity of a sample is a function
//! of state updated at period starts and of the sample's position in its period, never of where
//! its chunk began: a delay's glide ([`Glide`]), which samples [`OnePole4`] groups, where a
//! recursion's state is flushed. The output is then the same however the host splits blocks.
//!
//! [`OnePole4`]: crate::blocks::reverb_parts::OnePole4

use crate::blocks::biquad_chain::UpdateClock;
use std::ops::Range;

/// Longest chunk, and the control period: decay gains, filter poles and slow modulation are
/// recomputed once per period, whose `exp`s would otherwise cost more than the reverb itself.
/// Every recirculating delay must be longer (at the lowest rate, 22.05 kHz: 1.5 ms).
pub const CHUNK: usize = 32;

/// One chunk of one signal.
pub type Chunk = [f32; CHUNK];

/// The mono sum (L + R) / 2 of a chunk's samples, which the reverbs feed their tanks with.
pub fn mono_sum(left: &[f32], right: &[f32]) -> Chunk {
    let mut x: Chunk = [0.0; CHUNK];
    for ((x, l), r) in x.iter_mut().zip(left).zip(right) {
        *x = 0.5 * (l + r);
    }
    x
}

/// The positions in a control period as floats, whose slices vectorize where converting
/// indices would not.
const POSITIONS: Chunk = {
    let mut k = [0.0; CHUNK];
    let mut i = 0;
    while i < CHUNK {
        k[i] = i as f32;
        i += 1;
    }
    k
};

/// The grid of control periods.
pub type ChunkClock = UpdateClock<CHUNK>;

/// Calls `f(range, offset)` for consecutive chunks of `0..len` cut along `clock`'s periods;
/// `offset` is where the chunk begins in its period, 0 where a period (and its control update)
/// begins.
#[inline]
pub fn for_each_chunk(clock: &mut ChunkClock, len: usize, mut f: impl FnMut(Range<usize>, usize)) {
    let mut start = 0;
    while start < len {
        let offset = clock.position();
        let n = clock.take(len - start);
        f(start..start + n, offset);
        start += n;
    }
}

/// A delay in samples moving linearly across each control period, from where the previous
/// period ended to a target set at the period's start.
#[derive(Debug, Clone, Copy, Default)]
pub struct Glide {
    start: f32,
    step: f32,
    target: f32,
}

impl Glide {
    /// At a period start: glides to `target` by the period's end, or jumps there when `glide`
    /// is false (on reset). Starting from the exact previous target keeps rounding from
    /// accumulating and a settled delay from creeping.
    pub fn set(&mut self, target: f32, glide: bool) {
        self.start = if glide { self.target } else { target };
        self.step = (target - self.start) / CHUNK as f32;
        self.target = target;
    }

    /// The delay `k` samples into the period.
    #[inline]
    fn at(&self, k: f32) -> f32 {
        self.start + self.step * k
    }
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
        let len = keep + keep.max(8 * CHUNK);
        Self { buf: vec![0.0; len * LANES].into_boxed_slice(), len, pos: keep, keep }
    }

    fn lane(&self, lane: usize) -> &[f32] {
        &self.buf[lane * self.len..(lane + 1) * self.len]
    }

    /// What `lane` received `delay` samples before each of the current chunk's first `n`
    /// samples (`delay >= n`, so all of it written before the chunk), and the lane's places
    /// for those `n` samples.
    #[inline]
    pub fn io(&mut self, lane: usize, delay: usize, n: usize) -> (&[f32], &mut [f32]) {
        let pos = self.pos;
        let lane = &mut self.buf[lane * self.len..(lane + 1) * self.len];
        let (past, chunk) = lane.split_at_mut(pos);
        (&past[pos - delay..][..n], &mut chunk[..n])
    }

    /// What `lane` received `delay >= n` samples before each of the chunk's first `n`.
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

    /// Fills `out` from `lane` at the delay `glide` gives the samples `offset..` of the control
    /// period (clamped to `0..=max_delay`). A delay shorter than `out.len()` reads the current
    /// chunk, which must then have been written first.
    ///
    /// A fixed delay is read with linear interpolation (exact for whole samples). A moving one
    /// uses 4-point Catmull-Rom interpolation, flat to a quarter of the sample rate: inside a
    /// feedback loop, linear interpolation's loss of highs would compound on every pass. It
    /// keeps the delay at least one sample, as its newest point must already be written.
    #[inline]
    pub fn read_gliding(&self, lane: usize, glide: &Glide, offset: usize, out: &mut [f32]) {
        if glide.step == 0.0 {
            let (lane, pos, max, n) = (self.lane(lane), self.pos, (self.keep - 3) as f32, out.len());
            let d = glide.start.clamp(0.0, max);
            let whole = d as usize;
            let frac = d - whole as f32;
            let newer = &lane[pos - whole..][..n];
            let older = &lane[pos - whole - 1..][..n];
            for ((y, a), b) in out.iter_mut().zip(newer).zip(older) {
                *y = a + (b - a) * frac;
            }
        } else {
            self.read_moving(lane, glide, offset, out);
        }
    }

    /// [`read_gliding`](Self::read_gliding) of a moving delay, out of line: rarer and longer.
    #[inline(never)]
    fn read_moving(&self, lane: usize, glide: &Glide, offset: usize, out: &mut [f32]) {
        let (lane, pos, max, n) = (self.lane(lane), self.pos, (self.keep - 3) as f32, out.len());
        if (glide.target - glide.start).abs() <= 0.5 {
            // Slow modulation: one whole-sample base for the period (the fraction strays at
            // most a quarter sample outside 0..1, where the cubic is still accurate), so the
            // reads are slices and the loop runs in SIMD.
            let from = glide.start.clamp(1.0, max);
            let step = (glide.target.clamp(1.0, max) - from) / CHUNK as f32;
            let whole = (from + 0.5 * step * CHUNK as f32) as usize;
            let at = pos - whole;
            let (p0, p1) = (&lane[at + 1..][..n], &lane[at..][..n]);
            let (p2, p3) = (&lane[at - 1..][..n], &lane[at - 2..][..n]);
            let (u0, k) = (from - whole as f32, &POSITIONS[offset..][..n]);
            for j in 0..n {
                out[j] = catmull_rom(p0[j], p1[j], p2[j], p3[j], u0 + step * k[j]);
            }
        } else {
            // Sample k of the period sits at end - t, with t = delay_k + CHUNK - k > 0 and end
            // the period's end.
            let end = pos + CHUNK - offset;
            for (k, y) in POSITIONS[offset..].iter().zip(out.iter_mut()) {
                let t = glide.at(*k).clamp(1.0, max) + (CHUNK as f32 - k);
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
