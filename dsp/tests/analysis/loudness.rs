//! Loudness, loudness range and true peak against the test signals of EBU Tech 3341 and 3342,
//! whose expected values the EBU publishes with them.

use super::*;

/// A stereo 1 kHz sine at each (dBFS, seconds) in turn, both channels alike, as in the EBU
/// test signals.
fn sequence(levels: &[(f64, f64)]) -> Vec<f32> {
    levels.iter().flat_map(|&(db, seconds)| sine(1000.0, db, seconds, SR)).collect()
}

fn analyse(levels: &[(f64, f64)]) -> Analyzer {
    let mut analyzer = Analyzer::new(SR);
    push_mono(&mut analyzer, &sequence(levels));
    analyzer
}

/// Tech 3341 cases 1 and 2: momentary, short-term and integrated read the sine's level.
#[test]
fn ebu_3341_steady_sines_read_their_level() {
    for db in [-23.0, -33.0] {
        let m = analyse(&[(db, 20.0)]).meters();
        assert_near("momentary", m.lufs_momentary, db, 0.1);
        assert_near("short-term", m.lufs_short_term, db, 0.1);
        assert_near("integrated", m.lufs_integrated, db, 0.1);
    }
}

/// Tech 3341 cases 3 to 5: the absolute and relative gates leave out the quiet parts.
#[test]
fn ebu_3341_gating_leaves_out_the_quiet_parts() {
    let cases: [&[(f64, f64)]; 3] = [
        &[(-36.0, 10.0), (-23.0, 60.0), (-36.0, 10.0)],
        &[(-72.0, 10.0), (-36.0, 10.0), (-23.0, 60.0), (-36.0, 10.0), (-72.0, 10.0)],
        &[(-26.0, 20.0), (-20.0, 20.1), (-26.0, 20.0)],
    ];
    for (i, case) in cases.iter().enumerate() {
        assert_near(&format!("case {}", i + 3), analyse(case).meters().lufs_integrated, -23.0, 0.1);
    }
}

/// Tech 3341 case 9: -20 dBFS for 1.34 s and -30 dBFS for 1.66 s, five times. Every 3 s
/// window holds one whole period, so short-term loudness stays at -23 LUFS throughout.
#[test]
fn ebu_3341_short_term_is_a_3_s_window() {
    let period = sequence(&[(-20.0, 1.34), (-30.0, 1.66)]);
    let mut analyzer = Analyzer::new(SR);
    push_mono(&mut analyzer, &period);
    for step in period.repeat(4).chunks(4800) {
        analyzer.push(step, step);
        assert_near("short-term", analyzer.meters().lufs_short_term, -23.0, 0.1);
    }
}

/// The same for momentary loudness with a 0.4 s period: -20 dBFS for 0.18 s, -30 dBFS for
/// 0.22 s, whose mean energy is -22.97 LUFS.
#[test]
fn momentary_is_a_400_ms_window() {
    let period = sequence(&[(-20.0, 0.18), (-30.0, 0.22)]);
    let expected = 10.0 * ((0.18 * 0.01 + 0.22 * 0.001) / 0.4f64).log10();
    let mut analyzer = Analyzer::new(SR);
    push_mono(&mut analyzer, &period);
    for step in period.repeat(10).chunks(4800) {
        analyzer.push(step, step);
        assert_near("momentary", analyzer.meters().lufs_momentary, expected, 0.1);
    }
}

/// Tech 3342 cases 1 to 4, with the tolerance the EBU gives: ±1 LU.
#[test]
fn ebu_3342_loudness_range() {
    let cases: [(&[(f64, f64)], f64); 4] = [
        (&[(-20.0, 20.0), (-30.0, 20.0)], 10.0),
        (&[(-20.0, 20.0), (-15.0, 20.0)], 5.0),
        (&[(-40.0, 20.0), (-20.0, 20.0)], 20.0),
        (&[(-50.0, 20.0), (-35.0, 20.0), (-20.0, 20.0), (-35.0, 20.0), (-50.0, 20.0)], 15.0),
    ];
    for (i, (case, expected)) in cases.iter().enumerate() {
        assert_near(&format!("case {}", i + 1), analyse(case).meters().loudness_range_lu, *expected, 1.0);
    }
}

/// Tech 3341 true-peak cases, and one at fs/6: sines of known amplitude whose samples miss
/// their crests, by 3 dB at fs/4 and 45°. True peak reads the amplitude within +0.2/-0.4 dB,
/// while the sample peak reads the largest sample. The sines fade in over 10 ms: an abrupt
/// start overshoots between samples (by 0.4 dB at fs/6), and that is not what is tested.
#[test]
fn ebu_3341_true_peak_finds_the_crests_between_samples() {
    for (freq, phase_deg) in
        [(12_000.0, 0.0), (12_000.0, 45.0), (12_000.0, 60.0), (12_000.0, 67.5), (8000.0, 0.0)]
    {
        let mut x = sine_at_phase(freq, -6.0, f64::to_radians(phase_deg), 48_000, SR);
        for (i, v) in x.iter_mut().take(480).enumerate() {
            *v *= 0.5 - 0.5 * (std::f32::consts::PI * i as f32 / 480.0).cos();
        }
        let mut analyzer = Analyzer::new(SR);
        push_mono(&mut analyzer, &x);
        let m = analyzer.meters();
        let what = format!("{freq} Hz at {phase_deg}°");
        let tp = m.true_peak_dbtp as f64;
        assert!((-6.4..=-5.8).contains(&tp), "{what}: true peak {tp}");
        let sample_peak = x.iter().fold(0.0f32, |a, v| a.max(v.abs()));
        assert_near(&what, m.peak_dbfs, 20.0 * (sample_peak as f64).log10(), 0.001);
    }
    // At fs/4 and 45° every sample is the crest times sin 45°.
    let x = sine_at_phase(12_000.0, -6.0, f64::to_radians(45.0), 48_000, SR);
    let mut analyzer = Analyzer::new(SR);
    push_mono(&mut analyzer, &x);
    assert_near("sample peak", analyzer.meters().peak_dbfs, -6.0 - 3.0103, 0.01);
}

/// A sine in one channel: integrated loudness 3 dB below the sine's level (one channel of
/// two), true peak at its level, so the peak-to-loudness ratio is 3.01 dB.
#[test]
fn plr_is_true_peak_less_integrated_loudness() {
    let x = sine(1000.0, -12.0, 10.0, SR);
    let mut analyzer = Analyzer::new(SR);
    push(&mut analyzer, &x, &vec![0.0; x.len()]);
    let m = analyzer.meters();
    assert_near("integrated", m.lufs_integrated, -15.01, 0.1);
    assert_near("true peak", m.true_peak_dbtp, -12.0, 0.1);
    assert_near("plr", m.plr_db, 3.01, 0.15);
}

/// `reset_integrated` restarts the programme measures and nothing else: a -3 dBFS burst, then
/// 10 s at -40 dBFS, are forgotten by integrated loudness and true peak, which then read the
/// -33 dBFS that follows, while momentary and short-term loudness carry on throughout. (The
/// old programme ends quieter than the new one: its last samples, still in the true-peak
/// oversampling filter at the restart, may count in the new programme.)
#[test]
fn reset_integrated_restarts_the_programme_only() {
    let mut analyzer = Analyzer::new(SR);
    push_mono(&mut analyzer, &sequence(&[(-3.0, 0.05), (-40.0, 10.0)]));
    assert_near("true peak before", analyzer.meters().true_peak_dbtp, -3.0, 0.1);
    analyzer.reset_integrated();
    let m = analyzer.meters();
    assert_eq!(
        (m.lufs_integrated, m.true_peak_dbtp, m.loudness_range_lu, m.plr_db),
        (FLOOR_DB, FLOOR_DB, 0.0, 0.0)
    );
    assert_near("momentary carries on", m.lufs_momentary, -40.0, 0.1);
    assert_near("short-term carries on", m.lufs_short_term, -40.0, 0.1);
    push_mono(&mut analyzer, &sequence(&[(-33.0, 20.0)]));
    let m = analyzer.meters();
    assert_near("integrated of the new programme", m.lufs_integrated, -33.0, 0.1);
    assert_near("true peak of the new programme", m.true_peak_dbtp, -33.0, 0.1);
    assert_near("short-term", m.lufs_short_term, -33.0, 0.1);
}

/// Tech 3341 cases 1 to 5 at 44.1 kHz (the EBU gives them at 48 kHz; the K-weighting and the
/// gates must not depend on the rate): integrated within 0.1 LU.
#[test]
fn ebu_3341_integrated_cases_at_44_1_khz() {
    let rate = 44_100.0;
    let cases: [(&[(f64, f64)], f64); 5] = [
        (&[(-23.0, 20.0)], -23.0),
        (&[(-33.0, 20.0)], -33.0),
        (&[(-36.0, 10.0), (-23.0, 60.0), (-36.0, 10.0)], -23.0),
        (&[(-72.0, 10.0), (-36.0, 10.0), (-23.0, 60.0), (-36.0, 10.0), (-72.0, 10.0)], -23.0),
        (&[(-26.0, 20.0), (-20.0, 20.1), (-26.0, 20.0)], -23.0),
    ];
    for (i, (case, expected)) in cases.iter().enumerate() {
        let x: Vec<f32> = case.iter().flat_map(|&(db, seconds)| sine(1000.0, db, seconds, rate)).collect();
        let mut analyzer = Analyzer::new(rate);
        push_mono(&mut analyzer, &x);
        assert_near(
            &format!("case {} at 44.1 kHz", i + 1),
            analyzer.meters().lufs_integrated,
            *expected,
            0.1,
        );
    }
}

/// A 3 s burst at -23 LUFS after silence, starting anywhere against the meter's 100 ms
/// updates (every 5 ms of offset): the highest short-term loudness read while it plays is
/// -23 within 0.1, as Tech 3341 asks of the maximum short-term loudness of a tone burst.
#[test]
fn maximum_short_term_loudness_of_a_burst_whatever_its_alignment() {
    for offset_ms in (0..100).step_by(5) {
        let mut x = vec![0.0f32; (2.0 * SR) as usize + offset_ms * 48];
        x.extend(sine(1000.0, -23.0, 3.0, SR));
        x.extend(vec![0.0; (1.0 * SR) as usize]);
        let mut analyzer = Analyzer::new(SR);
        let mut highest = FLOOR_DB;
        for block in x.chunks(480) {
            analyzer.push(block, block);
            highest = highest.max(analyzer.meters().lufs_short_term);
        }
        assert_near(&format!("offset {offset_ms} ms"), highest, -23.0, 0.1);
    }
}

/// True peak within ±0.2 dB (tighter than Tech 3341's +0.2/-0.4) of sines at fs/4 whose
/// samples miss the crest, at 44.1 and 48 kHz, faded in as in the test above.
#[test]
fn true_peak_within_0_2_db_at_both_rates() {
    for rate in [44_100.0f32, 48_000.0] {
        for phase_deg in [0.0, 45.0, 60.0, 67.5] {
            let len = rate as usize;
            let mut x = sine_at_phase(rate as f64 / 4.0, -6.0, f64::to_radians(phase_deg), len, rate);
            let fade = (rate / 100.0) as usize;
            for (i, v) in x.iter_mut().take(fade).enumerate() {
                *v *= 0.5 - 0.5 * (std::f32::consts::PI * i as f32 / fade as f32).cos();
            }
            let mut analyzer = Analyzer::new(rate);
            push_mono(&mut analyzer, &x);
            assert_near(&format!("{rate} Hz, {phase_deg}°"), analyzer.meters().true_peak_dbtp, -6.0, 0.2);
        }
    }
}
