//! Scenarios against the baseline with the same seed: the direction of their
//! effects, as the infrastructure issue states them.

use std::path::Path;
use std::sync::Arc;

use moatsim_engine::{Simulation, TickFrame};

fn run(config: &str) -> Vec<TickFrame> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../configs")
        .join(config);
    // Fewer builders than the scenario files for speed; the market's size is set by
    // `initial_market_mtok_per_quarter`, not by the count.
    let overrides = vec!["app_builders.count=4000".to_string()];
    let scenario = moatsim_config::load(&path, &overrides)
        .expect("scenario loads")
        .scenario;
    let mut simulation = Simulation::new(Arc::new(scenario)).expect("builds");
    std::iter::from_fn(|| simulation.step()).collect()
}

fn mean(frames: &[TickFrame], value: fn(&TickFrame) -> f64) -> f64 {
    frames.iter().map(value).sum::<f64>() / frames.len() as f64
}

fn at_horizon(frames: &[TickFrame], value: fn(&TickFrame) -> f64) -> f64 {
    frames.last().map(value).unwrap_or(f64::NAN)
}

#[test]
fn a_power_crunch_raises_power_prices_and_waits_and_costs_compute() {
    let base = run("baseline.toml");
    let crunch = run("power-crunch.toml");
    let price = |f: &TickFrame| f.world.power_price_avg;
    let wait = |f: &TickFrame| f.world.mean_queue_wait_quarters;
    let online = |f: &TickFrame| f.world.online_compute_h100e;
    let stranded = |f: &TickFrame| f.world.stranded_gpus as f64;
    assert!(
        mean(&crunch, price) > mean(&base, price),
        "power prices are higher"
    );
    assert!(
        mean(&crunch, wait) > mean(&base, wait),
        "queue waits are longer"
    );
    assert!(
        mean(&crunch, stranded) > mean(&base, stranded)
            || at_horizon(&crunch, online) < at_horizon(&base, online),
        "GPUs wait stranded, or less compute comes online by the horizon"
    );
}

#[test]
fn commodity_compute_makes_gpus_cheaper_and_brings_more_compute_online() {
    let base = run("baseline.toml");
    let commodity = run("commodity-compute.toml");
    let gpu_price = |f: &TickFrame| f.world.gpu_price_index;
    let online = |f: &TickFrame| f.world.online_compute_h100e;
    assert!(
        at_horizon(&commodity, gpu_price) < at_horizon(&base, gpu_price),
        "the GPU price index is lower"
    );
    assert!(
        at_horizon(&commodity, online) > at_horizon(&base, online),
        "more compute is online"
    );
}
