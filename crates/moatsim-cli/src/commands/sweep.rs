//! `moatsim sweep plan|run|status`, and what the other commands that make
//! many runs (`sensitivity`, `calibrate --fit`) share with them: the plan,
//! where the runs go, this process's shard.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use moatsim_config::sweep::SweepPlan;
use moatsim_runner::sweep::{RunOutcome, Shard, SweepOptions, run_sweep};

use crate::args::{SweepArgs, SweepPlanArgs, SweepRunArgs, SweepStatusArgs};
use crate::error::CliError;
use crate::output::{emit, print_json, progress_bar};

/// `moatsim sweep plan`: the run table of a sweep spec.
pub(super) fn plan(args: SweepPlanArgs) -> Result<(), CliError> {
    let plan = load_plan(&args.spec)?;
    if args.json {
        print_json(&plan)
    } else {
        emit(&plan.render())
    }
}

/// `moatsim sweep run`: this shard's runs of a sweep spec.
pub(super) fn run(args: SweepRunArgs) -> Result<(), CliError> {
    let plan = load_plan(&args.spec)?;
    run_planned(&plan, args.sweep)
}

/// `moatsim sweep status`: which runs of a sweep are complete.
pub(super) fn status(args: SweepStatusArgs) -> Result<(), CliError> {
    let plan = load_plan(&args.spec)?;
    let out = sweep_out(args.out, &plan);
    let out = out.as_path();
    let status = moatsim_runner::sweep::sweep_status(&plan, out).map_err(CliError::failed)?;
    let mut text = format!(
        "sweep {} in {}: {} runs: {} complete, {} damaged, {} partial, {} missing\n",
        plan.name,
        out.display(),
        plan.runs.len(),
        status.complete.len(),
        status.damaged.len(),
        status.partial.len(),
        status.missing.len()
    );
    for (id, what) in &status.damaged {
        text.push_str(&format!(
            "damaged {id}: {what} (remove its run_id={id} folder and run the sweep again to redo it)\n"
        ));
    }
    for id in &status.partial {
        text.push_str(&format!("partial {id}\n"));
    }
    for id in &status.missing {
        text.push_str(&format!("missing {id}\n"));
    }
    emit(&text)
}

/// Plans a sweep spec; a bad spec is a usage error.
pub(super) fn load_plan(spec: &Path) -> Result<SweepPlan, CliError> {
    moatsim_config::sweep::plan(spec).map_err(CliError::usage)
}

/// Where a sweep's runs go without `--out`: their own root, so that the
/// README's globs over `outputs/` never mix sweep runs with single runs.
pub(super) fn sweep_out(out: Option<PathBuf>, plan: &SweepPlan) -> PathBuf {
    out.unwrap_or_else(|| Path::new("sweeps").join(&plan.name))
}

/// This process's shard (from --shard, else the batch system's environment,
/// else every run) and how many runs it makes at once.
pub(super) fn shard_and_jobs(
    shard: Option<&str>,
    jobs: Option<usize>,
) -> Result<(Shard, usize), CliError> {
    let shard = match shard {
        Some(text) => Shard::parse(text).map_err(|message| format!("--shard {message}")),
        None => Shard::from_environment(|name| std::env::var(name).ok())
            .map(|s| s.unwrap_or(Shard::ALL)),
    };
    let shard = shard.map_err(CliError::Usage)?;
    let jobs = jobs
        .or_else(|| {
            std::env::var("SLURM_CPUS_PER_TASK")
                .ok()
                .and_then(|v| v.parse().ok())
        })
        .or_else(|| std::thread::available_parallelism().ok().map(|n| n.get()))
        .unwrap_or(1);
    if jobs == 0 {
        return Err(CliError::usage(
            "SLURM_CPUS_PER_TASK=0; allowed: a whole number of 1 or more",
        ));
    }
    Ok((shard, jobs))
}

/// Runs this shard's part of a planned sweep (a plan is checked once: a
/// design of thousands of points takes seconds to plan).
pub(super) fn run_planned(plan: &SweepPlan, args: SweepArgs) -> Result<(), CliError> {
    let SweepArgs {
        out,
        shard,
        jobs,
        quiet,
    } = args;
    let out = sweep_out(out, plan);
    let (shard, jobs) = shard_and_jobs(shard.as_deref(), jobs)?;
    let mine = (0..plan.runs.len()).filter(|&k| shard.owns(k)).count();
    // A bar on a terminal; in a batch job, one line per finished run.
    let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
        progress_bar(
            0,
            "{prefix} [{bar:30}] {pos}/{len} runs  {per_sec}  ETA {eta}",
            format!("{} shard {}/{}", plan.name, shard.index, shard.count),
        )
    });
    let options = SweepOptions {
        out_dir: out.clone(),
        shard,
        jobs,
    };
    let result = run_sweep(plan, &options, |outcome| {
        if let Some(bar) = &bar {
            bar.set_length(outcome.total as u64);
            bar.set_position(outcome.done as u64);
        } else if !quiet {
            tell_run(plan, outcome);
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let report = result.map_err(CliError::failed)?;
    if !quiet {
        emit(&format!(
            "moatsim: sweep {} shard {}/{}: {} runs, {} already complete, {} completed, {} failed in {:.1} s -> {}\n",
            plan.name,
            shard.index,
            shard.count,
            mine,
            report.skipped,
            report.completed,
            report.failed.len(),
            report.wall_time.as_secs_f64(),
            out.display()
        ))?;
    }
    if report.failed.is_empty() {
        Ok(())
    } else {
        Err(CliError::RunsFailed(report.failed))
    }
}

/// One line per finished run, for logs of batch jobs where no bar is drawn.
fn tell_run(plan: &SweepPlan, outcome: &RunOutcome) {
    match &outcome.result {
        Ok(took) => eprintln!(
            "moatsim: {} run {} seed={} complete in {:.1} s [{}/{}]",
            plan.name,
            outcome.run_id,
            outcome.seed,
            took.as_secs_f64(),
            outcome.done,
            outcome.total
        ),
        Err(message) => eprintln!(
            "moatsim: {} run {} seed={} FAILED: {message} [{}/{}]",
            plan.name, outcome.run_id, outcome.seed, outcome.done, outcome.total
        ),
    }
}
