//! The ceiling after the oversampled hard clip: it keeps the band-limited result within the
//! clip level without clipping it again.
//!
//! Band-limiting a clipped wave (the decimation filter does) turns its corners into Gibbs ripples
//! that overshoot the clip level: by 10 % for a low sine clipped hard, 65 % for a 7 kHz one, up to
//! 3x for clipped noise. Clamping those overshoots at the base rate would be a second,
//! un-oversampled hard clip, which measurably brought all the aliasing back (a 7.3 kHz sine clipped by
//! 12 dB: aliases at -17 dB at every quality, against -35 dB at 2x and -55 dB at 8x without the
//! clamp). So the overshoots are instead removed by a smooth gain dip with a short lookahead (the
//! sliding minimum of the gain each sample needs, then its moving average over the same window,
//! which is never above any of the gains it covers): a smooth gain change, whose products stay next
//! to the frequencies it modulates instead of folding over. A final clamp at the threshold remains
//! as the guarantee against rounding.

use super::oversampling::CHUNK;
use super::sliding_max::SlidingMax;

/// Length of the ceiling's gain dips (and its lookahead): short, so that a dip stays local to
/// the overshoot it removes.
const WINDOW_MS: f32 = 0.25;
/// Ring size, a power of two above the window at the highest sample rate (48 at 192 kHz).
const RING: usize = 64;
/// Fixed-point scale of the gains summed for the moving average: integer sums never drift.
const ONE: f32 = (1 << 24) as f32;

/// Holds the wet signal (in units of the threshold) within ±1 with a smooth gain, the same for
/// both channels so that it does not move the stereo image.
pub struct Ceiling {
    len: usize,
    /// Sample count, for the ring positions.
    t: usize,
    /// Samples since the last overshoot.
    calm: usize,
    /// The largest peak (at least 1) of the last `len` samples: the smallest gain any of them
    /// needs is one over it. A sliding maximum without data-dependent branches, since where the
    /// ceiling works at all, overshoots come and go at random.
    peaks: SlidingMax,
    /// The window minimum of the last `len` samples, in fixed point, and their sum.
    held: [u32; RING],
    sum: u32,
    /// The lookahead: the last `len - 1` frames, then room for a chunk after them.
    line: [[f32; 2]; RING + CHUNK],
}

impl Ceiling {
    pub fn new(sample_rate: f32) -> Self {
        let len = ((WINDOW_MS * 0.001 * sample_rate).round() as usize).clamp(1, RING - 1);
        let mut ceiling = Self {
            len,
            t: 0,
            calm: 0,
            peaks: SlidingMax::new(len),
            held: [0; RING],
            sum: 0,
            line: [[0.0; 2]; RING + CHUNK],
        };
        ceiling.reset();
        ceiling
    }

    pub fn latency(&self) -> usize {
        self.len - 1
    }

    pub fn reset(&mut self) {
        self.t = 0;
        self.calm = usize::MAX;
        self.peaks.reset();
        self.held = [ONE as u32; RING];
        self.sum = self.len as u32 * ONE as u32;
        self.line = [[0.0; 2]; RING + CHUNK];
    }

    /// Replaces each of up to [`CHUNK`] frames by the one `len - 1` samples earlier, scaled by a
    /// gain that keeps it within ±1.
    pub fn process(&mut self, frames: &mut [[f32; 2]]) {
        let (n, delay) = (frames.len(), self.len - 1);
        self.line[delay..delay + n].copy_from_slice(frames);
        // Usually nothing overshoots: when neither the window nor the chunk holds an overshoot,
        // every gain of the chunk is 1 and only the delay remains to be done, as block copies.
        let overshoot = frames.iter().flatten().fold(false, |o, x| o | (x.abs() > 1.0));
        if !overshoot && self.calm >= 2 * self.len {
            frames.copy_from_slice(&self.line[..n]);
            self.t = self.t.wrapping_add(n);
            self.calm = self.calm.saturating_add(n);
            // What `gain` would have recorded (the positions it reads are all among these).
            self.held = [ONE as u32; RING];
        } else {
            for (i, f) in frames.iter_mut().enumerate() {
                let gain = self.gain(*f);
                *f = self.line[i].map(|x| (x * gain).clamp(-1.0, 1.0));
            }
        }
        self.line.copy_within(n..n + delay, 0);
    }

    /// The gain for the frame `len - 1` samples before `frame`, which comes in.
    fn gain(&mut self, frame: [f32; 2]) -> f32 {
        let (t, n) = (self.t, self.len);
        self.t = t.wrapping_add(1);
        let peak = frame[0].abs().max(frame[1].abs());
        if peak > 1.0 {
            if self.calm > 2 * n {
                // The window held no overshoot and was not followed: start it afresh.
                self.peaks.reset();
            }
            self.calm = 0;
        } else {
            self.calm = self.calm.saturating_add(1);
        }
        // All gains are 1 until an overshoot comes and until it has left both windows.
        if self.calm > 2 * n {
            self.held[t % RING] = ONE as u32;
            return 1.0;
        }
        // Rounded down, so that the average never exceeds the gains it covers.
        let held = (1.0 / self.peaks.push(peak.max(1.0)) * ONE) as u32;
        self.sum = self.sum.wrapping_add(held).wrapping_sub(self.held[(t + RING - n) % RING]);
        self.held[t % RING] = held;
        self.sum as f32 / (ONE * n as f32)
    }
}
