//! `moatsim explore`: an uncertainty ensemble and the claims it tests
//! (docs/ANALYSIS.md, "Claims").

use std::path::Path;

use moatsim_analysis::claims::Predicate;
use moatsim_analysis::custom::Expression;
use moatsim_analysis::explore::{
    ClaimToTest, EnsembleRun, PAIRED_INDICATORS, is_paired, paired_values, render, test_claims,
    write_boxes, write_claims, write_ensemble,
};
use moatsim_analysis::indicators::INDICATORS;
use moatsim_config::sweep::{DesignMethod, SweepPlan};

use super::analysis::{read_indicators, run_to_completion};
use super::sweep::{load_plan, sweep_out};
use crate::args::ExploreArgs;
use crate::error::CliError;
use crate::output::emit;

/// Runs the ensemble (this shard's part), then, once every run is complete,
/// tests the claims and writes OUT/ensemble.parquet, claims.parquet and
/// boxes.parquet.
pub(super) fn explore(args: ExploreArgs) -> Result<(), CliError> {
    let ExploreArgs { spec, sweep } = args;
    let plan = load_plan(&spec)?;
    if !plan
        .design
        .as_ref()
        .is_some_and(|d| d.method == DesignMethod::Hypercube)
    {
        return Err(CliError::Usage(format!(
            "{}: the spec has no [explore] table; allowed: a sweep spec with [explore] (samples, parameters) and [[claims]] (docs/ANALYSIS.md, \"Claims\")",
            spec.display()
        )));
    }
    let defined = read_defined(&plan, &spec)?;
    let claims = read_claims(&plan, &spec)?;
    let out = sweep_out(sweep.out.clone(), &plan);
    if !run_to_completion(&plan, sweep, &out, &spec, "explore", "test the claims")? {
        return Ok(());
    }
    let runs = ensemble_runs(&plan, &out, &defined)?;
    let results = test_claims(&claims, &runs).map_err(CliError::failed)?;
    let files = [
        out.join("ensemble.parquet"),
        out.join("claims.parquet"),
        out.join("boxes.parquet"),
    ];
    write_ensemble(&files[0], &plan.parameter_names, &runs)
        .and_then(|()| write_claims(&files[1], &plan.parameter_names, &results))
        .and_then(|()| write_boxes(&files[2], &plan.parameter_names, &runs, &results))
        .map_err(CliError::analysis)?;
    emit(&format!(
        "{}wrote {}, {} and {} ({} runs; {} claims, tested in {} claim-scenario pairs)\n",
        render(&plan.parameter_names, &results),
        files[0].display(),
        files[1].display(),
        files[2].display(),
        runs.len(),
        claims.len(),
        results.len()
    ))
}

/// The spec's claims, each predicate read and checked against the
/// indicators: a claim that does not parse, or names an indicator there is
/// not, is a usage error naming the file, the field and what is allowed.
fn read_claims(plan: &SweepPlan, spec: &Path) -> Result<Vec<ClaimToTest>, CliError> {
    if plan.claims.is_empty() {
        return Err(CliError::Usage(format!(
            "{}: field `claims`: the spec has none; allowed: one or more [[claims]] with name, statement and predicate",
            spec.display()
        )));
    }
    let names: Vec<&str> = INDICATORS
        .iter()
        .map(|i| i.name)
        .chain(PAIRED_INDICATORS.iter().map(|p| p.name))
        .chain(plan.indicators.iter().map(|i| i.name.as_str()))
        .collect();
    let reference = &plan.scenarios[0].name;
    plan.claims
        .iter()
        .enumerate()
        .map(|(i, claim)| {
            let field = format!("claims[{i}].predicate");
            let here = place(spec, claim.predicate_at);
            let predicate = Predicate::parse(&claim.predicate).map_err(|e| {
                CliError::Usage(format!(
                    "{here}: field `{field}`: {e} in {:?}; allowed: comparisons (<, <=, >, >=, ==, !=) of indicators and numbers joined by and, or, not",
                    claim.predicate
                ))
            })?;
            for name in predicate.indicators() {
                if !names.contains(&name.as_str()) {
                    return Err(CliError::Usage(format!(
                        "{here}: field `{field}`: no indicator `{name}`{}; allowed: {}",
                        moatsim_config::did_you_mean(&name, &names),
                        names.join(", ")
                    )));
                }
                // A paired indicator compares a run with its pair in the
                // first scenario, so it has no value there.
                if is_paired(&name) && claim.scenarios.contains(reference) {
                    return Err(CliError::Usage(format!(
                        "{}: field `claims[{i}].scenarios`: `{name}` compares a scenario's run with the same point and seed of the first scenario ({reference}), so the claim cannot be tested in {reference}; allowed: scenarios after the first in `sweep.scenario`, named in `scenarios`{}",
                        place(spec, claim.scenarios_at.unwrap_or(claim.predicate_at)),
                        if plan.scenarios.len() < 2 {
                            " (this spec has one scenario: list the reference first, then the scenario the claim is about)"
                        } else {
                            ""
                        }
                    )));
                }
            }
            Ok(ClaimToTest {
                name: claim.name.clone(),
                statement: claim.statement.clone(),
                predicate_text: claim.predicate.clone(),
                predicate,
                scenarios: claim.scenarios.clone(),
            })
        })
        .collect()
}

/// The spec's own indicators, each expression read and checked against the
/// output schema; a name that a built-in indicator has, or an expression
/// that does not read or fit, is a usage error naming the file and field.
fn read_defined(plan: &SweepPlan, spec: &Path) -> Result<Vec<(String, Expression)>, CliError> {
    plan.indicators
        .iter()
        .enumerate()
        .map(|(i, indicator)| {
            let taken = INDICATORS.iter().any(|b| b.name == indicator.name)
                || PAIRED_INDICATORS.iter().any(|p| p.name == indicator.name);
            if taken {
                return Err(CliError::Usage(format!(
                    "{}: field `indicators[{i}].name`: `{}` is a built-in indicator; allowed: a name of its own (docs/ANALYSIS.md, \"The headline indicators\")",
                    place(spec, indicator.name_at),
                    indicator.name
                )));
            }
            let expression = Expression::parse(&indicator.expression)
                .and_then(|e| e.check().map(|()| e))
                .map_err(|e| {
                    CliError::Usage(format!(
                        "{}: field `indicators[{i}].expression`: {e} in {:?}; allowed: aggregate(table.column [where column op value [and ...]]) with first, last, mean, min, max, sum or count",
                        place(spec, indicator.expression_at),
                        indicator.expression
                    ))
                })?;
            Ok((indicator.name.clone(), expression))
        })
        .collect()
}

/// Every run with its inputs (the design's values, as numbers) and its
/// indicators: the built-in ones, the paired ones and the spec's own.
fn ensemble_runs(
    plan: &SweepPlan,
    out: &Path,
    defined: &[(String, Expression)],
) -> Result<Vec<EnsembleRun>, CliError> {
    let indicators = read_indicators(plan, out)?;
    let folder = |run| moatsim_runner::sweep::published_dir(out, plan, run);
    plan.runs
        .iter()
        .zip(indicators)
        .map(|(run, (point, indicators))| {
            let inputs = plan
                .parameter_names
                .iter()
                .map(|name| {
                    run.parameters
                        .get(name)
                        .and_then(|v| v.parse::<f64>().ok())
                        .ok_or_else(|| {
                            CliError::failed(format!(
                                "run {} has no number for {name} in its plan",
                                run.run_id
                            ))
                        })
                })
                .collect::<Result<Vec<f64>, CliError>>()?;
            // The pair: the first scenario's run of the same point and seed.
            let pair = (run.scenario > 0)
                .then(|| {
                    plan.runs.iter().find(|r| {
                        r.scenario == 0 && r.design_point == run.design_point && r.seed == run.seed
                    })
                })
                .flatten();
            let moat = match pair {
                Some(reference) => {
                    moatsim_analysis::moat::paired_half_life(&folder(reference), &folder(run))
                        .map_err(CliError::failed)?
                }
                None => None,
            };
            let own = defined
                .iter()
                .map(|(name, expression)| {
                    expression
                        .evaluate(&folder(run))
                        .map(|v| (name.clone(), v))
                        .map_err(CliError::failed)
                })
                .collect::<Result<Vec<_>, CliError>>()?;
            Ok(EnsembleRun {
                defined: own,
                paired: paired_values(moat.as_ref()),
                run_id: run.run_id.clone(),
                scenario: plan.scenario_of(run).name.clone(),
                seed: run.seed,
                design_point: u32::try_from(point).unwrap_or(u32::MAX),
                inputs,
                indicators,
            })
        })
        .collect()
}

/// `FILE:LINE:COLUMN`, as the config's own errors name a place.
fn place(spec: &Path, (line, column): (usize, usize)) -> String {
    format!("{}:{line}:{column}", spec.display())
}
