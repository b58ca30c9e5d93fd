//! `moatsim verify`: published runs checked against their manifests, so a
//! run copied between machines or left on a shared file system can be
//! trusted again (or found damaged) before anyone reads it.

use moatsim_output::manifest::{RunCheck, verify_run};

use crate::args::VerifyArgs;
use crate::error::CliError;
use crate::output::{emit, group, plural, print_json};

/// Checks every run under the paths; prints a verdict per run, and fails
/// (exit status 1) when any run is damaged.
pub(super) fn verify(args: VerifyArgs) -> Result<(), CliError> {
    let runs = moatsim_analysis::run_folders(&args.paths).map_err(CliError::usage)?;
    let checks: Vec<RunCheck> = runs.iter().map(|run| verify_run(run)).collect();
    if args.json {
        print_json(&checks)?;
    } else {
        emit(&checks.iter().map(verdict).collect::<String>())?;
    }
    let damaged = checks.iter().filter(|c| !c.ok()).count();
    if damaged == 0 {
        return Ok(());
    }
    Err(CliError::Failed(format!(
        "{damaged} of {} run{} {} not as published; rerun {} (`moatsim run ... --force`) to replace {}",
        checks.len(),
        plural(checks.len()),
        if damaged == 1 { "is" } else { "are" },
        if damaged == 1 { "it" } else { "them" },
        if damaged == 1 { "it" } else { "them" },
    )))
}

/// One run's line: `ok` with what was checked, or `DAMAGED` with every file
/// that is not as published.
fn verdict(check: &RunCheck) -> String {
    if check.ok() {
        format!(
            "ok       {}: {} file{}, {} bytes as published\n",
            check.run.display(),
            check.files,
            plural(check.files),
            group(check.bytes)
        )
    } else {
        let problems: Vec<String> = check
            .problems
            .iter()
            .map(|p| format!("{} {}", p.file, p.problem))
            .collect();
        format!(
            "DAMAGED  {}: {}\n",
            check.run.display(),
            problems.join("; ")
        )
    }
}
