//! `moatsim run` and `moatsim resume`: one scenario's run, with a progress
//! bar on a terminal and a summary line when it is done.

use std::io::IsTerminal;
use std::path::Path;

use anyhow::Context;
use moatsim_runner::{CheckpointPlan, Progress, RunOptions, RunReport, resume_run, run_scenario};

use super::load;
use crate::args::{ResumeArgs, RunArgs};
use crate::error::CliError;
use crate::output::{emit, group, progress_bar};

/// `moatsim run`: loads the scenario with the command line's overrides and
/// runs it.
pub(super) fn run(args: RunArgs) -> Result<(), CliError> {
    let overrides = with_shorthands(args.overrides, args.seed, args.quarters)?;
    let loaded = load(&args.config, &overrides)?;
    if args.checkpoint_every == Some(0) {
        return Err(CliError::usage("--checkpoint-every must be at least 1"));
    }
    // Resume reloads the configuration from the same file with the same
    // overrides, wherever it is started from.
    let checkpoint = args.checkpoint_every.map(|every| CheckpointPlan {
        every,
        config_path: std::fs::canonicalize(&args.config).unwrap_or(args.config.clone()),
        overrides: overrides.clone(),
    });
    let scenario = &loaded.scenario;
    let options = RunOptions {
        out_dir: args.out,
        threads: args.threads,
        force: args.force,
        checkpoint,
    };
    let label = format!("{} seed={}", scenario.name, scenario.seed);
    with_progress(&label, args.quiet, |progress| {
        run_scenario(&loaded, &options, progress)
            .with_context(|| format!("run of {} (seed {}) failed", scenario.name, scenario.seed))
    })
}

/// The `--set` overrides with `--seed` and `--quarters` added: they are
/// shorthands for `--set scenario.seed` and `--set scenario.quarters`, and
/// like any field each is set once.
fn with_shorthands(
    mut overrides: Vec<String>,
    seed: Option<u64>,
    quarters: Option<u32>,
) -> Result<Vec<String>, CliError> {
    for (flag, field, value) in [
        ("--seed", "scenario.seed", seed.map(|v| v.to_string())),
        (
            "--quarters",
            "scenario.quarters",
            quarters.map(|v| v.to_string()),
        ),
    ] {
        let Some(value) = value else { continue };
        if let Some(other) = overrides.iter().find(|o| {
            o.split_once('=')
                .is_some_and(|(key, _)| key.trim() == field)
        }) {
            return Err(CliError::Usage(format!(
                "{flag} {value} and --set {other} both set `{field}`; allowed: one of them"
            )));
        }
        overrides.push(format!("{field}={value}"));
    }
    Ok(overrides)
}

/// `moatsim resume`: continues a run from its last checkpoint.
pub(super) fn resume(args: ResumeArgs) -> Result<(), CliError> {
    let ResumeArgs {
        run_dir,
        threads,
        quiet,
    } = args;
    // "outputs/scenario=baseline/seed=42" -> "baseline seed=42".
    let part = |p: Option<&std::ffi::OsStr>| p.map(|c| c.to_string_lossy().into_owned());
    let label = format!(
        "{} {}",
        part(run_dir.parent().and_then(Path::file_name))
            .unwrap_or_default()
            .trim_start_matches("scenario="),
        part(run_dir.file_name()).unwrap_or_default()
    );
    with_progress(&label, quiet, |progress| {
        resume_run(&run_dir, threads, progress)
            .with_context(|| format!("resuming {} failed", run_dir.display()))
    })
}

/// Runs `work` with a progress bar on a terminal, then prints the summary line.
fn with_progress(
    label: &str,
    quiet: bool,
    work: impl FnOnce(&mut dyn FnMut(Progress)) -> anyhow::Result<RunReport>,
) -> Result<(), CliError> {
    // The bar is made when the first progress arrives, so its first frame
    // already knows the horizon (and, for a resumed run, where it resumes).
    let show_bar = !quiet && std::io::stderr().is_terminal();
    let mut bar: Option<indicatif::ProgressBar> = None;
    let mut first = true;
    let mut on_progress = |p: Progress| {
        if first {
            first = false;
            if p.resumed && !quiet {
                eprintln!(
                    "moatsim: {label}: resuming from the checkpoint after quarter {} of {}",
                    p.quarters_done, p.quarters
                );
            }
            if show_bar {
                bar = Some(progress_bar(
                    u64::from(p.quarters),
                    "{prefix} [{bar:30}] {pos}/{len} quarters  {msg}  ETA {eta}",
                    label.to_string(),
                ));
            }
        }
        if let Some(bar) = &bar {
            bar.set_message(format!("{} rows", group(p.rows_written)));
            bar.set_position(u64::from(p.quarters_done));
        }
    };
    // `{:#}` prints the whole chain: what failed and why.
    let report = work(&mut on_progress).map_err(|error| CliError::Failed(format!("{error:#}")))?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if !quiet {
        print_summary(label, &report)?;
    }
    Ok(())
}

/// The line a finished run leaves on stdout: its size, speed and folder.
fn print_summary(label: &str, report: &RunReport) -> Result<(), CliError> {
    let resumed = report
        .resumed_from
        .map(|q| format!(" (resumed after quarter {q})"))
        .unwrap_or_default();
    emit(&format!(
        "moatsim: {label}: {} quarters{resumed}, {} agents, {} rows written in {:.2} s ({} agent-quarters/s) -> {}\n",
        report.quarters,
        group(report.agents),
        group(report.rows_written),
        report.wall_time.as_secs_f64(),
        group(report.agent_quarters_per_second() as u64),
        report.run_dir.display()
    ))
}
