//! Chat: answers about the current analysis, the rack's effects and mixing practice, built from
//! the measurements and the effect specs by the embedded engine, or phrased by an
//! OpenAI-compatible model given the same measurements (see [`llm`]), with the embedded engine
//! as its fall-back.

pub mod facts;
pub mod history;
pub mod llm;
pub mod perspectives;
pub mod rack;
pub mod specs;
pub mod topics;

pub use perspectives::Perspective;

use crate::{Delivery, Finding, Suggestion};
use codette_dsp::analysis::MeterReading;
use facts::{Fact, TRUE_PEAK_LIMIT};
use serde::Serialize;
use topics::Topic;

/// What a question is asked about: the measurements, the findings on them with the
/// suggestions that answer them, and the rack that plays.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    pub meters: Option<&'a MeterReading>,
    /// The findings on these measurements ([`crate::detect`]), with their evidence.
    pub findings: &'a [Finding],
    /// The suggestions for them on the rack ([`crate::suggest`]), as `/codette/apply` takes them.
    pub suggestions: &'a [Suggestion],
    pub rack: Option<rack::Rack<'a>>,
}

/// Which engine wrote the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Embedded,
    Llm,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChatResponse {
    pub response: String,
    pub perspective: Perspective,
    /// How much the answer rests on measurements of this material: 0.9 when it answers the
    /// question from them, 0.8 for the whole analysis or an effect's spec, 0.4 when nothing
    /// was measured and only the references could be given.
    pub confidence: f32,
    /// RFC 3339, UTC.
    pub timestamp: String,
    /// The suggestions for the findings the question is about (all of them for the whole
    /// analysis): concrete changes to the rack that `/codette/apply` takes by their id.
    pub suggestions: Vec<Suggestion>,
    /// Questions to ask next: the other topics the findings are about.
    pub follow_ups: Vec<String>,
    pub source: Source,
    /// Why the configured model was not used, when it failed (the embedded engine answered).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
}

/// The embedded engine's answer.
pub fn embedded(message: &str, perspective: Perspective, context: Context) -> ChatResponse {
    let topic = topics::topic(message);
    let (mut facts, confidence) = match (context.meters, topic) {
        (Some(m), Topic::Overview) => (facts::facts(topic, m), 0.8),
        (Some(m), _) => (facts::facts(topic, m), 0.9),
        (None, Topic::Effect(spec)) => (vec![specs::describe(spec)], 0.8),
        (None, Topic::Chain(instrument, genre)) => (specs::chain(instrument, genre, None), 0.8),
        (None, _) => (vec![unmeasured()], 0.4),
    };
    if let Some(rack) = context.rack {
        facts.extend(rack::rack_facts(topic, rack, context.meters));
    }
    let findings: Vec<&Finding> = context.findings.iter().filter(|f| topic.covers(f.id)).collect();
    let suggestions: Vec<Suggestion> = context
        .suggestions
        .iter()
        .filter(|s| s.finding.is_some_and(|kind| findings.iter().any(|f| f.id == kind)))
        .cloned()
        .collect();
    let finding_facts = findings.iter().map(|f| {
        let answer = suggestions.iter().find(|s| s.finding == Some(f.id));
        let advice = answer.map(|s| match &s.unavailable {
            Some(why) => format!("{} ({why})", s.description),
            None => format!("{} (suggestion `{}`, ready to apply)", s.description, s.id),
        });
        Fact { observation: format!("{}: {}", f.title, f.description), advice, concern: true }
    });
    facts.splice(0..0, finding_facts);
    if topic == Topic::Overview && context.meters.is_some() && !facts.iter().any(|f| f.concern) {
        facts.push(Fact {
            observation: "no finding: nothing is off its reference".into(),
            advice: None,
            concern: false,
        });
    }
    ChatResponse {
        response: perspective.phrase(&facts),
        perspective,
        confidence,
        timestamp: now(),
        suggestions,
        follow_ups: follow_ups(topic, context.findings),
        source: Source::Embedded,
        fallback: None,
        conversation_id: None,
    }
}

/// The references an answer without measurements can still give.
fn unmeasured() -> Fact {
    let targets: Vec<String> =
        Delivery::ALL.iter().map(|d| format!("{} {} LUFS", d.id(), d.target_lufs())).collect();
    Fact {
        observation: format!(
            "nothing has been measured in this conversation, so only the references can be given: integrated loudness {}, true peak at or below {TRUE_PEAK_LIMIT} dBTP, an RMS near −18 dBFS while mixing",
            targets.join(", ")
        ),
        advice: Some("ask with an instance (its meters) or send the audio, and the answer will rest on its numbers".into()),
        concern: false,
    }
}

/// The topics other than `asked` that the findings are about, as questions.
fn follow_ups(asked: Topic, findings: &[Finding]) -> Vec<String> {
    const QUESTIONS: [(Topic, &str); 5] = [
        (Topic::Loudness, "How loud is it against the streaming target?"),
        (Topic::Peaks, "Are the peaks safe for delivery?"),
        (Topic::Dynamics, "Is it over-compressed?"),
        (Topic::Stereo, "Will it hold up in mono?"),
        (Topic::Tone, "Which frequencies stand out?"),
    ];
    QUESTIONS
        .iter()
        .filter(|(topic, _)| *topic != asked && findings.iter().any(|f| topic.covers(f.id)))
        .map(|(_, question)| question.to_string())
        .collect()
}

/// The current time as RFC 3339.
pub fn now() -> String {
    time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}
