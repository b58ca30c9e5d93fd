//! A published run's `manifest.json`: what the run is (scenario, seed,
//! configuration) and every file it holds, with its rows, length and digest,
//! so that a copy can be checked against it ([`verify_run`]).
//!
//! The runner writes it when it publishes a run; `moatsim verify`, `sweep
//! status` and the reader of tables check files against it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::digest::{DIGEST_ALGORITHM, Damage, FileDigest, check_file};

/// The file a published run's manifest is written to.
pub const MANIFEST: &str = "manifest.json";

/// `manifest.json`, field by field.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub moatsim_version: String,
    pub schema_version: u32,
    pub scenario: String,
    pub seed: u64,
    pub config_hash: String,
    pub start: String,
    pub end: String,
    pub quarters: u32,
    /// How the files' digests were made ([`DIGEST_ALGORITHM`]); absent in
    /// manifests written before moatsim recorded digests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest_algorithm: Option<String>,
    pub tables: Vec<ManifestTable>,
    pub config: serde_json::Value,
}

/// One table file of a run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestTable {
    pub name: String,
    pub file: String,
    pub rows: u64,
    /// Its length and hash when published.
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<FileDigest>,
}

/// Why a manifest could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is damaged or not a moatsim manifest: {source}", path.display())]
    Parse {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
}

impl Manifest {
    /// Reads the manifest of the run in `dir`.
    pub fn read(dir: &Path) -> Result<Self, ManifestError> {
        let path = dir.join(MANIFEST);
        let text = std::fs::read_to_string(&path).map_err(|source| ManifestError::Read {
            path: path.clone(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|source| ManifestError::Parse { path, source })
    }

    /// The recorded digest of `file`, if the manifest lists it with one.
    pub fn digest_of(&self, file: &str) -> Option<&FileDigest> {
        self.tables
            .iter()
            .find(|t| t.file == file)
            .and_then(|t| t.digest.as_ref())
            .filter(|_| self.digest_algorithm.as_deref() == Some(DIGEST_ALGORITHM))
    }
}

/// What is wrong with one file of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileProblem {
    /// The file's name inside the run folder.
    pub file: String,
    /// In words: `missing`, `truncated: …`, `altered: …`, `not in the
    /// manifest`, …
    pub problem: String,
}

/// The verdict on one run folder.
#[derive(Debug, Clone, Serialize)]
pub struct RunCheck {
    pub run: PathBuf,
    /// Files the manifest lists and that were checked.
    pub files: usize,
    /// Their bytes.
    pub bytes: u64,
    /// Empty when every file is as it was published.
    pub problems: Vec<FileProblem>,
}

impl RunCheck {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks a published run folder against its manifest: every listed file is
/// there with the length and digest it was published with, and nothing else
/// is. A manifest without digests (from an earlier moatsim) cannot vouch for
/// its files, and says so.
pub fn verify_run(dir: &Path) -> RunCheck {
    let mut check = RunCheck {
        run: dir.to_path_buf(),
        files: 0,
        bytes: 0,
        problems: Vec::new(),
    };
    let mut problem = |file: &str, problem: String| {
        check.problems.push(FileProblem {
            file: file.to_string(),
            problem,
        });
    };
    let manifest = match Manifest::read(dir) {
        Ok(manifest) => manifest,
        Err(error) => {
            problem(MANIFEST, error.to_string());
            return check;
        }
    };
    let digested = manifest.digest_algorithm.as_deref() == Some(DIGEST_ALGORITHM);
    if !digested {
        problem(
            MANIFEST,
            format!(
                "records no {DIGEST_ALGORITHM} digests (written by an earlier moatsim): its files cannot be checked; rerun it to publish them with digests"
            ),
        );
    }
    let mut problems = Vec::new();
    let mut files = 0;
    let mut bytes = 0;
    for table in &manifest.tables {
        let path = dir.join(&table.file);
        match table.digest.as_ref().filter(|_| digested) {
            Some(digest) => {
                files += 1;
                bytes += digest.bytes;
                if let Err(damage) = check_file(&path, digest) {
                    problems.push((table.file.clone(), damage.to_string()));
                }
            }
            None if digested => problems.push((table.file.clone(), "no digest recorded".into())),
            None => {
                if !path.is_file() {
                    problems.push((table.file.clone(), Damage::Missing.to_string()));
                }
            }
        }
    }
    for extra in extra_files(dir, &manifest) {
        problems.push((extra, "not in the manifest".into()));
    }
    for (file, what) in problems {
        problem(&file, what);
    }
    check.files = files;
    check.bytes = bytes;
    check
}

/// Entries of the run folder the manifest does not list (a folder's name
/// ends in `/`), in name order.
fn extra_files(dir: &Path, manifest: &Manifest) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut extra: Vec<String> = entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let listed = name == MANIFEST || manifest.tables.iter().any(|t| t.file == name);
            let folder = entry.file_type().is_ok_and(|t| t.is_dir());
            (!listed).then(|| if folder { format!("{name}/") } else { name })
        })
        .collect();
    extra.sort();
    extra
}

/// The digest `manifest.json` beside `path` records for it, if there is such
/// a manifest and it lists the file with a digest.
pub fn recorded_digest(path: &Path) -> Option<FileDigest> {
    let dir = path.parent()?;
    let file = path.file_name()?.to_str()?;
    if !dir.join(MANIFEST).is_file() {
        return None;
    }
    Manifest::read(dir).ok()?.digest_of(file).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::digest_bytes;

    fn publish(dir: &Path, files: &[(&str, &[u8])]) {
        let mut tables = Vec::new();
        for (name, bytes) in files {
            std::fs::write(dir.join(name), bytes).expect("write");
            tables.push(ManifestTable {
                name: name.trim_end_matches(".parquet").to_string(),
                file: (*name).to_string(),
                rows: 1,
                digest: Some(digest_bytes(bytes)),
            });
        }
        let manifest = Manifest {
            moatsim_version: "0".into(),
            schema_version: 0,
            scenario: "s".into(),
            seed: 1,
            config_hash: "h".into(),
            start: "2025Q1".into(),
            end: "2025Q4".into(),
            quarters: 4,
            digest_algorithm: Some(DIGEST_ALGORITHM.into()),
            tables,
            config: serde_json::Value::Null,
        };
        let text = serde_json::to_string_pretty(&manifest).expect("json");
        std::fs::write(dir.join(MANIFEST), text).expect("manifest");
    }

    #[test]
    fn a_run_as_published_verifies_and_each_damage_is_named() {
        let dir = tempfile::tempdir().expect("temp dir");
        let labs = vec![3u8; 1000];
        publish(
            dir.path(),
            &[("labs.parquet", &labs), ("world.parquet", b"w")],
        );
        let check = verify_run(dir.path());
        assert!(check.ok(), "{:?}", check.problems);
        assert_eq!((check.files, check.bytes), (2, 1001));
        assert_eq!(
            recorded_digest(&dir.path().join("labs.parquet")),
            Some(digest_bytes(&labs))
        );

        let mut flipped = labs.clone();
        flipped[500] ^= 0x10;
        std::fs::write(dir.path().join("labs.parquet"), &flipped).expect("flip");
        std::fs::remove_file(dir.path().join("world.parquet")).expect("remove");
        std::fs::write(dir.path().join("stray.parquet"), b"x").expect("extra");
        std::fs::create_dir(dir.path().join("checkpoint")).expect("folder");
        let check = verify_run(dir.path());
        let found: Vec<(&str, &str)> = check
            .problems
            .iter()
            .map(|p| (p.file.as_str(), p.problem.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "labs.parquet",
                    "altered: its bytes differ from those written"
                ),
                ("world.parquet", "missing"),
                ("checkpoint/", "not in the manifest"),
                ("stray.parquet", "not in the manifest"),
            ]
        );
    }

    #[test]
    fn a_damaged_or_undigested_manifest_is_a_problem_not_a_pass() {
        let dir = tempfile::tempdir().expect("temp dir");
        publish(dir.path(), &[("labs.parquet", b"l")]);
        let path = dir.path().join(MANIFEST);
        let text = std::fs::read_to_string(&path).expect("read");
        let old = text.replace("\"digest_algorithm\": \"xxh3-128\",", "");
        std::fs::write(&path, old).expect("write");
        let check = verify_run(dir.path());
        assert!(!check.ok());
        assert!(
            check.problems[0]
                .problem
                .contains("records no xxh3-128 digests")
        );

        std::fs::write(&path, &text[..text.len() / 2]).expect("truncate");
        let check = verify_run(dir.path());
        assert_eq!(check.problems.len(), 1);
        assert!(
            check.problems[0]
                .problem
                .contains("is damaged or not a moatsim manifest")
        );
    }
}
