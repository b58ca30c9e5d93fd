//! A checkpointed run that fails (here: the next segment file cannot be
//! created, as on a full disk) keeps its last checkpoint, says where it is,
//! and `resume_run` then finishes it with the bytes of a run that never
//! failed.

use std::path::{Path, PathBuf};

use moatsim_runner::{CheckpointPlan, RunError, RunOptions, resume_run, run_dir, run_scenario};

fn baseline() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs/baseline.toml")
}

/// Every file under `root` with its bytes, by relative path.
fn files(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("file");
                out.push((
                    path.strip_prefix(root).expect("inside").to_path_buf(),
                    bytes,
                ));
            }
        }
    }
    out.sort();
    out
}

fn staging_folders(out: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(out.join("scenario=baseline"))
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with(".staging"))
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_failed_checkpointed_run_keeps_its_checkpoint_and_resumes() {
    let overrides = vec![
        "scenario.quarters=6".to_string(),
        "app_builders.count=2000".to_string(),
    ];
    let loaded = moatsim_config::load(&baseline(), &overrides).expect("loads");
    let plain = tempfile::tempdir().expect("temp dir");
    let options = |out: &Path, checkpoint: Option<CheckpointPlan>| RunOptions {
        out_dir: out.to_path_buf(),
        threads: Some(1),
        force: false,
        checkpoint,
    };
    run_scenario(&loaded, &options(plain.path(), None), |_| {}).expect("plain run");

    let failing = tempfile::tempdir().expect("temp dir");
    let plan = CheckpointPlan {
        every: 2,
        config_path: baseline(),
        overrides: overrides.clone(),
    };
    // After the checkpoint at quarter 2, a folder stands where the next
    // segment's files go, so creating them fails.
    let sabotaged = std::cell::RefCell::new(Vec::new());
    let result = run_scenario(&loaded, &options(failing.path(), Some(plan)), |progress| {
        if progress.quarters_done == 2 {
            for staging in staging_folders(failing.path()) {
                let blocker = staging.join("labs.parquet.seg0001");
                std::fs::create_dir_all(&blocker).expect("blocker");
                sabotaged.borrow_mut().push(blocker);
            }
        }
    });
    let error = result.expect_err("the run fails");
    assert!(matches!(error, RunError::CheckpointKept { .. }), "{error}");
    let message = error.to_string();
    assert!(
        message.contains("the last checkpoint is kept in") && message.contains("moatsim resume"),
        "{message}"
    );
    let run = run_dir(failing.path(), "baseline", 42);
    assert!(!run.exists(), "a failed run is not published");
    let stagings = staging_folders(failing.path());
    assert_eq!(stagings.len(), 1);
    assert!(
        stagings[0].join("checkpoint/meta.json").is_file(),
        "the checkpoint is kept"
    );

    // Once the cause is gone, resume finishes the run.
    for blocker in sabotaged.borrow().iter() {
        std::fs::remove_dir_all(blocker).expect("unblock");
    }
    let mut first = None;
    let report = resume_run(&run, Some(2), |p| {
        first.get_or_insert(p);
    })
    .expect("resumes");
    let first = first.expect("progress reported");
    assert!(first.resumed && first.quarters_done == 2, "{first:?}");
    assert_eq!(report.resumed_from, Some(2));
    assert_eq!(files(&run_dir(plain.path(), "baseline", 42)), files(&run));
    assert!(staging_folders(failing.path()).is_empty());
}
