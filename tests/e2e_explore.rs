//! Claims on an uncertainty ensemble end to end (`moatsim explore`): the
//! ensemble's runs, each claim's share with its interval as the runs give
//! it, PRIM's boxes, and claims that are refused before anything runs.

mod support;

use std::path::Path;

use moatsim_output::reader::read_columns;
use support::{assert_verifies, moatsim, repo, text};

/// Eight quarters of the baseline, 600 builders, two inputs at six samples
/// and two seeds: 12 short runs.
const SPEC: &str = r#"
[sweep]
name = "explore-e2e"
scenario = "REPO/configs/baseline.toml"
set = { "scenario.quarters" = 8, "app_builders.count" = 600, "output.app_builders" = "segments" }

[seeds]
list = [1, 2]

[explore]
samples = 6
parameters = ["world.diffusion_rate", "world.serving_software_gain_per_year"]

[[claims]]
name = "some-concentration"
statement = "The inference market is at least moderately concentrated."
predicate = "hhi_horizon >= 1500"

[[claims]]
name = "leader-above-a-quarter"
statement = "The leader holds more than a quarter of inference revenue."
predicate = "leader_share_horizon > 0.25 and not hhi_horizon < 0"
"#;

fn write_spec(dir: &Path, body: &str) -> String {
    let root = repo().canonicalize().expect("repo");
    let path = dir.join("explore.toml");
    std::fs::write(&path, body.replace("REPO", root.to_str().expect("utf-8"))).expect("spec");
    path.to_str().expect("utf-8").to_string()
}

#[test]
fn an_ensemble_tests_its_claims_and_finds_their_boxes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let spec = write_spec(dir.path(), SPEC);
    let out = dir.path().join("ensemble");
    let out_str = out.to_str().expect("utf-8");
    let result = moatsim(&["explore", &spec, "--out", out_str, "--jobs", "2", "--quiet"]);
    assert!(
        result.status.success(),
        "{}{}",
        text(&result.stdout),
        text(&result.stderr)
    );
    let printed = text(&result.stdout);
    assert!(printed.contains("some-concentration"), "{printed}");
    assert!(printed.contains("of 12 runs"), "{printed}");
    assert_verifies(out_str);

    let ensemble = read_columns(
        &out.join("ensemble.parquet"),
        &[
            "seed",
            "world.diffusion_rate",
            "hhi_horizon",
            "leader_share_horizon",
        ],
        &["run_id"],
    )
    .expect("ensemble.parquet");
    assert_eq!(ensemble.rows(), 12);
    // The inputs are the design's: inside the plausible range.
    assert!(
        ensemble
            .numbers("world.diffusion_rate")
            .iter()
            .all(|v| (0.02..=0.12).contains(v))
    );

    // Each claim's share is what the ensemble's indicators give.
    let hhi = ensemble.numbers("hhi_horizon");
    let leader = ensemble.numbers("leader_share_horizon");
    let expected = [
        hhi.iter().filter(|v| **v >= 1500.0).count(),
        leader
            .iter()
            .zip(hhi)
            .filter(|(l, h)| **l > 0.25 && **h >= 0.0)
            .count(),
    ];
    let claims = read_columns(
        &out.join("claims.parquet"),
        &["holds", "runs", "share", "ci_low", "ci_high", "ks_distance"],
        &["claim", "parameter"],
    )
    .expect("claims.parquet");
    assert_eq!(claims.rows(), 4, "two claims x two inputs");
    for (row, name) in claims.strings("claim").iter().enumerate() {
        let k = if name == "some-concentration" {
            expected[0]
        } else {
            expected[1]
        };
        assert_eq!(claims.numbers("holds")[row] as usize, k, "{name}");
        assert_eq!(claims.numbers("runs")[row] as usize, 12);
        let share = claims.numbers("share")[row];
        assert!((share - k as f64 / 12.0).abs() < 1e-12);
        assert!(claims.numbers("ci_low")[row] <= share && share <= claims.numbers("ci_high")[row]);
        let ks = claims.numbers("ks_distance")[row];
        assert!(ks.is_nan() || (0.0..=1.0).contains(&ks));
    }

    let boxes = read_columns(
        &out.join("boxes.parquet"),
        &["box", "coverage", "density", "mass", "low", "high"],
        &["claim", "chosen", "parameter"],
    )
    .expect("boxes.parquet");
    for claim in ["some-concentration", "leader-above-a-quarter"] {
        let chosen = (0..boxes.rows())
            .filter(|&i| boxes.strings("claim")[i] == claim && boxes.strings("chosen")[i] == "yes")
            .count();
        assert_eq!(chosen, 2, "{claim}: one chosen box, a row per input");
    }
    for i in 0..boxes.rows() {
        for column in ["coverage", "density", "mass"] {
            assert!((0.0..=1.0).contains(&boxes.numbers(column)[i]));
        }
        assert!(boxes.numbers("low")[i] <= boxes.numbers("high")[i]);
    }

    // The report of the folder has a claims section: each claim's share,
    // its trajectory and its box in words, the predicate as written.
    let html = dir.path().join("report.html");
    let report = moatsim(&["report", out_str, "--out", html.to_str().expect("utf-8")]);
    assert!(report.status.success(), "{}", text(&report.stderr));
    let page = std::fs::read_to_string(&html).expect("report");
    for expected in [
        "<section id=\"claims\">",
        "id=\"claims-0-some-concentration-baseline\"",
        "id=\"claims-0-leader-above-a-quarter-baseline\"",
        "of 12 runs.",
        "hhi_horizon &gt;= 1500",
    ] {
        assert!(page.contains(expected), "the report has {expected}");
    }
}

#[test]
fn a_bad_claim_is_refused_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    // The spec with one indicator of its own.
    let with_indicator = |name: &str, expression: &str| {
        format!(
            "{SPEC}\n[[indicators]]\nname = \"{name}\"\ndescription = \"d\"\nexpression = \"{expression}\"\n"
        )
    };
    let cases = [
        (
            SPEC.replace("hhi_horizon >= 1500", "hhi_horizon >= "),
            vec!["claims[0].predicate", "at character"],
        ),
        (
            SPEC.replace("hhi_horizon >= 1500", "hhi_horizn >= 1500"),
            vec!["claims[0].predicate", "did you mean \"hhi_horizon\""],
        ),
        (
            SPEC.replace("name = \"leader-above-a-quarter\"", "name = \"some-concentration\""),
            vec!["claims[1].name"],
        ),
        (
            SPEC.replace(
                "[explore]\nsamples = 6\nparameters = [\"world.diffusion_rate\", \"world.serving_software_gain_per_year\"]",
                "[latin_hypercube]\nsamples = 6\nranges = { \"world.diffusion_rate\" = [0.02, 0.12] }",
            ),
            vec!["claims", "[explore]"],
        ),
        (
            SPEC[..SPEC.find("[[claims]]").expect("claims")].to_string(),
            vec!["claims", "none"],
        ),
        (
            SPEC.replace("\"world.diffusion_rate\", \"world.serving", "\"world.difusion_rate\", \"world.serving"),
            vec!["explore.ranges.world.difusion_rate", "did you mean \"world.diffusion_rate\""],
        ),
        (
            SPEC.replace(
                "predicate = \"hhi_horizon >= 1500\"",
                "predicate = \"hhi_horizon >= 1500\"\nscenarios = [\"basline\"]",
            ),
            vec!["claims[0].scenarios", "did you mean \"baseline\""],
        ),
        (
            SPEC.replace(
                "scenario = \"REPO/configs/baseline.toml\"",
                "scenario = [\"REPO/configs/baseline.toml\", \"REPO/configs/baseline.toml\"]",
            ),
            vec!["sweep.scenario", "twice"],
        ),
        (
            SPEC.replace("hhi_horizon >= 1500", "moat_half_life_quarters >= 8"),
            vec!["claims[0].scenarios", "first scenario", "one scenario"],
        ),
        (
            with_indicator("x", "median(world.hhi)"),
            vec!["indicators[0].expression", "no aggregate `median`"],
        ),
        (
            with_indicator("x", "sum(labs.revenu where name = 'frontier-a')"),
            vec!["indicators[0].expression", "no column `revenu`"],
        ),
        (
            with_indicator("hhi_horizon", "last(world.hhi)"),
            vec!["indicators[0].name", "built-in"],
        ),
        (
            with_indicator("Bad Name", "last(world.hhi)"),
            vec!["indicators[0].name", "lowercase"],
        ),
    ];
    for (body, says) in cases {
        let spec = write_spec(dir.path(), &body);
        let out = dir.path().join("refused");
        let result = moatsim(&["explore", &spec, "--out", out.to_str().expect("utf-8")]);
        let message = text(&result.stderr);
        assert_eq!(result.status.code(), Some(2), "{message}");
        assert!(
            message.contains("explore.toml"),
            "names the file: {message}"
        );
        for said in says {
            assert!(message.contains(said), "{said}: {message}");
        }
        assert!(!out.exists(), "nothing written: {message}");
    }
    // A claim's error names the line and column where its predicate is written.
    let body = SPEC.replace("hhi_horizon >= 1500", "hhi_horizn >= 1500");
    let line = 1 + body
        .lines()
        .position(|l| l.starts_with("predicate = \"hhi_horizn"))
        .expect("the predicate's line");
    let spec = write_spec(dir.path(), &body);
    let result = moatsim(&[
        "explore",
        &spec,
        "--out",
        dir.path().join("r").to_str().expect("utf-8"),
    ]);
    let message = text(&result.stderr);
    assert!(
        message.contains(&format!(
            "explore.toml:{line}:13: field `claims[0].predicate`"
        )),
        "{message}"
    );
    // A sensitivity command pointed at an ensemble says which command runs it.
    let spec = write_spec(dir.path(), SPEC);
    let result = moatsim(&[
        "sensitivity",
        &spec,
        "--out",
        dir.path().join("s").to_str().expect("utf-8"),
    ]);
    assert_eq!(result.status.code(), Some(2));
    assert!(
        text(&result.stderr).contains("moatsim explore"),
        "{}",
        text(&result.stderr)
    );
}

/// Two scenarios on the same design points and seeds: every run is in the
/// ensemble with its scenario, a claim is tested in each scenario it names
/// (all of them by default), and the report shows each claim per scenario.
#[test]
fn claims_are_tested_in_each_scenario_they_are_about() {
    let dir = tempfile::tempdir().expect("temp dir");
    let body = SPEC
        .replace(
            "scenario = \"REPO/configs/baseline.toml\"",
            "scenario = [\"REPO/configs/baseline.toml\", \"REPO/configs/mega-round.toml\"]",
        )
        .replace("samples = 6", "samples = 3")
        .replace(
            "predicate = \"leader_share_horizon > 0.25 and not hhi_horizon < 0\"",
            "predicate = \"leader_share_horizon > 0.25 and not hhi_horizon < 0\"\nscenarios = [\"mega-round\"]",
        );
    // A paired indicator: each mega-round run against the baseline run of
    // the same point and seed.
    let body = format!(
        "{body}\n[[claims]]\nname = \"a-lead-at-all\"\nstatement = \"The round buys some lead.\"\npredicate = \"moat_lead > 0\"\nscenarios = [\"mega-round\"]\n"
    );
    let spec = write_spec(dir.path(), &body);
    let plan = moatsim(&["sweep", "plan", &spec]);
    assert!(plan.status.success(), "{}", text(&plan.stderr));
    assert!(
        text(&plan.stdout).contains("12 runs"),
        "{}",
        text(&plan.stdout)
    );
    let out = dir.path().join("two");
    let out_str = out.to_str().expect("utf-8");
    let result = moatsim(&["explore", &spec, "--out", out_str, "--jobs", "2", "--quiet"]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    let printed = text(&result.stdout);
    assert!(
        printed.contains("some-concentration (baseline)"),
        "{printed}"
    );
    assert!(
        printed.contains("some-concentration (mega-round)"),
        "{printed}"
    );
    assert!(
        printed.contains("leader-above-a-quarter (mega-round)"),
        "{printed}"
    );
    assert!(
        !printed.contains("leader-above-a-quarter (baseline)"),
        "{printed}"
    );
    assert!(printed.contains("of 6 runs"), "{printed}");

    let ensemble = read_columns(
        &out.join("ensemble.parquet"),
        &[
            "seed",
            "moat_half_life_quarters",
            "moat_lead",
            "moat_censored",
        ],
        &["scenario"],
    )
    .expect("ensemble.parquet");
    assert_eq!(ensemble.rows(), 12);
    for i in 0..ensemble.rows() {
        let lead = ensemble.numbers("moat_lead")[i];
        if ensemble.strings("scenario")[i] == "baseline" {
            assert!(lead.is_nan(), "the reference has no pair");
        } else if lead.is_finite() {
            // A measured lead has a half-life, censored or not.
            assert!(lead > 0.0);
            assert!(ensemble.numbers("moat_half_life_quarters")[i] >= 0.0);
            assert!([0.0, 1.0].contains(&ensemble.numbers("moat_censored")[i]));
        }
    }
    // The round buys frontier-a some compute share at every point and seed.
    let measured = (0..ensemble.rows())
        .filter(|&i| ensemble.numbers("moat_lead")[i].is_finite())
        .count();
    assert_eq!(measured, 6, "every mega-round run has its pair");
    for scenario in ["baseline", "mega-round"] {
        let n = ensemble
            .strings("scenario")
            .iter()
            .filter(|s| *s == scenario)
            .count();
        assert_eq!(n, 6, "{scenario}");
    }
    let claims = read_columns(
        &out.join("claims.parquet"),
        &["runs", "holds"],
        &["claim", "scenario"],
    )
    .expect("claims.parquet");
    // Four (claim, scenario) pairs, a row per input each.
    assert_eq!(claims.rows(), 8);
    assert!((0..claims.rows()).all(|i| claims.numbers("runs")[i] as usize == 6));
    let boxes = read_columns(
        &out.join("boxes.parquet"),
        &["box"],
        &["claim", "scenario", "chosen"],
    )
    .expect("boxes.parquet");
    for (claim, scenario) in [
        ("some-concentration", "baseline"),
        ("some-concentration", "mega-round"),
        ("leader-above-a-quarter", "mega-round"),
    ] {
        let chosen = (0..boxes.rows())
            .filter(|&i| {
                boxes.strings("claim")[i] == claim
                    && boxes.strings("scenario")[i] == scenario
                    && boxes.strings("chosen")[i] == "yes"
            })
            .count();
        assert_eq!(
            chosen, 2,
            "{claim} in {scenario}: one chosen box, a row per input"
        );
    }
    let page = dir.path().join("report.html");
    let report = moatsim(&["report", out_str, "--out", page.to_str().expect("utf-8")]);
    assert!(report.status.success(), "{}", text(&report.stderr));
    let page = std::fs::read_to_string(&page).expect("report");
    assert!(
        page.contains("in mega-round"),
        "the report names the scenario"
    );
}

/// A list of scenarios belongs to an ensemble: a plain sweep with one is
/// refused, naming the field.
#[test]
fn a_plain_sweep_runs_one_scenario() {
    let dir = tempfile::tempdir().expect("temp dir");
    let body = r#"
[sweep]
name = "two"
scenario = ["REPO/configs/baseline.toml", "REPO/configs/power-crunch.toml"]

[seeds]
list = [1]

[grid]
"world.diffusion_rate" = [0.05, 0.08]
"#;
    let spec = write_spec(dir.path(), body);
    let result = moatsim(&["sweep", "plan", &spec]);
    assert_eq!(result.status.code(), Some(2));
    let message = text(&result.stderr);
    assert!(message.contains("sweep.scenario"), "{message}");
    assert!(message.contains("[explore]"), "{message}");
}

/// The spec's own indicators: an aggregate of a table's column over the
/// rows a filter keeps, in ensemble.parquet and readable by claims; each
/// run's value is what its own table gives.
#[test]
fn a_spec_defines_its_own_indicators() {
    let dir = tempfile::tempdir().expect("temp dir");
    let body = format!(
        "{}\n[[indicators]]\nname = \"frontier_a_revenue\"\ndescription = \"frontier-a's revenue over the run\"\nexpression = \"sum(labs.revenue where name = 'frontier-a')\"\n\n[[indicators]]\nname = \"late_quarters\"\ndescription = \"quarters from tick 4\"\nexpression = \"count(world.tick where tick >= 4)\"\n\n[[claims]]\nname = \"frontier-a-earns\"\nstatement = \"frontier-a earns something.\"\npredicate = \"frontier_a_revenue > 0 and late_quarters == 4\"\n",
        SPEC.replace("samples = 6", "samples = 2")
    );
    let spec = write_spec(dir.path(), &body);
    let out = dir.path().join("own");
    let result = moatsim(&[
        "explore",
        &spec,
        "--out",
        out.to_str().expect("utf-8"),
        "--quiet",
    ]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    assert!(text(&result.stdout).contains("frontier-a-earns (baseline)"));
    assert!(
        text(&result.stdout).contains("holds in 100%"),
        "{}",
        text(&result.stdout)
    );
    let ensemble = read_columns(
        &out.join("ensemble.parquet"),
        &["frontier_a_revenue", "late_quarters"],
        &["run_id"],
    )
    .expect("ensemble.parquet");
    let runs = read_columns(&out.join("runs.parquet"), &[], &["run_id", "path"]).expect("runs");
    assert_eq!(ensemble.rows(), 4);
    for i in 0..ensemble.rows() {
        assert!((ensemble.numbers("late_quarters")[i] - 4.0).abs() < 1e-12);
        let id = &ensemble.strings("run_id")[i];
        let row = (0..runs.rows())
            .find(|&r| &runs.strings("run_id")[r] == id)
            .expect("the run is listed");
        let labs = read_columns(
            &out.join(&runs.strings("path")[row]).join("labs.parquet"),
            &["revenue"],
            &["name"],
        )
        .expect("labs.parquet");
        let expected: f64 = (0..labs.rows())
            .filter(|&r| labs.strings("name")[r] == "frontier-a")
            .map(|r| labs.numbers("revenue")[r])
            .sum();
        let got = ensemble.numbers("frontier_a_revenue")[i];
        assert!(expected > 0.0);
        assert!(
            (got - expected).abs() <= 1e-9 * expected,
            "{got} against {expected}"
        );
    }
}
