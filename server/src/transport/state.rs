//! The flat transport state of API.md, as `/transport/status`, `/ws/transport/clock` and the
//! `transport_state` messages on `/ws` send it.
//!
//! Flat because the predecessor's clients read `data.playing`, `data.time_seconds` and so on
//! straight off the object. Musical positions follow the hosts' convention: `beat_pos` counts
//! quarter notes from the song start whatever the time signature (as
//! [`codette_dsp::modulation::Transport::position_beats`] does), and `bar` is derived from it.

use super::sidecar::Snapshot;
use super::HostTransport;
use serde::Serialize;
use utoipa::ToSchema;

/// Whether the transport runs; `paused` keeps the position, `stopped` (sidecar) is back at 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PlayState {
    Playing,
    Stopped,
    Paused,
}

/// Who owns the transport: the DAW (`host`) or the sidecar's own clock (`sidecar`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Host,
    Sidecar,
}

/// The transport at one moment, flat as API.md lists it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TransportState {
    pub playing: bool,
    pub status: PlayState,
    /// Position in samples at the sample rate the audio runs at (negative during a host's
    /// pre-roll).
    pub sample_pos: i64,
    pub time_seconds: f64,
    /// `MM:SS.mmm`, milliseconds truncated as a clock shows them; minutes go past 99 as needed.
    #[schema(example = "01:05.250")]
    pub time_formatted: String,
    pub bpm: f64,
    /// Quarter notes since the song start.
    pub beat_pos: f64,
    /// 1-based bar number: `floor(beat_pos / (num * 4 / den)) + 1`.
    pub bar: i64,
    /// `[numerator, denominator]`.
    pub time_sig: [u32; 2],
    pub loop_enabled: bool,
    pub loop_start_seconds: f64,
    pub loop_end_seconds: f64,
    /// When this state was taken, in milliseconds since the Unix epoch.
    pub timestamp_ms: u64,
    pub source: Source,
}

/// Where the transport is, in the three units the state reports.
struct Position {
    samples: i64,
    seconds: f64,
    beats: f64,
}

impl TransportState {
    /// The sidecar's transport. Its tempo is constant over the song, so beats follow from
    /// seconds; a tempo change re-maps the whole timeline, as in a project with one tempo.
    pub fn from_sidecar(s: &Snapshot, timestamp_ms: u64) -> Self {
        let seconds = s.position_samples as f64 / f64::from(s.sample_rate);
        let position = Position { samples: s.position_samples, seconds, beats: seconds * s.bpm / 60.0 };
        let looped = (s.loop_enabled, s.loop_start_seconds, s.loop_end_seconds);
        Self::new(s.status, position, s.bpm, s.time_sig, looped, timestamp_ms, Source::Sidecar)
    }

    /// A host's transport as an instance's audio thread last saw it. `None` (the DAW owns the
    /// transport but no block has run yet) reads as stopped at the start. Hosts may report the
    /// position in samples, in beats or both; what is missing is derived at the reported tempo.
    pub fn from_host(host: Option<&HostTransport>, timestamp_ms: u64) -> Self {
        let Some(host) = host else {
            let start = Position { samples: 0, seconds: 0.0, beats: 0.0 };
            let looped = (false, 0.0, 0.0);
            return Self::new(PlayState::Stopped, start, 120.0, (4, 4), looped, timestamp_ms, Source::Host);
        };
        let t = &host.transport;
        let bpm = t.tempo();
        let rate = Some(f64::from(host.sample_rate)).filter(|r| r.is_finite() && *r > 0.0);
        let beats = t.position_beats.filter(|b| b.is_finite());
        let position = match (t.position_samples, rate, beats) {
            (Some(samples), Some(rate), beats) => {
                let seconds = samples as f64 / rate;
                Position { samples, seconds, beats: beats.unwrap_or(seconds * bpm / 60.0) }
            }
            (_, rate, Some(beats)) => {
                let seconds = beats * 60.0 / bpm;
                let derived = rate.map(|r| (seconds * r).round() as i64);
                let samples = t.position_samples.or(derived).unwrap_or(0);
                Position { samples, seconds, beats }
            }
            (samples, _, None) => Position { samples: samples.unwrap_or(0), seconds: 0.0, beats: 0.0 },
        };
        let status = if t.playing { PlayState::Playing } else { PlayState::Stopped };
        let looped = match host.loop_seconds {
            Some((start, end)) => (true, start, end),
            None => (false, 0.0, 0.0),
        };
        Self::new(status, position, bpm, t.time_sig, looped, timestamp_ms, Source::Host)
    }

    fn new(
        status: PlayState,
        position: Position,
        bpm: f64,
        (num, den): (u32, u32),
        (loop_enabled, loop_start_seconds, loop_end_seconds): (bool, f64, f64),
        timestamp_ms: u64,
        source: Source,
    ) -> Self {
        let (num, den) = (num.max(1), den.max(1));
        Self {
            playing: status == PlayState::Playing,
            status,
            sample_pos: position.samples,
            time_seconds: position.seconds,
            time_formatted: format_time(position.seconds),
            bpm,
            beat_pos: position.beats,
            bar: bar(position.beats, num, den),
            time_sig: [num, den],
            loop_enabled,
            loop_start_seconds,
            loop_end_seconds,
            timestamp_ms,
            source,
        }
    }
}

/// `MM:SS.mmm`, truncated to the millisecond. The nudge keeps values such as 4.35 s, stored
/// as 4.34999…, from showing as `00:04.349`.
pub fn format_time(seconds: f64) -> String {
    let sign = if seconds < 0.0 { "-" } else { "" };
    let millis = (seconds.abs() * 1000.0 + 1e-6).floor() as u64;
    format!("{sign}{:02}:{:02}.{:03}", millis / 60_000, millis / 1000 % 60, millis % 1000)
}

/// The 1-based bar at a position in quarter notes; a bar lasts `num * 4 / den` quarter notes.
pub fn bar(beats: f64, num: u32, den: u32) -> i64 {
    let quarters_per_bar = f64::from(num) * 4.0 / f64::from(den);
    (beats / quarters_per_bar).floor() as i64 + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use codette_dsp::modulation::Transport;

    #[test]
    fn time_is_formatted_as_a_clock_shows_it() {
        assert_eq!(format_time(0.0), "00:00.000");
        assert_eq!(format_time(65.25), "01:05.250");
        assert_eq!(format_time(4.35), "00:04.350");
        assert_eq!(format_time(59.9999), "00:59.999");
        assert_eq!(format_time(6000.0), "100:00.000");
        assert_eq!(format_time(-1.5), "-00:01.500");
    }

    #[test]
    fn bars_count_from_one_in_the_time_signature() {
        // 4/4: 4 quarter notes a bar.
        assert_eq!(bar(0.0, 4, 4), 1);
        assert_eq!(bar(3.99, 4, 4), 1);
        assert_eq!(bar(4.0, 4, 4), 2);
        // 6/8: 3 quarter notes a bar; 7.5 quarters is in the third bar.
        assert_eq!(bar(7.5, 6, 8), 3);
        // 3/4: 3 quarter notes; 9 quarters starts bar 4.
        assert_eq!(bar(9.0, 3, 4), 4);
        // 7/16: 1.75 quarter notes a bar.
        assert_eq!(bar(3.5, 7, 16), 3);
        // Pre-roll: one 4/4 bar before the start is bar 0.
        assert_eq!(bar(-4.0, 4, 4), 0);
    }

    #[test]
    fn a_host_position_in_samples_only_gets_beats_from_the_tempo() {
        let host = HostTransport {
            transport: Transport {
                playing: true,
                tempo_bpm: 90.0,
                position_beats: None,
                position_samples: Some(96_000),
                time_sig: (3, 4),
            },
            sample_rate: 48_000.0,
            loop_seconds: Some((1.0, 3.0)),
        };
        let state = TransportState::from_host(Some(&host), 7);
        // 2 s at 90 bpm is 3 quarter notes: the start of bar 2 in 3/4.
        assert_eq!((state.time_seconds, state.beat_pos, state.bar), (2.0, 3.0, 2));
        assert_eq!(state.time_formatted, "00:02.000");
        assert_eq!((state.status, state.source, state.time_sig), (PlayState::Playing, Source::Host, [3, 4]));
        assert_eq!((state.loop_enabled, state.loop_start_seconds, state.loop_end_seconds), (true, 1.0, 3.0));
    }

    #[test]
    fn a_host_position_in_beats_only_gets_samples_from_the_tempo() {
        let host = HostTransport {
            transport: Transport { position_beats: Some(8.0), ..Transport::default() },
            sample_rate: 44_100.0,
            loop_seconds: None,
        };
        let state = TransportState::from_host(Some(&host), 0);
        // 8 quarter notes at 120 bpm: 4 s, 176 400 samples, bar 3 in 4/4.
        assert_eq!((state.sample_pos, state.time_seconds, state.bar), (176_400, 4.0, 3));
        assert_eq!(state.status, PlayState::Stopped);
        assert!(!state.loop_enabled);
        let unseen = TransportState::from_host(None, 0);
        assert_eq!((unseen.sample_pos, unseen.bar, unseen.bpm, unseen.source), (0, 1, 120.0, Source::Host));
    }
}
