//! Same config and seed give byte-identical Parquet whatever the thread count;
//! a different seed gives different data.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::repo;

/// More builders than one parallel chunk, so threads really split the work.
fn run(out: &Path, threads: &str, seed: &str) -> PathBuf {
    let status = Command::new(env!("CARGO_BIN_EXE_moatsim"))
        .current_dir(repo())
        .args([
            "run",
            "configs/baseline.toml",
            "--quarters",
            "5",
            "--set",
            "app_builders.count=20000",
        ])
        .args(["--threads", threads, "--seed", seed, "--quiet", "--out"])
        .arg(out)
        .status()
        .expect("binary runs");
    assert!(status.success());
    support::assert_verifies(out.to_str().expect("utf-8"));
    out.join(format!("scenario=baseline/seed={seed}"))
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut all: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("run dir")
        .map(|e| e.expect("entry").path())
        .map(|p| {
            (
                p.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                std::fs::read(&p).expect("read"),
            )
        })
        .collect();
    all.sort();
    all
}

#[test]
fn same_seed_gives_byte_identical_output_for_one_and_two_threads() {
    let a = tempfile::tempdir().expect("temp dir");
    let b = tempfile::tempdir().expect("temp dir");
    let one = files(&run(a.path(), "1", "42"));
    let two = files(&run(b.path(), "2", "42"));
    assert_eq!(one.len(), 13, "twelve tables and the manifest");
    for ((name_one, bytes_one), (name_two, bytes_two)) in one.iter().zip(&two) {
        assert_eq!(name_one, name_two);
        assert!(
            bytes_one == bytes_two,
            "{name_one} differs between --threads 1 and --threads 2"
        );
    }
}

#[test]
fn a_different_seed_gives_different_data() {
    let a = tempfile::tempdir().expect("temp dir");
    let first = files(&run(a.path(), "2", "42"));
    let second = files(&run(a.path(), "2", "43"));
    let builders = |all: &[(String, Vec<u8>)]| {
        all.iter()
            .find(|f| f.0 == "app_builders.parquet")
            .map(|f| f.1.clone())
    };
    assert_ne!(builders(&first), builders(&second));
}
