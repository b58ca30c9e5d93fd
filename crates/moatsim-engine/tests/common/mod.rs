//! Runs a scenario of `configs/` to the end for the engine's tests, with
//! 2,000 app builders (the market's size is set by
//! `initial_market_mtok_per_quarter`, not by the count) and the overrides given.

use std::path::Path;
use std::sync::Arc;

use moatsim_config::Scenario;
use moatsim_engine::{Simulation, TickFrame};

pub fn run_config(config: &str, overrides: &[&str]) -> (Scenario, Vec<TickFrame>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../configs")
        .join(config);
    let mut all = vec!["app_builders.count=2000".to_string()];
    all.extend(overrides.iter().map(|s| s.to_string()));
    let scenario = moatsim_config::load(&path, &all)
        .expect("scenario loads")
        .scenario;
    let mut simulation = Simulation::new(Arc::new(scenario.clone())).expect("builds");
    (scenario, std::iter::from_fn(|| simulation.step()).collect())
}

/// The baseline's frames.
#[allow(dead_code, reason = "not every test file uses both helpers")]
pub fn run(overrides: &[&str]) -> Vec<TickFrame> {
    run_config("baseline.toml", overrides).1
}
