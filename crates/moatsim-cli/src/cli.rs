//! Command-line interface: argument parsing, the terminal (progress, summary)
//! and exit codes. Exit status 0 is success, 1 a failed run, 2 a bad command
//! line or configuration (nothing is written).

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use moatsim_config::sweep::SweepPlan;
use moatsim_config::{ConfigError, LoadedScenario};
use moatsim_runner::{CheckpointPlan, Progress, RunOptions, RunReport, resume_run, run_scenario};

use crate::args::{
    CalibrateArgs, Cli, Command, CompareArgs, ParamsArgs, ReportArgs, ResumeArgs, RunArgs,
    SensitivityArgs, SweepArgs, SweepCommand, SweepPlanArgs, SweepRunArgs, SweepStatusArgs,
    ValidateArgs,
};
use crate::output::{emit, group, print_json, progress_bar};

/// Why a command failed, and so the exit status it ends with. Commands return
/// it; [`run`] tells the user and maps it to the exit status, in one place.
#[derive(Debug)]
pub(crate) enum CliError {
    /// The command line does not parse; clap words the message. Exit status 2.
    Arguments(clap::Error),
    /// A bad flag, scenario or spec: nothing was run or written. Printed as
    /// `error: <message>` (a message may end in a `hint:` line). Exit status 2.
    Usage(String),
    /// A run, a read or a write failed. Printed as `error: <message>`. Exit
    /// status 1.
    Failed(String),
    /// Some of a sweep's runs failed (run id, why); the others were made.
    /// Printed as one `error: run <id> failed: <why>` line each. Exit status 1.
    RunsFailed(Vec<(String, String)>),
}

impl CliError {
    /// A usage error worded by its cause.
    pub(crate) fn usage(cause: impl std::fmt::Display) -> Self {
        Self::Usage(cause.to_string())
    }

    /// A failure worded by its cause.
    pub(crate) fn failed(cause: impl std::fmt::Display) -> Self {
        Self::Failed(cause.to_string())
    }

    /// 2 when nothing was run because the request was wrong, 1 when running
    /// it failed.
    fn exit_status(&self) -> u8 {
        match self {
            Self::Arguments(_) | Self::Usage(_) => 2,
            Self::Failed(_) | Self::RunsFailed(_) => 1,
        }
    }

    /// Tells the user on stderr.
    fn print(&self) {
        match self {
            // clap colours its message on a terminal, as it does for --help.
            Self::Arguments(error) => {
                let _ = error.print();
            }
            Self::Usage(message) | Self::Failed(message) => eprintln!("error: {message}"),
            Self::RunsFailed(runs) => {
                for (run, message) in runs {
                    eprintln!("error: run {run} failed: {message}");
                }
            }
        }
    }
}

/// Parses the command line, runs the command and maps its outcome to the exit
/// status: 0 success, 1 a failed run, 2 a bad command line or configuration.
pub(crate) fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let outcome = match Cli::try_parse_from(args) {
        Ok(cli) => dispatch(cli.command),
        // clap hands --help and --version over as errors meant for stdout.
        Err(help) if !help.use_stderr() => {
            let _ = help.print();
            Ok(())
        }
        Err(error) => Err(CliError::Arguments(error)),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            error.print();
            ExitCode::from(error.exit_status())
        }
    }
}

/// Hands each command to its function.
fn dispatch(command: Command) -> Result<(), CliError> {
    match command {
        Command::Run(args) => run_command(args),
        Command::Resume(args) => resume(args),
        Command::Validate(args) => validate(args),
        Command::Schema => emit(&describe_schema()),
        Command::Params(args) => params(args),
        Command::Sweep { action } => match action {
            SweepCommand::Plan(args) => sweep_plan(args),
            SweepCommand::Run(args) => sweep_run(args),
            SweepCommand::Status(args) => sweep_status(args),
        },
        Command::Calibrate(args) => calibrate(args),
        Command::Report(args) => report(args),
        Command::Sensitivity(args) => sensitivity(args),
        Command::Compare(args) => compare(args),
    }
}

/// `moatsim run`: loads the scenario with the command line's overrides and
/// runs it.
fn run_command(args: RunArgs) -> Result<(), CliError> {
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
fn resume(args: ResumeArgs) -> Result<(), CliError> {
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

/// `moatsim validate`: the summary of a scenario, and with `--ranges` every
/// numeric field's allowed range.
fn validate(args: ValidateArgs) -> Result<(), CliError> {
    let loaded = load(&args.config, &args.overrides)?;
    let mut text = summarise(&loaded);
    if args.ranges {
        text += &describe_ranges(&loaded);
    }
    emit(&text)
}

/// `moatsim params`: the behavioural parameters, as a table or JSON.
fn params(args: ParamsArgs) -> Result<(), CliError> {
    if args.json {
        print_json(&moatsim_config::parameters::PARAMETERS)
    } else {
        emit(&describe_parameters())
    }
}

/// `moatsim sweep plan`: the run table of a sweep spec.
fn sweep_plan(args: SweepPlanArgs) -> Result<(), CliError> {
    let plan = load_plan(&args.spec)?;
    if args.json {
        print_json(&plan)
    } else {
        emit(&plan.render())
    }
}

/// `moatsim report`: one HTML file of finished runs.
fn report(args: ReportArgs) -> Result<(), CliError> {
    let ReportArgs { dirs, out, force } = args;
    let report = moatsim_analysis::read_report(&dirs)
        .and_then(|report| {
            let html = moatsim_analysis::render_html(&report)?;
            moatsim_analysis::write_report(&html, &out, force)?;
            Ok(report)
        })
        .map_err(CliError::usage)?;
    let runs: usize = report.groups.iter().map(|g| g.series.len()).sum();
    emit(&format!(
        "wrote {} ({} scenario{}, {} run{})\n",
        out.display(),
        report.groups.len(),
        if report.groups.len() == 1 { "" } else { "s" },
        runs,
        if runs == 1 { "" } else { "s" }
    ))
}

/// `moatsim compare`: two scenarios' headline indicators, paired by seed.
fn compare(args: CompareArgs) -> Result<(), CliError> {
    let comparison = compare_runs(&args.a, &args.b).map_err(CliError::usage)?;
    if args.json {
        print_json(&comparison)
    } else {
        emit(&comparison.render())
    }
}

/// `moatsim calibrate`: with `--fit`, a fit; otherwise the scorecard of
/// finished runs against the published figures.
fn calibrate(args: CalibrateArgs) -> Result<(), CliError> {
    use moatsim_runner::calibrate::{Scorecard, calibrate};
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
    let mut reports = run_dirs
        .iter()
        .map(|dir| calibrate(dir))
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
    moatsim_analysis::compare(&indicators(a)?, &indicators(b)?)
}

/// Loads and validates a scenario; a bad one is a usage error, and a file that
/// cannot be read gets a hint where scenarios live.
fn load(config: &Path, overrides: &[String]) -> Result<LoadedScenario, CliError> {
    moatsim_config::load(config, overrides).map_err(|error| match error {
        ConfigError::Read { .. } => CliError::Usage(format!(
            "{error}\nhint: scenario files live in configs/, for example configs/baseline.toml"
        )),
        _ => CliError::usage(error),
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
    let resumed = report
        .resumed_from
        .map(|q| format!(" (resumed after quarter {q})"))
        .unwrap_or_default();
    if !quiet {
        println!(
            "moatsim: {label}: {} quarters{resumed}, {} agents, {} rows written in {:.2} s ({} agent-quarters/s) -> {}",
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
            .map(|l| format!("{} ({})", l.name, l.kind.name()))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    if !s.accelerator_buyers.is_empty() {
        line(format!(
            "buyers     {}",
            s.accelerator_buyers
                .iter()
                .map(|b| format!("{} ({})", b.name, b.kind.name()))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
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
    match &loaded.base {
        Some(base) => line(format!(
            "base       {} ({} difference{})",
            base.display(),
            loaded.differences.len(),
            if loaded.differences.len() == 1 {
                ""
            } else {
                "s"
            }
        )),
        None if !loaded.differences.is_empty() => line(format!(
            "overrides  {} field{} set on the command line",
            loaded.differences.len(),
            if loaded.differences.len() == 1 {
                ""
            } else {
                "s"
            }
        )),
        None => {}
    }
    for difference in &loaded.differences {
        line(format!(
            "  {:<44} {} -> {}",
            difference.path,
            difference.base.as_deref().unwrap_or("(not set)"),
            difference.value
        ));
    }
    let timeline = timeline(s);
    if timeline.is_empty() {
        line("timeline   no policy events, scheduled rounds or joint ventures".into());
    } else {
        line(format!(
            "timeline   {} dated change{}",
            timeline.len(),
            if timeline.len() == 1 { "" } else { "s" }
        ));
        for entry in timeline {
            line(format!("  {entry}"));
        }
    }
    line(format!("config     sha256 {}", loaded.config_hash));
    line(format!(
        "output     <out>/scenario={}/seed={}/<table>.parquet",
        s.name, s.seed
    ));
    out
}

/// Every dated change of a scenario, in time order: policy events, scheduled
/// rounds and joint ventures, with names instead of indices.
fn timeline(s: &moatsim_config::Scenario) -> Vec<String> {
    use moatsim_config::PolicyChange;
    let billions = |usd: f64| format!("${:.1}B", usd / 1e9);
    let mut entries: Vec<(String, String)> = Vec::new();
    for event in &s.events {
        let what = match &event.change {
            PolicyChange::ExportTier { region, tier } => {
                format!("{} becomes {}", s.regions[*region].name, tier.name())
            }
            PolicyChange::LicenceFee { regulator, rate } => {
                format!("{} licence fee {rate}", s.regulators[*regulator].name)
            }
            PolicyChange::PermitDelay {
                regulator,
                quarters,
            } => {
                format!(
                    "{} permit delay {quarters} quarters",
                    s.regulators[*regulator].name
                )
            }
            PolicyChange::AntitrustThreshold { regulator, hhi } => {
                format!(
                    "{} antitrust threshold HHI {hhi}",
                    s.regulators[*regulator].name
                )
            }
            PolicyChange::PowerPriority {
                regulator,
                dc_power_share,
            } => format!(
                "{} data-center power share {dc_power_share}",
                s.regulators[*regulator].name
            ),
            // Listed below with the other scheduled rounds.
            PolicyChange::ScheduledRound { .. } => continue,
            PolicyChange::UtilityBuild {
                utility,
                technology,
                mw,
            } => format!(
                "{} starts {mw} MW of {}",
                s.utilities[*utility].name, s.generation_technologies[*technology].name
            ),
            PolicyChange::ChipRoadmap { chip, available } => {
                format!("{} moves to {available}", s.chips[*chip].name)
            }
            PolicyChange::ComputeOutage {
                lab,
                share,
                quarters,
            } => PolicyChange::outage_text(&s.labs[*lab].name, *share, *quarters),
        };
        entries.push((
            event.quarter.to_string(),
            format!("{:<20} {what}", event.change.kind()),
        ));
    }
    for round in &s.scheduled_rounds {
        entries.push((
            round.quarter.to_string(),
            format!(
                "{:<20} {} raises {} at {} post-money",
                "scheduled_round",
                s.labs[round.lab].name,
                billions(round.amount_usd),
                billions(round.post_money_usd)
            ),
        ));
    }
    for venture in &s.joint_ventures {
        entries.push((
            venture.quarter.to_string(),
            format!(
                "{:<20} {} invests {} in {}, ties {:.0}% of builders",
                "joint_venture",
                s.investors[venture.partner].name,
                billions(venture.investment_usd),
                s.labs[venture.lab].name,
                100.0 * venture.builder_share
            ),
        ));
    }
    // "2026Q1" sorts as text in time order; a stable sort keeps the file's
    // order within a quarter.
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    entries
        .into_iter()
        .map(|(quarter, what)| format!("{quarter}  {what}"))
        .collect()
}

/// `moatsim validate --ranges`: every numeric field, its value's allowed range.
fn describe_ranges(loaded: &LoadedScenario) -> String {
    let mut out = format!("\nranges     {} numeric fields\n", loaded.ranges.len());
    for range in &loaded.ranges {
        out.push_str(&format!("  {:<52} {}\n", range.path, range.what));
    }
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

/// The parameter list as a table: one line each, then its meaning and source.
fn describe_parameters() -> String {
    let mut out = String::from(
        "behavioural parameters (set with --set PATH=VALUE; vary within low..high)\n\n",
    );
    out.push_str(&format!(
        "{:<45} {:>12} {:>12} {:>12}\n",
        "path", "default", "low", "high"
    ));
    for p in moatsim_config::parameters::PARAMETERS {
        out.push_str(&format!(
            "{:<45} {:>12} {:>12} {:>12}\n  {}; {}\n",
            p.path, p.default, p.low, p.high, p.meaning, p.source
        ));
    }
    out
}

/// Plans a sweep spec; a bad spec is a usage error.
fn load_plan(spec: &Path) -> Result<SweepPlan, CliError> {
    moatsim_config::sweep::plan(spec).map_err(CliError::usage)
}

/// Where a sweep's runs go without `--out`: their own root, so that the
/// README's globs over `outputs/` never mix sweep runs with single runs.
fn sweep_out(out: Option<PathBuf>, plan: &SweepPlan) -> PathBuf {
    out.unwrap_or_else(|| Path::new("sweeps").join(&plan.name))
}

/// `moatsim sweep run`: this shard's runs of a sweep spec.
fn sweep_run(args: SweepRunArgs) -> Result<(), CliError> {
    let plan = load_plan(&args.spec)?;
    run_planned_sweep(&plan, args.sweep)
}

/// This process's shard (from --shard, else the batch system's environment,
/// else every run) and how many runs it makes at once.
fn shard_and_jobs(
    shard: Option<&str>,
    jobs: Option<usize>,
) -> Result<(moatsim_runner::sweep::Shard, usize), CliError> {
    use moatsim_runner::sweep::Shard;
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
/// How often a waiting shard of a fit looks for the other shards' runs.
const FIT_POLL: std::time::Duration = std::time::Duration::from_secs(5);

/// `calibrate --fit`: runs this shard's share of the fit; when the fit is
/// done, writes its files and prints the fitted values and both scorecards.
fn fit(spec_path: &Path, args: SweepArgs, json: bool, wait: bool) -> Result<(), CliError> {
    use moatsim_runner::fit::{FitOptions, FitState, render_scorecards, run_fit, write_fit};
    let spec = moatsim_config::fit::load_fit(spec_path, &moatsim_runner::fit::target_names())
        .map_err(CliError::usage)?;
    let (shard, jobs) = shard_and_jobs(args.shard.as_deref(), args.jobs)?;
    let out = args
        .out
        .unwrap_or_else(|| Path::new("fits").join(&spec.name));
    let quiet = args.quiet;
    let terminal = std::io::stderr().is_terminal();
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
    let started = std::time::Instant::now();
    let mut announced = String::new();
    let result = loop {
        let state = run_fit(
            &spec,
            &options,
            |stage, outcome| {
                if quiet {
                    return;
                }
                if let Err(message) = &outcome.result {
                    eprintln!("moatsim: {stage} run {} FAILED: {message}", outcome.run_id);
                } else if terminal {
                    eprint!("\r{stage}: {}/{} runs   ", outcome.done, outcome.total);
                    if outcome.done == outcome.total {
                        eprint!("\r\x1b[K");
                    }
                }
            },
            |generation| {
                if !quiet {
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
            },
        );
        match state {
            Ok(FitState::Done(result)) => break result,
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
            Ok(FitState::Waiting {
                stage,
                incomplete,
                total,
            }) => {
                if !quiet {
                    println!(
                        "moatsim: {stage}: {incomplete} of {total} runs are not complete yet (other shards); run `moatsim calibrate --fit {}` again once they are, to go on (or give --wait)",
                        spec_path.display()
                    );
                }
                return Ok(());
            }
            // Another fit's folder is a usage error: nothing was run.
            Err(error @ moatsim_runner::fit::FitError::OtherSpec { .. }) => {
                return Err(CliError::usage(error));
            }
            Err(error) => return Err(CliError::failed(error)),
        }
    };
    let written = write_fit(&spec, &result, &out).map_err(CliError::failed)?;
    if json {
        return print_json(&result);
    }
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
            p.fitted,
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
    text.push_str(&render_scorecards(&result));
    text.push_str("\nwrote:\n");
    for path in written {
        text.push_str(&format!("  {}\n", path.display()));
    }
    text.push_str(
        "\nA fit tunes assumptions: where a target is reached only far from a parameter's source, fix the mechanism instead (docs/CALIBRATION.md, \"Fitting\").\n",
    );
    emit(&text)
}

/// Runs this shard's part of a planned sweep (a plan is checked once: a
/// design of thousands of points takes seconds to plan).
fn run_planned_sweep(plan: &SweepPlan, args: SweepArgs) -> Result<(), CliError> {
    let SweepArgs {
        out,
        shard,
        jobs,
        quiet,
    } = args;
    use moatsim_runner::sweep::{SweepOptions, run_sweep};
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
    let report = result.map_err(CliError::failed)?;
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
    if report.failed.is_empty() {
        Ok(())
    } else {
        Err(CliError::RunsFailed(report.failed))
    }
}

/// Runs the design's sweep (this shard's part), then, once every run is
/// complete, estimates the indices and writes OUT/sensitivity.parquet.
fn sensitivity(args: SensitivityArgs) -> Result<(), CliError> {
    let SensitivityArgs {
        spec,
        sweep,
        outputs,
    } = args;
    let spec = spec.as_path();
    let outputs = outputs.as_deref();
    use moatsim_analysis::sensitivity::{
        DesignInput, Method, estimate, estimate_outputs, read_outputs_csv, render, write_indices,
    };
    use moatsim_config::sweep::DesignMethod;
    let plan = load_plan(spec)?;
    let Some(design) = plan.design.clone() else {
        return Err(CliError::Usage(format!(
            "{} has no [morris] or [sobol] table; allowed: a sweep spec with one (docs/ANALYSIS.md, \"Sensitivity\")",
            spec.display()
        )));
    };
    let out = sweep_out(sweep.out.clone(), &plan);
    let input = DesignInput {
        method: match design.method {
            DesignMethod::Morris { levels } => Method::Morris { levels },
            DesignMethod::Sobol => Method::Sobol,
        },
        parameters: design.parameters.clone(),
        unit_rows: design.unit_rows.clone(),
    };
    // The bootstrap's draws are fixed by the spec, so the file is the same
    // whenever it is estimated.
    let seed = plan.runs.first().map_or(0, |r| r.seed);
    let write = |indices: &moatsim_analysis::sensitivity::Indices| {
        let path = out.join("sensitivity.parquet");
        std::fs::create_dir_all(&out)
            .map_err(|source| moatsim_analysis::AnalysisError::Io {
                path: out.clone(),
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
    };
    if let Some(csv) = outputs {
        let values = read_outputs_csv(csv, input.unit_rows.len()).map_err(CliError::usage)?;
        return write(&estimate_outputs(&input, &values, seed));
    }
    let quiet = sweep.quiet;
    run_planned_sweep(
        &plan,
        SweepArgs {
            out: Some(out.clone()),
            ..sweep
        },
    )?;
    let status = moatsim_runner::sweep::sweep_status(&plan, &out).map_err(CliError::failed)?;
    if !status.partial.is_empty() || !status.missing.is_empty() {
        if !quiet {
            println!(
                "moatsim: {} of {} runs are not complete yet (other shards); run `moatsim sensitivity {}` without --shard once they are, to estimate the indices",
                status.partial.len() + status.missing.len(),
                plan.runs.len(),
                spec.display()
            );
        }
        return Ok(());
    }
    let mut runs = Vec::with_capacity(plan.runs.len());
    for run in &plan.runs {
        let root = moatsim_runner::sweep::run_root(&out, run);
        let reference = moatsim_analysis::RunRef {
            dir: moatsim_runner::run_dir(&root, &plan.scenario_name, run.seed),
            scenario: plan.scenario_name.clone(),
            seed: run.seed,
            run_id: Some(run.run_id.clone()),
        };
        let indicators = moatsim_analysis::run_indicators(&reference).map_err(CliError::failed)?;
        runs.push((run.design_point.unwrap_or(0) as usize, indicators));
    }
    write(&estimate(&input, &runs, seed))
}

/// `moatsim sweep status`: which runs of a sweep are complete.
fn sweep_status(args: SweepStatusArgs) -> Result<(), CliError> {
    let plan = load_plan(&args.spec)?;
    let out = sweep_out(args.out, &plan);
    let out = out.as_path();
    let status = moatsim_runner::sweep::sweep_status(&plan, out).map_err(CliError::failed)?;
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
    Ok(())
}
