//! The modulation settings as data: what state, presets and the API store and exchange.

use super::envelope::{EnvelopeConfig, ENVELOPE_COUNT};
use super::follower::{FollowerConfig, FOLLOWER_COUNT};
use super::lane::{AutomationLane, LaneSet};
use super::lfo::{LfoConfig, LFO_COUNT};
use super::matrix::{Matrix, Route, TargetResolver, DEPTH, MAX_ROUTES};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The format version written by this build. Readers accept it and anything older.
pub const CONFIG_VERSION: u32 = 1;

/// A configuration problem: `field` is a path into the configuration (`routes[3].target`),
/// `message` says what is wrong in words a user understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub field: String,
    pub message: String,
}

impl ConfigError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Every setting of the modulation sources, the routes and the automation lanes (by parameter
/// id). Missing fields take their defaults, so older documents load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModulationConfig {
    pub version: u32,
    pub lfos: [LfoConfig; LFO_COUNT],
    pub envelopes: [EnvelopeConfig; ENVELOPE_COUNT],
    pub followers: [FollowerConfig; FOLLOWER_COUNT],
    pub routes: Vec<Route>,
    pub lanes: BTreeMap<String, AutomationLane>,
}

impl Default for ModulationConfig {
    /// Each LFO gets its own seed, so that random LFOs do not move in lockstep.
    fn default() -> Self {
        Self {
            version: CONFIG_VERSION,
            lfos: std::array::from_fn(|i| LfoConfig { seed: i as u64 + 1, ..LfoConfig::default() }),
            envelopes: Default::default(),
            followers: Default::default(),
            routes: Vec::new(),
            lanes: BTreeMap::new(),
        }
    }
}

impl ModulationConfig {
    /// Checks everything, for clients that must be told what is wrong (the API). The first
    /// problem found is returned; a route or lane whose parameter does not exist is named.
    pub fn validate(&self, resolver: &dyn TargetResolver) -> Result<(), ConfigError> {
        self.resolve(resolver).map(drop)
    }

    /// Checks everything and resolves the routes' and lanes' targets.
    pub(crate) fn resolve(&self, resolver: &dyn TargetResolver) -> Result<(Matrix, LaneSet), ConfigError> {
        if self.version > CONFIG_VERSION {
            let message =
                format!("version {} is newer than this build reads ({CONFIG_VERSION})", self.version);
            return Err(ConfigError::new("version", message));
        }
        let in_field = |field: String| move |message| ConfigError { field, message };
        for (i, lfo) in self.lfos.iter().enumerate() {
            lfo.validate().map_err(in_field(format!("lfos[{i}]")))?;
        }
        for (i, envelope) in self.envelopes.iter().enumerate() {
            envelope.validate().map_err(in_field(format!("envelopes[{i}]")))?;
        }
        for (i, follower) in self.followers.iter().enumerate() {
            follower.validate().map_err(in_field(format!("followers[{i}]")))?;
        }
        Ok((Matrix::new(&self.routes, resolver)?, LaneSet::resolve(&self.lanes, resolver)?))
    }

    /// For states saved by older builds or for other racks: instead of refusing, drops the
    /// routes and lanes that cannot work (unknown parameter or source) and brings the rest into
    /// range. Returns the repaired configuration, which passes [`ModulationConfig::validate`],
    /// and one warning per change.
    pub fn load_lenient(mut self, resolver: &dyn TargetResolver) -> (Self, Vec<String>) {
        let mut warnings = Vec::new();
        if self.version > CONFIG_VERSION {
            warnings
                .push(format!("version {} is newer than this build; read as {CONFIG_VERSION}", self.version));
        }
        self.version = CONFIG_VERSION;
        let mut fix = |field: String, result: Result<(), String>, clamp: &mut dyn FnMut()| {
            if let Err(message) = result {
                warnings.push(format!("{field}: {message}; brought into range"));
                clamp();
            }
        };
        for (i, lfo) in self.lfos.iter_mut().enumerate() {
            fix(format!("lfos[{i}]"), lfo.validate(), &mut || lfo.clamp());
        }
        for (i, envelope) in self.envelopes.iter_mut().enumerate() {
            fix(format!("envelopes[{i}]"), envelope.validate(), &mut || envelope.clamp());
        }
        for (i, follower) in self.followers.iter_mut().enumerate() {
            fix(format!("followers[{i}]"), follower.validate(), &mut || follower.clamp());
        }
        let mut index = 0;
        self.routes.retain_mut(|route| {
            let field = format!("routes[{index}]");
            index += 1;
            let problem = match (route.source.validate(), resolver.resolve(&route.target)) {
                (Err(message), _) => Some(message),
                (_, None) => Some(format!("no parameter named {:?}", route.target)),
                _ => None,
            };
            if let Some(message) = problem {
                warnings.push(format!("{field}: {message}; route dropped"));
                return false;
            }
            if let Err(message) = DEPTH.validate(route.depth) {
                warnings.push(format!("{field}: {message}; brought into range"));
                route.depth = DEPTH.clamp(route.depth);
            }
            true
        });
        if self.routes.len() > MAX_ROUTES {
            warnings.push(format!("{} routes, only the first {MAX_ROUTES} kept", self.routes.len()));
            self.routes.truncate(MAX_ROUTES);
        }
        self.lanes.retain(|id, lane| {
            if resolver.resolve(id).is_none() {
                warnings.push(format!("lanes[{id}]: no parameter named {id:?}; lane dropped"));
                return false;
            }
            if let Err(message) = lane.validate() {
                warnings.push(format!("lanes[{id}]: {message}; repaired"));
                lane.repair();
            }
            true
        });
        (self, warnings)
    }
}
