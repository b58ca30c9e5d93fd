//! Sensitivity indices of the headline indicators from a sweep's design:
//! each design point's indicator is the mean over its seeds, then the
//! Morris or Sobol estimator of `moatsim-sensitivity` runs on those means.

use std::collections::BTreeMap;
use std::path::Path;

use moatsim_output::runs::RunsColumn;
use moatsim_sensitivity::{morris, sobol};

use crate::AnalysisError;
use crate::compare::short;
use crate::indicators::{INDICATORS, RunIndicators};

/// Which estimator a design calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Morris { levels: u32 },
    Sobol,
}

/// A sweep's sensitivity design, as the estimators need it.
#[derive(Debug, Clone)]
pub struct DesignInput {
    pub method: Method,
    pub parameters: Vec<String>,
    /// Row `i` is design point `i`, in the unit hypercube.
    pub unit_rows: Vec<Vec<f64>>,
}

/// One index of one parameter for one indicator: a row of
/// `sensitivity.parquet`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IndexRow {
    pub parameter: String,
    pub indicator: String,
    pub method: &'static str,
    /// `mu_star`, `mu` or `sigma` (Morris); `S1` or `ST` (Sobol).
    pub index: &'static str,
    pub value: f64,
    /// 95% bootstrap interval, where the index has one.
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
}

/// The indices, and the indicators left out (undefined at some point).
#[derive(Debug, Clone, Default)]
pub struct Indices {
    pub rows: Vec<IndexRow>,
    pub skipped: Vec<String>,
}

/// Estimates every indicator's indices from the runs, each given with its
/// design point: an indicator's output at a point is the mean over the
/// point's runs (seeds). `seed` fixes the bootstrap resamples.
pub fn estimate(design: &DesignInput, runs: &[(usize, RunIndicators)], seed: u64) -> Indices {
    let points = design.unit_rows.len();
    let mut outputs = Vec::new();
    let mut skipped = Vec::new();
    for (k, indicator) in INDICATORS.iter().enumerate() {
        let mut sums: BTreeMap<usize, (f64, usize)> = BTreeMap::new();
        for (point, run) in runs {
            if let Some(value) = run.values.get(k).copied().flatten() {
                let entry = sums.entry(*point).or_default();
                entry.0 += value;
                entry.1 += 1;
            }
        }
        let means: Vec<f64> = (0..points)
            .filter_map(|p| sums.get(&p).map(|(sum, n)| sum / *n as f64))
            .collect();
        if means.len() < points {
            skipped.push(format!(
                "{}: undefined at {} of {points} design points",
                indicator.name,
                points - means.len()
            ));
        } else {
            outputs.push((indicator.name.to_string(), means));
        }
    }
    let mut indices = estimate_outputs(design, &outputs, seed);
    indices.skipped.extend(skipped);
    indices
}

/// Estimates the indices of named outputs given at every design point, in
/// design order (for example outputs computed outside moatsim on the
/// design's points).
pub fn estimate_outputs(
    design: &DesignInput,
    outputs: &[(String, Vec<f64>)],
    seed: u64,
) -> Indices {
    let mut out = Indices::default();
    for (name, values) in outputs {
        if values.len() != design.unit_rows.len() || values.iter().any(|v| !v.is_finite()) {
            out.skipped.push(format!(
                "{name}: {} finite values for {} design points",
                values.iter().filter(|v| v.is_finite()).count(),
                design.unit_rows.len()
            ));
            continue;
        }
        match design.method {
            Method::Morris { levels } => {
                for (parameter, m) in design.parameters.iter().zip(morris::analyze(
                    &design.unit_rows,
                    values,
                    levels,
                    seed,
                )) {
                    let row = |index, value, ci: Option<(f64, f64)>| IndexRow {
                        parameter: parameter.clone(),
                        indicator: name.clone(),
                        method: "morris",
                        index,
                        value,
                        ci_low: ci.map(|c| c.0),
                        ci_high: ci.map(|c| c.1),
                    };
                    out.rows.push(row(
                        "mu_star",
                        m.mu_star.value,
                        Some((m.mu_star.ci_low, m.mu_star.ci_high)),
                    ));
                    out.rows.push(row("mu", m.mu, None));
                    out.rows.push(row("sigma", m.sigma, None));
                }
            }
            Method::Sobol => {
                for (parameter, s) in design.parameters.iter().zip(sobol::analyze(
                    design.parameters.len(),
                    values,
                    seed,
                )) {
                    for (index, e) in [("S1", s.s1), ("ST", s.st)] {
                        out.rows.push(IndexRow {
                            parameter: parameter.clone(),
                            indicator: name.clone(),
                            method: "sobol",
                            index,
                            value: e.value,
                            ci_low: Some(e.ci_low),
                            ci_high: Some(e.ci_high),
                        });
                    }
                }
            }
        }
    }
    out
}

/// Reads outputs per design point from a CSV file: a header with
/// `design_point` and one column per output, then one row per design point.
pub fn read_outputs_csv(
    path: &Path,
    points: usize,
) -> Result<Vec<(String, Vec<f64>)>, AnalysisError> {
    let bad = |detail: String| AnalysisError::Outputs {
        path: path.to_path_buf(),
        detail,
    };
    let text = std::fs::read_to_string(path).map_err(|source| AnalysisError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<String> = lines
        .next()
        .ok_or_else(|| bad("is empty; allowed: a header `design_point,<output>,...` and one row per design point".into()))?
        .split(',')
        .map(|c| c.trim().to_string())
        .collect();
    if header.first().map(String::as_str) != Some("design_point") || header.len() < 2 {
        return Err(bad(format!(
            "has header {header:?}; allowed: `design_point` first, then one column per output"
        )));
    }
    let mut columns: Vec<Vec<Option<f64>>> = vec![vec![None; points]; header.len() - 1];
    for (number, line) in lines.enumerate() {
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        let point: usize = cells
            .first()
            .and_then(|c| c.parse().ok())
            .filter(|p| *p < points)
            .ok_or_else(|| {
                bad(format!(
                    "row {}: design_point must be 0 to {}",
                    number + 2,
                    points - 1
                ))
            })?;
        for (column, cell) in columns.iter_mut().zip(&cells[1..]) {
            column[point] = Some(
                cell.parse()
                    .map_err(|_| bad(format!("row {}: `{cell}` is not a number", number + 2)))?,
            );
        }
    }
    header[1..]
        .iter()
        .zip(columns)
        .map(|(name, column)| {
            let values: Option<Vec<f64>> = column.into_iter().collect();
            values
                .map(|v| (name.clone(), v))
                .ok_or_else(|| bad(format!("output `{name}` is missing at some design point")))
        })
        .collect()
}

/// Writes the indices to `path` (atomically, through a temporary file).
pub fn write_indices(path: &Path, rows: &[IndexRow]) -> Result<(), AnalysisError> {
    let text = |f: fn(&IndexRow) -> String| RunsColumn::Text(rows.iter().map(f).collect());
    let number = |f: fn(&IndexRow) -> Option<f64>| RunsColumn::Number(rows.iter().map(f).collect());
    let columns = vec![
        ("parameter".to_string(), text(|r| r.parameter.clone())),
        ("indicator".to_string(), text(|r| r.indicator.clone())),
        ("method".to_string(), text(|r| r.method.to_string())),
        ("index".to_string(), text(|r| r.index.to_string())),
        ("value".to_string(), number(|r| Some(r.value))),
        ("ci_low".to_string(), number(|r| r.ci_low)),
        ("ci_high".to_string(), number(|r| r.ci_high)),
    ];
    crate::write_table(path, &columns)
}

/// For each indicator, the parameters ranked by their main index (μ* for
/// Morris, ST for Sobol), one line each.
pub fn render(indices: &Indices) -> String {
    let mut out = String::new();
    let mut names: Vec<&str> = Vec::new();
    for row in &indices.rows {
        if !names.contains(&row.indicator.as_str()) {
            names.push(&row.indicator);
        }
    }
    for indicator in names {
        let mut main: Vec<&IndexRow> = indices
            .rows
            .iter()
            .filter(|r| r.indicator == indicator && (r.index == "mu_star" || r.index == "ST"))
            .collect();
        if main.is_empty() {
            continue;
        }
        main.sort_by(|a, b| b.value.total_cmp(&a.value));
        let unit = INDICATORS
            .iter()
            .find(|i| i.name == indicator)
            .map_or(String::new(), |i| format!("{}, ", i.unit));
        out += &format!("{indicator} ({unit}by {}):\n", main[0].index);
        for row in main {
            out += &format!(
                "  {:<44} {:>10}  [{}, {}]\n",
                row.parameter,
                short(row.value),
                row.ci_low.map_or_else(|| "–".into(), short),
                row.ci_high.map_or_else(|| "–".into(), short)
            );
        }
    }
    for skipped in &indices.skipped {
        out += &format!("skipped {skipped}\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runs::RunRef;

    fn run(point: usize, seed: u64, first: f64) -> (usize, RunIndicators) {
        let mut values = vec![None; INDICATORS.len()];
        values[0] = Some(first);
        (
            point,
            RunIndicators {
                run: RunRef {
                    dir: "/r".into(),
                    scenario: "s".into(),
                    seed,
                    run_id: None,
                },
                values,
            },
        )
    }

    #[test]
    fn seeds_are_averaged_per_point_and_undefined_indicators_skipped() {
        let rows = morris::design(2, 3, 4, 1);
        let design = DesignInput {
            method: Method::Morris { levels: 4 },
            parameters: vec!["a".into(), "b".into()],
            unit_rows: rows.clone(),
        };
        // Indicator 0 = 5·a, split over two seeds as 5a ± 1.
        let runs: Vec<_> = rows
            .iter()
            .enumerate()
            .flat_map(|(p, r)| [run(p, 1, 5.0 * r[0] + 1.0), run(p, 2, 5.0 * r[0] - 1.0)])
            .collect();
        let indices = estimate(&design, &runs, 3);
        let mu_star = |parameter: &str| {
            indices
                .rows
                .iter()
                .find(|r| r.parameter == parameter && r.index == "mu_star")
                .map(|r| r.value)
        };
        assert!((mu_star("a").expect("a") - 5.0).abs() < 1e-9);
        assert!(mu_star("b").expect("b").abs() < 1e-9);
        assert_eq!(
            indices.skipped.len(),
            INDICATORS.len() - 1,
            "only one indicator is defined"
        );
        assert!(render(&indices).contains(INDICATORS[0].name));
    }
}
