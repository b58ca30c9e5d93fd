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
/// market's unserved share is back under 10% by the third quarter. (The
/// target is two quarters; see the closing note of issue 12 for why the
/// third is what the mechanism delivers today.)
#[test]
fn rationing_after_a_capacity_shock_is_transient() {
    let path = std::env::temp_dir().join(format!("moatsim-outage-{}.toml", std::process::id()));
    let baseline =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs/baseline.toml");
    std::fs::write(
        &path,
        format!(
            "extends = {:?}\n[scenario]\nname = \"outage\"\n[[events]]\nquarter = \"2027Q1\"\nkind = \"compute_outage\"\nlab = \"frontier-a\"\nshare = 0.5\nquarters = 4\n",
            baseline.display().to_string()
        ),
    )
    .expect("writes the scenario");
    for seed in SEEDS {
        let seed_override = format!("scenario.seed={seed}");
        let scenario = moatsim_config::load(
            &path,
            &["app_builders.count=4000".to_string(), seed_override],
        )
        .expect("the outage scenario loads")
        .scenario;
        let mut simulation =
            moatsim_engine::Simulation::new(std::sync::Arc::new(scenario)).expect("builds");
        let frames: Vec<TickFrame> = std::iter::from_fn(|| simulation.step()).collect();
        // The outage starts in 2027Q1, tick 8.
        let shocked = frames[8]
            .labs
            .iter()
            .find(|l| l.name == "frontier-a")
            .expect("lab");
        let before = frames[7]
            .labs
            .iter()
            .find(|l| l.name == "frontier-a")
            .expect("lab");
        assert!(
            shocked.online_compute_h100e < 0.75 * before.online_compute_h100e,
            "seed {seed}: the outage takes compute offline"
        );
        let after = frames[11].world.unserved_share;
        assert!(
            after < 0.10,
            "seed {seed}: unserved share {after:.3} three quarters after the shock"
        );
        assert!(
            frames[9]
                .labs
                .iter()
                .find(|l| l.name == "frontier-a")
                .expect("lab")
                .scarcity_premium
                > 1.0,
            "seed {seed}: the shocked lab prices the shortage"
        );
    }
    let _ = std::fs::remove_file(&path);
}
