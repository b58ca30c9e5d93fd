//! The commands, one module per family; [`dispatch`] hands each parsed
//! command to its function. A command prints its results and returns a
//! [`CliError`] when it fails; it never picks an exit status itself.

mod analysis;
mod calibrate;
mod explore;
mod run;
mod sweep;
mod validate;
mod verify;

use std::path::Path;

use moatsim_config::{ConfigError, LoadedScenario};

use crate::args::{Command, SweepCommand};
use crate::error::CliError;

/// Hands each command to its function.
pub(crate) fn dispatch(command: Command) -> Result<(), CliError> {
    match command {
        Command::Run(args) => run::run(args),
        Command::Resume(args) => run::resume(args),
        Command::Validate(args) => validate::validate(args),
        Command::Schema => validate::schema(),
        Command::Params(args) => validate::params(args),
        Command::Sweep { action } => match action {
            SweepCommand::Plan(args) => sweep::plan(args),
            SweepCommand::Run(args) => sweep::run(args),
            SweepCommand::Status(args) => sweep::status(args),
        },
        Command::Calibrate(args) => calibrate::calibrate(args),
        Command::Report(args) => analysis::report(args),
        Command::Sensitivity(args) => analysis::sensitivity(args),
        Command::Explore(args) => explore::explore(args),
        Command::Compare(args) => analysis::compare(args),
        Command::Verify(args) => verify::verify(args),
    }
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
