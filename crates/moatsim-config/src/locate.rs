//! Finding where a field was written: a line and column in the file, or the
//! `--set` override that supplied it.

use crate::error::{Origin, Problem};
use crate::validate::Locate;

/// Locates dotted field paths (`labs[2].cash_usd`) in TOML text by scanning its
/// table headers and keys. It understands the plain layout our configs use
/// (`[table]`, `[[array]]`, `key = value`); anything else falls back to
/// naming the field without a line.
#[derive(Debug, Clone)]
pub(crate) struct FileLocator {
    /// (table path such as `labs[2]`, key, line, column), in file order.
    keys: Vec<(String, String, usize, usize)>,
    tables: Vec<(String, usize)>,
}

impl FileLocator {
    pub(crate) fn new(text: &str) -> Self {
        let mut keys = Vec::new();
        let mut tables = Vec::new();
        let mut counters: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
        let mut current = String::new();
        for (index, line) in text.lines().enumerate() {
            let trimmed = line.trim_start();
            let indent = line.len() - trimmed.len();
            if let Some(rest) = trimmed.strip_prefix("[[") {
                let name = rest.split("]]").next().unwrap_or("").trim().to_string();
                let count = counters.entry(name.clone()).or_insert(0);
                // A nested array such as `app_builders.segments` is numbered on its own.
                current = format!("{name}[{count}]");
                *count += 1;
                tables.push((current.clone(), index + 1));
            } else if let Some(rest) = trimmed.strip_prefix('[') {
                current = rest.split(']').next().unwrap_or("").trim().to_string();
                tables.push((current.clone(), index + 1));
            } else if let Some((key, _)) = trimmed.split_once('=') {
                let key = key.trim();
                if !key.is_empty() && !key.starts_with('#') {
                    keys.push((current.clone(), key.to_string(), index + 1, indent + 1));
                }
            }
        }
        Self { keys, tables }
    }

    fn find(&self, path: &str) -> Option<(usize, usize)> {
        let (table, key) = match path.rsplit_once('.') {
            Some((table, key)) => (table, key),
            None => ("", path),
        };
        if let Some(found) = self.keys.iter().find(|(t, k, _, _)| t == table && k == key) {
            return Some((found.2, found.3));
        }
        // A missing key: point at its table header instead.
        self.tables.iter().find(|(t, _)| t == path || t == table).map(|(_, line)| (*line, 1))
    }

    pub(crate) fn problem_from_toml(&self, field: &str, error: &toml::de::Error) -> Problem {
        Problem {
            path: field.to_string(),
            origin: Origin::Whole,
            message: error.message().to_string(),
        }
    }
}

impl Locate for FileLocator {
    fn origin_of(&self, path: &str) -> Origin {
        match self.find(path) {
            Some((line, column)) => Origin::File { line, column },
            None => Origin::Whole,
        }
    }
}

/// The file locator plus the fields that `--set` overrides replaced.
#[derive(Debug, Clone)]
pub(crate) struct Locator {
    file: FileLocator,
    /// (resolved field path such as `labs[0].cash_usd`, the override as typed).
    overrides: Vec<(String, String)>,
}

impl Locator {
    pub(crate) fn file_only(file: FileLocator) -> Self {
        Self { file, overrides: Vec::new() }
    }

    pub(crate) fn with_overrides(file: FileLocator, overrides: Vec<(String, String)>) -> Self {
        Self { file, overrides }
    }
}

impl Locate for Locator {
    fn origin_of(&self, path: &str) -> Origin {
        for (field, text) in self.overrides.iter().rev() {
            if path == field || path.starts_with(&format!("{field}.")) || path.starts_with(&format!("{field}[")) {
                return Origin::Override(text.clone());
            }
        }
        self.file.origin_of(path)
    }
}

/// Turns a toml error into a problem, preferring the error's own span for the
/// line and column (it points at the offending value or key).
pub(crate) fn problem_from_toml_error(text: &str, field: &str, error: &toml::de::Error, locator: &dyn Locate) -> Problem {
    let origin = match locator.origin_of(field) {
        Origin::Override(text) => Origin::Override(text),
        fallback => match error.span() {
            Some(span) => {
                let (line, column) = line_and_column(text, span.start);
                Origin::File { line, column }
            }
            None => fallback,
        },
    };
    let message = error.message().trim().to_string();
    let message = if message.starts_with("unknown field") {
        format!("{message} (fields are spelled as in configs/baseline.toml; see docs/CONFIG.md)")
    } else {
        message
    };
    Problem { path: field.to_string(), origin, message }
}

pub(crate) fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}
