//! Every host parameter by index and id, with the conversions the API needs.

use crate::params::{HostParam, RackParams, Role};
use codette_dsp::param::ParamKind as SpecKind;
use codette_server::instance::{ParamKind, ParamView};
use codette_server::slots::{plain_value, ParamValue};
use codette_server::ApiError;
use std::collections::HashMap;
use std::sync::Arc;

/// Precision of plain values in the API: far finer than any control resolves, far coarser than
/// the error of an f32 normalized value.
const SIGNIFICANT_DIGITS: i32 = 6;

pub struct ParamTable {
    /// Keeps the parameters the pointers point into alive.
    _params: Arc<RackParams>,
    entries: Vec<HostParam>,
    by_id: HashMap<String, usize>,
}

// SAFETY: the `ParamPtr`s point into `_params`, which this table keeps alive and never moves
// (it is behind an `Arc`). Parameter values are atomics, so reading and setting them from any
// thread is what nice-plug's own wrappers do.
unsafe impl Send for ParamTable {}
unsafe impl Sync for ParamTable {}

impl ParamTable {
    pub fn new(params: Arc<RackParams>) -> Self {
        let entries = params.host_params();
        let by_id = entries.iter().enumerate().map(|(i, p)| (p.id.clone(), i)).collect();
        Self { _params: params, entries, by_id }
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn get(&self, index: usize) -> &HostParam {
        &self.entries[index]
    }

    /// The index of a parameter id, or a 422 naming `field` and the id.
    pub fn find(&self, id: &str, field: &str) -> Result<usize, ApiError> {
        self.by_id.get(id).copied().ok_or_else(|| {
            ApiError::invalid(
                "unknown_parameter",
                format!("no parameter {id:?}; ids look like s1_compressor_threshold, s1_mix, macro1 (see GET /api/instances/{{id}})"),
                field,
            )
        })
    }

    /// The index of an id this build is known to have.
    pub fn index(&self, id: &str) -> usize {
        self.by_id[id]
    }

    /// The value the host set, without its modulation, in 0..1.
    pub fn normalized(&self, index: usize) -> f32 {
        unsafe { self.entries[index].ptr.unmodulated_normalized_value() }
    }

    /// Sets a value as the host's automation would. Real-time safe: atomics only.
    pub fn set_normalized(&self, index: usize, normalized: f32) {
        unsafe { self.entries[index].ptr._internal_set_normalized_value(normalized) };
    }

    /// The normalized value of a requested plain value (a number, an option name, text with a
    /// unit, or a boolean), checked against the range; errors name `field`.
    pub fn plain_to_normalized(
        &self,
        index: usize,
        value: &ParamValue,
        field: &str,
    ) -> Result<f32, ApiError> {
        let spec = self.entries[index].spec;
        // Text with a unit, as a host's generic editor takes it (`-6 dB`, `2.5 kHz`).
        let parsed = match value {
            ParamValue::Name(text) if spec.options().is_empty() => {
                spec.parse(text).map(|v| ParamValue::Number(v as f64))
            }
            _ => None,
        };
        Ok(spec.normalize(plain_value(spec, parsed.as_ref().unwrap_or(value), field)?))
    }

    /// The plain value at `normalized`, without the float noise of the round trip through the
    /// host's normalized value (a saved 10 ms reads 10, not 10.000002).
    pub fn plain(&self, index: usize, normalized: f32) -> f32 {
        let plain = self.entries[index].spec.denormalize(normalized);
        if plain == 0.0 {
            return 0.0;
        }
        let scale = 10f64.powi(SIGNIFICANT_DIGITS - (plain.abs() as f64).log10().ceil() as i32);
        ((plain as f64 * scale).round() / scale) as f32
    }

    /// The parameter as the API shows it, at `normalized`.
    pub fn view(&self, index: usize, normalized: f32) -> ParamView {
        let entry = &self.entries[index];
        let spec = entry.spec;
        let plain = self.plain(index, normalized);
        let kind = match (entry.role, spec.kind) {
            (Role::SlotBypass(_), _) => ParamKind::Toggle,
            (_, SpecKind::Choice(_)) => ParamKind::Choice,
            (_, SpecKind::Integer) => ParamKind::Integer,
            _ => ParamKind::Continuous,
        };
        ParamView {
            id: entry.id.clone(),
            name: unsafe { entry.ptr.name() }.to_string(),
            value: plain as f64,
            text: unsafe { entry.ptr.normalized_value_to_string(normalized, true) },
            unit: spec.unit.name().to_string(),
            min: spec.min as f64,
            max: spec.max as f64,
            default: spec.default as f64,
            normalized: normalized as f64,
            kind,
            options: (!spec.options().is_empty())
                .then(|| spec.options().iter().map(|o| o.to_string()).collect()),
        }
    }
}
