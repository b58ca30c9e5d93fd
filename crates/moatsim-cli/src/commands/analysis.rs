//! `moatsim report`, `compare` and `sensitivity`: what finished runs say,
//! as an HTML report, a paired comparison or sensitivity indices.

use std::path::Path;

use moatsim_analysis::RunIndicators;
use moatsim_analysis::sensitivity::{
    DesignInput, Indices, Method, estimate, estimate_outputs, read_outputs_csv, render,
    write_indices,
};
use moatsim_config::sweep::{DesignMethod, SweepPlan};

use super::sweep::{load_plan, run_planned, sweep_out};
use crate::args::{CompareArgs, DEFAULT_REPORT, ReportArgs, SensitivityArgs, SweepArgs};
use crate::error::CliError;
use crate::output::{emit, plural, print_json};

/// `moatsim report`: one HTML file of finished runs.
pub(super) fn report(args: ReportArgs) -> Result<(), CliError> {
    let ReportArgs { dirs, out, force } = args;
    let report = moatsim_analysis::read_report(&dirs)
        .and_then(|mut report| {
            report.calibration = calibration_banner(&report);
            let html = moatsim_analysis::render_html(&report)?;
            // The default file goes in outputs/, which a run creates; made
            // here only once the runs have been read, so a refused report
            // writes nothing.
            if out == Path::new(DEFAULT_REPORT)
                && let Some(folder) = out.parent()
            {
                std::fs::create_dir_all(folder).map_err(|source| {
                    moatsim_analysis::AnalysisError::Io {
                        path: folder.to_path_buf(),
                        source,
                    }
                })?;
            }
            moatsim_analysis::write_report(&html, &out, force)?;
            Ok(report)
        })
        .map_err(CliError::analysis)?;
    let runs: usize = report.groups.iter().map(|g| g.series.len()).sum();
    emit(&format!(
        "wrote {} ({} scenario{}, {} run{})\n",
        out.display(),
        report.groups.len(),
        plural(report.groups.len()),
        runs,
        plural(runs)
    ))
}

/// The reference scenario's runs scored against the published targets, as
/// `moatsim calibrate` scores them; `None` when there are no runs or one
/// cannot be scored (the report still draws, without the banner).
fn calibration_banner(
    report: &moatsim_analysis::report::Report,
) -> Option<moatsim_analysis::CalibrationBanner> {
    let reference = report.groups.first()?;
    let runs = reference
        .series
        .iter()
        .map(|s| moatsim_runner::calibrate::calibrate(&s.run.dir).ok())
        .collect::<Option<Vec<_>>>()?;
    let labels: Vec<String> = reference
        .series
        .iter()
        .map(|s| format!("seed {}", s.run.seed))
        .collect();
    let card = moatsim_runner::calibrate::Scorecard::new(runs);
    Some(moatsim_analysis::CalibrationBanner {
        scenario: reference.scenario.clone(),
        runs: labels,
        rows: card
            .rows
            .into_iter()
            .map(|r| moatsim_analysis::CalibrationRow {
                lands_each: r
                    .values
                    .iter()
                    .map(|v| {
                        v.is_some_and(|v| moatsim_runner::calibrate::lands_inside(v, r.low, r.high))
                    })
                    .collect(),
                name: r.name,
                low: r.low,
                high: r.high,
                unit: r.unit,
                values: r.values,
                inside: r.inside,
                measured: r.measured,
            })
            .collect(),
    })
}

/// `moatsim compare`: two scenarios' headline indicators, paired by seed.
pub(super) fn compare(args: CompareArgs) -> Result<(), CliError> {
    let comparison = compare_runs(&args.a, &args.b).map_err(CliError::analysis)?;
    if args.json {
        print_json(&comparison)
    } else {
        emit(&comparison.render())
    }
}

/// Reads both sets of runs and compares their indicators.
fn compare_runs(
    a: &Path,
    b: &Path,
) -> Result<moatsim_analysis::Comparison, moatsim_analysis::AnalysisError> {
    let indicators = |path: &Path| -> Result<Vec<_>, moatsim_analysis::AnalysisError> {
        moatsim_analysis::discover(&[path.to_path_buf()])?
            .iter()
            .map(moatsim_analysis::run_indicators)
            .collect()
    };
    let (a, b) = (indicators(a)?, indicators(b)?);
    moatsim_analysis::compare(&a, &b)?.with_moat_half_life(&a, &b)
}

/// Runs the design's sweep (this shard's part), then, once every run is
/// complete, estimates the indices and writes OUT/sensitivity.parquet.
pub(super) fn sensitivity(args: SensitivityArgs) -> Result<(), CliError> {
    let SensitivityArgs {
        spec,
        sweep,
        outputs,
    } = args;
    let plan = load_plan(&spec)?;
    let input = design_input(&plan, &spec)?;
    let out = sweep_out(sweep.out.clone(), &plan);
    // The bootstrap's draws are fixed by the spec, so the file is the same
    // whenever it is estimated.
    let seed = plan.runs.first().map_or(0, |r| r.seed);
    if let Some(csv) = outputs {
        let values = read_outputs_csv(&csv, input.unit_rows.len()).map_err(CliError::usage)?;
        return save_indices(&out, &estimate_outputs(&input, &values, seed));
    }
    if !run_to_completion(
        &plan,
        sweep,
        &out,
        &spec,
        "sensitivity",
        "estimate the indices",
    )? {
        return Ok(());
    }
    let runs = read_indicators(&plan, &out)?;
    save_indices(&out, &estimate(&input, &runs, seed))
}

/// Runs this shard's part of a design's sweep into `out`; true once every
/// run of the plan is complete. While other shards' runs are missing it says
/// so (unless quiet) and returns false: `moatsim <command> SPEC` without
/// `--shard` then does what is left (`then`).
pub(super) fn run_to_completion(
    plan: &SweepPlan,
    sweep: SweepArgs,
    out: &Path,
    spec: &Path,
    command: &str,
    then: &str,
) -> Result<bool, CliError> {
    let quiet = sweep.quiet;
    run_planned(
        plan,
        SweepArgs {
            out: Some(out.to_path_buf()),
            ..sweep
        },
    )?;
    let status = moatsim_runner::sweep::sweep_status(plan, out).map_err(CliError::failed)?;
    let incomplete = status.partial.len() + status.missing.len();
    if incomplete > 0 && !quiet {
        emit(&format!(
            "moatsim: {incomplete} of {} runs are not complete yet (other shards); run `moatsim {command} {}` without --shard once they are, to {then}\n",
            plan.runs.len(),
            spec.display()
        ))?;
    }
    Ok(incomplete == 0)
}

/// The spec's design as the estimators take it; a spec without one is a
/// usage error.
fn design_input(plan: &SweepPlan, spec: &Path) -> Result<DesignInput, CliError> {
    let Some(design) = &plan.design else {
        return Err(CliError::Usage(format!(
            "{} has no [morris] or [sobol] table; allowed: a sweep spec with one (docs/ANALYSIS.md, \"Sensitivity\")",
            spec.display()
        )));
    };
    let method = match design.method {
        DesignMethod::Morris { levels } => Method::Morris { levels },
        DesignMethod::Sobol => Method::Sobol,
        DesignMethod::Hypercube => {
            return Err(CliError::Usage(format!(
                "{} is an [explore] ensemble, not a sensitivity design; run it with `moatsim explore {}` (docs/ANALYSIS.md, \"Claims\")",
                spec.display(),
                spec.display()
            )));
        }
    };
    Ok(DesignInput {
        method,
        parameters: design.parameters.clone(),
        unit_rows: design.unit_rows.clone(),
    })
}

/// Every run's headline indicators, with the design point it belongs to.
pub(super) fn read_indicators(
    plan: &SweepPlan,
    out: &Path,
) -> Result<Vec<(usize, RunIndicators)>, CliError> {
    let mut runs = Vec::with_capacity(plan.runs.len());
    for run in &plan.runs {
        let reference = moatsim_analysis::RunRef {
            dir: moatsim_runner::sweep::published_dir(out, plan, run),
            scenario: plan.scenario_of(run).name.clone(),
            seed: run.seed,
            run_id: Some(run.run_id.clone()),
        };
        let indicators = moatsim_analysis::run_indicators(&reference).map_err(CliError::failed)?;
        runs.push((run.design_point.unwrap_or(0) as usize, indicators));
    }
    Ok(runs)
}

/// Writes OUT/sensitivity.parquet and prints the indices.
fn save_indices(out: &Path, indices: &Indices) -> Result<(), CliError> {
    let path = out.join("sensitivity.parquet");
    std::fs::create_dir_all(out)
        .map_err(|source| moatsim_analysis::AnalysisError::Io {
            path: out.to_path_buf(),
            source,
        })
        .and_then(|()| write_indices(&path, &indices.rows))
        .map_err(CliError::failed)?;
    emit(&format!(
        "{}\nwrote {} ({} indices)\n",
        render(indices),
        path.display(),
        indices.rows.len()
    ))
}
