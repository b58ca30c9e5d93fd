//! The command line's grammar: one clap type per command, and the parsers of
//! flag values. The doc comments here are the `--help` text users read, so
//! they are written for users; nothing in this file runs a command.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Agent-based simulation of the AI infrastructure race: labs, investors,
/// chipmakers, utilities, regulators and app builders, one quarter at a time.
#[derive(Debug, Parser)]
#[command(name = "moatsim", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The commands. Each command's flags are a struct of their own, so that a
/// command's function takes one typed value and the dispatcher stays one line
/// per command. A variant's doc comment is the command's help (clap prefers
/// it to the doc comment of the flags' struct).
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run a scenario and write its Parquet tables under OUT/scenario=<name>/seed=<seed>/.
    Run(RunArgs),
    /// Continue a run that was stopped, from its last checkpoint. The result is
    /// byte-identical to a run that never stopped.
    Resume(ResumeArgs),
    /// Check a scenario and summarise what would run, without running it.
    Validate(ValidateArgs),
    /// Print every output table with its columns, types and meaning.
    Schema,
    /// Print the behavioural parameters with a scenario-wide default: path,
    /// default, source and the plausible range a sensitivity analysis varies.
    Params(ParamsArgs),
    /// Sweeps: many seeded runs of a scenario over a grid of config values.
    Sweep {
        #[command(subcommand)]
        action: SweepCommand,
    },
    /// Compare a finished run with the published target figures
    /// (docs/calibration/published-figures.csv). Informative: exits non-zero
    /// only when the run cannot be read. With --fit, search a fit spec's
    /// parameters for values that land its targets at every seed.
    Calibrate(CalibrateArgs),
    /// Write one self-contained HTML report (inline SVG charts, no scripts)
    /// of finished runs: a section per question of the model brief, seeds as a
    /// median and a 10-90% band, scenarios overlaid and compared with the
    /// baseline.
    Report(ReportArgs),
    /// Global sensitivity analysis: run a sweep spec's [morris] or [sobol]
    /// design (shards, Slurm arrays and resume as `sweep run`), then estimate
    /// every headline indicator's indices into OUT/sensitivity.parquet.
    Sensitivity(SensitivityArgs),
    /// Test claims on an uncertainty ensemble: run a sweep spec's [explore]
    /// Latin hypercube (shards, Slurm arrays and resume as `sweep run`), then
    /// write ensemble.parquet, each [[claims]] entry's share of runs with a
    /// 90% interval (claims.parquet) and PRIM's boxes of inputs where it
    /// holds (boxes.parquet).
    Explore(ExploreArgs),
    /// Compare two scenarios' headline indicators, paired by seed: for each,
    /// the mean difference B - A, its 90% interval and in how many seeds the
    /// sign holds (docs/ANALYSIS.md lists the indicators).
    Compare(CompareArgs),
    /// Check published runs against their manifests: every file there, with
    /// the length and digest it was published with, and nothing else. One
    /// line per run; exits 0 only when every run is as published.
    Verify(VerifyArgs),
}

/// The flags of `moatsim run`.
#[derive(Debug, clap::Args)]
pub(crate) struct RunArgs {
    /// Scenario file (TOML), for example configs/baseline.toml.
    pub(crate) config: PathBuf,
    /// Random seed (sets scenario.seed): a whole number from 0 to 2^63 - 1.
    #[arg(long, allow_hyphen_values = true, value_parser = parse_seed)]
    pub(crate) seed: Option<u64>,
    /// Number of quarters to simulate (sets scenario.quarters): 1 to 400.
    #[arg(long, allow_hyphen_values = true, value_parser = parse_quarters)]
    pub(crate) quarters: Option<u32>,
    /// Folder that holds runs.
    #[arg(long, default_value = "outputs")]
    pub(crate) out: PathBuf,
    /// Override any config field: --set labs[frontier-a].cash_usd=5e10 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub(crate) overrides: Vec<String>,
    /// Worker threads (default: all cores). Output is identical for any count.
    #[arg(long, allow_hyphen_values = true, value_parser = parse_count)]
    pub(crate) threads: Option<usize>,
    /// Replace an existing run folder for the same scenario and seed.
    #[arg(long)]
    pub(crate) force: bool,
    /// Save the whole world every K quarters so that `moatsim resume` can
    /// continue the run if it is killed.
    #[arg(long, value_name = "K", allow_hyphen_values = true, value_parser = parse_quarters)]
    pub(crate) checkpoint_every: Option<u32>,
    /// Print nothing but errors.
    #[arg(long)]
    pub(crate) quiet: bool,
}

/// The flags of `moatsim resume`.
#[derive(Debug, clap::Args)]
pub(crate) struct ResumeArgs {
    /// The run's folder, for example outputs/scenario=baseline/seed=42.
    pub(crate) run_dir: PathBuf,
    /// Worker threads (default: all cores). Output is identical for any count.
    #[arg(long, allow_hyphen_values = true, value_parser = parse_count)]
    pub(crate) threads: Option<usize>,
    /// Print nothing but errors.
    #[arg(long)]
    pub(crate) quiet: bool,
}

/// The flags of `moatsim validate`.
#[derive(Debug, clap::Args)]
pub(crate) struct ValidateArgs {
    pub(crate) config: PathBuf,
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub(crate) overrides: Vec<String>,
    /// Also list every numeric field with its allowed range.
    #[arg(long)]
    pub(crate) ranges: bool,
}

/// The flags of `moatsim params`.
#[derive(Debug, clap::Args)]
pub(crate) struct ParamsArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub(crate) json: bool,
}

/// The flags of `moatsim calibrate`: a scorecard of finished runs, or with
/// `--fit` a search.
#[derive(Debug, clap::Args)]
pub(crate) struct CalibrateArgs {
    /// One or more runs, for example outputs/scenario=baseline/seed=42; a
    /// scenario, outputs or sweep folder stands for every run under it (one
    /// column each).
    #[arg(required_unless_present = "fit", conflicts_with = "fit", num_args = 1..)]
    pub(crate) run_dirs: Vec<PathBuf>,
    /// Print the report as JSON instead of a table.
    #[arg(long)]
    pub(crate) json: bool,
    /// Fit spec (TOML), for example configs/fits/price-decline.toml: search
    /// its parameters within their ranges by ABC-SMC, each generation a
    /// sweep (shards, Slurm arrays, resume), and write OUT/fitted.toml
    /// (a scenario overlay) and OUT/scorecard.txt (before and after).
    #[arg(long, value_name = "SPEC")]
    pub(crate) fit: Option<PathBuf>,
    /// Folder of the fit (default: fits/<fit name>).
    #[arg(long, requires = "fit")]
    pub(crate) out: Option<PathBuf>,
    /// This process's share of each generation, I/N (default: from the
    /// Slurm array or MOATSIM_SHARD_COUNT, else every run).
    #[arg(long, requires = "fit", allow_hyphen_values = true)]
    pub(crate) shard: Option<String>,
    /// Runs at once (default: SLURM_CPUS_PER_TASK, else every core).
    #[arg(long, requires = "fit", allow_hyphen_values = true, value_parser = parse_count)]
    pub(crate) jobs: Option<usize>,
    /// Print nothing but errors and the result.
    #[arg(long, requires = "fit")]
    pub(crate) quiet: bool,
    /// When other shards' runs of a generation are not complete, wait for
    /// them and go on (as Slurm array tasks do), instead of stopping.
    #[arg(long, requires = "fit")]
    pub(crate) wait: bool,
}

/// The flags of `moatsim report`.
/// Where `moatsim report` writes when not told: beside the runs.
pub(crate) const DEFAULT_REPORT: &str = "outputs/report.html";

#[derive(Debug, clap::Args)]
pub(crate) struct ReportArgs {
    /// Run folders, scenario folders, an outputs folder or a sweep folder.
    #[arg(required = true, num_args = 1..)]
    pub(crate) dirs: Vec<PathBuf>,
    /// The HTML file to write (default: beside the runs, in outputs/, which
    /// git ignores).
    #[arg(long, default_value = DEFAULT_REPORT)]
    pub(crate) out: PathBuf,
    /// Replace an existing file.
    #[arg(long)]
    pub(crate) force: bool,
}

/// The flags of `moatsim sensitivity`.
#[derive(Debug, clap::Args)]
pub(crate) struct SensitivityArgs {
    /// Sweep spec with a [morris] or [sobol] table, for example
    /// configs/sweeps/sensitivity-moat.toml.
    pub(crate) spec: PathBuf,
    #[command(flatten)]
    pub(crate) sweep: SweepArgs,
    /// Estimate from outputs computed elsewhere instead of running the
    /// model: a CSV with `design_point` and one column per output, one
    /// row per design point (`sweep plan --json` lists the points).
    #[arg(long, value_name = "CSV")]
    pub(crate) outputs: Option<PathBuf>,
}

/// The flags of `moatsim explore`.
#[derive(Debug, clap::Args)]
pub(crate) struct ExploreArgs {
    /// Sweep spec with an [explore] table and [[claims]], for example
    /// configs/claims/essay.toml.
    pub(crate) spec: PathBuf,
    #[command(flatten)]
    pub(crate) sweep: SweepArgs,
}

/// The flags of `moatsim compare`.
#[derive(Debug, clap::Args)]
pub(crate) struct CompareArgs {
    /// Runs of the first scenario: a scenario folder such as
    /// outputs/scenario=baseline, or one run folder.
    pub(crate) a: PathBuf,
    /// Runs of the second scenario, for example outputs/scenario=mega-round.
    pub(crate) b: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub(crate) json: bool,
}

/// The flags of `moatsim verify`.
#[derive(Debug, clap::Args)]
pub(crate) struct VerifyArgs {
    /// Runs to check: a run folder, a scenario folder, an outputs folder or a
    /// sweep folder (every run under it).
    #[arg(required = true)]
    pub(crate) paths: Vec<PathBuf>,
    /// Print JSON instead of a line per run.
    #[arg(long)]
    pub(crate) json: bool,
}

/// Where and how a sweep's runs are made: `sweep run` and `sensitivity` (and,
/// built by hand from its own flags, `calibrate --fit`).
#[derive(Debug, clap::Args)]
pub(crate) struct SweepArgs {
    /// Folder that holds the sweep's runs (default: sweeps/<sweep name>,
    /// apart from the single runs in outputs/).
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
    /// This process's share, I/N (0-based). Default: from SLURM_ARRAY_TASK_ID /
    /// SLURM_ARRAY_TASK_COUNT or JOB_COMPLETION_INDEX / MOATSIM_SHARD_COUNT,
    /// else every run.
    #[arg(long, allow_hyphen_values = true)]
    pub(crate) shard: Option<String>,
    /// Runs at once (default: SLURM_CPUS_PER_TASK, else every core).
    #[arg(long, allow_hyphen_values = true, value_parser = parse_count)]
    pub(crate) jobs: Option<usize>,
    /// Print nothing but errors (and, for `sensitivity`, the indices).
    #[arg(long)]
    pub(crate) quiet: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum SweepCommand {
    /// Print the run table of a sweep spec (run id, seed, parameter values) in
    /// its stable order, after checking every run's scenario.
    Plan(SweepPlanArgs),
    /// Run this shard's runs that are not complete yet, several at once, and
    /// write OUT/runs.parquet. Rerunning skips complete runs and redoes partial ones.
    Run(SweepRunArgs),
    /// Report complete, partial and missing runs, and refresh OUT/runs.parquet.
    Status(SweepStatusArgs),
}

/// The flags of `moatsim sweep plan`.
#[derive(Debug, clap::Args)]
pub(crate) struct SweepPlanArgs {
    /// Sweep spec (TOML), for example configs/sweeps/smoke.toml.
    pub(crate) spec: PathBuf,
    /// Print the plan as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

/// The flags of `moatsim sweep run`.
#[derive(Debug, clap::Args)]
pub(crate) struct SweepRunArgs {
    pub(crate) spec: PathBuf,
    #[command(flatten)]
    pub(crate) sweep: SweepArgs,
}

/// The flags of `moatsim sweep status`.
#[derive(Debug, clap::Args)]
pub(crate) struct SweepStatusArgs {
    pub(crate) spec: PathBuf,
    /// Folder that holds the sweep's runs (default: sweeps/<sweep name>).
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
}

/// A whole number with a range, for flags; clap names the flag in its message.
fn whole_in(text: &str, low: u64, high: u64) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(value) if (low..=high).contains(&value) => Ok(value),
        _ => Err(format!("allowed: a whole number from {low} to {high}")),
    }
}

fn parse_seed(text: &str) -> Result<u64, String> {
    // Seeds are stored as signed 64-bit integers in Parquet and JSON tools.
    whole_in(text, 0, i64::MAX as u64)
}

/// A number of quarters: `--quarters` and `--checkpoint-every`.
fn parse_quarters(text: &str) -> Result<u32, String> {
    whole_in(text, 1, 400).map(|v| v as u32)
}

fn parse_count(text: &str) -> Result<usize, String> {
    whole_in(text, 1, 4096).map(|v| v as usize)
}

#[cfg(test)]
mod tests {
    use super::{parse_count, parse_quarters, parse_seed};

    #[test]
    fn whole_numbers_outside_their_range_are_refused_with_the_range() {
        assert_eq!(parse_seed(" 42 "), Ok(42));
        assert_eq!(parse_seed("9223372036854775807"), Ok(i64::MAX as u64));
        assert_eq!(
            parse_seed("9223372036854775808"),
            Err("allowed: a whole number from 0 to 9223372036854775807".to_string())
        );
        assert!(parse_seed("-1").is_err());
        assert_eq!(parse_quarters("400"), Ok(400));
        assert!(parse_quarters("0").is_err());
        assert!(parse_quarters("1.5").is_err());
        assert_eq!(parse_count("4096"), Ok(4096));
        assert!(parse_count("4097").is_err());
    }
}
