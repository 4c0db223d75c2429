//! Where a track is going, and the loudness each destination expects.
//!
//! Streaming platforms normalise playback: a track louder than the platform's reference is
//! turned down by the difference, so mastering louder than it buys nothing but lost dynamics.
//! The references are those the platforms publish (integrated loudness, ITU-R BS.1770):
//! Spotify −14 LUFS ("Loudness normalization", Spotify for Artists, default "normal" level);
//! Apple Music −16 LUFS (Sound Check, Apple Digital Masters guide); YouTube −14 LUFS
//! (its "stats for nerds" content loudness, turned down only); Tidal −14 LUFS (Tidal's
//! loudness normalisation since 2019); Amazon Music −14 LUFS (Amazon Music for Artists'
//! mastering recommendation).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// −14 LUFS, −1 dBTP: the reference most platforms normalise to.
    Streaming,
    /// −9 LUFS, −0.3 dBTP: DJ sets and club systems play masters loud and unnormalised; a
    /// design choice in the range of current dance masters (−10 to −7 LUFS).
    Club,
    /// −23 LUFS ±0.5 LU, −1 dBTP: EBU R 128.
    Broadcast,
    /// −16 LUFS, −1 dBTP: Apple Podcasts' and most podcast hosts' recommendation.
    Podcast,
}

/// The limiter's ceiling is on samples; between the samples of a heavily limited signal the
/// peaks exceed it by up to about 1 dB (measured on limited pink noise), so it is set this far
/// under the true-peak ceiling.
pub const INTERSAMPLE_MARGIN_DB: f32 = 1.5;

/// The threshold (sample ceiling, to a tenth of a dB) at which the rack's limiter keeps the true
/// peaks at or below `ceiling_dbtp`.
pub fn limiter_threshold(ceiling_dbtp: f32) -> f32 {
    ((ceiling_dbtp - INTERSAMPLE_MARGIN_DB) * 10.0).round() / 10.0
}

/// A platform's published normalisation reference.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Platform {
    pub name: &'static str,
    pub reference_lufs: f32,
}

pub const PLATFORMS: [Platform; 5] = [
    Platform { name: "Spotify", reference_lufs: -14.0 },
    Platform { name: "Apple Music", reference_lufs: -16.0 },
    Platform { name: "YouTube", reference_lufs: -14.0 },
    Platform { name: "Tidal", reference_lufs: -14.0 },
    Platform { name: "Amazon Music", reference_lufs: -14.0 },
];

/// How much a platform turns a track of `integrated_lufs` down (0 when it is at or below the
/// reference: quieter tracks are left alone or raised only as far as their peaks allow).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TurnDown {
    pub platform: &'static str,
    pub reference_lufs: f32,
    pub turn_down_db: f32,
}

pub fn turn_downs(integrated_lufs: f32) -> Vec<TurnDown> {
    PLATFORMS
        .iter()
        .map(|p| TurnDown {
            platform: p.name,
            reference_lufs: p.reference_lufs,
            turn_down_db: (integrated_lufs - p.reference_lufs).max(0.0),
        })
        .collect()
}

impl Delivery {
    pub const ALL: [Delivery; 4] =
        [Delivery::Streaming, Delivery::Club, Delivery::Broadcast, Delivery::Podcast];

    pub fn id(self) -> &'static str {
        match self {
            Delivery::Streaming => "streaming",
            Delivery::Club => "club",
            Delivery::Broadcast => "broadcast",
            Delivery::Podcast => "podcast",
        }
    }

    pub fn parse(name: &str) -> Option<Delivery> {
        Delivery::ALL.into_iter().find(|d| d.id().eq_ignore_ascii_case(name.trim()))
    }

    pub const fn target_lufs(self) -> f32 {
        match self {
            Delivery::Streaming => -14.0,
            Delivery::Club => -9.0,
            Delivery::Broadcast => -23.0,
            Delivery::Podcast => -16.0,
        }
    }

    /// The highest true peak allowed, in dBTP.
    pub const fn ceiling_dbtp(self) -> f32 {
        match self {
            Delivery::Club => -0.3,
            _ => -1.0,
        }
    }

    /// How far integrated loudness may sit from the target before it is a finding: R 128's
    /// ±0.5 LU for broadcast, ±1 LU elsewhere (the platforms' own measuring differs by that).
    pub fn tolerance_lu(self) -> f32 {
        match self {
            Delivery::Broadcast => 0.5,
            _ => 1.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loud_master_is_turned_down_by_its_excess_over_each_reference() {
        let t = turn_downs(-8.0);
        let by = |name: &str| t.iter().find(|x| x.platform == name).unwrap().turn_down_db;
        assert_eq!(by("Spotify"), 6.0);
        assert_eq!(by("Apple Music"), 8.0);
        assert!(turn_downs(-20.0).iter().all(|x| x.turn_down_db == 0.0));
        assert_eq!(Delivery::parse("Broadcast"), Some(Delivery::Broadcast));
    }
}
