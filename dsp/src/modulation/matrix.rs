//! The modulation matrix: routes from sources to parameters and the rule that combines them.

use super::config::ConfigError;
use super::envelope::ENVELOPE_COUNT;
use super::follower::FOLLOWER_COUNT;
use super::lfo::LFO_COUNT;
use super::midi::CC_COUNT;
use super::ticks::TickRecord;
use crate::param::{ParamSpec, Unit};
use serde::{Deserialize, Serialize};
use std::ops::Range;

pub const MACRO_COUNT: usize = 8;

/// How many routes a configuration may hold.
pub const MAX_ROUTES: usize = 64;

pub static DEPTH: ParamSpec = ParamSpec::linear("depth", "Depth", -1.0, 1.0, 0.5, Unit::Amount);

/// Unipolar values lie in 0..1, bipolar ones in -1..1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Polarity {
    Unipolar,
    #[default]
    Bipolar,
}

/// A value of polarity `from` seen in polarity `to`: bipolar of unipolar `u` is `2u - 1`,
/// unipolar of bipolar `b` is `(b + 1) / 2`.
pub fn map_polarity(value: f32, from: Polarity, to: Polarity) -> f32 {
    match (from, to) {
        (Polarity::Unipolar, Polarity::Bipolar) => 2.0 * value - 1.0,
        (Polarity::Bipolar, Polarity::Unipolar) => (value + 1.0) * 0.5,
        _ => value,
    }
}

/// The combination rule, in normalized parameter space: the base plus the routes' summed
/// offsets, kept in 0..1 (a NaN base counts as 0, so a caller's bug cannot reach the rack).
pub fn combine(base: f32, offset: f32) -> f32 {
    let value = base + offset;
    if value.is_nan() {
        0.0
    } else {
        value.clamp(0.0, 1.0)
    }
}

/// What a route listens to. Indices count from 0. In JSON: `{"type": "lfo", "index": 0}`,
/// `{"type": "velocity"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "index", rename_all = "snake_case")]
pub enum Source {
    Lfo(usize),
    Envelope(usize),
    Follower(usize),
    Macro(usize),
    /// Velocity of the last note-on, 0..1.
    Velocity,
    /// Number of the last note-on, 0..127 as 0..1.
    Note,
    /// A MIDI controller's last value, 0..127 as 0..1.
    Cc(usize),
}

impl Source {
    pub fn validate(self) -> Result<(), String> {
        let (name, index, count) = match self {
            Source::Lfo(i) => ("LFO", i, LFO_COUNT),
            Source::Envelope(i) => ("envelope", i, ENVELOPE_COUNT),
            Source::Follower(i) => ("follower", i, FOLLOWER_COUNT),
            Source::Macro(i) => ("macro", i, MACRO_COUNT),
            Source::Cc(i) => ("CC", i, CC_COUNT),
            Source::Velocity | Source::Note => return Ok(()),
        };
        if index < count {
            Ok(())
        } else {
            Err(format!("there is no {name} {index} (indices go from 0 to {})", count - 1))
        }
    }
}

/// The current value of every source. Only LFOs can be bipolar; all else is unipolar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SourceValues {
    pub lfo: [f32; LFO_COUNT],
    pub lfo_polarity: [Polarity; LFO_COUNT],
    pub envelope: [f32; ENVELOPE_COUNT],
    pub follower: [f32; FOLLOWER_COUNT],
    pub macros: [f32; MACRO_COUNT],
    pub velocity: f32,
    pub note: f32,
    pub cc: [f32; CC_COUNT],
}

impl Default for SourceValues {
    fn default() -> Self {
        Self {
            lfo: [0.0; LFO_COUNT],
            lfo_polarity: [Polarity::Bipolar; LFO_COUNT],
            envelope: [0.0; ENVELOPE_COUNT],
            follower: [0.0; FOLLOWER_COUNT],
            macros: [0.0; MACRO_COUNT],
            velocity: 0.0,
            note: 0.0,
            cc: [0.0; CC_COUNT],
        }
    }
}

impl SourceValues {
    /// A source's value and its own polarity; 0 for an index out of range.
    pub fn get(&self, source: Source) -> (f32, Polarity) {
        let unipolar = |v: Option<&f32>| (v.copied().unwrap_or(0.0), Polarity::Unipolar);
        match source {
            Source::Lfo(i) => match (self.lfo.get(i), self.lfo_polarity.get(i)) {
                (Some(&v), Some(&p)) => (v, p),
                _ => (0.0, Polarity::Unipolar),
            },
            Source::Envelope(i) => unipolar(self.envelope.get(i)),
            Source::Follower(i) => unipolar(self.follower.get(i)),
            Source::Macro(i) => unipolar(self.macros.get(i)),
            Source::Velocity => unipolar(Some(&self.velocity)),
            Source::Note => unipolar(Some(&self.note)),
            Source::Cc(i) => unipolar(self.cc.get(i)),
        }
    }
}

fn enabled_by_default() -> bool {
    true
}

/// One route of the matrix. `target` is a host parameter id (`s3_compressor_threshold`),
/// stored as given; [`TargetResolver`] turns it into the caller's index once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Route {
    pub source: Source,
    pub target: String,
    /// -1..1: the share of the parameter's normalized range a full-scale source moves it by.
    pub depth: f32,
    #[serde(default)]
    pub mapping: Polarity,
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
}

/// Turns a parameter id into the caller's index for it, or `None` when there is no such
/// parameter. Closures `Fn(&str) -> Option<usize>` are resolvers.
pub trait TargetResolver {
    fn resolve(&self, id: &str) -> Option<usize>;
}

impl<F: Fn(&str) -> Option<usize>> TargetResolver for F {
    fn resolve(&self, id: &str) -> Option<usize> {
        self(id)
    }
}

#[derive(Debug, Clone, Copy)]
struct ResolvedRoute {
    target: usize,
    source: Source,
    /// Where `source` is in the matrix's `sources`, and so which row of a [`TickRecord`] holds it.
    row: usize,
    depth: f32,
    mapping: Polarity,
}

impl ResolvedRoute {
    /// What the route adds to its target's base for a source value.
    #[inline]
    fn offset(&self, value: f32, polarity: Polarity) -> f32 {
        self.depth * map_polarity(value, polarity, self.mapping)
    }
}

/// The enabled routes with their targets resolved, grouped by target.
#[derive(Debug, Clone, Default)]
pub struct Matrix {
    routes: Vec<ResolvedRoute>,
    /// Each target with the range of its routes in `routes`, found once here rather than at
    /// every tick.
    groups: Vec<(usize, Range<usize>)>,
    /// The sources the routes read, each once: row `i` of a [`TickRecord`] holds `sources[i]`.
    sources: Vec<Source>,
}

impl Matrix {
    /// Checks every route (disabled ones too, so that a route switched on later cannot fail)
    /// and resolves the targets. Allocates: build it off the audio thread.
    pub fn new(routes: &[Route], resolver: &dyn TargetResolver) -> Result<Self, ConfigError> {
        if routes.len() > MAX_ROUTES {
            let message = format!("{} routes, at most {MAX_ROUTES} are allowed", routes.len());
            return Err(ConfigError::new("routes", message));
        }
        let mut resolved = Vec::with_capacity(routes.len());
        for (i, route) in routes.iter().enumerate() {
            let field = |name: &str| format!("routes[{i}].{name}");
            route.source.validate().map_err(|m| ConfigError::new(field("source"), m))?;
            DEPTH.validate(route.depth).map_err(|m| ConfigError::new(field("depth"), m))?;
            let target = resolver.resolve(&route.target).ok_or_else(|| {
                ConfigError::new(field("target"), format!("no parameter named {:?}", route.target))
            })?;
            if route.enabled {
                resolved.push(ResolvedRoute {
                    target,
                    source: route.source,
                    row: 0,
                    depth: route.depth,
                    mapping: route.mapping,
                });
            }
        }
        let mut sources: Vec<Source> = Vec::new();
        for route in &mut resolved {
            route.row = sources.iter().position(|&s| s == route.source).unwrap_or_else(|| {
                sources.push(route.source);
                sources.len() - 1
            });
        }
        // Stable, so each target sums its routes in the configured order: bit-exact reloads.
        resolved.sort_by_key(|r| r.target);
        let mut groups = Vec::new();
        let mut start = 0;
        for group in resolved.chunk_by(|a, b| a.target == b.target) {
            groups.push((group[0].target, start..start + group.len()));
            start += group.len();
        }
        Ok(Self { routes: resolved, groups, sources })
    }

    /// Calls `apply(target, value)` for every target with an enabled route, where `value` is
    /// [`combine`]`(base(target), Σ depth · source mapped to the route's polarity)`.
    /// Allocation-free.
    pub fn modulate(
        &self,
        sources: &SourceValues,
        mut base: impl FnMut(usize) -> f32,
        mut apply: impl FnMut(usize, f32),
    ) {
        let mut record = TickRecord::<1>::default();
        let tick = record.push(None);
        self.record(sources, &mut record, tick);
        self.modulate_ticks(&record, |t, column| column.fill(base(t)), |t, column| apply(t, column[0]));
    }

    /// Stores the current values of the sources the routes read as tick `tick` of `record`.
    pub(super) fn record<const N: usize>(
        &self,
        sources: &SourceValues,
        record: &mut TickRecord<N>,
        tick: usize,
    ) {
        for (row, &source) in self.sources.iter().enumerate() {
            record.set(row, tick, sources.get(source));
        }
    }

    /// [`modulate`](Self::modulate) over recorded ticks: `apply(target, column)` for every
    /// target with an enabled route, `column` holding its value at each tick, which
    /// `base(target, column)` fills with the bases first. Allocation-free.
    #[inline]
    pub(super) fn modulate_ticks<const N: usize>(
        &self,
        record: &TickRecord<N>,
        mut base: impl FnMut(usize, &mut [f32]),
        mut apply: impl FnMut(usize, &[f32]),
    ) {
        let (mut offsets, mut column) = ([0.0f32; N], [0.0f32; N]);
        let (offsets, column) = (&mut offsets[..record.len()], &mut column[..record.len()]);
        for (target, routes) in &self.groups {
            offsets.fill(0.0);
            for r in &self.routes[routes.clone()] {
                let (values, polarity) = record.row(r.row);
                for (sum, &value) in offsets.iter_mut().zip(values) {
                    *sum += r.offset(value, polarity);
                }
            }
            base(*target, column);
            for (value, &offset) in column.iter_mut().zip(offsets.iter()) {
                *value = combine(*value, offset);
            }
            apply(*target, column);
        }
    }

    /// The targets with at least one enabled route, ascending.
    pub fn targets(&self) -> impl Iterator<Item = usize> + '_ {
        self.groups.iter().map(|(target, _)| *target)
    }

    pub fn has_target(&self, target: usize) -> bool {
        self.routes.binary_search_by_key(&target, |r| r.target).is_ok()
    }

    /// Whether an enabled route listens to `source`.
    pub fn uses(&self, source: Source) -> bool {
        self.routes.iter().any(|r| r.source == source)
    }
}
