//! Sweep specs: a base scenario, a grid over config paths, optionally a Latin
//! hypercube over ranges, and seeds. [`plan`] expands a spec into its runs in a
//! stable order, each checked by loading its scenario with its overrides.
//!
//! ```toml
//! [sweep]
//! name = "smoke"
//! scenario = "../baseline.toml"          # relative to the sweep file
//! set = { "scenario.quarters" = 4 }      # fixed overrides for every run
//!
//! [seeds]
//! count = 2                              # derived from master_seed; or list = [1, 2]
//! master_seed = 2025
//!
//! [grid]
//! "cloud.rent_cash_share" = [0.02, 0.08]
//!
//! [latin_hypercube]                      # optional
//! samples = 4
//! ranges = { "world.diffusion_rate" = [0.02, 0.10] }
//! ```
//!
//! An `[explore]` spec may name several scenarios, `scenario = ["../baseline.toml",
//! "../mega-round.toml"]`: every scenario runs the same design points at the
//! same seeds, so their claims are compared on common inputs.
//!
//! Or, instead of a grid or hypercube, a global sensitivity design over
//! parameters whose ranges default to their recorded plausible ranges
//! (`moatsim params`):
//!
//! ```toml
//! [morris]                               # elementary effects
//! trajectories = 10
//! levels = 4
//! parameters = ["world.diffusion_rate", "app_builders.switching_cost_growth"]
//! ranges = { "app_builders.switching_cost_growth" = [0.0, 0.45] }  # optional
//!
//! [sobol]                                # or: first-order and total indices
//! base_samples = 64                      # runs: base_samples × (parameters + 2) × seeds
//! parameters = ["world.diffusion_rate", "cloud.rent_cash_share"]
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use moatsim_model::AgentId;
use moatsim_model::rng::{self, Purpose};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{ConfigError, Origin, Problem};

mod design;

pub use design::{Design, DesignMethod, design_value};
use design::{
    RawExplore, RawHypercube, RawMorris, RawSobol, design_points, hypercube_points,
    sensitivity_design,
};
pub(crate) use design::{design_ranges, refuses_fractions};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSweep {
    sweep: RawSweepHeader,
    seeds: RawSeeds,
    #[serde(default)]
    grid: BTreeMap<String, Vec<toml::Value>>,
    latin_hypercube: Option<RawHypercube>,
    morris: Option<RawMorris>,
    sobol: Option<RawSobol>,
    explore: Option<RawExplore>,
    #[serde(default)]
    claims: Vec<RawClaim>,
    #[serde(default)]
    indicators: Vec<RawIndicator>,
}

/// An indicator an ensemble's spec defines (`moatsim explore`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    name: toml::Spanned<String>,
    description: String,
    expression: toml::Spanned<String>,
}

/// An indicator as the spec defines it: its expression is read and checked
/// against the output schema by `moatsim explore`
/// (`moatsim_analysis::custom`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpecIndicator {
    pub name: String,
    pub description: String,
    pub expression: String,
    /// Where the spec writes its name and expression (line, column).
    pub name_at: (usize, usize),
    pub expression_at: (usize, usize),
}

/// A claim an ensemble tests (`moatsim explore`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClaim {
    name: String,
    statement: String,
    predicate: toml::Spanned<String>,
    /// The scenarios (by name) it is about; all of the spec's when absent.
    scenarios: Option<toml::Spanned<Vec<String>>>,
}

/// A claim as the spec states it: its predicate is read and checked against
/// the indicators by `moatsim explore` (`moatsim_analysis::claims`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Claim {
    pub name: String,
    pub statement: String,
    pub predicate: String,
    /// The scenarios it is tested in, by name, in the spec's order.
    pub scenarios: Vec<String>,
    /// Where the spec writes its predicate and its scenarios (line,
    /// column), for errors found later.
    pub predicate_at: (usize, usize),
    pub scenarios_at: Option<(usize, usize)>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSweepHeader {
    name: String,
    scenario: OneOrMany,
    #[serde(default)]
    set: BTreeMap<String, toml::Value>,
}

/// A scenario file, or (in an `[explore]` spec) a list of them.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn paths(&self) -> Vec<&str> {
        match self {
            OneOrMany::One(path) => vec![path.as_str()],
            OneOrMany::Many(paths) => paths.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSeeds {
    pub(crate) list: Option<Vec<u64>>,
    pub(crate) count: Option<u32>,
    pub(crate) master_seed: Option<u64>,
}

/// One run of a sweep.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedRun {
    /// Stable id: a hash of the scenario, the swept values and the seed, so it
    /// does not change when runs are added to or removed from the spec.
    pub run_id: String,
    /// Index into the plan's `scenarios`.
    pub scenario: usize,
    pub seed: u64,
    /// Swept parameter → value, as written to `--set` (TOML literal).
    pub parameters: BTreeMap<String, String>,
    /// The row of the sensitivity design this run evaluates (a design may
    /// visit the same values twice, so the row is part of the run id).
    pub design_point: Option<u32>,
}

impl PlannedRun {
    /// The `--set` overrides of this run: the sweep's fixed ones, then its own.
    pub fn overrides(&self, plan: &SweepPlan) -> Vec<String> {
        plan.fixed
            .iter()
            .chain(self.parameters.iter())
            .map(|(k, v)| format!("{k}={v}"))
            .chain(std::iter::once(format!("scenario.seed={}", self.seed)))
            .collect()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SweepPlan {
    pub name: String,
    pub spec_path: PathBuf,
    /// The scenarios its runs run: one, or several in an `[explore]` spec.
    pub scenarios: Vec<PlannedScenario>,
    /// Overrides every run shares.
    pub fixed: BTreeMap<String, String>,
    /// The swept parameter names, in column order.
    pub parameter_names: Vec<String>,
    pub runs: Vec<PlannedRun>,
    /// The design, for a `[morris]`, `[sobol]` or `[explore]` spec.
    pub design: Option<Design>,
    /// The claims an `[explore]` ensemble tests, in spec order.
    pub claims: Vec<Claim>,
    /// The indicators an `[explore]` spec defines, in spec order.
    pub indicators: Vec<SpecIndicator>,
}

/// A scenario a sweep runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedScenario {
    /// The scenario file, resolved against the spec's folder.
    pub path: PathBuf,
    /// Its name (runs are written under `scenario=<name>`).
    pub name: String,
}

impl SweepPlan {
    /// The scenario `run` runs.
    pub fn scenario_of(&self, run: &PlannedRun) -> &PlannedScenario {
        &self.scenarios[run.scenario]
    }

    /// The run table as text: one line per run, in plan order.
    pub fn render(&self) -> String {
        let over: Vec<String> = self
            .scenarios
            .iter()
            .map(|s| format!("{} ({})", s.path.display(), s.name))
            .collect();
        let mut out = format!(
            "sweep {} over {}: {} runs\n",
            self.name,
            over.join(", "),
            self.runs.len()
        );
        let several = self.scenarios.len() > 1;
        out.push_str(&format!("{:<14} {:>20}", "run_id", "seed"));
        if several {
            out.push_str("  scenario");
        }
        for name in &self.parameter_names {
            out.push_str(&format!("  {name}"));
        }
        out.push('\n');
        for run in &self.runs {
            out.push_str(&format!("{:<14} {:>20}", run.run_id, run.seed));
            if several {
                out.push_str(&format!("  {}", self.scenario_of(run).name));
            }
            for name in &self.parameter_names {
                let value = run.parameters.get(name).map_or("", String::as_str);
                out.push_str(&format!("  {value:>width$}", width = name.len()));
            }
            out.push('\n');
        }
        out
    }
}

/// Most runs one sweep may plan; a larger design is almost surely a mistake.
const MAX_RUNS: usize = 1_000_000;

/// A problem at a place in the spec file.
fn located(path: &str, line: usize, column: usize, message: impl Into<String>) -> Problem {
    Problem {
        path: path.to_string(),
        origin: if line > 0 {
            Origin::File { line, column }
        } else {
            Origin::Whole
        },
        message: message.into(),
    }
}

pub(crate) fn problem(path: &str, message: impl Into<String>) -> Problem {
    Problem {
        path: path.to_string(),
        origin: Origin::Whole,
        message: message.into(),
    }
}

/// Reads a spec file (a sweep's or a fit's) into its raw form; a TOML error
/// names the file, line and column.
pub(crate) fn read_spec<T: serde::de::DeserializeOwned>(
    spec_path: &Path,
) -> Result<T, ConfigError> {
    let text = std::fs::read_to_string(spec_path).map_err(|source| ConfigError::Read {
        path: spec_path.to_path_buf(),
        source,
    })?;
    toml::from_str(&text).map_err(|error| {
        let origin = match error.span() {
            Some(span) => {
                let (line, column) = crate::locate::line_and_column(&text, span.start);
                Origin::File { line, column }
            }
            None => Origin::Whole,
        };
        ConfigError::invalid(
            spec_path,
            vec![Problem {
                path: String::new(),
                origin,
                message: crate::locate::toml_message(&text, &error),
            }],
        )
    })
}

/// Reads a sweep spec and expands it into runs, checking every run's scenario.
pub fn plan(spec_path: &Path) -> Result<SweepPlan, ConfigError> {
    let invalid = |problems: Vec<Problem>| ConfigError::invalid(spec_path, problems);
    let raw: RawSweep = read_spec(spec_path)?;

    // Count the runs before building anything: a design of billions of runs
    // must be refused, not allocated.
    let total = planned_runs(&raw);
    if total > MAX_RUNS as u128 {
        return Err(invalid(vec![problem(
            "",
            format!(
                "plans {total} runs (grid values × hypercube samples or design points × seeds); allowed: at most {MAX_RUNS} runs in one sweep. Split it into several specs"
            ),
        )]));
    }

    // Every problem of the spec is reported at once, in this order.
    let mut problems = Vec::new();
    let seeds = seeds_of(&raw.seeds, &mut problems);
    check_name_and_grid(&raw, &mut problems);
    let hypercube = hypercube_points(&raw, &mut problems);
    check_one_design(&raw, &mut problems);
    let mut design = sensitivity_design(&raw, &mut problems);
    if !problems.is_empty() {
        return Err(invalid(problems));
    }

    let scenario_paths: Vec<PathBuf> = raw
        .sweep
        .scenario
        .paths()
        .into_iter()
        .map(|path| spec_path.parent().unwrap_or(Path::new(".")).join(path))
        .collect();
    let scenario_path = scenario_paths[0].clone();
    let fixed: BTreeMap<String, String> = raw
        .sweep
        .set
        .iter()
        .map(|(k, v)| (k.clone(), v.to_string()))
        .collect();
    let (points, parameter_names) = match &mut design {
        // A design's points replace the grid's single empty point.
        Some(design) => {
            let points = design_points(design, &scenario_path, &fixed);
            let numbered: Vec<_> = points
                .into_iter()
                .enumerate()
                .map(|(i, point)| (point, u32::try_from(i).ok()))
                .collect();
            (numbered, design.parameters.clone())
        }
        None => {
            let mut parameter_names: Vec<String> = raw.grid.keys().cloned().collect();
            if let Some(lhs) = &raw.latin_hypercube {
                parameter_names.extend(lhs.ranges.keys().cloned());
            }
            let points = grid_points(&raw.grid, &hypercube)
                .into_iter()
                .map(|point| (point, None))
                .collect();
            (points, parameter_names)
        }
    };
    // Every scenario runs the same points at the same seeds.
    let mut plan = plan_points(
        raw.sweep.name.clone(),
        spec_path,
        scenario_path,
        fixed.clone(),
        parameter_names.clone(),
        points.clone(),
        &seeds,
    )?;
    for path in &scenario_paths[1..] {
        let more = plan_points(
            raw.sweep.name.clone(),
            spec_path,
            path.clone(),
            fixed.clone(),
            parameter_names.clone(),
            points.clone(),
            &seeds,
        )?;
        plan.add_scenario(more);
    }
    plan.design = design;
    let problems = add_claims_and_indicators(&mut plan, spec_path, raw.claims, raw.indicators);
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    Ok(plan)
}

/// The plan's claims and the spec's own indicators, each with where it is
/// written, and the problems of the names they use: two scenarios with one
/// name, a claim naming a scenario the spec does not run.
fn add_claims_and_indicators(
    plan: &mut SweepPlan,
    spec_path: &Path,
    claims: Vec<RawClaim>,
    indicators: Vec<RawIndicator>,
) -> Vec<Problem> {
    let names: Vec<String> = plan.scenarios.iter().map(|s| s.name.clone()).collect();
    let mut problems = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if names[..i].contains(name) {
            problems.push(problem(
                "sweep.scenario",
                format!("names scenario {name:?} twice; allowed: scenarios with distinct names (each is a folder of runs)"),
            ));
        }
    }
    // Where each field is written, for the problems found from here on.
    let text = std::fs::read_to_string(spec_path).unwrap_or_default();
    let at = |span: std::ops::Range<usize>| crate::locate::line_and_column(&text, span.start);
    plan.claims = claims
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let scenarios_at = c.scenarios.as_ref().map(|s| at(s.span()));
            let listed: Vec<String> = c.scenarios.map(|s| s.into_inner()).unwrap_or_default();
            for name in &listed {
                if !names.contains(name) {
                    let (line, column) = scenarios_at.unwrap_or((0, 0));
                    problems.push(located(
                        &format!("claims[{i}].scenarios"),
                        line,
                        column,
                        format!(
                            "names {name:?}{}; allowed: the names of the spec's scenarios: {}",
                            crate::did_you_mean(
                                name,
                                &names.iter().map(String::as_str).collect::<Vec<_>>()
                            ),
                            names.join(", ")
                        ),
                    ));
                }
            }
            Claim {
                name: c.name,
                statement: c.statement,
                predicate_at: at(c.predicate.span()),
                predicate: c.predicate.into_inner(),
                scenarios: if listed.is_empty() {
                    names.clone()
                } else {
                    // In the spec's order of scenarios.
                    names
                        .iter()
                        .filter(|n| listed.contains(n))
                        .cloned()
                        .collect()
                },
                scenarios_at,
            }
        })
        .collect();
    plan.indicators = indicators
        .into_iter()
        .map(|i| SpecIndicator {
            name_at: at(i.name.span()),
            expression_at: at(i.expression.span()),
            name: i.name.into_inner(),
            description: i.description,
            expression: i.expression.into_inner(),
        })
        .collect();
    problems
}

/// How many runs a spec plans: grid values × hypercube samples or design
/// points × seeds × scenarios, saturating rather than overflowing.
fn planned_runs(raw: &RawSweep) -> u128 {
    let seed_count = match (&raw.seeds.list, raw.seeds.count) {
        (Some(list), None) => list.len() as u128,
        (None, Some(count)) => u128::from(count),
        _ => 0,
    };
    raw.grid
        .values()
        .map(|values| values.len() as u128)
        .chain(raw.latin_hypercube.as_ref().map(|l| u128::from(l.samples)))
        .chain(
            raw.morris
                .as_ref()
                .map(|m| u128::from(m.trajectories) * (m.parameters.len() as u128 + 1)),
        )
        .chain(
            raw.sobol
                .as_ref()
                .map(|s| u128::from(s.base_samples) * (s.parameters.len() as u128 + 2)),
        )
        .chain(raw.explore.as_ref().map(|e| u128::from(e.samples)))
        .fold(
            seed_count.saturating_mul(raw.sweep.scenario.paths().len() as u128),
            u128::saturating_mul,
        )
}

/// The sweep's name can be a folder, no run sets the seed outside [seeds],
/// and each grid list is non-empty with distinct values.
fn check_name_and_grid(raw: &RawSweep, problems: &mut Vec<Problem>) {
    let name = &raw.sweep.name;
    // The name is a folder of its own, so it cannot be `.`, `..` or hidden.
    let safe = crate::check::is_plain_name(name) && !name.starts_with('.');
    if !safe {
        problems.push(problem(
            "sweep.name",
            format!("is {name:?}; allowed: 1 to 64 letters, digits, '-', '_' and '.', not starting with '.' (it names the sweep's folder)"),
        ));
    }
    let swept = raw
        .sweep
        .set
        .keys()
        .chain(raw.grid.keys())
        .chain(raw.latin_hypercube.iter().flat_map(|l| l.ranges.keys()))
        .chain(raw.morris.iter().flat_map(|m| m.parameters.iter()))
        .chain(raw.sobol.iter().flat_map(|s| s.parameters.iter()));
    for key in swept {
        if key.trim() == "scenario.seed" {
            problems.push(problem(
                key,
                "sets the seed; allowed: seeds only in [seeds] (each run gets its own)",
            ));
        }
    }
    for (key, values) in &raw.grid {
        if values.is_empty() {
            problems.push(problem(
                &format!("grid.{key}"),
                "is empty; allowed: a list of one or more values",
            ));
        }
        let mut written: Vec<String> = values.iter().map(toml::Value::to_string).collect();
        written.sort();
        if let Some(twice) = written.windows(2).find(|pair| pair[0] == pair[1]) {
            problems.push(problem(
                &format!("grid.{key}"),
                format!("has {} twice; allowed: distinct values", twice[0]),
            ));
        }
    }
}

/// At most one design, and no grid beside a sensitivity design.
fn check_one_design(raw: &RawSweep, problems: &mut Vec<Problem>) {
    let designs = [
        raw.latin_hypercube.is_some(),
        raw.morris.is_some(),
        raw.sobol.is_some(),
        raw.explore.is_some(),
    ];
    if designs.iter().filter(|d| **d).count() > 1 {
        problems.push(problem(
            "",
            "has more than one of [latin_hypercube], [morris], [sobol] and [explore]; allowed: one design per spec",
        ));
    }
    if (raw.morris.is_some() || raw.sobol.is_some() || raw.explore.is_some())
        && !raw.grid.is_empty()
    {
        problems.push(problem(
            "grid",
            "is given with a design; allowed: [morris], [sobol] or [explore] alone (fix other values in sweep.set)",
        ));
    }
    if matches!(raw.sweep.scenario, OneOrMany::Many(ref paths) if paths.is_empty()) {
        problems.push(problem(
            "sweep.scenario",
            "is an empty list; allowed: a scenario file, or a list of one or more in an [explore] spec",
        ));
    }
    if matches!(raw.sweep.scenario, OneOrMany::Many(ref paths) if paths.len() > 1)
        && raw.explore.is_none()
    {
        problems.push(problem(
            "sweep.scenario",
            "lists several scenarios; allowed: one scenario file, or a list in an [explore] spec (docs/ANALYSIS.md, \"Claims\")",
        ));
    }
    if !raw.claims.is_empty() && raw.explore.is_none() {
        problems.push(problem(
            "claims",
            "are given without [explore]; allowed: [[claims]] in an [explore] spec (docs/ANALYSIS.md, \"Claims\")",
        ));
    }
    if !raw.indicators.is_empty() && raw.explore.is_none() {
        problems.push(problem(
            "indicators",
            "are given without [explore]; allowed: [[indicators]] in an [explore] spec (docs/ANALYSIS.md, \"Claims\")",
        ));
    }
    let mut defined = std::collections::BTreeSet::new();
    for (i, indicator) in raw.indicators.iter().enumerate() {
        let name = indicator.name.get_ref();
        let plain = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !plain || !defined.insert(name.as_str()) {
            problems.push(problem(
                &format!("indicators[{i}].name"),
                format!("is {name:?}; allowed: lowercase letters, digits and '_', starting with a letter, a name no other indicator has"),
            ));
        }
    }
    let mut names = std::collections::BTreeSet::new();
    for (i, claim) in raw.claims.iter().enumerate() {
        if claim.name.trim().is_empty() || !names.insert(claim.name.as_str()) {
            problems.push(problem(
                &format!("claims[{i}].name"),
                format!("is {:?}; allowed: a name no other claim has", claim.name),
            ));
        }
    }
}

/// Grid points, the cartesian product in key order with values in written
/// order, each crossed with every hypercube sample.
fn grid_points(
    grid: &BTreeMap<String, Vec<toml::Value>>,
    hypercube: &[BTreeMap<String, String>],
) -> Vec<BTreeMap<String, String>> {
    let mut points: Vec<BTreeMap<String, String>> = vec![BTreeMap::new()];
    for (key, values) in grid {
        points = points
            .into_iter()
            .flat_map(|point| {
                values.iter().map(move |value| {
                    let mut next = point.clone();
                    next.insert(key.clone(), value.to_string());
                    next
                })
            })
            .collect();
    }
    if !hypercube.is_empty() {
        points = points
            .into_iter()
            .flat_map(|point| {
                hypercube.iter().map(move |sample| {
                    let mut next = point.clone();
                    next.extend(sample.clone());
                    next
                })
            })
            .collect();
    }
    points
}

/// The runs of given points: each point is checked once by loading its
/// scenario with its overrides, then run at every seed. A point's number
/// (a design row, a fit's particle) is part of its runs' ids.
pub fn plan_points(
    name: String,
    spec_path: &Path,
    scenario_path: PathBuf,
    fixed: BTreeMap<String, String>,
    parameter_names: Vec<String>,
    points: Vec<(BTreeMap<String, String>, Option<u32>)>,
    seeds: &[u64],
) -> Result<SweepPlan, ConfigError> {
    let mut runs = Vec::with_capacity(points.len() * seeds.len());
    let mut scenario_name = String::new();
    for (point, design_point) in &points {
        // Each distinct point is checked once (seeds cannot make a config invalid).
        let overrides: Vec<String> = fixed
            .iter()
            .chain(point.iter())
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let loaded = crate::load(&scenario_path, &overrides)?;
        scenario_name = loaded.scenario.name.clone();
        for &seed in seeds {
            runs.push(PlannedRun {
                run_id: run_id(&scenario_name, &fixed, point, *design_point, seed),
                scenario: 0,
                seed,
                parameters: point.clone(),
                design_point: *design_point,
            });
        }
    }
    Ok(SweepPlan {
        name,
        spec_path: spec_path.to_path_buf(),
        scenarios: vec![PlannedScenario {
            path: scenario_path,
            name: scenario_name,
        }],
        fixed,
        parameter_names,
        runs,
        design: None,
        claims: Vec::new(),
        indicators: Vec::new(),
    })
}

impl SweepPlan {
    /// Adds another scenario's runs (a plan of one scenario), after this
    /// plan's.
    fn add_scenario(&mut self, other: SweepPlan) {
        let index = self.scenarios.len();
        self.scenarios.extend(other.scenarios);
        self.runs
            .extend(other.runs.into_iter().map(|run| PlannedRun {
                scenario: index,
                ..run
            }));
    }
}

/// The seeds a `[seeds]` table names: its `list`, or `count` seeds derived
/// from `master_seed`.
pub(crate) fn seeds_of(raw: &RawSeeds, problems: &mut Vec<Problem>) -> Vec<u64> {
    match (&raw.list, raw.count) {
        (Some(list), None) if !list.is_empty() => {
            let mut seen = std::collections::BTreeSet::new();
            for seed in list {
                if !seen.insert(*seed) {
                    problems.push(problem(
                        "seeds.list",
                        format!("has seed {seed} twice; allowed: distinct seeds (each seed is one run folder)"),
                    ));
                }
            }
            list.clone()
        }
        (None, Some(count)) if count > 0 => {
            let master = raw.master_seed.unwrap_or(0);
            (0..count).map(|i| derived_seed(master, i)).collect()
        }
        _ => {
            problems.push(problem(
                "seeds",
                "give either `list` (a non-empty list of seeds) or `count` (1 or more, with an optional `master_seed`)",
            ));
            Vec::new()
        }
    }
}

/// Seed `i` of a sweep: a ChaCha draw keyed by the master seed, below 2⁵³
/// (the uniform draw has 53 bits, scaled to whole numbers). So it fits
/// `scenario.seed` and every tool that reads it as a signed integer, and it
/// survives exactly in one that reads it as a double (JSON in JavaScript,
/// for one).
pub fn derived_seed(master: u64, i: u32) -> u64 {
    let mut stream = rng::stream(master, Purpose::SweepSeeds, AgentId(0), i);
    (rng::uniform(&mut stream) * (1u64 << 53) as f64) as u64
}

fn run_id(
    scenario: &str,
    fixed: &BTreeMap<String, String>,
    point: &BTreeMap<String, String>,
    design_point: Option<u32>,
    seed: u64,
) -> String {
    let mut hasher = Sha256::new();
    hasher.update(scenario.as_bytes());
    for (k, v) in fixed.iter().chain(point.iter()) {
        hasher.update(b"\0");
        hasher.update(k.as_bytes());
        hasher.update(b"=");
        hasher.update(v.as_bytes());
    }
    // Only designs add their row, so grid and hypercube ids are as before.
    if let Some(row) = design_point {
        hasher.update(format!("\0design_point={row}").as_bytes());
    }
    hasher.update(format!("\0seed={seed}").as_bytes());
    let digest = hasher.finalize();
    let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("r{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_seeds_are_distinct_stable_and_fit_a_signed_integer() {
        let seeds: Vec<u64> = (0..100).map(|i| derived_seed(2025, i)).collect();
        let mut unique = seeds.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 100);
        assert!(seeds.iter().all(|&s| s < (1u64 << 53)));
        assert_eq!(seeds[3], derived_seed(2025, 3));
        assert_ne!(derived_seed(2025, 0), derived_seed(2026, 0));
    }
}
