//! What the output tests share: the baseline's first quarters at a few
//! builders, and the provenance to write them with.

use std::path::Path;
use std::sync::Arc;

use moatsim_engine::{Simulation, TickFrame};
use moatsim_output::Provenance;

/// The first `quarters` frames of the baseline with `builders` app builders,
/// and their run's provenance.
pub fn baseline_quarters(builders: u64, quarters: usize) -> (Vec<TickFrame>, Provenance) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs/baseline.toml");
    let loaded = moatsim_config::load(&path, &[format!("app_builders.count={builders}")])
        .expect("baseline loads");
    let provenance = Provenance {
        scenario: "baseline".into(),
        seed: loaded.scenario.seed,
        config_hash: loaded.config_hash,
        resolved_config_json: loaded.resolved_json,
    };
    let mut simulation = Simulation::new(Arc::new(loaded.scenario)).expect("builds");
    let frames = (0..quarters)
        .map(|_| simulation.step().expect("a quarter"))
        .collect();
    (frames, provenance)
}
