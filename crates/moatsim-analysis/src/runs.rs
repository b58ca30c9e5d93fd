//! Finding finished runs under the folders a user names.

use std::path::{Path, PathBuf};

use crate::AnalysisError;

/// A finished run: its folder and what its manifest says it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRef {
    pub dir: PathBuf,
    pub scenario: String,
    pub seed: u64,
    /// The sweep run it belongs to (`run_id=N` in its path), if any.
    pub run_id: Option<String>,
}

/// How deep below a named folder runs are looked for: a sweep folder holds
/// `run_id=N/scenario=S/seed=K/`, three levels.
const MAX_DEPTH: usize = 3;

/// Every finished run at or under each of `paths` (a run folder, a scenario
/// folder, an outputs folder or a sweep folder), in path order. A folder
/// with no finished run is an error that names it; staging folders of runs
/// still in progress are skipped.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<RunRef>, AnalysisError> {
    run_folders(paths)?
        .iter()
        .map(|dir| read_manifest(dir, &dir.join("manifest.json")))
        .collect()
}

/// The folder of every published run (a folder with `manifest.json`) at or
/// under each of `paths`, in path order, without reading the manifests: a
/// damaged manifest is for `moatsim verify` to report, not a reason to skip
/// its run. A path with no run under it is an error that names it.
pub fn run_folders(paths: &[PathBuf]) -> Result<Vec<PathBuf>, AnalysisError> {
    let mut runs = Vec::new();
    for path in paths {
        let before = runs.len();
        collect(path, 0, &mut runs)?;
        if runs.len() == before {
            return Err(AnalysisError::NoRuns { path: path.clone() });
        }
    }
    runs.sort();
    runs.dedup();
    Ok(runs)
}

fn collect(dir: &Path, depth: usize, runs: &mut Vec<PathBuf>) -> Result<(), AnalysisError> {
    if dir.join("manifest.json").is_file() {
        runs.push(dir.to_path_buf());
        return Ok(());
    }
    if depth >= MAX_DEPTH || !dir.is_dir() {
        return Ok(());
    }
    let io = |source| AnalysisError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut children: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.is_dir()
                && !path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with('.'))
        })
        .collect();
    children.sort();
    for child in children {
        collect(&child, depth + 1, runs)?;
    }
    Ok(())
}

fn read_manifest(dir: &Path, path: &Path) -> Result<RunRef, AnalysisError> {
    let error = |detail: String| AnalysisError::Manifest {
        path: path.to_path_buf(),
        detail,
    };
    let text = std::fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
    let manifest: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| error(e.to_string()))?;
    let scenario = manifest["scenario"]
        .as_str()
        .ok_or_else(|| error("no `scenario`".into()))?
        .to_string();
    let seed = manifest["seed"]
        .as_u64()
        .ok_or_else(|| error("no `seed`".into()))?;
    let run_id = dir
        .ancestors()
        .filter_map(|a| a.file_name()?.to_str()?.strip_prefix("run_id="))
        .map(str::to_string)
        .next();
    Ok(RunRef {
        dir: dir.to_path_buf(),
        scenario,
        seed,
        run_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_run(dir: &Path, scenario: &str, seed: u64) {
        std::fs::create_dir_all(dir).expect("mkdir");
        std::fs::write(
            dir.join("manifest.json"),
            format!(r#"{{"scenario": "{scenario}", "seed": {seed}}}"#),
        )
        .expect("manifest");
    }

    #[test]
    fn runs_are_found_in_run_scenario_outputs_and_sweep_folders() {
        let root = tempfile::tempdir().expect("tmp");
        let outputs = root.path().join("outputs");
        fake_run(&outputs.join("scenario=baseline/seed=42"), "baseline", 42);
        fake_run(&outputs.join("scenario=baseline/seed=7"), "baseline", 7);
        fake_run(&outputs.join("scenario=mega-round/seed=7"), "mega-round", 7);
        // A run still in progress is not finished.
        std::fs::create_dir_all(outputs.join("scenario=baseline/.staging-seed-1-99"))
            .expect("mkdir");
        let sweep = root.path().join("sweeps/smoke");
        fake_run(
            &sweep.join("run_id=3/scenario=baseline/seed=11"),
            "baseline",
            11,
        );

        let one = discover(&[outputs.join("scenario=baseline/seed=42")]).expect("a run");
        assert_eq!(one.len(), 1);
        assert_eq!((one[0].scenario.as_str(), one[0].seed), ("baseline", 42));
        let scenario = discover(&[outputs.join("scenario=baseline")]).expect("a scenario");
        assert_eq!(scenario.iter().map(|r| r.seed).collect::<Vec<_>>(), [42, 7]);
        assert_eq!(
            discover(std::slice::from_ref(&outputs)).expect("all").len(),
            3
        );
        let swept = discover(&[sweep]).expect("a sweep");
        assert_eq!(swept[0].run_id.as_deref(), Some("3"));
        // Named twice, found once.
        assert_eq!(
            discover(&[outputs.clone(), outputs.clone()])
                .expect("all")
                .len(),
            3
        );
    }

    #[test]
    fn a_folder_without_runs_is_named_in_the_error() {
        let root = tempfile::tempdir().expect("tmp");
        let empty = root.path().join("nothing-here");
        std::fs::create_dir_all(&empty).expect("mkdir");
        let error = discover(std::slice::from_ref(&empty)).expect_err("no runs");
        assert!(error.to_string().contains("nothing-here"), "{error}");
        assert!(error.to_string().contains("manifest.json"), "{error}");
    }
}
