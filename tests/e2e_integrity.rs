//! Storage that lies: a checkpoint or a published run damaged after it was
//! written (a bit flipped, a file truncated) is found before anything trusts
//! it. `resume` refuses a damaged checkpoint with exit status 1, names the
//! file and changes nothing; `moatsim verify` and every command that reads a
//! run name a damaged table; nothing panics.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use support::{moatsim, text, tree};

/// A run big enough to be killed between checkpoints (as in the checkpoint
/// tests).
const RUN: [&str; 6] = [
    "--quarters",
    "12",
    "--set",
    "app_builders.count=120000",
    "--checkpoint-every",
    "3",
];

/// Bit flips tried per file, spread from its first byte to its last.
const FLIPS: usize = 12;

fn run_dir(out: &Path) -> PathBuf {
    out.join("scenario=baseline/seed=42")
}

fn staging(out: &Path) -> Option<PathBuf> {
    std::fs::read_dir(out.join("scenario=baseline"))
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.join("checkpoint/meta.json").is_file())
}

/// A checkpointed run SIGKILLed once its first checkpoint is on disk; returns
/// its staging folder.
fn killed_run(out: &Path) -> PathBuf {
    let mut args = vec![
        "run",
        "configs/baseline.toml",
        "--out",
        out.to_str().expect("utf-8"),
        "--quiet",
    ];
    args.extend_from_slice(&RUN);
    support::kill_when(&args, || staging(out).is_some());
    staging(out).expect("a checkpoint")
}

/// `n` byte positions spread over a file of `len` bytes, first and last
/// included.
fn positions(len: usize, n: usize) -> Vec<usize> {
    (0..n).map(|i| i * (len - 1) / (n - 1)).collect()
}

/// One kind of damage to a file, and undoing it.
enum Harm {
    Flip(usize),
    Truncate(usize),
}

fn harm(path: &Path, harm: &Harm) -> Vec<u8> {
    let original = std::fs::read(path).expect("read");
    let mut damaged = original.clone();
    match *harm {
        Harm::Flip(at) => damaged[at] ^= 0x10,
        Harm::Truncate(to) => damaged.truncate(to),
    }
    std::fs::write(path, damaged).expect("damage");
    original
}

/// Every way a file is damaged in these tests: a bit flipped at each of
/// [`FLIPS`] positions, and the file cut to nothing, to half and to all but
/// its last byte.
fn harms(len: usize) -> Vec<Harm> {
    let mut all: Vec<Harm> = positions(len, FLIPS).into_iter().map(Harm::Flip).collect();
    all.extend([0, len / 2, len - 1].map(Harm::Truncate));
    all
}

fn assert_refused(result: &Output, file: &str, case: &str) {
    let stderr = text(&result.stderr);
    assert_eq!(result.status.code(), Some(1), "{case}: {stderr}");
    assert!(
        stderr.contains(file) && stderr.contains("damaged"),
        "{case}: the damaged file is named: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{case}: {stderr}");
}

/// Damages `file` each way in turn and checks that `resume` refuses, names
/// it and leaves every file as it was; returns the cases tried.
fn each_damage_refused(out: &Path, file: &Path) -> usize {
    let name = file
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let len = std::fs::metadata(file).expect("file").len() as usize;
    let cases = harms(len);
    let run = run_dir(out);
    for (k, damage) in cases.iter().enumerate() {
        let original = harm(file, damage);
        let before: BTreeMap<PathBuf, Vec<u8>> = tree(out);
        let result = moatsim(&["resume", run.to_str().expect("utf-8")]);
        let case = format!("{name}, case {k}");
        assert_refused(&result, &name, &case);
        assert!(!run.exists(), "{case}: nothing is published");
        assert!(tree(out) == before, "{case}: resume changed nothing");
        std::fs::write(file, original).expect("restore");
    }
    cases.len()
}

/// A short baseline run (2,000 builders) published under `out`; its folder.
fn published_run(out: &Path, quarters: &str) -> PathBuf {
    let made = moatsim(&[
        "run",
        "configs/baseline.toml",
        "--quarters",
        quarters,
        "--set",
        "app_builders.count=2000",
        "--out",
        out.to_str().expect("utf-8"),
        "--quiet",
    ]);
    assert!(made.status.success(), "{}", text(&made.stderr));
    run_dir(out)
}

#[test]
fn a_damaged_checkpoint_is_refused_with_the_file_named_and_nothing_changed() {
    let out = tempfile::tempdir().expect("temp dir");
    let staging = killed_run(out.path());
    let meta = staging.join("checkpoint/meta.json");
    let state = std::fs::read_dir(staging.join("checkpoint"))
        .expect("checkpoint folder")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().contains("state-"))
        .expect("a state file");
    let segment = staging.join("labs.parquet.seg0000");
    let builders = staging.join("app_builders.parquet.seg0000");
    let mut tried = 0;
    for file in [&state, &segment, &builders, &meta] {
        tried += each_damage_refused(out.path(), file);
    }
    assert_eq!(tried, 4 * (FLIPS + 3));

    // Undamaged, the same checkpoint resumes and publishes a run that
    // verifies.
    let run = run_dir(out.path());
    let resumed = moatsim(&["resume", run.to_str().expect("utf-8"), "--quiet"]);
    assert!(resumed.status.success(), "{}", text(&resumed.stderr));
    let verified = moatsim(&["verify", run.to_str().expect("utf-8")]);
    assert!(verified.status.success(), "{}", text(&verified.stderr));
    assert!(
        text(&verified.stdout).starts_with("ok "),
        "{}",
        text(&verified.stdout)
    );
}

#[test]
fn a_damaged_published_table_is_named_by_verify_and_by_every_reader() {
    let out = tempfile::tempdir().expect("temp dir");
    let out_dir = out.path().to_str().expect("utf-8");
    let run = published_run(out.path(), "8");
    let run_arg = run.to_str().expect("utf-8");
    let ok = moatsim(&["verify", out_dir]);
    assert!(ok.status.success(), "{}", text(&ok.stderr));

    let world = run.join("world.parquet");
    let len = std::fs::metadata(&world).expect("world").len() as usize;
    for (k, damage) in harms(len).iter().enumerate() {
        let original = harm(&world, damage);
        let case = format!("world.parquet, case {k}");
        let verdict = moatsim(&["verify", out_dir]);
        assert_eq!(verdict.status.code(), Some(1), "{case}");
        assert!(
            text(&verdict.stdout).contains("DAMAGED")
                && text(&verdict.stdout).contains("world.parquet"),
            "{case}: {}",
            text(&verdict.stdout)
        );
        for reader in [
            vec!["calibrate", run_arg],
            vec!["compare", run_arg, run_arg],
        ] {
            let read = moatsim(&reader);
            assert_refused(&read, "world.parquet", &format!("{case}, {}", reader[0]));
        }
        std::fs::write(&world, original).expect("restore");
    }

    // Restored, the run verifies again; `--json` gives the verdicts to scripts.
    let json = moatsim(&["verify", out_dir, "--json"]);
    let checks: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(checks[0]["problems"].as_array().map(Vec::len), Some(0));
}

#[test]
fn a_table_no_digest_vouches_for_is_an_error_not_a_panic_when_it_does_not_decode() {
    let out = tempfile::tempdir().expect("temp dir");
    let run = published_run(out.path(), "4");
    // A manifest from before digests: the reader has nothing to check the
    // file against, so the decoder meets the damage itself.
    let manifest = run.join("manifest.json");
    let mut value: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest).expect("manifest")).expect("JSON");
    value
        .as_object_mut()
        .expect("object")
        .remove("digest_algorithm");
    std::fs::write(&manifest, value.to_string()).expect("write");
    let world = run.join("world.parquet");
    let len = std::fs::metadata(&world).expect("world").len() as usize;
    let mut refused = 0;
    for (k, damage) in harms(len).iter().enumerate() {
        let original = harm(&world, damage);
        let read = moatsim(&["calibrate", run.to_str().expect("utf-8")]);
        let stderr = text(&read.stderr);
        assert_ne!(read.status.code(), Some(101), "case {k} panicked: {stderr}");
        assert!(!stderr.contains("panicked"), "case {k}: {stderr}");
        if !read.status.success() {
            assert!(stderr.contains("world.parquet"), "case {k}: {stderr}");
            refused += 1;
        }
        std::fs::write(&world, original).expect("restore");
    }
    // A flipped bit inside a compressed value can decode to other numbers:
    // without a digest nothing can tell. The truncations always fail.
    assert!(refused >= 3, "{refused} damaged files refused");
    let verdict = moatsim(&["verify", out.path().to_str().expect("utf-8")]);
    assert_eq!(verdict.status.code(), Some(1));
    assert!(text(&verdict.stdout).contains("records no xxh3-128 digests"));
}
