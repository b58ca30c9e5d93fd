//! The fit's folder: the record of the spec it is made with, each scored
//! generation's distances, and files written whole and never over another
//! shard's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use moatsim_config::fit::FitSpec;
use serde::Serialize;

use super::FitError;

/// What makes a fit's points: everything in its spec but the number of
/// generations (more generations continue the same search) and where files
/// are.
#[derive(Debug, PartialEq, Serialize, serde::Deserialize)]
struct FitIdentity {
    scenario: String,
    fixed: BTreeMap<String, String>,
    targets: Vec<String>,
    target_ranges: BTreeMap<String, [f64; 2]>,
    parameters: Vec<String>,
    ranges: Vec<[f64; 2]>,
    whole: Vec<bool>,
    seeds: Vec<u64>,
    search_seed: u64,
    particles: u32,
    quantile: f64,
    keep_landed: bool,
}

/// Records the spec a fit's folder is made with (`fit-spec.json`), or
/// refuses a folder made with another one before anything runs: its runs
/// would mix two searches.
pub(super) fn claim_folder(spec: &FitSpec, dir: &Path) -> Result<(), FitError> {
    let identity = FitIdentity {
        scenario: spec.scenario_name.clone(),
        fixed: spec.fixed.clone(),
        targets: spec.targets.clone(),
        target_ranges: spec.target_ranges.clone(),
        parameters: spec.parameters.clone(),
        ranges: spec.ranges.clone(),
        whole: spec.whole.clone(),
        seeds: spec.seeds.clone(),
        search_seed: spec.search_seed,
        particles: spec.particles,
        quantile: spec.quantile,
        keep_landed: spec.keep_landed,
    };
    let path = dir.join("fit-spec.json");
    let write_error = |detail: String| FitError::Write {
        path: path.clone(),
        detail,
    };
    std::fs::create_dir_all(dir).map_err(|e| write_error(e.to_string()))?;
    // A folder with anything but staging files in it and no record is not a
    // fit's. (A shard that starts at the same moment as another sees the
    // record before any of its runs: the record is made first.)
    let visible = std::fs::read_dir(dir)
        .map_err(|e| write_error(e.to_string()))?
        .filter_map(Result::ok)
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .count();
    if visible > 0 && !path.exists() {
        return Err(FitError::OtherSpec {
            dir: dir.to_path_buf(),
            detail: "it is not empty and has no fit-spec.json".into(),
        });
    }
    let text = serde_json::to_string_pretty(&identity).map_err(|e| write_error(e.to_string()))?;
    let staged = staging(&path);
    std::fs::write(&staged, text + "\n").map_err(|e| write_error(e.to_string()))?;
    match publish(&staged, &path) {
        Err(FitError::Exists { .. }) => {}
        other => return other,
    }
    // Made with another spec, or by another version of this record.
    let earlier: Option<FitIdentity> = std::fs::read_to_string(&path)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok());
    let detail = match earlier {
        Some(earlier) if earlier == identity => return Ok(()),
        Some(earlier) => {
            differences(&earlier, &identity).map_err(|e| write_error(e.to_string()))?
        }
        None => format!("{} is unreadable", path.display()),
    };
    Err(FitError::OtherSpec {
        dir: dir.to_path_buf(),
        detail,
    })
}

/// The fields in which two records of a fit's spec differ, as `field was
/// <earlier>, is <now>`. A record is a struct, so its JSON is an object;
/// turning it into JSON fails only where serde_json cannot hold a value,
/// which is an error rather than an empty list of differences.
fn differences(earlier: &FitIdentity, now: &FitIdentity) -> Result<String, serde_json::Error> {
    let (earlier, now) = (serde_json::to_value(earlier)?, serde_json::to_value(now)?);
    Ok(earlier
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, v)| now.get(k.as_str()) != Some(v))
        .map(|(k, v)| format!("{k} was {v}, is {}", now[k.as_str()]))
        .collect::<Vec<_>>()
        .join("; "))
}

/// Where a scored generation keeps its particles' distances.
fn distances_path(dir: &Path) -> PathBuf {
    dir.join("distances.json")
}

/// A scored generation's distances as stored: readable values, and their
/// exact bits, which are what is read back (a decimal float can come back a
/// bit off, and a rerun must decide exactly as the first pass did).
#[derive(Serialize, serde::Deserialize)]
struct StoredDistances {
    distance: Vec<f64>,
    bits: Vec<u64>,
}

/// A scored generation's distances, if they are on disk for `n` particles.
pub(super) fn read_distances(dir: &Path, n: usize) -> Option<Vec<f64>> {
    let text = std::fs::read_to_string(distances_path(dir)).ok()?;
    let stored: StoredDistances = serde_json::from_str(&text).ok()?;
    let distances: Vec<f64> = stored.bits.into_iter().map(f64::from_bits).collect();
    (distances.len() == n && distances.iter().all(|d| d.is_finite())).then_some(distances)
}

pub(super) fn write_distances(dir: &Path, distances: &[f64]) -> Result<(), FitError> {
    let path = distances_path(dir);
    let stored = StoredDistances {
        distance: distances.to_vec(),
        bits: distances.iter().map(|d| d.to_bits()).collect(),
    };
    let text = serde_json::to_string(&stored).map_err(|e| FitError::Write {
        path: path.clone(),
        detail: e.to_string(),
    })?;
    write_text(&path, &(text + "\n")).map(|_| ())
}

/// Writes `text` to `path` unless the same text is already there.
pub(super) fn write_text(path: &Path, text: &str) -> Result<PathBuf, FitError> {
    let staged = staging(path);
    std::fs::write(&staged, text).map_err(|e| FitError::Write {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })?;
    publish(&staged, path)?;
    Ok(path.to_path_buf())
}

/// Moves a staged file into place without ever replacing one: a hard link
/// creates `path` only if it is absent (so shards that finish together
/// cannot overwrite each other); an existing file with the same bytes is
/// kept, one with other bytes is an error. The staged file is removed.
pub(super) fn publish(staged: &Path, path: &Path) -> Result<(), FitError> {
    let linked = std::fs::hard_link(staged, path);
    let outcome = match linked {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            if std::fs::read(path).ok() == std::fs::read(staged).ok() {
                Ok(())
            } else {
                Err(FitError::Exists {
                    path: path.to_path_buf(),
                })
            }
        }
        Err(error) => Err(FitError::Write {
            path: path.to_path_buf(),
            detail: error.to_string(),
        }),
    };
    let _ = std::fs::remove_file(staged);
    outcome
}

/// A staging name beside `path`, private to this process.
pub(super) fn staging(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "fit".to_string(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.{}.new", std::process::id()))
}
