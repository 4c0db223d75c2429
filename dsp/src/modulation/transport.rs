//! What the host's transport says at the first sample of a tick.

/// The host transport at the first sample of a tick, as the caller reads it from the host.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Transport {
    pub playing: bool,
    pub tempo_bpm: f64,
    /// Song position in quarter notes, the unit hosts count beats in whatever the time
    /// signature; synced LFOs lock their phase to it while playing.
    pub position_beats: Option<f64>,
    /// Song position in samples; automation lanes are read at it. Negative during pre-roll.
    pub position_samples: Option<i64>,
    /// (numerator, denominator). Not needed by the sources (they count quarter notes from the
    /// song start), kept so that the transport the caller passes is the whole picture.
    pub time_sig: (u32, u32),
}

impl Default for Transport {
    fn default() -> Self {
        Self {
            playing: false,
            tempo_bpm: 120.0,
            position_beats: None,
            position_samples: None,
            time_sig: (4, 4),
        }
    }
}

impl Transport {
    /// The tempo with anything a host might send by mistake (0, NaN) replaced by 120 bpm.
    pub fn tempo(&self) -> f64 {
        if self.tempo_bpm.is_finite() && self.tempo_bpm > 0.0 {
            self.tempo_bpm.clamp(1.0, 1000.0)
        } else {
            120.0
        }
    }

    /// The position synced sources lock to: only while playing, because hosts report a frozen
    /// (or no) position while stopped and a frozen LFO would sound broken.
    pub(crate) fn locked_beats(&self) -> Option<f64> {
        self.position_beats.filter(|b| self.playing && b.is_finite())
    }
}
