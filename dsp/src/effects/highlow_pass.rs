//! High/Low Pass: a Butterworth high-pass or low-pass of order 1 to 6.

use std::f32::consts::PI;

use crate::blocks::biquad::{Angle, Coefficients};
use crate::blocks::biquad_chain::{process_chain, StereoBiquad, UpdateClock, UPDATE_INTERVAL};
use crate::effect::{Effect, EffectSpec, Family};
use crate::param::{ParamSpec, Unit};
use crate::smooth::Smoothed;

pub static SPEC: EffectSpec = EffectSpec {
    id: "highlow_pass",
    name: "High/Low Pass",
    family: Family::Eq,
    params: &[
        ParamSpec::choice("filter_type", "Type", &["highpass", "lowpass"], 0),
        ParamSpec::log("cutoff_freq", "Cutoff", 20.0, 20_000.0, 1000.0, Unit::Hertz),
        ParamSpec::integer("order", "Order", 1.0, 6.0, 2.0),
    ],
    build: |sample_rate| Box::new(HighLowPass::new(sample_rate)),
};

const TYPE: usize = 0;
const CUTOFF: usize = 1;
const ORDER: usize = 2;

/// Enough second-order sections for order 6.
const MAX_SECTIONS: usize = 3;

/// Length of the crossfade that follows a change of type or order.
const FADE_MS: f32 = 10.0;

#[derive(Debug, Clone, Copy, PartialEq)]
struct Shape {
    lowpass: bool,
    order: usize,
}

impl Shape {
    fn from_params(lowpass: f32, order: f32) -> Self {
        Self { lowpass: lowpass == 1.0, order: order as usize }
    }

    fn sections(self) -> usize {
        self.order.div_ceil(2)
    }

    /// The Q of each pair of complex poles of the Butterworth filter: 1 / (2 cos ψ), ψ the
    /// pair's angle from the negative real axis ((2k - 1)π/2n for even orders, kπ/n for odd
    /// ones). Fixed by the order, so a filter finds them once rather than at every update.
    fn pair_qs(self) -> [f32; MAX_SECTIONS] {
        let n = self.order;
        let mut qs = [0.0; MAX_SECTIONS];
        for (k, q) in qs.iter_mut().enumerate().take(n / 2) {
            let angle = (2 * k + 1 + n % 2) as f32 * PI / (2 * n) as f32;
            *q = 0.5 / angle.cos();
        }
        qs
    }

    /// The sections of the Butterworth filter: each pair of complex poles (Q from
    /// [`pair_qs`](Self::pair_qs)) as a biquad, and for odd orders the real pole as a
    /// first-order section. All are prewarped to the same cutoff, so the cascade is exactly the
    /// bilinear transform of the analog Butterworth filter: -3 dB at the cutoff whatever the
    /// order.
    fn design(self, qs: &[f32; MAX_SECTIONS], cutoff: f32, sample_rate: f32) -> [Coefficients; MAX_SECTIONS] {
        let (n, w) = (self.order, Angle::new(cutoff, sample_rate));
        let mut sections = [Coefficients::IDENTITY; MAX_SECTIONS];
        for (section, &q) in sections.iter_mut().zip(qs).take(n / 2) {
            *section =
                if self.lowpass { Coefficients::lowpass_at(w, q) } else { Coefficients::highpass_at(w, q) };
        }
        if n % 2 == 1 {
            sections[n / 2] = if self.lowpass {
                Coefficients::first_order_lowpass_at(w)
            } else {
                Coefficients::first_order_highpass_at(w)
            };
        }
        sections
    }
}

#[derive(Clone, Copy)]
struct Filter {
    shape: Shape,
    qs: [f32; MAX_SECTIONS],
    sections: [StereoBiquad; MAX_SECTIONS],
}

impl Filter {
    /// A filter with a cleared state.
    fn new(shape: Shape, cutoff: f32, sample_rate: f32) -> Self {
        let qs = shape.pair_qs();
        let mut sections = [StereoBiquad::default(); MAX_SECTIONS];
        for (s, c) in sections.iter_mut().zip(shape.design(&qs, cutoff, sample_rate)) {
            s.restart(c);
        }
        Self { shape, qs, sections }
    }

    /// Ramps the sections in use (the others are never run: a new shape builds a new filter).
    fn ramp_to(&mut self, cutoff: f32, sample_rate: f32) {
        let design = self.shape.design(&self.qs, cutoff, sample_rate);
        for (s, c) in self.sections.iter_mut().zip(design).take(self.shape.sections()) {
            s.ramp_to(c, UPDATE_INTERVAL);
        }
    }

    fn process(&mut self, left: &mut [f32], right: &mut [f32], period_ended: bool) {
        process_chain(self.sections.iter_mut().take(self.shape.sections()), left, right, period_ended);
    }
}

/// The cutoff glides (in the log domain, evenly through the octaves) with the coefficients.
///
/// Type and order cannot glide: the new filter has other sections, whose states mean something
/// else, and swapping them in place would click. So the new filter starts from silence next to
/// the old one, which keeps running, and the output crossfades linearly from old to new over
/// [`FADE_MS`]; the new filter's start-up transient is faded in rather than heard as a step.
/// Equal-gain rather than equal-power: where old and new pass the same band (an order change,
/// the shared passband) their outputs are nearly in phase and the level holds; a type change
/// swaps disjoint bands, which dip by at most 3 dB halfway through a 10 ms fade. It costs a
/// second filter only during the fade. A change arriving during a fade waits for its end, so
/// at most two filters ever run.
pub struct HighLowPass {
    sample_rate: f32,
    log_cutoff: Smoothed,
    target: Shape,
    filter: Filter,
    /// The filter fading out, and how many samples of its fade are left.
    fading: Filter,
    fade_left: usize,
    /// A whole number of update periods, so that fades start and end with a period.
    fade_len: usize,
    clock: UpdateClock,
}

impl HighLowPass {
    pub fn new(sample_rate: f32) -> Self {
        let p = SPEC.params;
        let target = Shape::from_params(p[TYPE].default, p[ORDER].default);
        let log_cutoff = Smoothed::new(p[CUTOFF].default.ln(), sample_rate);
        let filter = Filter::new(target, p[CUTOFF].default, sample_rate);
        let periods = (FADE_MS * 0.001 * sample_rate / UPDATE_INTERVAL as f32).round().max(1.0);
        Self {
            sample_rate,
            log_cutoff,
            target,
            filter,
            fading: filter,
            fade_left: 0,
            fade_len: periods as usize * UPDATE_INTERVAL,
            clock: UpdateClock::default(),
        }
    }

    /// At the start of a period: the cutoff's next step, and a fade if the shape changed.
    fn update(&mut self) {
        let gliding = !self.log_cutoff.is_settled();
        let reshape = self.fade_left == 0 && self.target != self.filter.shape;
        if !(gliding || reshape) {
            return;
        }
        let (cutoff, sr) = (self.log_cutoff.advance(UPDATE_INTERVAL).exp(), self.sample_rate);
        if reshape {
            self.fading = self.filter;
            self.filter = Filter::new(self.target, cutoff, sr);
            self.fade_left = self.fade_len;
        } else {
            self.filter.ramp_to(cutoff, sr);
        }
        if gliding && self.fade_left > 0 {
            self.fading.ramp_to(cutoff, sr);
        }
    }

    /// Renders one run (within an update period) of the fade from `fading` to `filter`.
    fn crossfade(&mut self, left: &mut [f32], right: &mut [f32], period_ended: bool) {
        let n = left.len();
        let (mut old_l, mut old_r) = ([0.0; UPDATE_INTERVAL], [0.0; UPDATE_INTERVAL]);
        let (old_l, old_r) = (&mut old_l[..n], &mut old_r[..n]);
        old_l.copy_from_slice(left);
        old_r.copy_from_slice(right);
        self.fading.process(old_l, old_r, period_ended);
        self.filter.process(left, right, period_ended);
        let per_sample = 1.0 / self.fade_len as f32;
        for i in 0..n {
            let old_weight = (self.fade_left - i) as f32 * per_sample;
            left[i] += (old_l[i] - left[i]) * old_weight;
            right[i] += (old_r[i] - right[i]) * old_weight;
        }
        self.fade_left -= n;
    }
}

impl Effect for HighLowPass {
    fn set_param(&mut self, index: usize, value: f32) {
        let Some(spec) = SPEC.params.get(index) else { return };
        let v = spec.clamp(value);
        match index {
            TYPE => self.target.lowpass = v == 1.0,
            CUTOFF => self.log_cutoff.set_target(v.ln()),
            _ => self.target.order = v as usize,
        }
    }

    fn reset(&mut self) {
        self.log_cutoff.snap();
        self.filter = Filter::new(self.target, self.log_cutoff.current().exp(), self.sample_rate);
        self.fade_left = 0;
        self.clock = UpdateClock::default();
    }

    fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        let len = left.len().min(right.len());
        let mut done = 0;
        while done < len {
            if self.clock.at_boundary() {
                self.update();
            }
            let end = done + self.clock.take(len - done);
            let (l, r) = (&mut left[done..end], &mut right[done..end]);
            let period_ended = self.clock.at_boundary();
            if self.fade_left > 0 {
                self.crossfade(l, r, period_ended);
            } else {
                self.filter.process(l, r, period_ended);
            }
            done = end;
        }
    }
}
