//! The run summary counts the agent-quarters simulated, not the rows written:
//! a run that writes builders per segment only reports the same throughput
//! base as one that writes every builder.

use std::path::{Path, PathBuf};

use moatsim_runner::{RunOptions, run_scenario};

fn baseline() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs/baseline.toml")
}

fn agent_quarters(mode: &str) -> (u64, u64) {
    let overrides = vec![
        "scenario.quarters=3".to_string(),
        "app_builders.count=500".to_string(),
        format!("output.app_builders=\"{mode}\""),
    ];
    let loaded = moatsim_config::load(&baseline(), &overrides).expect("loads");
    let out = tempfile::tempdir().expect("temp dir");
    let options = RunOptions {
        out_dir: out.path().to_path_buf(),
        threads: Some(1),
        force: false,
        checkpoint: None,
    };
    let report = run_scenario(&loaded, &options, |_| {}).expect("runs");
    (report.agent_quarters, report.rows_written)
}

#[test]
fn agent_quarters_count_builders_whatever_is_written() {
    let (full, full_rows) = agent_quarters("full");
    let (segments, segment_rows) = agent_quarters("segments");
    assert_eq!(full, segments);
    assert!(segment_rows < full_rows, "segments mode writes fewer rows");
    // Three quarters of at least the 500 starting builders.
    assert!(full >= 1500, "{full}");
}
