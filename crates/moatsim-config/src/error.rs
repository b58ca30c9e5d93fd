//! Typed configuration errors that name the file, the place, the field and the fix.

use std::path::PathBuf;

/// Where in the input a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A line and column (1-based) of the config file.
    File { line: usize, column: usize },
    /// A line and column of a base file the config extends.
    BaseFile {
        file: PathBuf,
        line: usize,
        column: usize,
    },
    /// A `--set KEY=VALUE` override from the command line.
    Override(String),
    /// The file as a whole (for problems that are about the relation between fields).
    Whole,
}

/// One problem with a configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Dotted path of the field, such as `labs[2].cash_usd`.
    pub path: String,
    pub origin: Origin,
    /// What is wrong and what is allowed.
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}", render(path, problems))]
    Invalid {
        path: PathBuf,
        problems: Vec<Problem>,
    },
    #[error("bad override `{text}`: {message}")]
    BadOverride { text: String, message: String },
}

impl ConfigError {
    pub fn invalid(path: &std::path::Path, problems: Vec<Problem>) -> Self {
        Self::Invalid {
            path: path.to_path_buf(),
            problems,
        }
    }
}

fn render(path: &std::path::Path, problems: &[Problem]) -> String {
    let mut out = format!(
        "invalid config {} ({} problem{}):",
        path.display(),
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    for problem in problems {
        let place = match &problem.origin {
            Origin::File { line, column } => format!("{}:{line}:{column}", path.display()),
            Origin::BaseFile { file, line, column } => {
                format!("{}:{line}:{column}", file.display())
            }
            Origin::Override(text) => format!("--set {text}"),
            Origin::Whole => path.display().to_string(),
        };
        let field = if problem.path.is_empty() {
            String::new()
        } else {
            format!(" field `{}`:", problem.path)
        };
        out.push_str(&format!("\n  {place}:{field} {}", problem.message));
    }
    out
}
