//! `moatsim report`: one self-contained HTML file (inline SVG, no scripts,
//! nothing fetched) with a section per question of the model brief, each
//! with the charts that answer it, a section on demand against the fleet,
//! and the scenarios compared with the baseline.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::AnalysisError;
use crate::chart::YAxis;
use crate::fit::{FitRead, is_fit, read_fit};
use crate::indicators::{RunIndicators, indicators_from};
use crate::runs::discover;
use crate::series::{RunSeries, run_series};

mod html;

pub use html::render_html;

/// How a chart draws its series.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// One line per scenario, with its seeds' band.
    Overlay(&'static str),
    /// For each scenario, one chart with a line per part (lab, region,
    /// maker): the median over seeds.
    Breakdown(&'static str),
    /// For each scenario, bars by calendar year stacked by layer (label,
    /// series key): each layer's yearly sum, the median over seeds.
    Layers(&'static [(&'static str, &'static str)]),
}

/// The layers of the value chain, as `world` reports their profit.
pub const PROFIT_LAYERS: &[(&str, &str)] = &[
    ("chips", "world.chip_profit"),
    ("power", "world.power_profit"),
    ("cloud", "world.cloud_profit"),
    ("land", "world.land_profit"),
    ("leases", "world.lease_profit"),
    ("models", "world.model_profit"),
    ("apps", "world.app_profit"),
];

/// One chart of the report.
#[derive(Debug, Clone, Copy)]
pub struct ChartDef {
    /// Its HTML id (per scenario for breakdowns: `<id>-<scenario>`).
    pub id: &'static str,
    pub title: &'static str,
    pub y_label: &'static str,
    /// Multiplies the stored values (for example 1e-6 for millions).
    pub scale: f64,
    pub kind: Kind,
    /// Linear, or logarithmic for series that span orders of magnitude.
    pub axis: YAxis,
    /// What to look for, printed under the chart.
    pub look_for: &'static str,
}

/// One question of the model brief with its charts.
#[derive(Debug, Clone, Copy)]
pub struct Question {
    pub number: u8,
    pub title: &'static str,
    pub scenarios: &'static str,
    pub charts: &'static [ChartDef],
}

/// The report's sections, in the model brief's order, then demand against
/// the fleet.
pub const QUESTIONS: &[Question] = &[
    Question {
        number: 1,
        title: "Does scale create a durable moat?",
        scenarios: "mega-round vs baseline",
        charts: &[
            ChartDef {
                id: "q1-compute",
                title: "Labs' online compute",
                y_label: "million H100e",
                scale: 1e-6,
                kind: Kind::Overlay("world.online_compute_h100e"),
                axis: YAxis::Linear,
                look_for: "Whether capital buys compute that the others do not match.",
            },
            ChartDef {
                id: "q1-lead",
                title: "Leader's capability lead over the runner-up",
                y_label: "capability",
                scale: 1.0,
                kind: Kind::Overlay("world.leader_capability_lead"),
                axis: YAxis::Linear,
                look_for: "How long a capability lead lasts. The moat half-life (of a compute-share lead) is under the comparison with the reference.",
            },
        ],
    },
    Question {
        number: 2,
        title: "Which constraint binds: GPUs, land or power?",
        scenarios: "power-crunch, land-banking",
        charts: &[
            ChartDef {
                id: "q2-stranded",
                title: "Stranded GPUs (installed, no energized power)",
                y_label: "million GPUs",
                scale: 1e-6,
                kind: Kind::Overlay("world.stranded_gpus"),
                axis: YAxis::Linear,
                look_for: "GPUs bought ahead of power: stranded where power binds.",
            },
            ChartDef {
                id: "q2-binding",
                title: "Which constraint binds: demand not met",
                y_label: "share of demand unmet",
                scale: 1.0,
                kind: Kind::Breakdown("binding"),
                axis: YAxis::Linear,
                look_for: "The market whose demand goes unmet is the one that binds: GPUs (units ordered, not sold), power (MW asked, not granted this quarter) or land (acres sought, not bought).",
            },
            ChartDef {
                id: "q2-power-price",
                title: "Power price (load-weighted tariff)",
                y_label: "USD/MWh",
                scale: 1.0,
                kind: Kind::Overlay("world.power_price_avg"),
                axis: YAxis::Linear,
                look_for: "A scarcity price where power binds.",
            },
            ChartDef {
                id: "q2-queue",
                title: "Mean wait in the interconnection queue",
                y_label: "quarters",
                scale: 1.0,
                kind: Kind::Overlay("world.mean_queue_wait_quarters"),
                axis: YAxis::Linear,
                look_for: "Waits that grow when utilities cannot keep up.",
            },
            ChartDef {
                id: "q2-backlog",
                title: "Hosts' backlog of compute contracts",
                y_label: "USD billion",
                scale: 1e-9,
                kind: Kind::Breakdown("accelerator_buyers.backlog_usd"),
                axis: YAxis::Linear,
                look_for: "Capacity sold ahead of demand that the hosts must build: the contracts' remaining payments, by host (median over seeds).",
            },
        ],
    },
    Question {
        number: 3,
        title: "How fast does the cost of compute fall?",
        scenarios: "commodity-compute",
        charts: &[
            ChartDef {
                id: "q3-fixed-capability",
                title: "Price of a fixed capability",
                y_label: "index, start = 100",
                scale: 1.0,
                kind: Kind::Overlay("world.fixed_capability_price_index"),
                axis: YAxis::Log,
                look_for: "The price of the first quarter's frontier capability.",
            },
            ChartDef {
                id: "q3-inference-price",
                title: "Inference price (token-weighted)",
                y_label: "index, start = 100",
                scale: 1.0,
                kind: Kind::Overlay("world.inference_price_index"),
                axis: YAxis::Log,
                look_for: "What buyers pay per token for the models they choose.",
            },
            ChartDef {
                id: "q3-gpu-price",
                title: "GPU price",
                y_label: "index, start = 100",
                scale: 1.0,
                kind: Kind::Overlay("world.gpu_price_index"),
                axis: YAxis::Log,
                look_for: "Hardware prices as generations age and capacity grows.",
            },
            ChartDef {
                id: "q3-app-margin",
                title: "App builders' margin",
                y_label: "profit / revenue",
                scale: 1.0,
                kind: Kind::Overlay("derived.app_margin"),
                axis: YAxis::Linear,
                look_for: "Whether cheaper tokens reach the application layer's profits.",
            },
        ],
    },
    Question {
        number: 4,
        title: "Do switching costs shift bargaining power?",
        scenarios: "high-switching-cost",
        charts: &[
            ChartDef {
                id: "q4-churn",
                title: "Builders switching provider per quarter",
                y_label: "share of builders",
                scale: 1.0,
                kind: Kind::Overlay("world.builder_churn_rate"),
                axis: YAxis::Linear,
                look_for: "Lock-in: churn falls as switching costs grow.",
            },
            ChartDef {
                id: "q4-markup",
                title: "Labs' realised markup over marginal cost",
                y_label: "price / cost - 1",
                scale: 1.0,
                kind: Kind::Overlay("world.markup_avg"),
                axis: YAxis::Linear,
                look_for: "Labs that keep their customers price above cost.",
            },
        ],
    },
    Question {
        number: 5,
        title: "Do mega-rounds and JVs change market shares?",
        scenarios: "mega-round, jv-channel",
        charts: &[
            ChartDef {
                id: "q5-leader-share",
                title: "Largest lab's share of inference revenue",
                y_label: "share",
                scale: 1.0,
                kind: Kind::Overlay("world.leader_share"),
                axis: YAxis::Linear,
                look_for: "Concentration at the top.",
            },
            ChartDef {
                id: "q5-hhi",
                title: "Concentration of inference revenue (HHI)",
                y_label: "HHI, 0-10000",
                scale: 1.0,
                kind: Kind::Overlay("world.hhi"),
                axis: YAxis::Linear,
                look_for: "Above 2,500 is highly concentrated (US merger guidelines).",
            },
            ChartDef {
                id: "q5-shares",
                title: "Labs' shares of inference revenue",
                y_label: "share",
                scale: 1.0,
                kind: Kind::Breakdown("labs.market_share"),
                axis: YAxis::Linear,
                look_for: "Who gains around a round or a joint venture (median over seeds).",
            },
        ],
    },
    Question {
        number: 6,
        title: "What do export tiers do?",
        scenarios: "export-controls",
        charts: &[
            ChartDef {
                id: "q6-regions",
                title: "Labs' online compute by region",
                y_label: "million H100e",
                scale: 1e-6,
                kind: Kind::Breakdown("projects.online_compute_h100e"),
                axis: YAxis::Linear,
                look_for: "Where compute is built when a tier closes a region (median over seeds).",
            },
            ChartDef {
                id: "q6-chip-sales",
                title: "Chipmakers' revenue",
                y_label: "USD billion per quarter",
                scale: 1e-9,
                kind: Kind::Breakdown("chipmakers.revenue"),
                axis: YAxis::Linear,
                look_for: "Sales lost to a tier and taken by a domestic maker (median over seeds).",
            },
        ],
    },
    Question {
        number: 7,
        title: "Who captures the value?",
        scenarios: "baseline, lab-products",
        charts: &[
            ChartDef {
                id: "q7-profit-by-layer",
                title: "Profit by layer, per year",
                y_label: "USD billion per year",
                scale: 1e-9,
                kind: Kind::Layers(PROFIT_LAYERS),
                axis: YAxis::Linear,
                look_for: "Who captures the value: chips, power, cloud, land, leases, models and apps, losses below the axis.",
            },
            ChartDef {
                id: "q7-model-profit",
                title: "Labs' profit",
                y_label: "USD billion per quarter",
                scale: 1e-9,
                kind: Kind::Overlay("world.model_profit"),
                axis: YAxis::Linear,
                look_for: "The model layer.",
            },
            ChartDef {
                id: "q7-chip-profit",
                title: "Chipmakers' operating profit",
                y_label: "USD billion per quarter",
                scale: 1e-9,
                kind: Kind::Overlay("world.chip_profit"),
                axis: YAxis::Linear,
                look_for: "The hardware layer.",
            },
            ChartDef {
                id: "q7-app-profit",
                title: "App builders' profit",
                y_label: "USD billion per quarter",
                scale: 1e-9,
                kind: Kind::Overlay("world.app_profit"),
                axis: YAxis::Linear,
                look_for: "The application layer.",
            },
            ChartDef {
                id: "q7-product-revenue",
                title: "Labs' own products' revenue",
                y_label: "USD billion per quarter",
                scale: 1e-9,
                kind: Kind::Overlay("world.product_revenue"),
                axis: YAxis::Linear,
                look_for: "What labs take from end users directly.",
            },
        ],
    },
    Question {
        number: 8,
        title: "Does demand keep up with the fleet?",
        scenarios: "every scenario (demand grows with capability, adoption and price)",
        charts: &[
            ChartDef {
                id: "q8-tokens",
                title: "Tokens served, as counted",
                y_label: "trillion tokens per quarter",
                scale: 1e-6,
                kind: Kind::Overlay("derived.counted_tokens"),
                axis: YAxis::Log,
                look_for: "Growth in tokens: longer tasks, more adopters and cheaper tokens (labs.counted_mtok, context included).",
            },
            ChartDef {
                id: "q8-revenue-per-h100e",
                title: "Labs' revenue per H100e-hour of the whole market's fleet",
                y_label: "USD per H100e-hour",
                scale: 1.0,
                kind: Kind::Overlay("derived.revenue_per_h100e_hour"),
                axis: YAxis::Linear,
                look_for: "Spending against the fleet: a line that falls while the fleet grows is building ahead of demand. The fleet includes buyers whose revenue is not labs' (enterprises, sovereign buyers), so read the trend, not the level.",
            },
            ChartDef {
                id: "q8-adoption",
                title: "Adoption by segment",
                y_label: "share of possible users",
                scale: 1.0,
                kind: Kind::Breakdown("segments.adopters"),
                axis: YAxis::Linear,
                look_for: "Bass adoption that slows near its ceiling and restarts when capability opens new uses (median over seeds).",
            },
            ChartDef {
                id: "q8-tokens-per-task",
                title: "Tokens per task by segment",
                y_label: "times the first quarter's",
                scale: 1.0,
                kind: Kind::Breakdown("segments.tokens_per_task"),
                axis: YAxis::Log,
                look_for: "Longer reasoning and agents as the frontier's capability grows (median over seeds).",
            },
            ChartDef {
                id: "q8-segment-tokens",
                title: "Builders' tokens by segment (compute-equivalent)",
                y_label: "trillion tokens per quarter",
                scale: 1e-6,
                kind: Kind::Breakdown("segments.tokens"),
                axis: YAxis::Log,
                look_for: "Which uses the compute goes to (median over seeds).",
            },
        ],
    },
];

/// The runs of one scenario.
#[derive(Debug, Clone)]
pub struct Group {
    pub scenario: String,
    pub series: Vec<RunSeries>,
    pub indicators: Vec<RunIndicators>,
}

/// Everything a report draws, read from the named folders.
#[derive(Debug, Clone)]
pub struct Report {
    pub inputs: Vec<PathBuf>,
    /// The reference first (`baseline` if present), then by name.
    pub groups: Vec<Group>,
    /// The `sensitivity.parquet` of each sweep folder named that has one.
    pub sensitivity: Vec<(PathBuf, Vec<SensitivityIndex>)>,
    /// Each calibration fit's folder named.
    pub fits: Vec<FitRead>,
    /// The claims of each `moatsim explore` folder named.
    pub claims: Vec<(PathBuf, Vec<ClaimRead>)>,
    /// The reference scenario's runs against the published targets, when the
    /// caller scored them (`moatsim report` does, with `moatsim calibrate`'s
    /// measures): the banner at the top and the table at the end.
    pub calibration: Option<CalibrationBanner>,
}

/// The calibration scorecard of the reference scenario's runs.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationBanner {
    pub scenario: String,
    /// Column labels, one per run (`seed 42`).
    pub runs: Vec<String>,
    pub rows: Vec<CalibrationRow>,
}

/// One target across the runs.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationRow {
    pub name: String,
    pub low: f64,
    pub high: f64,
    pub unit: String,
    pub values: Vec<Option<f64>>,
    /// Whether each run's value lands inside (a single published number
    /// allows ±10%, as `moatsim calibrate` reads it).
    pub lands_each: Vec<bool>,
    /// Runs whose value lands inside, of `measured`.
    pub inside: usize,
    pub measured: usize,
}

impl CalibrationRow {
    /// Measured at every run and inside at every run.
    pub fn lands(&self, runs: usize) -> bool {
        self.measured == runs && self.inside == runs
    }
}

/// One row of a `sensitivity.parquet` as read back.
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityIndex {
    pub parameter: String,
    pub indicator: String,
    pub method: String,
    pub index: String,
    pub value: f64,
    pub interval: Option<(f64, f64)>,
}

/// One claim of an explore folder, as `claims.parquet` and `boxes.parquet`
/// give it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimRead {
    pub name: String,
    /// The scenario it was tested in.
    pub scenario: String,
    pub statement: String,
    pub predicate: String,
    pub runs: u64,
    pub holds: u64,
    pub share: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// Each input's KS distance, largest first.
    pub scores: Vec<(String, f64)>,
    /// Coverage and density of each box of PRIM's trajectory, in order.
    pub trajectory: Vec<(f64, f64)>,
    /// The chosen box's index in the trajectory.
    pub chosen: usize,
    /// The chosen box's restrictions.
    pub restrictions: Vec<Restriction>,
}

/// How a box restricts one input, against the range the ensemble explored.
#[derive(Debug, Clone, PartialEq)]
pub struct Restriction {
    pub parameter: String,
    pub low: f64,
    pub high: f64,
    pub explored_low: f64,
    pub explored_high: f64,
    pub quasi_p: Option<f64>,
}

/// Reads an explore folder's claims and boxes.
fn read_claims(dir: &Path) -> Result<Vec<ClaimRead>, AnalysisError> {
    use moatsim_output::reader::read_columns;
    let claims = read_columns(
        &dir.join("claims.parquet"),
        &["runs", "holds", "share", "ci_low", "ci_high", "ks_distance"],
        &["claim", "scenario", "statement", "predicate", "parameter"],
    )?;
    let boxes = read_columns(
        &dir.join("boxes.parquet"),
        &[
            "box",
            "low",
            "high",
            "explored_low",
            "explored_high",
            "quasi_p",
            "coverage",
            "density",
        ],
        &["claim", "scenario", "chosen", "parameter", "restricted"],
    )?;
    let mut out: Vec<ClaimRead> = Vec::new();
    for i in 0..claims.rows() {
        let name = &claims.strings("claim")[i];
        let scenario = &claims.strings("scenario")[i];
        let is_it = |c: &ClaimRead| &c.name == name && &c.scenario == scenario;
        if !out.iter().any(is_it) {
            out.push(ClaimRead {
                name: name.clone(),
                scenario: scenario.clone(),
                statement: claims.strings("statement")[i].clone(),
                predicate: claims.strings("predicate")[i].clone(),
                runs: claims.numbers("runs")[i] as u64,
                holds: claims.numbers("holds")[i] as u64,
                share: claims.numbers("share")[i],
                ci_low: claims.numbers("ci_low")[i],
                ci_high: claims.numbers("ci_high")[i],
                scores: Vec::new(),
                trajectory: Vec::new(),
                chosen: 0,
                restrictions: Vec::new(),
            });
        }
        if let Some(claim) = out.iter_mut().find(|c| is_it(c)) {
            claim.scores.push((
                claims.strings("parameter")[i].clone(),
                claims.numbers("ks_distance")[i],
            ));
        }
    }
    for claim in &mut out {
        claim.scores.sort_by(|a, b| b.1.total_cmp(&a.1));
        for i in (0..boxes.rows()).filter(|&i| {
            boxes.strings("claim")[i] == claim.name
                && boxes.strings("scenario")[i] == claim.scenario
        }) {
            let step = boxes.numbers("box")[i] as usize;
            if claim.trajectory.len() <= step {
                claim.trajectory.resize(step + 1, (f64::NAN, f64::NAN));
            }
            claim.trajectory[step] = (boxes.numbers("coverage")[i], boxes.numbers("density")[i]);
            if boxes.strings("chosen")[i] == "yes" {
                claim.chosen = step;
                if boxes.strings("restricted")[i] == "yes" {
                    let q = boxes.numbers("quasi_p")[i];
                    claim.restrictions.push(Restriction {
                        parameter: boxes.strings("parameter")[i].clone(),
                        low: boxes.numbers("low")[i],
                        high: boxes.numbers("high")[i],
                        explored_low: boxes.numbers("explored_low")[i],
                        explored_high: boxes.numbers("explored_high")[i],
                        quasi_p: q.is_finite().then_some(q),
                    });
                }
            }
        }
    }
    Ok(out)
}

/// The indicators the sensitivity section draws (docs/ANALYSIS.md), in order.
pub const SENSITIVITY_INDICATORS: &[&str] = &[
    "capability_lead_half_life_quarters",
    "leader_share_horizon",
    "hhi_horizon",
    "fixed_capability_price_decline",
    "app_profit_share",
    "stranded_gpus_peak",
];

fn read_sensitivity(path: &Path) -> Result<Vec<SensitivityIndex>, AnalysisError> {
    let table = moatsim_output::reader::read_columns(
        path,
        &["value", "ci_low", "ci_high"],
        &["parameter", "indicator", "method", "index"],
    )?;
    Ok((0..table.rows())
        .map(|i| {
            let (low, high) = (table.numbers("ci_low")[i], table.numbers("ci_high")[i]);
            SensitivityIndex {
                parameter: table.strings("parameter")[i].clone(),
                indicator: table.strings("indicator")[i].clone(),
                method: table.strings("method")[i].clone(),
                index: table.strings("index")[i].clone(),
                value: table.numbers("value")[i],
                interval: (low.is_finite() && high.is_finite()).then_some((low, high)),
            }
        })
        .collect())
}

/// Reads every finished run under `paths`, grouped by scenario.
pub fn read_report(paths: &[PathBuf]) -> Result<Report, AnalysisError> {
    // A fit's folder gives two scenarios: the reference and the fitted
    // point (not every point the search tried).
    let (fit_dirs, others): (Vec<PathBuf>, Vec<PathBuf>) =
        paths.iter().cloned().partition(|p| is_fit(p));
    let fits = fit_dirs
        .iter()
        .map(|dir| read_fit(dir))
        .collect::<Result<Vec<_>, _>>()?;
    let mut runs = if others.is_empty() {
        Vec::new()
    } else {
        discover(&others)?
    };
    // A sweep folder over a few grid points draws each point as a scenario.
    for path in &others {
        let Some(labels) = grid_points(path)? else {
            continue;
        };
        for run in runs.iter_mut().filter(|r| r.dir.starts_with(path)) {
            if let Some(label) = run.run_id.as_ref().and_then(|id| labels.get(id)) {
                run.scenario = format!("{} {label}", run.scenario);
            }
        }
    }
    for fit in &fits {
        runs.extend(fit.reference.iter().cloned());
        runs.extend(fit.fitted.iter().cloned());
    }
    let mut by_scenario: BTreeMap<String, Group> = BTreeMap::new();
    for run in &runs {
        let group = by_scenario
            .entry(run.scenario.clone())
            .or_insert_with(|| Group {
                scenario: run.scenario.clone(),
                series: Vec::new(),
                indicators: Vec::new(),
            });
        let series = run_series(run)?;
        // The indicators read the same `world` columns the charts do.
        group.indicators.push(indicators_from(run, |column| {
            series.get(&format!("world.{column}")).unwrap_or(&[])
        }));
        group.series.push(series);
    }
    let mut groups: Vec<Group> = by_scenario.into_values().collect();
    if let Some(i) = groups.iter().position(|g| g.scenario == "baseline") {
        let baseline = groups.remove(i);
        groups.insert(0, baseline);
    }
    let mut sensitivity = Vec::new();
    for path in paths {
        let file = path.join("sensitivity.parquet");
        if file.is_file() {
            sensitivity.push((path.clone(), read_sensitivity(&file)?));
        }
    }
    let mut claims = Vec::new();
    for path in paths {
        if path.join("claims.parquet").is_file() && path.join("boxes.parquet").is_file() {
            claims.push((path.clone(), read_claims(path)?));
        }
    }
    Ok(Report {
        inputs: paths.to_vec(),
        groups,
        sensitivity,
        fits,
        claims,
        calibration: None,
    })
}

/// Most grid points of a sweep the report draws as scenarios of their own
/// (one colour each); a sweep with more, or a sensitivity design, is one band.
pub const MAX_GRID_GROUPS: usize = 7;

/// For a sweep folder over a grid or hypercube of at most
/// [`MAX_GRID_GROUPS`] points, each run id's point as `field=v, field=v`
/// (the last part of each swept path); `None` for any other folder.
fn grid_points(dir: &Path) -> Result<Option<BTreeMap<String, String>>, AnalysisError> {
    use moatsim_output::reader::{ColumnKind, column_kinds, read_columns};
    let file = dir.join("runs.parquet");
    if !file.is_file() {
        return Ok(None);
    }
    let kinds = column_kinds(&file)?;
    const BOOKKEEPING: [&str; 6] = ["run_id", "sweep", "scenario", "seed", "status", "path"];
    if kinds.iter().any(|(name, _)| name == "design_point") {
        return Ok(None);
    }
    let parameters: Vec<&(String, ColumnKind)> = kinds
        .iter()
        .filter(|(name, _)| !BOOKKEEPING.contains(&name.as_str()))
        .collect();
    if parameters.is_empty() {
        return Ok(None);
    }
    let numeric: Vec<&str> = parameters
        .iter()
        .filter(|(_, kind)| *kind == ColumnKind::Number)
        .map(|(name, _)| name.as_str())
        .collect();
    let mut text: Vec<&str> = parameters
        .iter()
        .filter(|(_, kind)| *kind == ColumnKind::Text)
        .map(|(name, _)| name.as_str())
        .collect();
    text.push("run_id");
    let table = read_columns(&file, &numeric, &text)?;
    let labels: BTreeMap<String, String> = (0..table.rows())
        .map(|i| {
            let label = parameters
                .iter()
                .map(|(name, kind)| {
                    let value = if *kind == ColumnKind::Number {
                        format!("{}", table.numbers(name)[i])
                    } else if *kind == ColumnKind::Text {
                        table.strings(name)[i].clone()
                    } else {
                        "?".to_string()
                    };
                    // The field's own name keeps legends short:
                    // `cloud.rent_cash_share` reads as `rent_cash_share`.
                    let short = name.rsplit('.').next().unwrap_or(name);
                    format!("{short}={value}")
                })
                .collect::<Vec<_>>()
                .join(", ");
            (table.strings("run_id")[i].clone(), label)
        })
        .collect();
    let points: std::collections::BTreeSet<&String> = labels.values().collect();
    Ok((points.len() <= MAX_GRID_GROUPS).then_some(labels))
}

/// The ids of every chart the report draws for these groups, in order.
pub fn chart_ids(report: &Report) -> Vec<String> {
    let mut ids = Vec::new();
    for question in QUESTIONS {
        for chart in question.charts {
            match chart.kind {
                Kind::Overlay(_) => ids.push(chart.id.to_string()),
                Kind::Breakdown(_) | Kind::Layers(_) => {
                    for group in &report.groups {
                        ids.push(format!("{}-{}", chart.id, slug(&group.scenario)));
                    }
                }
            }
        }
    }
    for (k, (_, indices)) in report.sensitivity.iter().enumerate() {
        for indicator in SENSITIVITY_INDICATORS {
            if indices.iter().any(|i| i.indicator == *indicator) {
                ids.push(format!("sensitivity-{k}-{}", slug(indicator)));
            }
        }
    }
    for k in 0..report.fits.len() {
        ids.push(format!("fit-{k}-schedule"));
    }
    for (k, (_, claims)) in report.claims.iter().enumerate() {
        for claim in claims {
            ids.push(format!(
                "claims-{k}-{}-{}",
                slug(&claim.name),
                slug(&claim.scenario)
            ));
        }
    }
    ids
}

/// Writes the report to `out` without ever leaving half a file or replacing
/// one unless `force`: into a temporary file in the same folder, then renamed.
pub fn write_report(html: &str, out: &Path, force: bool) -> Result<(), AnalysisError> {
    let io = |source| AnalysisError::Io {
        path: out.to_path_buf(),
        source,
    };
    if out.exists() && !force {
        return Err(AnalysisError::Exists {
            path: out.to_path_buf(),
        });
    }
    let folder = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !folder.is_dir() {
        return Err(io(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "its folder does not exist",
        )));
    }
    let temporary = folder.join(format!(
        ".{}.partial-{}",
        out.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("report.html"),
        std::process::id()
    ));
    std::fs::write(&temporary, html).map_err(io)?;
    std::fs::rename(&temporary, out).map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        io(e)
    })
}

/// A scenario name as an HTML id part.
fn slug(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}
