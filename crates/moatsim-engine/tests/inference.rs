//! The inference market in the whole engine, as the output reports it.

mod common;

use common::run;

/// `world.unserved_share` is the quarter's token demand the labs could not
/// serve, the same quantity as the labs' rows and `world.lost_demand_mtok`.
#[test]
fn the_unserved_share_is_what_labs_could_not_serve() {
    let frames = run(&["scenario.quarters=12"]);
    let mut rationed = false;
    for frame in &frames {
        let demand: f64 = frame.labs.iter().map(|l| l.demand_mtok).sum();
        let served: f64 = frame.labs.iter().map(|l| l.served_mtok).sum();
        let share = frame.world.unserved_share;
        assert!((0.0..=1.0).contains(&share), "{share}");
        assert!(
            (share - (1.0 - served / demand)).abs() < 1e-9,
            "tick {}: {share} against {}",
            frame.stamp.tick,
            1.0 - served / demand
        );
        assert!(
            (frame.world.lost_demand_mtok - (demand - served)).abs() <= 1e-6 * demand.max(1.0),
            "tick {}: lost {} against {}",
            frame.stamp.tick,
            frame.world.lost_demand_mtok,
            demand - served
        );
        rationed |= share > 0.0;
    }
    assert!(rationed, "the baseline rations in some quarter");
}
