//! Sweeps end to end: sharded runs add up to the unsharded sweep byte for byte,
//! and rerunning skips complete runs, redoes partial ones and never duplicates.

mod support;

use std::path::Path;
use std::process::Output;

use support::{assert_same_files, moatsim, text, tree};

const SMOKE: &str = "configs/sweeps/smoke.toml";

fn sweep(args: &[&str], out: &Path) -> Output {
    let out = out.to_str().expect("utf-8");
    let mut all = vec!["sweep"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", out]);
    let result = moatsim(&all);
    assert!(
        result.status.success(),
        "{all:?}: {}{}",
        text(&result.stdout),
        text(&result.stderr)
    );
    result
}

fn planned_runs() -> usize {
    let plan = moatsim(&["sweep", "plan", SMOKE, "--json"]);
    let plan: serde_json::Value = serde_json::from_slice(&plan.stdout).expect("JSON");
    plan["runs"].as_array().map_or(0, Vec::len)
}

#[test]
fn shards_add_up_to_the_unsharded_sweep_byte_for_byte() {
    let whole = tempfile::tempdir().expect("temp dir");
    let sharded = tempfile::tempdir().expect("temp dir");
    sweep(&["run", SMOKE, "--jobs", "2", "--quiet"], whole.path());
    for shard in ["0/3", "1/3", "2/3"] {
        sweep(
            &["run", SMOKE, "--shard", shard, "--jobs", "1", "--quiet"],
            sharded.path(),
        );
    }
    assert_same_files(whole.path(), sharded.path());
    let manifests = tree(whole.path())
        .keys()
        .filter(|p| p.ends_with("manifest.json"))
        .count();
    assert_eq!(manifests, planned_runs(), "every run exactly once");
}

#[test]
fn rerunning_skips_complete_runs_and_redoes_partial_ones() {
    let clean = tempfile::tempdir().expect("temp dir");
    sweep(&["run", SMOKE, "--quiet"], clean.path());
    let out = tempfile::tempdir().expect("temp dir");
    sweep(&["run", SMOKE, "--quiet"], out.path());

    // A run killed part-way leaves a staging folder and no published run.
    let first_run = std::fs::read_dir(out.path())
        .expect("readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("run_id="))
        })
        .expect("a run folder");
    let scenario_dir = first_run.join("scenario=baseline");
    for entry in std::fs::read_dir(&scenario_dir).expect("readable") {
        std::fs::remove_dir_all(entry.expect("entry").path()).expect("remove");
    }
    let staging = scenario_dir.join(".staging-seed-1-99999");
    std::fs::create_dir_all(&staging).expect("staging");
    std::fs::write(staging.join("labs.parquet.partial"), b"half a file").expect("write");
    // And another run never started.
    let second_run = std::fs::read_dir(out.path())
        .expect("readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p != &first_run
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("run_id="))
        })
        .expect("another run folder");
    std::fs::remove_dir_all(&second_run).expect("remove");

    let status = sweep(&["status", SMOKE], out.path());
    let report = text(&status.stdout);
    assert!(report.contains("1 partial, 1 missing"), "{report}");

    let rerun = sweep(&["run", SMOKE], out.path());
    let summary = text(&rerun.stdout);
    let total = planned_runs();
    assert!(
        summary.contains(&format!(
            "{} already complete, 2 completed, 0 failed",
            total - 2
        )),
        "{summary}"
    );
    // One line per finished run on stderr when not on a terminal.
    assert_eq!(
        text(&rerun.stderr)
            .lines()
            .filter(|l| l.contains(" complete in "))
            .count(),
        2
    );
    assert_eq!(
        tree(out.path()),
        tree(clean.path()),
        "identical to a clean sweep"
    );

    // A published run whose file is damaged after the fact is damaged, not
    // complete.
    let published = std::fs::read_dir(first_run.join("scenario=baseline"))
        .expect("readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.join("manifest.json").is_file())
        .expect("a published run");
    let world = published.join("world.parquet");
    let mut bytes = std::fs::read(&world).expect("world");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&world, bytes).expect("damage");
    let status = sweep(&["status", SMOKE], out.path());
    let report = text(&status.stdout);
    assert!(
        report.contains(" 1 damaged, 0 partial, 0 missing"),
        "{report}"
    );
    assert!(
        report.contains("world.parquet altered"),
        "the damaged file is named: {report}"
    );
}

#[test]
fn a_bad_shard_is_refused_before_anything_runs() {
    let out = tempfile::tempdir().expect("temp dir");
    let result = moatsim(&[
        "sweep",
        "run",
        SMOKE,
        "--out",
        out.path().to_str().expect("utf-8"),
        "--shard",
        "4/4",
    ]);
    assert_eq!(result.status.code(), Some(2));
    assert!(text(&result.stderr).contains("shard"));
    assert_eq!(std::fs::read_dir(out.path()).expect("readable").count(), 0);
}

#[test]
fn a_report_of_a_grid_sweep_draws_each_grid_point_as_a_scenario() {
    let out = tempfile::tempdir().expect("temp dir");
    sweep(&["run", SMOKE, "--quiet"], out.path());
    let html = out.path().join("report.html");
    let result = moatsim(&[
        "report",
        out.path().to_str().expect("utf-8"),
        "--out",
        html.to_str().expect("utf-8"),
    ]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    // Two values of each of two grid fields: four scenarios of two seeds.
    assert!(text(&result.stdout).contains("4 scenarios, 8 runs"));
    let html = std::fs::read_to_string(&html).expect("report");
    for point in [
        "rent_cash_share=0.02, export_tier=capped",
        "rent_cash_share=0.08, export_tier=embargoed",
    ] {
        assert!(html.contains(point), "the report names the point {point}");
    }
}
