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
            let published = published(f.low, f.high);
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

/// Several runs (typically the seeds of one scenario) against the same
/// targets, side by side: the scorecard a calibration change is judged by.
#[derive(Debug, Clone, Serialize)]
pub struct Scorecard {
    pub rows: Vec<ScorecardRow>,
    pub runs: Vec<CalibrationReport>,
}

/// One target across the runs.
#[derive(Debug, Clone, Serialize)]
pub struct ScorecardRow {
    pub name: String,
    pub low: f64,
    pub high: f64,
    pub unit: String,
    /// One value per run, in the order the runs were given.
    pub values: Vec<Option<f64>>,
    /// Runs whose value lands inside, of those with a value.
    pub inside: usize,
    pub measured: usize,
}

impl Scorecard {
    pub fn new(runs: Vec<CalibrationReport>) -> Self {
        let rows = runs
            .first()
            .map(|first| {
                first
                    .checks
                    .iter()
                    .enumerate()
                    .map(|(k, check)| {
                        let values: Vec<Option<f64>> =
                            runs.iter().map(|run| run.checks[k].simulated).collect();
                        let f = &check.figure;
                        ScorecardRow {
                            name: f.name.clone(),
                            low: f.low,
                            high: f.high,
                            unit: f.unit.clone(),
                            inside: values
                                .iter()
                                .flatten()
                                .filter(|&&v| lands_inside(v, f.low, f.high))
                                .count(),
                            measured: values.iter().flatten().count(),
                            values,
                        }
                    })
                    .collect()
            })
            // No runs, no rows: an empty scorecard is the right value.
            .unwrap_or_default();
        Self { rows, runs }
    }

    /// A plain-text table: a row per target, a column per run.
    pub fn render(&self) -> String {
        let labels: Vec<String> = self
            .runs
            .iter()
            .map(|r| format!("{} s{}", r.scenario, r.seed))
            .collect();
        let mut out = format!(
            "scorecard of {} runs: {}\n\n",
            self.runs.len(),
            labels.join(", ")
        );
        out.push_str(&format!("{:<42} {:>15}", "target", "published"));
        for run in &self.runs {
            out.push_str(&format!(" {:>10}", format!("seed {}", run.seed)));
        }
        out.push_str("  inside\n");
        for row in &self.rows {
            out.push_str(&format!(
                "{:<42} {:>15}",
                row.name,
                published(row.low, row.high)
            ));
            for value in &row.values {
                out.push_str(&format!(" {:>10}", value.map_or("n/a".to_string(), short)));
            }
            let inside = if row.measured == 0 {
                "n/a".to_string()
            } else {
                format!("{}/{}", row.inside, row.measured)
            };
            out.push_str(&format!("  {inside}\n"));
        }
        if let Some(first) = self.runs.first() {
            out.push_str("\nhow each value is computed:\n");
            for check in &first.checks {
                out.push_str(&format!("  {}: {}\n", check.figure.name, check.method));
            }
        }
        let measured = self.rows.iter().filter(|r| r.measured > 0).count();
        let everywhere = self
            .rows
            .iter()
            .filter(|r| r.measured > 0 && r.inside == r.measured && r.measured == self.runs.len())
            .count();
        out.push_str(&format!(
            "\n{everywhere} of {measured} measured targets land inside the published range at every run.\n"
        ));
        out
    }
}

/// A published range as the tables show it.
fn published(low: f64, high: f64) -> String {
    if (low - high).abs() <= f64::EPSILON * high.abs().max(1.0) {
        format!("{} ±10%", short(low))
    } else {
        format!("{}–{}", short(low), short(high))
    }
}

fn short(value: f64) -> String {
    if value.abs() >= 1e6 {
        format!("{value:.3e}")
    } else if value.abs() >= 100.0 {
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
#[derive(Default)]
struct RunData {
    world_tick: Vec<f64>,
    fixed_capability_price_index: Vec<f64>,
    dc_energy_twh: Vec<f64>,
    world_year: Vec<f64>,
    world_quarter: Vec<f64>,
    market_fleet: Vec<f64>,
    chip_name: Vec<String>,
    chip_year: Vec<f64>,
    chip_revenue: Vec<f64>,
    chip_gross_margin: Vec<f64>,
    lab_tick: Vec<f64>,
    lab_id: Vec<f64>,
    lab_year: Vec<f64>,
    lab_quarter: Vec<f64>,
    lab_training: Vec<f64>,
    lab_revenue: Vec<f64>,
    lab_demand: Vec<f64>,
    lab_served: Vec<f64>,
    lab_counted: Vec<f64>,
    market: Vec<String>,
    market_item: Vec<String>,
    market_year: Vec<f64>,
    market_cleared: Vec<f64>,
    market_price: Vec<f64>,
    /// (year, kind, capex) of every lab row and every accelerator-buyer row.
    capex_by_kind: Vec<(f64, String, f64)>,
    /// Chip generation → (maker's name, H100e per unit), from the manifest.
    chips: Vec<(String, String, f64)>,
    /// Design partners: chipmakers whose every generation has an owner (custom
    /// accelerators only), from the manifest.
    design_partners: Vec<String>,
    /// (year, quarter, kind, backlog) of every accelerator-buyer row; empty
    /// for runs from before schema 18, which had no backlog.
    backlog_by_kind: Vec<(f64, f64, String, f64)>,
}

/// Reads a finished run and checks it against every `target` figure.
pub fn calibrate(run_dir: &Path) -> Result<CalibrationReport, CalibrateError> {
    let manifest = RunManifest::read(run_dir)?;
    let scenario = manifest.text("scenario")?;
    let seed = manifest.whole_number("seed")?;
    let start = manifest.text("start")?;
    let end = manifest.text("end")?;
    let data = read_run_data(run_dir, &manifest)?;
    let checks = published_figures(PUBLISHED_FIGURES_CSV)?
        .into_iter()
        .filter(|f| f.class == "target")
        .map(|figure| {
            let (simulated, method) = measure(&figure, &data);
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

/// A run's `manifest.json`, read as JSON.
struct RunManifest {
    path: PathBuf,
    json: serde_json::Value,
}

impl RunManifest {
    fn read(run_dir: &Path) -> Result<Self, CalibrateError> {
        let path = run_dir.join("manifest.json");
        if !path.is_file() {
            return Err(CalibrateError::NotARun {
                path: run_dir.to_path_buf(),
            });
        }
        let error = |detail: String| CalibrateError::Manifest {
            path: path.clone(),
            detail,
        };
        let text = std::fs::read_to_string(&path).map_err(|e| error(e.to_string()))?;
        let json = serde_json::from_str(&text).map_err(|e| error(e.to_string()))?;
        Ok(Self { path, json })
    }

    fn error(&self, detail: String) -> CalibrateError {
        CalibrateError::Manifest {
            path: self.path.clone(),
            detail,
        }
    }

    fn field(&self, name: &str) -> Result<&serde_json::Value, CalibrateError> {
        self.json
            .get(name)
            .ok_or_else(|| self.error(format!("no `{name}` field")))
    }

    // A field of the wrong kind is an error, not an empty name or a seed of
    // 0: the report would be labelled as another run's.
    fn text(&self, name: &str) -> Result<String, CalibrateError> {
        self.field(name)?
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| self.error(format!("`{name}` is not text")))
    }

    fn whole_number(&self, name: &str) -> Result<u64, CalibrateError> {
        self.field(name)?
            .as_u64()
            .ok_or_else(|| self.error(format!("`{name}` is not a whole number")))
    }
}

/// Reads the columns the measures need from the run's tables and the chips
/// from its configuration.
fn read_run_data(run_dir: &Path, manifest: &RunManifest) -> Result<RunData, CalibrateError> {
    let world = read_columns(
        &run_dir.join("world.parquet"),
        &[
            "tick",
            "fixed_capability_price_index",
            "dc_energy_twh_annualised",
            "year",
            "quarter",
            "market_fleet_h100e",
        ],
        &[],
    )?;
    let chips = read_columns(
        &run_dir.join("chipmakers.parquet"),
        &["year", "revenue", "gross_margin"],
        &["name"],
    )?;
    let labs = read_columns(
        &run_dir.join("labs.parquet"),
        &[
            "tick",
            "lab_id",
            "year",
            "quarter",
            "training_compute_h100e",
            "revenue",
            "demand_mtok",
            "served_mtok",
            "counted_mtok",
        ],
        &[],
    )?;
    let lab_kinds = read_columns(&run_dir.join("labs.parquet"), &["year", "capex"], &["kind"])?;
    let buyers = read_columns(
        &run_dir.join("accelerator_buyers.parquet"),
        &["year", "capex"],
        &["kind"],
    )?;
    let capex_by_kind: Vec<(f64, String, f64)> = [&lab_kinds, &buyers]
        .iter()
        .flat_map(|table| {
            table
                .numbers("year")
                .iter()
                .zip(table.strings("kind"))
                .zip(table.numbers("capex"))
                .map(|((&year, kind), &capex)| (year, kind.clone(), capex))
        })
        .collect();
    let markets = read_columns(
        &run_dir.join("markets.parquet"),
        &["year", "cleared", "price"],
        &["market", "item"],
    )?;
    let chips_in_config = chips_in_config(manifest.field("config")?);
    let design_partners = design_partners(manifest.field("config")?);
    let backlog_by_kind: Vec<(f64, f64, String, f64)> = read_columns(
        &run_dir.join("accelerator_buyers.parquet"),
        &["year", "quarter", "backlog_usd"],
        &["kind"],
    )
    .map(|t| {
        t.numbers("year")
            .iter()
            .zip(t.numbers("quarter"))
            .zip(t.strings("kind"))
            .zip(t.numbers("backlog_usd"))
            .map(|(((&y, &q), k), &b)| (y, q, k.clone(), b))
            .collect()
    })
    .unwrap_or_default();
    Ok(RunData {
        world_tick: world.numbers("tick").to_vec(),
        fixed_capability_price_index: world.numbers("fixed_capability_price_index").to_vec(),
        dc_energy_twh: world.numbers("dc_energy_twh_annualised").to_vec(),
        world_year: world.numbers("year").to_vec(),
        world_quarter: world.numbers("quarter").to_vec(),
        market_fleet: world.numbers("market_fleet_h100e").to_vec(),
        chip_name: chips.strings("name").to_vec(),
        chip_year: chips.numbers("year").to_vec(),
        chip_revenue: chips.numbers("revenue").to_vec(),
        chip_gross_margin: chips.numbers("gross_margin").to_vec(),
        lab_tick: labs.numbers("tick").to_vec(),
        lab_id: labs.numbers("lab_id").to_vec(),
        lab_year: labs.numbers("year").to_vec(),
        lab_quarter: labs.numbers("quarter").to_vec(),
        lab_training: labs.numbers("training_compute_h100e").to_vec(),
        lab_revenue: labs.numbers("revenue").to_vec(),
        lab_demand: labs.numbers("demand_mtok").to_vec(),
        lab_served: labs.numbers("served_mtok").to_vec(),
        lab_counted: labs.numbers("counted_mtok").to_vec(),
        market: markets.strings("market").to_vec(),
        market_item: markets.strings("item").to_vec(),
        market_year: markets.numbers("year").to_vec(),
        market_cleared: markets.numbers("cleared").to_vec(),
        market_price: markets.numbers("price").to_vec(),
        capex_by_kind,
        chips: chips_in_config,
        design_partners,
        backlog_by_kind,
    })
}

/// Each chip generation in the run's resolved configuration with its
/// maker's name and H100e per unit.
///
/// The manifest holds the resolved configuration moatsim wrote, where every
/// chip has a name, a maker's index and its H100e per unit, so the defaults
/// below are not taken for a run moatsim published. They are kept lenient
/// for a manifest from elsewhere: the one measure that reads them
/// (`nvidia_gpu_units_2025`) then counts such a chip as nobody's, rather
/// than the whole report failing.
fn chips_in_config(config: &serde_json::Value) -> Vec<(String, String, f64)> {
    let maker_names: Vec<String> = config["chipmakers"]
        .as_array()
        .map(|makers| {
            makers
                .iter()
                .map(|m| m["name"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default();
    config["chips"]
        .as_array()
        .map(|chips| {
            chips
                .iter()
                .map(|c| {
                    let maker = c["maker"].as_u64().unwrap_or(u64::MAX) as usize;
                    (
                        c["name"].as_str().unwrap_or_default().to_string(),
                        maker_names.get(maker).cloned().unwrap_or_default(),
                        c["h100e_per_unit"].as_f64().unwrap_or(0.0),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Chipmakers every one of whose generations is a custom accelerator (has an
/// owner): the design partners, in the config's order.
fn design_partners(config: &serde_json::Value) -> Vec<String> {
    let chips = config["chips"].as_array().cloned().unwrap_or_default();
    config["chipmakers"]
        .as_array()
        .map(|makers| {
            makers
                .iter()
                .enumerate()
                .filter(|(m, _)| {
                    let own: Vec<&serde_json::Value> = chips
                        .iter()
                        .filter(|c| c["maker"].as_u64() == Some(*m as u64))
                        .collect();
                    !own.is_empty() && own.iter().all(|c| !c["owner"].is_null())
                })
                .map(|(_, m)| m["name"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
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

fn measure(figure: &Figure, data: &RunData) -> (Option<f64>, String) {
    match figure.name.as_str() {
        "chipmaker_gross_margin" => (
            chip_margin_furthest_out(figure, data),
            "revenue-weighted gross margin of all chipmakers in each calendar year (chipmakers.gross_margin, revenue); the year furthest outside the band, or nearest its edge".into(),
        ),
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
        "largest_chipmaker_dc_revenue_2025" => (
            largest_chipmaker_2025(data).map(|(_, revenue)| revenue),
            "the largest chipmakers.revenue summed over 2025".into(),
        ),
        "largest_neocloud_backlog_2025" => (
            data.backlog_by_kind
                .iter()
                .filter(|(y, q, kind, _)| whole(*y) == 2025 && whole(*q) == 4 && kind == "neocloud")
                .map(|row| row.3)
                .filter(|&b| b > 0.0)
                .max_by(f64::total_cmp),
            "the largest accelerator_buyers.backlog_usd of kind 'neocloud' at the end of 2025Q4 (remaining payments of its compute contracts; none without a [contracts] section)".into(),
        ),
        "custom_accelerator_revenue_2025" => (
            largest_in_2025(data, |name| data.design_partners.iter().any(|d| d == name))
                .map(|(_, revenue)| revenue),
            "the largest design partner's chipmakers.revenue (custom accelerators and the networking sold with them) summed over 2025; a design partner is a chipmaker whose every generation has an owner".into(),
        ),
        "nvidia_gpu_units_2025" => {
            let value = largest_chipmaker_2025(data).map(|(maker, _)| {
                (0..data.market.len())
                    .filter(|&i| data.market[i] == "gpu" && whole(data.market_year[i]) == 2025)
                    .filter_map(|i| {
                        let chip = data.chips.iter().find(|c| c.0 == data.market_item[i])?;
                        (chip.1 == maker).then(|| data.market_cleared[i] * chip.2)
                    })
                    .sum()
            });
            (
                value,
                "units sold in 2025 (markets.cleared where market = 'gpu') times each generation's h100e_per_unit, for the chipmaker with the largest 2025 revenue".into(),
            )
        }
        "largest_lab_revenue_2025" => (
            per_lab_in(data, |i| whole(data.lab_year[i]) == 2025, 4)
                .first()
                .copied(),
            "the largest labs.revenue summed over 2025".into(),
        ),
        "second_lab_runrate_2025q4" => (
            per_lab_in(
                data,
                |i| whole(data.lab_year[i]) == 2025 && whole(data.lab_quarter[i]) == 4,
                1,
            )
            .get(1)
            .map(|revenue| 4.0 * revenue),
            "the second-largest labs.revenue in 2025Q4, times four".into(),
        ),
        "h100_rental_price_2025" => {
            // Rented H100e and rent paid across every region's rental market.
            let rows: Vec<usize> = (0..data.market.len())
                .filter(|&i| data.market[i] == "cloud" && whole(data.market_year[i]) == 2025)
                .filter(|&i| data.market_price[i].is_finite())
                .collect();
            let rented: f64 = rows.iter().map(|&i| data.market_cleared[i]).sum();
            let paid: f64 = rows
                .iter()
                .map(|&i| data.market_cleared[i] * data.market_price[i])
                .sum();
            (
                (rented > 0.0).then(|| paid / rented / moatsim_model::units::HOURS_PER_QUARTER),
                "2025 rent paid over H100e rented across the regions' cloud markets (markets.price × cleared over cleared, where market = 'cloud'), per 2,190 hours".into(),
            )
        }
        "chipmaker_revenue_never_collapses" => (
            largest_annual_fall(data),
            "the largest fall of one chipmaker's revenue from one full calendar year to the next (1 - next / previous), over the run".into(),
        ),
        "unserved_inference_share" => {
            let demand: f64 = data.lab_demand.iter().sum();
            let served: f64 = data.lab_served.iter().sum();
            (
                // Served never exceeds demand; summing a fully served run's
                // rows in floating point can leave served a rounding error
                // above it, which is no negative unserved share.
                (demand > 0.0).then(|| ((demand - served) / demand).max(0.0)),
                "1 - sum of labs.served_mtok over sum of labs.demand_mtok, over the run (0 when every token is served)".into(),
            )
        }
        "hyperscaler_capex_2025" => {
            let rows: Vec<f64> = data
                .capex_by_kind
                .iter()
                .filter(|(year, kind, _)| whole(*year) == 2025 && kind == "hyperscaler")
                .map(|row| row.2)
                .collect();
            (
                (!rows.is_empty()).then(|| rows.iter().sum()),
                "labs.capex and accelerator_buyers.capex of kind 'hyperscaler', summed over 2025".into(),
            )
        }
        "token_volume_growth_2025" => (
            token_volume_growth_2025(data),
            "sum of labs.counted_mtok (tokens as counted, context included) in 2025Q4 over 2025Q1, annualised (three quarters apart)".into(),
        ),
        "global_ai_compute_stock_end2025" => (
            market_fleet_at_end_of_2025(data),
            "world.market_fleet_h100e in 2025Q4 (labs' own online compute plus aggregate buyers' fleets)".into(),
        ),
        _ => (None, "the model has no measure for this figure".into()),
    }
}

/// Chipmakers' revenue-weighted gross margin in each calendar year of the
/// run, and of those the year furthest outside the figure's band.
fn chip_margin_furthest_out(figure: &Figure, data: &RunData) -> Option<f64> {
    // Every calendar year of the run, not only the average: the value
    // is the year's margin furthest outside the band (or, when every
    // year is inside, the one nearest an edge), so "inside" means
    // inside in every year.
    let mut years: Vec<i64> = data.chip_year.iter().map(|&y| y as i64).collect();
    years.sort_unstable();
    years.dedup();
    let yearly: Vec<f64> = years
        .iter()
        .filter_map(|&year| {
            let rows = (0..data.chip_year.len()).filter(|&i| data.chip_year[i] as i64 == year);
            let (mut revenue, mut weighted) = (0.0, 0.0);
            for i in rows {
                let margin = data.chip_gross_margin[i];
                if margin.is_finite() {
                    revenue += data.chip_revenue[i];
                    weighted += margin * data.chip_revenue[i];
                }
            }
            (revenue > 0.0).then(|| weighted / revenue)
        })
        .collect();
    // Distance outside the band (negative inside: how far from the nearer edge).
    let outside = |m: f64| (figure.low - m).max(m - figure.high);
    yearly
        .iter()
        .copied()
        .max_by(|a, b| outside(*a).total_cmp(&outside(*b)))
}

/// Every lab's tokens as counted (API and own products, context included) in 2025Q4 over 2025Q1,
/// annualised; `None` when either quarter served nothing or is not in the run.
fn token_volume_growth_2025(data: &RunData) -> Option<f64> {
    let served_in = |quarter: i64| -> f64 {
        (0..data.lab_tick.len())
            .filter(|&i| whole(data.lab_year[i]) == 2025 && whole(data.lab_quarter[i]) == quarter)
            .map(|i| data.lab_counted[i])
            .sum()
    };
    let (first, last) = (served_in(1), served_in(4));
    (first > 0.0 && last > 0.0).then(|| (last / first).powf(4.0 / 3.0))
}

/// The whole market's running compute in 2025Q4, if the run reaches it.
fn market_fleet_at_end_of_2025(data: &RunData) -> Option<f64> {
    (0..data.world_tick.len())
        .find(|&i| whole(data.world_year[i]) == 2025 && whole(data.world_quarter[i]) == 4)
        .map(|i| data.market_fleet[i])
}

/// A calendar year or quarter read back as a number, as the integer it is.
fn whole(value: f64) -> i64 {
    value.round() as i64
}

/// Each lab's revenue summed over the rows `keep` selects, largest first;
/// empty unless every lab has `quarters` such rows.
fn per_lab_in(data: &RunData, keep: impl Fn(usize) -> bool, quarters: usize) -> Vec<f64> {
    let mut by_lab: std::collections::BTreeMap<u64, (f64, usize)> = Default::default();
    for i in (0..data.lab_tick.len()).filter(|&i| keep(i)) {
        let entry = by_lab.entry(data.lab_id[i] as u64).or_default();
        entry.0 += data.lab_revenue[i];
        entry.1 += 1;
    }
    if by_lab.is_empty() || by_lab.values().any(|&(_, n)| n != quarters) {
        return Vec::new();
    }
    let mut revenues: Vec<f64> = by_lab.values().map(|&(revenue, _)| revenue).collect();
    revenues.sort_by(|a, b| b.total_cmp(a));
    revenues
}

/// The chipmaker with the largest revenue over 2025, and that revenue; `None`
/// unless the run covers all four quarters of 2025.
fn largest_chipmaker_2025(data: &RunData) -> Option<(String, f64)> {
    largest_in_2025(data, |_| true)
}

/// The chipmaker `counts` keeps with the largest revenue over the four
/// quarters of 2025, and that revenue.
fn largest_in_2025(data: &RunData, counts: impl Fn(&str) -> bool) -> Option<(String, f64)> {
    let mut totals: std::collections::BTreeMap<&str, (f64, usize)> = Default::default();
    for i in (0..data.chip_year.len())
        .filter(|&i| whole(data.chip_year[i]) == 2025 && counts(&data.chip_name[i]))
    {
        let entry = totals.entry(data.chip_name[i].as_str()).or_default();
        entry.0 += data.chip_revenue[i];
        entry.1 += 1;
    }
    totals
        .into_iter()
        .filter(|(_, (_, quarters))| *quarters == 4)
        .max_by(|a, b| a.1.0.total_cmp(&b.1.0))
        .map(|(name, (revenue, _))| (name.to_string(), revenue))
}

/// The largest fall of any chipmaker's revenue between consecutive full
/// calendar years (0 when none falls); `None` with fewer than two full years.
fn largest_annual_fall(data: &RunData) -> Option<f64> {
    let mut years: std::collections::BTreeMap<(&str, i64), (f64, usize)> = Default::default();
    for i in 0..data.chip_year.len() {
        let entry = years
            .entry((data.chip_name[i].as_str(), data.chip_year[i] as i64))
            .or_default();
        entry.0 += data.chip_revenue[i];
        entry.1 += 1;
    }
    let full: Vec<((&str, i64), f64)> = years
        .into_iter()
        .filter(|(_, (_, quarters))| *quarters == 4)
        .map(|(key, (revenue, _))| (key, revenue))
        .collect();
    let mut largest: Option<f64> = None;
    for pair in full.windows(2) {
        let ((maker, year), previous) = pair[0];
        let ((next_maker, next_year), next) = pair[1];
        if maker == next_maker && next_year == year + 1 && previous > 0.0 {
            let fall = (1.0 - next / previous).max(0.0);
            largest = Some(largest.map_or(fall, |l: f64| l.max(fall)));
        }
    }
    largest
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
        assert!(figures.iter().filter(|f| f.class == "target").count() >= 12);
    }

    #[test]
    fn a_manifest_field_of_the_wrong_kind_is_refused_by_name() {
        let dir = tempfile::tempdir().expect("temp dir");
        let manifest =
            r#"{"scenario": "baseline", "seed": "42", "start": "2025Q1", "end": "2025Q4"}"#;
        std::fs::write(dir.path().join("manifest.json"), manifest).expect("manifest");
        let error = calibrate(dir.path()).expect_err("a seed that is text is refused");
        assert!(
            error.to_string().ends_with("`seed` is not a whole number"),
            "{error}"
        );
    }

    #[test]
    fn a_point_figure_lands_within_ten_percent() {
        assert!(lands_inside(3.2, 3.0, 3.0));
        assert!(!lands_inside(3.5, 3.0, 3.0));
        assert!(lands_inside(0.6, 0.6, 0.78));
        assert!(!lands_inside(0.59, 0.6, 0.78));
    }

    /// Two chipmakers over three full years, one quarter per row.
    fn chipmakers(revenue_by_year: &[(&str, [f64; 3])]) -> RunData {
        let mut data = RunData::default();
        for (name, years) in revenue_by_year {
            for (k, revenue) in years.iter().enumerate() {
                for _ in 0..4 {
                    data.chip_name.push(name.to_string());
                    data.chip_year.push(2025.0 + k as f64);
                    data.chip_revenue.push(revenue / 4.0);
                }
            }
        }
        data
    }

    #[test]
    fn the_largest_annual_fall_is_found_per_chipmaker() {
        let data = chipmakers(&[("big", [100.0, 120.0, 90.0]), ("small", [10.0, 5.0, 8.0])]);
        // big falls 25% in 2027; small halves in 2026.
        let fall = largest_annual_fall(&data).expect("two full years");
        assert!((fall - 0.5).abs() < 1e-12, "{fall}");
        let growing = chipmakers(&[("big", [100.0, 120.0, 150.0])]);
        assert_eq!(largest_annual_fall(&growing), Some(0.0));
        // The largest 2025 seller, with its revenue.
        assert_eq!(
            largest_chipmaker_2025(&data),
            Some(("big".to_string(), 100.0))
        );
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
