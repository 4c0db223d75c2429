//! The embedded chat engine answers from the measurements and the effect specs: the numbers in
//! its answers are recomputed here from the reading, and a different reading gives a different
//! answer to the same question.

use codette_assistant::chat::{embedded, Context, Perspective, Source};
use codette_assistant::{
    detect, limiter_threshold, suggest, Context as Judged, Edit, Finding, FindingKind, Measurements,
    Reference, Suggestion,
};
use codette_dsp::analysis::{MeterReading, RangeBalance, TonalBalance};
use codette_dsp::preset::Preset;
use codette_dsp::rack::SLOT_COUNT;
use codette_dsp::registry;

fn reading(lufs: f32, true_peak: f32, bands: [f32; 6]) -> MeterReading {
    let [sub, low, low_mid, mid, high_mid, high] = bands;
    let tonal_balance = TonalBalance { sub, low, low_mid, mid, high_mid, high };
    MeterReading {
        peak_dbfs: true_peak - 0.6,
        true_peak_dbtp: true_peak,
        rms_dbfs: lufs - 2.0,
        lufs_momentary: lufs,
        lufs_short_term: lufs,
        lufs_integrated: lufs,
        loudness_range_lu: 6.0,
        crest_db: 10.0,
        plr_db: true_peak - lufs,
        correlation: 0.8,
        width: 0.4,
        spectral_centroid_hz: 1800.0,
        tonal_balance,
        range_balance: RangeBalance::spread_from(&tonal_balance),
    }
}

/// The question asked of `meters` with the findings and suggestions made of them.
fn ask(message: &str, meters: &MeterReading) -> codette_assistant::chat::ChatResponse {
    let (findings, suggestions) = judged(meters);
    let context =
        Context { meters: Some(meters), findings: &findings, suggestions: &suggestions, rack: None };
    embedded(message, Perspective::default(), context)
}

#[test]
fn loudness_answers_carry_the_measured_distance_to_each_target() {
    let loud = reading(-8.2, 0.4, [0.0; 6]);
    let answer = ask("Is my track too loud for Spotify?", &loud);
    assert_eq!(answer.source, Source::Embedded);
    assert_eq!(answer.perspective, Perspective::MixEngineering);
    assert!(answer.response.contains("-8.2 LUFS"), "{}", answer.response);
    // Turned down by integrated − target, for each target.
    for (target, down) in [(-14.0f32, -8.2f32 + 14.0), (-16.0, -8.2 + 16.0), (-23.0, -8.2 + 23.0)] {
        assert!(
            answer.response.contains(&format!("({target} LUFS) turns it down {down:.1} dB")),
            "{}",
            answer.response
        );
    }
    assert!(answer.confidence >= 0.9);
    // The peaks are over too (a finding), so they are suggested as the next question.
    assert!(answer.follow_ups.iter().any(|s| s.contains("peaks")), "{:?}", answer.follow_ups);

    // A quiet master: the same question, another answer, with the gain and the limiting it needs.
    let quiet = reading(-20.0, -3.0, [0.0; 6]);
    let answer = ask("Is my track too loud for Spotify?", &quiet);
    let raise = -14.0f32 - -20.0;
    let new_peak = -3.0 + raise;
    assert!(answer.response.contains(&format!("raising it {raise:.1} dB")), "{}", answer.response);
    assert!(answer.response.contains(&format!("true peak at {new_peak:.1} dBTP")), "{}", answer.response);
    assert!(answer.response.contains(&format!("take {:.1} dB off the peaks", new_peak - -1.0)));
}

#[test]
fn peak_and_tone_answers_state_the_excess_and_the_change() {
    let meters = reading(-12.0, 0.4, [0.0, 1.0, 8.0, 1.0, 0.0, -2.0]);
    let peaks = ask("why does it clip?", &meters).response;
    assert!(peaks.contains("peak 0.4 dBTP"), "{peaks}");
    assert!(peaks.contains(&format!("{:.1} dB over the -1 dBTP limit", 0.4f32 + 1.0)), "{peaks}");
    // The threshold the suggestions give the limiter for that ceiling.
    let (findings, suggestions) = judged(&meters);
    assert!(findings.iter().any(|f| f.id == FindingKind::TruePeakOver));
    let threshold = limiter_threshold(-1.0);
    assert!(peaks.contains(&format!("threshold at {threshold} dB")), "{peaks}");
    let limiter =
        suggestions.iter().find(|s| s.finding == Some(FindingKind::TruePeakOver)).expect("a limiter");
    let sets_threshold = |e: &Edit| match e {
        Edit::InsertEffect { config, .. } => config.parameters.get("threshold") == Some(&threshold),
        Edit::SetParameter { parameter, value, .. } => parameter == "threshold" && *value == threshold,
        _ => false,
    };
    assert!(limiter.parameters.as_ref().unwrap().edits.iter().any(sets_threshold), "{limiter:?}");
    // The low mids 8 dB over pink (so 200-500 Hz, spread over, a little less) against the
    // reference's: a bell at the range's geometric centre, cut by that distance (at most 9 dB, in half dB), asked about the mix or the EQ.
    let distance = meters.range_balance.hz_200_500 - Reference::for_genre(None).range_balance.hz_200_500;
    let cut = -((distance.clamp(2.0, 9.0) * 2.0).round() / 2.0);
    let bell = format!("bell of {cut:+.1} dB at {} Hz", (200.0f32 * 500.0).sqrt().round());
    for question in ["the mix sounds muddy", "how should I set the EQ?"] {
        let tone = ask(question, &meters);
        assert!(tone.response.contains(&bell), "{bell} in {}", tone.response);
        assert_eq!(tone.suggestions.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), ["mud"]);
    }
    // Pink-balanced, nothing to cut.
    let flat = ask("the mix sounds muddy", &reading(-12.0, -2.0, [0.0; 6]));
    assert!(!flat.response.contains("bell") && flat.suggestions.is_empty(), "{}", flat.response);
}

#[test]
fn effect_answers_come_from_the_effect_specs() {
    let meters = reading(-16.0, -4.0, [0.0; 6]);
    let answer = ask("How should I set the compressor?", &meters);
    let spec = registry::find("compressor").unwrap();
    for p in spec.params {
        let range = format!("`{}` {}..{}", p.id, p.format(p.min), p.format(p.max));
        assert!(answer.response.contains(&range), "{range} in {}", answer.response);
    }
    // Threshold = RMS + 4 dB, from this reading's RMS (−18 dBFS).
    assert!(answer.response.contains("threshold -14 dB (RMS + 4 dB)"), "{}", answer.response);
    // Without measurements the spec still answers, and says nothing was measured elsewhere.
    let bare = embedded("what does the hall reverb pre-delay do", Perspective::Ethical, Context::default());
    assert!(bare.response.contains("predelay_ms"));
    let unmeasured = embedded("is it loud enough?", Perspective::default(), Context::default());
    assert!(unmeasured.response.to_lowercase().contains("nothing has been measured"));
    assert!(unmeasured.confidence < 0.5 && unmeasured.follow_ups.is_empty());
}

#[test]
fn perspectives_phrase_the_same_measurements_differently() {
    let meters = reading(-8.2, 0.4, [0.0; 6]);
    let answers: Vec<String> = Perspective::ALL
        .into_iter()
        .map(|p| {
            embedded("how are the peaks?", p, Context { meters: Some(&meters), ..Context::default() })
                .response
        })
        .collect();
    for (i, a) in answers.iter().enumerate() {
        assert!(a.contains("0.4 dBTP"), "{a}");
        assert!(answers[i + 1..].iter().all(|b| b != a), "two perspectives gave the same text: {a}");
    }
    let overview = embedded("how does it sound?", Perspective::default(), Context::default());
    assert!(overview.timestamp.ends_with('Z') && overview.timestamp.contains('T'));
}

#[test]
fn processing_questions_answer_with_the_template_tuned_to_the_measurements() {
    use codette_assistant::templates::Template;
    use codette_assistant::{Genre, Instrument};
    let meters = reading(-14.0, -3.0, [0.0; 6]);
    let answer = ask("How should I process hip-hop vocals?", &meters).response;
    for slot in Template::new(Instrument::Vocals, Genre::HipHop).slots {
        assert!(answer.contains(slot.config.effect.as_deref().unwrap()), "{answer}");
    }
    // Hip-hop puts the threshold 3 dB above the RMS (−16 dBFS here), in 0.5 dB steps.
    let threshold = ((-16.0f32 + 3.0) * 2.0).round() / 2.0;
    assert!(answer.contains(&format!("compressor threshold from -15 to {threshold}")), "{answer}");
    // Without measurements, the template as it is.
    let bare = embedded("a chain for jazz keys", Perspective::default(), Context::default());
    assert!(bare.response.contains("room_reverb") && !bare.response.contains("tuned"), "{}", bare.response);
}

#[test]
fn questions_about_an_effect_in_the_rack_quote_its_settings_against_the_measurements() {
    use codette_assistant::chat::rack::Rack;
    use codette_dsp::chain::SlotConfig;
    use codette_dsp::preset::Preset;
    let mut preset = Preset::new("test");
    preset.slots = vec![
        SlotConfig::effect("eq3band"),
        SlotConfig::effect("compressor").with("threshold", -10.0).with("ratio", 6.0),
        SlotConfig::effect("limiter").with("threshold", -1.0),
    ];
    let reduction = [None, Some(4.5), Some(0.8)];
    let meters = reading(-18.0, 0.4, [0.0; 6]); // RMS −20 dBFS, peak −0.2 dBFS
    let rack = Some(Rack { preset: &preset, gain_reduction_db: &reduction });
    let context = Context { meters: Some(&meters), rack, ..Context::default() };
    let answer = embedded("how is my compressor set?", Perspective::default(), context).response;
    assert!(
        answer.to_lowercase().contains("slot 2 holds the compressor: threshold -10.0 db, ratio 6.00:1"),
        "{answer}"
    );
    // Unset parameters read their defaults.
    let spec = registry::find("compressor").unwrap();
    assert!(
        answer.contains(&format!("attack {}", spec.params[2].format(spec.params[2].default))),
        "{answer}"
    );
    assert!(answer.contains("takes 4.5 dB off now"), "{answer}");
    assert!(
        answer.contains(&format!("{:+.1} dB from the measured RMS of -20.0 dBFS", -10.0f32 - -20.0)),
        "{answer}"
    );
    // Dynamics: every dynamics slot with what it takes off.
    let dynamics = embedded("is it over-compressed?", Perspective::default(), context).response;
    assert!(dynamics.to_lowercase().contains("slot 3 holds the limiter"), "{dynamics}");
    assert!(dynamics.contains("takes 0.8 dB off now"), "{dynamics}");
    assert!(dynamics.contains("above this -1 dB ceiling"), "{dynamics}");
    // An effect the rack does not hold: where it could go.
    let gate = embedded("should I use the gate?", Perspective::default(), context).response;
    assert!(gate.contains("no Gate") && gate.contains("slot 4 is free"), "{gate}");
}

#[test]
fn silence_is_said_to_be_silence_but_specs_still_answer() {
    let silent = reading(-144.0, -144.0, [-144.0; 6]);
    let loud = ask("is it too loud?", &silent);
    assert!(loud.response.contains("only heard silence"), "{}", loud.response);
    let spec = ask("what does the compressor do?", &silent);
    assert!(spec.response.contains("`knee`") && !spec.response.contains("silence"), "{}", spec.response);
}

/// A loud master with a low-mid bump on an empty rack: its findings and their suggestions, as
/// `findings::detect` and `suggest` make them for `/codette/analyze`.
fn judged(meters: &MeterReading) -> (Vec<Finding>, Vec<Suggestion>) {
    let measurements = Measurements::live(*meters);
    let findings = detect(&measurements, &Judged::default());
    let suggestions = suggest(&findings, &measurements, &Preset::new(""), SLOT_COUNT, &Judged::default());
    (findings, suggestions)
}

#[test]
fn findings_and_their_suggestions_answer_what_is_wrong_and_how_to_fix_it() {
    let meters = reading(-8.2, 0.4, [0.0, 1.0, 8.0, 1.0, 0.0, -2.0]);
    let (findings, suggestions) = judged(&meters);
    let context =
        Context { meters: Some(&meters), findings: &findings, suggestions: &suggestions, rack: None };
    let kinds: Vec<FindingKind> = findings.iter().map(|f| f.id).collect();
    assert!(
        kinds.contains(&FindingKind::Mud) && kinds.contains(&FindingKind::LoudnessOffTarget),
        "{kinds:?}"
    );

    // The whole analysis: every finding with its evidence, every suggestion that answers one.
    let wrong = embedded("what's wrong with my mix?", Perspective::default(), context);
    for f in &findings {
        assert!(wrong.response.contains(&f.description), "{} not in {}", f.description, wrong.response);
    }
    let answering: Vec<&Suggestion> = suggestions.iter().filter(|s| s.finding.is_some()).collect();
    assert_eq!(wrong.suggestions.iter().collect::<Vec<_>>(), answering);

    // The mud only: its suggestion, a bell on the low mids cut by their distance from the
    // reference (at least 2, at most 9 dB, in half dB), ready to apply to the rack.
    let mud = embedded("how do I fix the mud?", Perspective::default(), context);
    let ids: Vec<&str> = mud.suggestions.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["mud"]);
    assert!(mud.response.contains("suggestion `mud`"), "{}", mud.response);
    let distance = meters.range_balance.hz_200_500 - Reference::for_genre(None).range_balance.hz_200_500;
    let cut = -((distance.clamp(2.0, 9.0) * 2.0).round() / 2.0);
    let rack = mud.suggestions[0].parameters.as_ref().unwrap().apply(&Preset::new(""), SLOT_COUNT).unwrap();
    let eq = rack.slots.iter().find(|s| s.effect.as_deref() == Some("eq3band")).unwrap();
    assert_eq!(eq.parameters.get("mid_gain").copied(), Some(cut));

    // Loudness: the limiter, not the EQ.
    let loud = embedded("is it too loud for Spotify?", Perspective::default(), context);
    let ids: Vec<&str> = loud.suggestions.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["loudness_off_target"]);

    // The image is judged by the findings alone: fine at correlation 0.8, out of phase at −0.5
    // (below the findings' −0.2), and then the answer is the finding with its evidence.
    let fine = ask("will it hold up in mono?", &meters);
    assert!(
        fine.response.to_lowercase().contains("correlation 0.80") && fine.suggestions.is_empty(),
        "{}",
        fine.response
    );
    let inverted = MeterReading { correlation: -0.5, width: 1.5, ..meters };
    let (findings, _) = judged(&inverted);
    let phase = findings.iter().find(|f| f.id == FindingKind::PhaseProblem).expect("a phase finding");
    let answer = ask("will it hold up in mono?", &inverted);
    assert!(answer.response.contains(&phase.description), "{}", answer.response);

    // Dynamics likewise: a PLR of 5 dB, under the reference's minimum, is the over-compression
    // finding, and the answer quotes it.
    let squashed = reading(-6.0, -1.0, [0.0; 6]);
    assert!(squashed.plr_db < Reference::for_genre(None).min_plr_db);
    let (findings, _) = judged(&squashed);
    let over = findings.iter().find(|f| f.id == FindingKind::OverCompressed).expect("over-compressed");
    let answer = ask("is it over-compressed?", &squashed);
    assert!(answer.response.contains(&over.description), "{}", answer.response);
}
