//! Validation of a modulation configuration and the lenient loader.

use crate::common::*;
use crate::support::*;
use codette_dsp::modulation::*;

#[test]
fn a_route_to_a_missing_parameter_is_refused_by_name() {
    let config = with_routes(vec![
        route(Source::Macro(0), "s3_mix", 0.5, Polarity::Unipolar),
        route(Source::Lfo(1), "s9_nothing", 0.5, Polarity::Bipolar),
    ]);
    let error = config.validate(&resolver()).unwrap_err();
    assert_eq!(error.field, "routes[1].target");
    assert!(error.message.contains("s9_nothing"), "{error}");
    assert!(ModulationEngine::new(&config, SR, &resolver()).is_err());

    let bad = with_routes(vec![route(Source::Lfo(4), "s3_mix", 0.5, Polarity::Bipolar)]);
    let error = bad.validate(&resolver()).unwrap_err();
    assert!(error.field == "routes[0].source" && error.message.contains("LFO 4"), "{error}");

    let mut bad = ModulationConfig::default();
    bad.lfos[2].rate = LfoRate::Hz(500.0);
    let error = bad.validate(&resolver()).unwrap_err();
    assert!(error.field == "lfos[2]" && error.message.contains("between 0.01 and 100"), "{error}");

    let mut bad = ModulationConfig::default();
    bad.lanes.insert("s2_ghost".into(), AutomationLane::default());
    assert_eq!(bad.validate(&resolver()).unwrap_err().field, "lanes[s2_ghost]");

    let bad = ModulationConfig { version: CONFIG_VERSION + 1, ..Default::default() };
    assert_eq!(bad.validate(&resolver()).unwrap_err().field, "version");
    assert!(ModulationConfig::default().validate(&resolver()).is_ok());
}

#[test]
fn the_lenient_loader_drops_what_cannot_work_and_says_so() {
    let mut config = with_routes(vec![
        route(Source::Macro(0), "s3_mix", 0.5, Polarity::Unipolar),
        route(Source::Macro(1), "s9_nothing", 0.5, Polarity::Unipolar),
        route(Source::Lfo(9), "s3_in", 0.5, Polarity::Bipolar),
        route(Source::Velocity, "s3_out", 3.0, Polarity::Unipolar),
    ]);
    config.lfos[1].rate = LfoRate::Sync("1/7".into());
    config.lanes.insert("s9_gone".into(), AutomationLane::default());
    config.lanes.insert("s3_mix".into(), AutomationLane::default());
    let (loaded, warnings) = config.load_lenient(&resolver());
    assert!(loaded.validate(&resolver()).is_ok());
    assert_eq!(warnings.len(), 5, "{warnings:#?}");
    assert!(warnings.iter().any(|w| w.contains("s9_nothing") && w.contains("dropped")), "{warnings:#?}");
    assert!(warnings.iter().any(|w| w.contains("s9_gone") && w.contains("dropped")));
    let kept: Vec<(&str, f32)> = loaded.routes.iter().map(|r| (r.target.as_str(), r.depth)).collect();
    assert_eq!(kept, [("s3_mix", 0.5), ("s3_out", 1.0)]);
    assert_eq!(loaded.lfos[1].rate, LfoRate::Sync("1/4".into()));
    assert_eq!(loaded.lanes.keys().collect::<Vec<_>>(), ["s3_mix"]);
}
