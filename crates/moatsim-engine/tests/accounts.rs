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
            w.chip_profit + w.power_profit + w.cloud_profit + w.land_profit + w.model_profit
        ));
        let depreciation = frame.labs.iter().map(|l| l.depreciation).sum::<f64>()
            + frame
                .accelerator_buyers
                .iter()
                .map(|b| b.depreciation)
                .sum::<f64>()
            + frame.chipmakers.iter().map(|m| m.depreciation).sum::<f64>()
            + frame.utilities.iter().map(|u| u.depreciation).sum::<f64>();
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
