//! A circular delay line whose capacity is fixed at construction.

use crate::util::prefetch;

/// Mono delay line. `write` then `read(d)` returns the sample written `d` writes ago
/// (so `read(0)` is the one just written).
#[derive(Debug, Clone)]
pub struct DelayLine {
    buffer: Vec<f32>,
    /// Power-of-two capacity minus one, so wrapping is a mask rather than a division.
    mask: usize,
    write: usize,
}

impl DelayLine {
    /// A line that can delay by at least `max_delay` samples.
    pub fn new(max_delay: usize) -> Self {
        let len = (max_delay + 1).next_power_of_two();
        Self { buffer: vec![0.0; len], mask: len - 1, write: 0 }
    }

    /// The longest delay `read` accepts.
    pub fn max_delay(&self) -> usize {
        self.mask
    }

    #[inline]
    pub fn write(&mut self, x: f32) {
        self.write = (self.write + 1) & self.mask;
        self.buffer[self.write] = x;
    }

    /// Writes a run of samples, as `write` does one at a time, but as one slice copy (two where
    /// the buffer wraps): the line's memory then sees a few wide stores, not a store per
    /// sample, which the slots' dry paths paid for in stalls at every call.
    #[inline]
    pub fn write_run(&mut self, xs: &[f32]) {
        if xs.is_empty() {
            return;
        }
        if xs.len() > self.buffer.len() {
            xs.iter().for_each(|&x| self.write(x));
            return;
        }
        let start = (self.write + 1) & self.mask;
        let end = start + xs.len();
        if end <= self.buffer.len() {
            self.buffer[start..end].copy_from_slice(xs);
        } else {
            let (head, tail) = xs.split_at(self.buffer.len() - start);
            self.buffer[start..].copy_from_slice(head);
            self.buffer[..tail.len()].copy_from_slice(tail);
        }
        self.write = (end - 1) & self.mask;
    }

    /// The sample written `delay` writes ago; `delay` is clamped to the capacity.
    #[inline]
    pub fn read(&self, delay: usize) -> f32 {
        self.buffer[(self.write.wrapping_sub(delay.min(self.mask))) & self.mask]
    }

    /// `out[i] = read(delay - i)`: the `out.len()` samples written from `delay` writes ago on,
    /// oldest first (`delay >= out.len() - 1`). Copied as one slice, or two where the buffer
    /// wraps, rather than read one masked index at a time.
    #[inline]
    pub fn read_run(&self, delay: usize, out: &mut [f32]) {
        if delay > self.mask {
            // Clamped reads, as `read` gives them.
            for (i, y) in out.iter_mut().enumerate() {
                *y = self.read(delay - i);
            }
            return;
        }
        let start = self.write.wrapping_sub(delay) & self.mask;
        match self.buffer.get(start..start + out.len()) {
            // A copy of a length the caller's inlining knows becomes a few vector moves.
            Some(run) => out.copy_from_slice(run),
            None => {
                let (head, tail) = out.split_at_mut(self.buffer.len() - start);
                head.copy_from_slice(&self.buffer[start..]);
                tail.copy_from_slice(&self.buffer[..tail.len()]);
            }
        }
    }

    /// [`prefetch`]es what [`read_run`](Self::read_run) at `delay` reads over the next `len`
    /// samples, as writes move it on.
    #[inline]
    pub fn prefetch_reads(&self, delay: usize, len: usize) {
        self.prefetch_from(self.write.wrapping_sub(delay.min(self.mask)), len);
    }

    /// [`prefetch`]es where the next `len` samples will be written.
    #[inline]
    pub fn prefetch_writes(&self, len: usize) {
        self.prefetch_from(self.write + 1, len);
    }

    fn prefetch_from(&self, start: usize, len: usize) {
        let (head, tail) = self.buffer.split_at(start & self.mask);
        let in_tail = len.min(tail.len());
        prefetch(&tail[..in_tail]);
        prefetch(&head[..(len - in_tail).min(head.len())]);
    }

    /// Linearly interpolated read for fractional (smoothly changing) delays.
    #[inline]
    pub fn read_fractional(&self, delay: f32) -> f32 {
        let d = delay.clamp(0.0, (self.mask - 1) as f32);
        let whole = d as usize;
        let frac = d - whole as f32;
        let a = self.read(whole);
        a + (self.read(whole + 1) - a) * frac
    }

    pub fn reset(&mut self) {
        self.buffer.fill(0.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_back_what_was_written_exactly_delay_samples_ago() {
        let mut d = DelayLine::new(100);
        assert!(d.max_delay() >= 100);
        for i in 0..300 {
            d.write(i as f32);
            assert_eq!(d.read(0), i as f32);
            if i >= 100 {
                assert_eq!(d.read(100), (i - 100) as f32);
                assert_eq!(d.read_fractional(10.25), i as f32 - 10.25);
                let mut run = [0.0; 40];
                d.read_run(100, &mut run);
                assert!(run.iter().enumerate().all(|(k, x)| *x == d.read(100 - k)));
            }
        }
    }

    /// Prefetching only hints the cache, but its slicing must hold wherever the head is.
    #[test]
    fn prefetching_stays_inside_the_buffer_at_any_head_delay_and_length() {
        let mut d = DelayLine::new(100);
        for _ in 0..2 * d.buffer.len() {
            d.write(1.0);
            for (delay, len) in [(0, 0), (0, 1), (5, 64), (127, 128), (1000, 1000)] {
                d.prefetch_reads(delay, len);
                d.prefetch_writes(len);
            }
        }
        assert!((0..=d.max_delay()).all(|k| d.read(k) == 1.0));
    }

    #[test]
    fn a_written_run_reads_back_as_the_samples_written_one_by_one() {
        let (mut by_sample, mut by_run) = (DelayLine::new(100), DelayLine::new(100));
        let mut next = 0.0;
        // Runs of every length up to past the capacity, across many wraps.
        for len in (0..140).chain([0, 1, 127, 128, 129, 300]) {
            let run: Vec<f32> = (0..len).map(|i| next + i as f32).collect();
            next += len as f32;
            run.iter().for_each(|&x| by_sample.write(x));
            by_run.write_run(&run);
            assert!((0..=by_sample.max_delay()).all(|d| by_run.read(d) == by_sample.read(d)), "after {len}");
        }
    }
}
