//! The one entry point: parses the command line, hands the command to
//! [`commands::dispatch`] and maps the outcome to the exit status, in one
//! place. Exit status 0 is success, 1 a failed run, 2 a bad command line or
//! configuration (nothing is written).

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

use crate::args::Cli;
use crate::commands;
use crate::error::CliError;

/// Parses the command line, runs the command and maps its outcome to the exit
/// status: 0 success, 1 a failed run, 2 a bad command line or configuration.
pub(crate) fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let outcome = match Cli::try_parse_from(args) {
        Ok(cli) => commands::dispatch(cli.command),
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
