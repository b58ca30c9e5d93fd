//! Command-line interface: argument parsing, the terminal (progress, summary)
//! and exit codes. Exit status 0 is success, 1 a failed run, 2 a bad command
//! line or configuration (nothing is written).

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use moatsim_config::{ConfigError, LoadedScenario};
use moatsim_runner::{CheckpointPlan, Progress, RunOptions, RunReport, resume_run, run_scenario};

/// Agent-based simulation of the AI infrastructure race: labs, investors,
/// chipmakers, utilities, regulators and app builders, one quarter at a time.
#[derive(Debug, Parser)]
#[command(name = "moatsim", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a scenario and write its Parquet tables under OUT/scenario=<name>/seed=<seed>/.
    Run {
        /// Scenario file (TOML), for example configs/baseline.toml.
        config: PathBuf,
        /// Random seed (overrides scenario.seed).
        #[arg(long)]
        seed: Option<u64>,
        /// Number of quarters to simulate (overrides scenario.quarters).
        #[arg(long)]
        quarters: Option<u32>,
        /// Folder that holds runs.
        #[arg(long, default_value = "outputs")]
        out: PathBuf,
        /// Override any config field: --set labs[frontier-a].cash_usd=5e10 (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        overrides: Vec<String>,
        /// Worker threads (default: all cores). Output is identical for any count.
        #[arg(long)]
        threads: Option<usize>,
        /// Replace an existing run folder for the same scenario and seed.
        #[arg(long)]
        force: bool,
        /// Save the whole world every K quarters so that `moatsim resume` can
        /// continue the run if it is killed.
        #[arg(long, value_name = "K")]
        checkpoint_every: Option<u32>,
        /// Print nothing but errors.
        #[arg(long)]
        quiet: bool,
    },
    /// Continue a run that was stopped, from its last checkpoint. The result is
    /// byte-identical to a run that never stopped.
    Resume {
        /// The run's folder, for example outputs/scenario=baseline/seed=42.
        run_dir: PathBuf,
        /// Worker threads (default: all cores). Output is identical for any count.
        #[arg(long)]
        threads: Option<usize>,
        /// Print nothing but errors.
        #[arg(long)]
        quiet: bool,
    },
    /// Check a scenario and summarise what would run, without running it.
    Validate {
        config: PathBuf,
        #[arg(long = "set", value_name = "KEY=VALUE")]
        overrides: Vec<String>,
    },
    /// Print every output table with its columns, types and meaning.
    Schema,
    /// Sweeps: many seeded runs of a scenario over a grid of config values.
    Sweep {
        #[command(subcommand)]
        action: SweepCommand,
    },
    /// Compare a finished run with the published target figures
    /// (docs/calibration/published-figures.csv). Informative: exits non-zero
    /// only when the run cannot be read.
    Calibrate {
        /// A run folder, for example outputs/scenario=baseline/seed=42.
        run_dir: PathBuf,
        /// Print the report as JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum SweepCommand {
    /// Print the run table of a sweep spec (run id, seed, parameter values) in
    /// its stable order, after checking every run's scenario.
    Plan {
        /// Sweep spec (TOML), for example configs/sweeps/smoke.toml.
        spec: PathBuf,
        /// Print the plan as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run this shard's runs that are not complete yet, several at once, and
    /// write OUT/runs.parquet. Rerunning skips complete runs and redoes partial ones.
    Run {
        spec: PathBuf,
        /// Folder that holds the sweep's runs.
        #[arg(long)]
        out: PathBuf,
        /// This process's share, I/N (0-based). Default: from SLURM_ARRAY_TASK_ID /
        /// SLURM_ARRAY_TASK_COUNT or JOB_COMPLETION_INDEX / MOATSIM_SHARD_COUNT,
        /// else every run.
        #[arg(long)]
        shard: Option<String>,
        /// Runs at once (default: SLURM_CPUS_PER_TASK, else every core).
        #[arg(long)]
        jobs: Option<usize>,
        /// Print nothing but errors.
        #[arg(long)]
        quiet: bool,
    },
    /// Report complete, partial and missing runs, and refresh OUT/runs.parquet.
    Status {
        spec: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
}

pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command {
        Command::Run {
            config,
            seed,
            quarters,
            out,
            overrides,
            threads,
            force,
            checkpoint_every,
            quiet,
        } => {
            let mut all = overrides;
            if let Some(seed) = seed {
                all.push(format!("scenario.seed={seed}"));
            }
            if let Some(quarters) = quarters {
                all.push(format!("scenario.quarters={quarters}"));
            }
            if threads == Some(0) {
                eprintln!("error: --threads must be at least 1");
                return ExitCode::from(2);
            }
            let loaded = match load(&config, &all) {
                Ok(loaded) => loaded,
                Err(code) => return code,
            };
            if checkpoint_every == Some(0) {
                eprintln!("error: --checkpoint-every must be at least 1");
                return ExitCode::from(2);
            }
            // Resume reloads the configuration from the same file with the same
            // overrides, wherever it is started from.
            let checkpoint = checkpoint_every.map(|every| CheckpointPlan {
                every,
                config_path: std::fs::canonicalize(&config).unwrap_or(config.clone()),
                overrides: all.clone(),
            });
            match run_loaded(&loaded, out, threads, force, quiet, checkpoint) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("error: {error:#}");
                    ExitCode::from(1)
                }
            }
        }
        Command::Resume {
            run_dir,
            threads,
            quiet,
        } => {
            if threads == Some(0) {
                eprintln!("error: --threads must be at least 1");
                return ExitCode::from(2);
            }
            // "outputs/scenario=baseline/seed=42" -> "baseline seed=42".
            let part = |p: Option<&std::ffi::OsStr>| p.map(|c| c.to_string_lossy().into_owned());
            let label = format!(
                "{} {}",
                part(run_dir.parent().and_then(Path::file_name))
                    .unwrap_or_default()
                    .trim_start_matches("scenario="),
                part(run_dir.file_name()).unwrap_or_default()
            );
            match with_progress(&label, quiet, |progress| {
                resume_run(&run_dir, threads, progress)
                    .with_context(|| format!("resuming {} failed", run_dir.display()))
            }) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("error: {error:#}");
                    ExitCode::from(1)
                }
            }
        }
        Command::Validate { config, overrides } => match load(&config, &overrides) {
            Ok(loaded) => {
                print!("{}", summarise(&loaded));
                ExitCode::SUCCESS
            }
            Err(code) => code,
        },
        Command::Schema => {
            print!("{}", describe_schema());
            ExitCode::SUCCESS
        }
        Command::Sweep {
            action:
                SweepCommand::Run {
                    spec,
                    out,
                    shard,
                    jobs,
                    quiet,
                },
        } => sweep_run(&spec, out, shard.as_deref(), jobs, quiet),
        Command::Sweep {
            action: SweepCommand::Status { spec, out },
        } => sweep_status(&spec, &out),
        Command::Sweep {
            action: SweepCommand::Plan { spec, json },
        } => match moatsim_config::sweep::plan(&spec) {
            Ok(plan) if json => print_json(&plan),
            Ok(plan) => {
                print!("{}", plan.render());
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::from(2)
            }
        },
        Command::Calibrate { run_dir, json } => {
            match moatsim_runner::calibrate::calibrate(&run_dir) {
                Ok(report) if json => print_json(&report),
                Ok(report) => {
                    print!("{}", report.render());
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("error: {error}");
                    ExitCode::from(1)
                }
            }
        }
    }
}

/// Loads and validates, printing problems; a bad config is exit status 2.
fn load(config: &Path, overrides: &[String]) -> Result<LoadedScenario, ExitCode> {
    moatsim_config::load(config, overrides).map_err(|error| {
        eprintln!("error: {error}");
        if let ConfigError::Read { .. } = error {
            eprintln!("hint: scenario files live in configs/, for example configs/baseline.toml");
        }
        ExitCode::from(2)
    })
}

fn run_loaded(
    loaded: &LoadedScenario,
    out: PathBuf,
    threads: Option<usize>,
    force: bool,
    quiet: bool,
    checkpoint: Option<CheckpointPlan>,
) -> anyhow::Result<()> {
    let scenario = &loaded.scenario;
    let options = RunOptions {
        out_dir: out,
        threads,
        force,
        checkpoint,
    };
    let label = format!("{} seed={}", scenario.name, scenario.seed);
    with_progress(&label, quiet, |progress| {
        run_scenario(loaded, &options, progress)
            .with_context(|| format!("run of {} (seed {}) failed", scenario.name, scenario.seed))
    })
}

/// Runs `work` with a progress bar on a terminal, then prints the summary line.
fn with_progress(
    label: &str,
    quiet: bool,
    work: impl FnOnce(&mut dyn FnMut(Progress)) -> anyhow::Result<RunReport>,
) -> anyhow::Result<()> {
    let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{prefix} [{bar:30}] {pos}/{len} quarters  {msg}  ETA {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_prefix(label.to_string());
        bar
    });
    let mut on_progress = |p: Progress| {
        if let Some(bar) = &bar {
            bar.set_length(u64::from(p.quarters));
            bar.set_message(format!("{} rows", group(p.rows_written)));
            bar.set_position(u64::from(p.quarters_done));
        }
    };
    let report = work(&mut on_progress)?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if !quiet {
        println!(
            "moatsim: {label}: {} quarters, {} agents, {} rows written in {:.2} s ({} agent-quarters/s) -> {}",
            report.quarters,
            group(report.agents),
            group(report.rows_written),
            report.wall_time.as_secs_f64(),
            group(report.agent_quarters_per_second() as u64),
            report.run_dir.display()
        );
    }
    Ok(())
}

/// 1234567 -> "1,234,567".
fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn summarise(loaded: &LoadedScenario) -> String {
    let s = &loaded.scenario;
    let mut out = String::new();
    let mut line = |text: String| {
        out.push_str(&text);
        out.push('\n');
    };
    line(format!("{} is valid.", loaded.source.display()));
    line(format!("scenario   {}  {}", s.name, s.description));
    line(format!(
        "time       {} to {} ({} quarters), seed {}",
        s.start,
        s.end(),
        s.quarters,
        s.seed
    ));
    line(format!(
        "regions    {}",
        s.regions
            .iter()
            .map(|r| format!("{} ({})", r.name, r.export_tier.name()))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    line(format!(
        "chips      {}",
        s.chips
            .iter()
            .map(|c| format!("{} {}", c.name, c.available))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    line(format!(
        "labs       {}",
        s.labs
            .iter()
            .map(|l| l.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    line(format!(
        "investors  {}",
        s.investors
            .iter()
            .map(|i| format!("{} ({})", i.name, i.kind.name()))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    line(format!(
        "chipmakers {}",
        s.chipmakers
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    line(format!(
        "utilities  {}",
        s.utilities
            .iter()
            .map(|u| u.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    line(format!(
        "regulators {}",
        s.regulators
            .iter()
            .map(|r| format!("{} ({})", r.name, r.jurisdiction))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    line(format!(
        "builders   {} in {} segments ({}), entry {:.1}%/quarter",
        group(s.app_builders.count),
        s.app_builders.segments.len(),
        s.app_builders
            .segments
            .iter()
            .map(|g| g.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        100.0 * s.app_builders.entry_rate_per_quarter
    ));
    line(format!(
        "agents     {} at the start",
        group(s.initial_agent_count())
    ));
    line(format!("config     sha256 {}", loaded.config_hash));
    line(format!(
        "output     <out>/scenario={}/seed={}/<table>.parquet",
        s.name, s.seed
    ));
    out
}

fn describe_schema() -> String {
    let mut out = format!(
        "moatsim output schema version {}\n",
        moatsim_output::SCHEMA_VERSION
    );
    out.push_str(
        "Each run writes <out>/scenario=<name>/seed=<seed>/<table>.parquet and manifest.json.\n",
    );
    for table in moatsim_output::tables() {
        out.push_str(&format!("\n{}: {}\n", table.name, table.description));
        for column in &table.columns {
            let null = if column.nullable { " (nullable)" } else { "" };
            out.push_str(&format!(
                "  {:<28} {:<8}{} {}\n",
                column.name,
                format!("{}", column.data_type),
                null,
                column.description
            ));
        }
    }
    out
}

/// Prints a report as pretty JSON on stdout.
fn print_json(value: &impl serde::Serialize) -> ExitCode {
    match serde_json::to_string_pretty(value) {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(1)
        }
    }
}

fn load_plan(spec: &Path) -> Result<moatsim_config::sweep::SweepPlan, ExitCode> {
    moatsim_config::sweep::plan(spec).map_err(|error| {
        eprintln!("error: {error}");
        ExitCode::from(2)
    })
}

fn sweep_run(
    spec: &Path,
    out: PathBuf,
    shard: Option<&str>,
    jobs: Option<usize>,
    quiet: bool,
) -> ExitCode {
    use moatsim_runner::sweep::{Shard, SweepOptions, run_sweep};
    let plan = match load_plan(spec) {
        Ok(plan) => plan,
        Err(code) => return code,
    };
    let shard = match shard {
        Some(text) => Shard::parse(text),
        None => Shard::from_environment(|name| std::env::var(name).ok())
            .map(|s| s.unwrap_or(Shard::ALL)),
    };
    let shard = match shard {
        Ok(shard) => shard,
        Err(message) => {
            eprintln!("error: shard: {message}");
            return ExitCode::from(2);
        }
    };
    let jobs = jobs
        .or_else(|| {
            std::env::var("SLURM_CPUS_PER_TASK")
                .ok()
                .and_then(|v| v.parse().ok())
        })
        .or_else(|| std::thread::available_parallelism().ok().map(|n| n.get()))
        .unwrap_or(1);
    if jobs == 0 {
        eprintln!("error: --jobs must be at least 1");
        return ExitCode::from(2);
    }
    let mine = (0..plan.runs.len()).filter(|&k| shard.owns(k)).count();
    // A bar on a terminal; in a batch job, one line per finished run.
    let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{prefix} [{bar:30}] {pos}/{len} runs  {per_sec}  ETA {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_prefix(format!(
            "{} shard {}/{}",
            plan.name, shard.index, shard.count
        ));
        bar
    });
    let options = SweepOptions {
        out_dir: out.clone(),
        shard,
        jobs,
    };
    let result = run_sweep(&plan, &options, |outcome| {
        if let Some(bar) = &bar {
            bar.set_length(outcome.total as u64);
            bar.set_position(outcome.done as u64);
        } else if !quiet {
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
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    match result {
        Ok(report) => {
            if !quiet {
                println!(
                    "moatsim: sweep {} shard {}/{}: {} runs, {} already complete, {} completed, {} failed in {:.1} s -> {}",
                    plan.name,
                    shard.index,
                    shard.count,
                    mine,
                    report.skipped,
                    report.completed,
                    report.failed.len(),
                    report.wall_time.as_secs_f64(),
                    out.display()
                );
            }
            for (run, message) in &report.failed {
                eprintln!("error: run {run} failed: {message}");
            }
            if report.failed.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(1)
        }
    }
}

fn sweep_status(spec: &Path, out: &Path) -> ExitCode {
    let plan = match load_plan(spec) {
        Ok(plan) => plan,
        Err(code) => return code,
    };
    match moatsim_runner::sweep::sweep_status(&plan, out) {
        Ok(status) => {
            println!(
                "sweep {} in {}: {} runs: {} complete, {} partial, {} missing",
                plan.name,
                out.display(),
                plan.runs.len(),
                status.complete.len(),
                status.partial.len(),
                status.missing.len()
            );
            for id in &status.partial {
                println!("partial {id}");
            }
            for id in &status.missing {
                println!("missing {id}");
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(1)
        }
    }
}
