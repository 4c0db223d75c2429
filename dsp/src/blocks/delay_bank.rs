//! Delay lines for chunked processing, the way all the reverbs run.
//!
//! A reverb processes chunks of at most [`CHUNK`] samples, one stage at a time over the whole
//! chunk. Every recirculating delay is longer than a chunk, so a stage only ever reads what was
//! written before the chunk began: its loop over the chunk has no dependency from one sample to
//! the next and runs in SIMD.

use std::ops::Range;

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
