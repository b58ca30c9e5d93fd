//! Golden snapshots: the output schema and `validate` summaries are compared
//! with files in `tests/golden/`, so a change to either is a reviewed diff.
//! Record new snapshots with `MOATSIM_UPDATE_GOLDEN=1 cargo nextest run
//! --release -p moatsim-cli --test e2e_golden` and read the diff before
//! committing.
//!
//! The schema's structure (tables, columns, types, nullability) is kept per
//! `SCHEMA_VERSION` (`schema-v<N>.txt`): changing it without bumping the
//! version fails, and no update overwrites it.

mod support;

use std::path::PathBuf;

use support::{moatsim, repo, text};

fn golden(name: &str) -> PathBuf {
    repo().join("tests/golden").join(name)
}

fn updating() -> bool {
    std::env::var_os("MOATSIM_UPDATE_GOLDEN").is_some_and(|v| v == "1")
}

/// Compares `actual` with the golden file, or records it when updating.
fn assert_golden(name: &str, actual: &str) {
    let path = golden(name);
    if updating() {
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
            "{} differs from the output, first at line {}:\n  golden: {:?}\n  now:    {:?}\nIf the change is intended, record it with MOATSIM_UPDATE_GOLDEN=1 and review the diff.",
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
    let specs: Vec<PathBuf> = std::fs::read_dir(repo().join("configs/sweeps"))
        .expect("configs/sweeps")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    assert!(specs.len() >= 2, "sweep specs found: {specs:?}");
    for spec in specs {
        let plan = output(&["sweep", "plan", spec.to_str().expect("utf-8"), "--json"]);
        let plan: serde_json::Value = serde_json::from_str(&plan).expect("plan JSON");
        let runs = plan["runs"].as_array().expect("runs");
        assert!(!runs.is_empty(), "{} plans no runs", spec.display());
    }
}
