//! What every reverb has around its tank: the shared parameters, the pre-delay on the way in
//! and the wet/dry/width mix on the way out.

use crate::blocks::delay_bank::{ChunkClock, DelayBank, Glide, CHUNK};
use crate::blocks::period_ramp::AnchoredRamp;
use crate::param::ParamSpec;
use crate::smooth::Smoothed;

/// The output levels follow their smoothing in linear ramps a control period long.
type Level = AnchoredRamp<CHUNK>;

/// Parameter indices every reverb shares (the named ones add [`PREDELAY`]).
pub const SIZE: usize = 0;
pub const DAMPING: usize = 1;
pub const WET: usize = 2;
pub const DRY: usize = 3;
pub const WIDTH: usize = 4;
pub const PREDELAY: usize = 5;

/// A pre-delay whose time glides when changed, bending the pitch like a moving tape head (a
/// jump would click); settled, it delays by whole samples.
pub struct PreDelay {
    bank: DelayBank<1>,
    samples: Smoothed,
    glide: Glide,
    samples_per_ms: f32,
}

impl PreDelay {
    pub fn new(max_ms: f32, ms: f32, sample_rate: f32) -> Self {
        let samples_per_ms = 0.001 * sample_rate;
        let bank = DelayBank::new((max_ms * samples_per_ms).ceil() as usize);
        let samples = Smoothed::new(0.0, sample_rate);
        let mut p = Self { bank, samples, glide: Glide::default(), samples_per_ms };
        p.set_ms(ms);
        p.reset();
        p
    }

    pub fn set_ms(&mut self, ms: f32) {
        self.samples.set_target((ms * self.samples_per_ms).round());
    }

    /// Delays one chunk in place, the samples `offset..` of the control period.
    #[inline]
    pub fn process(&mut self, x: &mut [f32], offset: usize) {
        if offset == 0 {
            self.glide.set(self.samples.advance(CHUNK), true);
        }
        let n = x.len();
        self.bank.chunk_mut(0, n).copy_from_slice(x);
        self.bank.read_gliding(0, &self.glide, offset, x);
        self.bank.advance(n);
    }

    pub fn reset(&mut self) {
        self.bank.reset();
        self.samples.snap();
        self.glide.set(self.samples.current(), false);
    }
}

/// The parameters every reverb shares and its output stage.
///
/// Width follows Freeverb (`wet1 = wet (1 + width) / 2`, `wet2 = wet (1 - width) / 2`), written
/// as mid/side: the mid of the wet signal always gets `wet`, its side `wet * width`, so width 0
/// is exactly mono, 1 is the tank's own stereo and 2 doubles the side (exaggerated).
pub struct ReverbControls {
    size: Smoothed,
    damping: Smoothed,
    wet: Level,
    dry: Level,
    width: Level,
    /// The tank's output gain at a wet level of 1.
    wet_scale: f32,
    /// Copied out by the effect's `process` while it runs, as its closure borrows the effect.
    pub clock: ChunkClock,
}

impl ReverbControls {
    pub fn new(params: &[ParamSpec], wet_scale: f32, sample_rate: f32) -> Self {
        let s = |i: usize| Smoothed::new(params[i].default, sample_rate);
        let level = |i: usize| Level::new(params[i].default, sample_rate);
        Self {
            size: s(SIZE),
            damping: s(DAMPING),
            wet: level(WET),
            dry: level(DRY),
            width: level(WIDTH),
            wet_scale,
            clock: ChunkClock::default(),
        }
    }

    /// Sets one of the shared parameters (indices below [`PREDELAY`]), already clamped.
    pub fn set(&mut self, index: usize, value: f32) {
        match index {
            SIZE => self.size.set_target(value),
            DAMPING => self.damping.set_target(value),
            WET => self.wet.set_target(value),
            DRY => self.dry.set_target(value),
            WIDTH => self.width.set_target(value),
            _ => {}
        }
    }

    pub fn reset(&mut self) {
        self.size.snap();
        self.damping.snap();
        for level in [&mut self.wet, &mut self.dry, &mut self.width] {
            level.snap();
        }
        self.clock = ChunkClock::default();
    }

    /// At a control period's start: size and damping one period later, and which of them
    /// moved, so that the reverb redesigns only what depends on them.
    pub fn advance(&mut self) -> Advanced {
        let (size_moved, damping_moved) = (!self.size.is_settled(), !self.damping.is_settled());
        Advanced {
            size: self.size.advance(CHUNK),
            damping: self.damping.advance(CHUNK),
            size_moved,
            damping_moved,
        }
    }

    /// Mixes a chunk of input (`left`, `right`, in place) with the tank's output.
    #[inline]
    pub fn mix(&mut self, left: &mut [f32], right: &mut [f32], wet_l: &[f32], wet_r: &[f32]) {
        if self.wet.is_steady() && self.dry.is_steady() && self.width.is_steady() {
            let (wet, dry) = (self.wet.value() * self.wet_scale, self.dry.value());
            let (mid, side) = (0.5 * wet, 0.5 * wet * self.width.value());
            let frames = left.iter_mut().zip(right.iter_mut()).zip(wet_l.iter().zip(wet_r));
            for ((l, r), (wl, wr)) in frames {
                let (m, s) = ((wl + wr) * mid, (wl - wr) * side);
                (*l, *r) = (*l * dry + m + s, *r * dry + m - s);
            }
        } else {
            self.mix_gliding(left, right, wet_l, wet_r);
        }
    }

    /// [`mix`](Self::mix) while a level glides, out of line: rarer, and kept from crowding the
    /// reverb's own loops.
    #[inline(never)]
    fn mix_gliding(&mut self, left: &mut [f32], right: &mut [f32], wet_l: &[f32], wet_r: &[f32]) {
        let n = left.len().min(CHUNK);
        let (mut wet, mut dry, mut width) = ([0.0; CHUNK], [0.0; CHUNK], [0.0; CHUNK]);
        self.wet.fill(&mut wet[..n]);
        self.dry.fill(&mut dry[..n]);
        self.width.fill(&mut width[..n]);
        // Levels zipped in rather than indexed, and the scale in a local: the loop then has no
        // bounds checks or reloads left and runs in SIMD (modulation keeps levels gliding).
        let wet_scale = self.wet_scale;
        let levels = wet[..n].iter().zip(&dry[..n]).zip(&width[..n]);
        let frames = left.iter_mut().zip(right.iter_mut()).zip(wet_l.iter().zip(wet_r));
        for (((l, r), (wl, wr)), ((wet, dry), width)) in frames.zip(levels) {
            let wet = wet * wet_scale;
            let (m, s) = ((wl + wr) * (0.5 * wet), (wl - wr) * (0.5 * wet * width));
            (*l, *r) = (*l * dry + m + s, *r * dry + m - s);
        }
    }
}

/// What [`ReverbControls::advance`] gives.
pub struct Advanced {
    pub size: f32,
    pub damping: f32,
    pub size_moved: bool,
    pub damping_moved: bool,
}

impl Advanced {
    pub fn moved(&self) -> bool {
        self.size_moved || self.damping_moved
    }
}

/// `value` clamped by the parameter's spec, or `None` for an unknown index.
pub fn clamp_param(params: &[ParamSpec], index: usize, value: f32) -> Option<f32> {
    params.get(index).map(|p| p.clamp(value))
}
