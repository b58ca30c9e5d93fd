//! Calibration fits end to end (`moatsim calibrate --fit`): a small fit
//! writes its overlay, scorecards and points; the overlay loads and
//! reproduces the fitted runs; shards add up to one process byte for byte;
//! a rerun changes nothing; a bad spec or an existing different file is
//! refused without writing.

mod support;

use std::path::Path;
use std::process::Output;

use support::{assert_same_files, moatsim, text};

/// Eight quarters of the baseline at two seeds, four points a generation for
/// two generations: 18 short runs.
const SPEC: &str = r#"
[fit]
name = "fit-e2e"
scenario = "REPO/configs/baseline.toml"
set = { "scenario.quarters" = 8 }
targets = ["inference_price_decline_fixed_capability"]
parameters = ["world.algorithmic_efficiency_halving_months", "world.gpu_life_quarters"]
particles = 4
generations = 2

[seeds]
list = [1, 2]
master_seed = 7
"#;

fn write_spec(dir: &Path, body: &str) -> String {
    let repo = support::repo().canonicalize().expect("repo");
    let path = dir.join("fit.toml");
    std::fs::write(&path, body.replace("REPO", repo.to_str().expect("utf-8"))).expect("spec");
    path.to_str().expect("utf-8").to_string()
}

fn fit(spec: &str, out: &Path, extra: &[&str]) -> Output {
    let out = out.to_str().expect("utf-8");
    let mut args = vec!["calibrate", "--fit", spec, "--out", out, "--quiet"];
    args.extend_from_slice(extra);
    moatsim(&args)
}

fn ok(result: Output) -> Output {
    assert!(
        result.status.success(),
        "{}{}",
        text(&result.stdout),
        text(&result.stderr)
    );
    result
}

#[test]
fn a_fit_writes_an_overlay_that_reproduces_its_best_point() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A range no point reaches (the baseline lands the published 5-40x), so
    // the search runs both generations instead of stopping at a landed point.
    let spec = write_spec(
        dir.path(),
        &SPEC.replace(
            "generations = 2",
            "generations = 2\ntarget_ranges = { \"inference_price_decline_fixed_capability\" = [30.0, 40.0] }",
        ),
    );
    let out = dir.path().join("fit");
    let printed = text(&ok(fit(&spec, &out, &["--jobs", "2"])).stdout);
    assert!(printed.contains("before the fit"), "{printed}");
    assert!(printed.contains("after the fit"), "{printed}");
    assert!(printed.contains("world.algorithmic_efficiency_halving_months"));
    for file in [
        "fit.parquet",
        "fitted.toml",
        "scorecard.txt",
        "scorecard.parquet",
    ] {
        assert!(out.join(file).is_file(), "{file} written");
    }
    let json = ok(moatsim(&[
        "calibrate",
        "--fit",
        &spec,
        "--out",
        out.to_str().expect("utf-8"),
        "--json",
        "--quiet",
    ]));
    let result: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    let before = result["reference_distance"].as_f64().expect("number");
    let after = result["best_distance"].as_f64().expect("number");
    assert!(after <= before, "the best point is no worse than the start");
    assert_eq!(result["tried"].as_array().map(Vec::len), Some(8));
    // Whole-number parameters are rounded.
    let life = result["parameters"][1]["fitted"].as_str().expect("text");
    assert!(!life.contains('.'), "gpu_life_quarters = {life}");

    // The report reads a fit's folder as the scenario before and the fitted
    // point, with the search's schedule and the scorecard before and after.
    let html = dir.path().join("fit.html");
    ok(moatsim(&[
        "report",
        out.to_str().expect("utf-8"),
        "--out",
        html.to_str().expect("utf-8"),
    ]));
    let html = std::fs::read_to_string(&html).expect("report");
    for expected in [
        "id=\"fit-0-schedule\"",
        "fit (fitted)",
        "inference_price_decline_fixed_capability",
        "<section id=\"compare\">",
    ] {
        assert!(html.contains(expected), "the report has {expected}");
    }
    let schedule = html
        .split("id=\"fit-0-schedule\"")
        .nth(1)
        .expect("the schedule chart");
    assert!(
        schedule.contains("<polyline") || schedule.contains("<path"),
        "drawn"
    );

    // The overlay loads and, run at a seed, gives the fitted point's values.
    let overlay = out.join("fitted.toml");
    let runs = dir.path().join("check");
    ok(moatsim(&[
        "run",
        overlay.to_str().expect("utf-8"),
        "--seed",
        "2",
        "--out",
        runs.to_str().expect("utf-8"),
        "--quiet",
    ]));
    let report = ok(moatsim(&[
        "calibrate",
        runs.join("scenario=fit-e2e/seed=2")
            .to_str()
            .expect("utf-8"),
        "--json",
    ]));
    let report: serde_json::Value = serde_json::from_slice(&report.stdout).expect("JSON");
    let checks = report["checks"].as_array().expect("checks");
    let after_runs = result["after"]["runs"].as_array().expect("runs");
    let fitted_seed_2 = after_runs
        .iter()
        .find(|r| r["seed"] == 2)
        .expect("seed 2 after the fit");
    for (check, fitted) in checks
        .iter()
        .zip(fitted_seed_2["checks"].as_array().expect("checks"))
    {
        assert_eq!(
            check["simulated"], fitted["simulated"],
            "{}",
            check["figure"]["name"]
        );
    }
}

#[test]
fn shards_add_up_to_one_process_and_a_rerun_changes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let spec = write_spec(dir.path(), SPEC);
    let whole = dir.path().join("whole");
    ok(fit(&spec, &whole, &["--jobs", "2"]));
    let before = support::tree(&whole);
    ok(fit(&spec, &whole, &[]));
    assert_eq!(before, support::tree(&whole), "a rerun rewrites nothing");

    // Two shards take turns, generation by generation, until the fit is done.
    let sharded = dir.path().join("sharded");
    for _ in 0..3 {
        for shard in ["0/2", "1/2"] {
            ok(fit(&spec, &sharded, &["--shard", shard, "--jobs", "1"]));
        }
    }
    assert_same_files(&whole, &sharded);
}

#[test]
fn a_bad_fit_spec_is_refused_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let spec = write_spec(
        dir.path(),
        &SPEC.replace(
            "inference_price_decline_fixed_capability",
            "price_of_tea_in_china",
        ),
    );
    let out = dir.path().join("fit");
    let result = fit(&spec, &out, &[]);
    assert_eq!(result.status.code(), Some(2));
    let message = text(&result.stderr);
    assert!(message.contains("fit.toml"), "names the file: {message}");
    assert!(
        message.contains("fit.targets"),
        "names the field: {message}"
    );
    assert!(
        message.contains("inference_price_decline_fixed_capability"),
        "lists what is allowed: {message}"
    );
    assert!(!out.exists(), "nothing written");

    let spec = write_spec(
        dir.path(),
        &SPEC
            .replace("quantile", "q")
            .replace("generations = 2", "generations = 2\nquantile = 1.5"),
    );
    let result = fit(&spec, &out, &[]);
    assert_eq!(result.status.code(), Some(2));
    assert!(text(&result.stderr).contains("fit.quantile"));
    assert!(!out.exists(), "nothing written");

    let spec = write_spec(
        dir.path(),
        &SPEC.replace(
            "generations = 2",
            "generations = 2\ntarget_ranges = { \"hyperscaler_capex_2025\" = [1e11, 2e11] }",
        ),
    );
    let result = fit(&spec, &out, &[]);
    assert_eq!(result.status.code(), Some(2));
    assert!(
        text(&result.stderr).contains("fit.target_ranges.hyperscaler_capex_2025"),
        "{}",
        text(&result.stderr)
    );
    assert!(!out.exists(), "nothing written");
}

#[test]
fn existing_results_are_never_overwritten_nor_mixed_with_another_spec() {
    let dir = tempfile::tempdir().expect("temp dir");
    let spec = write_spec(dir.path(), SPEC);
    let out = dir.path().join("fit");
    ok(fit(&spec, &out, &[]));

    // A fitted.toml edited by hand is not replaced.
    std::fs::write(out.join("fitted.toml"), "# mine\n").expect("file");
    let result = fit(&spec, &out, &[]);
    assert_eq!(result.status.code(), Some(1));
    assert!(text(&result.stderr).contains("fitted.toml"));
    assert_eq!(
        std::fs::read_to_string(out.join("fitted.toml")).expect("file"),
        "# mine\n"
    );

    // Another spec's search is refused before it runs anything.
    let before = support::tree(&out);
    let other = write_spec(dir.path(), &SPEC.replace("particles = 4", "particles = 6"));
    let result = fit(&other, &out, &[]);
    assert_eq!(result.status.code(), Some(2));
    let message = text(&result.stderr);
    assert!(message.contains("particles was 4, is 6"), "{message}");
    assert_eq!(before, support::tree(&out), "nothing written");

    // So is a folder that is not a fit's.
    let stranger = dir.path().join("stranger");
    std::fs::create_dir_all(&stranger).expect("folder");
    std::fs::write(stranger.join("notes.txt"), "mine").expect("file");
    let result = fit(&spec, &stranger, &[]);
    assert_eq!(result.status.code(), Some(2));
    assert_eq!(
        std::fs::read_dir(&stranger).expect("folder").count(),
        1,
        "nothing written"
    );
}

/// Parameter recovery: targets measured from runs at a known value are
/// given as the fit's ranges; the fit must find that value again.
#[test]
fn a_fit_recovers_the_value_that_produced_its_targets() {
    const TRUE_HALVING: f64 = 7.0;
    let dir = tempfile::tempdir().expect("temp dir");
    let runs = dir.path().join("truth");
    let mut measured = Vec::new();
    for seed in ["1", "2"] {
        ok(moatsim(&[
            "run",
            "configs/baseline.toml",
            "--seed",
            seed,
            "--quarters",
            "8",
            "--set",
            &format!("world.algorithmic_efficiency_halving_months={TRUE_HALVING}"),
            "--out",
            runs.to_str().expect("utf-8"),
            "--quiet",
        ]));
        let report = ok(moatsim(&[
            "calibrate",
            runs.join(format!("scenario=baseline/seed={seed}"))
                .to_str()
                .expect("utf-8"),
            "--json",
        ]));
        let report: serde_json::Value = serde_json::from_slice(&report.stdout).expect("JSON");
        let value = report["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .find(|c| c["figure"]["name"] == "inference_price_decline_fixed_capability")
            .and_then(|c| c["simulated"].as_f64())
            .expect("a measured price decline");
        measured.push(value);
    }
    let low = measured.iter().copied().fold(f64::INFINITY, f64::min) * 0.99;
    let high = measured.iter().copied().fold(f64::NEG_INFINITY, f64::max) * 1.01;
    let spec = write_spec(
        dir.path(),
        &format!(
            r#"
[fit]
name = "recover"
scenario = "REPO/configs/baseline.toml"
set = {{ "scenario.quarters" = 8 }}
targets = ["inference_price_decline_fixed_capability"]
target_ranges = {{ "inference_price_decline_fixed_capability" = [{low}, {high}] }}
parameters = ["world.algorithmic_efficiency_halving_months"]
particles = 8
generations = 6
keep_landed = false

[seeds]
list = [1, 2]
master_seed = 3
"#
        ),
    );
    let out = dir.path().join("fit");
    let printed = ok(fit(&spec, &out, &["--json"]));
    let result: serde_json::Value = serde_json::from_slice(&printed.stdout).expect("JSON");
    assert!(result["best_distance"].as_f64() == Some(0.0), "{result}");
    let fitted: f64 = result["parameters"][0]["fitted"]
        .as_str()
        .and_then(|v| v.parse().ok())
        .expect("a fitted value");
    assert!(
        (fitted - TRUE_HALVING).abs() < 0.5,
        "recovered {fitted} months, made with {TRUE_HALVING} (range 5-14)"
    );
}
