//! A calibration fit's folder (`moatsim calibrate --fit`) read back for the
//! report: the scenario as it stood (`reference/`) and the fitted point's
//! runs as two scenarios, the tolerance schedule from `fit.parquet` and the
//! scorecard before and after from `scorecard.parquet`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use moatsim_output::reader::read_columns;

use crate::{AnalysisError, RunRef, discover};

/// One generation of the search.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerationRow {
    pub generation: u32,
    pub tolerance: f64,
    /// The smallest distance in the generation.
    pub best: f64,
    pub accepted: usize,
    pub proposed: usize,
}

/// One target before and after the fit.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetRow {
    pub target: String,
    pub low: f64,
    pub high: f64,
    /// One value per seed (`None`: not measured), in the fit's seed order.
    pub before: Vec<Option<f64>>,
    pub after: Vec<Option<f64>>,
    pub inside_before: usize,
    pub inside_after: usize,
}

/// What the report shows of a fit.
#[derive(Debug, Clone)]
pub struct FitRead {
    pub dir: PathBuf,
    /// The fit's folder name, which names its fitted scenario.
    pub name: String,
    pub generations: Vec<GenerationRow>,
    pub best_generation: u32,
    pub best_particle: u32,
    pub best_distance: f64,
    /// Every target before and after, from `scorecard.parquet`.
    pub scorecard: Vec<TargetRow>,
    /// The scenario as it stood, at every seed.
    pub reference: Vec<RunRef>,
    /// The best point's runs, labelled `<name> (fitted)`.
    pub fitted: Vec<RunRef>,
}

/// Whether `dir` is a finished fit's folder.
pub fn is_fit(dir: &Path) -> bool {
    dir.join("fit.parquet").is_file()
}

/// The label of a fit's fitted runs in the report.
pub fn fitted_label(name: &str) -> String {
    format!("{name} (fitted)")
}

/// Reads a finished fit's folder.
pub fn read_fit(dir: &Path) -> Result<FitRead, AnalysisError> {
    let table = read_columns(
        &dir.join("fit.parquet"),
        &[
            "generation",
            "particle",
            "distance",
            "tolerance",
            "accepted",
        ],
        &[],
    )?;
    let generation = table.numbers("generation");
    let particle = table.numbers("particle");
    let distance = table.numbers("distance");
    let tolerance = table.numbers("tolerance");
    let accepted = table.numbers("accepted");
    let mut generations: Vec<GenerationRow> = Vec::new();
    for i in 0..table.rows() {
        let g = generation[i] as u32;
        if generations.last().is_none_or(|row| row.generation != g) {
            generations.push(GenerationRow {
                generation: g,
                tolerance: tolerance[i],
                best: f64::INFINITY,
                accepted: 0,
                proposed: 0,
            });
        }
        if let Some(row) = generations.last_mut() {
            row.best = row.best.min(distance[i]);
            row.accepted += usize::from(accepted[i] > 0.0);
            row.proposed += 1;
        }
    }
    // The best point: smallest distance, earliest on ties (as the fit picks).
    let best = (0..table.rows())
        .min_by(|&a, &b| {
            distance[a]
                .total_cmp(&distance[b])
                .then(generation[a].total_cmp(&generation[b]))
                .then(particle[a].total_cmp(&particle[b]))
        })
        .ok_or_else(|| AnalysisError::Outputs {
            path: dir.join("fit.parquet"),
            detail: "has no points".into(),
        })?;
    let (best_generation, best_particle) = (generation[best] as u32, particle[best] as u32);
    let name = dir
        .file_name()
        .map_or_else(|| "fit".to_string(), |n| n.to_string_lossy().into_owned());

    let reference = discover(&[dir.join("reference")])?;
    let stage = dir.join(format!("generation={best_generation}"));
    let runs = read_columns(&stage.join("runs.parquet"), &["design_point"], &["run_id"])?;
    let ids: BTreeSet<&String> = runs
        .strings("run_id")
        .iter()
        .zip(runs.numbers("design_point"))
        .filter(|(_, point)| **point as u32 == best_particle)
        .map(|(id, _)| id)
        .collect();
    let fitted: Vec<RunRef> = discover(&[stage])?
        .into_iter()
        .filter(|run| run.run_id.as_ref().is_some_and(|id| ids.contains(id)))
        .map(|run| RunRef {
            scenario: fitted_label(&name),
            ..run
        })
        .collect();
    Ok(FitRead {
        dir: dir.to_path_buf(),
        name,
        generations,
        best_generation,
        best_particle,
        best_distance: distance[best],
        scorecard: read_scorecard(&dir.join("scorecard.parquet"))?,
        reference,
        fitted,
    })
}

/// `scorecard.parquet` as one row per target, in file order.
fn read_scorecard(path: &Path) -> Result<Vec<TargetRow>, AnalysisError> {
    let table = read_columns(
        path,
        &["low", "high", "value", "inside"],
        &["stage", "target"],
    )?;
    let mut rows: Vec<TargetRow> = Vec::new();
    for i in 0..table.rows() {
        let target = &table.strings("target")[i];
        let position = rows.iter().position(|r| &r.target == target);
        let row = match position {
            Some(k) => &mut rows[k],
            None => {
                rows.push(TargetRow {
                    target: target.clone(),
                    low: table.numbers("low")[i],
                    high: table.numbers("high")[i],
                    before: Vec::new(),
                    after: Vec::new(),
                    inside_before: 0,
                    inside_after: 0,
                });
                let last = rows.len() - 1;
                &mut rows[last]
            }
        };
        let value = Some(table.numbers("value")[i]).filter(|v| v.is_finite());
        let inside = usize::from(table.numbers("inside")[i] > 0.0);
        if table.strings("stage")[i] == "before" {
            row.before.push(value);
            row.inside_before += inside;
        } else {
            row.after.push(value);
            row.inside_after += inside;
        }
    }
    Ok(rows)
}
