//! From findings to suggestions: each names the change to the rack that addresses a finding,
//! with the finding's evidence, so that it can be checked, previewed, applied and undone.

mod fixes;
mod modulation;
mod neutral;
mod rack;

pub use neutral::make_level_neutral;

use crate::findings::{round2, Context, Evidence, Finding, FindingKind};
use crate::measurements::Measurements;
use crate::rack_change::{ChangeError, RackChange};
use codette_dsp::preset::Preset;
use serde::{Deserialize, Serialize};

/// Whether a suggestion sets values or adds modulation (sources and routes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionType {
    Static,
    Modulation,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// Stable for the same finding on the same rack: the finding's id, or the modulation's
    /// name with its slot (`duck_wet_s3`).
    pub id: String,
    #[serde(rename = "type")]
    pub kind: SuggestionType,
    /// The finding it answers, if any (modulation suggestions answer the rack, not a finding).
    pub finding: Option<FindingKind>,
    pub title: String,
    pub description: String,
    pub evidence: Vec<Evidence>,
    /// The change to apply; `None` when the rack has no tool for it or no room, and then
    /// `unavailable` says why.
    pub parameters: Option<RackChange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unavailable: Option<String>,
    /// 0..1: the finding's severity times how reliably the change fixes it.
    pub confidence: f32,
}

/// What a fix proposes: a description of the change and the change, or why there is none.
pub(crate) struct Fix {
    pub description: String,
    pub change: Result<RackChange, ChangeError>,
    /// How reliably the change fixes the finding: 1 for a measured gain, less for EQ moves
    /// judged from a band average.
    pub certainty: f32,
}

/// The suggestions for `findings` on the rack `preset` of `slot_count` slots, then the
/// modulation its reverbs, delays and filters could use.
pub fn suggest(
    findings: &[Finding],
    measurements: &Measurements,
    preset: &Preset,
    slot_count: usize,
    context: &Context,
) -> Vec<Suggestion> {
    let mut suggestions: Vec<Suggestion> = findings
        .iter()
        .map(|finding| {
            let fix = fixes::fix(finding, &measurements.meters, preset, slot_count, context);
            let (parameters, unavailable) = match fix.change {
                Ok(change) => (Some(change), None),
                Err(e) => (None, Some(e.message)),
            };
            Suggestion {
                id: finding.id.id(),
                kind: SuggestionType::Static,
                finding: Some(finding.id),
                title: finding.title.clone(),
                description: format!("{} {}", finding.description, fix.description),
                evidence: finding.evidence.clone(),
                parameters,
                unavailable,
                confidence: round2(finding.severity * fix.certainty),
            }
        })
        .collect();
    suggestions.extend(modulation::duck_wet_under_dry(&measurements.meters, preset, slot_count));
    suggestions.extend(modulation::filter_sweep(preset, slot_count));
    suggestions
}
