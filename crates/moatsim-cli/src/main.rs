//! The `moatsim` binary: parses arguments, calls [`cli::run`], maps the result to an exit code.

mod args;
mod cli;
mod output;

fn main() -> std::process::ExitCode {
    cli::run(std::env::args_os())
}
