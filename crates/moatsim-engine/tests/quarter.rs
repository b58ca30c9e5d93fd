//! The engine end to end, without files: conservation of money, GPUs and power,
//! market invariants, determinism across thread counts, and behaviours a user
//! relies on.

use std::path::Path;
use std::sync::Arc;

use moatsim_config::Scenario;
use moatsim_engine::{Simulation, TickFrame};

fn scenario(overrides: &[&str]) -> Arc<Scenario> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs/baseline.toml");
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    Arc::new(
        moatsim_config::load(&path, &overrides)
            .expect("baseline loads")
            .scenario,
    )
}

fn run_all(scenario: Arc<Scenario>) -> (Simulation, Vec<TickFrame>) {
    let mut simulation = Simulation::new(scenario).expect("schedule builds");
    let mut frames = Vec::new();
    while let Some(frame) = simulation.step() {
        frames.push(frame);
    }
    (simulation, frames)
}

fn relative_gap(a: f64, b: f64) -> f64 {
    (a - b).abs() / a.abs().max(b.abs()).max(1.0)
}

#[test]
fn every_dollar_is_accounted_for() {
    let scenario = scenario(&["app_builders.count=3000"]);
    let mut simulation = Simulation::new(Arc::clone(&scenario)).expect("builds");
    let start = simulation.money_totals();
    let initial_cash: f64 = scenario.labs.iter().map(|l| l.cash_usd).sum::<f64>()
        + scenario
            .investors
            .iter()
            .map(|i| i.dry_powder_usd)
            .sum::<f64>()
        + scenario.chipmakers.iter().map(|c| c.cash_usd).sum::<f64>()
        + scenario.utilities.iter().map(|u| u.cash_usd).sum::<f64>();
    assert!(relative_gap(start.agent_cash_usd, initial_cash) < 1e-12);
    while simulation.step().is_some() {
        let now = simulation.money_totals();
        let expected = initial_cash + now.external_in_usd - now.external_out_usd;
        assert!(
            relative_gap(now.agent_cash_usd, expected) < 1e-9,
            "cash {} vs initial + external in - out {}",
            now.agent_cash_usd,
            expected
        );
    }
    let end = simulation.money_totals();
    assert!(
        end.external_in_usd > 0.0 && end.external_out_usd > 0.0,
        "money actually flowed"
    );
}

#[test]
fn gpus_sold_are_gpus_delivered() {
    let (mut simulation, frames) = run_all(scenario(&["app_builders.count=2000"]));
    let sold: u64 = frames
        .iter()
        .flat_map(|f| f.chipmakers.iter())
        .map(|m| m.units_sold)
        .sum();
    assert!(sold > 0, "GPUs were sold during the run");
    let (accounted, installed) = simulation.gpu_totals();
    assert_eq!(accounted, installed);
    let ordered: f64 = frames
        .iter()
        .flat_map(|f| f.events.iter())
        .filter(|e| e.kind == "gpu_order")
        .map(|e| e.quantity.unwrap_or(0.0))
        .sum();
    assert!(
        (ordered - sold as f64).abs() < 0.5,
        "gpu_order events add up to units sold"
    );
}

#[test]
fn power_limited_labs_retire_old_gpus_for_newer_ones_and_lose_none() {
    let (mut simulation, frames) = run_all(scenario(&["app_builders.count=2000"]));
    let retired: u64 = frames
        .iter()
        .flat_map(|f| f.labs.iter())
        .map(|l| l.gpus_retired)
        .sum();
    assert!(retired > 0, "power-limited labs refresh their fleets");
    // The oldest generation in the baseline (H100, on sale from 2023Q1) is due
    // for refresh only after `refresh_min_age_quarters` (16): from 2027Q1.
    for frame in &frames {
        let year = frame.stamp.year;
        let retired_now: u64 = frame.labs.iter().map(|l| l.gpus_retired).sum();
        assert!(
            year >= 2027 || retired_now == 0,
            "{retired_now} units retired in {year}, before any generation is due"
        );
    }
    // Retired units are counted, not lost.
    let (accounted, installed) = simulation.gpu_totals();
    assert_eq!(accounted, installed);

    // With no generation old enough to refresh, units leave only at the end
    // of their five-year life: none before 2028, when the first of the
    // starting fleet (bought from 2023Q1) turns twenty quarters old.
    let (_, frames) = run_all(scenario(&[
        "app_builders.count=2000",
        "behaviour.refresh_min_age_quarters=200",
    ]));
    for frame in &frames {
        let retired_now: u64 = frame.labs.iter().map(|l| l.gpus_retired).sum();
        assert!(
            frame.stamp.year >= 2028 || retired_now == 0,
            "{retired_now} units retired in {}, with nothing due for refresh or old enough to retire",
            frame.stamp.year
        );
    }
    assert!(
        frames
            .iter()
            .flat_map(|f| f.labs.iter())
            .any(|l| l.gpus_retired > 0),
        "the starting fleet retires at the end of its life"
    );
}

#[test]
fn contracted_power_never_exceeds_generation() {
    let (_, frames) = run_all(scenario(&["app_builders.count=2000"]));
    for frame in &frames {
        for utility in &frame.utilities {
            assert!(
                utility.committed_mw <= utility.generation_mw + 1e-6,
                "tick {}: {} commits {} MW of {} MW",
                frame.stamp.tick,
                utility.name,
                utility.committed_mw,
                utility.generation_mw
            );
        }
    }
}

#[test]
fn every_market_clears_within_supply_and_demand() {
    let (_, frames) = run_all(scenario(&["app_builders.count=2000"]));
    let mut seen = std::collections::BTreeSet::new();
    for frame in &frames {
        for row in &frame.markets {
            seen.insert(row.market);
            assert!(
                row.cleared >= 0.0 && row.supply >= 0.0 && row.demand >= 0.0,
                "{row:?}"
            );
            assert!(
                row.cleared <= row.supply * (1.0 + 1e-9) + 1e-6,
                "cleared above supply: {row:?}"
            );
            assert!(
                row.cleared <= row.demand * (1.0 + 1e-9) + 1e-6,
                "cleared above demand: {row:?}"
            );
        }
    }
    for market in ["gpu", "land", "power", "inference", "capital"] {
        assert!(seen.contains(market), "{market} market has rows");
    }
}

#[test]
fn output_is_identical_for_any_thread_count() {
    // More builders than one chunk, so the parallel step really splits.
    let scenario = scenario(&["app_builders.count=20000", "scenario.quarters=6"]);
    let run_with = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        pool.install(|| format!("{:?}", run_all(Arc::clone(&scenario)).1))
    };
    let one = run_with(1);
    assert_eq!(one, run_with(2));
    assert_eq!(one, run_with(3));
}

#[test]
fn a_different_seed_gives_different_data() {
    let a = format!(
        "{:?}",
        run_all(scenario(&[
            "app_builders.count=2000",
            "scenario.quarters=3"
        ]))
        .1
    );
    let b = format!(
        "{:?}",
        run_all(scenario(&[
            "app_builders.count=2000",
            "scenario.quarters=3",
            "scenario.seed=43"
        ]))
        .1
    );
    assert_ne!(a, b);
}

#[test]
fn each_agent_kind_has_one_row_per_agent_per_quarter() {
    let scenario = scenario(&["app_builders.count=2000", "scenario.quarters=4"]);
    let (_, frames) = run_all(Arc::clone(&scenario));
    assert_eq!(frames.len(), 4);
    for (tick, frame) in frames.iter().enumerate() {
        assert_eq!(frame.stamp.tick as usize, tick);
        assert_eq!(frame.labs.len(), scenario.labs.len());
        assert_eq!(frame.investors.len(), scenario.investors.len());
        assert_eq!(frame.chipmakers.len(), scenario.chipmakers.len());
        assert_eq!(frame.utilities.len(), scenario.utilities.len());
        assert_eq!(frame.regulators.len(), scenario.regulators.len());
        assert_eq!(
            frame.accelerator_buyers.len(),
            scenario.accelerator_buyers.len()
        );
    }
    assert_eq!(frames[0].app_builders.len(), 2000);
    assert!(frames[1].app_builders.len() > 2000, "new builders entered");
    // Ids are unique across kinds.
    let mut ids: Vec<u64> = frames[0].labs.iter().map(|r| r.lab_id).collect();
    ids.extend(frames[0].investors.iter().map(|r| r.investor_id));
    ids.extend(frames[0].chipmakers.iter().map(|r| r.chipmaker_id));
    ids.extend(frames[0].utilities.iter().map(|r| r.utility_id));
    ids.extend(frames[0].regulators.iter().map(|r| r.regulator_id));
    ids.extend(frames[0].accelerator_buyers.iter().map(|r| r.buyer_id));
    ids.extend(frames[0].app_builders.builder_id.iter().copied());
    let count = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), count);
}

#[test]
fn a_scarce_grid_raises_tariffs_and_delays_power() {
    // Thin reserves everywhere and a single study per quarter.
    let tight: Vec<String> = [
        "dominion",
        "ercot-gen",
        "nordic-grid",
        "gulf-power",
        "state-grid",
    ]
    .iter()
    .flat_map(|u| {
        [
            format!("utilities[{u}].studies_per_quarter=1"),
            format!("utilities[{u}].scarcity_adder=4"),
        ]
    })
    .chain([
        "utilities[ercot-gen].generation_mw=76500".to_string(),
        "app_builders.count=2000".to_string(),
    ])
    .collect();
    let tight: Vec<&str> = tight.iter().map(String::as_str).collect();
    let (_, base) = run_all(scenario(&["app_builders.count=2000"]));
    let (_, crunch) = run_all(scenario(&tight));
    let mean = |frames: &[TickFrame], f: fn(&TickFrame) -> f64| {
        frames.iter().map(f).sum::<f64>() / frames.len() as f64
    };
    assert!(mean(&crunch, |f| f.world.power_price_avg) > mean(&base, |f| f.world.power_price_avg));
    assert!(
        mean(&crunch, |f| f.world.mean_queue_wait_quarters)
            > mean(&base, |f| f.world.mean_queue_wait_quarters),
        "fewer studies and thinner margins make projects wait longer"
    );
    // Less power is energized. Online compute need not fall with it: in this
    // small world the baseline's labs leave energized halls part-empty (GPUs,
    // not power, bind them), so under the crunch they fill fewer halls more
    // fully and rent more.
    let energized = |frames: &[TickFrame]| {
        frames
            .last()
            .map(|f| f.labs.iter().map(|l| l.energized_mw).sum::<f64>())
            .unwrap_or(0.0)
    };
    assert!(
        energized(&crunch) < energized(&base),
        "a scarce grid energizes less"
    );
}

#[test]
fn a_lab_with_more_cash_builds_more() {
    let (_, base) = run_all(scenario(&["app_builders.count=2000"]));
    let (_, rich) = run_all(scenario(&[
        "app_builders.count=2000",
        "labs[challenger-x].cash_usd=200e9",
    ]));
    // Over the run, not at one quarter: where a lumpy delivery lands at the
    // horizon is noise, the extra compute the cash buys on the way is not.
    let online = |frames: &[TickFrame]| {
        frames
            .iter()
            .map(|f| f.labs[4].online_compute_h100e)
            .sum::<f64>()
            / frames.len().max(1) as f64
    };
    assert!(
        online(&rich) > online(&base),
        "{} vs {}",
        online(&rich),
        online(&base)
    );
}

#[test]
fn gpus_bought_ahead_of_power_wait_stranded() {
    let (_, frames) = run_all(scenario(&["app_builders.count=2000"]));
    let peak = frames
        .iter()
        .map(|f| f.world.stranded_gpus)
        .max()
        .unwrap_or(0);
    assert!(
        peak > 0,
        "some GPUs wait for energized power during the baseline"
    );
    for frame in &frames {
        let by_labs: u64 = frame.labs.iter().map(|l| l.stranded_gpus).sum();
        assert_eq!(by_labs, frame.world.stranded_gpus);
        for lab in &frame.labs {
            assert!(lab.stranded_gpus <= lab.installed_gpus);
        }
    }
}

#[test]
fn infrastructure_funds_bank_scarce_land_and_resell_it_to_labs() {
    // Less zoned land than the baseline, so labs' sites outrun the landowners'
    // stock and have to buy what the funds banked.
    let (_, frames) = run_all(scenario(&[
        "app_builders.count=2000",
        "regions[us-texas].land_stock_acres=6000",
        "regions[us-texas].new_zoning_acres_per_quarter=40",
        "regions[gulf].land_stock_acres=4000",
        "regions[china].land_stock_acres=5000",
    ]));
    let events = |kind: &str| {
        frames
            .iter()
            .flat_map(|f| f.events.iter())
            .filter(|e| e.kind == kind)
            .count()
    };
    assert!(
        events("land_banked") > 0,
        "a fund banks land where labs' demand makes it scarce"
    );
    assert!(
        events("land_resold") > 0,
        "labs buy banked land when the landowners' stock is not enough"
    );
    let last = frames.last().expect("frames");
    let banked: f64 = last.investors.iter().map(|i| i.land_acres).sum();
    assert!(banked > 0.0);
    assert!(
        last.investors
            .iter()
            .filter(|i| i.land_acres > 0.0)
            .all(|i| i.kind == "infrastructure_pe")
    );
}

#[test]
fn the_policy_timeline_changes_the_rules_at_the_start_of_its_quarter() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs/baseline.toml");
    let text = std::fs::read_to_string(&path).expect("baseline");
    let timeline = r#"
[[events]]
quarter = "2025Q2"
kind = "chip_roadmap"
chip = "Rubin"
available = "2025Q3"

[[events]]
quarter = "2025Q2"
kind = "utility_build"
utility = "nordic-grid"
technology = "solar-storage"
mw = 3000

[[events]]
quarter = "2025Q3"
kind = "permit_delay"
regulator = "eu-commission"
quarters = 9
"#;
    let loaded = moatsim_config::load_str(&format!("{text}\n{timeline}"), &path, &[])
        .expect("timeline loads");
    let (_, frames) = run_all(Arc::new(loaded.scenario));
    let (_, base) = run_all(scenario(&[]));
    let changes = |tick: usize| {
        frames[tick]
            .events
            .iter()
            .filter(|e| e.kind == "policy_change")
            .count()
    };
    assert_eq!(
        (changes(0), changes(1), changes(2), changes(3)),
        (0, 2, 1, 0)
    );
    // Rubin goes on sale in 2025Q3 (tick 2) instead of 2026Q4.
    let rubin_on_sale = |frames: &[TickFrame], tick: usize| {
        frames[tick]
            .markets
            .iter()
            .any(|m| m.market == "gpu" && m.item.as_deref() == Some("Rubin"))
    };
    assert!(rubin_on_sale(&frames, 2) && !rubin_on_sale(&base, 2));
    // The build-out is under construction from 2025Q2 and online eight quarters later.
    let nordic = |frames: &[TickFrame], tick: usize| {
        frames[tick]
            .utilities
            .iter()
            .find(|u| u.name == "nordic-grid")
            .map(|u| (u.under_construction_mw, u.generation_mw))
            .expect("utility")
    };
    assert!(nordic(&frames, 1).0 >= nordic(&base, 1).0 + 3000.0);
    assert!(nordic(&frames, 9).1 >= nordic(&base, 9).1 + 3000.0);
    // A longer base delay shows in the regulator's permitting delay.
    let delay = |frames: &[TickFrame], tick: usize| {
        frames[tick]
            .regulators
            .iter()
            .find(|r| r.name == "eu-commission")
            .map(|r| r.permit_delay_quarters)
            .expect("regulator")
    };
    assert!(delay(&frames, 2) >= 9 && delay(&base, 2) < 9);
}

#[test]
fn a_restored_snapshot_continues_exactly_like_the_run_it_was_taken_from() {
    // Policy changes before and after the cuts, and rounds and project starts
    // throughout.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs/export-controls.toml");
    let text = std::fs::read_to_string(&path).expect("scenario");
    let text = format!(
        "{text}\n[[events]]\nquarter = \"2026Q3\"\nkind = \"licence_fee\"\nregulator = \"us-commerce\"\nrate = 0.4\n"
    );
    let overrides = vec![
        "app_builders.count=3000".to_string(),
        "scenario.quarters=10".to_string(),
    ];
    let scenario = Arc::new(
        moatsim_config::load_str(&text, &path, &overrides)
            .expect("scenario loads")
            .scenario,
    );
    assert_eq!(scenario.events.len(), 2);
    let (_, whole) = run_all(Arc::clone(&scenario));
    for cut in [0_usize, 3, 6, 10] {
        let mut first = Simulation::new(Arc::clone(&scenario)).expect("builds");
        for _ in 0..cut {
            first.step();
        }
        let bytes = first.snapshot().to_bytes().expect("serialises");
        let snapshot = moatsim_engine::checkpoint::Snapshot::from_bytes(&bytes).expect("reads");
        let mut resumed = Simulation::restore(Arc::clone(&scenario), snapshot).expect("restores");
        let rest: Vec<TickFrame> = std::iter::from_fn(|| resumed.step()).collect();
        assert_eq!(rest.len(), whole.len() - cut);
        for (a, b) in rest.iter().zip(&whole[cut..]) {
            assert_eq!(
                format!("{a:?}"),
                format!("{b:?}"),
                "quarter {} after a cut at {cut}",
                b.stamp.tick
            );
        }
    }
    // A snapshot from further on than the scenario goes is refused.
    let mut first = Simulation::new(Arc::clone(&scenario)).expect("builds");
    for _ in 0..6 {
        first.step();
    }
    // The same agents over four quarters: the baseline, since the policy
    // events of this scenario fall after a 4-quarter horizon and are refused.
    let baseline = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs/baseline.toml");
    let shorter = Arc::new(
        moatsim_config::load(
            &baseline,
            &[
                "app_builders.count=3000".to_string(),
                "scenario.quarters=4".to_string(),
            ],
        )
        .expect("loads")
        .scenario,
    );
    let refused = Simulation::restore(shorter, first.snapshot());
    assert!(refused.is_err_and(|e| e.to_string().contains("quarter 6 of a 4-quarter scenario")));
}

#[test]
fn powered_land_shortens_the_wait_for_power() {
    // Plenty of powered land in Texas (its grid positions take most of the
    // spare grid, so the queue is long): projects on it go from permit to
    // construction without queueing.
    let (_, frames) = run_all(scenario(&[
        "app_builders.count=2000",
        "regions[us-texas].powered_land_acres=20000",
    ]));
    let skipped = frames
        .iter()
        .flat_map(|f| f.events.iter())
        .filter(|e| e.kind == "queue_skipped")
        .count();
    assert!(skipped > 0, "projects on powered land skip the queue");
    let powered_projects: Vec<u64> = frames
        .iter()
        .flat_map(|f| f.projects.iter())
        // Powered acres that carry all the site's MW (Texas: 1.5 MW an acre).
        .filter(|p| p.region == "us-texas" && p.powered_acres * 1.5 >= p.mw * 0.999)
        .map(|p| p.project_id)
        .collect();
    assert!(!powered_projects.is_empty());
    // No fully powered project ever waits in the interconnection queue.
    for frame in &frames {
        for p in frame
            .projects
            .iter()
            .filter(|p| powered_projects.contains(&p.project_id))
        {
            assert_ne!(p.stage, "awaiting_power", "project {} queued", p.project_id);
        }
    }
    // Grid positions are handed out once: the reservation only shrinks, as
    // projects on powered land start to use it, and never below zero.
    let reserved: Vec<f64> = frames
        .iter()
        .map(|f| f.utilities.iter().map(|u| u.powered_reserved_mw).sum())
        .collect();
    assert!(
        reserved
            .windows(2)
            .all(|w| w[1] <= w[0] + 1e-9 && w[1] >= 0.0)
    );
    assert!(reserved[reserved.len() - 1] < reserved[0]);
}

#[test]
fn other_customers_load_grows_only_into_generation_data_centers_leave() {
    // Texas's powered land reserves more than its whole generation: other
    // customers' load growth finds no room there, and the utility says so.
    let unserved = |overrides: &[&str]| {
        let mut all = vec!["app_builders.count=2000", "scenario.quarters=4"];
        all.extend_from_slice(overrides);
        let (_, frames) = run_all(scenario(&all));
        frames
            .iter()
            .flat_map(|f| f.events.iter())
            .filter(|e| e.kind == "base_load_unserved" && e.region.as_deref() == Some("us-texas"))
            .count()
    };
    assert_eq!(unserved(&[]), 0);
    assert!(unserved(&["regions[us-texas].powered_land_acres=80000"]) > 0);
}
