//! The genres and instruments the assistant knows: its templates, reference curves and
//! recommendations are given per genre and instrument.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Genre {
    Pop,
    HipHop,
    Rock,
    Electronic,
    Jazz,
    Ambient,
}

impl Genre {
    pub const ALL: [Genre; 6] =
        [Genre::Pop, Genre::HipHop, Genre::Rock, Genre::Electronic, Genre::Jazz, Genre::Ambient];

    /// The name used in JSON and URLs (`hip-hop`).
    pub fn id(self) -> &'static str {
        match self {
            Genre::Pop => "pop",
            Genre::HipHop => "hip-hop",
            Genre::Rock => "rock",
            Genre::Electronic => "electronic",
            Genre::Jazz => "jazz",
            Genre::Ambient => "ambient",
        }
    }

    /// Accepts the id, and the spellings the predecessor's clients sent (`hiphop`, `hip_hop`),
    /// in any case.
    pub fn parse(name: &str) -> Option<Genre> {
        let key: String = name.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        Genre::ALL.into_iter().find(|g| g.id().replace('-', "").eq_ignore_ascii_case(&key))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Instrument {
    Vocals,
    Drums,
    Bass,
    Guitar,
    Keys,
    MixBus,
    Master,
}

impl Instrument {
    pub const ALL: [Instrument; 7] = [
        Instrument::Vocals,
        Instrument::Drums,
        Instrument::Bass,
        Instrument::Guitar,
        Instrument::Keys,
        Instrument::MixBus,
        Instrument::Master,
    ];

    /// The name used in JSON and URLs (`mix-bus`).
    pub fn id(self) -> &'static str {
        match self {
            Instrument::Vocals => "vocals",
            Instrument::Drums => "drums",
            Instrument::Bass => "bass",
            Instrument::Guitar => "guitar",
            Instrument::Keys => "keys",
            Instrument::MixBus => "mix-bus",
            Instrument::Master => "master",
        }
    }

    /// Accepts the id in any case and spelling of its separator (`mix_bus`, `MixBus`), and the
    /// singular `vocal`.
    pub fn parse(name: &str) -> Option<Instrument> {
        let key: String = name.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        let key = if key.eq_ignore_ascii_case("vocal") { "vocals".to_string() } else { key };
        Instrument::ALL.into_iter().find(|i| i.id().replace('-', "").eq_ignore_ascii_case(&key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_old_spellings_parse() {
        for genre in Genre::ALL {
            assert_eq!(Genre::parse(genre.id()), Some(genre));
            let json = serde_json::to_string(&genre).unwrap();
            assert_eq!(json, format!("\"{}\"", genre.id()));
        }
        for instrument in Instrument::ALL {
            assert_eq!(Instrument::parse(instrument.id()), Some(instrument));
        }
        assert_eq!(Genre::parse("HipHop"), Some(Genre::HipHop));
        assert_eq!(Genre::parse("hip_hop"), Some(Genre::HipHop));
        assert_eq!(Instrument::parse("mix_bus"), Some(Instrument::MixBus));
        assert_eq!(Instrument::parse("Vocal"), Some(Instrument::Vocals));
        assert_eq!(Genre::parse("polka"), None);
    }
}
