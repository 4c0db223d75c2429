//! The transport the sidecar owns: the clock of the standalone build and the offline engine.
//!
//! The audio thread drives it with [`SidecarTransport::advance`] once per block; the server's
//! threads command it (play, seek, tempo) at any time. Every field is an atomic, so the audio
//! thread never waits and never allocates. Three rules keep the two sides from undoing each
//! other's work:
//! - Only the audio thread writes the position. A seek leaves its target and bumps a request
//!   counter; `advance` reads the counter, then the target, and records the count it applied.
//!   A seek that lands while a block runs is therefore applied at the next block, never lost
//!   (two seeks within microseconds of a block start can apply the newer target twice, one
//!   block apart, which is harmless).
//! - The loop region (three values) is published under a sequence counter. A block that reads
//!   it half-written does not wrap; the next block sees the whole update.
//! - Commands are serialized by a mutex that only the server's threads take; snapshots take it
//!   too, so the routes always see whole updates.
//!
//! Without an audio thread (no standalone instance active) commands still take effect for the
//! routes: the status changes at once and a seek shows as the position, which just does not
//! move while "playing".

use super::state::PlayState;
use codette_dsp::modulation::Transport;
use std::sync::atomic::{fence, AtomicBool, AtomicI64, AtomicU32, AtomicU64, AtomicU8, Ordering};
use std::sync::{Mutex, MutexGuard};

pub const MIN_BPM: f64 = 20.0;
pub const MAX_BPM: f64 = 999.0;
/// Positions and loop points stay within a day: beyond any session, and well inside the range
/// where seconds × sample rate is exact in an `i64`.
pub const MAX_SECONDS: f64 = 86_400.0;
/// Positions are counted at this rate until an audio thread runs (the predecessor's rate).
pub const DEFAULT_SAMPLE_RATE: f32 = 48_000.0;
/// The predecessor's loop region, shown (disabled) until one is set.
const DEFAULT_LOOP: (f64, f64) = (0.0, 10.0);

/// A command's value that cannot be used.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    /// `out_of_range` or `invalid_loop`.
    pub code: &'static str,
    /// The request field at fault.
    pub field: &'static str,
    pub message: String,
}

/// The sidecar transport at one moment, as the routes report it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snapshot {
    pub status: PlayState,
    /// Includes a seek the audio thread has not taken yet.
    pub position_samples: i64,
    pub sample_rate: f32,
    pub bpm: f64,
    pub time_sig: (u32, u32),
    pub loop_enabled: bool,
    pub loop_start_seconds: f64,
    pub loop_end_seconds: f64,
}

pub struct SidecarTransport {
    status: AtomicU8,
    /// In samples at `sample_rate`; written by the audio thread only.
    position: AtomicI64,
    /// Seconds (`f64` bits) of the latest seek.
    seek_target: AtomicU64,
    seeks_requested: AtomicU64,
    /// Written by the audio thread only; behind `seeks_requested` while a seek waits.
    seeks_applied: AtomicU64,
    /// `f32` bits.
    sample_rate: AtomicU32,
    /// `f64` bits.
    bpm: AtomicU64,
    /// `numerator << 16 | denominator`.
    time_sig: AtomicU32,
    /// Even while the loop fields are whole, odd while a command rewrites them.
    loop_version: AtomicU64,
    loop_enabled: AtomicBool,
    loop_start: AtomicU64,
    loop_end: AtomicU64,
    commands: Mutex<()>,
}

impl Default for SidecarTransport {
    fn default() -> Self {
        Self {
            status: AtomicU8::new(encode(PlayState::Stopped)),
            position: AtomicI64::new(0),
            seek_target: AtomicU64::new(0f64.to_bits()),
            seeks_requested: AtomicU64::new(0),
            seeks_applied: AtomicU64::new(0),
            sample_rate: AtomicU32::new(DEFAULT_SAMPLE_RATE.to_bits()),
            bpm: AtomicU64::new(120f64.to_bits()),
            time_sig: AtomicU32::new(4 << 16 | 4),
            loop_version: AtomicU64::new(0),
            loop_enabled: AtomicBool::new(false),
            loop_start: AtomicU64::new(DEFAULT_LOOP.0.to_bits()),
            loop_end: AtomicU64::new(DEFAULT_LOOP.1.to_bits()),
            commands: Mutex::new(()),
        }
    }
}

impl SidecarTransport {
    pub fn new() -> Self {
        Self::default()
    }

    /// Plays from the current position: where a pause left it, or 0 after a stop.
    pub fn play(&self) {
        let _commands = self.lock();
        self.status.store(encode(PlayState::Playing), Ordering::SeqCst);
    }

    /// Holds the position. Only a playing transport pauses; a stopped one stays stopped.
    pub fn pause(&self) {
        let _commands = self.lock();
        let (playing, paused) = (encode(PlayState::Playing), encode(PlayState::Paused));
        let _ = self.status.compare_exchange(playing, paused, Ordering::SeqCst, Ordering::SeqCst);
    }

    /// Stops and returns to the start; `paused` is the state that keeps the position (the
    /// predecessor's pause and stop differed only in that).
    pub fn stop(&self) {
        let _commands = self.lock();
        // The status before the seek: a block that sees this seek reads the status after it,
        // so it sees "stopped" too and stays at 0.
        self.status.store(encode(PlayState::Stopped), Ordering::SeqCst);
        self.request_seek(0.0);
    }

    /// Moves to `seconds` (0 to [`MAX_SECONDS`]) at the next block.
    pub fn seek(&self, seconds: f64) -> Result<(), Invalid> {
        check_seconds("position", seconds)?;
        let _commands = self.lock();
        self.request_seek(seconds);
        Ok(())
    }

    /// Sets the tempo ([`MIN_BPM`] to [`MAX_BPM`]), the time signature (numerator 1 to 32,
    /// denominator a power of two up to 32) or both; nothing changes unless all is valid.
    pub fn set_tempo(&self, bpm: Option<f64>, time_sig: Option<(u32, u32)>) -> Result<(), Invalid> {
        if let Some(bpm) = bpm.filter(|b| !(MIN_BPM..=MAX_BPM).contains(b)) {
            let message = format!("bpm must be between {MIN_BPM} and {MAX_BPM} (got {bpm})");
            return Err(Invalid { code: "out_of_range", field: "bpm", message });
        }
        if let Some((num, den)) = time_sig.filter(|(n, d)| !(1..=32).contains(n) || !valid_denominator(*d)) {
            let message = format!(
                "time_sig must be [numerator 1..32, denominator 1, 2, 4, 8, 16 or 32] (got [{num}, {den}])"
            );
            return Err(Invalid { code: "out_of_range", field: "time_sig", message });
        }
        let _commands = self.lock();
        if let Some(bpm) = bpm {
            self.bpm.store(bpm.to_bits(), Ordering::Relaxed);
        }
        if let Some((num, den)) = time_sig {
            self.time_sig.store(num << 16 | den, Ordering::Relaxed);
        }
        Ok(())
    }

    /// Sets the loop region in seconds; a bound left out keeps its value. Enabled or not, the
    /// region must satisfy 0 ≤ start < end ≤ [`MAX_SECONDS`].
    pub fn set_loop(&self, enabled: bool, start: Option<f64>, end: Option<f64>) -> Result<(), Invalid> {
        for (field, value) in [("start", start), ("end", end)] {
            value.map_or(Ok(()), |v| check_seconds(field, v))?;
        }
        let _commands = self.lock();
        let start = start.unwrap_or_else(|| f64::from_bits(self.loop_start.load(Ordering::Relaxed)));
        let end = end.unwrap_or_else(|| f64::from_bits(self.loop_end.load(Ordering::Relaxed)));
        if start >= end {
            let message = format!("the loop must end after it starts (start {start} s, end {end} s)");
            return Err(Invalid { code: "invalid_loop", field: "end", message });
        }
        let version = self.loop_version.load(Ordering::Relaxed);
        self.loop_version.store(version + 1, Ordering::Relaxed);
        fence(Ordering::Release);
        self.loop_enabled.store(enabled, Ordering::Relaxed);
        self.loop_start.store(start.to_bits(), Ordering::Relaxed);
        self.loop_end.store(end.to_bits(), Ordering::Relaxed);
        self.loop_version.store(version + 2, Ordering::Release);
        Ok(())
    }

    pub fn snapshot(&self) -> Snapshot {
        let _commands = self.lock();
        let sample_rate = self.rate();
        let requested = self.seeks_requested.load(Ordering::SeqCst);
        let position_samples = if requested != self.seeks_applied.load(Ordering::SeqCst) {
            to_samples(f64::from_bits(self.seek_target.load(Ordering::SeqCst)), sample_rate)
        } else {
            self.position.load(Ordering::SeqCst)
        };
        let (time_sig, bpm) = (self.time_sig(), f64::from_bits(self.bpm.load(Ordering::Relaxed)));
        Snapshot {
            status: decode(self.status.load(Ordering::SeqCst)),
            position_samples,
            sample_rate,
            bpm,
            time_sig,
            loop_enabled: self.loop_enabled.load(Ordering::Relaxed),
            loop_start_seconds: f64::from_bits(self.loop_start.load(Ordering::Relaxed)),
            loop_end_seconds: f64::from_bits(self.loop_end.load(Ordering::Relaxed)),
        }
    }

    /// For the audio thread, once per block: the transport at the block's first sample, after
    /// which the position moves on by `frames` while playing. When looping, a block that
    /// crosses the loop end plays on past it and the next block starts as far past the loop
    /// start (the wrap lands on a block boundary). A new `sample_rate` rescales the position.
    /// Lock-free and allocation-free.
    pub fn advance(&self, frames: usize, sample_rate: f32) -> Transport {
        let rate = self.follow_rate(sample_rate);
        // The seek count before the status, the reverse of `stop`'s order (see there).
        let requested = self.seeks_requested.load(Ordering::SeqCst);
        let status = decode(self.status.load(Ordering::SeqCst));
        let start = if requested != self.seeks_applied.load(Ordering::Relaxed) {
            to_samples(f64::from_bits(self.seek_target.load(Ordering::SeqCst)), rate)
        } else {
            self.position.load(Ordering::Relaxed)
        };
        let playing = status == PlayState::Playing;
        let next = if playing { self.next_position(start, frames as i64, rate) } else { start };
        self.position.store(next, Ordering::SeqCst);
        self.seeks_applied.store(requested, Ordering::SeqCst);
        let bpm = f64::from_bits(self.bpm.load(Ordering::Relaxed));
        Transport {
            playing,
            tempo_bpm: bpm,
            position_beats: Some(start as f64 / f64::from(rate) * bpm / 60.0),
            position_samples: Some(start),
            time_sig: self.time_sig(),
        }
    }

    fn request_seek(&self, seconds: f64) {
        // The target before the count: `advance` reads them the other way round, so a count it
        // sees comes with this target (or a newer one).
        self.seek_target.store(seconds.to_bits(), Ordering::SeqCst);
        self.seeks_requested.fetch_add(1, Ordering::SeqCst);
    }

    fn next_position(&self, start: i64, frames: i64, rate: f32) -> i64 {
        let next = start + frames;
        let Some((loop_start, loop_end)) = self.loop_region() else { return next };
        let (loop_start, loop_end) = (to_samples(loop_start, rate), to_samples(loop_end, rate));
        if loop_end <= loop_start || start >= loop_end || next < loop_end {
            return next;
        }
        loop_start + (next - loop_end) % (loop_end - loop_start)
    }

    /// The loop region when looping is on and the region was read whole.
    fn loop_region(&self) -> Option<(f64, f64)> {
        let version = self.loop_version.load(Ordering::Acquire);
        let enabled = self.loop_enabled.load(Ordering::Relaxed);
        let start = f64::from_bits(self.loop_start.load(Ordering::Relaxed));
        let end = f64::from_bits(self.loop_end.load(Ordering::Relaxed));
        fence(Ordering::Acquire);
        let whole = version.is_multiple_of(2) && version == self.loop_version.load(Ordering::Relaxed);
        (whole && enabled).then_some((start, end))
    }

    /// The rate of this block, rescaling the position when it differs from the last one's.
    fn follow_rate(&self, sample_rate: f32) -> f32 {
        let old = self.rate();
        if !(sample_rate.is_finite() && sample_rate > 0.0) || sample_rate == old {
            return old;
        }
        let position = self.position.load(Ordering::Relaxed) as f64;
        let rescaled = (position * f64::from(sample_rate) / f64::from(old)).round() as i64;
        self.position.store(rescaled, Ordering::SeqCst);
        self.sample_rate.store(sample_rate.to_bits(), Ordering::Relaxed);
        sample_rate
    }

    fn rate(&self) -> f32 {
        f32::from_bits(self.sample_rate.load(Ordering::Relaxed))
    }

    fn time_sig(&self) -> (u32, u32) {
        let packed = self.time_sig.load(Ordering::Relaxed);
        (packed >> 16, packed & 0xffff)
    }

    fn lock(&self) -> MutexGuard<'_, ()> {
        self.commands.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn encode(state: PlayState) -> u8 {
    match state {
        PlayState::Stopped => 0,
        PlayState::Playing => 1,
        PlayState::Paused => 2,
    }
}

fn decode(value: u8) -> PlayState {
    match value {
        1 => PlayState::Playing,
        2 => PlayState::Paused,
        _ => PlayState::Stopped,
    }
}

fn to_samples(seconds: f64, rate: f32) -> i64 {
    (seconds * f64::from(rate)).round() as i64
}

fn check_seconds(field: &'static str, seconds: f64) -> Result<(), Invalid> {
    if (0.0..=MAX_SECONDS).contains(&seconds) {
        return Ok(());
    }
    let message = format!("{field} must be between 0 and {MAX_SECONDS} seconds (got {seconds})");
    Err(Invalid { code: "out_of_range", field, message })
}

fn valid_denominator(den: u32) -> bool {
    den.is_power_of_two() && den <= 32
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    /// 1 kHz makes sample counts read as milliseconds.
    const RATE: f32 = 1000.0;

    #[test]
    fn playing_reports_the_block_start_then_moves_on() {
        let t = SidecarTransport::new();
        t.set_tempo(Some(90.0), Some((6, 8))).unwrap();
        t.play();
        let first = t.advance(256, RATE);
        assert_eq!((first.playing, first.position_samples, first.position_beats), (true, Some(0), Some(0.0)));
        let second = t.advance(256, RATE);
        // 0.256 s at 90 bpm is 0.384 quarter notes.
        assert_eq!(second.position_samples, Some(256));
        assert!((second.position_beats.unwrap() - 0.384).abs() < 1e-12);
        assert_eq!((second.tempo_bpm, second.time_sig), (90.0, (6, 8)));
        assert_eq!(t.snapshot().position_samples, 512);
    }

    #[test]
    fn pause_holds_the_position_and_stop_returns_to_zero() {
        let t = SidecarTransport::new();
        t.pause();
        assert_eq!(t.snapshot().status, PlayState::Stopped, "a stopped transport does not pause");
        t.play();
        t.advance(100, RATE);
        t.pause();
        for _ in 0..3 {
            let block = t.advance(100, RATE);
            assert_eq!((block.playing, block.position_samples), (false, Some(100)));
        }
        assert_eq!(t.snapshot().status, PlayState::Paused);
        t.play();
        assert_eq!(t.advance(100, RATE).position_samples, Some(100));
        t.stop();
        // Shown at once, before any block has run.
        assert_eq!((t.snapshot().status, t.snapshot().position_samples), (PlayState::Stopped, 0));
        assert_eq!(t.advance(100, RATE).position_samples, Some(0));
        assert_eq!(t.advance(100, RATE).position_samples, Some(0));
    }

    #[test]
    fn a_seek_shows_at_once_and_applies_at_the_next_block() {
        let t = SidecarTransport::new();
        t.seek(3.0).unwrap();
        assert_eq!(t.snapshot().position_samples, 144_000, "3 s at the default 48 kHz");
        t.play();
        assert_eq!(t.advance(64, RATE).position_samples, Some(3000), "rescaled to the block's rate");
        assert_eq!(t.advance(64, RATE).position_samples, Some(3064));
    }

    #[test]
    fn the_loop_wraps_at_the_block_after_the_end() {
        let t = SidecarTransport::new();
        t.set_loop(true, Some(1.0), Some(2.0)).unwrap();
        t.seek(1.9).unwrap();
        t.play();
        // 1900 + 256 = 2156 crosses the end at 2000: the next block starts 156 past 1000.
        assert_eq!(t.advance(256, RATE).position_samples, Some(1900));
        assert_eq!(t.advance(256, RATE).position_samples, Some(1156));
        // Past the loop end (a seek there) the transport plays on.
        t.seek(2.5).unwrap();
        assert_eq!(t.advance(256, RATE).position_samples, Some(2500));
        assert_eq!(t.advance(256, RATE).position_samples, Some(2756));
        // A loop shorter than a block: 256 frames from 0 go twice round 0..100 and land at 56,
        // the next 256 at 12.
        t.set_loop(true, Some(0.0), Some(0.1)).unwrap();
        t.seek(0.0).unwrap();
        t.advance(256, RATE);
        assert_eq!(t.advance(256, RATE).position_samples, Some(56));
        assert_eq!(t.advance(256, RATE).position_samples, Some(12));
        // Disabled, the region stays and nothing wraps: from 68 (12 + 256 wrapped) straight on.
        t.set_loop(false, None, None).unwrap();
        assert_eq!(t.advance(256, RATE).position_samples, Some(68));
        assert_eq!(t.advance(256, RATE).position_samples, Some(324));
        let s = t.snapshot();
        assert_eq!((s.loop_enabled, s.loop_start_seconds, s.loop_end_seconds), (false, 0.0, 0.1));
    }

    #[test]
    fn a_half_written_loop_region_is_not_used() {
        let t = SidecarTransport::new();
        t.set_loop(true, Some(0.0), Some(0.1)).unwrap();
        t.play();
        // As if a command were between its two version bumps.
        t.loop_version.fetch_add(1, Ordering::SeqCst);
        t.advance(256, RATE);
        assert_eq!(t.advance(256, RATE).position_samples, Some(256), "no wrap from a torn region");
    }

    #[test]
    fn a_new_sample_rate_rescales_the_position() {
        let t = SidecarTransport::new();
        t.play();
        t.advance(4800, 48_000.0);
        assert_eq!(t.advance(0, 96_000.0).position_samples, Some(9600));
        assert_eq!(t.snapshot().sample_rate, 96_000.0);
        // Nonsense from a caller keeps the last good rate.
        assert_eq!(t.advance(0, f32::NAN).position_samples, Some(9600));
    }

    #[test]
    fn invalid_values_change_nothing() {
        let t = SidecarTransport::new();
        for seconds in [-0.001, f64::NAN, f64::INFINITY, MAX_SECONDS + 1.0] {
            assert_eq!(t.seek(seconds).unwrap_err().field, "position", "{seconds}");
        }
        for bpm in [19.9, 999.5, f64::NAN] {
            assert_eq!(t.set_tempo(Some(bpm), None).unwrap_err().field, "bpm", "{bpm}");
        }
        for sig in [(0, 4), (33, 4), (4, 3), (4, 0), (4, 64)] {
            assert_eq!(t.set_tempo(Some(140.0), Some(sig)).unwrap_err().field, "time_sig", "{sig:?}");
        }
        let error = t.set_loop(true, Some(2.0), Some(1.0)).unwrap_err();
        assert_eq!((error.code, error.field), ("invalid_loop", "end"));
        // The default region is 0..10 s: a start at 12 alone would end before it starts.
        assert_eq!(t.set_loop(true, Some(12.0), None).unwrap_err().code, "invalid_loop");
        let s = t.snapshot();
        assert_eq!((s.position_samples, s.bpm, s.time_sig), (0, 120.0, (4, 4)));
        assert_eq!((s.loop_enabled, s.loop_start_seconds, s.loop_end_seconds), (false, 0.0, 10.0));
        t.set_loop(true, Some(5.0), None).unwrap();
        assert_eq!(t.snapshot().loop_start_seconds, 5.0);
    }

    /// Runs `advance` in a tight loop on another thread, as an audio thread would.
    fn with_audio_thread(t: &Arc<SidecarTransport>, body: impl FnOnce()) {
        let done = Arc::new(AtomicBool::new(false));
        let audio = {
            let (t, done) = (t.clone(), done.clone());
            std::thread::spawn(move || {
                while !done.load(Ordering::Relaxed) {
                    t.advance(64, 48_000.0);
                }
            })
        };
        body();
        done.store(true, Ordering::Relaxed);
        audio.join().unwrap();
    }

    fn wait_until_applied(t: &SidecarTransport) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while t.seeks_applied.load(Ordering::SeqCst) != t.seeks_requested.load(Ordering::SeqCst) {
            assert!(Instant::now() < deadline, "the audio thread never took the seek");
            std::hint::spin_loop();
        }
    }

    #[test]
    fn seeks_racing_with_blocks_are_never_lost() {
        let t = Arc::new(SidecarTransport::new());
        t.play();
        t.pause();
        with_audio_thread(&t, || {
            for k in 1..=5000u32 {
                let seconds = f64::from(k) * 0.01;
                t.seek(seconds).unwrap();
                wait_until_applied(&t);
                assert_eq!(t.position.load(Ordering::SeqCst), i64::from(k) * 480, "seek {k}");
            }
        });
    }

    #[test]
    fn a_stop_racing_with_blocks_always_ends_at_zero() {
        let t = Arc::new(SidecarTransport::new());
        with_audio_thread(&t, || {
            for round in 0..2000 {
                t.play();
                let deadline = Instant::now() + Duration::from_secs(10);
                while t.position.load(Ordering::SeqCst) == 0 {
                    assert!(Instant::now() < deadline, "never played");
                    std::hint::spin_loop();
                }
                t.stop();
                wait_until_applied(&t);
                assert_eq!(t.position.load(Ordering::SeqCst), 0, "round {round}");
            }
        });
        assert_eq!(t.snapshot().status, PlayState::Stopped);
    }
}
