//! How a command fails: [`CliError`] says whether the request was wrong
//! (exit status 2, nothing written) or running it failed (1). Commands return
//! it; `cli::run` prints it and turns it into the exit status.

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

    /// An analysis error: the request was wrong (no runs there, runs that
    /// cannot be paired, a report that exists) is a usage error; runs or
    /// files that cannot be read, or a report that cannot be written, are a
    /// failure.
    pub(crate) fn analysis(error: moatsim_analysis::AnalysisError) -> Self {
        use moatsim_analysis::AnalysisError as E;
        match error {
            E::NoRuns { .. }
            | E::NoCommonSeeds { .. }
            | E::MixedScenarios { .. }
            | E::Exists { .. } => Self::usage(error),
            E::Io { .. }
            | E::Manifest { .. }
            | E::Read(_)
            | E::Outputs { .. }
            | E::Chart { .. } => Self::failed(error),
        }
    }

    /// 2 when nothing was run because the request was wrong, 1 when running
    /// it failed.
    pub(crate) fn exit_status(&self) -> u8 {
        match self {
            Self::Arguments(_) | Self::Usage(_) => 2,
            Self::Failed(_) | Self::RunsFailed(_) => 1,
        }
    }

    /// Tells the user on stderr.
    pub(crate) fn print(&self) {
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
