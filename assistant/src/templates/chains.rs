//! The chain of each instrument, with its values drawn from the genre's [`Style`].

use super::levels::{makeup, threshold, ASSUMED_PEAK_DBFS, ASSUMED_RMS_DBFS};
use super::style::Style;
use super::{Role, TemplateSlot};
use crate::delivery::limiter_threshold;
use crate::Instrument;
use codette_dsp::chain::SlotConfig;

/// The slots in processing order; `None` where the genre leaves a slot out (no echo in rock).
pub(super) fn chain(instrument: Instrument, style: &Style) -> Vec<Option<TemplateSlot>> {
    match instrument {
        Instrument::Vocals => vec![
            highpass(
                90.0,
                2,
                "clears rumble and plosive thumps below the lowest vocal fundamentals (about 100 Hz)",
            ),
            eq(
                Tone { low_db: 0.0, mid_db: -2.0, mid_hz: 300.0, mid_q: 1.0, air_db: style.air_db },
                "takes 2 dB of boxiness out at 300 Hz and adds air above 10 kHz",
            ),
            compressor(style, 1.0, 1.0, "vocals"),
            saturation(style.drive_db, "adds harmonics so the voice carries on small speakers"),
            echo(style),
            space(style, 1.0),
        ],
        Instrument::Drums => vec![
            highpass(30.0, 2, "removes sub-sonic energy below the kick's fundamental (40-60 Hz)"),
            eq(
                Tone { low_db: 2.0, mid_db: -3.0, mid_hz: 400.0, mid_q: 1.2, air_db: 1.5 },
                "adds weight at the kick, cuts the cardboard boxiness of shells at 400 Hz, lifts the cymbals",
            ),
            compressor(style, 1.0, 2.0, "drums (attack doubled to let the transients through)"),
            saturation(style.drive_db, "thickens hits and rounds the peaks"),
            space(style, 0.6),
        ],
        Instrument::Bass => vec![
            highpass(30.0, 4, "keeps the low E (41 Hz) and clears the sub-sonic energy below it, steeply"),
            eq(
                Tone { low_db: 2.0, mid_db: -2.5, mid_hz: 250.0, mid_q: 1.0, air_db: 0.0 },
                "firms up the fundamentals below 100 Hz and clears the mud at 250 Hz",
            ),
            compressor_with(style, style.ratio + 2.0, 1.0, "bass (2 more in ratio, for an even low end)"),
            saturation(
                style.drive_db + 3.0,
                "adds upper harmonics so the bass line reads on speakers that cannot play its fundamental",
            ),
        ],
        Instrument::Guitar => vec![
            highpass(100.0, 2, "leaves the lows to bass and kick"),
            eq(
                Tone { low_db: 0.0, mid_db: -2.0, mid_hz: 400.0, mid_q: 1.0, air_db: style.air_db / 2.0 },
                "cuts the muddy 400 Hz that builds up when guitars are stacked",
            ),
            compressor_with(
                style,
                (style.ratio * 0.75).max(1.5),
                1.5,
                "guitar (lighter ratio, slower attack to keep the pick)",
            ),
            grit(style),
            echo(style),
            space(style, 1.0),
        ],
        Instrument::Keys => vec![
            highpass(60.0, 2, "leaves the lowest octave to bass and kick"),
            eq(
                Tone { low_db: 0.0, mid_db: -2.0, mid_hz: 300.0, mid_q: 0.8, air_db: style.air_db / 2.0 },
                "clears low-mid build-up of left-hand voicings at 300 Hz",
            ),
            compressor_with(
                style,
                (style.ratio / 2.0).max(1.5),
                2.0,
                "keys (half the ratio: they are dynamic by nature)",
            ),
            space(style, 1.2),
        ],
        Instrument::MixBus => vec![
            eq(
                Tone { low_db: 0.0, mid_db: 0.0, mid_hz: 1000.0, mid_q: 0.7, air_db: style.air_db / 2.0 },
                "a gentle lift of the top; the mid band is left for the analysis to set",
            ),
            bus_compressor(
                2.0,
                30.0,
                4.0,
                "glues the mix: 2:1, 30 ms attack keeps transients, a few dB of reduction",
            ),
            saturation(
                style.drive_db / 2.0,
                "half the genre's drive, as tape or console colour on the whole mix",
            ),
        ],
        Instrument::Master => vec![
            highpass(25.0, 2, "removes inaudible sub-sonic energy that costs headroom"),
            eq(
                Tone { low_db: 0.0, mid_db: 0.0, mid_hz: 1000.0, mid_q: 0.7, air_db: 0.0 },
                "flat until the analysis finds a band to correct",
            ),
            bus_compressor(
                1.5,
                30.0,
                6.0,
                "1.5:1 with a soft knee evens the loudest passages before the limiter",
            ),
            limiter(-1.0, "keeps peaks under −1 dBTP, the streaming platforms' delivery limit"),
        ],
    }
}

fn slot(role: Role, config: SlotConfig, reason: String) -> Option<TemplateSlot> {
    Some(TemplateSlot { role, config, reason })
}

fn highpass(cutoff: f32, order: u8, why: &str) -> Option<TemplateSlot> {
    let config = SlotConfig::effect("highlow_pass")
        .with("filter_type", 0.0)
        .with("cutoff_freq", cutoff)
        .with("order", order as f32);
    slot(Role::Cleanup, config, format!("High-pass at {cutoff} Hz, {} dB/octave: {why}.", 6 * order))
}

/// The settings of a tone EQ: a low shelf at 80 Hz, a mid peak, a high shelf ("air") at 10 kHz.
struct Tone {
    low_db: f32,
    mid_db: f32,
    mid_hz: f32,
    mid_q: f32,
    air_db: f32,
}

fn eq(tone: Tone, why: &str) -> Option<TemplateSlot> {
    let Tone { low_db, mid_db, mid_hz, mid_q, air_db } = tone;
    let config = SlotConfig::effect("eq3band")
        .with("low_gain", low_db)
        .with("low_freq", 80.0)
        .with("mid_gain", mid_db)
        .with("mid_freq", mid_hz)
        .with("mid_q", mid_q)
        .with("high_gain", air_db)
        .with("high_freq", 10_000.0);
    let reason = format!(
        "EQ: low shelf {low_db:+} dB at 80 Hz, {mid_db:+} dB at {mid_hz} Hz (Q {mid_q}), high shelf {air_db:+} dB at 10 kHz: {why}."
    );
    slot(Role::Tone, config, reason)
}

/// The genre's compressor with its ratio.
fn compressor(style: &Style, ratio_scale: f32, attack_scale: f32, what: &str) -> Option<TemplateSlot> {
    compressor_with(style, style.ratio * ratio_scale, attack_scale, what)
}

fn compressor_with(style: &Style, ratio: f32, attack_scale: f32, what: &str) -> Option<TemplateSlot> {
    let attack = (style.attack_ms * attack_scale).clamp(0.1, 100.0);
    dynamics(
        ratio,
        attack,
        style.release_ms,
        6.0,
        style.threshold_over_rms_db,
        &format!(
            "Compressor {ratio}:1, attack {attack} ms, release {} ms for {what} in {}",
            style.release_ms, style.character
        ),
    )
}

fn bus_compressor(ratio: f32, attack: f32, over_rms_db: f32, why: &str) -> Option<TemplateSlot> {
    dynamics(ratio, attack, 200.0, 12.0, over_rms_db, &format!("Bus compressor: {why}"))
}

/// A compressor whose threshold sits `over_rms_db` above the assumed RMS level, with the makeup
/// of [`makeup`]; the tuning redoes both from the measured levels.
fn dynamics(
    ratio: f32,
    attack: f32,
    release: f32,
    knee: f32,
    over_rms_db: f32,
    what: &str,
) -> Option<TemplateSlot> {
    let threshold = threshold(ASSUMED_RMS_DBFS, over_rms_db);
    let makeup = makeup(ASSUMED_PEAK_DBFS, threshold, ratio);
    let config = SlotConfig::effect("compressor")
        .with("threshold", threshold)
        .with("ratio", ratio)
        .with("attack", attack)
        .with("release", release)
        .with("knee", knee)
        .with("makeup", makeup);
    let reason = format!(
        "{what}. Threshold {threshold} dB: {over_rms_db} dB above an assumed RMS of {ASSUMED_RMS_DBFS} dBFS (analyse the track to set it from its own level); makeup {makeup} dB."
    );
    slot(Role::Dynamics, config, reason)
}

fn saturation(drive_db: f32, why: &str) -> Option<TemplateSlot> {
    if drive_db <= 0.0 {
        return None;
    }
    let config = SlotConfig::effect("saturation").with("drive", drive_db).with("tone", 0.5);
    slot(Role::Color, config, format!("Saturation, {drive_db} dB of drive: {why}."))
}

/// Rock guitars are distorted; elsewhere the guitar stays clean.
fn grit(style: &Style) -> Option<TemplateSlot> {
    if style.drive_db < 6.0 {
        return None;
    }
    let drive = style.drive_db * 2.0;
    let config =
        SlotConfig::effect("distortion").with("distortion_type", 0.0).with("drive", drive).with("tone", 0.6);
    slot(
        Role::Color,
        config,
        format!("Soft distortion, {drive} dB of drive: the driven guitar of {}.", style.character),
    )
}

fn echo(style: &Style) -> Option<TemplateSlot> {
    let echo = style.echo.as_ref()?;
    let config = match echo.effect {
        "stereo_delay" => SlotConfig::effect("stereo_delay")
            .with("time_l_ms", echo.time_ms)
            .with("time_r_ms", echo.time_ms * 1.5),
        effect => SlotConfig::effect(effect).with("time_ms", echo.time_ms),
    }
    .with("feedback", echo.feedback)
    .with("mix", echo.mix);
    let reason = format!(
        "{} at {} ms, feedback {}, mix {}: the echo of {}.",
        echo.effect, echo.time_ms, echo.feedback, echo.mix, style.character
    );
    slot(Role::Echo, config, reason)
}

/// The genre's reverb, its wet level scaled by `amount` (drums take less, keys more).
fn space(style: &Style, amount: f32) -> Option<TemplateSlot> {
    let space = &style.space;
    let wet = ((space.wet * amount * 100.0).round() / 100.0).clamp(0.0, 1.0);
    let mut config = SlotConfig::effect(space.effect)
        .with("room_size", space.size)
        .with("wet_level", wet)
        .with("dry_level", 1.0);
    if space.effect != "reverb" {
        config = config.with("predelay_ms", space.predelay_ms);
    }
    let reason = format!(
        "{} (size {}, wet {wet}, dry 1, pre-delay {} ms): the space of {}.",
        space.effect, space.size, space.predelay_ms, style.character
    );
    slot(Role::Space, config, reason)
}

fn limiter(ceiling_dbtp: f32, why: &str) -> Option<TemplateSlot> {
    let threshold = limiter_threshold(ceiling_dbtp);
    let config = SlotConfig::effect("limiter")
        .with("threshold", threshold)
        .with("release", 100.0)
        .with("lookahead", 5.0);
    slot(
        Role::Ceiling,
        config,
        format!("Limiter, threshold {threshold} dB for a {ceiling_dbtp} dBTP ceiling: {why}."),
    )
}
