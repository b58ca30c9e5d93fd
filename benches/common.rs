//! What the benchmarks share: the baseline at a given number of app builders.

use std::path::Path;
use std::sync::Arc;

/// The baseline scenario with `builders` app builders.
pub fn scenario(builders: u64) -> Arc<moatsim_config::Scenario> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs/baseline.toml");
    let overrides = vec![format!("app_builders.count={builders}")];
    Arc::new(
        moatsim_config::load(&path, &overrides)
            .expect("baseline loads")
            .scenario,
    )
}
