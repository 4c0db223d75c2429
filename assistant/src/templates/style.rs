//! What a genre asks of a chain, as the handful of numbers the instrument chains draw on.
//!
//! The values are conventional starting points of mixing practice (fast, firm compression and
//! short rooms for hip-hop; light compression and natural rooms for jazz; long halls and echoes
//! for ambient), chosen to be heard as a genre's character, not as a finished mix: the tuning
//! moves them to what the analysis measures.

use crate::Genre;

/// The reverb of a genre: which of the rack's reverbs, its room size, wet level (the dry stays
/// at unity, as an insert) and pre-delay.
pub(super) struct Space {
    pub effect: &'static str,
    pub size: f32,
    pub wet: f32,
    pub predelay_ms: f32,
}

/// The echo of a genre: which delay, its time, feedback and mix.
pub(super) struct Echo {
    pub effect: &'static str,
    pub time_ms: f32,
    pub feedback: f32,
    pub mix: f32,
}

pub(super) struct Style {
    /// How the genre is usually heard, for the reasons given with each slot.
    pub character: &'static str,
    pub ratio: f32,
    pub attack_ms: f32,
    pub release_ms: f32,
    /// Where a track's compressor threshold sits above its RMS level: the smaller, the more of
    /// the signal is compressed.
    pub threshold_over_rms_db: f32,
    /// Saturation drive on vocals, drums and bass; buses get half.
    pub drive_db: f32,
    /// High-shelf lift at 10 kHz on vocals and buses.
    pub air_db: f32,
    pub space: Space,
    pub echo: Option<Echo>,
}

pub(super) fn style(genre: Genre) -> Style {
    match genre {
        Genre::Pop => Style {
            character: "pop: upfront, steady and bright",
            ratio: 4.0,
            attack_ms: 10.0,
            release_ms: 100.0,
            threshold_over_rms_db: 4.0,
            drive_db: 3.0,
            air_db: 2.5,
            space: Space { effect: "plate_reverb", size: 0.6, wet: 0.18, predelay_ms: 30.0 },
            echo: Some(Echo { effect: "pingpong_delay", time_ms: 375.0, feedback: 0.25, mix: 0.12 }),
        },
        Genre::HipHop => Style {
            character: "hip-hop: dry, dense and punchy, with heavy low end",
            ratio: 6.0,
            attack_ms: 5.0,
            release_ms: 80.0,
            threshold_over_rms_db: 3.0,
            drive_db: 5.0,
            air_db: 3.0,
            space: Space { effect: "room_reverb", size: 0.3, wet: 0.1, predelay_ms: 10.0 },
            echo: Some(Echo { effect: "simple_delay", time_ms: 250.0, feedback: 0.2, mix: 0.1 }),
        },
        Genre::Rock => Style {
            character: "rock: loud, driven guitars and drums in a live room",
            ratio: 5.0,
            attack_ms: 15.0,
            release_ms: 120.0,
            threshold_over_rms_db: 4.0,
            drive_db: 6.0,
            air_db: 2.0,
            space: Space { effect: "room_reverb", size: 0.5, wet: 0.15, predelay_ms: 15.0 },
            echo: None,
        },
        Genre::Electronic => Style {
            character: "electronic: tight dynamics, wide effects, a big low end",
            ratio: 6.0,
            attack_ms: 3.0,
            release_ms: 60.0,
            threshold_over_rms_db: 3.0,
            drive_db: 4.0,
            air_db: 3.0,
            space: Space { effect: "hall_reverb", size: 0.7, wet: 0.2, predelay_ms: 25.0 },
            echo: Some(Echo { effect: "pingpong_delay", time_ms: 375.0, feedback: 0.35, mix: 0.2 }),
        },
        Genre::Jazz => Style {
            character: "jazz: natural dynamics and a real room",
            ratio: 2.0,
            attack_ms: 25.0,
            release_ms: 200.0,
            threshold_over_rms_db: 8.0,
            drive_db: 1.0,
            air_db: 1.0,
            space: Space { effect: "room_reverb", size: 0.45, wet: 0.15, predelay_ms: 15.0 },
            echo: None,
        },
        Genre::Ambient => Style {
            character: "ambient: soft dynamics, long spaces and echoes",
            ratio: 2.5,
            attack_ms: 20.0,
            release_ms: 300.0,
            threshold_over_rms_db: 6.0,
            drive_db: 0.0,
            air_db: 2.0,
            space: Space { effect: "hall_reverb", size: 0.9, wet: 0.4, predelay_ms: 60.0 },
            echo: Some(Echo { effect: "stereo_delay", time_ms: 500.0, feedback: 0.45, mix: 0.3 }),
        },
    }
}
