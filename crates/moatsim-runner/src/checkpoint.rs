//! Checkpoint files of a run in progress, inside its staging folder:
//!
//! - `checkpoint/state-<ticks>.bin`: the engine's [`Snapshot`] (bincode);
//! - `checkpoint/meta.json`: which state file is current, the moatsim and
//!   schema versions, the config hash, how to reload the configuration, and the
//!   Parquet segments closed so far.
//!
//! - `checkpoint/joined.json`: written once every table has been joined from
//!   its segments, before the segments are deleted; from then on the run only
//!   needs publishing, and `moatsim resume` does just that.
//!
//! Each file is written under a temporary name and renamed, the state before
//! the meta that points at it, so a kill at any moment leaves the previous
//! checkpoint or the new one, never half of one. A failed run keeps its
//! checkpoint; the folder is removed only once the run is published.

use std::path::{Path, PathBuf};

use moatsim_engine::checkpoint::Snapshot;
use serde::{Deserialize, Serialize};

use crate::{RunError, io};

const FOLDER: &str = "checkpoint";
const META: &str = "meta.json";
const JOINED: &str = "joined.json";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Meta {
    pub moatsim_version: String,
    pub schema_version: u32,
    pub config_hash: String,
    pub config_path: PathBuf,
    pub overrides: Vec<String>,
    pub every: u32,
    pub ticks_done: u32,
    pub segments_done: u32,
    /// The run was started with `--force`: it replaces a published run.
    #[serde(default)]
    pub force: bool,
    /// Set by [`save`].
    pub state_file: String,
}

/// Rows per table of a run whose tables are complete, and its agent count:
/// what publishing needs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Joined {
    pub rows_by_table: Vec<(String, u64)>,
    pub agents: u64,
    /// Segment files per table that were joined (and are to be deleted).
    pub segments: u32,
}

impl Joined {
    pub fn total_rows(&self) -> u64 {
        self.rows_by_table.iter().map(|t| t.1).sum()
    }
}

pub(crate) fn save_joined(staging: &Path, joined: &Joined) -> Result<(), RunError> {
    let folder = staging.join(FOLDER);
    std::fs::create_dir_all(&folder).map_err(io(&folder))?;
    let path = folder.join(JOINED);
    let text = to_json(&path, "the record of the joined tables", joined)?;
    write_atomically(&path, text.as_bytes())
}

/// `value` as pretty JSON for the file at `path`, or an error that names the
/// file and `what` it was to hold.
pub(crate) fn to_json(
    path: &Path,
    what: &'static str,
    value: &impl Serialize,
) -> Result<String, RunError> {
    serde_json::to_string_pretty(value).map_err(|source| RunError::Json {
        path: path.to_path_buf(),
        what,
        source,
    })
}

/// The record of a complete join, if the run got that far.
pub(crate) fn read_joined(staging: &Path) -> Result<Option<Joined>, RunError> {
    let path = staging.join(FOLDER).join(JOINED);
    if !path.is_file() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path).map_err(io(&path))?;
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| RunError::Resume(format!("{} cannot be read: {e}", path.display())))
}

/// Every staging folder of `run_dir`'s scenario and seed (siblings named
/// `.staging-seed-<seed>-<pid>`), with the pid part of its name, in name order.
/// `None` when `run_dir` is not a `…/seed=<seed>` folder.
fn stagings(run_dir: &Path) -> Option<Vec<(PathBuf, String)>> {
    let seed = run_dir
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_prefix("seed="))?;
    let prefix = format!(".staging-seed-{seed}-");
    let parent = run_dir.parent().unwrap_or(Path::new("."));
    // A folder that does not exist yet (the first run of a scenario) holds no
    // staging folder, hence the empty default. One that cannot be read is
    // reported when a run makes its own staging folder there.
    let mut found: Vec<(PathBuf, String)> = std::fs::read_dir(parent)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter_map(|path| {
                    let pid = path
                        .file_name()?
                        .to_str()?
                        .strip_prefix(&prefix)?
                        .to_string();
                    Some((path, pid))
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    Some(found)
}

fn has_checkpoint(staging: &Path) -> bool {
    staging.join(FOLDER).join(META).is_file()
}

/// Staging folders next to `run_dir` that hold a checkpoint of its scenario
/// and seed, in name order.
pub(crate) fn stagings_with_checkpoint(run_dir: &Path) -> Vec<PathBuf> {
    // A folder that is not a `…/seed=<seed>` run folder has no staging
    // folders of its own: none to find is the right answer. (`find` refuses
    // such a folder before it gets here.)
    stagings(run_dir)
        .unwrap_or_default()
        .into_iter()
        .map(|(path, _)| path)
        .filter(|path| has_checkpoint(path))
        .collect()
}

/// Removes staging folders of `run_dir`'s seed that hold no checkpoint and
/// whose process is gone: what a run killed before its first checkpoint (or
/// without checkpoints) leaves. A folder whose process still runs is left
/// alone. Where processes cannot be looked up (no `/proc`), nothing is removed.
pub(crate) fn remove_abandoned_stagings(run_dir: &Path) {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return;
    }
    // As in `stagings_with_checkpoint`: no run folder, nothing to tidy.
    for (path, pid) in stagings(run_dir).unwrap_or_default() {
        let alive = pid.parse::<u32>().is_err() || proc.join(&pid).exists();
        if !alive && !has_checkpoint(&path) {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), RunError> {
    let temporary = path.with_extension("tmp");
    {
        use std::io::Write;
        let mut file = std::fs::File::create(&temporary).map_err(io(&temporary))?;
        file.write_all(bytes).map_err(io(&temporary))?;
        file.sync_all().map_err(io(&temporary))?;
    }
    std::fs::rename(&temporary, path).map_err(io(path))?;
    Ok(())
}

pub(crate) fn save(staging: &Path, meta: &Meta, snapshot: &Snapshot) -> Result<(), RunError> {
    let folder = staging.join(FOLDER);
    std::fs::create_dir_all(&folder).map_err(io(&folder))?;
    let state_file = format!("state-{:06}.bin", meta.ticks_done);
    let bytes = snapshot
        .to_bytes()
        .map_err(|e| RunError::Resume(e.to_string()))?;
    write_atomically(&folder.join(&state_file), &bytes)?;
    let meta = Meta {
        state_file: state_file.clone(),
        ..meta.clone()
    };
    // The meta holds the configuration's path, which JSON cannot hold when
    // it is not UTF-8: that is an error, never an empty meta.
    let meta_path = folder.join(META);
    let text = to_json(&meta_path, "the checkpoint's meta", &meta)?;
    write_atomically(&meta_path, text.as_bytes())?;
    // Older states are no longer referenced.
    for entry in std::fs::read_dir(&folder).map_err(io(&folder))? {
        let path = entry.map_err(io(&folder))?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        if let Some(name) = name
            && name.starts_with("state-")
            && name != state_file
        {
            std::fs::remove_file(&path).map_err(io(&path))?;
        }
    }
    Ok(())
}

/// The staging folder of `run_dir` (`…/scenario=<name>/seed=<seed>`) that holds
/// a checkpoint, and its meta. The most advanced one wins if several do.
pub(crate) fn find(run_dir: &Path) -> Result<(PathBuf, Meta), RunError> {
    if stagings(run_dir).is_none() {
        return Err(RunError::Resume(format!(
            "{} is not a run folder such as outputs/scenario=baseline/seed=42",
            run_dir.display()
        )));
    }
    let mut best: Option<(PathBuf, Meta)> = None;
    for path in stagings_with_checkpoint(run_dir) {
        let meta_path = path.join(FOLDER).join(META);
        let text = std::fs::read_to_string(&meta_path).map_err(io(&meta_path))?;
        let meta: Meta = serde_json::from_str(&text).map_err(|e| {
            RunError::Resume(format!("{} is not a checkpoint: {e}", meta_path.display()))
        })?;
        let better = best
            .as_ref()
            .is_none_or(|(_, b)| meta.ticks_done > b.ticks_done);
        if better {
            best = Some((path, meta));
        }
    }
    best.ok_or_else(|| {
        RunError::Resume(format!(
            "no checkpoint for {}: run it with --checkpoint-every K to make it resumable",
            run_dir.display()
        ))
    })
}

pub(crate) fn read_state(staging: &Path, meta: &Meta) -> Result<Snapshot, RunError> {
    let path = staging.join(FOLDER).join(&meta.state_file);
    let bytes = std::fs::read(&path).map_err(io(&path))?;
    let snapshot = Snapshot::from_bytes(&bytes)
        .map_err(|e| RunError::Resume(format!("{} cannot be read: {e}", path.display())))?;
    if snapshot.next_tick != meta.ticks_done {
        return Err(RunError::Resume(format!(
            "{} is at quarter {} but its meta says {}",
            path.display(),
            snapshot.next_tick,
            meta.ticks_done
        )));
    }
    Ok(snapshot)
}

/// Removes segment files numbered `first` and later: written after the last
/// checkpoint, so incomplete.
pub(crate) fn remove_segments_from(staging: &Path, first: u32) -> Result<(), RunError> {
    for entry in std::fs::read_dir(staging).map_err(io(staging))? {
        let path = entry.map_err(io(staging))?.path();
        let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
            continue;
        };
        let number = name
            .rsplit_once(".seg")
            .and_then(|(_, k)| k.parse::<u32>().ok());
        if number.is_some_and(|k| k >= first) || name.ends_with(".partial") {
            std::fs::remove_file(&path).map_err(io(&path))?;
        }
    }
    Ok(())
}

/// Removes the checkpoint of the run in `dir` (its staging folder or its
/// published folder) once the run is published.
pub(crate) fn remove(staging: &Path) -> Result<(), RunError> {
    let folder = staging.join(FOLDER);
    if folder.exists() {
        std::fs::remove_dir_all(&folder).map_err(io(&folder))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_meta_json_cannot_hold_is_an_error_not_an_empty_file() {
        use std::os::unix::ffi::OsStrExt;
        let meta = Meta {
            moatsim_version: String::new(),
            schema_version: 0,
            config_hash: String::new(),
            // Not UTF-8: JSON cannot hold this path.
            config_path: PathBuf::from(std::ffi::OsStr::from_bytes(b"configs/\xff.toml")),
            overrides: Vec::new(),
            every: 1,
            ticks_done: 0,
            segments_done: 0,
            force: false,
            state_file: String::new(),
        };
        let path = Path::new("staging/checkpoint/meta.json");
        let error = to_json(path, "the checkpoint's meta", &meta).expect_err("refused");
        assert!(
            error
                .to_string()
                .starts_with("cannot write staging/checkpoint/meta.json: the checkpoint's meta: "),
            "{error}"
        );
    }
}
