//! Three-Band EQ: an RBJ low shelf, peak and high shelf in series, each centred exactly on its
//! set frequency (the predecessor's bands sat an octave too high).

use crate::blocks::biquad::{Angle, Coefficients};
use crate::blocks::biquad_chain::{process_chain, StereoBiquad, UpdateClock, UPDATE_INTERVAL};
use crate::effect::{Effect, EffectSpec, Family};
use crate::param::{ParamSpec, Unit};
use crate::smooth::Smoothed;

pub static SPEC: EffectSpec = EffectSpec {
    id: "eq3band",
    name: "Three-Band EQ",
    family: Family::Eq,
    params: &[
        ParamSpec::linear("low_gain", "Low Gain", -24.0, 24.0, 0.0, Unit::Decibels),
        ParamSpec::log("low_freq", "Low Frequency", 20.0, 500.0, 100.0, Unit::Hertz),
        ParamSpec::log("low_q", "Low Q", 0.1, 10.0, 0.707, Unit::None),
        ParamSpec::linear("mid_gain", "Mid Gain", -24.0, 24.0, 0.0, Unit::Decibels),
        ParamSpec::log("mid_freq", "Mid Frequency", 200.0, 5000.0, 1000.0, Unit::Hertz),
        ParamSpec::log("mid_q", "Mid Q", 0.1, 10.0, 0.707, Unit::None),
        ParamSpec::linear("high_gain", "High Gain", -24.0, 24.0, 0.0, Unit::Decibels),
        ParamSpec::log("high_freq", "High Frequency", 4000.0, 20_000.0, 10_000.0, Unit::Hertz),
        ParamSpec::log("high_q", "High Q", 0.1, 10.0, 0.707, Unit::None),
    ],
    build: |sample_rate| Box::new(Eq3Band::new(sample_rate)),
};

/// Parameters per band, in the order of [`SPEC`]: gain, frequency, Q.
const PARAMS_PER_BAND: usize = 3;

/// A cookbook design: (angle, Q, amplitude).
type Design = fn(Angle, f32, f64) -> Coefficients;

/// One band. Frequency and Q glide in the log domain, so that a sweep moves evenly through the
/// octaves.
struct Band {
    design: Design,
    gain_db: Smoothed,
    log_freq: Smoothed,
    log_q: Smoothed,
    /// The design's transcendental parts, redone only when what they depend on moves.
    angle: Angle,
    q: f32,
    amplitude: f64,
    filter: StereoBiquad,
    /// False while the gain rests at 0 dB: the band is then an identity and is skipped.
    active: bool,
}

impl Band {
    fn new(design: Design, band: usize, sample_rate: f32) -> Self {
        let default = |i: usize| SPEC.params[band * PARAMS_PER_BAND + i].default;
        let mut b = Self {
            design,
            gain_db: Smoothed::new(default(0), sample_rate),
            log_freq: Smoothed::new(default(1).ln(), sample_rate),
            log_q: Smoothed::new(default(2).ln(), sample_rate),
            angle: Angle::new(default(1), sample_rate),
            q: default(2),
            amplitude: 1.0,
            filter: StereoBiquad::default(),
            active: false,
        };
        b.snap(sample_rate);
        b
    }

    fn set_target(&mut self, which: usize, value: f32) {
        match which {
            0 => self.gain_db.set_target(value),
            1 => self.log_freq.set_target(value.ln()),
            _ => self.log_q.set_target(value.ln()),
        }
    }

    fn is_gliding(&self) -> bool {
        !(self.gain_db.is_settled() && self.log_freq.is_settled() && self.log_q.is_settled())
    }

    fn coefficients(&self) -> Coefficients {
        (self.design)(self.angle, self.q, self.amplitude)
    }

    fn snap(&mut self, sample_rate: f32) {
        self.gain_db.snap();
        self.log_freq.snap();
        self.log_q.snap();
        self.angle = Angle::new(self.log_freq.current().exp(), sample_rate);
        self.q = self.log_q.current().exp();
        self.amplitude = Coefficients::amplitude(self.gain_db.current());
        self.active = self.gain_db.current() != 0.0;
        self.filter.restart(self.coefficients());
    }

    /// Advances the settings by one update period and ramps the coefficients to match.
    fn glide(&mut self, sample_rate: f32) {
        if !self.is_gliding() {
            return;
        }
        if !self.log_freq.is_settled() {
            self.angle = Angle::new(self.log_freq.advance(UPDATE_INTERVAL).exp(), sample_rate);
        }
        if !self.log_q.is_settled() {
            self.q = self.log_q.advance(UPDATE_INTERVAL).exp();
        }
        let gain_moves = !self.gain_db.is_settled();
        let gain_db = self.gain_db.advance(UPDATE_INTERVAL);
        let was_active = self.active;
        self.active = !(gain_db == 0.0 && self.gain_db.is_settled());
        if self.active {
            if !was_active {
                // At 0 dB the design is exactly the identity the skipped band stood for.
                self.amplitude = 1.0;
                self.filter.restart(self.coefficients());
            }
            if gain_moves {
                self.amplitude = Coefficients::amplitude(gain_db);
            }
            self.filter.ramp_to(self.coefficients(), UPDATE_INTERVAL);
        }
    }
}

pub struct Eq3Band {
    sample_rate: f32,
    bands: [Band; 3],
    clock: UpdateClock,
}

impl Eq3Band {
    pub fn new(sample_rate: f32) -> Self {
        Self {
            sample_rate,
            bands: [
                Band::new(Coefficients::low_shelf_at, 0, sample_rate),
                Band::new(Coefficients::peak_at, 1, sample_rate),
                Band::new(Coefficients::high_shelf_at, 2, sample_rate),
            ],
            clock: UpdateClock::default(),
        }
    }
}

impl Effect for Eq3Band {
    fn set_param(&mut self, index: usize, value: f32) {
        if let Some(spec) = SPEC.params.get(index) {
            self.bands[index / PARAMS_PER_BAND].set_target(index % PARAMS_PER_BAND, spec.clamp(value));
        }
    }

    fn reset(&mut self) {
        for band in &mut self.bands {
            band.snap(self.sample_rate);
        }
        self.clock = UpdateClock::default();
    }

    fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        let len = left.len().min(right.len());
        let mut done = 0;
        while done < len {
            if self.clock.at_boundary() {
                for band in &mut self.bands {
                    band.glide(self.sample_rate);
                }
            }
            let end = done + self.clock.take(len - done);
            let active = self.bands.iter_mut().filter(|b| b.active).map(|b| &mut b.filter);
            process_chain(active, &mut left[done..end], &mut right[done..end], self.clock.at_boundary());
            done = end;
        }
    }
}
