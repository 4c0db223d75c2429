//! The predecessor's perspectives, kept as styles of answer: each phrases the same measured
//! facts in its own way (cause and effect, patterns, proportion, alternatives, encouragement,
//! listening, honesty about limits, creative options). None changes the facts.

use super::facts::Fact;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Perspective {
    /// Plain engineering: the numbers and the change, the default.
    #[default]
    MixEngineering,
    #[serde(rename = "neuralnets")]
    NeuralNets,
    Newtonian,
    #[serde(rename = "davinci")]
    DaVinci,
    Quantum,
    ResilientKindness,
    HumanIntuition,
    Ethical,
    Creative,
}

impl Perspective {
    pub const ALL: [Perspective; 9] = [
        Perspective::MixEngineering,
        Perspective::NeuralNets,
        Perspective::Newtonian,
        Perspective::DaVinci,
        Perspective::Quantum,
        Perspective::ResilientKindness,
        Perspective::HumanIntuition,
        Perspective::Ethical,
        Perspective::Creative,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Perspective::MixEngineering => "mix_engineering",
            Perspective::NeuralNets => "neuralnets",
            Perspective::Newtonian => "newtonian",
            Perspective::DaVinci => "davinci",
            Perspective::Quantum => "quantum",
            Perspective::ResilientKindness => "resilient_kindness",
            Perspective::HumanIntuition => "human_intuition",
            Perspective::Ethical => "ethical",
            Perspective::Creative => "creative",
        }
    }

    /// The id in any case, with or without separators (`neural_nets`, `DaVinci`).
    pub fn parse(name: &str) -> Option<Perspective> {
        let key: String = name.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        Perspective::ALL.into_iter().find(|p| p.id().replace('_', "").eq_ignore_ascii_case(&key))
    }

    /// How the perspective answers, for an external model's instructions.
    pub fn manner(self) -> &'static str {
        match self {
            Perspective::MixEngineering => "a mix engineer: the measured numbers first, then the exact change",
            Perspective::NeuralNets => "pattern recognition: name the patterns in the measurements and how strongly each points to a cause",
            Perspective::Newtonian => "cause and effect: what the measurement causes, and the correction that follows",
            Perspective::DaVinci => "proportion: how the parts of the sound relate to each other and to the whole",
            Perspective::Quantum => "possibilities: the alternative readings of the measurements and the paths each opens",
            Perspective::ResilientKindness => "encouragement: what already works, then one achievable step",
            Perspective::HumanIntuition => "listening: what to listen for, then what the numbers confirm",
            Perspective::Ethical => "honesty: what the measurements show and what they cannot show, and the listener's interest",
            Perspective::Creative => "creative options: the change, and how the character could instead be used on purpose",
        }
    }

    /// The facts as an answer in this perspective's style.
    pub fn phrase(self, facts: &[Fact]) -> String {
        let concerns: Vec<&Fact> = facts.iter().filter(|f| f.concern).collect();
        let fine: Vec<&Fact> = facts.iter().filter(|f| !f.concern).collect();
        let lines = |f: &dyn Fn(&Fact) -> String| facts.iter().map(f).collect::<Vec<_>>().join("\n");
        let advice = |f: &Fact| f.advice.as_deref().map(|a| format!(" → {a}")).unwrap_or_default();
        match self {
            Perspective::MixEngineering => lines(&|f| format!("• {}{}.", capital(&f.observation), advice(f))),
            Perspective::Newtonian => lines(&|f| match &f.advice {
                Some(a) => format!("Measured: {}. Consequence and correction: {a}.", f.observation),
                None => format!("Measured: {}. No force needs applying here.", f.observation),
            }),
            Perspective::NeuralNets => lines(&|f| {
                let weight = if f.concern { "strong signal" } else { "weak signal" };
                format!("Pattern ({weight}): {}{}.", f.observation, advice(f))
            }),
            Perspective::DaVinci => format!(
                "Seen as a whole, as a drawing is judged by its proportions:\n{}",
                lines(&|f| format!("— {}{}.", f.observation, advice(f)))
            ),
            Perspective::Quantum => lines(&|f| match &f.advice {
                Some(a) => format!("{}. Two states are open: {a}; or keep it, if it is the sound you intend.", capital(&f.observation)),
                None => format!("{}: one stable state, nothing to collapse.", capital(&f.observation)),
            }),
            Perspective::ResilientKindness => {
                let good: Vec<String> = fine.iter().map(|f| f.observation.clone()).collect();
                let mut text = match good.is_empty() {
                    true => "You have something to work with, and the numbers show where.".to_string(),
                    false => format!("What already works: {}.", good.join("; ")),
                };
                if let Some(first) = concerns.first() {
                    text += &format!("\nOne step at a time: {}{}.", first.observation, advice(first));
                    if concerns.len() > 1 {
                        text += &format!(" After that, {} more to look at, one by one.", concerns.len() - 1);
                    }
                }
                text
            }
            Perspective::HumanIntuition => lines(&|f| match f.concern {
                true => format!("Listen for it first, then check: {}{}.", f.observation, advice(f)),
                false => format!("Your ears can rest here: {}.", f.observation),
            }),
            Perspective::Ethical => format!(
                "{}\nThese are measurements, not verdicts: they cannot say what you intend, only where the sound stands against its references.",
                lines(&|f| format!("What the meters show: {}{}.", f.observation, advice(f)))
            ),
            Perspective::Creative => lines(&|f| match &f.advice {
                Some(a) => format!("{}. The fix: {a}. Or make it a feature, exaggerated on purpose in one section.", capital(&f.observation)),
                None => format!("{}: a solid canvas to paint on.", capital(&f.observation)),
            }),
        }
    }
}

fn capital(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_perspective_keeps_the_facts_numbers() {
        let facts = [
            Fact {
                observation: "true peak 0.4 dBTP".into(),
                advice: Some("ceiling at -1 dB".into()),
                concern: true,
            },
            Fact { observation: "correlation 0.82".into(), advice: None, concern: false },
        ];
        for p in Perspective::ALL {
            assert_eq!(Perspective::parse(p.id()), Some(p));
            let text = p.phrase(&facts);
            for number in ["0.4 dBTP", "-1 dB", "0.82"] {
                assert!(text.contains(number), "{}: {text}", p.id());
            }
        }
        assert_eq!(Perspective::parse("DaVinci"), Some(Perspective::DaVinci));
        assert_eq!(Perspective::parse("neural_nets"), Some(Perspective::NeuralNets));
        assert_eq!(serde_json::to_string(&Perspective::DaVinci).unwrap(), "\"davinci\"");
        for p in Perspective::ALL {
            assert_eq!(serde_json::to_string(&p).unwrap(), format!("\"{}\"", p.id()));
        }
    }
}
