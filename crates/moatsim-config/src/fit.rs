//! Fit specs: which parameters `moatsim calibrate --fit` may move, within
//! which ranges, against which published targets, at which seeds, and how
//! long the search may run (docs/CALIBRATION.md, "Fitting").
//!
//! ```toml
//! [fit]
//! name = "fit-price-decline"
//! scenario = "../baseline.toml"            # relative to the spec
//! set = { "scenario.quarters" = 24 }       # optional, fixed for every run
//! targets = ["inference_price_decline_fixed_capability"]  # default: every target
//! target_ranges = { "inference_price_decline_fixed_capability" = [8, 12] }  # optional
//! parameters = ["world.algorithmic_efficiency_halving_months"]
//! ranges = { }                             # optional; default: `moatsim params`
//! particles = 12                           # points per generation
//! generations = 4                          # at most
//! quantile = 0.5                           # the tolerance schedule
//! keep_landed = true                       # other targets that land must stay in
//!
//! [seeds]
//! list = [1, 2, 3, 42, 7]
//! ```
//!
//! A fit tunes assumptions; it does not repair a missing mechanism.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{ConfigError, Problem};
use crate::sweep::{
    RawSeeds, SweepPlan, design_ranges, design_value, plan_points, problem, read_spec,
    refuses_fractions, seeds_of,
};

/// Points per generation when the spec does not say.
pub const DEFAULT_PARTICLES: u32 = 16;
/// Generations at most when the spec does not say.
pub const DEFAULT_GENERATIONS: u32 = 5;
/// The tolerance schedule's quantile when the spec does not say: each
/// generation keeps the better half (Drovandi and Pettitt 2011 use 0.5).
pub const DEFAULT_QUANTILE: f64 = 0.5;
/// Most runs one fit may make (particles × generations × seeds).
const MAX_RUNS: u64 = 100_000;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFitSpec {
    fit: RawFit,
    seeds: RawSeeds,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFit {
    name: String,
    scenario: String,
    #[serde(default)]
    set: BTreeMap<String, toml::Value>,
    #[serde(default)]
    targets: Vec<String>,
    #[serde(default)]
    target_ranges: BTreeMap<String, [f64; 2]>,
    parameters: Vec<String>,
    #[serde(default)]
    ranges: BTreeMap<String, [f64; 2]>,
    #[serde(default = "default_particles")]
    particles: u32,
    #[serde(default = "default_generations")]
    generations: u32,
    #[serde(default = "default_quantile")]
    quantile: f64,
    #[serde(default = "default_keep_landed")]
    keep_landed: bool,
}

fn default_keep_landed() -> bool {
    true
}

fn default_particles() -> u32 {
    DEFAULT_PARTICLES
}
fn default_generations() -> u32 {
    DEFAULT_GENERATIONS
}
fn default_quantile() -> f64 {
    DEFAULT_QUANTILE
}

/// A checked fit spec.
#[derive(Debug, Clone, Serialize)]
pub struct FitSpec {
    pub name: String,
    pub spec_path: PathBuf,
    /// The base scenario, resolved against the spec's folder.
    pub scenario_path: PathBuf,
    pub scenario_name: String,
    /// Overrides every run shares.
    pub fixed: BTreeMap<String, String>,
    /// Names of `target` rows of the published figures; empty for all.
    pub targets: Vec<String>,
    /// Ranges that replace some targets' published ones in the fit's
    /// distance: what-if questions ("which halving time gives 10x a year?")
    /// and parameter-recovery checks.
    pub target_ranges: BTreeMap<String, [f64; 2]>,
    pub parameters: Vec<String>,
    pub ranges: Vec<[f64; 2]>,
    /// Parameters whose values are rounded to whole numbers.
    pub whole: Vec<bool>,
    pub seeds: Vec<u64>,
    /// Seeds the search's own random draws.
    pub search_seed: u64,
    pub particles: u32,
    pub generations: u32,
    pub quantile: f64,
    /// Whether targets outside `targets` that land at every seed before the
    /// fit count in its distance too, so that a fit cannot move one target
    /// in by moving others out.
    pub keep_landed: bool,
}

impl FitSpec {
    /// A point of the unit cube as `--set` values.
    pub fn point(&self, unit: &[f64]) -> BTreeMap<String, String> {
        self.parameters
            .iter()
            .zip(&self.ranges)
            .zip(&self.whole)
            .zip(unit)
            .map(|(((key, range), whole), u)| (key.clone(), design_value(*range, *whole, *u)))
            .collect()
    }

    /// The runs of one generation: particle `i` at every seed.
    pub fn generation_plan(
        &self,
        generation: u32,
        units: &[Vec<f64>],
    ) -> Result<SweepPlan, ConfigError> {
        let points = units
            .iter()
            .enumerate()
            .map(|(i, unit)| (self.point(unit), u32::try_from(i).ok()))
            .collect();
        plan_points(
            format!("{}-generation-{generation}", self.name),
            &self.spec_path,
            self.scenario_path.clone(),
            self.fixed.clone(),
            self.parameters.clone(),
            points,
            &self.seeds,
        )
    }

    /// The runs of the scenario as it stands (the scorecard before the fit).
    pub fn reference_plan(&self) -> Result<SweepPlan, ConfigError> {
        plan_points(
            format!("{}-reference", self.name),
            &self.spec_path,
            self.scenario_path.clone(),
            self.fixed.clone(),
            Vec::new(),
            vec![(BTreeMap::new(), None)],
            &self.seeds,
        )
    }

    /// A scenario overlay that sets the spec's fixed values and `values`
    /// (`--set` path → value as written), extending the base scenario by
    /// `extends` (a path relative to where the overlay is written).
    pub fn overlay(
        &self,
        extends: &str,
        values: &BTreeMap<String, String>,
        header: &str,
    ) -> Result<String, String> {
        let mut table = toml::Table::new();
        table.insert("extends".into(), toml::Value::String(extends.into()));
        let mut scenario = toml::Table::new();
        scenario.insert("name".into(), toml::Value::String(self.name.clone()));
        table.insert("scenario".into(), toml::Value::Table(scenario));
        for (path, written) in self.fixed.iter().chain(values) {
            let value: toml::Value = toml::from_str::<toml::Table>(&format!("v = {written}"))
                .ok()
                .and_then(|mut t| t.remove("v"))
                .unwrap_or_else(|| toml::Value::String(written.clone()));
            insert_path(&mut table, path, value)?;
        }
        let body = toml::to_string(&table).map_err(|e| e.to_string())?;
        Ok(format!("{header}{body}"))
    }
}

/// Sets `path` (`a.b`, or `list[name].field` for an entry of a named list)
/// in `table`, creating tables and named entries on the way.
fn insert_path(table: &mut toml::Table, path: &str, value: toml::Value) -> Result<(), String> {
    let (head, rest) = match path.split_once('.') {
        Some((head, rest)) => (head, Some(rest)),
        None => (path, None),
    };
    let head = head.trim();
    let Some(rest) = rest else {
        table.insert(head.to_string(), value);
        return Ok(());
    };
    if let Some((list, name)) = head.strip_suffix(']').and_then(|h| h.split_once('[')) {
        let entries = table
            .entry(list.to_string())
            .or_insert_with(|| toml::Value::Array(Vec::new()));
        let toml::Value::Array(entries) = entries else {
            return Err(format!("{path}: {list} is not a list of named entries"));
        };
        let position = entries
            .iter()
            .position(|e| e.get("name").and_then(toml::Value::as_str) == Some(name));
        let index = position.unwrap_or_else(|| {
            let mut entry = toml::Table::new();
            entry.insert("name".into(), toml::Value::String(name.to_string()));
            entries.push(toml::Value::Table(entry));
            entries.len() - 1
        });
        let toml::Value::Table(entry) = &mut entries[index] else {
            return Err(format!("{path}: {list} is not a list of named entries"));
        };
        return insert_path(entry, rest, value);
    }
    let inner = table
        .entry(head.to_string())
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    let toml::Value::Table(inner) = inner else {
        return Err(format!("{path}: {head} is not a table"));
    };
    insert_path(inner, rest, value)
}

/// Reads and checks a fit spec; `known_targets` are the names of the
/// published `target` rows the calibration report measures.
pub fn load_fit(spec_path: &Path, known_targets: &[String]) -> Result<FitSpec, ConfigError> {
    let invalid = |problems: Vec<Problem>| ConfigError::invalid(spec_path, problems);
    let raw: RawFitSpec = read_spec(spec_path)?;
    let fit = raw.fit;
    let mut problems = Vec::new();
    let seeds = seeds_of(&raw.seeds, &mut problems);
    if !crate::check::is_plain_name(&fit.name) || fit.name.starts_with('.') {
        problems.push(problem(
            "fit.name",
            format!("is {:?}; allowed: 1 to 64 letters, digits, '-', '_' and '.', not starting with '.' (it names the fit's folder and its scenario)", fit.name),
        ));
    }
    if fit.particles < 2 || fit.particles > 10_000 {
        problems.push(problem(
            "fit.particles",
            format!("is {}; allowed: 2 to 10000", fit.particles),
        ));
    }
    if fit.generations == 0 || fit.generations > 100 {
        problems.push(problem(
            "fit.generations",
            format!("is {}; allowed: 1 to 100", fit.generations),
        ));
    }
    if !(fit.quantile > 0.0 && fit.quantile < 1.0) {
        problems.push(problem(
            "fit.quantile",
            format!(
                "is {}; allowed: a share above 0 and below 1 (0.5 keeps the better half of each generation)",
                fit.quantile
            ),
        ));
    }
    let runs = u64::from(fit.particles) * u64::from(fit.generations) * seeds.len() as u64;
    if runs > MAX_RUNS {
        problems.push(problem(
            "fit",
            format!("plans up to {runs} runs (particles × generations × seeds); allowed: at most {MAX_RUNS}"),
        ));
    }
    for (target, range) in &fit.target_ranges {
        if !fit.targets.contains(target) {
            problems.push(problem(
                &format!("fit.target_ranges.{target}"),
                "names a target not in `targets`; allowed: one of the fit's targets",
            ));
        }
        let [low, high] = *range;
        if !(low.is_finite() && high.is_finite() && low <= high) {
            problems.push(problem(
                &format!("fit.target_ranges.{target}"),
                format!("is [{low}, {high}]; allowed: [low, high] with low <= high (equal: ±10%)"),
            ));
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for target in &fit.targets {
        if !known_targets.contains(target) {
            problems.push(problem(
                "fit.targets",
                format!(
                    "names {target:?}; allowed: a `target` row of docs/calibration/published-figures.csv: {}",
                    known_targets.join(", ")
                ),
            ));
        }
        if !seen.insert(target) {
            problems.push(problem("fit.targets", format!("has {target:?} twice")));
        }
    }
    for key in fit.set.keys().chain(&fit.parameters) {
        if key.trim() == "scenario.seed" {
            problems.push(problem(
                key,
                "sets the seed; allowed: seeds only in [seeds]",
            ));
        }
        if fit.set.contains_key(key) && fit.parameters.contains(key) {
            problems.push(problem(
                &format!("fit.set.{key}"),
                "is also a fitted parameter; fix it or fit it, not both",
            ));
        }
    }
    let ranged = design_ranges("fit", &fit.parameters, &fit.ranges, &mut problems);
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    let Some((parameters, ranges)) = ranged else {
        return Err(invalid(problems));
    };
    let scenario_path = tidy(
        &spec_path
            .parent()
            .unwrap_or(Path::new("."))
            .join(&fit.scenario),
    );
    let fixed: BTreeMap<String, String> = fit
        .set
        .iter()
        .map(|(k, v)| (k.clone(), v.to_string()))
        .collect();
    let scenario_name = {
        let overrides: Vec<String> = fixed.iter().map(|(k, v)| format!("{k}={v}")).collect();
        crate::load(&scenario_path, &overrides)?.scenario.name
    };
    let whole = parameters
        .iter()
        .zip(&ranges)
        .map(|(key, range)| refuses_fractions(&scenario_path, &fixed, key, *range))
        .collect();
    Ok(FitSpec {
        name: fit.name,
        spec_path: spec_path.to_path_buf(),
        scenario_path,
        scenario_name,
        fixed,
        targets: fit.targets,
        target_ranges: fit.target_ranges,
        parameters,
        ranges,
        whole,
        search_seed: raw.seeds.master_seed.unwrap_or(0),
        seeds,
        particles: fit.particles,
        generations: fit.generations,
        quantile: fit.quantile,
        keep_landed: fit.keep_landed,
    })
}

/// `path` with `.` and `folder/..` taken out, without touching the file
/// system: `configs/fits/../baseline.toml` is `configs/baseline.toml`. A
/// `..` that climbs past the start is kept.
fn tidy(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut parts: Vec<Component<'_>> = Vec::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir if matches!(parts.last(), Some(Component::Normal(_))) => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        PathBuf::from(".")
    } else {
        parts.iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scenario_path_is_tidied_without_the_file_system() {
        assert_eq!(
            tidy(Path::new("configs/fits/../baseline.toml")),
            PathBuf::from("configs/baseline.toml")
        );
        assert_eq!(
            tidy(Path::new("./a/./b/../c.toml")),
            PathBuf::from("a/c.toml")
        );
        assert_eq!(tidy(Path::new("../x.toml")), PathBuf::from("../x.toml"));
        assert_eq!(tidy(Path::new("/a/../b")), PathBuf::from("/b"));
    }

    #[test]
    fn an_overlay_sets_plain_and_named_entry_paths() {
        let spec = FitSpec {
            name: "fit-x".into(),
            spec_path: PathBuf::from("x.toml"),
            scenario_path: PathBuf::from("baseline.toml"),
            scenario_name: "baseline".into(),
            fixed: BTreeMap::from([("scenario.quarters".into(), "8".into())]),
            targets: Vec::new(),
            target_ranges: BTreeMap::new(),
            parameters: Vec::new(),
            ranges: Vec::new(),
            whole: Vec::new(),
            seeds: vec![1],
            search_seed: 0,
            particles: 2,
            generations: 1,
            quantile: 0.5,
            keep_landed: true,
        };
        let values = BTreeMap::from([
            ("world.diffusion_rate".to_string(), "0.05".to_string()),
            ("labs[frontier-a].cash_usd".to_string(), "5e10".to_string()),
        ]);
        let text = spec
            .overlay("../baseline.toml", &values, "# fitted\n")
            .expect("overlay");
        let table: toml::Table = toml::from_str(&text).expect("TOML");
        assert_eq!(table["extends"].as_str(), Some("../baseline.toml"));
        assert_eq!(table["scenario"]["name"].as_str(), Some("fit-x"));
        assert_eq!(table["scenario"]["quarters"].as_integer(), Some(8));
        assert_eq!(table["world"]["diffusion_rate"].as_float(), Some(0.05));
        let lab = &table["labs"].as_array().expect("a list")[0];
        assert_eq!(lab["name"].as_str(), Some("frontier-a"));
        assert_eq!(lab["cash_usd"].as_float(), Some(5e10));
        assert!(text.starts_with("# fitted\n"));
    }
}
