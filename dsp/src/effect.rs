//! The contract between the rack and one effect.

use crate::param::ParamSpec;

/// What kind of processing an effect does; used to group effects in pickers and to find the
/// dynamics slots whose gain reduction is metered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Eq,
    Dynamics,
    Drive,
    Delay,
    Reverb,
}

/// Everything the rack needs to know about an effect without instantiating it.
pub struct EffectSpec {
    /// Stable identifier (`compressor`), used in state, presets and the API.
    pub id: &'static str,
    /// Display name (`Compressor`).
    pub name: &'static str,
    pub family: Family,
    /// In the order of the index passed to [`Effect::set_param`].
    pub params: &'static [ParamSpec],
    /// Creates an instance for a sample rate, with every parameter at its default and no
    /// smoothing pending. Allocates (delay buffers), so never call it on the audio thread.
    pub build: fn(sample_rate: f32) -> Box<dyn Effect>,
}

impl EffectSpec {
    pub fn param_index(&self, id: &str) -> Option<usize> {
        self.params.iter().position(|p| p.id == id)
    }

    pub fn defaults(&self) -> Vec<f32> {
        self.params.iter().map(|p| p.default).collect()
    }
}

impl std::fmt::Debug for EffectSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id)
    }
}

/// One stereo effect.
///
/// Real-time contract: `set_param`, `set_tempo`, `reset` and `process` never allocate, lock or
/// block, and take time bounded by the number of samples.
pub trait Effect: Send {
    /// Sets the target of a parameter in plain units (index into [`EffectSpec::params`]).
    /// Continuous parameters glide to it so that jumps never click; out-of-range values are
    /// clamped. Unknown indices are ignored.
    fn set_param(&mut self, index: usize, value: f32);

    /// Clears all audio history (delay lines, envelopes, filter states) and lets every smoothed
    /// parameter jump to its target, so that the next block is rendered as if from a fresh
    /// instance: this is what makes a reload of the same state render bit-identically.
    fn reset(&mut self);

    /// Processes one stereo block in place. Blocks can be of any length, including 0.
    /// Input is finite (the rack sanitizes it); output must be finite for any parameters.
    fn process(&mut self, left: &mut [f32], right: &mut [f32]);

    /// Latency in samples at the current settings (a limiter's lookahead).
    fn latency(&self) -> usize {
        0
    }

    /// The host tempo, for effects with tempo-synced times.
    fn set_tempo(&mut self, _bpm: f64) {}

    /// Current gain reduction in dB (positive), for metering dynamics effects.
    fn gain_reduction_db(&self) -> f32 {
        0.0
    }
}
