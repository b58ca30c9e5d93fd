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

/// Failover serves rationed builders from other labs' idle capacity: never
/// more than was rationed and offered, never more than was idle, and it
/// happens in the baseline.
#[test]
fn failover_serves_no_more_than_was_offered_or_idle() {
    let frames = run(&["scenario.quarters=12"]);
    let mut moved = 0.0;
    for frame in &frames {
        let row = frame
            .markets
            .iter()
            .find(|m| m.market == "inference_failover")
            .expect("a failover row every quarter");
        let slack = 1e-9 * row.supply.max(row.demand).max(1.0);
        assert!(row.cleared >= 0.0, "tick {}", frame.stamp.tick);
        assert!(
            row.cleared <= row.supply + slack && row.cleared <= row.demand + slack,
            "tick {}: {} served of {} offered against {} idle",
            frame.stamp.tick,
            row.cleared,
            row.demand,
            row.supply
        );
        moved += row.cleared;
    }
    assert!(moved > 0.0, "some rationed demand fails over");
}
