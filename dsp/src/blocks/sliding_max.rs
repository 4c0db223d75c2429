//! Maximum of the last `window` samples in O(1) amortized time per sample.

/// The streaming form of the van Herk / Gil-Werman algorithm. The stream is cut into blocks of
/// `window` samples. A window ending inside the current block is the tail of the previous block
/// plus the head of this one, so its maximum is (the maximum of the previous block from that
/// position to its end) and (the running maximum of this block so far). The first is computed for
/// every position of a block in one backward pass when the block completes.
///
/// Per sample that is two `max`es and a store, with no data-dependent branch: a monotonic deque
/// does the same job with a pop loop whose length depends on the data, and on noisy signals its
/// mispredicted branches made it five times slower than everything else in a compressor.
///
/// Works on values >= 0 (levels, needs), with 0 standing for "nothing".
#[derive(Debug, Clone)]
pub struct SlidingMax {
    /// Positions before `pos` hold this block's samples; positions from `pos` on hold the previous
    /// block's suffix maxima; `buf[window]` stays 0 so that the last position needs no special case.
    buf: Vec<f32>,
    window: usize,
    pos: usize,
    /// Maximum of this block so far.
    running: f32,
}

impl SlidingMax {
    /// A window of up to `max_window` samples, initially `max_window`.
    pub fn new(max_window: usize) -> Self {
        let max_window = max_window.max(1);
        Self { buf: vec![0.0; max_window + 1], window: max_window, pos: 0, running: 0.0 }
    }

    /// Sets the window (clamped to 1..=the construction size) and forgets every sample, since
    /// the blocks are cut by it: callers that must keep their history replay it.
    pub fn set_window(&mut self, window: usize) {
        self.window = window.clamp(1, self.buf.len() - 1);
        self.reset();
    }

    /// Adds a sample and returns the maximum of the last `window` samples, this one included.
    #[inline]
    pub fn push(&mut self, x: f32) -> f32 {
        self.running = max(self.running, x);
        self.buf[self.pos] = x;
        let out = max(self.buf[self.pos + 1], self.running);
        self.pos += 1;
        if self.pos == self.window {
            for j in (0..self.window).rev() {
                self.buf[j] = max(self.buf[j], self.buf[j + 1]);
            }
            self.pos = 0;
            self.running = 0.0;
        }
        out
    }

    /// Forgets every sample, as if only zeros had been pushed.
    pub fn reset(&mut self) {
        self.buf.fill(0.0);
        self.pos = 0;
        self.running = 0.0;
    }
}

/// `f32::max` also handles NaN, which costs three more instructions in the serial path; the
/// values here are never NaN, and this compiles to a bare `maxss`.
#[inline]
fn max(a: f32, b: f32) -> f32 {
    if a > b {
        a
    } else {
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_a_brute_force_window_maximum() {
        let mut s = 12_345u32;
        let input: Vec<f32> = (0..5000)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 17;
                s ^= s << 5;
                (s % 1000) as f32
            })
            .collect();
        for window in [1, 2, 7, 64, 300] {
            let mut m = SlidingMax::new(300);
            m.set_window(window);
            for (i, &x) in input.iter().enumerate() {
                let expected = input[i.saturating_sub(window - 1)..=i].iter().fold(0.0f32, |a, &b| a.max(b));
                assert_eq!(m.push(x), expected, "window {window} at {i}");
            }
        }
    }
}
