//! The `moatsim` binary: hands the command line to [`cli::run`], which runs the
//! command and returns its exit status.

mod args;
mod cli;
mod commands;
mod error;
mod output;

fn main() -> std::process::ExitCode {
    cli::run(std::env::args_os())
}
