//! `moatsim explore`: an uncertainty ensemble's runs, the claims they test,
//! and the boxes of inputs where each claim holds (issue 29;
//! docs/ANALYSIS.md, "Claims").
//!
//! The pure pieces are `claims` (predicates, shares with intervals, KS
//! scores) and `moatsim_sensitivity::prim`; this module applies them to the
//! runs and writes `ensemble.parquet`, `claims.parquet` and `boxes.parquet`.

use std::path::Path;

use moatsim_output::runs::RunsColumn;
use moatsim_sensitivity::prim::{PrimOptions, Trajectory, prim, quasi_p_values};

use crate::AnalysisError;
use crate::claims::{Predicate, PredicateError, Z_90, ks_distance, share_with_interval};
use crate::indicators::{INDICATORS, RunIndicators};
use crate::moat::MoatHalfLife;

/// An indicator that compares a run with its pair in the spec's first
/// scenario (the reference): the run of the same design point and seed.
/// Both share every random stream, so they differ only by what the scenario
/// changes (`moat`).
#[derive(Debug, Clone, Copy)]
pub struct PairedIndicator {
    pub name: &'static str,
    pub unit: &'static str,
    pub description: &'static str,
}

/// The paired indicators, in column order: the moat half-life of
/// `docs/ANALYSIS.md` ("The moat half-life"), as `moatsim compare` gives it
/// per seed.
pub const PAIRED_INDICATORS: &[PairedIndicator] = &[
    PairedIndicator {
        name: "moat_half_life_quarters",
        unit: "quarters",
        description: "Quarters until the compute-share lead this scenario gives a lab over the first scenario (same design point and seed) falls to half; censored at the horizon (then a lower bound, see moat_censored)",
    },
    PairedIndicator {
        name: "moat_lead",
        unit: "share",
        description: "That lead: the lab's mean gain in share of labs' online compute over the three quarters after the two runs first differ",
    },
    PairedIndicator {
        name: "moat_censored",
        unit: "0 or 1",
        description: "1 when the lead had not halved by the horizon (moat_half_life_quarters is then a lower bound), else 0",
    },
];

/// The paired indicators' values for a run, in [`PAIRED_INDICATORS`] order:
/// NaN when the run has no pair (it is in the first scenario) or no lab
/// gained.
pub fn paired_values(moat: Option<&MoatHalfLife>) -> Vec<f64> {
    match moat {
        Some(m) => vec![m.quarters, m.lead, if m.censored { 1.0 } else { 0.0 }],
        None => vec![f64::NAN; PAIRED_INDICATORS.len()],
    }
}

/// Whether `name` is a paired indicator.
pub fn is_paired(name: &str) -> bool {
    PAIRED_INDICATORS.iter().any(|p| p.name == name)
}

/// One run of the ensemble: its inputs (one value per explored parameter),
/// its indicators and its paired indicators.
#[derive(Debug, Clone)]
pub struct EnsembleRun {
    pub run_id: String,
    /// The scenario it ran.
    pub scenario: String,
    pub seed: u64,
    pub design_point: u32,
    pub inputs: Vec<f64>,
    pub indicators: RunIndicators,
    /// In [`PAIRED_INDICATORS`] order; NaN where not defined.
    pub paired: Vec<f64>,
    /// The spec's own indicators (`custom`), by name, in spec order; every
    /// run has the same names.
    pub defined: Vec<(String, f64)>,
}

/// A claim to test: its name, its statement in words and its predicate.
#[derive(Debug, Clone)]
pub struct ClaimToTest {
    pub name: String,
    pub statement: String,
    pub predicate_text: String,
    pub predicate: Predicate,
    /// The scenarios it is about, by name: it is tested on each one's runs
    /// apart.
    pub scenarios: Vec<String>,
}

/// What the ensemble says about one claim in one scenario.
#[derive(Debug, Clone)]
pub struct ClaimResult {
    pub name: String,
    pub scenario: String,
    pub statement: String,
    pub predicate: String,
    pub runs: usize,
    pub holds: usize,
    /// Share of runs in which it holds, with its 90% Wilson interval.
    pub share: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// Per input, the KS distance between its values where the claim holds
    /// and where it fails.
    pub scores: Vec<f64>,
    /// PRIM's trajectory over the inputs where the claim holds.
    pub trajectory: Trajectory,
    /// The documented default box: the densest with coverage ≥ 0.5.
    pub chosen: usize,
    /// The runs it was tested on (indices into the ensemble), and whether it
    /// holds in each.
    pub tested_runs: Vec<usize>,
    pub holds_by_run: Vec<bool>,
}

/// The minimum coverage of the box chosen by default.
pub const MIN_COVERAGE: f64 = 0.5;

/// Tests every claim on the runs of each scenario it is about, in claim
/// order, then scenario order. A scenario with no runs gives no result.
pub fn test_claims(
    claims: &[ClaimToTest],
    runs: &[EnsembleRun],
) -> Result<Vec<ClaimResult>, PredicateError> {
    let mut results = Vec::new();
    for claim in claims {
        for scenario in &claim.scenarios {
            let tested: Vec<usize> = (0..runs.len())
                .filter(|&i| &runs[i].scenario == scenario)
                .collect();
            if !tested.is_empty() {
                results.push(test_claim(claim, scenario, runs, tested)?);
            }
        }
    }
    Ok(results)
}

/// One claim on the runs `tested`: its share with an interval, a KS score
/// per input and PRIM's trajectory.
fn test_claim(
    claim: &ClaimToTest,
    scenario: &str,
    runs: &[EnsembleRun],
    tested: Vec<usize>,
) -> Result<ClaimResult, PredicateError> {
    let subset: Vec<&EnsembleRun> = tested.iter().map(|&i| &runs[i]).collect();
    let inputs: Vec<Vec<f64>> = subset.iter().map(|r| r.inputs.clone()).collect();
    let dims = subset.first().map_or(0, |r| r.inputs.len());
    let holds: Vec<bool> = subset
        .iter()
        .map(|run| claim.predicate.holds(&|name| indicator_value(run, name)))
        .collect::<Result<_, _>>()?;
    let k = holds.iter().filter(|h| **h).count();
    let (share, ci_low, ci_high) = share_with_interval(k, subset.len(), Z_90);
    let (yes, no): (Vec<_>, Vec<_>) = subset.iter().zip(&holds).partition(|(_, h)| **h);
    let scores = (0..dims)
        .map(|j| {
            ks_distance(
                &yes.iter().map(|(r, _)| r.inputs[j]).collect::<Vec<_>>(),
                &no.iter().map(|(r, _)| r.inputs[j]).collect::<Vec<_>>(),
            )
        })
        .collect();
    let trajectory = prim(&inputs, &holds, &PrimOptions::default());
    let chosen = trajectory.choose(MIN_COVERAGE);
    Ok(ClaimResult {
        name: claim.name.clone(),
        scenario: scenario.to_string(),
        statement: claim.statement.clone(),
        predicate: claim.predicate_text.clone(),
        runs: subset.len(),
        holds: k,
        share,
        ci_low,
        ci_high,
        scores,
        trajectory,
        chosen,
        tested_runs: tested,
        holds_by_run: holds,
    })
}

/// An indicator a predicate may read: `Some(NaN)` when the run could not
/// measure it, `None` when there is no such indicator.
fn indicator_value(run: &EnsembleRun, name: &str) -> Option<f64> {
    if let Some((_, v)) = run.defined.iter().find(|(n, _)| n == name) {
        return Some(*v);
    }
    if let Some(j) = PAIRED_INDICATORS.iter().position(|p| p.name == name) {
        return Some(run.paired.get(j).copied().unwrap_or(f64::NAN));
    }
    INDICATORS
        .iter()
        .any(|i| i.name == name)
        .then(|| run.indicators.get(name).unwrap_or(f64::NAN))
}

/// `ensemble.parquet`: one row per run with its inputs and its indicators.
pub fn write_ensemble(
    path: &Path,
    parameters: &[String],
    runs: &[EnsembleRun],
) -> Result<(), AnalysisError> {
    let mut columns = vec![
        (
            "run_id".to_string(),
            RunsColumn::Text(runs.iter().map(|r| r.run_id.clone()).collect()),
        ),
        (
            "scenario".to_string(),
            RunsColumn::Text(runs.iter().map(|r| r.scenario.clone()).collect()),
        ),
        (
            "seed".to_string(),
            RunsColumn::Count(runs.iter().map(|r| r.seed).collect()),
        ),
        (
            "design_point".to_string(),
            RunsColumn::Count(runs.iter().map(|r| u64::from(r.design_point)).collect()),
        ),
    ];
    for (j, name) in parameters.iter().enumerate() {
        columns.push((
            name.clone(),
            RunsColumn::Number(runs.iter().map(|r| Some(r.inputs[j])).collect()),
        ));
    }
    for indicator in INDICATORS {
        columns.push((
            indicator.name.to_string(),
            RunsColumn::Number(
                runs.iter()
                    .map(|r| r.indicators.get(indicator.name))
                    .collect(),
            ),
        ));
    }
    let defined: Vec<&str> = runs
        .first()
        .map(|r| r.defined.iter().map(|(n, _)| n.as_str()).collect())
        .unwrap_or_default();
    for (j, name) in defined.iter().enumerate() {
        columns.push((
            (*name).to_string(),
            RunsColumn::Number(
                runs.iter()
                    .map(|r| r.defined.get(j).map(|(_, v)| *v).filter(|v| v.is_finite()))
                    .collect(),
            ),
        ));
    }
    for (j, paired) in PAIRED_INDICATORS.iter().enumerate() {
        columns.push((
            paired.name.to_string(),
            RunsColumn::Number(
                runs.iter()
                    .map(|r| r.paired.get(j).copied().filter(|v| v.is_finite()))
                    .collect(),
            ),
        ));
    }
    crate::write_table(path, &columns)
}

/// `claims.parquet`: one row per claim and input, with the claim's share
/// (repeated on its rows) and the input's KS feature score.
pub fn write_claims(
    path: &Path,
    parameters: &[String],
    results: &[ClaimResult],
) -> Result<(), AnalysisError> {
    let rows: Vec<(&ClaimResult, usize)> = results
        .iter()
        .flat_map(|r| (0..parameters.len()).map(move |j| (r, j)))
        .collect();
    let text = |f: &dyn Fn(&ClaimResult, usize) -> String| {
        RunsColumn::Text(rows.iter().map(|(r, j)| f(r, *j)).collect())
    };
    let number = |f: &dyn Fn(&ClaimResult, usize) -> f64| {
        RunsColumn::Number(
            rows.iter()
                .map(|(r, j)| Some(f(r, *j)).filter(|v| v.is_finite()))
                .collect(),
        )
    };
    let columns = vec![
        ("claim".to_string(), text(&|r, _| r.name.clone())),
        ("scenario".to_string(), text(&|r, _| r.scenario.clone())),
        ("statement".to_string(), text(&|r, _| r.statement.clone())),
        ("predicate".to_string(), text(&|r, _| r.predicate.clone())),
        (
            "runs".to_string(),
            RunsColumn::Count(rows.iter().map(|(r, _)| r.runs as u64).collect()),
        ),
        (
            "holds".to_string(),
            RunsColumn::Count(rows.iter().map(|(r, _)| r.holds as u64).collect()),
        ),
        ("share".to_string(), number(&|r, _| r.share)),
        ("ci_low".to_string(), number(&|r, _| r.ci_low)),
        ("ci_high".to_string(), number(&|r, _| r.ci_high)),
        ("parameter".to_string(), text(&|_, j| parameters[j].clone())),
        ("ks_distance".to_string(), number(&|r, j| r.scores[j])),
    ];
    crate::write_table(path, &columns)
}

/// `boxes.parquet`: every box of every claim's PRIM trajectory, one row per
/// box and input: the box's bounds on the input, the input's explored range,
/// the box's coverage, density and mass, whether the box restricts the
/// input and its quasi-p-value when it does, and whether the box is the one
/// chosen by default.
pub fn write_boxes(
    path: &Path,
    parameters: &[String],
    runs: &[EnsembleRun],
    results: &[ClaimResult],
) -> Result<(), AnalysisError> {
    let mut claim = Vec::new();
    let mut scenario = Vec::new();
    let mut box_index = Vec::new();
    let mut chosen = Vec::new();
    let mut parameter = Vec::new();
    let (mut low, mut high, mut range_low, mut range_high) = (vec![], vec![], vec![], vec![]);
    let (mut coverage, mut density, mut mass, mut quasi_p) = (vec![], vec![], vec![], vec![]);
    let mut restricted = Vec::new();
    for result in results {
        let holds = &result.holds_by_run;
        let inputs: Vec<Vec<f64>> = result
            .tested_runs
            .iter()
            .map(|&i| runs[i].inputs.clone())
            .collect();
        for (b, step) in result.trajectory.steps.iter().enumerate() {
            let p = quasi_p_values(&inputs, holds, &step.boundary, &result.trajectory.full);
            for (j, name) in parameters.iter().enumerate() {
                claim.push(result.name.clone());
                scenario.push(result.scenario.clone());
                box_index.push(b as u64);
                chosen.push(if b == result.chosen { "yes" } else { "no" }.to_string());
                parameter.push(name.clone());
                low.push(Some(step.boundary.low[j]));
                high.push(Some(step.boundary.high[j]));
                range_low.push(Some(result.trajectory.full.low[j]));
                range_high.push(Some(result.trajectory.full.high[j]));
                coverage.push(Some(step.coverage));
                density.push(Some(step.density));
                mass.push(Some(step.mass));
                let is_restricted = step.restricted.contains(&j);
                restricted.push(if is_restricted { "yes" } else { "no" }.to_string());
                quasi_p.push(p.iter().find(|(k, _)| *k == j).map(|(_, v)| *v));
            }
        }
    }
    let columns = vec![
        ("claim".to_string(), RunsColumn::Text(claim)),
        ("scenario".to_string(), RunsColumn::Text(scenario)),
        ("box".to_string(), RunsColumn::Count(box_index)),
        ("chosen".to_string(), RunsColumn::Text(chosen)),
        ("parameter".to_string(), RunsColumn::Text(parameter)),
        ("low".to_string(), RunsColumn::Number(low)),
        ("high".to_string(), RunsColumn::Number(high)),
        ("explored_low".to_string(), RunsColumn::Number(range_low)),
        ("explored_high".to_string(), RunsColumn::Number(range_high)),
        ("restricted".to_string(), RunsColumn::Text(restricted)),
        ("quasi_p".to_string(), RunsColumn::Number(quasi_p)),
        ("coverage".to_string(), RunsColumn::Number(coverage)),
        ("density".to_string(), RunsColumn::Number(density)),
        ("mass".to_string(), RunsColumn::Number(mass)),
    ];
    crate::write_table(path, &columns)
}

/// Each claim in words: the share with its interval, the inputs that
/// separate most, and the chosen box's restrictions.
pub fn render(parameters: &[String], results: &[ClaimResult]) -> String {
    let mut out = String::new();
    for r in results {
        out.push_str(&format!(
            "{} ({}): {}\n  holds in {:.0}% [{:.0}–{:.0}%] of {} runs ({})\n",
            r.name,
            r.scenario,
            r.statement,
            100.0 * r.share,
            100.0 * r.ci_low,
            100.0 * r.ci_high,
            r.runs,
            r.predicate
        ));
        let mut ranked: Vec<usize> = (0..parameters.len()).collect();
        ranked.sort_by(|&a, &b| r.scores[b].total_cmp(&r.scores[a]));
        let top: Vec<String> = ranked
            .iter()
            .take(3)
            .map(|&j| format!("{} {:.2}", parameters[j], r.scores[j]))
            .collect();
        out.push_str(&format!(
            "  inputs that separate it (KS): {}\n",
            top.join(", ")
        ));
        let step = &r.trajectory.steps[r.chosen];
        if step.restricted.is_empty() {
            out.push_str("  no box of inputs concentrates it (coverage ≥ 0.5)\n");
        } else {
            let bounds: Vec<String> = step
                .restricted
                .iter()
                .map(|&j| {
                    format!(
                        "{} in [{:.4}, {:.4}]",
                        parameters[j], step.boundary.low[j], step.boundary.high[j]
                    )
                })
                .collect();
            out.push_str(&format!(
                "  box (coverage {:.2}, density {:.2}, mass {:.2}): {}\n",
                step.coverage,
                step.density,
                step.mass,
                bounds.join(", ")
            ));
        }
    }
    out
}
