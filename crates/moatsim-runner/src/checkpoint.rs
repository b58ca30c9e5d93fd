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
//!
//! Storage can lie where a process cannot: a file truncated by a full disk,
//! half-synced on a shared file system, a bit flipped in a copy. So the meta
//! records the digest of the state file and of every closed segment, the
//! record of the join records the digests of the joined files, and each of
//! the two JSON files carries the digest of its own content. `resume` checks
//! every one before it trusts anything ([`verify`]).

use std::path::{Path, PathBuf};

use moatsim_engine::checkpoint::Snapshot;
use moatsim_output::WriteSummary;
use moatsim_output::digest::{Damage, FileDigest, check_file, digest_bytes};
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
    /// The state file's digest, set by [`save`]; absent in checkpoints
    /// written before moatsim recorded digests.
    #[serde(default)]
    pub state_digest: Option<FileDigest>,
    /// Each closed segment's files, segment by segment
    /// (`segments_done` of them).
    #[serde(default)]
    pub segments: Vec<Vec<TableRecord>>,
    /// The digest of this meta's own JSON (written with this field empty).
    #[serde(default)]
    pub self_digest: String,
}

/// One table file written: its table, rows and digest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct TableRecord {
    pub name: String,
    pub rows: u64,
    pub digest: FileDigest,
}

/// The tables a writer wrote, as a checkpoint records them.
pub(crate) fn records(written: &WriteSummary) -> Vec<TableRecord> {
    written
        .tables
        .iter()
        .map(|t| TableRecord {
            name: t.name.to_string(),
            rows: t.rows,
            digest: t.digest.clone(),
        })
        .collect()
}

/// The tables of a run whose tables are complete (rows and digests), and its
/// agent count: what publishing needs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Joined {
    pub tables: Vec<TableRecord>,
    pub agents: u64,
    /// Segment files per table that were joined (and are to be deleted).
    pub segments: u32,
    /// The digest of this record's own JSON (written with this field empty).
    #[serde(default)]
    pub self_digest: String,
}

impl Joined {
    pub fn total_rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }
}

/// A JSON record that carries the digest of its own content, so that damage
/// to it is found like damage to the files it describes.
pub(crate) trait SelfDigested: Serialize + Clone {
    fn self_digest(&mut self) -> &mut String;

    /// The digest of this record's JSON with its own digest left empty.
    fn content_digest(&self, path: &Path) -> Result<String, RunError> {
        let mut blank = self.clone();
        blank.self_digest().clear();
        let text = to_json(path, "a checkpoint record", &blank)?;
        Ok(digest_bytes(text.as_bytes()).xxh3_128)
    }

    /// The record as written: its JSON with its digest filled in.
    fn sealed(&self, path: &Path) -> Result<Self, RunError> {
        let mut sealed = self.clone();
        *sealed.self_digest() = self.content_digest(path)?;
        Ok(sealed)
    }

    /// Whether the record read from `path` is the one written.
    fn intact(&self, path: &Path) -> Result<bool, RunError> {
        let mut record = self.clone();
        let recorded = std::mem::take(record.self_digest());
        Ok(recorded == record.content_digest(path)?)
    }
}

impl SelfDigested for Meta {
    fn self_digest(&mut self) -> &mut String {
        &mut self.self_digest
    }
}

impl SelfDigested for Joined {
    fn self_digest(&mut self) -> &mut String {
        &mut self.self_digest
    }
}

pub(crate) fn save_joined(staging: &Path, joined: &Joined) -> Result<(), RunError> {
    let folder = staging.join(FOLDER);
    std::fs::create_dir_all(&folder).map_err(io(&folder))?;
    let path = folder.join(JOINED);
    let text = to_json(
        &path,
        "the record of the joined tables",
        &joined.sealed(&path)?,
    )?;
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
    let joined: Joined = serde_json::from_str(&text)
        .map_err(|e| damaged(&path, staging, Damage::Unreadable(e.to_string())))?;
    if !joined.intact(&path)? {
        return Err(damaged(&path, staging, Damage::Altered));
    }
    Ok(Some(joined))
}

/// A checkpoint file that is not as it was written: resuming from it could
/// publish wrong tables, so nothing is used and nothing is changed.
pub(crate) fn damaged(path: &Path, staging: &Path, damage: Damage) -> RunError {
    RunError::DamagedCheckpoint {
        path: path.to_path_buf(),
        damage,
        staging: staging.to_path_buf(),
    }
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
    let meta_path = folder.join(META);
    let meta = Meta {
        state_file: state_file.clone(),
        state_digest: Some(digest_bytes(&bytes)),
        ..meta.clone()
    }
    .sealed(&meta_path)?;
    // The meta holds the configuration's path, which JSON cannot hold when
    // it is not UTF-8: that is an error, never an empty meta.
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
        let meta: Meta = serde_json::from_str(&text)
            .map_err(|e| damaged(&meta_path, &path, Damage::Unreadable(e.to_string())))?;
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

/// Checks a checkpoint before anything trusts it: its meta is as written,
/// and so are its state file and every segment it will join. The first file
/// that is not is an error naming it; nothing is changed either way.
pub(crate) fn verify(staging: &Path, meta: &Meta) -> Result<(), RunError> {
    let folder = staging.join(FOLDER);
    let meta_path = folder.join(META);
    if !meta.intact(&meta_path)? || meta.segments.len() != meta.segments_done as usize {
        return Err(damaged(&meta_path, staging, Damage::Altered));
    }
    let state_path = folder.join(&meta.state_file);
    let Some(state_digest) = &meta.state_digest else {
        return Err(RunError::Resume(format!(
            "the checkpoint in {} was written before moatsim recorded digests, so it cannot be checked; rerun the run from the start",
            staging.display()
        )));
    };
    check_file(&state_path, state_digest).map_err(|d| damaged(&state_path, staging, d))?;
    for (k, segment) in meta.segments.iter().enumerate() {
        let k = u32::try_from(k).unwrap_or(u32::MAX);
        check_tables(staging, segment, |name| {
            moatsim_output::segment_path(staging, name, k)
        })?;
    }
    Ok(())
}

/// Checks each recorded table file, found at `path_of(table)`.
pub(crate) fn check_tables(
    staging: &Path,
    tables: &[TableRecord],
    path_of: impl Fn(&str) -> PathBuf,
) -> Result<(), RunError> {
    for table in tables {
        let path = path_of(&table.name);
        check_file(&path, &table.digest).map_err(|d| damaged(&path, staging, d))?;
    }
    Ok(())
}

/// Reads the engine's state. [`verify`] has checked it against its digest,
/// so bytes that do not decode are a bug, reported as such, not a panic.
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
            state_digest: None,
            segments: Vec::new(),
            self_digest: String::new(),
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
