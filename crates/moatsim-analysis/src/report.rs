//! `moatsim report`: one self-contained HTML file (inline SVG, no scripts,
//! nothing fetched) with a section per question of the model brief, each
//! with the charts that answer it, and the scenarios compared with the
//! baseline.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::AnalysisError;
use crate::chart::{Bar, Line, bars_svg, compact, plain, svg, svg_over};
use crate::compare::{Comparison, compare, short};
use crate::fit::{FitRead, is_fit, read_fit};
use crate::indicators::{RunIndicators, indicators_from};
use crate::runs::discover;
use crate::series::{Band, RunSeries, band, run_series};

/// How a chart draws its series.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// One line per scenario, with its seeds' band.
    Overlay(&'static str),
    /// For each scenario, one chart with a line per part (lab, region,
    /// maker): the median over seeds.
    Breakdown(&'static str),
}

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

/// The report's sections, in the model brief's order.
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
                look_for: "Whether capital buys compute that the others do not match.",
            },
            ChartDef {
                id: "q1-lead",
                title: "Leader's capability lead over the runner-up",
                y_label: "capability",
                scale: 1.0,
                kind: Kind::Overlay("world.leader_capability_lead"),
                look_for: "How long a lead lasts: its half-life is in the comparison table.",
            },
            ChartDef {
                id: "q1-stranded",
                title: "Stranded GPUs (installed, no energized power)",
                y_label: "million GPUs",
                scale: 1e-6,
                kind: Kind::Overlay("world.stranded_gpus"),
                look_for: "Compute bought ahead of power.",
            },
        ],
    },
    Question {
        number: 2,
        title: "Which constraint binds: GPUs, land or power?",
        scenarios: "power-crunch, land-banking",
        charts: &[
            ChartDef {
                id: "q2-power-price",
                title: "Power price (load-weighted tariff)",
                y_label: "USD/MWh",
                scale: 1.0,
                kind: Kind::Overlay("world.power_price_avg"),
                look_for: "A scarcity price where power binds.",
            },
            ChartDef {
                id: "q2-queue",
                title: "Mean wait in the interconnection queue",
                y_label: "quarters",
                scale: 1.0,
                kind: Kind::Overlay("world.mean_queue_wait_quarters"),
                look_for: "Waits that grow when utilities cannot keep up.",
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
                look_for: "The price of the first quarter's frontier capability.",
            },
            ChartDef {
                id: "q3-inference-price",
                title: "Inference price (token-weighted)",
                y_label: "index, start = 100",
                scale: 1.0,
                kind: Kind::Overlay("world.inference_price_index"),
                look_for: "What buyers pay per token for the models they choose.",
            },
            ChartDef {
                id: "q3-gpu-price",
                title: "GPU price",
                y_label: "index, start = 100",
                scale: 1.0,
                kind: Kind::Overlay("world.gpu_price_index"),
                look_for: "Hardware prices as generations age and capacity grows.",
            },
            ChartDef {
                id: "q3-app-margin",
                title: "App builders' margin",
                y_label: "profit / revenue",
                scale: 1.0,
                kind: Kind::Overlay("derived.app_margin"),
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
                look_for: "Lock-in: churn falls as switching costs grow.",
            },
            ChartDef {
                id: "q4-markup",
                title: "Labs' realised markup over marginal cost",
                y_label: "price / cost - 1",
                scale: 1.0,
                kind: Kind::Overlay("world.markup_avg"),
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
                look_for: "Concentration at the top.",
            },
            ChartDef {
                id: "q5-hhi",
                title: "Concentration of inference revenue (HHI)",
                y_label: "HHI, 0-10000",
                scale: 1.0,
                kind: Kind::Overlay("world.hhi"),
                look_for: "Above 2,500 is highly concentrated (US merger guidelines).",
            },
            ChartDef {
                id: "q5-shares",
                title: "Labs' shares of inference revenue",
                y_label: "share",
                scale: 1.0,
                kind: Kind::Breakdown("labs.market_share"),
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
                look_for: "Where compute is built when a tier closes a region (median over seeds).",
            },
            ChartDef {
                id: "q6-chip-sales",
                title: "Chipmakers' revenue",
                y_label: "USD billion per quarter",
                scale: 1e-9,
                kind: Kind::Breakdown("chipmakers.revenue"),
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
                id: "q7-model-profit",
                title: "Labs' profit",
                y_label: "USD billion per quarter",
                scale: 1e-9,
                kind: Kind::Overlay("world.model_profit"),
                look_for: "The model layer.",
            },
            ChartDef {
                id: "q7-chip-profit",
                title: "Chipmakers' operating profit",
                y_label: "USD billion per quarter",
                scale: 1e-9,
                kind: Kind::Overlay("world.chip_profit"),
                look_for: "The hardware layer.",
            },
            ChartDef {
                id: "q7-app-profit",
                title: "App builders' profit",
                y_label: "USD billion per quarter",
                scale: 1e-9,
                kind: Kind::Overlay("world.app_profit"),
                look_for: "The application layer.",
            },
            ChartDef {
                id: "q7-product-revenue",
                title: "Labs' own products' revenue",
                y_label: "USD billion per quarter",
                scale: 1e-9,
                kind: Kind::Overlay("world.product_revenue"),
                look_for: "What labs take from end users directly.",
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

/// The indicators the sensitivity section draws (docs/ANALYSIS.md), in order.
pub const SENSITIVITY_INDICATORS: &[&str] = &[
    "moat_half_life_quarters",
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
    Ok(Report {
        inputs: paths.to_vec(),
        groups,
        sensitivity,
        fits,
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
                Kind::Breakdown(_) => {
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
    ids
}

/// The report as one HTML document.
pub fn render_html(report: &Report) -> Result<String, AnalysisError> {
    let chart_error = |detail: String| AnalysisError::Chart { detail };
    let mut html = String::new();
    let scenarios: Vec<String> = report
        .groups
        .iter()
        .map(|g| {
            format!(
                "{} ({} seed{})",
                plain(&g.scenario),
                g.series.len(),
                if g.series.len() == 1 { "" } else { "s" }
            )
        })
        .collect();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>moatsim report: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>moatsim report</h1>\n<p class=\"meta\">Scenarios: {}. Read from {}. Lines are the median over seeds; the shaded band spans the 10th to 90th percentile. Generated by moatsim {}.</p>\n",
        report
            .groups
            .iter()
            .map(|g| plain(&g.scenario))
            .collect::<Vec<_>>()
            .join(", "),
        scenarios.join(", "),
        report
            .inputs
            .iter()
            .map(|p| format!("<code>{}</code>", plain(&p.display().to_string())))
            .collect::<Vec<_>>()
            .join(", "),
        env!("CARGO_PKG_VERSION"),
    );
    html += "<nav><ol>\n";
    for question in QUESTIONS {
        let _ = writeln!(
            html,
            "<li><a href=\"#q{}\">{}</a></li>",
            question.number, question.title
        );
    }
    if report.groups.len() > 1 {
        html += "<li><a href=\"#compare\">Scenarios against the reference</a></li>\n";
    }
    if !report.sensitivity.is_empty() {
        html += "<li><a href=\"#sensitivity\">Which parameters matter</a></li>\n";
    }
    if !report.fits.is_empty() {
        html += "<li><a href=\"#fit\">Calibration fits</a></li>\n";
    }
    html += "</ol></nav>\n";

    for question in QUESTIONS {
        let _ = writeln!(
            html,
            "<section id=\"q{n}\">\n<h2>{n}. {}</h2>\n<p class=\"meta\">Scenarios that ask it: {}.</p>",
            question.title,
            question.scenarios,
            n = question.number
        );
        for chart in question.charts {
            match chart.kind {
                Kind::Overlay(key) => {
                    let lines: Vec<Line> = report
                        .groups
                        .iter()
                        .filter_map(|g| {
                            let refs: Vec<&RunSeries> = g.series.iter().collect();
                            band(&refs, key).map(|band| Line {
                                label: g.scenario.clone(),
                                band,
                            })
                        })
                        .collect();
                    let figure = if lines.is_empty() {
                        None
                    } else {
                        Some(
                            svg(chart.title, chart.y_label, chart.scale, &lines, true)
                                .map_err(chart_error)?,
                        )
                    };
                    figure_html(
                        &mut html,
                        chart.id,
                        chart,
                        figure,
                        &overlay_reading(chart, &lines),
                    );
                }
                Kind::Breakdown(prefix) => {
                    for group in &report.groups {
                        let refs: Vec<&RunSeries> = group.series.iter().collect();
                        let mut parts: Vec<String> =
                            group.series.iter().flat_map(|s| s.parts(prefix)).collect();
                        parts.sort();
                        parts.dedup();
                        let lines: Vec<Line> = parts
                            .iter()
                            .filter_map(|part| {
                                band(&refs, &format!("{prefix}.{part}")).map(|band| Line {
                                    label: part.clone(),
                                    band,
                                })
                            })
                            .collect();
                        let title = format!("{} — {}", chart.title, group.scenario);
                        let figure = if lines.is_empty() {
                            None
                        } else {
                            Some(
                                svg(&title, chart.y_label, chart.scale, &lines, false)
                                    .map_err(chart_error)?,
                            )
                        };
                        let id = format!("{}-{}", chart.id, slug(&group.scenario));
                        figure_html(
                            &mut html,
                            &id,
                            chart,
                            figure,
                            &breakdown_reading(chart, &lines),
                        );
                    }
                }
            }
        }
        html += "</section>\n";
    }

    if report.groups.len() > 1 {
        let reference = &report.groups[0];
        let _ = writeln!(
            html,
            "<section id=\"compare\">\n<h2>Scenarios against the reference ({})</h2>\n<p class=\"meta\">Headline indicators (docs/ANALYSIS.md), paired by seed: the mean difference, its 90% interval (paired Student t) and in how many seeds its sign holds. Bold where the interval excludes zero.</p>",
            plain(&reference.scenario)
        );
        for group in &report.groups[1..] {
            match compare(&reference.indicators, &group.indicators) {
                Ok(comparison) => comparison_html(&mut html, &comparison),
                Err(error) => {
                    let _ = writeln!(
                        html,
                        "<p>{}: {}</p>",
                        plain(&group.scenario),
                        plain(&error.to_string())
                    );
                }
            }
        }
        html += "</section>\n";
    }
    if !report.sensitivity.is_empty() {
        html += "<section id=\"sensitivity\">\n<h2>Which parameters matter</h2>\n<p class=\"meta\">Global sensitivity indices from each sweep's <code>sensitivity.parquet</code> (docs/ANALYSIS.md, \"Sensitivity\"): for a Morris design the mean absolute elementary effect &mu;* (in the indicator's unit per parameter range), for a Sobol design the total index ST (share of the variance); whiskers are 95% bootstrap intervals.</p>\n";
        for (k, (path, indices)) in report.sensitivity.iter().enumerate() {
            let _ = writeln!(html, "<h3>{}</h3>", plain(&path.display().to_string()));
            for indicator in SENSITIVITY_INDICATORS {
                let mut bars: Vec<Bar> = indices
                    .iter()
                    .filter(|i| {
                        i.indicator == *indicator && (i.index == "mu_star" || i.index == "ST")
                    })
                    .map(|i| Bar {
                        label: i.parameter.clone(),
                        value: i.value,
                        interval: i.interval,
                    })
                    .collect();
                if bars.is_empty() {
                    continue;
                }
                bars.sort_by(|a, b| b.value.total_cmp(&a.value));
                let index = indices
                    .iter()
                    .find(|i| {
                        i.indicator == *indicator && (i.index == "mu_star" || i.index == "ST")
                    })
                    .map_or("", |i| {
                        if i.index == "ST" {
                            "ST (share of variance)"
                        } else {
                            "mu* (per parameter range)"
                        }
                    });
                let figure = bars_svg(indicator, index, &bars).map_err(chart_error)?;
                let reading = format!(
                    "Most influential: {} ({}).",
                    bars[0].label,
                    short(bars[0].value)
                );
                let _ = writeln!(
                    html,
                    "<figure id=\"sensitivity-{k}-{}\" class=\"chart\">\n{figure}\n<figcaption><strong>{}</strong></figcaption>\n</figure>",
                    slug(indicator),
                    plain(&reading)
                );
            }
        }
        html += "</section>\n";
    }
    if !report.fits.is_empty() {
        html += "<section id=\"fit\">\n<h2>Calibration fits</h2>\n<p class=\"meta\">Each fit (<code>moatsim calibrate --fit</code>, docs/CALIBRATION.md, \"Fitting\") is drawn above as two scenarios, the scenario as it stood and the best point found, and compared in the table of differences. Here: the tolerance schedule of its ABC-SMC search and the scorecard before and after. A fit tunes assumptions; a target reached only at the edge of a parameter's range points at a missing mechanism.</p>\n";
        for (k, fit) in report.fits.iter().enumerate() {
            let _ = writeln!(html, "<h3>{}</h3>", plain(&fit.dir.display().to_string()));
            let line = |label: &str, values: Vec<f64>| Line {
                label: label.to_string(),
                band: Band {
                    time: fit
                        .generations
                        .iter()
                        .map(|g| f64::from(g.generation))
                        .collect(),
                    p10: values.clone(),
                    median: values.clone(),
                    p90: values,
                    runs: 1,
                },
            };
            let lines = [
                line(
                    "tolerance",
                    fit.generations.iter().map(|g| g.tolerance).collect(),
                ),
                line(
                    "best distance in the generation",
                    fit.generations.iter().map(|g| g.best).collect(),
                ),
            ];
            let figure = svg_over(
                "generation",
                &format!("{}: the search", fit.name),
                "distance (0 = every target inside)",
                1.0,
                &lines,
                false,
            )
            .map_err(chart_error)?;
            let reading = format!(
                "Best point: generation {}, particle {}, distance {} ({} generations of {} points).",
                fit.best_generation,
                fit.best_particle,
                short(fit.best_distance),
                fit.generations.len(),
                fit.generations.first().map_or(0, |g| g.proposed)
            );
            let _ = writeln!(
                html,
                "<figure id=\"fit-{k}-schedule\" class=\"chart\">\n{figure}\n<figcaption><strong>{}</strong></figcaption>\n</figure>",
                plain(&reading)
            );
            html += "<table>\n<tr><th>target</th><th>published</th><th>before (seeds' range)</th><th>after</th><th>inside at seeds</th></tr>\n";
            for row in &fit.scorecard {
                let range = |values: &[Option<f64>]| {
                    let known: Vec<f64> = values.iter().flatten().copied().collect();
                    let low = known.iter().copied().fold(f64::INFINITY, f64::min);
                    let high = known.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    if known.is_empty() {
                        "n/a".to_string()
                    } else if compact(low) == compact(high) {
                        compact(low)
                    } else {
                        format!("{}–{}", compact(low), compact(high))
                    }
                };
                let published =
                    if (row.high - row.low).abs() <= f64::EPSILON * row.high.abs().max(1.0) {
                        format!("{} ±10%", compact(row.low))
                    } else {
                        format!("{}–{}", compact(row.low), compact(row.high))
                    };
                let changed = row.inside_before != row.inside_after;
                let _ = writeln!(
                    html,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}{} → {}{}</td></tr>",
                    plain(&row.target),
                    published,
                    range(&row.before),
                    range(&row.after),
                    if changed { "<strong>" } else { "" },
                    row.inside_before,
                    row.inside_after,
                    if changed { "</strong>" } else { "" },
                );
            }
            html += "</table>\n";
        }
        html += "</section>\n";
    }
    html += "</body>\n</html>\n";
    Ok(html)
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

fn figure_html(
    html: &mut String,
    id: &str,
    chart: &ChartDef,
    figure: Option<String>,
    reading: &str,
) {
    let _ = writeln!(html, "<figure id=\"{}\" class=\"chart\">", plain(id));
    match figure {
        Some(svg) => *html += &svg,
        None => {
            let _ = write!(
                html,
                "<p class=\"missing\">{}: no run has this series.</p>",
                chart.title
            );
        }
    }
    let _ = writeln!(
        html,
        "\n<figcaption><strong>{}</strong> {}</figcaption>\n</figure>",
        plain(reading),
        chart.look_for
    );
}

fn horizon_label(band: &Band) -> String {
    band.time.last().map_or_else(String::new, |t| {
        let year = t.floor();
        format!("{}Q{}", year as i64, ((t - year) * 4.0).round() as i64 + 1)
    })
}

/// "At 2030Q4: baseline 130 [127–133], power-crunch 120 [118–121] USD/MWh."
fn overlay_reading(chart: &ChartDef, lines: &[Line]) -> String {
    let Some(first) = lines.first() else {
        return String::new();
    };
    let parts: Vec<String> = lines
        .iter()
        .filter_map(|line| {
            let b = &line.band;
            let last = b.median.len().checked_sub(1)?;
            Some(if b.runs > 1 {
                format!(
                    "{} {} [{}–{}]",
                    line.label,
                    short(b.median[last] * chart.scale),
                    short(b.p10[last] * chart.scale),
                    short(b.p90[last] * chart.scale)
                )
            } else {
                format!("{} {}", line.label, short(b.median[last] * chart.scale))
            })
        })
        .collect();
    format!(
        "At {}: {} ({}).",
        horizon_label(&first.band),
        parts.join(", "),
        chart.y_label
    )
}

/// "At 2030Q4 the largest is us-east (40.1 million H100e)."
fn breakdown_reading(chart: &ChartDef, lines: &[Line]) -> String {
    let largest = lines
        .iter()
        .filter_map(|l| Some((l, *l.band.median.last()?)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    match largest {
        Some((line, value)) => format!(
            "At {} the largest is {} ({} {}).",
            horizon_label(&line.band),
            line.label,
            short(value * chart.scale),
            chart.y_label
        ),
        None => String::new(),
    }
}

fn comparison_html(html: &mut String, comparison: &Comparison) {
    let _ = writeln!(
        html,
        "<h3>{} minus {} ({} paired seeds)</h3>\n<table>\n<tr><th>indicator</th><th>{}</th><th>{}</th><th>difference</th><th>90% interval</th><th>sign</th><th>unit</th></tr>",
        plain(&comparison.b),
        plain(&comparison.a),
        comparison.seeds.len(),
        plain(&comparison.a),
        plain(&comparison.b)
    );
    for row in &comparison.indicators {
        let [a, b, difference, interval, sign] = row.cells();
        let difference = if row.excludes_zero() {
            format!("<strong>{difference}</strong>")
        } else {
            difference
        };
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{a}</td><td>{b}</td><td>{difference}</td><td>{interval}</td><td>{sign}</td><td>{}</td></tr>",
            row.indicator, row.unit
        );
    }
    *html += "</table>\n";
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

const STYLE: &str = "body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:780px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ddd;padding-bottom:.2em}\
.meta{color:#555;font-size:.92em}figure.chart{margin:1.2em 0}figure.chart svg{max-width:100%;height:auto}\
figcaption{font-size:.92em;color:#333}table{border-collapse:collapse;font-size:.85em;margin:.6em 0 1.4em}\
td,th{border:1px solid #ddd;padding:.25em .5em;text-align:right}td:first-child,th:first-child{text-align:left}\
nav ol{columns:2;font-size:.95em}.missing{color:#a00}code{font-size:.9em}";
