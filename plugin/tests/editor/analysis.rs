//! The analysis panel: the instance's meters as measured by its analysis thread.

use super::harness::{open, play_a_loud_sine};
use codette_server::Instance;
use egui_kittest::kittest::Queryable;

#[test]
fn the_analysis_panel_shows_the_instances_loudness_and_peaks() {
    let (mut harness, fixture) = open();
    let audio = play_a_loud_sine(&fixture);
    let m = fixture.remote.meters().unwrap().meters;
    harness.get_by_label("Analysis").click();
    harness.run();
    for text in [
        format!("{:.1} LUFS", m.lufs_integrated),
        format!("{:.1} dBTP", m.true_peak_dbtp),
        format!("{:+.2}", m.correlation),
    ] {
        assert!(harness.query_all_by_label(&text).count() >= 1, "{text}");
    }
    // A mono sine: fully correlated, and loud (about -3 LUFS; its peak at full scale).
    assert!(m.correlation > 0.99 && m.lufs_integrated > -6.0 && m.true_peak_dbtp > -0.5, "{m:?}");
    fixture.remote.deactivate(audio);
}
