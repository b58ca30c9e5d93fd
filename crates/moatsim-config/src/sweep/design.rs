//! The designs a sweep samples its parameters with: a Latin hypercube over
//! given ranges, or a global sensitivity design (Morris elementary effects,
//! Sobol indices) over ranges that default to the parameters' plausible
//! ranges (`moatsim params`). Each turns into points of `--set` values.

use std::collections::BTreeMap;
use std::path::Path;

use moatsim_model::AgentId;
use moatsim_model::rng::{self, Purpose};
use serde::{Deserialize, Serialize};

use super::{RawSweep, problem};
use crate::error::Problem;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMorris {
    pub(super) trajectories: u32,
    #[serde(default = "default_levels")]
    pub(super) levels: u32,
    pub(super) parameters: Vec<String>,
    #[serde(default)]
    pub(super) ranges: BTreeMap<String, [f64; 2]>,
}

fn default_levels() -> u32 {
    4
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSobol {
    pub(super) base_samples: u32,
    pub(super) parameters: Vec<String>,
    #[serde(default)]
    pub(super) ranges: BTreeMap<String, [f64; 2]>,
}

/// A global sensitivity design: which method, over which parameters, and
/// its points in the unit hypercube (row `i` is design point `i`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Design {
    pub method: DesignMethod,
    pub parameters: Vec<String>,
    /// Each parameter's [low, high].
    pub ranges: Vec<[f64; 2]>,
    /// Parameters whose values are rounded to whole numbers (the scenario
    /// refuses a fraction for them).
    pub whole: Vec<bool>,
    pub unit_rows: Vec<Vec<f64>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "method", rename_all = "lowercase")]
pub enum DesignMethod {
    Morris {
        levels: u32,
    },
    Sobol,
    /// An uncertainty ensemble's Latin hypercube (`[explore]`).
    Hypercube,
}

/// An uncertainty ensemble (`moatsim explore`): a Latin hypercube over the
/// named parameters' plausible ranges (or the ranges given).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawExplore {
    pub(super) samples: u32,
    pub(super) parameters: Vec<String>,
    #[serde(default)]
    pub(super) ranges: BTreeMap<String, [f64; 2]>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawHypercube {
    pub(super) samples: u32,
    pub(super) ranges: BTreeMap<String, [f64; 2]>,
}

/// The `[latin_hypercube]` samples, once its ranges are checked (none
/// without one).
pub(super) fn hypercube_points(
    raw: &RawSweep,
    problems: &mut Vec<Problem>,
) -> Vec<BTreeMap<String, String>> {
    let Some(lhs) = &raw.latin_hypercube else {
        return Vec::new();
    };
    if lhs.samples == 0 || lhs.ranges.is_empty() {
        problems.push(problem(
            "latin_hypercube",
            "needs `samples` of 1 or more and at least one entry in `ranges`",
        ));
    }
    for (key, [low, high]) in &lhs.ranges {
        if let Some(bad) = range_problem(&format!("latin_hypercube.ranges.{key}"), [*low, *high]) {
            problems.push(bad);
        }
        if raw.grid.contains_key(key) {
            problems.push(problem(
                &format!("latin_hypercube.ranges.{key}"),
                "is also in [grid]; sweep each parameter one way",
            ));
        }
    }
    latin_hypercube(raw.seeds.master_seed.unwrap_or(0), lhs.samples, &lhs.ranges)
}

/// The `[morris]` or `[sobol]` design, if the spec has one. Its unit rows
/// are drawn only for a spec without problems.
pub(super) fn sensitivity_design(raw: &RawSweep, problems: &mut Vec<Problem>) -> Option<Design> {
    let master = raw.seeds.master_seed.unwrap_or(0);
    match (&raw.morris, &raw.sobol, &raw.explore) {
        (Some(morris), _, _) => morris_design(morris, master, problems),
        (None, Some(sobol), _) => sobol_design(sobol, master, problems),
        (None, None, Some(explore)) => explore_design(explore, master, problems),
        (None, None, None) => None,
    }
}

fn explore_design(
    explore: &RawExplore,
    master: u64,
    problems: &mut Vec<Problem>,
) -> Option<Design> {
    if explore.samples == 0 {
        problems.push(problem("explore.samples", "is 0; allowed: 1 or more"));
    }
    let (parameters, ranges) =
        design_ranges("explore", &explore.parameters, &explore.ranges, problems)?;
    Some(Design {
        method: DesignMethod::Hypercube,
        unit_rows: if problems.is_empty() {
            unit_latin_hypercube(master, explore.samples as usize, parameters.len())
        } else {
            Vec::new()
        },
        whole: vec![false; parameters.len()],
        parameters,
        ranges,
    })
}

fn morris_design(morris: &RawMorris, master: u64, problems: &mut Vec<Problem>) -> Option<Design> {
    if morris.trajectories == 0 {
        problems.push(problem("morris.trajectories", "is 0; allowed: 1 or more"));
    }
    if morris.levels < 2 || !morris.levels.is_multiple_of(2) || morris.levels > 64 {
        problems.push(problem(
            "morris.levels",
            format!("is {}; allowed: an even number from 2 to 64", morris.levels),
        ));
    }
    let (parameters, ranges) =
        design_ranges("morris", &morris.parameters, &morris.ranges, problems)?;
    Some(Design {
        method: DesignMethod::Morris {
            levels: morris.levels,
        },
        unit_rows: if problems.is_empty() {
            moatsim_sensitivity::morris::design(
                parameters.len(),
                morris.trajectories as usize,
                morris.levels,
                master,
            )
        } else {
            Vec::new()
        },
        whole: vec![false; parameters.len()],
        parameters,
        ranges,
    })
}

fn sobol_design(sobol: &RawSobol, master: u64, problems: &mut Vec<Problem>) -> Option<Design> {
    let limit = moatsim_sensitivity::sobol::MAX_BASE_SAMPLES;
    if sobol.base_samples == 0 || sobol.base_samples as usize > limit {
        problems.push(problem(
            "sobol.base_samples",
            format!("is {}; allowed: 1 to {limit}", sobol.base_samples),
        ));
    }
    if sobol.parameters.len() > moatsim_sensitivity::sobol::MAX_PARAMETERS {
        problems.push(problem(
            "sobol.parameters",
            format!(
                "has {} parameters; allowed: at most {}",
                sobol.parameters.len(),
                moatsim_sensitivity::sobol::MAX_PARAMETERS
            ),
        ));
    }
    let (parameters, ranges) = design_ranges("sobol", &sobol.parameters, &sobol.ranges, problems)?;
    Some(Design {
        method: DesignMethod::Sobol,
        unit_rows: if problems.is_empty() {
            moatsim_sensitivity::sobol::design(
                parameters.len(),
                sobol.base_samples as usize,
                (master & 0xffff_ffff) as u32,
            )
        } else {
            Vec::new()
        },
        whole: vec![false; parameters.len()],
        parameters,
        ranges,
    })
}

/// A design's points as `--set` values: its unit rows scaled to each
/// parameter's range, rounded for the parameters the scenario holds to
/// whole numbers (which it records in `design.whole`).
pub(super) fn design_points(
    design: &mut Design,
    scenario_path: &Path,
    fixed: &BTreeMap<String, String>,
) -> Vec<BTreeMap<String, String>> {
    design.whole = design
        .parameters
        .iter()
        .zip(&design.ranges)
        .map(|(key, range)| refuses_fractions(scenario_path, fixed, key, *range))
        .collect();
    design
        .unit_rows
        .iter()
        .map(|row| {
            design
                .parameters
                .iter()
                .zip(&design.ranges)
                .zip(&design.whole)
                .zip(row)
                .map(|(((key, range), whole), u)| (key.clone(), design_value(*range, *whole, *u)))
                .collect()
        })
        .collect()
}

/// A unit coordinate `u` scaled to `[low, high]` and written as `--set`
/// takes it: rounded for a whole-number field, else to nine decimals.
pub fn design_value([low, high]: [f64; 2], whole: bool, u: f64) -> String {
    let value = low + u * (high - low);
    if whole {
        format!("{}", value.round())
    } else {
        format!("{value:.9}")
    }
}

/// The problem with a swept range, if it is not `[low, high]` with finite
/// `low < high`.
fn range_problem(path: &str, [low, high]: [f64; 2]) -> Option<Problem> {
    (!(low.is_finite() && high.is_finite() && low < high)).then(|| {
        problem(
            path,
            format!("is [{low}, {high}]; allowed: [low, high] with low < high"),
        )
    })
}

/// A design's parameters and ranges: each range as the spec gives it, else
/// the parameter's recorded plausible range (`moatsim params`).
pub(crate) fn design_ranges(
    section: &str,
    parameters: &[String],
    ranges: &BTreeMap<String, [f64; 2]>,
    problems: &mut Vec<Problem>,
) -> Option<(Vec<String>, Vec<[f64; 2]>)> {
    if parameters.is_empty() {
        problems.push(problem(
            &format!("{section}.parameters"),
            "is empty; allowed: one or more parameter paths",
        ));
        return None;
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for key in parameters {
        if !seen.insert(key) {
            problems.push(problem(
                &format!("{section}.parameters"),
                format!("has {key} twice; allowed: distinct parameters"),
            ));
        }
        let recorded = crate::parameters::PARAMETERS
            .iter()
            .find(|p| p.path == key)
            .map(|p| [p.low, p.high]);
        match ranges.get(key).copied().or(recorded) {
            Some(range) => match range_problem(&format!("{section}.ranges.{key}"), range) {
                None => out.push(range),
                Some(bad) => problems.push(bad),
            },
            None => problems.push(problem(
                &format!("{section}.ranges.{key}"),
                format!(
                    "is missing, and the parameter has no recorded range{} (`moatsim params` lists those that do); give [low, high]",
                    crate::did_you_mean(
                        key,
                        &crate::parameters::PARAMETERS
                            .iter()
                            .map(|p| p.path)
                            .collect::<Vec<_>>()
                    )
                ),
            )),
        }
    }
    for key in ranges.keys() {
        if !parameters.contains(key) {
            problems.push(problem(
                &format!("{section}.ranges.{key}"),
                "names a parameter not in `parameters`",
            ));
        }
    }
    (problems.is_empty()).then_some((parameters.to_vec(), out))
}

/// Whether the scenario refuses a fractional value for `key` (a whole-number
/// field such as a count of quarters): the design's values are then rounded.
pub(crate) fn refuses_fractions(
    scenario: &Path,
    fixed: &BTreeMap<String, String>,
    key: &str,
    [low, high]: [f64; 2],
) -> bool {
    // Both probes lie inside the range, so a refusal is about the fraction.
    let whole = low.ceil();
    if whole > high {
        return false;
    }
    let middle = (low + high) / 2.0;
    let fraction = if middle.fract() != 0.0 {
        middle
    } else if middle + 0.5 <= high {
        middle + 0.5
    } else {
        middle + (high - low) / 4.0
    };
    let load = |value: f64| {
        let overrides: Vec<String> = fixed
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .chain(std::iter::once(format!("{key}={value}")))
            .collect();
        crate::load(scenario, &overrides).is_ok()
    };
    !load(fraction) && load(whole)
}

/// `samples` points over the ranges: each dimension is cut into `samples`
/// equal strata, each stratum is used once, and strata are paired across
/// dimensions by a seeded shuffle.
fn latin_hypercube(
    master: u64,
    samples: u32,
    ranges: &BTreeMap<String, [f64; 2]>,
) -> Vec<BTreeMap<String, String>> {
    let unit = unit_latin_hypercube(master, samples as usize, ranges.len());
    unit.iter()
        .map(|row| {
            ranges
                .iter()
                .zip(row)
                .map(|((key, [low, high]), u)| {
                    let value = low + u * (high - low);
                    (key.clone(), format!("{value:.6}"))
                })
                .collect()
        })
        .collect()
}

/// `n` points of a Latin hypercube on the unit cube in `d` dimensions: in
/// every dimension each of the `n` equal strata holds one point. Dimension
/// `j` shuffles the strata with its own stream (`SweepSampling`, agent `j`),
/// then draws each point's place within its stratum.
fn unit_latin_hypercube(master: u64, n: usize, d: usize) -> Vec<Vec<f64>> {
    let columns: Vec<Vec<f64>> = (0..d)
        .map(|dimension| {
            let mut stream =
                rng::stream(master, Purpose::SweepSampling, AgentId(dimension as u64), 0);
            let mut strata: Vec<usize> = (0..n).collect();
            // Fisher–Yates with the dimension's own stream.
            for i in (1..n).rev() {
                let j = ((rng::uniform(&mut stream) * (i + 1) as f64) as usize).min(i);
                strata.swap(i, j);
            }
            strata
                .iter()
                .map(|&stratum| (stratum as f64 + rng::uniform(&mut stream)) / n as f64)
                .collect()
        })
        .collect();
    (0..n)
        .map(|sample| columns.iter().map(|column| column[sample]).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_latin_hypercube_uses_every_stratum_once_per_dimension() {
        let mut ranges = BTreeMap::new();
        ranges.insert("a".to_string(), [0.0, 1.0]);
        ranges.insert("b".to_string(), [10.0, 20.0]);
        let points = latin_hypercube(7, 5, &ranges);
        assert_eq!(points.len(), 5);
        for (key, [low, high]) in &ranges {
            let mut strata: Vec<usize> = points
                .iter()
                .map(|p| {
                    let v: f64 = p[key].parse().expect("number");
                    assert!(v >= *low && v <= *high);
                    ((v - low) / (high - low) * 5.0).floor() as usize
                })
                .collect();
            strata.sort_unstable();
            assert_eq!(strata, vec![0, 1, 2, 3, 4], "{key}");
        }
        assert_eq!(points, latin_hypercube(7, 5, &ranges), "deterministic");
    }
}
