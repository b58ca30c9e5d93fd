//! Infrastructure accounts in the whole engine: assets depreciate
//! straight-line from what was paid for them, and `world` sums profit by
//! layer. (Money conservation is checked in `tests/quarter.rs`.)

mod common;

use common::run_config;
use moatsim_engine::TickFrame;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn packaging_depreciates_by_what_expansions_cost_over_its_life() {
    let (scenario, frames) = run_config("baseline.toml", &["scenario.quarters=12"]);
    let life = f64::from(scenario.world.packaging_life_quarters);
    for pair in frames.windows(2) {
        for (before, now) in pair[0].chipmakers.iter().zip(&pair[1].chipmakers) {
            assert_eq!(before.chipmaker_id, now.chipmaker_id);
            // The starting capacity is on the books, so there is always some.
            assert!(now.depreciation > 0.0);
            assert!(
                close(
                    now.depreciation - before.depreciation,
                    now.expansion_spend / life
                ),
                "{}: depreciation {} -> {} with {} spent",
                now.name,
                before.depreciation,
                now.depreciation,
                now.expansion_spend
            );
            assert!(close(
                now.operating_profit,
                now.revenue * now.gross_margin.unwrap_or(0.0) - now.depreciation
            ));
        }
    }
}

#[test]
fn world_profit_is_the_sum_of_its_layers_after_depreciation() {
    let (_, frames) = run_config("baseline.toml", &["scenario.quarters=8"]);
    for frame in &frames {
        let w = &frame.world;
        assert!(close(
            w.infra_profit,
            w.chip_profit
                + w.power_profit
                + w.cloud_profit
                + w.land_profit
                + w.lease_profit
                + w.model_profit
        ));
        let depreciation = frame.labs.iter().map(|l| l.depreciation).sum::<f64>()
            + frame
                .accelerator_buyers
                .iter()
                .map(|b| b.depreciation)
                .sum::<f64>()
            + frame.chipmakers.iter().map(|m| m.depreciation).sum::<f64>()
            + frame.utilities.iter().map(|u| u.depreciation).sum::<f64>()
            + frame
                .investors
                .iter()
                .map(|i| i.lease_income - i.lease_profit)
                .sum::<f64>();
        assert!(close(w.depreciation, depreciation));
        assert!(w.depreciation > 0.0);
        for lab in frame.labs.iter().filter(|l| l.alive) {
            // Accelerators and halls: a lab with a fleet depreciates it.
            assert!(lab.depreciation > 0.0, "{}", lab.name);
            assert!(close(
                lab.profit,
                lab.revenue - lab.opex - lab.rent - lab.power_cost - lab.depreciation
            ));
        }
        for buyer in &frame.accelerator_buyers {
            assert!(buyer.rental_profit <= buyer.rental_revenue);
        }
        for utility in &frame.utilities {
            assert!(utility.depreciation >= 0.0);
        }
    }
    // Utilities' new plants go on the books as they are paid for.
    let first: f64 = frames[0].utilities.iter().map(|u| u.depreciation).sum();
    let last: f64 = frames[frames.len() - 1]
        .utilities
        .iter()
        .map(|u| u.depreciation)
        .sum();
    assert!(last >= first);
}

#[test]
fn longer_lives_mean_less_depreciation_and_the_same_cash() {
    let (_, short) = run_config(
        "baseline.toml",
        &["scenario.quarters=6", "world.facility_life_quarters=40"],
    );
    let (_, long) = run_config(
        "baseline.toml",
        &["scenario.quarters=6", "world.facility_life_quarters=80"],
    );
    let total = |frames: &[TickFrame]| -> f64 {
        frames
            .iter()
            .flat_map(|f| f.labs.iter())
            .map(|l| l.depreciation)
            .sum()
    };
    assert!(total(&long) < total(&short));
    // Depreciation moves no cash: every lab ends with the same cash.
    for (a, b) in short[short.len() - 1]
        .labs
        .iter()
        .zip(&long[long.len() - 1].labs)
    {
        assert_eq!(a.cash.to_bits(), b.cash.to_bits(), "{}", a.name);
    }
}

#[test]
fn a_financed_hall_is_the_funds_asset_and_its_lease_the_labs_cost() {
    let (scenario, frames) = run_config("baseline.toml", &["scenario.quarters=12"]);
    let life = f64::from(scenario.world.facility_life_quarters);
    let financed: usize = frames
        .iter()
        .flat_map(|f| f.events.iter())
        .filter(|e| e.kind == "hall_financed")
        .count();
    assert!(financed > 0, "funds finance some halls in three years");
    let mut leases = 0.0;
    for pair in frames.windows(2) {
        let (before, now) = (&pair[0], &pair[1]);
        // What a lab pays in leases is what funds receive, quarter by quarter.
        let paid: f64 = now
            .labs
            .iter()
            .filter(|l| l.alive)
            .map(|l| {
                let spec = scenario
                    .labs
                    .iter()
                    .find(|s| s.name == l.name)
                    .expect("spec");
                l.opex - spec.opex_per_quarter_usd
            })
            .sum();
        let received: f64 = now.investors.iter().map(|i| i.lease_income).sum();
        assert!(
            close(paid, received),
            "tick {}: {paid} != {received}",
            now.stamp.tick
        );
        leases += received;
        for (b, n) in before.investors.iter().zip(&now.investors) {
            // Funds own halls at cost and depreciate them like labs do.
            assert!(n.financed_halls >= b.financed_halls, "{}", n.name);
            assert!(close(
                n.lease_income - n.lease_profit,
                n.financed_halls / life
            ));
        }
    }
    assert!(leases > 0.0, "energized financed halls pay leases");
    // Hyperscalers fund their halls from their parents' cash flow.
    let parented: Vec<u64> = frames[0]
        .labs
        .iter()
        .filter(|l| {
            scenario
                .labs
                .iter()
                .any(|s| s.name == l.name && s.parent_funding_per_quarter_usd > 0.0)
        })
        .map(|l| l.lab_id)
        .collect();
    assert!(!parented.is_empty());
    assert!(
        frames
            .iter()
            .flat_map(|f| f.events.iter())
            .filter(|e| e.kind == "hall_financed")
            .all(|e| e.agent_id.is_some_and(|id| !parented.contains(&id)))
    );
}
