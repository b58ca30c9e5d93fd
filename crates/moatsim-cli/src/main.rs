//! The `moatsim` binary: hands the command line to [`cli::run`], which runs the
//! command and returns its exit status.

mod args;
mod cli;
mod commands;
mod error;
mod output;

fn main() -> std::process::ExitCode {
    // A decoder that fails on a damaged file is reported as an error naming
    // the file; its panic is not printed as a crash.
    moatsim_output::quiet_decoding_panics();
    cli::run(std::env::args_os())
}
