//! Running a sweep: a shard's share of the planned runs, several at once,
//! idempotent and resumable.
//!
//! Layout: run `r…` of a sweep is published to
//! `<out>/run_id=<id>/scenario=<name>/seed=<seed>/` by [`crate::run_scenario`],
//! so it is complete exactly when its folder (with `manifest.json`) exists. A
//! run killed part-way leaves only a staging folder, which the next attempt
//! removes before running it again; a complete run is never run twice.
//! `<out>/runs.parquet` lists every planned run with its parameters and status.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use moatsim_config::sweep::{PlannedRun, SweepPlan};
use moatsim_output::manifest::verify_run;
use moatsim_output::runs::{RunsColumn, write_runs_table};

use crate::{IoError, RunError, RunOptions, io, run_dir, run_scenario};

/// Which share of a sweep's runs this process does: run `k` (in plan order)
/// belongs to shard `k mod count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// Parses `I/N` (0-based index).
    pub fn parse(text: &str) -> Result<Self, String> {
        let allowed = "allowed: I/N with N a whole number of 1 or more and I from 0 to N - 1, for example 0/4";
        let (index, count) = text
            .split_once('/')
            .ok_or_else(|| format!("{text:?} is not I/N; {allowed}"))?;
        let index: usize = index.trim().parse().map_err(|_| {
            format!("{text:?}: the index {index:?} is not a whole number; {allowed}")
        })?;
        let count: usize = count.trim().parse().map_err(|_| {
            format!("{text:?}: the count {count:?} is not a whole number; {allowed}")
        })?;
        if count == 0 || index >= count {
            return Err(format!("{text:?} is out of range; {allowed}"));
        }
        Ok(Self { index, count })
    }

    /// The shard a batch system gives this process, if any: a Slurm array task
    /// (`SLURM_ARRAY_TASK_ID` − `SLURM_ARRAY_TASK_MIN` of
    /// `SLURM_ARRAY_TASK_COUNT`), or a Kubernetes indexed job
    /// (`JOB_COMPLETION_INDEX` of `MOATSIM_SHARD_COUNT`).
    pub fn from_environment(get: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, String> {
        let number = |name: &str| -> Result<Option<usize>, String> {
            match get(name) {
                None => Ok(None),
                Some(text) => text
                    .trim()
                    .parse()
                    .map(Some)
                    .map_err(|_| format!("{name}={text:?} is not a whole number")),
            }
        };
        // A count of zero shards is named by its variable, not as a bad `I/N`.
        let count_of = |name: &str| -> Result<Option<usize>, String> {
            match number(name)? {
                Some(0) => Err(format!(
                    "{name}=0; allowed: a whole number of 1 or more (the number of shards)"
                )),
                other => Ok(other),
            }
        };
        if let (Some(id), Some(count)) = (
            number("SLURM_ARRAY_TASK_ID")?,
            count_of("SLURM_ARRAY_TASK_COUNT")?,
        ) {
            let min = number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
            let index = id.checked_sub(min).ok_or_else(|| {
                format!("SLURM_ARRAY_TASK_ID {id} is below SLURM_ARRAY_TASK_MIN {min}")
            })?;
            return Self::parse(&format!("{index}/{count}"))
                .map(Some)
                .map_err(|e| {
                    format!("{e} (the array must be contiguous, for example --array=0-3)")
                });
        }
        if let Some(index) = number("JOB_COMPLETION_INDEX")? {
            let count = count_of("MOATSIM_SHARD_COUNT")?.ok_or(
                "JOB_COMPLETION_INDEX is set but MOATSIM_SHARD_COUNT is not: set it to the job's completions",
            )?;
            return Self::parse(&format!("{index}/{count}")).map(Some);
        }
        Ok(None)
    }

    pub fn owns(self, position: usize) -> bool {
        position % self.count == self.index
    }
}

/// Where a planned run stands on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    Complete,
    /// Started but not published (killed or failed part-way).
    Partial,
    Missing,
}

impl RunState {
    pub fn name(self) -> &'static str {
        match self {
            Self::Complete => "complete",
            Self::Partial => "partial",
            Self::Missing => "missing",
        }
    }
}

/// The folder that holds every attempt at one run.
pub fn run_root(out_dir: &Path, run: &PlannedRun) -> PathBuf {
    out_dir.join(format!("run_id={}", run.run_id))
}

/// The folder a sweep's run is published in once complete:
/// `<out>/run_id=<id>/scenario=<its scenario>/seed=<seed>`.
pub fn published_dir(out_dir: &Path, plan: &SweepPlan, run: &PlannedRun) -> PathBuf {
    run_dir(
        &run_root(out_dir, run),
        &plan.scenario_of(run).name,
        run.seed,
    )
}

pub fn run_state(out_dir: &Path, plan: &SweepPlan, run: &PlannedRun) -> RunState {
    let root = run_root(out_dir, run);
    let published = published_dir(out_dir, plan, run);
    if published.join("manifest.json").is_file() {
        RunState::Complete
    } else if root.exists() {
        RunState::Partial
    } else {
        RunState::Missing
    }
}

#[derive(Debug, Clone)]
pub struct SweepOptions {
    pub out_dir: PathBuf,
    pub shard: Shard,
    /// Runs at once (each on one thread).
    pub jobs: usize,
}

/// What happened to one run in this invocation.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    pub run_id: String,
    pub seed: u64,
    pub result: Result<Duration, String>,
    /// Runs of this shard finished so far (including this one) and in total.
    pub done: usize,
    pub total: usize,
}

#[derive(Debug, Clone, Default)]
pub struct SweepReport {
    /// Runs of this shard already complete before it started.
    pub skipped: usize,
    pub completed: usize,
    pub failed: Vec<(String, String)>,
    pub wall_time: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error(transparent)]
    Io(#[from] IoError),
    #[error(transparent)]
    Output(#[from] moatsim_output::OutputError),
}

/// Runs this shard's runs that are not complete, `jobs` at a time, then
/// rewrites `runs.parquet`. `on_run` is called as each run finishes.
pub fn run_sweep(
    plan: &SweepPlan,
    options: &SweepOptions,
    on_run: impl Fn(&RunOutcome) + Sync,
) -> Result<SweepReport, SweepError> {
    let started = Instant::now();
    std::fs::create_dir_all(&options.out_dir).map_err(io(&options.out_dir))?;
    let mine: Vec<&PlannedRun> = plan
        .runs
        .iter()
        .enumerate()
        .filter(|(k, _)| options.shard.owns(*k))
        .map(|(_, r)| r)
        .collect();
    let mut report = SweepReport::default();
    let mut todo = Vec::new();
    for run in mine {
        match run_state(&options.out_dir, plan, run) {
            RunState::Complete => report.skipped += 1,
            RunState::Partial => {
                // Only a staging folder can be left: remove it and start over.
                let root = run_root(&options.out_dir, run);
                std::fs::remove_dir_all(&root).map_err(io(&root))?;
                todo.push(run);
            }
            RunState::Missing => todo.push(run),
        }
    }
    let total = todo.len();
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let jobs = options.jobs.clamp(1, total.max(1));
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(run) = todo.get(k) else { break };
                    let began = Instant::now();
                    let result = run_one(plan, run, &options.out_dir)
                        .map(|()| began.elapsed())
                        .map_err(|e| e.to_string());
                    // A poisoned lock still holds the failures so far: they
                    // are kept, never dropped as if the runs had succeeded.
                    if let Err(message) = &result {
                        failures
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .push((run.run_id.clone(), message.clone()));
                    }
                    let finished = done.fetch_add(1, Ordering::Relaxed) + 1;
                    on_run(&RunOutcome {
                        run_id: run.run_id.clone(),
                        seed: run.seed,
                        result,
                        done: finished,
                        total,
                    });
                }
            });
        }
    });
    report.failed = failures
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    report.failed.sort();
    report.completed = total - report.failed.len();
    write_runs(plan, &options.out_dir, None)?;
    report.wall_time = started.elapsed();
    Ok(report)
}

fn run_one(plan: &SweepPlan, run: &PlannedRun, out_dir: &Path) -> Result<(), RunError> {
    let loaded = moatsim_config::load(&plan.scenario_of(run).path, &run.overrides(plan))?;
    let options = RunOptions {
        out_dir: run_root(out_dir, run),
        threads: Some(1),
        force: false,
        checkpoint: None,
    };
    run_scenario(&loaded, &options, |_| {}).map(|_| ())
}

/// Counts of a sweep's runs by state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepStatus {
    pub complete: Vec<String>,
    /// Published, but a file is not as it was published: (run id, what is
    /// wrong, file by file).
    pub damaged: Vec<(String, String)>,
    pub partial: Vec<String>,
    pub missing: Vec<String>,
}

/// Looks at every planned run on disk, checks every published one against
/// its manifest (`moatsim_output::manifest::verify_run`), and rewrites
/// `runs.parquet`.
pub fn sweep_status(plan: &SweepPlan, out_dir: &Path) -> Result<SweepStatus, SweepError> {
    let mut status = SweepStatus::default();
    let mut states = Vec::with_capacity(plan.runs.len());
    for run in &plan.runs {
        let id = run.run_id.clone();
        let state = run_state(out_dir, plan, run);
        match state {
            RunState::Complete => {
                let published = published_dir(out_dir, plan, run);
                let check = verify_run(&published);
                if check.ok() {
                    status.complete.push(id);
                    states.push("complete");
                } else {
                    let what = check
                        .problems
                        .iter()
                        .map(|p| format!("{} {}", p.file, p.problem))
                        .collect::<Vec<_>>()
                        .join("; ");
                    status.damaged.push((id, what));
                    states.push("damaged");
                }
            }
            RunState::Partial => {
                status.partial.push(id);
                states.push(state.name());
            }
            RunState::Missing => {
                status.missing.push(id);
                states.push(state.name());
            }
        }
    }
    if out_dir.is_dir() {
        write_runs(plan, out_dir, Some(&states))?;
    }
    Ok(status)
}

/// `<out>/runs.parquet`: run_id, scenario, seed, status, the run's folder
/// relative to `out`, and one column per swept parameter (numbers as Float64,
/// anything else as text), in plan order. `states` are the runs' statuses
/// when they were checked already (`sweep_status`); otherwise a run is
/// complete when it is published.
fn write_runs(plan: &SweepPlan, out_dir: &Path, states: Option<&[&str]>) -> Result<(), SweepError> {
    let runs = &plan.runs;
    let mut columns: Vec<(String, RunsColumn)> = vec![
        (
            "run_id".into(),
            RunsColumn::Text(runs.iter().map(|r| r.run_id.clone()).collect()),
        ),
        (
            "sweep".into(),
            RunsColumn::Text(runs.iter().map(|_| plan.name.clone()).collect()),
        ),
        (
            "scenario".into(),
            RunsColumn::Text(
                runs.iter()
                    .map(|r| plan.scenario_of(r).name.clone())
                    .collect(),
            ),
        ),
        (
            "seed".into(),
            RunsColumn::Count(runs.iter().map(|r| r.seed).collect()),
        ),
        (
            "status".into(),
            RunsColumn::Text(match states {
                Some(states) => states.iter().map(|s| (*s).to_string()).collect(),
                None => runs
                    .iter()
                    .map(|r| run_state(out_dir, plan, r).name().to_string())
                    .collect(),
            }),
        ),
        (
            "path".into(),
            RunsColumn::Text(
                runs.iter()
                    .map(|r| {
                        format!(
                            "run_id={}/scenario={}/seed={}",
                            r.run_id,
                            plan.scenario_of(r).name,
                            r.seed
                        )
                    })
                    .collect(),
            ),
        ),
    ];
    // A design's row, or a fit's particle: the point a run evaluates.
    if plan.design.is_some() || runs.iter().any(|r| r.design_point.is_some()) {
        columns.push((
            "design_point".into(),
            RunsColumn::Count(
                runs.iter()
                    .map(|r| r.design_point.map_or(0, u64::from))
                    .collect(),
            ),
        ));
    }
    for name in &plan.parameter_names {
        let values: Vec<&str> = runs
            .iter()
            .map(|r| r.parameters.get(name).map_or("", String::as_str))
            .collect();
        let numbers: Option<Vec<Option<f64>>> = values
            .iter()
            .map(|v| v.parse::<f64>().ok().map(Some))
            .collect();
        let column = match numbers {
            Some(numbers) => RunsColumn::Number(numbers),
            None => RunsColumn::Text(
                values
                    .iter()
                    .map(|v| v.trim_matches('"').to_string())
                    .collect(),
            ),
        };
        columns.push((name.clone(), column));
    }
    write_runs_table(&out_dir.join("runs.parquet"), &columns)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_split_runs_round_robin_and_come_from_batch_systems() {
        let shard = Shard::parse("1/3").expect("valid");
        let owned: Vec<usize> = (0..7).filter(|&k| shard.owns(k)).collect();
        assert_eq!(owned, vec![1, 4]);
        assert!(Shard::parse("3/3").is_err() && Shard::parse("x").is_err());

        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        let slurm = Shard::from_environment(env(&[
            ("SLURM_ARRAY_TASK_ID", "3"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ]));
        assert_eq!(slurm, Ok(Some(Shard { index: 2, count: 4 })));
        let k8s = Shard::from_environment(env(&[
            ("JOB_COMPLETION_INDEX", "0"),
            ("MOATSIM_SHARD_COUNT", "2"),
        ]));
        assert_eq!(k8s, Ok(Some(Shard { index: 0, count: 2 })));
        assert!(Shard::from_environment(env(&[("JOB_COMPLETION_INDEX", "0")])).is_err());
        assert_eq!(Shard::from_environment(env(&[])), Ok(None));
        let zero = Shard::from_environment(env(&[
            ("JOB_COMPLETION_INDEX", "0"),
            ("MOATSIM_SHARD_COUNT", "0"),
        ]));
        assert!(zero.is_err_and(|e| e.starts_with("MOATSIM_SHARD_COUNT=0")));
    }
}
