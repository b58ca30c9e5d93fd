//! `moatsim calibrate`: the scorecard of finished runs against the published
//! figures, and with `--fit` the search for parameter values that land them.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use moatsim_config::fit::FitSpec;
use moatsim_runner::calibrate::Scorecard;
use moatsim_runner::fit::{
    FitError, FitOptions, FitResult, FitState, GenerationSummary, render_scorecards, run_fit,
    write_fit,
};
use moatsim_runner::sweep::RunOutcome;

use super::sweep::shard_and_jobs;
use crate::args::{CalibrateArgs, SweepArgs};
use crate::error::CliError;
use crate::output::{emit, print_json};

/// `moatsim calibrate`: with `--fit`, a fit; otherwise the scorecard of
/// finished runs against the published figures.
pub(super) fn calibrate(args: CalibrateArgs) -> Result<(), CliError> {
    let CalibrateArgs {
        run_dirs,
        json,
        fit: spec,
        out,
        shard,
        jobs,
        quiet,
        wait,
    } = args;
    if let Some(spec) = spec {
        let sweep = SweepArgs {
            out,
            shard,
            jobs,
            quiet,
        };
        return fit(&spec, sweep, json, wait);
    }
    // A scenario, outputs or sweep folder stands for every run under it, as
    // for `compare` and `report`.
    let run_dirs = moatsim_analysis::run_folders(&run_dirs).map_err(CliError::analysis)?;
    let mut reports = run_dirs
        .iter()
        .map(|dir| moatsim_runner::calibrate::calibrate(dir))
        .collect::<Result<Vec<_>, _>>()
        .map_err(CliError::failed)?;
    // One run reads best as its own report; several as one column each.
    if reports.len() == 1 {
        let report = reports.remove(0);
        return if json {
            print_json(&report)
        } else {
            emit(&report.render())
        };
    }
    let scorecard = Scorecard::new(reports);
    if json {
        print_json(&scorecard)
    } else {
        emit(&scorecard.render())
    }
}

/// How often a waiting shard of a fit looks for the other shards' runs.
const FIT_POLL: Duration = Duration::from_secs(5);

/// `calibrate --fit`: runs this shard's share of the fit; when the fit is
/// done, writes its files and prints the fitted values and both scorecards.
fn fit(spec_path: &Path, args: SweepArgs, json: bool, wait: bool) -> Result<(), CliError> {
    let spec = moatsim_config::fit::load_fit(spec_path, &moatsim_runner::fit::target_names())
        .map_err(CliError::usage)?;
    let (shard, jobs) = shard_and_jobs(args.shard.as_deref(), args.jobs)?;
    let out = args
        .out
        .unwrap_or_else(|| Path::new("fits").join(&spec.name));
    let quiet = args.quiet;
    let options = FitOptions {
        out_dir: out.clone(),
        shard,
        jobs,
    };
    if !quiet {
        let seeds = spec.seeds.len() as u64;
        let most = u64::from(spec.particles) * u64::from(spec.generations) * seeds + seeds;
        eprintln!(
            "moatsim: fit {}: {} points x up to {} generations x {} seeds, plus the scenario as it stands: up to {most} runs, {jobs} at a time -> {}",
            spec.name,
            spec.particles,
            spec.generations,
            seeds,
            out.display()
        );
    }
    let result = match search(&spec, &options, quiet, wait)? {
        FitState::Done(result) => result,
        FitState::Waiting {
            stage,
            incomplete,
            total,
        } => {
            if !quiet {
                emit(&format!(
                    "moatsim: {stage}: {incomplete} of {total} runs are not complete yet (other shards); run `moatsim calibrate --fit {}` again once they are, to go on (or give --wait)\n",
                    spec_path.display()
                ))?;
            }
            return Ok(());
        }
    };
    let written = write_fit(&spec, &result, &out).map_err(CliError::failed)?;
    if json {
        return print_json(&result);
    }
    emit(&describe_fit(&spec, &result, &written))
}

/// Runs this shard's share of the fit, telling its progress on stderr. With
/// `wait`, it waits for other shards' runs and goes on; without, it returns
/// the first wait.
fn search(
    spec: &FitSpec,
    options: &FitOptions,
    quiet: bool,
    wait: bool,
) -> Result<FitState, CliError> {
    let terminal = std::io::stderr().is_terminal();
    let started = Instant::now();
    // Each stage's wait is announced once, not at every poll.
    let mut announced = String::new();
    loop {
        let state = run_fit(
            spec,
            options,
            |stage, outcome| {
                if !quiet {
                    tell_run(stage, outcome, terminal);
                }
            },
            |generation| {
                if !quiet {
                    tell_generation(spec, generation, started);
                }
            },
        );
        match state {
            Ok(FitState::Waiting {
                stage,
                incomplete,
                total,
            }) if wait => {
                if !quiet && announced != stage {
                    eprintln!(
                        "moatsim: {stage}: waiting for {incomplete} of {total} runs (other shards)"
                    );
                    announced = stage;
                }
                std::thread::sleep(FIT_POLL);
            }
            Ok(state) => return Ok(state),
            // Another fit's folder is a usage error: nothing was run.
            Err(error @ FitError::OtherSpec { .. }) => return Err(CliError::usage(error)),
            Err(error) => return Err(CliError::failed(error)),
        }
    }
}

/// A failed run on its own line; on a terminal, a counter of the stage's runs
/// that is overwritten in place and wiped when the stage is done.
fn tell_run(stage: &str, outcome: &RunOutcome, terminal: bool) {
    if let Err(message) = &outcome.result {
        eprintln!("moatsim: {stage} run {} FAILED: {message}", outcome.run_id);
    } else if terminal {
        eprint!("\r{stage}: {}/{} runs   ", outcome.done, outcome.total);
        if outcome.done == outcome.total {
            eprint!("\r\x1b[K");
        }
    }
}

/// One line per scored generation: how many points it kept, and how close the
/// best came.
fn tell_generation(spec: &FitSpec, generation: &GenerationSummary, started: Instant) {
    eprintln!(
        "moatsim: {} generation {}: {} of {} points within tolerance {:.4}; best distance {:.4} ({:.0} s)",
        spec.name,
        generation.generation,
        generation.accepted,
        generation.proposed,
        generation.tolerance,
        generation.best,
        started.elapsed().as_secs_f64()
    );
}

/// A fitted value as a reader wants it: four significant digits (the fit's
/// tolerance is far coarser); whole numbers and text as they are. The
/// overlay keeps every digit.
fn readable(value: &str) -> String {
    match value.parse::<f64>() {
        Ok(v) if v.is_finite() && v.fract() != 0.0 => {
            let digits = 3 - v.abs().log10().floor() as i32;
            format!("{v:.*}", digits.clamp(0, 12) as usize)
        }
        _ => value.to_string(),
    }
}

/// The result of a finished fit: the fitted values within their ranges, the
/// distance before and after, both scorecards and the files written.
fn describe_fit(spec: &FitSpec, result: &FitResult, written: &[PathBuf]) -> String {
    let mut text = format!(
        "fit {} of {} against {} ({} runs)\n\n",
        spec.name,
        spec.scenario_path.display(),
        result.targets.join(", "),
        result.runs
    );
    text.push_str(&format!(
        "{:<48} {:>22} {:>14} {:>28}\n",
        "parameter", "range", "fitted", "population mean [min, max]"
    ));
    for p in &result.parameters {
        text.push_str(&format!(
            "{:<48} {:>22} {:>14} {:>28}\n",
            p.path,
            format!("[{}, {}]", p.low, p.high),
            readable(&p.fitted),
            format!(
                "{:.4} [{:.4}, {:.4}]",
                p.population_mean, p.population_min, p.population_max
            )
        ));
    }
    for (target, [low, high]) in &spec.target_ranges {
        text.push_str(&format!(
            "{target} is scored against [{low}, {high}] (the spec's target_ranges), not its published range\n"
        ));
    }
    if !result.kept.is_empty() {
        text.push_str(&format!(
            "\nkept in (they land at every seed before the fit): {}\n",
            result.kept.join(", ")
        ));
    }
    text.push_str(&format!(
        "\ndistance to the targets (0 = inside at every seed): {:.4} before, {:.4} after\n\n",
        result.reference_distance, result.best_distance
    ));
    text.push_str(&render_scorecards(result));
    text.push_str("\nwrote:\n");
    for path in written {
        text.push_str(&format!("  {}\n", path.display()));
    }
    text.push_str(
        "\nA fit tunes assumptions: where a target is reached only far from a parameter's source, fix the mechanism instead (docs/CALIBRATION.md, \"Fitting\").\n",
    );
    text
}

#[cfg(test)]
mod tests {
    use super::readable;

    #[test]
    fn fitted_values_read_to_four_significant_digits() {
        assert_eq!(readable("5.583550796"), "5.584");
        assert_eq!(readable("0.012345678"), "0.01235");
        assert_eq!(readable("1234.5678"), "1235");
        assert_eq!(readable("8"), "8");
        assert_eq!(readable("\"text\""), "\"text\"");
    }
}
