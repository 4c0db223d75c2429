//! Hard Clip: the signal clipped at the threshold. Four ways to keep the clip's corners from
//! aliasing (the `quality` choice):
//!
//! - "off": the bare clamp, as cheap as it gets and aliasing like it.
//! - "adaa" (the default): first-order antiderivative antialiasing. Each output sample is the
//!   mean of the clip over the straight line between the last two input samples: the clip of a
//!   continuous signal, then a one-sample box filter, sampled. For little more than the price of
//!   the clamp, a 7.3 kHz sine's in-band aliases drop from -15 to -27.5 dB (clipped by 12 dB) and
//!   from -31 to -44 dB (by 1 dB); a mean of clipped values never exceeds the threshold, so no
//!   ceiling is needed. The box filter low-passes by `cos(pi f / fs)` whether anything clips or
//!   not (at 48 kHz -2.0 dB at 10 kHz, -5.1 dB at 15 kHz, -9.9 dB at 19 kHz), too dull for a
//!   safety clipper, so a causal 5-tap FIR pre-emphasizes the input by its inverse
//!   (`EMPHASIS`).
//!   Below the threshold the path is then flat within ±0.15 dB up to 10 kHz and ±0.3 dB up to
//!   15 kHz at 48 kHz (-2.7 dB at 19 kHz); within ±0.25 / ±0.5 dB at 44.1 kHz (-5.6 dB at
//!   19 kHz) and ±0.1 dB up to 20 kHz at 96 kHz. It stays without latency, about 0.15 samples
//!   late (0.25 at 15 kHz, 48 kHz), closer to the dry signal than the bare average's half
//!   sample. The emphasis goes before the clip, not after it: a treble boost after the clip
//!   would raise the aliases the box filter pushed down near Nyquist and lift the output past
//!   the threshold, needing a second clip. The dry part of `mix` takes the same FIR and
//!   average, so that partial mixes never comb-filter.
//! - "2x", "4x", "8x": the clamp run oversampled (see [`oversampling`]), transparent below the
//!   threshold and cleaner above it (that sine clipped by 12 dB: -35 dB at 2x, -45 dB at 8x),
//!   but several times the cost, with a latency of 5 samples plus the lookahead of the
//!   [`Ceiling`] that keeps their band-limited result within the threshold.
//!
//! Why not polyBLAMP (residuals added only around clip crossings, transparent below the
//! threshold) as the cheap mode: with crossings and slopes estimated from straight lines between
//! samples, as a per-sample budget allows, it removed far less aliasing than ADAA where the
//! clipped stretches are short (that sine clipped by 1 dB: -27 dB, worse than "off"). With cubic
//! estimates it matched ADAA on heavy clipping (-33 dB by 12 dB) but not on light (-31 dB by
//! 1 dB), at several times the cost.
//!
//! Changing quality crossfades over [`CROSSFADE_MS`] from the running path to the new one; the
//! latency reported changes with it (between 0 and the oversampled paths' latency).
//!
//! [`oversampling`]: crate::blocks::oversampling

use crate::blocks::ceiling::Ceiling;
use crate::blocks::curves;
use crate::blocks::drive_stage::{DriveStage, CROSSFADE_MS};
use crate::blocks::oversampling::Oversampler;
use crate::effect::{Effect, EffectSpec, Family};
use crate::param::{ParamSpec, Unit};
use crate::smooth::Smoothed;
use crate::util::{db_to_gain, flush};

pub static SPEC: EffectSpec = EffectSpec {
    id: "hardclip",
    name: "Hard Clip",
    family: Family::Drive,
    params: &[
        ParamSpec::linear("threshold", "Threshold", -60.0, 0.0, -1.0, Unit::Decibels),
        ParamSpec::linear("mix", "Mix", 0.0, 1.0, 1.0, Unit::Amount),
        ParamSpec::choice("quality", "Quality", &["off", "adaa", "2x", "4x", "8x"], ADAA),
    ],
    build: |sample_rate| Box::new(HardClip::new(sample_rate)),
};

/// Indices of the `quality` choice, which are also the paths: every quality from
/// `OVERSAMPLED` on is the oversampling stage at quality `index - ADAA` (2x is its 1).
const OFF: usize = 0;
const ADAA: usize = 1;
const OVERSAMPLED: usize = 2;

/// Samples processed at once: as many as the rack passes in one call, so that its calls are not
/// split. Long loops matter for the base-rate paths, whose per-sample work is small.
const CHUNK: usize = crate::rack::CHUNK;

/// The pre-emphasis FIR's taps, newest sample first. The magnitude is `1 + 0.3 s + 1.25 s²`
/// with `s = sin²(w / 2)`, which times ADAA's `cos(w / 2)` is flattest (±0.3 dB) up to 16 kHz
/// at 48 kHz. (The Taylor inverse of the cosine, `1 + s / 2 + 3 s² / 8`, is flatter at the
/// bottom but 1.4 dB down at 15 kHz; three taps cannot hold both ±0.5 dB to 10 kHz and ±1.5 dB
/// to 15 kHz.) The taps are the minimum-phase form of that response (the square of its
/// minimum-phase spectral factor): the symmetric form would need two samples of lookahead,
/// reported as latency, and a slot whose effect has latency records its dry input sample by
/// sample, which alone costs more than the whole path. The largest gain, at Nyquist and for
/// any input, is 2.55: treble transients meet the threshold that much sooner.
const EMPHASIS: [f32; 5] = [1.525_685_4, -0.737_248_1, 0.245_314_03, -0.037_751_89, 0.004_000_507_3];
/// Input samples before the chunk that the ADAA path reads: the FIR's memory, and the first
/// line's start.
const HISTORY: usize = EMPHASIS.len();

struct HardClip {
    /// The quality asked for.
    quality: usize,
    /// The path heard: [`OFF`], [`ADAA`] or [`OVERSAMPLED`] (the stage crossfades between its
    /// own qualities).
    path: usize,
    /// A crossfade under way to another path: (that path, samples done). It begins once the
    /// path, started from silence, has had its latency's worth of input, so as not to fade in
    /// that silence.
    fade: Option<(usize, usize)>,
    fade_len: usize,
    /// The base-rate paths' controls: the threshold as a linear gain, and the mix.
    threshold: Smoothed,
    mix: Smoothed,
    /// Their values for each sample of the chunk; `mixes` only while mix is not 1.
    thresholds: [f32; CHUNK],
    mixes: Option<[f32; CHUNK]>,
    /// Each channel's last [`HISTORY`] input samples, kept at every quality so that the ADAA
    /// path fades in warm.
    history: [[f32; HISTORY]; 2],
    /// Scratch space for a channel's input, which the loops read while they overwrite it, and
    /// for the ends of ADAA's lines, its pre-emphasized samples.
    input: [f32; CHUNK + HISTORY],
    emphasized: [f32; CHUNK + 1],
    stage: DriveStage,
    ceiling: Ceiling,
}

impl HardClip {
    fn new(sample_rate: f32) -> Self {
        let ceiling = Ceiling::new(sample_rate);
        let mut fx = Self {
            quality: ADAA,
            path: ADAA,
            fade: None,
            fade_len: (CROSSFADE_MS * 0.001 * sample_rate).max(1.0) as usize,
            threshold: Smoothed::new(1.0, sample_rate),
            mix: Smoothed::new(1.0, sample_rate),
            thresholds: [1.0; CHUNK],
            mixes: None,
            history: [[0.0; HISTORY]; 2],
            input: [0.0; CHUNK + HISTORY],
            emphasized: [0.0; CHUNK + 1],
            stage: DriveStage::new(sample_rate, ceiling.latency()),
            ceiling,
        };
        for (i, p) in SPEC.params.iter().enumerate() {
            fx.set_param(i, p.default);
        }
        fx.reset();
        fx
    }

    /// Sets up `path` to fade in from silence.
    fn start_fade(&mut self, path: usize) {
        if path == OVERSAMPLED {
            self.stage.reset();
            self.ceiling.reset();
        } else if self.path == OVERSAMPLED {
            // Not followed while the stage played; the fade-in hides the jump.
            self.threshold.snap();
            self.mix.snap();
        }
        self.fade = Some((path, 0));
    }

    /// The base-rate paths' control values for the next `n` samples: filled at once when settled
    /// (the usual case), sample by sample while gliding, so that the result does not depend on
    /// how the host splits its blocks.
    fn follow_controls(&mut self, n: usize) {
        let follow = |s: &mut Smoothed, values: &mut [f32]| {
            if s.is_settled() {
                values.fill(s.current());
            } else {
                values.iter_mut().for_each(|v| *v = s.next_sample());
            }
        };
        follow(&mut self.threshold, &mut self.thresholds[..n]);
        let full = self.mix.is_settled() && self.mix.current() == 1.0;
        self.mixes = (!full).then(|| {
            let mut mixes = [1.0; CHUNK];
            follow(&mut self.mix, &mut mixes[..n]);
            mixes
        });
    }

    /// Runs a chunk through `path`; the base-rate paths use the controls followed for it.
    fn run(&mut self, path: usize, left: &mut [f32], right: &mut [f32]) {
        let n = left.len();
        let (t, m) = (&self.thresholds[..n], self.mixes.as_ref().map(|m| &m[..n]));
        match path {
            OFF => {
                let (input, emphasized, [hl, hr]) = (&mut self.input, &mut self.emphasized, &self.history);
                clip_channel::<false>(input, emphasized, hl, left, t, m);
                clip_channel::<false>(input, emphasized, hr, right, t, m);
            }
            ADAA => {
                let (input, emphasized, [hl, hr]) = (&mut self.input, &mut self.emphasized, &self.history);
                clip_channel::<true>(input, emphasized, hl, left, t, m);
                clip_channel::<true>(input, emphasized, hr, right, t, m);
            }
            _ => {
                let ceiling = &mut self.ceiling;
                let shape =
                    |_: usize, os: &mut Oversampler, f: &mut [[f32; 2]]| os.process(f, curves::hard_clip);
                self.stage.process(left, right, shape, |wet, gains| {
                    ceiling.process(wet);
                    for (f, g) in wet.iter_mut().zip(gains) {
                        // |x| <= 1 makes |x * threshold| <= threshold exactly.
                        let threshold = 1.0 / g;
                        *f = f.map(|x| x * threshold);
                    }
                });
            }
        }
    }
}

/// Clips one channel's chunk at the thresholds `t`, with ADAA or without, and mixes in the dry
/// signal (aligned with the wet one) where `mix` is given. `history` (the samples before the
/// chunk) and the chunk are copied to `input`, so that each loop runs forward over whole arrays.
fn clip_channel<const ADAA: bool>(
    input: &mut [f32; CHUNK + HISTORY],
    emphasized: &mut [f32; CHUNK + 1],
    history: &[f32; HISTORY],
    x: &mut [f32],
    t: &[f32],
    mix: Option<&[f32]>,
) {
    let n = x.len();
    input[..HISTORY].copy_from_slice(history);
    input[HISTORY..HISTORY + n].copy_from_slice(x);
    // The lines' ends: the input itself, or the input pre-emphasized.
    let ends = if ADAA {
        emphasize(&input[..HISTORY + n], &mut emphasized[..=n]);
        &emphasized[..=n]
    } else {
        &input[HISTORY - 1..HISTORY + n]
    };
    let lines = ends[..n].iter().zip(&ends[1..]).zip(&t[..n]);
    let wet = |a: f32, b: f32, t: f32| if ADAA { mean_clip(a, b, t) } else { clip(b, t) };
    // Free of branches and bounds checks, so that the loops vectorize.
    match mix {
        None => x.iter_mut().zip(lines).for_each(|(y, ((a, b), t))| *y = flush(wet(*a, *b, *t))),
        Some(mix) => {
            for (y, (((a, b), t), m)) in x.iter_mut().zip(lines.zip(&mix[..n])) {
                let dry = if ADAA { 0.5 * (a + b) } else { *b };
                // Not `dry + (wet - dry) * m`: this form is exactly the wet signal at mix 1.
                *y = flush(dry * (1.0 - m) + wet(*a, *b, *t) * m);
            }
        }
    }
}

/// `x` through the [`EMPHASIS`] FIR into `y`, `y[j]` ending on `x[j + 4]`.
fn emphasize(x: &[f32], y: &mut [f32]) {
    let [b0, b1, b2, b3, b4] = EMPHASIS;
    let taps = x.iter().zip(&x[1..]).zip(&x[2..]).zip(&x[3..]).zip(&x[4..]);
    for (y, ((((e, d), c), b), a)) in y.iter_mut().zip(taps) {
        *y = b0 * a + b1 * b + b2 * c + b3 * d + b4 * e;
    }
}

/// The last [`HISTORY`] samples of `history` followed by `x`.
fn shift_in(history: &[f32; HISTORY], x: &[f32]) -> [f32; HISTORY] {
    let n = x.len();
    std::array::from_fn(|i| if n + i < HISTORY { history[n + i] } else { x[n + i - HISTORY] })
}

/// `x` clamped to ±`t`, as selects (`f32::clamp` checks its bounds, a branch in the loop).
#[inline(always)]
fn clip(x: f32, t: f32) -> f32 {
    let y = if x > t { t } else { x };
    if y < -t {
        -t
    } else {
        y
    }
}

/// The mean of the clip at ±`t` over the straight line from `a` to `b`: the line's own mean,
/// `(a + b) / 2` (exact wherever the clip is linear), less the mean of how far the line goes
/// beyond the threshold on either side. Not the textbook `(F(b) - F(a)) / (b - a)` with `F` the
/// clip's antiderivative: in f32 that difference of two large, close values cancels to noise
/// when `b` is near `a`. Every step commutes with negation, so the result is odd bit for bit.
#[inline(always)]
fn mean_clip(a: f32, b: f32, t: f32) -> f32 {
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    let span = hi - lo;
    // Any positive floor will do (see `excess`).
    let inv_span = 1.0 / if span > f32::MIN_POSITIVE { span } else { f32::MIN_POSITIVE };
    let above = excess(hi - t, lo - t, inv_span);
    let below = excess(-t - lo, -t - hi, inv_span);
    // Mathematically within ±t already; the clip only catches rounding.
    clip(0.5 * ((a + b) + (below - above)), t)
}

/// Twice the mean over the line of its part beyond a knee, from how far beyond the knee its far
/// and its near end are (negative when short of it). With both ends beyond it, that part is a
/// trapezoid: twice its mean is `p + q`. With only the far one, a triangle `p` long and `p` high
/// over a line `1 / inv_span` long: `p + q` scaled by `p * inv_span`, which is at most 1 then and
/// above 1 in the first case (where `p` exceeds the span by `q`, or, for lines shorter than the
/// floor, is still far above it: the threshold is at least 1e-3, so a positive `p` is ≥ 1e-10).
#[inline(always)]
fn excess(far: f32, near: f32, inv_span: f32) -> f32 {
    let p = if far > 0.0 { far } else { 0.0 };
    let q = if near > 0.0 { near } else { 0.0 };
    let share = p * inv_span;
    (p + q) * if share < 1.0 { share } else { 1.0 }
}

impl Effect for HardClip {
    fn set_param(&mut self, index: usize, value: f32) {
        let Some(spec) = SPEC.params.get(index) else { return };
        let v = spec.clamp(value);
        match index {
            0 => {
                self.threshold.set_target(db_to_gain(v));
                // The stage scales the signal so that the threshold sits at the curve's ±1.
                self.stage.set_pre_gain(db_to_gain(-v));
            }
            1 => {
                self.mix.set_target(v);
                self.stage.set_mix(v);
            }
            _ => {
                self.quality = v as usize;
                if self.quality >= OVERSAMPLED {
                    self.stage.set_quality(self.quality - ADAA);
                }
            }
        }
    }

    fn reset(&mut self) {
        self.path = self.quality.min(OVERSAMPLED);
        self.fade = None;
        self.threshold.snap();
        self.mix.snap();
        self.history = [[0.0; HISTORY]; 2];
        self.stage.reset();
        self.ceiling.reset();
    }

    fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        for (l, r) in left.chunks_mut(CHUNK).zip(right.chunks_mut(CHUNK)) {
            let wanted = self.quality.min(OVERSAMPLED);
            if self.fade.is_none() && wanted != self.path {
                self.start_fade(wanted);
            }
            let n = l.len();
            let incoming = self.fade.map(|(path, _)| path);
            if self.path != OVERSAMPLED || incoming.is_some_and(|p| p != OVERSAMPLED) {
                self.follow_controls(n);
            }
            let history = [shift_in(&self.history[0], l), shift_in(&self.history[1], r)];
            if let Some((path, done)) = self.fade {
                let mut faded_in = [[0.0; CHUNK]; 2];
                let [fl, fr] = &mut faded_in;
                let (fl, fr) = (&mut fl[..n], &mut fr[..n]);
                fl.copy_from_slice(l);
                fr.copy_from_slice(r);
                self.run(path, fl, fr);
                self.run(self.path, l, r);
                let start = if path == OVERSAMPLED { self.stage.latency() } else { 0 };
                let fade =
                    |i: usize| ((done + i + 1).saturating_sub(start) as f32 / self.fade_len as f32).min(1.0);
                for (x, y) in [(&mut *l, &*fl), (&mut *r, &*fr)] {
                    for (i, (u, v)) in x.iter_mut().zip(y).enumerate() {
                        *u += (v - *u) * fade(i);
                    }
                }
                self.fade = Some((path, done + n));
                if done + n >= start + self.fade_len {
                    (self.path, self.fade) = (path, None);
                }
            } else {
                self.run(self.path, l, r);
            }
            self.history = history;
        }
    }

    fn latency(&self) -> usize {
        if self.quality >= OVERSAMPLED {
            self.stage.latency()
        } else {
            0
        }
    }
}
