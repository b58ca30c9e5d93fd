//! Reading finished runs back for people: the headline indicators of a run
//! (one number each, documented in `docs/ANALYSIS.md`), the comparison of
//! two scenarios paired by seed, and the HTML report with its charts.
//!
//! Everything here reads the published Parquet tables and the manifest; no
//! simulation code is involved, so a report on yesterday's runs reads exactly
//! what was written.

pub mod chart;
pub mod claims;
pub mod compare;
pub mod custom;
pub mod explore;
pub mod fit;
pub mod indicators;
pub mod moat;
pub mod report;
pub mod runs;
pub mod sensitivity;
pub mod series;
pub mod stats;

pub use compare::{Comparison, IndicatorDifference, compare};
pub use indicators::{INDICATORS, Indicator, RunIndicators, run_indicators};
pub use report::{CalibrationBanner, CalibrationRow, read_report, render_html, write_report};
pub use runs::{RunRef, discover, run_folders};

use std::path::{Path, PathBuf};

use moatsim_output::runs::{RunsColumn, write_runs_table};

/// Writes a table of columns the analysis made (indices, an ensemble, its
/// claims and boxes) atomically, a failure worded with the file's path.
pub(crate) fn write_table(
    path: &Path,
    columns: &[(String, RunsColumn)],
) -> Result<(), AnalysisError> {
    write_runs_table(path, columns).map_err(|e| AnalysisError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    })
}

#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    #[error("{}: no finished run there (a run folder holds manifest.json; give a run, a scenario folder, an outputs folder or a sweep folder)", path.display())]
    NoRuns { path: PathBuf },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: unreadable manifest: {detail}", path.display())]
    Manifest { path: PathBuf, detail: String },
    #[error(transparent)]
    Read(#[from] moatsim_output::reader::ReadError),
    #[error(
        "no seed is in both sets: {a} has seeds {a_seeds:?}, {b} has seeds {b_seeds:?}; compare runs of the same seeds"
    )]
    NoCommonSeeds {
        a: String,
        b: String,
        a_seeds: Vec<u64>,
        b_seeds: Vec<u64>,
    },
    #[error(
        "{what} holds runs of more than one scenario ({scenarios}); give one scenario's folder"
    )]
    MixedScenarios { what: String, scenarios: String },
    #[error("{}: {detail}", path.display())]
    Outputs { path: PathBuf, detail: String },
    #[error("cannot draw a chart: {detail}")]
    Chart { detail: String },
    #[error("{} exists; give another --out or add --force to replace it", path.display())]
    Exists { path: PathBuf },
}
