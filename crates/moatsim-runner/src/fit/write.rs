//! What a finished fit writes into its folder: `fit.parquet`, `fitted.toml`,
//! `scorecard.parquet` and `scorecard.txt`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use moatsim_config::fit::FitSpec;
use moatsim_output::runs::{RunsColumn, write_runs_table};

use super::folder::{publish, staging, write_text};
use super::{FitError, FitResult};
use crate::calibrate::lands_inside;

/// Writes `fit.parquet`, `fitted.toml` and `scorecard.txt` into the fit's
/// folder. Each is written whole or not at all; an existing file with other
/// content is left alone and reported.
pub fn write_fit(
    spec: &FitSpec,
    result: &FitResult,
    out_dir: &Path,
) -> Result<Vec<PathBuf>, FitError> {
    let mut written = Vec::new();
    let columns = tried_columns(spec, result);
    written.push(write_table(&out_dir.join("fit.parquet"), &columns)?);

    let extends = relative_path(out_dir, &spec.scenario_path);
    let header = overlay_header(spec, result);
    let best: BTreeMap<String, String> = result
        .parameters
        .iter()
        .map(|p| (p.path.clone(), p.fitted.clone()))
        .collect();
    let overlay = spec
        .overlay(&extends, &best, &header)
        .map_err(|detail| FitError::Write {
            path: out_dir.join("fitted.toml"),
            detail,
        })?;
    written.push(write_text(&out_dir.join("fitted.toml"), &overlay)?);
    written.push(write_scorecards(
        result,
        &out_dir.join("scorecard.parquet"),
    )?);
    written.push(write_text(
        &out_dir.join("scorecard.txt"),
        &render_scorecards(result),
    )?);
    Ok(written)
}

/// `fit.parquet`'s columns: one row per point tried, with its generation,
/// particle, parameter values, distance, the generation's tolerance, whether
/// it was accepted and its weight.
fn tried_columns(spec: &FitSpec, result: &FitResult) -> Vec<(String, RunsColumn)> {
    let mut columns: Vec<(String, RunsColumn)> = vec![
        (
            "generation".into(),
            RunsColumn::Count(
                result
                    .tried
                    .iter()
                    .map(|t| u64::from(t.generation))
                    .collect(),
            ),
        ),
        (
            "particle".into(),
            RunsColumn::Count(result.tried.iter().map(|t| u64::from(t.particle)).collect()),
        ),
    ];
    for path in &spec.parameters {
        columns.push((
            path.clone(),
            RunsColumn::Number(
                result
                    .tried
                    .iter()
                    .map(|t| t.values[path].parse::<f64>().ok())
                    .collect(),
            ),
        ));
    }
    let tolerance: BTreeMap<u32, f64> = result
        .generations
        .iter()
        .map(|g| (g.generation, g.tolerance))
        .collect();
    columns.extend([
        (
            "distance".into(),
            RunsColumn::Number(result.tried.iter().map(|t| Some(t.distance)).collect()),
        ),
        (
            "tolerance".into(),
            RunsColumn::Number(
                result
                    .tried
                    .iter()
                    .map(|t| tolerance.get(&t.generation).copied())
                    .collect(),
            ),
        ),
        (
            "accepted".into(),
            RunsColumn::Count(
                result
                    .tried
                    .iter()
                    .map(|t| u64::from(t.weight.is_some()))
                    .collect(),
            ),
        ),
        (
            "weight".into(),
            RunsColumn::Number(result.tried.iter().map(|t| t.weight).collect()),
        ),
    ]);
    columns
}

/// The comment `fitted.toml` starts with: how it was fitted, to which
/// targets, and how close the scenario and the best point came.
fn overlay_header(spec: &FitSpec, result: &FitResult) -> String {
    format!(
        "# Fitted by `moatsim calibrate --fit {}` (ABC-SMC, {} generations of {} points at seeds {:?}).\n\
         # Distance to the targets {}{} (keeping in: {}): {:.4} before, {:.4} after.\n\
         # A fit tunes assumptions; a target only a value far from its source reaches\n\
         # points at a missing mechanism (docs/CALIBRATION.md, \"Fitting\").\n",
        spec.spec_path.display(),
        result.generations.len(),
        spec.particles,
        spec.seeds,
        result.targets.join(", "),
        if spec.target_ranges.is_empty() {
            String::new()
        } else {
            format!(
                " (with ranges {})",
                spec.target_ranges
                    .iter()
                    .map(|(t, [l, h])| format!("{t} = [{l}, {h}]"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
        if result.kept.is_empty() {
            "none".to_string()
        } else {
            result.kept.join(", ")
        },
        result.reference_distance,
        result.best_distance,
    )
}

/// `scorecard.parquet`: one row per stage (`before`, `after`), target and
/// seed, with the published range, the value and whether it lands inside.
fn write_scorecards(result: &FitResult, path: &Path) -> Result<PathBuf, FitError> {
    let mut stage = Vec::new();
    let mut target = Vec::new();
    let mut low = Vec::new();
    let mut high = Vec::new();
    let mut seed = Vec::new();
    let mut value = Vec::new();
    let mut inside = Vec::new();
    for (name, card) in [("before", &result.before), ("after", &result.after)] {
        for row in &card.rows {
            for (run, v) in card.runs.iter().zip(&row.values) {
                stage.push(name.to_string());
                target.push(row.name.clone());
                low.push(Some(row.low));
                high.push(Some(row.high));
                seed.push(run.seed);
                value.push(*v);
                inside.push(u64::from(
                    v.is_some_and(|v| lands_inside(v, row.low, row.high)),
                ));
            }
        }
    }
    let columns = vec![
        ("stage".to_string(), RunsColumn::Text(stage)),
        ("target".to_string(), RunsColumn::Text(target)),
        ("low".to_string(), RunsColumn::Number(low)),
        ("high".to_string(), RunsColumn::Number(high)),
        ("seed".to_string(), RunsColumn::Count(seed)),
        ("value".to_string(), RunsColumn::Number(value)),
        ("inside".to_string(), RunsColumn::Count(inside)),
    ];
    write_table(path, &columns)
}

/// Writes a table to `path` as [`write_text`] writes text: whole, and only
/// where no other table is.
fn write_table(path: &Path, columns: &[(String, RunsColumn)]) -> Result<PathBuf, FitError> {
    let staged = staging(path);
    write_runs_table(&staged, columns).map_err(|e| FitError::Write {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })?;
    publish(&staged, path)?;
    Ok(path.to_path_buf())
}

/// The scorecard before and after, as text.
pub fn render_scorecards(result: &FitResult) -> String {
    format!(
        "before the fit (the scenario as it stands):\n{}\nafter the fit (generation {}, particle {}):\n{}",
        result.before.render(),
        result.best_generation,
        result.best_particle,
        result.after.render()
    )
}

/// `to` relative to the folder `from`, when both resolve; else `to` as given.
fn relative_path(from: &Path, to: &Path) -> String {
    let (Ok(from), Ok(to)) = (std::fs::canonicalize(from), std::fs::canonicalize(to)) else {
        return to.display().to_string();
    };
    let a: Vec<_> = from.components().collect();
    let b: Vec<_> = to.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..a.len() {
        out.push("..");
    }
    for part in &b[common..] {
        out.push(part);
    }
    out.display().to_string()
}
