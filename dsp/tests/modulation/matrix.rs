//! The modulation matrix: polarity mapping, how routes add up and clamp, and macros.

use crate::support::*;
use codette_dsp::modulation::*;

#[test]
fn polarity_mapping_follows_the_documented_formulas() {
    assert_eq!(map_polarity(0.25, Polarity::Unipolar, Polarity::Bipolar), -0.5);
    assert_eq!(map_polarity(-0.5, Polarity::Bipolar, Polarity::Unipolar), 0.25);
    assert_eq!(map_polarity(-0.5, Polarity::Bipolar, Polarity::Bipolar), -0.5);
    assert_eq!(map_polarity(0.7, Polarity::Unipolar, Polarity::Unipolar), 0.7);
}

#[test]
fn routes_add_up_by_the_documented_rule_and_clamp() {
    let mut sources = SourceValues::default();
    sources.lfo[0] = 0.5;
    (sources.lfo[1], sources.lfo_polarity[1]) = (0.8, Polarity::Unipolar);
    sources.macros[0] = 0.25;
    sources.cc[7] = 1.0;
    let routes = [
        route(Source::Lfo(0), "s3_mix", 0.4, Polarity::Bipolar),
        route(Source::Lfo(0), "s3_in", 0.4, Polarity::Unipolar),
        route(Source::Lfo(1), "s3_out", 0.5, Polarity::Bipolar),
        route(Source::Lfo(1), "s3_out", -0.25, Polarity::Unipolar),
        route(Source::Macro(0), "s1_mix", 1.0, Polarity::Unipolar),
        route(Source::Cc(7), "s3_compressor_threshold", -1.0, Polarity::Unipolar),
        Route { enabled: false, ..route(Source::Macro(0), "s3_mix", 1.0, Polarity::Unipolar) },
    ];
    let matrix = Matrix::new(&routes, &resolver()).unwrap();
    assert_eq!(matrix.targets().collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
    let bases = [0.9, 0.5, 0.5, 0.2, 0.6];
    let mut out = Vec::new();
    matrix.modulate(&sources, |t| bases[t], |t, v| out.push((t, v)));
    let expected = [
        (0, 1.0),                                        // 0.9 + 0.25, clamped
        (1, 0.0),                                        // 0.5 - 1, clamped
        (2, 0.5 + 0.4 * 0.5), // bipolar source as it is; the disabled route not at all
        (3, 0.2 + 0.4 * (0.5 + 1.0) / 2.0), // bipolar source mapped unipolar: (b + 1) / 2
        (4, 0.6 + 0.5 * (2.0 * 0.8 - 1.0) - 0.25 * 0.8), // unipolar mapped bipolar: 2u - 1
    ];
    assert!(close(&out, &expected), "{out:?}");
}

#[test]
fn macros_drive_several_targets() {
    let config = with_routes(vec![
        route(Source::Macro(0), "s3_mix", 1.0, Polarity::Unipolar),
        route(Source::Macro(0), "s3_in", -0.5, Polarity::Unipolar),
        route(Source::Macro(1), "s3_mix", 0.25, Polarity::Bipolar),
        route(Source::Macro(1), "s3_out", 0.5, Polarity::Bipolar),
    ]);
    let mut e = engine(&config);
    e.set_macro(0, 0.3);
    e.set_macro(1, 0.6);
    let expected = [(2, 0.5 + 0.3 + 0.25 * 0.2), (3, 0.5 - 0.15), (4, 0.5 + 0.5 * 0.2)];
    assert!(close(&applied(&e, |_| 0.5), &expected));
    e.set_macro(0, 1.0);
    e.set_macro(1, 0.0);
    let expected = [(2, 1.0), (3, 0.5 - 0.5), (4, 0.5 - 0.5)];
    assert!(close(&applied(&e, |_| 0.5), &expected));
}
