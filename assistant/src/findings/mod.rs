//! What Codette found, each with the measured numbers and the target it was judged against.

mod detect;

pub use detect::detect;

use crate::delivery::Delivery;
use crate::genre::Genre;
use serde::{Deserialize, Serialize};

/// The kinds of problem Codette looks for; the id of a finding and of the suggestion made for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    LoudnessOffTarget,
    TruePeakOver,
    Clipping,
    Rumble,
    Mud,
    Harshness,
    Dullness,
    OverCompressed,
    TooDynamic,
    PhaseProblem,
    TooNarrow,
    TooWide,
}

impl FindingKind {
    pub const ALL: [FindingKind; 12] = [
        FindingKind::LoudnessOffTarget,
        FindingKind::TruePeakOver,
        FindingKind::Clipping,
        FindingKind::Rumble,
        FindingKind::Mud,
        FindingKind::Harshness,
        FindingKind::Dullness,
        FindingKind::OverCompressed,
        FindingKind::TooDynamic,
        FindingKind::PhaseProblem,
        FindingKind::TooNarrow,
        FindingKind::TooWide,
    ];

    /// The id in JSON (`loudness_off_target`).
    pub fn id(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
    }

    /// Which of the API's analysis types looks for it.
    pub fn analysis_type(self) -> AnalysisType {
        match self {
            FindingKind::LoudnessOffTarget | FindingKind::TruePeakOver => AnalysisType::Loudness,
            FindingKind::Rumble | FindingKind::Mud | FindingKind::Harshness | FindingKind::Dullness => {
                AnalysisType::Spectrum
            }
            FindingKind::OverCompressed | FindingKind::TooDynamic => AnalysisType::Dynamic,
            FindingKind::Clipping
            | FindingKind::PhaseProblem
            | FindingKind::TooNarrow
            | FindingKind::TooWide => AnalysisType::Quality,
        }
    }
}

/// The API's `analysis_type`: which findings an analysis reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnalysisType {
    Spectrum,
    Dynamic,
    Loudness,
    /// Everything: the quality of the mix as a whole.
    #[default]
    Quality,
}

impl AnalysisType {
    /// Quality covers every finding; the others their own.
    pub fn covers(self, kind: FindingKind) -> bool {
        self == AnalysisType::Quality || kind.analysis_type() == self
    }
}

/// One measured number and what it was compared with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The metric's name in the API's meters (`lufs_integrated`), or a derived one named here
    /// (`tonal_balance.low_mid_vs_reference`, `spotify_turn_down_db`).
    pub metric: String,
    pub measured: f32,
    pub target: f32,
    pub unit: String,
    /// How the two compare: `target ± 1`, `at most`, `at least`.
    pub comparison: String,
}

impl Evidence {
    pub fn new(metric: &str, measured: f32, target: f32, unit: &str, comparison: &str) -> Self {
        Self {
            metric: metric.to_string(),
            measured: round2(measured),
            target: round2(target),
            unit: unit.to_string(),
            comparison: comparison.to_string(),
        }
    }
}

/// Two decimals: evidence is read by people, and more digits than the meters resolve mislead.
pub(crate) fn round2(x: f32) -> f32 {
    (x * 100.0).round() / 100.0
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub id: FindingKind,
    pub title: String,
    pub description: String,
    pub evidence: Vec<Evidence>,
    /// How far past its threshold the measure is, in the unit of the first evidence: 0 at the
    /// threshold. What "worse" means when two analyses are compared.
    pub excess: f32,
    /// 0..1: near 0.5 just past the threshold, towards 0.95 twice as far past it.
    pub severity: f32,
}

/// What the track is judged against.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Context {
    pub delivery: Option<Delivery>,
    pub genre: Option<Genre>,
}

impl Context {
    pub fn delivery(&self) -> Delivery {
        self.delivery.unwrap_or(Delivery::Streaming)
    }
}
