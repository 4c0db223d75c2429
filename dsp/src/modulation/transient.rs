//! Onset detection for envelopes triggered by the audio: a sudden rise of a fast level
//! follower above a slow one.
//!
//! Both followers are peak followers (instant-ish attack, slower release) on the louder
//! channel. On a steady sound they agree, whatever its level; at an onset the fast one jumps
//! ahead. The detector fires when the fast level exceeds the slow one by the threshold and
//! re-arms only once it has fallen back below `threshold - REARM_HYSTERESIS_DB`, so that one
//! onset fires once even when the ratio wavers around the threshold.

use super::follower::follow;
use crate::param::{ParamSpec, Unit};
use crate::util::{db_to_gain, time_constant_coeff};

pub static THRESHOLD_DB: ParamSpec =
    ParamSpec::linear("threshold_db", "Transient threshold", 4.0, 24.0, 6.0, Unit::Decibels);

pub const REARM_HYSTERESIS_DB: f32 = 3.0;
/// Below this level (dBFS) nothing counts as an onset, so that noise after silence does not.
pub const FLOOR_DB: f32 = -60.0;

const FAST_ATTACK_MS: f32 = 0.2;
const FAST_RELEASE_MS: f32 = 20.0;
const SLOW_ATTACK_MS: f32 = 20.0;
const SLOW_RELEASE_MS: f32 = 200.0;

#[derive(Debug, Clone)]
pub struct TransientDetector {
    /// (attack, release) one-pole coefficients of the fast and slow followers.
    fast_coeffs: (f32, f32),
    slow_coeffs: (f32, f32),
    fire_ratio: f32,
    rearm_ratio: f32,
    floor: f32,
    fast: f32,
    slow: f32,
    armed: bool,
}

impl TransientDetector {
    pub fn new(threshold_db: f32, sample_rate: f32) -> Self {
        let threshold_db = THRESHOLD_DB.clamp(threshold_db);
        let coeffs = |a, r| (time_constant_coeff(a, sample_rate), time_constant_coeff(r, sample_rate));
        Self {
            fast_coeffs: coeffs(FAST_ATTACK_MS, FAST_RELEASE_MS),
            slow_coeffs: coeffs(SLOW_ATTACK_MS, SLOW_RELEASE_MS),
            fire_ratio: db_to_gain(threshold_db),
            rearm_ratio: db_to_gain(threshold_db - REARM_HYSTERESIS_DB),
            floor: db_to_gain(FLOOR_DB),
            fast: 0.0,
            slow: 0.0,
            armed: true,
        }
    }

    pub fn reset(&mut self) {
        (self.fast, self.slow, self.armed) = (0.0, 0.0, true);
    }

    /// Takes over another detector's levels, so that a rebuilt engine does not see an onset in
    /// sound that was already playing.
    pub fn continue_from(&mut self, previous: &TransientDetector) {
        (self.fast, self.slow, self.armed) = (previous.fast, previous.slow, previous.armed);
    }

    /// Feeds one sample of the peak level (the louder channel's magnitude); `true` at the
    /// sample an onset is detected.
    #[inline]
    pub fn process(&mut self, x: f32) -> bool {
        self.fast = follow(self.fast, x, self.fast_coeffs.0, self.fast_coeffs.1);
        self.slow = follow(self.slow, x, self.slow_coeffs.0, self.slow_coeffs.1);
        if self.armed {
            if self.fast > self.floor && self.fast >= self.slow * self.fire_ratio {
                self.armed = false;
                return true;
            }
        } else if self.fast < self.floor || self.fast < self.slow * self.rearm_ratio {
            self.armed = true;
        }
        false
    }
}
