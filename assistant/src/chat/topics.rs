//! What a question is about, from its words: the measurement it asks after, or the effect it
//! names. Plain word matching is enough here because every answer is then built from the
//! measurements and the effect specs, not looked up in a table of canned replies.

use crate::{FindingKind, Genre, Instrument};
use codette_dsp::registry::EFFECTS;
use codette_dsp::EffectSpec;

#[derive(Debug, Clone, Copy)]
pub enum Topic {
    Loudness,
    Peaks,
    Dynamics,
    Stereo,
    Tone,
    /// Levels for recording and mixing: where the RMS and peaks sit.
    GainStaging,
    /// A named effect and its parameters.
    Effect(&'static EffectSpec),
    /// How to process an instrument (in a genre, pop unless named): its template chain.
    Chain(Instrument, Genre),
    /// No particular subject: the whole analysis.
    Overview,
}

impl PartialEq for Topic {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Topic::Effect(a), Topic::Effect(b)) => a.id == b.id,
            (Topic::Chain(a, g), Topic::Chain(b, h)) => a == b && g == h,
            _ => std::mem::discriminant(self) == std::mem::discriminant(other),
        }
    }
}

impl Topic {
    /// Whether the findings of `kind` are what this topic asks about: the whole analysis
    /// covers all of them, a named subject its own, an effect those it fixes, a chain none.
    pub fn covers(self, kind: FindingKind) -> bool {
        use FindingKind::*;
        match self {
            Topic::Overview => true,
            Topic::Loudness => kind == LoudnessOffTarget,
            Topic::Peaks => matches!(kind, TruePeakOver | Clipping),
            Topic::Dynamics => matches!(kind, OverCompressed | TooDynamic),
            Topic::Stereo => matches!(kind, PhaseProblem | TooNarrow | TooWide),
            Topic::Tone => matches!(kind, Rumble | Mud | Harshness | Dullness),
            // An effect: the findings it is the tool for.
            Topic::Effect(spec) => match spec.id {
                "eq3band" | "highlow_pass" => Topic::Tone.covers(kind),
                "limiter" => Topic::Loudness.covers(kind) || Topic::Peaks.covers(kind),
                "compressor" => Topic::Dynamics.covers(kind),
                _ => false,
            },
            Topic::GainStaging | Topic::Chain(..) => false,
        }
    }
}

/// Words that point at each topic; the first topic with a match wins, in this order.
const KEYWORDS: &[(Topic, &[&str])] = &[
    (Topic::Peaks, &["peak", "clip", "clipping", "distort", "overs", "true peak", "dbtp", "ceiling"]),
    (
        Topic::Loudness,
        &[
            "loud",
            "lufs",
            "loudness",
            "quiet",
            "spotify",
            "streaming",
            "youtube",
            "broadcast",
            "podcast",
            "master",
        ],
    ),
    (
        Topic::Dynamics,
        &["dynamic", "crest", "punch", "squash", "compressed", "plr", "loudness range", "transient"],
    ),
    (Topic::Stereo, &["stereo", "width", "wide", "narrow", "mono", "phase", "correlation", "pan"]),
    (
        Topic::Tone,
        &[
            "eq",
            "tone",
            "tonal",
            "mud",
            "muddy",
            "harsh",
            "bright",
            "dull",
            "boom",
            "boomy",
            "bass",
            "low end",
            "highs",
            "sibil",
            "rumble",
            "frequency",
            "spectrum",
        ],
    ),
    (Topic::GainStaging, &["gain", "staging", "level", "headroom", "rms", "fader"]),
];

/// Words that ask how to process something, rather than about a measurement.
const PROCESSING: &[&str] = &[
    "chain",
    "process",
    "treat",
    "setting",
    "preset",
    "template",
    "sit",
    "how do i",
    "how should i",
    "recommend",
];

/// Other names people use for the rack's effects.
const EFFECT_ALIASES: &[(&str, &str)] = &[
    ("compression", "compressor"),
    ("equalizer", "eq3band"),
    ("equaliser", "eq3band"),
    ("high pass", "highlow_pass"),
    ("highpass", "highlow_pass"),
    ("low pass", "highlow_pass"),
    ("lowpass", "highlow_pass"),
    ("filter", "highlow_pass"),
    ("echo", "simple_delay"),
    ("delay", "simple_delay"),
    ("ping pong", "pingpong_delay"),
    ("hall", "hall_reverb"),
    ("plate", "plate_reverb"),
    ("reverb", "reverb"),
    ("clipper", "hardclip"),
];

fn words(message: &str) -> Vec<String> {
    message
        .to_lowercase()
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Whether `phrase` (one or more words) occurs in the message, as whole words or a word's start
/// (`compress` in `compressed`).
fn mentions(words: &[String], phrase: &str) -> bool {
    let parts: Vec<&str> = phrase.split(' ').collect();
    words.windows(parts.len()).any(|w| w.iter().zip(&parts).all(|(word, part)| word.starts_with(part)))
}

/// The effect the message names by id (`hall_reverb`), display name (`Hall Reverb`) or alias.
pub fn named_effect(message: &str) -> Option<&'static EffectSpec> {
    let lower = message.to_lowercase();
    let w = words(message);
    EFFECTS
        .iter()
        .copied()
        .filter(|e| w.iter().any(|word| word == e.id) || lower.contains(&e.name.to_lowercase()))
        // "Hall Reverb" also contains "Reverb": the longest name that matches is the one meant.
        .max_by_key(|e| e.name.len())
        .or_else(|| {
            EFFECT_ALIASES
                .iter()
                .filter(|(alias, _)| mentions(&w, alias))
                .max_by_key(|(alias, _)| alias.len())
                .and_then(|(_, id)| codette_dsp::registry::find(id))
        })
}

/// An instrument named in the message together with a genre or a word about processing.
fn chain(words: &[String]) -> Option<Topic> {
    let instrument = words
        .iter()
        .find_map(|w| Instrument::parse(w))
        .or_else(|| words.windows(2).find_map(|pair| Instrument::parse(&pair.concat())))?;
    let genre = words
        .iter()
        .find_map(|w| Genre::parse(w))
        .or_else(|| words.windows(2).find_map(|pair| Genre::parse(&pair.concat())));
    let asks = PROCESSING.iter().any(|p| mentions(words, p));
    (genre.is_some() || asks).then(|| Topic::Chain(instrument, genre.unwrap_or(Genre::Pop)))
}

pub fn topic(message: &str) -> Topic {
    let w = words(message);
    if let Some(spec) = named_effect(message) {
        return Topic::Effect(spec);
    }
    if let Some(chain) = chain(&w) {
        return chain;
    }
    KEYWORDS
        .iter()
        .find(|(_, keys)| keys.iter().any(|k| mentions(&w, k)))
        .map_or(Topic::Overview, |(topic, _)| *topic)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_find_their_topic() {
        assert_eq!(topic("Is my track too loud for Spotify?"), Topic::Loudness);
        assert_eq!(topic("why does it clip"), Topic::Peaks);
        assert_eq!(topic("The mix sounds muddy"), Topic::Tone);
        assert_eq!(topic("is it mono compatible?"), Topic::Stereo);
        assert_eq!(topic("How does it sound?"), Topic::Overview);
        assert_eq!(topic("is it too loud?"), Topic::Loudness);
        let Topic::Effect(spec) = topic("how should I set the compressor?") else { panic!() };
        assert_eq!(spec.id, "compressor");
        let Topic::Effect(spec) = topic("what does the Hall Reverb pre-delay do") else { panic!() };
        assert_eq!(spec.id, "hall_reverb");
        let Topic::Effect(spec) = topic("more compression on vocals?") else { panic!() };
        assert_eq!(spec.id, "compressor");
        assert_eq!(
            topic("how should I process hip hop drums?"),
            Topic::Chain(Instrument::Drums, Genre::HipHop)
        );
        assert_eq!(topic("a chain for the mix bus"), Topic::Chain(Instrument::MixBus, Genre::Pop));
        assert_eq!(topic("the bass is too loud"), Topic::Loudness);
        assert_eq!(topic("is it over-compressed?"), Topic::Dynamics);
        let Topic::Effect(spec) = topic("a ping-pong echo") else { panic!() };
        assert_eq!(spec.id, "pingpong_delay");
    }
}
