//! Golden snapshots: the output schema and `validate` summaries are compared
//! with files in `tests/golden/`, so a change to either is a reviewed diff.
//! Record new snapshots with `MOATSIM_UPDATE_GOLDEN=1 cargo nextest run
//! --release -p moatsim-cli --test e2e_golden` and read the diff before
//! committing.
//!
//! The schema's structure (tables, columns, types, nullability) is kept per
//! `SCHEMA_VERSION` (`schema-v<N>.txt`): changing it without bumping the
//! version fails, and no update overwrites it.
//!
//! The golden runs (`run-*.txt`) pin the engine's output bytes: the SHA-256 of
//! every Parquet file of small runs, and the manifest's data fields. A change
//! that says it changes no behaviour must leave them as they are. They have a
//! flag of their own, so that recording a new schema snapshot never re-records
//! them by accident: `MOATSIM_RECORD_GOLDEN_RUN=1 cargo nextest run --release
//! -p moatsim-cli --test e2e_golden golden_run`, in a commit that says which
//! tables moved and why.

mod support;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use support::{moatsim, repo, text, tree};

fn golden(name: &str) -> PathBuf {
    repo().join("tests/golden").join(name)
}

fn updating() -> bool {
    std::env::var_os("MOATSIM_UPDATE_GOLDEN").is_some_and(|v| v == "1")
}

/// Compares `actual` with the golden file, or records it when updating.
fn assert_golden(name: &str, actual: &str) {
    assert_golden_unless(name, actual, updating());
}

/// Compares `actual` with the golden file, or records it when `record`.
fn assert_golden_unless(name: &str, actual: &str, record: bool) {
    let path = golden(name);
    if record {
        std::fs::create_dir_all(path.parent().expect("folder")).expect("golden folder");
        std::fs::write(&path, actual).expect("record golden");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "{} is missing; record it with MOATSIM_UPDATE_GOLDEN=1",
            path.display()
        )
    });
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the output, first at line {}:\n  golden: {:?}\n  now:    {:?}\nIf the change is intended, record it (see the top of tests/e2e_golden.rs) and review the diff.",
            path.display(),
            first + 1,
            expected.lines().nth(first),
            actual.lines().nth(first)
        );
    }
}

fn output(args: &[&str]) -> String {
    let result = moatsim(args);
    assert!(
        result.status.success(),
        "{args:?}: {}",
        text(&result.stderr)
    );
    text(&result.stdout)
}

#[test]
fn schema_matches_its_snapshot() {
    assert_golden("schema.txt", &output(&["schema"]));
}

/// `table.column type [nullable]`, one line per column: what readers of the
/// files depend on, without the descriptions.
fn structure(schema: &str) -> (u32, String) {
    let mut lines = schema.lines();
    let version = lines
        .next()
        .and_then(|l| l.strip_prefix("moatsim output schema version "))
        .and_then(|v| v.trim().parse().ok())
        .expect("the first line gives the schema version");
    let mut out = String::new();
    let mut table = "";
    for line in lines {
        if let Some((name, _)) = line.split_once(": ")
            && !line.starts_with(' ')
            && !name.contains(' ')
        {
            table = name;
        } else if let Some(column) = line.strip_prefix("  ") {
            let mut words = column.split_whitespace();
            let (name, data_type) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
            let nullable = if words.next() == Some("(nullable)") {
                " nullable"
            } else {
                ""
            };
            out.push_str(&format!("{table}.{name} {data_type}{nullable}\n"));
        }
    }
    (version, out)
}

#[test]
fn a_schema_change_needs_a_schema_version_bump() {
    let (version, now) = structure(&output(&["schema"]));
    assert!(
        now.lines().count() > 100,
        "the structure lists every column"
    );
    let path = golden(&format!("schema-v{version}.txt"));
    match std::fs::read_to_string(&path) {
        Ok(recorded) => assert!(
            recorded == now,
            "the output schema changed but SCHEMA_VERSION is still {version}: bump it in crates/moatsim-output/src/schema.rs, then record {} with MOATSIM_UPDATE_GOLDEN=1",
            golden(&format!("schema-v{}.txt", version + 1)).display()
        ),
        Err(_) if updating() => {
            std::fs::create_dir_all(path.parent().expect("folder")).expect("golden folder");
            std::fs::write(&path, now).expect("record structure");
        }
        Err(_) => panic!(
            "SCHEMA_VERSION is {version} but {} does not exist: record it with MOATSIM_UPDATE_GOLDEN=1",
            path.display()
        ),
    }
}

#[test]
fn validate_summaries_match_their_snapshots() {
    assert_golden(
        "validate-baseline.txt",
        &output(&["validate", "configs/baseline.toml"]),
    );
    // A layered scenario: its differences from the base and its timeline.
    assert_golden(
        "validate-export-controls.txt",
        &output(&[
            "validate",
            "configs/export-controls.toml",
            "--set",
            "app_builders.count=1000",
        ]),
    );
    assert_golden(
        "validate-mega-round-ranges.txt",
        &output(&["validate", "configs/mega-round.toml", "--ranges"]),
    );
}

#[test]
fn every_sweep_spec_plans() {
    // Sweeps and the claims' ensembles (which are sweep specs with [explore]).
    let specs: Vec<PathBuf> = ["configs/sweeps", "configs/claims"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(repo().join(dir)).expect("a specs folder"))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    assert!(specs.len() >= 4, "sweep specs found: {specs:?}");
    for spec in specs {
        let plan = output(&["sweep", "plan", spec.to_str().expect("utf-8"), "--json"]);
        let plan: serde_json::Value = serde_json::from_str(&plan).expect("plan JSON");
        let runs = plan["runs"].as_array().expect("runs");
        assert!(!runs.is_empty(), "{} plans no runs", spec.display());
    }
}

/// The golden run's description: what each line of a `run-*.txt` file pins.
/// Lines are `sha256 <hex> <file>` for every Parquet file and
/// `manifest <field> <value>` for the manifest's data fields (its `config`
/// as a digest of its JSON).
fn run_digests(run_dir: &Path) -> String {
    let mut out = String::new();
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(run_dir.join("manifest.json")).expect("manifest.json"),
    )
    .expect("manifest JSON");
    for field in [
        "schema_version",
        "scenario",
        "seed",
        "config_hash",
        "start",
        "end",
        "quarters",
    ] {
        out.push_str(&format!("manifest {field} {}\n", manifest[field]));
    }
    for table in manifest["tables"].as_array().expect("tables") {
        out.push_str(&format!(
            "manifest table {} {} rows\n",
            table["file"].as_str().expect("file"),
            table["rows"]
        ));
    }
    let config = serde_json::to_vec(&manifest["config"]).expect("config JSON");
    out.push_str(&format!("manifest config sha256 {}\n", sha256(&config)));
    for (path, bytes) in tree(run_dir) {
        if path.extension().is_some_and(|e| e == "parquet") {
            out.push_str(&format!("sha256 {} {}\n", sha256(&bytes), path.display()));
        }
    }
    out
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn recording_runs() -> bool {
    std::env::var_os("MOATSIM_RECORD_GOLDEN_RUN").is_some_and(|v| v == "1")
}

/// Runs `config` with `args` into a fresh folder and returns its digests,
/// headed by the command that made them.
fn golden_run(config: &str, args: &[&str]) -> String {
    let out = tempfile::tempdir().expect("temp dir");
    let out_dir = out.path().to_str().expect("utf-8");
    let mut full = vec!["run", config, "--out", out_dir, "--quiet"];
    full.extend_from_slice(args);
    let result = moatsim(&full);
    assert!(
        result.status.success(),
        "{full:?}: {}",
        text(&result.stderr)
    );
    let scenario = std::fs::read_dir(out.path())
        .expect("outputs")
        .flatten()
        .next()
        .expect("a scenario folder")
        .path();
    let run_dir = std::fs::read_dir(&scenario)
        .expect("scenario folder")
        .flatten()
        .next()
        .expect("a seed folder")
        .path();
    format!(
        "# moatsim run {config} {}\n{}",
        args.join(" "),
        run_digests(&run_dir)
    )
}

const GOLDEN_BUILDERS: &str = "app_builders.count=2000";

/// The small baseline the issue names: seed 42, 4 quarters, 2,000 builders.
#[test]
fn golden_run_baseline_is_unchanged() {
    let digests = golden_run(
        "configs/baseline.toml",
        &["--seed", "42", "--quarters", "4", "--set", GOLDEN_BUILDERS],
    );
    assert_golden_unless("run-baseline.txt", &digests, recording_runs());
}

/// The baseline's own 20,000 builders: three chunks of the builder passes
/// (`apps::CHUNK` is 8,192), so a change to the order in which chunk sums
/// are added moves these bytes, which runs of fewer builders cannot show.
#[test]
fn golden_run_of_several_builder_chunks_is_unchanged() {
    let digests = golden_run("configs/baseline.toml", &["--seed", "1", "--quarters", "8"]);
    assert_golden_unless("run-builder-chunks.txt", &digests, recording_runs());
}

/// Every scenario in `configs/` (but the two scale runs, which only change
/// the population) over the whole horizon, so the golden runs reach the code
/// that the first quarters never do: projects energizing, policy events,
/// refresh, exits, sales of failed labs.
#[test]
fn golden_run_scenarios_are_unchanged() {
    let mut configs: Vec<String> = std::fs::read_dir(repo().join("configs"))
        .expect("configs")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .filter_map(|p| p.file_name()?.to_str().map(str::to_owned))
        .filter(|name| !name.starts_with("scale-"))
        .collect();
    configs.sort();
    assert!(configs.len() >= 9, "scenarios found: {configs:?}");
    let mut digests = String::new();
    for config in configs {
        digests.push_str(&golden_run(
            &format!("configs/{config}"),
            &["--seed", "7", "--set", GOLDEN_BUILDERS],
        ));
    }
    assert_golden_unless("run-scenarios.txt", &digests, recording_runs());
}
