//! `moatsim calibrate --fit SPEC`: searches the parameters a fit spec names,
//! within their ranges, for values that bring the scenario inside the named
//! published targets at every seed, by ABC-SMC
//! ([`moatsim_sensitivity::abc`]).
//!
//! Each generation is a sweep ([`crate::sweep::run_sweep`]): its runs are
//! sharded, resumable and can run as Slurm array tasks. A generation's points
//! are a pure function of the spec and the earlier generations' results, so a
//! rerun recomputes them, skips every complete run and carries on; a shard
//! whose generation is not complete yet (other shards still running) stops
//! and says so.
//!
//! Layout under the fit's folder:
//! - `fit-spec.json`: what makes the fit's points (its spec but the number
//!   of generations); a folder made with another spec is refused;
//! - `reference/`: the scenario as it stands at every seed (the scorecard
//!   before);
//! - `generation=<g>/`: generation `g`'s runs, as a sweep folder, and once
//!   it is scored its particles' distances (`distances.json`, so that a
//!   rerun or a waiting shard reads no run twice);
//! - `fit.parquet`: every point tried (generation, particle, parameter values,
//!   distance, tolerance, accepted, weight);
//! - `fitted.toml`: the best point as a scenario overlay;
//! - `scorecard.txt` and `scorecard.parquet`: every target before and after,
//!   per seed.
//!
//! A fit tunes assumptions. A target that only a parameter far from its
//! sources can reach points at a missing mechanism, which should be fixed
//! instead (docs/CALIBRATION.md, "Fitting").

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use moatsim_config::ConfigError;
use moatsim_config::fit::FitSpec;
use moatsim_config::sweep::SweepPlan;
use moatsim_sensitivity::abc::{self, Particle};
use serde::Serialize;

use crate::calibrate::{
    CalibrateError, CalibrationReport, PUBLISHED_FIGURES_CSV, Scorecard, calibrate, lands_inside,
    published_figures,
};
use crate::sweep::{
    RunOutcome, Shard, SweepError, SweepOptions, published_dir, run_sweep, sweep_status,
};

mod folder;
mod write;

use folder::{claim_folder, read_distances, write_distances};
pub use write::{render_scorecards, write_fit};

#[derive(Debug, thiserror::Error)]
pub enum FitError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Sweep(#[from] SweepError),
    #[error(transparent)]
    Calibrate(#[from] CalibrateError),
    #[error("{count} run(s) of {stage} failed (first: {first}); rerun the fit to retry them")]
    RunsFailed {
        stage: String,
        count: usize,
        first: String,
    },
    #[error(
        "target {target} has no value in {} (the run is too short to measure it); give targets the scenario measures, or more quarters",
        run.display()
    )]
    Unmeasured { target: String, run: PathBuf },
    #[error(
        "{} already exists and differs from what this fit writes; nothing was overwritten (give another --out, or remove fit.parquet, fitted.toml and scorecard.* there to replace them: the runs are kept)",
        path.display()
    )]
    Exists { path: PathBuf },
    #[error(
        "{} holds a fit made with another spec ({detail}); nothing was run (give another --out, or remove the folder)",
        dir.display()
    )]
    OtherSpec { dir: PathBuf, detail: String },
    #[error("cannot write {}: {detail}", path.display())]
    Write { path: PathBuf, detail: String },
    #[error(
        "the fit tried no point ({particles} particles, {generations} generations); a fit spec needs at least 2 particles and 1 generation (moatsim_config::fit::load_fit checks this)"
    )]
    NoPoint { particles: u32, generations: u32 },
}

/// The names of the published `target` figures, in file order.
pub fn target_names() -> Vec<String> {
    // The figures are compiled in and a unit test parses them
    // (`calibrate::tests`), so the empty default is never taken by a build
    // that passed its tests.
    published_figures(PUBLISHED_FIGURES_CSV)
        .map(|figures| {
            figures
                .into_iter()
                .filter(|f| f.class == "target")
                .map(|f| f.name)
                .collect()
        })
        .unwrap_or_default()
}

/// How far `value` lies outside `[low, high]` (a single published number:
/// ±10%, as the calibration report counts it): 0 inside, else the size of
/// the log-ratio to the nearest bound — scale-free, so a miss by half counts
/// the same for dollars as for growth rates. Where the bound or the value is
/// not positive, the gap in widths of the band.
pub fn miss(value: f64, low: f64, high: f64) -> f64 {
    if lands_inside(value, low, high) {
        return 0.0;
    }
    let (low, high) = if high - low <= f64::EPSILON * high.abs().max(1.0) {
        let band = 0.10 * low.abs();
        (low - band, high + band)
    } else {
        (low, high)
    };
    let bound = if value < low { low } else { high };
    if value > 0.0 && bound > 0.0 {
        (value / bound).ln().abs()
    } else {
        let width = (high - low).max(f64::MIN_POSITIVE);
        (value - bound).abs() / width
    }
}

/// A point's distance: for each scored target, its worst miss over the seeds,
/// summed over the targets. Zero exactly when every target lands inside at
/// every seed.
pub fn distance(misses_by_target: &[Vec<f64>]) -> f64 {
    misses_by_target
        .iter()
        .map(|seeds| seeds.iter().copied().fold(0.0, f64::max))
        .sum()
}

/// Where the fit is made.
#[derive(Debug, Clone)]
pub struct FitOptions {
    pub out_dir: PathBuf,
    pub shard: Shard,
    pub jobs: usize,
}

/// One generation of the search.
#[derive(Debug, Clone, Serialize)]
pub struct GenerationSummary {
    pub generation: u32,
    pub proposed: usize,
    pub accepted: usize,
    pub tolerance: f64,
    /// The smallest distance in the generation.
    pub best: f64,
}

/// Every point tried.
#[derive(Debug, Clone, Serialize)]
pub struct Tried {
    pub generation: u32,
    pub particle: u32,
    pub unit: Vec<f64>,
    /// As written to `--set`.
    pub values: BTreeMap<String, String>,
    pub distance: f64,
    /// Its weight in the generation's population; `None` when not accepted.
    pub weight: Option<f64>,
}

/// A parameter's fitted value and the final population's spread.
#[derive(Debug, Clone, Serialize)]
pub struct FittedParameter {
    pub path: String,
    pub low: f64,
    pub high: f64,
    pub fitted: String,
    /// Weighted mean and extremes of the final population.
    pub population_mean: f64,
    pub population_min: f64,
    pub population_max: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct FitResult {
    pub name: String,
    pub targets: Vec<String>,
    /// Targets that landed at every seed before the fit and count in its
    /// distance so that they stay in (`keep_landed`).
    pub kept: Vec<String>,
    pub generations: Vec<GenerationSummary>,
    pub tried: Vec<Tried>,
    pub parameters: Vec<FittedParameter>,
    /// The distance of the scenario as it stands and of the best point.
    pub reference_distance: f64,
    pub best_distance: f64,
    pub best_generation: u32,
    pub best_particle: u32,
    pub before: Scorecard,
    pub after: Scorecard,
    pub runs: usize,
}

/// Where a fit stands after this process's share.
#[derive(Debug)]
pub enum FitState {
    /// Runs of `stage` are still to be made by other shards.
    Waiting {
        stage: String,
        incomplete: usize,
        total: usize,
    },
    Done(Box<FitResult>),
}

/// Runs this shard's share of the fit until it is done or waits for other
/// shards. `on_run` hears each finished run with its stage's name;
/// `on_generation` each scored generation.
pub fn run_fit(
    spec: &FitSpec,
    options: &FitOptions,
    on_run: impl Fn(&str, &RunOutcome) + Sync,
    on_generation: impl Fn(&GenerationSummary),
) -> Result<FitState, FitError> {
    claim_folder(spec, &options.out_dir)?;
    let reference = spec.reference_plan()?;
    let reference_dir = options.out_dir.join("reference");
    let units = abc::prior_draws(
        spec.particles as usize,
        spec.parameters.len(),
        spec.search_seed,
    );
    let plan = spec.generation_plan(0, &units)?;
    // The reference and generation 0 do not depend on each other: let every
    // shard start both before anyone waits.
    if let Some(waiting) = run_stage(&reference, &reference_dir, options, &on_run)? {
        run_stage(&plan, &generation_dir(options, 0), options, &on_run)?;
        return Ok(waiting);
    }
    let before = Scorecard::new(reports(&reference, &reference_dir)?);
    let (targets, kept) = scored_targets(spec, &before);
    let scored: Vec<String> = targets.iter().chain(&kept).cloned().collect();
    let reference_distance = score(&before.runs, &scored, &spec.target_ranges)?;

    let mut search = Search::new(reference.runs.len());
    if let ControlFlow::Break(waiting) = search.run(
        spec,
        options,
        &scored,
        (units, plan),
        &on_run,
        &on_generation,
    )? {
        return Ok(waiting);
    }
    // A loaded spec has at least two particles and one generation, so a
    // point was tried; a spec built by hand without any is refused here.
    let best = search.best.ok_or(FitError::NoPoint {
        particles: spec.particles,
        generations: spec.generations,
    })?;
    // The best point's runs are on disk; its scorecard is measured.
    let best_reports = reports(
        &point_runs(
            &search.plans[best.generation as usize],
            best.particle as usize,
        ),
        &generation_dir(options, best.generation),
    )?;
    let parameters = fitted_parameters(spec, &search.population, &best);
    Ok(FitState::Done(Box::new(FitResult {
        name: spec.name.clone(),
        targets,
        kept,
        generations: search.summaries,
        reference_distance,
        best_distance: best.distance,
        best_generation: best.generation,
        best_particle: best.particle,
        tried: search.tried,
        parameters,
        before,
        after: Scorecard::new(best_reports),
        runs: search.runs,
    })))
}

/// The targets a fit's distance counts: the spec's (every target the
/// scenario measures when it names none), and apart from them the targets
/// kept in (`keep_landed`).
fn scored_targets(spec: &FitSpec, before: &Scorecard) -> (Vec<String>, Vec<String>) {
    let targets: Vec<String> = if spec.targets.is_empty() {
        // Every target the scenario measures.
        before
            .rows
            .iter()
            .filter(|row| row.values.first().copied().flatten().is_some())
            .map(|row| row.name.clone())
            .collect()
    } else {
        spec.targets.clone()
    };
    // Targets that land at every seed before the fit must stay in: a point
    // that moves one target in by moving another out is no better.
    let kept: Vec<String> = if spec.keep_landed {
        before
            .rows
            .iter()
            .filter(|row| !targets.contains(&row.name) && row.inside == before.runs.len())
            .map(|row| row.name.clone())
            .collect()
    } else {
        Vec::new()
    };
    (targets, kept)
}

/// The ABC-SMC search as it goes: every point tried, the best so far, each
/// generation's plan and summary, and the population and tolerance the next
/// generation is proposed from.
struct Search {
    tried: Vec<Tried>,
    best: Option<Tried>,
    plans: Vec<SweepPlan>,
    summaries: Vec<GenerationSummary>,
    population: Vec<Particle>,
    tolerance: Option<f64>,
    /// Runs made so far, the reference's included.
    runs: usize,
}

impl Search {
    fn new(reference_runs: usize) -> Self {
        Self {
            tried: Vec::new(),
            best: None,
            plans: Vec::new(),
            summaries: Vec::new(),
            population: Vec::new(),
            tolerance: None,
            runs: reference_runs,
        }
    }

    /// Scores generation after generation, from `first` (generation 0's
    /// points and plan), until the tolerance reaches zero or the spec's
    /// generations are done; breaks with `Waiting` where a generation's runs
    /// are not all complete yet.
    fn run(
        &mut self,
        spec: &FitSpec,
        options: &FitOptions,
        scored: &[String],
        first: (Vec<Vec<f64>>, SweepPlan),
        on_run: &(impl Fn(&str, &RunOutcome) + Sync),
        on_generation: &impl Fn(&GenerationSummary),
    ) -> Result<ControlFlow<FitState>, FitError> {
        let (mut units, mut plan) = first;
        for generation in 0..spec.generations {
            let dir = generation_dir(options, generation);
            let distances = match generation_distances(spec, options, scored, &plan, &dir, on_run)?
            {
                ControlFlow::Continue(distances) => distances,
                ControlFlow::Break(waiting) => return Ok(ControlFlow::Break(waiting)),
            };
            self.runs += plan.runs.len();
            let summary = self.score_generation(spec, generation, &units, &distances);
            on_generation(&summary);
            self.summaries.push(summary);
            let last = generation + 1 == spec.generations;
            if self.tolerance == Some(0.0) || last {
                break;
            }
            units = abc::propose(
                &self.population,
                spec.particles as usize,
                spec.search_seed,
                generation + 1,
            );
            self.plans.push(std::mem::replace(
                &mut plan,
                spec.generation_plan(generation + 1, &units)?,
            ));
        }
        self.plans.push(plan);
        Ok(ControlFlow::Continue(()))
    }

    /// Takes one generation's distances: its tolerance, the particles it
    /// accepts, every point it tried and the best point so far.
    fn score_generation(
        &mut self,
        spec: &FitSpec,
        generation: u32,
        units: &[Vec<f64>],
        distances: &[f64],
    ) -> GenerationSummary {
        let eps = abc::tolerance(self.tolerance, distances, spec.quantile);
        let previous = (generation > 0).then_some(self.population.as_slice());
        let accepted = abc::accept(previous, units, distances, eps);
        let summary = GenerationSummary {
            generation,
            proposed: spec.particles as usize,
            accepted: accepted.len(),
            tolerance: eps,
            best: distances.iter().copied().fold(f64::INFINITY, f64::min),
        };
        // The accepted particles keep their order, so match them back by
        // position among the points within the tolerance.
        let mut weights = accepted.iter().map(|p| p.weight);
        for (particle, (unit, &dist)) in units.iter().zip(distances).enumerate() {
            let weight = if dist <= eps { weights.next() } else { None };
            let point = Tried {
                generation,
                particle: particle as u32,
                unit: unit.clone(),
                values: spec.point(unit),
                distance: dist,
                weight,
            };
            // The best point tried: smallest distance, earliest on ties.
            if self.best.as_ref().is_none_or(|b| dist < b.distance) {
                self.best = Some(point.clone());
            }
            self.tried.push(point);
        }
        // A generation where nothing came within the tolerance keeps the
        // previous population and tolerance.
        if !accepted.is_empty() {
            self.population = accepted;
            self.tolerance = Some(eps);
        }
        summary
    }
}

/// A generation's distances, one per particle: read back if the generation
/// was scored before, else from its runs once this shard has made its share
/// of them; `Waiting` while other shards' runs are not complete.
fn generation_distances(
    spec: &FitSpec,
    options: &FitOptions,
    scored: &[String],
    plan: &SweepPlan,
    dir: &Path,
    on_run: &(impl Fn(&str, &RunOutcome) + Sync),
) -> Result<ControlFlow<FitState, Vec<f64>>, FitError> {
    let n = spec.particles as usize;
    // A scored generation's distances are kept beside its runs, so a rerun
    // or a waiting shard does not read every run again.
    if let Some(distances) = read_distances(dir, n) {
        return Ok(ControlFlow::Continue(distances));
    }
    if let Some(waiting) = run_stage(plan, dir, options, on_run)? {
        return Ok(ControlFlow::Break(waiting));
    }
    let mut distances = Vec::with_capacity(n);
    for particle in 0..n {
        let found = reports(&point_runs(plan, particle), dir)?;
        distances.push(score(&found, scored, &spec.target_ranges)?);
    }
    write_distances(dir, &distances)?;
    Ok(ControlFlow::Continue(distances))
}

/// Each parameter's fitted value (the best point's) and the final
/// population's weighted mean and extremes, in the parameter's own units.
fn fitted_parameters(
    spec: &FitSpec,
    population: &[Particle],
    best: &Tried,
) -> Vec<FittedParameter> {
    let total: f64 = population
        .iter()
        .map(|p| p.weight)
        .sum::<f64>()
        .max(f64::MIN_POSITIVE);
    spec.parameters
        .iter()
        .enumerate()
        .map(|(k, path)| {
            let [low, high] = spec.ranges[k];
            let scale = |u: f64| low + u * (high - low);
            let values: Vec<f64> = population.iter().map(|p| scale(p.unit[k])).collect();
            FittedParameter {
                path: path.clone(),
                low,
                high,
                fitted: best.values[path].clone(),
                population_mean: population
                    .iter()
                    .zip(&values)
                    .map(|(p, v)| p.weight * v)
                    .sum::<f64>()
                    / total,
                population_min: values.iter().copied().fold(f64::INFINITY, f64::min),
                population_max: values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            }
        })
        .collect()
}

/// The runs of one particle of a generation's plan.
fn point_runs(plan: &SweepPlan, particle: usize) -> SweepPlan {
    SweepPlan {
        runs: plan
            .runs
            .iter()
            .filter(|r| r.design_point == u32::try_from(particle).ok())
            .cloned()
            .collect(),
        ..plan.clone()
    }
}

fn generation_dir(options: &FitOptions, generation: u32) -> PathBuf {
    options.out_dir.join(format!("generation={generation}"))
}

/// Runs this shard's share of a stage; `Some(Waiting)` while other shards'
/// runs are not complete.
fn run_stage(
    plan: &SweepPlan,
    dir: &Path,
    options: &FitOptions,
    on_run: &(impl Fn(&str, &RunOutcome) + Sync),
) -> Result<Option<FitState>, FitError> {
    let sweep = SweepOptions {
        out_dir: dir.to_path_buf(),
        shard: options.shard,
        jobs: options.jobs,
    };
    let report = run_sweep(plan, &sweep, |outcome| on_run(&plan.name, outcome))?;
    if let Some((id, message)) = report.failed.first() {
        return Err(FitError::RunsFailed {
            stage: plan.name.clone(),
            count: report.failed.len(),
            first: format!("{id}: {message}"),
        });
    }
    let status = sweep_status(plan, dir)?;
    let incomplete = status.partial.len() + status.missing.len();
    Ok((incomplete > 0).then(|| FitState::Waiting {
        stage: plan.name.clone(),
        incomplete,
        total: plan.runs.len(),
    }))
}

/// The calibration reports of a plan's runs, in plan order.
fn reports(plan: &SweepPlan, dir: &Path) -> Result<Vec<CalibrationReport>, FitError> {
    plan.runs
        .iter()
        .map(|run| calibrate(&published_dir(dir, plan, run)).map_err(FitError::from))
        .collect()
}

/// The distance of one point from its runs' reports.
/// `ranges` replaces a target's published range (a fit spec's
/// `target_ranges`).
fn score(
    reports: &[CalibrationReport],
    targets: &[String],
    ranges: &BTreeMap<String, [f64; 2]>,
) -> Result<f64, FitError> {
    let mut by_target = Vec::with_capacity(targets.len());
    for target in targets {
        let mut misses = Vec::with_capacity(reports.len());
        for report in reports {
            let check = report.checks.iter().find(|c| &c.figure.name == target);
            match check.and_then(|c| c.simulated.map(|v| (v, &c.figure))) {
                Some((value, figure)) => {
                    let [low, high] = ranges
                        .get(target)
                        .copied()
                        .unwrap_or([figure.low, figure.high]);
                    misses.push(miss(value, low, high));
                }
                None => {
                    return Err(FitError::Unmeasured {
                        target: target.clone(),
                        run: report.run_dir.clone(),
                    });
                }
            }
        }
        by_target.push(misses);
    }
    Ok(distance(&by_target))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_miss_is_zero_inside_and_the_log_ratio_outside() {
        assert!(miss(10.0, 5.0, 40.0) == 0.0);
        assert!((miss(2.5, 5.0, 40.0) - 2f64.ln()).abs() < 1e-12);
        assert!((miss(80.0, 5.0, 40.0) - 2f64.ln()).abs() < 1e-12);
        // A single number is a ±10% band.
        assert!(miss(3.2, 3.0, 3.0) == 0.0);
        assert!((miss(6.6, 3.0, 3.0) - 2f64.ln()).abs() < 1e-12);
        // A zero bound: the gap in widths of the band.
        assert!((miss(-0.2, 0.0, 0.4) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn the_distance_is_zero_exactly_when_every_seed_lands() {
        assert!(distance(&[vec![0.0, 0.0], vec![0.0, 0.0]]) == 0.0);
        assert!((distance(&[vec![0.0, 0.3], vec![0.1, 0.0]]) - 0.4).abs() < 1e-12);
    }

    #[test]
    fn every_fit_spec_in_configs_loads() {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs/fits");
        let specs: Vec<PathBuf> = std::fs::read_dir(&folder)
            .expect("configs/fits")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        assert!(!specs.is_empty(), "no fit specs in {}", folder.display());
        for spec in specs {
            let loaded = moatsim_config::fit::load_fit(&spec, &target_names());
            assert!(loaded.is_ok(), "{}: {:?}", spec.display(), loaded.err());
        }
    }

    proptest! {
        #[test]
        fn a_miss_grows_with_the_gap_on_either_side(
            low in 0.1f64..10.0,
            width in 0.1f64..10.0,
            gap in 0.0f64..5.0,
            more in 0.01f64..5.0,
        ) {
            let high = low + width;
            prop_assert!(miss(high + gap, low, high) <= miss(high + gap + more, low, high));
            let below = (low - gap).max(1e-6);
            let further = (low - gap - more).max(1e-7);
            prop_assert!(miss(below, low, high) <= miss(further, low, high) + 1e-12);
            prop_assert!(miss(high + gap, low, high) >= 0.0);
        }
    }
}
