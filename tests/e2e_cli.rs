//! End-to-end tests of the `moatsim` binary through its command line.

mod support;

use std::path::Path;
use std::process::Output;

use support::{moatsim, repo, text};

const TABLES: [&str; 12] = [
    "labs",
    "accelerator_buyers",
    "investors",
    "chipmakers",
    "utilities",
    "regulators",
    "projects",
    "app_builders",
    "app_builder_segments",
    "markets",
    "world",
    "events",
];

/// A short, small run: fast, but every mechanism runs.
fn small_run(out: &Path, extra: &[&str]) -> Output {
    let out = out.to_str().expect("utf-8 path");
    let mut args = vec![
        "run",
        "configs/baseline.toml",
        "--quarters",
        "3",
        "--set",
        "app_builders.count=500",
        "--out",
        out,
    ];
    args.extend_from_slice(extra);
    moatsim(&args)
}

#[test]
fn run_writes_every_table_and_a_manifest_and_prints_a_summary() {
    let out = tempfile::tempdir().expect("temp dir");
    let result = small_run(out.path(), &[]);
    assert!(result.status.success(), "stderr: {}", text(&result.stderr));
    let stdout = text(&result.stdout);
    assert!(
        stdout.contains("3 quarters")
            && stdout.contains("rows written")
            && stdout.contains("agent-quarters/s"),
        "{stdout}"
    );
    let dir = out.path().join("scenario=baseline/seed=42");
    for table in TABLES {
        let file = dir.join(format!("{table}.parquet"));
        let bytes = std::fs::read(&file).unwrap_or_else(|_| panic!("{} exists", file.display()));
        assert_eq!(&bytes[..4], b"PAR1", "{table} is a Parquet file");
    }
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("manifest.json")).expect("manifest"),
    )
    .expect("json");
    assert_eq!(manifest["scenario"], "baseline");
    assert_eq!(manifest["seed"], 42);
    assert_eq!(manifest["quarters"], 3);
    assert_eq!(
        manifest["tables"].as_array().map(Vec::len),
        Some(TABLES.len())
    );
    assert_eq!(manifest["tables"][0]["rows"], 18, "6 labs x 3 quarters");
    // Nothing but the published run is left behind.
    let entries: Vec<_> = std::fs::read_dir(out.path().join("scenario=baseline"))
        .expect("dir")
        .collect();
    assert_eq!(entries.len(), 1);
}

#[test]
fn the_app_builder_table_can_be_sampled_or_left_to_segments() {
    let out = tempfile::tempdir().expect("temp dir");
    let rows = |dir: &Path| -> serde_json::Value {
        let manifest = std::fs::read_to_string(dir.join("manifest.json")).expect("manifest");
        serde_json::from_str(&manifest).expect("json")
    };
    let table_rows = |manifest: &serde_json::Value, name: &str| {
        manifest["tables"]
            .as_array()
            .and_then(|t| t.iter().find(|t| t["name"] == name))
            .and_then(|t| t["rows"].as_u64())
            .unwrap_or(0)
    };
    assert!(small_run(out.path(), &["--seed", "1"]).status.success());
    let full = rows(&out.path().join("scenario=baseline/seed=1"));
    let sampled = small_run(
        out.path(),
        &[
            "--seed",
            "2",
            "--set",
            "output.app_builders=sampled",
            "--set",
            "output.app_builders_sample_share=0.2",
        ],
    );
    assert!(sampled.status.success(), "{}", text(&sampled.stderr));
    let sampled = rows(&out.path().join("scenario=baseline/seed=2"));
    let segments = small_run(
        out.path(),
        &["--seed", "3", "--set", "output.app_builders=segments"],
    );
    assert!(segments.status.success());
    let segments = rows(&out.path().join("scenario=baseline/seed=3"));
    let all = table_rows(&full, "app_builders") as f64;
    let some = table_rows(&sampled, "app_builders") as f64;
    assert!(
        some > 0.1 * all && some < 0.3 * all,
        "about a fifth sampled: {some} of {all}"
    );
    assert_eq!(table_rows(&segments, "app_builders"), 0);
    assert_eq!(
        table_rows(&segments, "app_builder_segments"),
        4 * 3,
        "4 segments x 3 quarters"
    );
    let bad = small_run(
        out.path(),
        &["--seed", "4", "--set", "output.app_builders=some"],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("\"full\", \"sampled\" or \"segments\""));
}

#[test]
fn an_existing_run_is_refused_unless_forced() {
    let out = tempfile::tempdir().expect("temp dir");
    assert!(small_run(out.path(), &[]).status.success());
    let labs = out.path().join("scenario=baseline/seed=42/labs.parquet");
    let before = std::fs::read(&labs).expect("labs");

    let again = small_run(out.path(), &["--set", "labs[0].cash_usd=1e9"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        text(&again.stderr).contains("--force"),
        "{}",
        text(&again.stderr)
    );
    assert_eq!(
        std::fs::read(&labs).expect("labs"),
        before,
        "the existing run is untouched"
    );

    let forced = small_run(out.path(), &["--set", "labs[0].cash_usd=1e9", "--force"]);
    assert!(forced.status.success(), "{}", text(&forced.stderr));
    assert_ne!(
        std::fs::read(&labs).expect("labs"),
        before,
        "the run was replaced"
    );
}

#[test]
fn a_bad_config_exits_2_names_file_line_and_field_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("broken.toml");
    let baseline = std::fs::read_to_string(repo().join("configs/baseline.toml")).expect("baseline");
    std::fs::write(&config, baseline.replace("pue = 1.2 ", "pue = 0.3 ")).expect("write");
    let out = dir.path().join("out");
    let result = moatsim(&[
        "run",
        config.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(result.status.code(), Some(2));
    let stderr = text(&result.stderr);
    let line = baseline
        .lines()
        .position(|l| l.starts_with("pue = "))
        .expect("pue line")
        + 1;
    assert!(
        stderr.contains(&format!("broken.toml:{line}:1")),
        "{stderr}"
    );
    assert!(
        stderr.contains("world.pue") && stderr.contains("allowed: a PUE from 1.0 to 3.0"),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing was written");
}

#[test]
fn a_bad_override_exits_2_and_writes_nothing() {
    let out = tempfile::tempdir().expect("temp dir");
    for bad in [
        "world.pue=0.5",
        "labs[nobody].cash_usd=1",
        "world.nonsense=1",
    ] {
        let result = small_run(out.path(), &["--set", bad]);
        assert_eq!(
            result.status.code(),
            Some(2),
            "{bad}: {}",
            text(&result.stderr)
        );
        assert!(
            text(&result.stderr).contains(
                bad.split('=')
                    .next()
                    .unwrap_or(bad)
                    .split('[')
                    .next()
                    .unwrap_or(bad)
            ),
            "{bad}"
        );
    }
    assert_eq!(std::fs::read_dir(out.path()).expect("dir").count(), 0);
}

#[test]
fn a_missing_config_exits_2_with_a_hint() {
    let result = moatsim(&[
        "run",
        "configs/nope.toml",
        "--out",
        "/nonexistent-moatsim-out",
    ]);
    assert_eq!(result.status.code(), Some(2));
    assert!(text(&result.stderr).contains("configs/nope.toml"));
}

#[test]
fn validate_summarises_without_running() {
    let result = moatsim(&["validate", "configs/baseline.toml"]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    let stdout = text(&result.stdout);
    for expected in [
        "is valid",
        "2025Q1 to 2030Q4 (24 quarters)",
        "frontier-a",
        "builders",
        "sha256",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in {stdout}"
        );
    }
    assert!(stdout.lines().count() <= 24, "fits on one screen");
    let bad = moatsim(&[
        "validate",
        "configs/baseline.toml",
        "--set",
        "regions[0].export_tier=closed",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("\"unrestricted\", \"capped\" or \"embargoed\""));
}

#[test]
fn schema_lists_every_table_and_its_columns() {
    let result = moatsim(&["schema"]);
    assert!(result.status.success());
    let stdout = text(&result.stdout);
    for table in TABLES {
        assert!(stdout.contains(&format!("\n{table}: ")), "table {table}");
    }
    for column in [
        "lab_id",
        "online_compute_h100e",
        "gross_margin",
        "provider_lab_id",
        "stranded_gpus",
        "counterparty_id",
        "hhi",
    ] {
        assert!(stdout.contains(column), "column {column}");
    }
}

#[test]
fn quiet_runs_print_nothing_and_piped_runs_show_no_progress_bar() {
    let out = tempfile::tempdir().expect("temp dir");
    let result = small_run(out.path(), &["--quiet"]);
    assert!(result.status.success());
    assert!(result.stdout.is_empty() && result.stderr.is_empty());
    let out = tempfile::tempdir().expect("temp dir");
    let result = small_run(out.path(), &[]);
    assert!(
        result.stderr.is_empty(),
        "no progress bar when stderr is not a terminal"
    );
}

#[test]
fn calibrate_reports_each_target_and_fails_only_on_an_unreadable_run() {
    let out = tempfile::tempdir().expect("temp dir");
    let result = moatsim(&[
        "run",
        "configs/baseline.toml",
        "--quarters",
        "8",
        "--set",
        "app_builders.count=500",
        "--out",
        out.path().to_str().expect("utf-8"),
    ]);
    assert!(result.status.success(), "stderr: {}", text(&result.stderr));
    let run_dir = out.path().join("scenario=baseline/seed=42");
    let report = moatsim(&["calibrate", run_dir.to_str().expect("utf-8")]);
    assert!(report.status.success(), "stderr: {}", text(&report.stderr));
    let stdout = text(&report.stdout);
    for target in [
        "chipmaker_gross_margin",
        "inference_price_decline_fixed_capability",
        "ai_dc_electricity_growth_2025_2030",
        "frontier_training_compute_growth",
    ] {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(target))
            .unwrap_or_else(|| panic!("{target} missing from:\n{stdout}"));
        assert!(
            line.contains(" yes ") || line.contains(" no "),
            "eight quarters are enough to measure {target}: {line}"
        );
    }
    let json = moatsim(&["calibrate", run_dir.to_str().expect("utf-8"), "--json"]);
    let parsed: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON report");
    // Every `target` row of the published figures is reported, measured or not.
    let csv = std::fs::read_to_string(repo().join("docs/calibration/published-figures.csv"))
        .expect("figures");
    let targets = csv.lines().filter(|l| l.contains(",target,")).count();
    assert!(targets >= 12);
    assert_eq!(parsed["checks"].as_array().map(Vec::len), Some(targets));
    let check = |name: &str| {
        parsed["checks"]
            .as_array()
            .and_then(|checks| checks.iter().find(|c| c["figure"]["name"] == name))
            .unwrap_or_else(|| panic!("{name} reported"))
            .clone()
    };
    // Two full years are enough for the 2025 figures; hyperscalers are not in
    // the model yet, and the report says so.
    for measured in [
        "largest_chipmaker_dc_revenue_2025",
        "nvidia_gpu_units_2025",
        "largest_lab_revenue_2025",
        "second_lab_runrate_2025q4",
        "h100_rental_price_2025",
        "chipmaker_revenue_never_collapses",
        "unserved_inference_share",
        "hyperscaler_capex_2025",
    ] {
        assert!(
            check(measured)["simulated"].is_f64(),
            "{measured} is measured"
        );
    }

    // Several runs: one scorecard, a column per seed.
    let second = moatsim(&[
        "run",
        "configs/baseline.toml",
        "--quarters",
        "8",
        "--seed",
        "7",
        "--set",
        "app_builders.count=500",
        "--out",
        out.path().to_str().expect("utf-8"),
    ]);
    assert!(second.status.success(), "stderr: {}", text(&second.stderr));
    let seed7 = out.path().join("scenario=baseline/seed=7");
    let card = moatsim(&[
        "calibrate",
        run_dir.to_str().expect("utf-8"),
        seed7.to_str().expect("utf-8"),
    ]);
    assert!(card.status.success(), "stderr: {}", text(&card.stderr));
    let card_text = text(&card.stdout);
    assert!(
        card_text.starts_with("scorecard of 2 runs")
            && card_text.contains("seed 42")
            && card_text.contains("seed 7")
            && card_text.contains("land inside the published range at every run"),
        "{card_text}"
    );
    let card_json = moatsim(&[
        "calibrate",
        run_dir.to_str().expect("utf-8"),
        seed7.to_str().expect("utf-8"),
        "--json",
    ]);
    let card_json: serde_json::Value =
        serde_json::from_slice(&card_json.stdout).expect("JSON scorecard");
    let row = &card_json["rows"][0];
    assert_eq!(row["values"].as_array().map(Vec::len), Some(2));
    assert!(row["inside"].as_u64() <= row["measured"].as_u64());

    // A scenario folder stands for the runs under it, as for `compare`.
    let folder = moatsim(&[
        "calibrate",
        out.path()
            .join("scenario=baseline")
            .to_str()
            .expect("utf-8"),
    ]);
    assert!(folder.status.success(), "stderr: {}", text(&folder.stderr));
    assert!(text(&folder.stdout).contains("seed 7"));
    // A folder with no run under it: a clear error, exit status 2.
    let empty = tempfile::tempdir().expect("temp dir");
    let wrong = moatsim(&["calibrate", empty.path().to_str().expect("utf-8")]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(
        text(&wrong.stderr).contains("no finished run there"),
        "{}",
        text(&wrong.stderr)
    );
    // A damaged table is reported with its path.
    std::fs::write(run_dir.join("world.parquet"), b"not parquet").expect("write");
    let damaged = moatsim(&["calibrate", run_dir.to_str().expect("utf-8")]);
    assert_eq!(damaged.status.code(), Some(1));
    assert!(text(&damaged.stderr).contains("world.parquet"));
}

#[test]
fn sweep_plan_prints_a_stable_run_table_and_checks_every_run() {
    let first = moatsim(&["sweep", "plan", "configs/sweeps/smoke.toml", "--json"]);
    assert!(first.status.success(), "stderr: {}", text(&first.stderr));
    let again = moatsim(&["sweep", "plan", "configs/sweeps/smoke.toml", "--json"]);
    assert_eq!(first.stdout, again.stdout, "the plan is stable");
    let plan: serde_json::Value = serde_json::from_slice(&first.stdout).expect("JSON plan");
    let runs = plan["runs"].as_array().expect("runs");
    assert!(
        runs.len() <= 8 && runs.len() >= 4,
        "the smoke sweep stays small"
    );
    let mut ids: Vec<&str> = runs.iter().filter_map(|r| r["run_id"].as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), runs.len(), "run ids are unique");

    // A value no run could use is refused before anything runs, naming the sweep
    // parameter (as an override) and what is allowed.
    let dir = tempfile::tempdir().expect("temp dir");
    let spec = dir.path().join("bad.toml");
    let baseline = repo().join("configs/baseline.toml");
    std::fs::write(
        &spec,
        format!(
            "[sweep]\nname = \"bad\"\nscenario = {:?}\n\n[seeds]\nlist = [1]\n\n[grid]\n\"world.pue\" = [1.2, 0.5]\n",
            baseline.display().to_string()
        ),
    )
    .expect("write");
    let refused = moatsim(&["sweep", "plan", spec.to_str().expect("utf-8")]);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = text(&refused.stderr);
    assert!(
        stderr.contains("--set world.pue=0.5") && stderr.contains("allowed"),
        "{stderr}"
    );
    std::fs::write(
        &spec,
        "[sweep]\nname = \"bad\"\nscenario = \"x.toml\"\n\n[seeds]\n\n[grid]\n",
    )
    .expect("write");
    let no_seeds = moatsim(&["sweep", "plan", spec.to_str().expect("utf-8")]);
    assert_eq!(no_seeds.status.code(), Some(2));
    assert!(text(&no_seeds.stderr).contains("seeds"));
}

#[test]
fn params_lists_every_scenario_wide_parameter_with_a_plausible_range() {
    let out = moatsim(&["params", "--json"]);
    assert!(out.status.success());
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let list = list.as_array().expect("a list");
    assert!(list.len() >= 10);
    for p in list {
        let (low, default, high) = (
            p["low"].as_f64().expect("low"),
            p["default"].as_f64().expect("default"),
            p["high"].as_f64().expect("high"),
        );
        assert!(low <= default && default <= high, "{p}");
        assert!(p["path"].as_str().is_some_and(|s| s.contains('.')));
    }
    let table = moatsim(&["params"]);
    assert!(
        String::from_utf8_lossy(&table.stdout)
            .contains("world.algorithmic_efficiency_halving_months")
    );
}

#[test]
fn report_writes_one_html_file_and_never_replaces_one_unless_forced() {
    let out = tempfile::tempdir().expect("temp dir");
    let result = small_run(out.path(), &[]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    let html = out.path().join("report.html");
    let html_arg = html.to_str().expect("utf-8 path");
    let runs = out.path().to_str().expect("utf-8 path");

    let result = moatsim(&["report", runs, "--out", html_arg]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    assert!(
        text(&result.stdout).contains("1 scenario, 1 run"),
        "{}",
        text(&result.stdout)
    );
    let written = std::fs::read_to_string(&html).expect("the report");
    assert!(written.starts_with("<!DOCTYPE html>"));
    assert!(written.contains("<svg") && !written.contains("<script"));

    // An existing report is refused, left as it was, and nothing else is written.
    std::fs::write(&html, "mine").expect("overwrite by hand");
    let result = moatsim(&["report", runs, "--out", html_arg]);
    assert_eq!(result.status.code(), Some(2));
    assert!(
        text(&result.stderr).contains("--force"),
        "{}",
        text(&result.stderr)
    );
    assert_eq!(std::fs::read_to_string(&html).expect("kept"), "mine");
    let result = moatsim(&["report", runs, "--out", html_arg, "--force"]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    assert!(
        std::fs::read_to_string(&html)
            .expect("replaced")
            .contains("<svg")
    );

    // A folder without runs is named; nothing is written.
    let empty = tempfile::tempdir().expect("temp dir");
    let other = empty.path().join("r.html");
    let result = moatsim(&[
        "report",
        empty.path().to_str().expect("utf-8"),
        "--out",
        other.to_str().expect("utf-8"),
    ]);
    assert_eq!(result.status.code(), Some(2));
    assert!(text(&result.stderr).contains("manifest.json"));
    assert!(!other.exists());
    let leftovers: Vec<_> = std::fs::read_dir(out.path())
        .expect("dir")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Runs `moatsim` with its stdout a pipe whose reader has already gone, as
/// `moatsim … | head -0` does: the command must end as it would have, not
/// panic on the write.
fn with_stdout_closed(args: &[&str]) -> Output {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_moatsim"))
        .current_dir(repo())
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("binary starts");
    drop(child.stdout.take());
    child.wait_with_output().expect("binary ends")
}

#[test]
fn a_reader_that_stops_early_ends_summaries_and_status_quietly() {
    let out = tempfile::tempdir().expect("temp dir");
    let out_dir = out.path().to_str().expect("utf-8 path");
    let run = with_stdout_closed(&[
        "run",
        "configs/baseline.toml",
        "--quarters",
        "2",
        "--set",
        "app_builders.count=500",
        "--out",
        out_dir,
    ]);
    assert!(run.status.success(), "run: {}", text(&run.stderr));
    assert!(
        !text(&run.stderr).contains("panicked"),
        "{}",
        text(&run.stderr)
    );
    let status = with_stdout_closed(&[
        "sweep",
        "status",
        "configs/sweeps/smoke.toml",
        "--out",
        out_dir,
    ]);
    assert!(
        status.status.success(),
        "sweep status: {}",
        text(&status.stderr)
    );
    assert!(
        !text(&status.stderr).contains("panicked"),
        "{}",
        text(&status.stderr)
    );
}
