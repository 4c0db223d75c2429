//! What the drive effects have in common, so that each of them is only its curve and controls:
//! a smoothed gain into a static curve run at the chosen oversampling quality, the effect's own
//! processing of the wet signal at the base rate, and a dry/wet mix whose dry path is aligned
//! with the wet one (same latency and phase, see [`oversampling`](super::oversampling)).
//!
//! Changing the quality or the curve crossfades from the running path to a second one, freshly
//! cleared and set up, over [`CROSSFADE_MS`]: both paths have the same latency, so the fade is
//! between two time-aligned versions of the sound and cannot click.

use super::delay_line::DelayLine;
use super::oversampling::{Oversampler, CHUNK, LATENCY};
use super::period_ramp::AnchoredRamp;
use crate::util::flush;

pub const CROSSFADE_MS: f32 = 10.0;

/// A smoothed control of the drive effects, followed in linear ramps of 32 samples.
pub type Control = AnchoredRamp<32>;

type Frames = [[f32; 2]; CHUNK];

pub struct DriveStage {
    /// The path heard is `paths[active]`; the other one only runs while fading in.
    paths: [Oversampler; 2],
    curves: [usize; 2],
    active: usize,
    /// Quality and curve asked for; a crossfade starts when they differ from the active path's.
    target: (usize, usize),
    /// Samples of the crossfade done so far, `None` when not fading.
    fade: Option<usize>,
    fade_len: usize,
    pre_gain: Control,
    mix: Control,
    wet: [Frames; 2],
    dry: [Frames; 2],
    gains: [f32; CHUNK],
    /// Whether the dry path ran for the previous chunk.
    dry_running: bool,
    /// Delays the dry signal like the effect's own processing of the wet one delays it.
    post_latency: usize,
    dry_delay: [DelayLine; 2],
}

impl DriveStage {
    /// At quality 2× and curve 0 until told otherwise. `post_latency` is the delay the
    /// effect's `post` processing adds to the wet signal, for the dry one to match.
    pub fn new(sample_rate: f32, post_latency: usize) -> Self {
        Self {
            paths: [Oversampler::new(1), Oversampler::new(1)],
            curves: [0; 2],
            active: 0,
            target: (1, 0),
            fade: None,
            fade_len: (CROSSFADE_MS * 0.001 * sample_rate).max(1.0) as usize,
            pre_gain: Control::new(1.0, sample_rate),
            mix: Control::new(1.0, sample_rate),
            wet: [[[0.0; 2]; CHUNK]; 2],
            dry: [[[0.0; 2]; CHUNK]; 2],
            gains: [0.0; CHUNK],
            dry_running: false,
            post_latency,
            dry_delay: [DelayLine::new(post_latency), DelayLine::new(post_latency)],
        }
    }

    pub fn latency(&self) -> usize {
        LATENCY + self.post_latency
    }

    /// Index of the `quality` choice: 0 off, 1 2×, 2 4×, 3 8×.
    pub fn set_quality(&mut self, quality: usize) {
        self.target.0 = quality;
    }

    /// Which curve the effect's `shape` applies (the index is passed back to it).
    pub fn set_curve(&mut self, curve: usize) {
        self.target.1 = curve;
    }

    /// Linear gain in front of the curve.
    pub fn set_pre_gain(&mut self, gain: f32) {
        self.pre_gain.set_target(gain);
    }

    pub fn set_mix(&mut self, mix: f32) {
        self.mix.set_target(mix);
    }

    pub fn reset(&mut self) {
        self.fade = None;
        self.paths[self.active].set_quality(self.target.0);
        self.curves[self.active] = self.target.1;
        self.pre_gain.snap();
        self.mix.snap();
        self.dry_delay.iter_mut().for_each(DelayLine::reset);
        self.dry_running = false;
    }

    /// `shape(curve, path, frames)` runs `path.process(frames, f)` with `f` the curve of that
    /// index: the effect picks the curve once per chunk, so that each curve gets a loop of its
    /// own, free of per-sample branching. `post(wet, gains)` processes the wet signal at the
    /// base rate, given the gain each frame went into the curve with.
    pub fn process(
        &mut self,
        left: &mut [f32],
        right: &mut [f32],
        shape: impl Fn(usize, &mut Oversampler, &mut [[f32; 2]]),
        mut post: impl FnMut(&mut [[f32; 2]], &[f32]),
    ) {
        for (l, r) in left.chunks_mut(CHUNK).zip(right.chunks_mut(CHUNK)) {
            let n = l.len();
            let (a, b) = (self.active, 1 - self.active);
            if self.fade.is_none() && self.target != (self.paths[a].quality(), self.curves[a]) {
                self.paths[b].set_quality(self.target.0);
                self.curves[b] = self.target.1;
                self.fade = Some(0);
            }
            // The dry path costs about as much as a 2× stage, so it rests while mix sits at 1.
            // When it is needed again, it runs one chunk before the mix moves: enough to refill
            // its short memory (pads, and allpasses whose stale state decays below -30 dB,
            // which the mix's slow start then scales down by another 50 dB).
            let dry_needed = !(self.mix.is_steady() && self.mix.value() == 1.0);
            let warming_up = dry_needed && !self.dry_running;
            self.dry_running = dry_needed;
            let gains = &mut self.gains[..n];
            // A settled drive (the usual case) is filled in at once.
            if self.pre_gain.is_steady() {
                gains.fill(self.pre_gain.value());
            } else {
                self.pre_gain.fill(gains);
            }
            let [wet, wet_b] = &mut self.wet;
            let [dry, dry_b] = &mut self.dry;
            let (wet, dry) = (&mut wet[..n], &mut dry[..n]);
            for (i, w) in wet.iter_mut().enumerate() {
                *w = [l[i] * gains[i], r[i] * gains[i]];
            }
            if dry_needed {
                dry.iter_mut().enumerate().for_each(|(i, d)| *d = [l[i], r[i]]);
            }
            if let Some(done) = self.fade {
                let (wet_b, dry_b) = (&mut wet_b[..n], &mut dry_b[..n]);
                wet_b.copy_from_slice(wet);
                shape(self.curves[b], &mut self.paths[b], wet_b);
                shape(self.curves[a], &mut self.paths[a], wet);
                if dry_needed {
                    dry_b.copy_from_slice(dry);
                    self.paths[b].align_dry(dry_b);
                    self.paths[a].align_dry(dry);
                }
                let fade = |i: usize| ((done + i + 1) as f32 / self.fade_len as f32).min(1.0);
                let blend = |x: &mut [[f32; 2]], y: &[[f32; 2]]| {
                    for (i, (u, v)) in x.iter_mut().zip(y).enumerate() {
                        *u = [0, 1].map(|k| u[k] + (v[k] - u[k]) * fade(i));
                    }
                };
                blend(wet, wet_b);
                if dry_needed {
                    blend(dry, dry_b);
                }
                self.fade = Some(done + n);
                if done + n >= self.fade_len {
                    self.fade = None;
                    self.active = b;
                }
            } else {
                shape(self.curves[a], &mut self.paths[a], wet);
                if dry_needed {
                    self.paths[a].align_dry(dry);
                }
            }
            post(wet, gains);
            if !dry_needed {
                for (i, w) in wet.iter().enumerate() {
                    (l[i], r[i]) = (flush(w[0]), flush(w[1]));
                }
                continue;
            }
            if self.post_latency > 0 {
                for f in dry.iter_mut() {
                    for (x, line) in f.iter_mut().zip(&mut self.dry_delay) {
                        line.write(*x);
                        *x = line.read(self.post_latency);
                    }
                }
            }
            // Warming up, the mix waits for the next chunk to move.
            let mut mix = [self.mix.value(); CHUNK];
            if !warming_up {
                self.mix.fill(&mut mix[..n]);
            }
            for (i, (w, d)) in wet.iter().zip(dry.iter()).enumerate() {
                let m = mix[i];
                // Not `d + (w - d) * m`: this form gives exactly the wet signal at mix 1 and
                // exactly the dry one at mix 0.
                l[i] = flush(d[0] * (1.0 - m) + w[0] * m);
                r[i] = flush(d[1] * (1.0 - m) + w[1] * m);
            }
        }
    }
}
