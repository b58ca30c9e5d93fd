//! The calibration report: a finished run against the published `target`
//! figures the project keeps in `docs/calibration/published-figures.csv`.
//!
//! The report informs; it is not a test to tune against. Each target the model
//! can speak to has a measure computed from the run's tables with the window
//! and method written next to it. A figure published as a single number
//! (low = high) counts as landed within ±10%.

use std::path::{Path, PathBuf};

use moatsim_output::reader::{ReadError, read_columns};
use serde::Serialize;

/// The project's copy of the published figures, compiled in so the report
/// never depends on the working directory.
pub const PUBLISHED_FIGURES_CSV: &str =
    include_str!("../../../docs/calibration/published-figures.csv");

/// Tolerance around a figure published as a single number.
const POINT_TOLERANCE: f64 = 0.10;

#[derive(Debug, thiserror::Error)]
pub enum CalibrateError {
    #[error(
        "{} is not a run folder: it has no manifest.json (give a folder such as outputs/scenario=baseline/seed=42)",
        path.display()
    )]
    NotARun { path: PathBuf },
    #[error("cannot read {}: {detail}", path.display())]
    Manifest { path: PathBuf, detail: String },
    #[error(transparent)]
    Table(#[from] ReadError),
    #[error("the published figures are malformed at line {line}: {detail}")]
    Figures { line: usize, detail: String },
}

/// One published figure.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub name: String,
    pub low: f64,
    pub high: f64,
    pub unit: String,
    pub period: String,
    pub class: String,
    pub source: String,
}

/// One line of the report.
#[derive(Debug, Clone, Serialize)]
pub struct TargetCheck {
    pub figure: Figure,
    /// `None` when the model has no measure for this figure or the run is too
    /// short to compute it.
    pub simulated: Option<f64>,
    pub inside: Option<bool>,
    /// How the simulated value is computed from the run.
    pub method: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CalibrationReport {
    pub run_dir: PathBuf,
    pub scenario: String,
    pub seed: u64,
    pub start: String,
    pub end: String,
    pub checks: Vec<TargetCheck>,
}

impl CalibrationReport {
    /// A plain-text table, one target per line.
    pub fn render(&self) -> String {
        let mut out = format!(
            "calibration of {} ({}, seed {}, {} to {})\n\n",
            self.run_dir.display(),
            self.scenario,
            self.seed,
            self.start,
            self.end
        );
        out.push_str(&format!(
            "{:<42} {:>10} {:>15}  {:<8} {}\n",
            "target", "simulated", "published", "inside", "unit"
        ));
        for check in &self.checks {
            let f = &check.figure;
            let published = if (f.low - f.high).abs() <= f64::EPSILON * f.high.abs().max(1.0) {
                format!("{} ±10%", short(f.low))
            } else {
                format!("{}–{}", short(f.low), short(f.high))
            };
            let simulated = check.simulated.map_or("n/a".to_string(), short);
            let inside = match check.inside {
                Some(true) => "yes",
                Some(false) => "no",
                None => "n/a",
            };
            out.push_str(&format!(
                "{:<42} {:>10} {:>15}  {:<8} {}\n",
                f.name, simulated, published, inside, f.unit
            ));
        }
        out.push_str("\nhow each value is computed:\n");
        for check in &self.checks {
            out.push_str(&format!("  {}: {}\n", check.figure.name, check.method));
        }
        let landed = self
            .checks
            .iter()
            .filter(|c| c.inside == Some(true))
            .count();
        let measured = self.checks.iter().filter(|c| c.inside.is_some()).count();
        out.push_str(&format!(
            "\n{landed} of {measured} measured targets land inside the published range.\n"
        ));
        out
    }
}

fn short(value: f64) -> String {
    if value.abs() >= 100.0 {
        format!("{value:.0}")
    } else if value.abs() >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

/// Parses the published-figures CSV (header row, quoted fields allowed).
pub fn published_figures(csv: &str) -> Result<Vec<Figure>, CalibrateError> {
    let mut figures = Vec::new();
    for (index, line) in csv.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let fields = split_csv_line(line);
        let bad = |detail: String| CalibrateError::Figures {
            line: index + 1,
            detail,
        };
        if fields.len() < 7 {
            return Err(bad(format!("{} fields, expected 7", fields.len())));
        }
        let number = |text: &str| {
            text.trim()
                .parse::<f64>()
                .map_err(|_| bad(format!("{text:?} is not a number")))
        };
        figures.push(Figure {
            name: fields[0].clone(),
            low: number(&fields[1])?,
            high: number(&fields[2])?,
            unit: fields[3].clone(),
            period: fields[4].clone(),
            class: fields[5].clone(),
            source: fields[6].clone(),
        });
    }
    Ok(figures)
}

fn split_csv_line(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '"' if quoted && chars.peek() == Some(&'"') => {
                current.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut current)),
            _ => current.push(ch),
        }
    }
    fields.push(current);
    fields
}

/// The run's tables as the measures need them.
struct RunData {
    world_tick: Vec<f64>,
    fixed_capability_price_index: Vec<f64>,
    dc_energy_twh: Vec<f64>,
    chip_year: Vec<f64>,
    chip_revenue: Vec<f64>,
    chip_gross_margin: Vec<f64>,
    lab_tick: Vec<f64>,
    lab_training: Vec<f64>,
}

/// Reads a finished run and checks it against every `target` figure.
pub fn calibrate(run_dir: &Path) -> Result<CalibrationReport, CalibrateError> {
    let manifest_path = run_dir.join("manifest.json");
    if !manifest_path.is_file() {
        return Err(CalibrateError::NotARun {
            path: run_dir.to_path_buf(),
        });
    }
    let manifest_error = |detail: String| CalibrateError::Manifest {
        path: manifest_path.clone(),
        detail,
    };
    let text =
        std::fs::read_to_string(&manifest_path).map_err(|e| manifest_error(e.to_string()))?;
    let manifest: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| manifest_error(e.to_string()))?;
    let field = |name: &str| {
        manifest
            .get(name)
            .cloned()
            .ok_or_else(|| manifest_error(format!("no `{name}` field")))
    };
    let scenario = field("scenario")?.as_str().unwrap_or_default().to_string();
    let seed = field("seed")?.as_u64().unwrap_or_default();
    let start = field("start")?.as_str().unwrap_or_default().to_string();
    let end = field("end")?.as_str().unwrap_or_default().to_string();

    let world = read_columns(
        &run_dir.join("world.parquet"),
        &[
            "tick",
            "fixed_capability_price_index",
            "dc_energy_twh_annualised",
        ],
        &[],
    )?;
    let chips = read_columns(
        &run_dir.join("chipmakers.parquet"),
        &["year", "revenue", "gross_margin"],
        &[],
    )?;
    let labs = read_columns(
        &run_dir.join("labs.parquet"),
        &["tick", "training_compute_h100e"],
        &[],
    )?;
    let data = RunData {
        world_tick: world.numbers("tick").to_vec(),
        fixed_capability_price_index: world.numbers("fixed_capability_price_index").to_vec(),
        dc_energy_twh: world.numbers("dc_energy_twh_annualised").to_vec(),
        chip_year: chips.numbers("year").to_vec(),
        chip_revenue: chips.numbers("revenue").to_vec(),
        chip_gross_margin: chips.numbers("gross_margin").to_vec(),
        lab_tick: labs.numbers("tick").to_vec(),
        lab_training: labs.numbers("training_compute_h100e").to_vec(),
    };
    let checks = published_figures(PUBLISHED_FIGURES_CSV)?
        .into_iter()
        .filter(|f| f.class == "target")
        .map(|figure| {
            let (simulated, method) = measure(&figure.name, &data);
            let inside = simulated.map(|value| lands_inside(value, figure.low, figure.high));
            TargetCheck {
                figure,
                simulated,
                inside,
                method,
            }
        })
        .collect();
    Ok(CalibrationReport {
        run_dir: run_dir.to_path_buf(),
        scenario,
        seed,
        start,
        end,
        checks,
    })
}

/// Inside `[low, high]`, or within ±10% of a single published number.
pub fn lands_inside(value: f64, low: f64, high: f64) -> bool {
    if (high - low).abs() <= f64::EPSILON * high.abs().max(1.0) {
        (value - low).abs() <= POINT_TOLERANCE * low.abs()
    } else {
        value >= low && value <= high
    }
}

/// Growth from the mean of the first four quarters to the mean of the last four,
/// expressed over `years` years. `None` for runs shorter than two years.
fn growth_over(series: &[f64], years: f64) -> Option<f64> {
    if series.len() < 8 {
        return None;
    }
    let first = series[..4].iter().sum::<f64>() / 4.0;
    let last = series[series.len() - 4..].iter().sum::<f64>() / 4.0;
    let span_years = (series.len() - 4) as f64 / 4.0;
    (first > 0.0 && last > 0.0).then(|| (last / first).powf(years / span_years))
}

fn measure(name: &str, data: &RunData) -> (Option<f64>, String) {
    match name {
        "chipmaker_gross_margin" => {
            // The figure covers FY2024–FY2026: use the run's quarters up to 2026.
            let rows: Vec<usize> = (0..data.chip_year.len())
                .filter(|&i| data.chip_year[i] <= 2026.0)
                .collect();
            let revenue: f64 = rows.iter().map(|&i| data.chip_revenue[i]).sum();
            let weighted: f64 = rows
                .iter()
                .map(|&i| data.chip_gross_margin[i] * data.chip_revenue[i])
                .filter(|v| v.is_finite())
                .sum();
            (
                (revenue > 0.0).then(|| weighted / revenue),
                "revenue-weighted gross margin of all chipmakers, quarters up to 2026 (chipmakers.gross_margin, revenue)".into(),
            )
        }
        "inference_price_decline_fixed_capability" => {
            let index = &data.fixed_capability_price_index;
            let quarters = data.world_tick.len();
            let value = match (index.first(), index.last()) {
                (Some(&first), Some(&last)) if quarters >= 2 && last > 0.0 => {
                    Some((first / last).powf(4.0 / (quarters - 1) as f64))
                }
                _ => None,
            };
            (
                value,
                "first over last world.fixed_capability_price_index, annualised (x cheaper per year)".into(),
            )
        }
        "ai_dc_electricity_growth_2025_2030" => (
            growth_over(&data.dc_energy_twh, 5.0),
            "world.dc_energy_twh_annualised, mean of the last four quarters over the first four, scaled to five years".into(),
        ),
        "frontier_training_compute_growth" => {
            let ticks = data.world_tick.len();
            let mut frontier = vec![0.0_f64; ticks];
            for (i, &tick) in data.lab_tick.iter().enumerate() {
                let t = tick as usize;
                if t < ticks {
                    frontier[t] = frontier[t].max(data.lab_training[i]);
                }
            }
            (
                growth_over(&frontier, 1.0),
                "the largest labs.training_compute_h100e each quarter, mean of the last four quarters over the first four, per year".into(),
            )
        }
        _ => (None, "the model has no measure for this figure".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_figures_parse_with_quoted_sources() {
        let figures = published_figures(PUBLISHED_FIGURES_CSV).expect("parses");
        assert!(figures.len() > 40);
        let h100 = figures
            .iter()
            .find(|f| f.name == "h100_street_price")
            .expect("row");
        assert!(h100.source.contains("over $30,000"));
        assert!(figures.iter().filter(|f| f.class == "target").count() >= 4);
    }

    #[test]
    fn a_point_figure_lands_within_ten_percent() {
        assert!(lands_inside(3.2, 3.0, 3.0));
        assert!(!lands_inside(3.5, 3.0, 3.0));
        assert!(lands_inside(0.6, 0.6, 0.78));
        assert!(!lands_inside(0.59, 0.6, 0.78));
    }

    #[test]
    fn growth_is_scaled_to_the_years_asked() {
        // Doubling every year over five years of quarterly data.
        let series: Vec<f64> = (0..24).map(|q| 2f64.powf(f64::from(q) / 4.0)).collect();
        let per_year = growth_over(&series, 1.0).expect("long enough");
        assert!((per_year - 2.0).abs() < 1e-9);
        assert!(growth_over(&series[..6], 1.0).is_none());
    }
}
