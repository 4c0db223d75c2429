//! What a finished mix of each genre usually measures: its tonal balance against pink noise
//! (in the analysis' six bands, and from them in the ranges mud and harshness are judged on),
//! the loudness range it rarely exceeds, and the peak-to-loudness ratio below which it sounds
//! squashed.
//!
//! These are design choices, not a standard: gentle departures from pink in the directions
//! engineers describe for each genre (hip-hop and electronic music weigh more in the sub and
//! low bands, jazz and rock in the mids; every genre falls off a little faster than pink in
//! the top octaves), loudness ranges after EBU Tech 3342's survey of genres (pop and dance
//! masters 4-8 LU, jazz and film-like ambient up to 15-20), and peak-to-loudness ratios from
//! the span between today's loud masters (PLR 7-8 dB) and dynamic ones (12 dB and more).

use crate::genre::Genre;
use codette_dsp::analysis::{RangeBalance, TonalBalance};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Reference {
    /// The genre, or `None` for the generic reference used when none is given.
    pub genre: Option<Genre>,
    /// dB against pink noise per band of [`codette_dsp::analysis::BANDS`].
    pub tonal_balance: TonalBalance,
    /// dB against pink noise per range of [`codette_dsp::analysis::RANGES`]: what the ranges
    /// read if each band's power is even across its octaves, so that the ranges agree with the
    /// bands they span (2-5 kHz takes the high-mid band's value; 200-500 Hz is the power
    /// mean of the low band over 200-250 Hz and the low-mid band over 250-500 Hz).
    pub range_balance: RangeBalance,
    /// Loudness range above which the track is more dynamic than the genre's listeners expect.
    pub max_lra_lu: f32,
    /// Peak-to-loudness ratio below which the master is over-compressed for the genre.
    pub min_plr_db: f32,
}

const fn balance(db: [f32; 6]) -> TonalBalance {
    let [sub, low, low_mid, mid, high_mid, high] = db;
    TonalBalance { sub, low, low_mid, mid, high_mid, high }
}

impl Reference {
    pub fn for_genre(genre: Option<Genre>) -> Reference {
        let (db, max_lra_lu, min_plr_db) = match genre {
            None => ([0.0, 0.5, 0.0, 0.0, -0.5, -1.5], 12.0, 8.0),
            Some(Genre::Pop) => ([-1.0, 1.0, 0.0, 0.0, -1.0, -2.0], 9.0, 8.0),
            Some(Genre::HipHop) => ([2.0, 2.0, -0.5, -0.5, -1.5, -2.5], 8.0, 7.0),
            Some(Genre::Rock) => ([-2.0, 1.0, 0.5, 0.5, 0.0, -2.0], 9.0, 8.0),
            Some(Genre::Electronic) => ([2.0, 1.5, -1.0, -0.5, -1.0, -1.5], 8.0, 7.0),
            Some(Genre::Jazz) => ([-2.5, 0.0, 1.0, 1.0, -0.5, -2.0], 15.0, 10.0),
            Some(Genre::Ambient) => ([0.0, 0.0, 0.0, 0.0, -1.0, -1.5], 18.0, 10.0),
        };
        let tonal_balance = balance(db);
        let range_balance = RangeBalance::spread_from(&tonal_balance);
        Reference { genre, tonal_balance, range_balance, max_lra_lu, min_plr_db }
    }
}
