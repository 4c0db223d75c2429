//! Automation lanes: interpolation, editing, capacity, and how the engine reads and swaps them.

use crate::support::*;
use codette_dsp::modulation::lane::MAX_LANE_POINTS;
use codette_dsp::modulation::*;
use std::sync::Arc;

#[test]
fn a_lane_holds_its_ends_and_meets_each_point_at_its_sample() {
    assert_eq!(AutomationLane::default().value_at(123), 0.5);
    let lane: AutomationLane = [
        point(3000, 0.8, Interpolation::Linear),
        point(1000, 0.2, Interpolation::Linear),
        point(5000, 0.4, Interpolation::Step),
    ]
    .into_iter()
    .collect();
    for (t, v) in [(0, 0.2), (999, 0.2), (1000, 0.2), (3000, 0.8), (5000, 0.4), (u64::MAX, 0.4)] {
        assert_eq!(lane.value_at(t), v, "at {t}");
    }
    assert!(lane.value_at(2999) < 0.8 && lane.value_at(1001) > 0.2);
}

#[test]
fn lane_interpolation_modes_at_quarter_points() {
    type Shape = fn(f64) -> f64;
    let shapes: [(Interpolation, Shape); 4] = [
        (Interpolation::Linear, |u| u),
        (Interpolation::Exponential, |u| u * u),
        (Interpolation::Step, |u| if u >= 0.5 { 1.0 } else { 0.0 }),
        (Interpolation::Smooth, |u| 3.0 * u * u - 2.0 * u * u * u),
    ];
    for (mode, shape) in shapes {
        let lane: AutomationLane =
            [point(1000, 0.2, mode), point(2000, 0.6, Interpolation::Linear)].into_iter().collect();
        for (t, u) in [(1250, 0.25), (1500, 0.5), (1750, 0.75)] {
            let expected = 0.2 + (0.6f32 as f64 - 0.2f32 as f64) * shape(u);
            assert!((lane.value_at(t) as f64 - expected).abs() < 1e-6, "{mode:?} at u = {u}");
        }
    }
}

#[test]
fn lane_editing_keeps_points_sorted_and_finds_the_next_breakpoint() {
    let mut lane = AutomationLane::default();
    for t in [3000, 1000, 2001] {
        lane.insert(point(t, 0.5, Interpolation::Step)).unwrap();
    }
    lane.insert(point(2001, 1.5, Interpolation::Linear)).unwrap();
    assert!(lane.insert(point(10, f32::NAN, Interpolation::Linear)).is_err());
    let times: Vec<u64> = lane.points().iter().map(|p| p.time_samples).collect();
    assert_eq!(times, [1000, 2001, 3000]);
    assert_eq!(lane.points()[1].value, 1.0, "replaced, clamped");

    // The step segment 1000..2001 jumps where u reaches 0.5: at 1000 + ceil(1001 / 2).
    assert_eq!((lane.value_at(1500), lane.value_at(1501)), (0.5, 1.0));
    assert_eq!(lane.next_point_after(999), Some(1000));
    assert_eq!(lane.next_point_after(1000), Some(2001));
    assert_eq!(lane.next_breakpoint_after(1000), Some(1501));
    assert_eq!(lane.next_breakpoint_after(1501), Some(2001));
    assert_eq!(lane.next_breakpoint_after(2001), Some(3000), "linear: only the point");
    assert_eq!(lane.next_point_after(3000), None);

    assert_eq!(lane.remove(2500), None);
    assert_eq!(lane.remove(2001).map(|p| p.value), Some(1.0));
    lane.insert(point(2500, 0.1, Interpolation::Linear)).unwrap();
    assert_eq!(lane.clear_range(1000..3000), 2);
    assert_eq!(lane.points().len(), 1);
    assert_eq!(lane.points()[0].time_samples, 3000);
}

#[test]
fn a_full_lane_refuses_new_points_but_still_takes_replacements() {
    let mut lane = AutomationLane::default();
    for t in 0..MAX_LANE_POINTS as u64 {
        lane.insert(point(t, 0.5, Interpolation::Linear)).unwrap();
    }
    let error = lane.insert(point(u64::MAX, 0.5, Interpolation::Linear)).unwrap_err();
    assert!(error.contains(&MAX_LANE_POINTS.to_string()), "{error}");
    lane.insert(point(7, 0.9, Interpolation::Linear)).unwrap();
    assert_eq!(lane.value_at(7), 0.9);
}

#[test]
fn the_engine_reads_lanes_at_the_tick_position_and_swaps_them_whole() {
    let mut config = ModulationConfig::default();
    let ramp = [point(0, 0.0, Interpolation::Linear), point(48_000, 1.0, Interpolation::Linear)];
    config.lanes.insert("s3_mix".into(), ramp.into_iter().collect());
    config.lanes.insert("s3_out".into(), [point(0, 0.3, Interpolation::Linear)].into_iter().collect());
    config.routes = vec![route(Source::Macro(0), "s3_mix", 0.5, Polarity::Unipolar)];
    let mut e = engine(&config);
    e.set_macro(0, 0.2);
    e.process_tick(&at_sample(12_000, true), 32, (&[], &[]), None, &[]);
    // The lane is the routed parameter's base; a lane without routes is the value itself.
    assert!(close(&applied(&e, |_| 0.5), &[(2, 0.25 + 0.1), (4, 0.3)]));
    // Without a position there is nothing to read: the host's value is the base.
    e.process_tick(&Transport { position_samples: None, ..at_sample(0, true) }, 32, (&[], &[]), None, &[]);
    assert!(close(&applied(&e, |_| 0.5), &[(2, 0.5 + 0.1)]));

    config.lanes.insert("s3_out".into(), [point(0, 0.9, Interpolation::Linear)].into_iter().collect());
    let next = Arc::new(LaneSet::resolve(&config.lanes, &resolver()).unwrap());
    let old = e.set_lanes(next);
    assert_eq!(old.get(4).map(|l| l.value_at(0)), Some(0.3));
    e.process_tick(&at_sample(24_000, true), 32, (&[], &[]), None, &[]);
    assert!(close(&applied(&e, |_| 0.5), &[(2, 0.5 + 0.1), (4, 0.9)]));
}
