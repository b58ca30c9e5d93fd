//! Checkpoints: a run killed with SIGKILL and resumed writes exactly the files
//! of a run that never stopped, and a checkpoint from another version or
//! configuration is refused.

mod support;

use std::path::{Path, PathBuf};

use support::{assert_same_files, moatsim, repo, text};

/// A run big enough to be killed between checkpoints.
const RUN: [&str; 6] = [
    "--quarters",
    "12",
    "--set",
    "app_builders.count=120000",
    "--checkpoint-every",
    "3",
];

fn checkpoint_meta(out: &Path) -> Option<PathBuf> {
    let scenario = out.join("scenario=baseline");
    std::fs::read_dir(&scenario).ok()?.flatten().find_map(|e| {
        let meta = e.path().join("checkpoint/meta.json");
        meta.is_file().then_some(meta)
    })
}

/// Starts a checkpointed run of `config` and SIGKILLs it once its first
/// checkpoint is on disk.
fn run_and_kill(config: &str, out: &Path, threads: &str) {
    let mut args = vec![
        "run",
        config,
        "--out",
        out.to_str().expect("utf-8"),
        "--threads",
        threads,
        "--quiet",
    ];
    args.extend_from_slice(&RUN);
    support::kill_when(&args, || checkpoint_meta(out).is_some());
    assert!(
        !out.join("scenario=baseline/seed=42").exists(),
        "a killed run is not published"
    );
}

#[test]
fn a_run_killed_and_resumed_is_byte_identical_to_one_that_never_stopped() {
    let plain = tempfile::tempdir().expect("temp dir");
    let args = [
        "run",
        "configs/baseline.toml",
        "--quarters",
        "12",
        "--set",
        "app_builders.count=120000",
        "--out",
        plain.path().to_str().expect("utf-8"),
        "--quiet",
    ];
    let result = moatsim(&args);
    assert!(result.status.success(), "{}", text(&result.stderr));

    let killed = tempfile::tempdir().expect("temp dir");
    run_and_kill("configs/baseline.toml", killed.path(), "2");
    let run_dir = killed.path().join("scenario=baseline/seed=42");
    // Starting the run afresh would throw the checkpoint away: refused, with
    // the way to resume it.
    let killed_out = killed.path().to_str().expect("utf-8");
    let mut fresh_args = vec!["run", "configs/baseline.toml", "--out", killed_out];
    fresh_args.extend_from_slice(&RUN);
    let fresh = moatsim(&fresh_args);
    assert_eq!(fresh.status.code(), Some(1));
    assert!(
        text(&fresh.stderr).contains("left a checkpoint")
            && text(&fresh.stderr).contains("moatsim resume"),
        "{}",
        text(&fresh.stderr)
    );
    // Resumed on another thread count: the output does not depend on it.
    let resumed = moatsim(&["resume", run_dir.to_str().expect("utf-8"), "--threads", "1"]);
    assert!(resumed.status.success(), "{}", text(&resumed.stderr));
    assert!(text(&resumed.stdout).contains("12 quarters (resumed after quarter"));
    assert!(text(&resumed.stderr).contains("resuming from the checkpoint after quarter"));
    assert_same_files(plain.path(), killed.path());

    // Nothing is left to resume once the run is complete.
    let again = moatsim(&["resume", run_dir.to_str().expect("utf-8")]);
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again.stderr).contains("already complete"));
}

#[test]
fn a_checkpoint_from_another_version_or_configuration_is_refused() {
    // The run reads a copy of the baseline, which is then edited.
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("mine.toml");
    std::fs::copy(repo().join("configs/baseline.toml"), &config).expect("copy");
    let out = dir.path().join("out");
    run_and_kill(config.to_str().expect("utf-8"), &out, "2");
    let run_dir = out.join("scenario=baseline/seed=42");
    let resume = || moatsim(&["resume", run_dir.to_str().expect("utf-8")]);

    let original = std::fs::read_to_string(&config).expect("read");
    std::fs::write(&config, original.replace("pue = 1.2 ", "pue = 1.25 ")).expect("edit");
    let refused = resume();
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused.stderr).contains("no longer gives the configuration"),
        "{}",
        text(&refused.stderr)
    );
    std::fs::write(&config, &original).expect("restore");

    let meta = checkpoint_meta(&out).expect("checkpoint");
    let saved = std::fs::read_to_string(&meta).expect("meta");
    std::fs::write(
        &meta,
        saved.replace("\"moatsim_version\": \"", "\"moatsim_version\": \"0.0.0-"),
    )
    .expect("edit");
    let refused = resume();
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused.stderr).contains("written by moatsim 0.0.0-"),
        "{}",
        text(&refused.stderr)
    );
    std::fs::write(&meta, saved).expect("restore");

    // With the configuration and version back, it resumes.
    let resumed = resume();
    assert!(resumed.status.success(), "{}", text(&resumed.stderr));

    let nothing = moatsim(&[
        "resume",
        dir.path()
            .join("out/scenario=baseline/seed=7")
            .to_str()
            .expect("utf-8"),
    ]);
    assert_eq!(nothing.status.code(), Some(1));
    assert!(text(&nothing.stderr).contains("--checkpoint-every"));
}
