//! The inference market in the whole engine, as the output reports it.

mod common;

use common::{run, run_config};
use moatsim_engine::TickFrame;

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

/// Builders who keep their provider from one quarter to the next: the same
/// builder, alive both quarters, with the same provider.
fn kept_share(before: &TickFrame, now: &TickFrame) -> f64 {
    let a = &before.app_builders;
    let b = &now.app_builders;
    let previous: std::collections::HashMap<u64, u64> = (0..a.len())
        .filter(|&i| a.alive[i])
        .filter_map(|i| a.provider_lab_id[i].map(|lab| (a.builder_id[i], lab)))
        .collect();
    let (mut both, mut kept) = (0u64, 0u64);
    for i in (0..b.len()).filter(|&i| b.alive[i]) {
        let (Some(lab), Some(&was)) = (b.provider_lab_id[i], previous.get(&b.builder_id[i])) else {
            continue;
        };
        both += 1;
        kept += u64::from(lab == was);
    }
    assert!(both > 100, "builders alive in both quarters: {both}");
    kept as f64 / both as f64
}

#[test]
fn builders_switch_only_when_they_review_their_provider() {
    let review = |share: &str| {
        let (_, frames) = run_config(
            "baseline.toml",
            &[
                "scenario.quarters=6",
                &format!("app_builders.provider_review_share={share}"),
            ],
        );
        frames
    };
    let yearly = review("0.35");
    let always = review("1");
    for pair in yearly.windows(2) {
        // At most the reviewers can move (every lab stays open in the baseline).
        let kept = kept_share(&pair[0], &pair[1]);
        assert!(
            kept >= 1.0 - 0.35 - 0.03,
            "tick {}: kept {kept}",
            pair[1].stamp.tick
        );
    }
    let mean = |frames: &[TickFrame]| {
        frames
            .windows(2)
            .map(|p| kept_share(&p[0], &p[1]))
            .sum::<f64>()
            / (frames.len() - 1) as f64
    };
    assert!(
        mean(&yearly) > mean(&always),
        "reviews on a cycle keep more builders"
    );
}

#[test]
fn a_labs_strength_in_a_segment_wins_it_builders() {
    let coding_share = |strength: &str| {
        let (scenario, frames) = run_config(
            "baseline.toml",
            &[
                "scenario.quarters=2",
                &format!("labs[frontier-b].segment_strengths.coding={strength}"),
            ],
        );
        let coding = scenario
            .app_builders
            .segments
            .iter()
            .position(|s| s.name == "coding")
            .expect("coding segment") as u16;
        let frame = &frames[frames.len() - 1];
        let lab = frame
            .labs
            .iter()
            .find(|l| l.name == "frontier-b")
            .expect("lab")
            .lab_id;
        let b = &frame.app_builders;
        let in_segment: Vec<usize> = (0..b.len())
            .filter(|&i| b.alive[i] && b.segment[i] == coding)
            .collect();
        in_segment
            .iter()
            .filter(|&&i| b.provider_lab_id[i] == Some(lab))
            .count() as f64
            / in_segment.len() as f64
    };
    let none = coding_share("0");
    let strong = coding_share("0.13");
    assert!(strong > none + 0.05, "coding share {none} -> {strong}");
}
