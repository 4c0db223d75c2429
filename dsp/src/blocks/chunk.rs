//! Processing in short chunks, so that per-sample loops can run on whole arrays.
//!
//! A dynamics effect is a chain of stages (level, dB, gain curve, smoothing, back to gain), and
//! only a few of them carry state from one sample to the next. Run stage by stage over a chunk
//! held in a stack array, the stateless ones compile to SIMD code; run sample by sample, the
//! whole chain is one long serial loop, several times slower.

use crate::smooth::Smoothed;

/// Samples per chunk: long enough to amortize a stage's setup, short enough for the stack.
pub const CHUNK: usize = 64;

/// A smoothed parameter followed once per chunk and interpolated linearly within it: no state
/// or branch per sample (so loops over the chunk vectorize) and still no step anywhere.
#[derive(Debug, Clone, Copy)]
pub struct Ramp {
    start: f32,
    step: f32,
}

impl Ramp {
    /// Advances `smoothed` over a chunk of `len` samples.
    #[inline]
    pub fn follow(smoothed: &mut Smoothed, len: usize) -> Self {
        let start = smoothed.current();
        let end = smoothed.advance(len);
        Self { start, step: (end - start) / len.max(1) as f32 }
    }

    /// The value at sample `i` of the chunk (the last one reaches the smoother's value).
    #[inline]
    pub fn at(&self, i: usize) -> f32 {
        self.start + self.step * (i as i32 + 1) as f32
    }
}
