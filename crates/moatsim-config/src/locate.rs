//! Finding where a field was written: a line and column in the file, or the
//! `--set` override that supplied it.

use crate::check::Locate;
use crate::error::{Origin, Problem};

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
        let mut counters: std::collections::BTreeMap<String, usize> =
            std::collections::BTreeMap::new();
        let mut current = String::new();
        let mut array_name = String::new();
        for (index, line) in text.lines().enumerate() {
            let trimmed = line.trim_start();
            let indent = line.len() - trimmed.len();
            if let Some(rest) = trimmed.strip_prefix("[[") {
                let name = rest.split("]]").next().unwrap_or("").trim().to_string();
                let count = counters.entry(name.clone()).or_insert(0);
                // A nested array such as `app_builders.segments` is numbered on its own.
                current = format!("{name}[{count}]");
                array_name = name;
                *count += 1;
                tables.push((current.clone(), index + 1));
            } else if let Some(rest) = trimmed.strip_prefix('[') {
                current = rest.split(']').next().unwrap_or("").trim().to_string();
                array_name.clear();
                tables.push((current.clone(), index + 1));
            } else if let Some((key, value)) = trimmed.split_once('=') {
                let key = key.trim();
                if !key.is_empty() && !key.starts_with('#') {
                    keys.push((current.clone(), key.to_string(), index + 1, indent + 1));
                    // Entries of a list are also known by name, for layered scenarios.
                    if key == "name" && !array_name.is_empty() {
                        let name = value
                            .split('#')
                            .next()
                            .unwrap_or("")
                            .trim()
                            .trim_matches('"')
                            .to_string();
                        let by_name = format!("{array_name}[name={name}]");
                        let header = tables.last().map_or(index + 1, |t| t.1);
                        tables.push((by_name.clone(), header));
                        let positional = current.clone();
                        let aliases: Vec<_> = keys
                            .iter()
                            .filter(|k| k.0 == positional)
                            .map(|k| (by_name.clone(), k.1.clone(), k.2, k.3))
                            .collect();
                        keys.extend(aliases);
                        current = by_name;
                    }
                }
            }
        }
        Self { keys, tables }
    }

    /// Where the key at `path` is written, if it is.
    fn find_key(&self, path: &str) -> Option<(usize, usize)> {
        let (table, key) = match path.rsplit_once('.') {
            Some((table, key)) if !key.contains(']') => (table, key),
            _ => ("", path),
        };
        self.keys
            .iter()
            .find(|(t, k, _, _)| t == table && k == key)
            .map(|found| (found.2, found.3))
    }

    fn find(&self, path: &str) -> Option<(usize, usize)> {
        let table = path.rsplit_once('.').map_or("", |(table, _)| table);
        if let Some(found) = self.find_key(path) {
            return Some(found);
        }
        // A missing key: point at its table header instead.
        self.tables
            .iter()
            .find(|(t, _)| t == path || t == table)
            .map(|(_, line)| (*line, 1))
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

/// Every file of a (possibly layered) scenario plus the fields that `--set`
/// overrides replaced.
#[derive(Debug, Clone)]
pub(crate) struct Locator {
    /// The scenario file first, then its bases.
    files: Vec<(std::path::PathBuf, FileLocator)>,
    /// `labs[3]` → `labs[name=frontier-a]` in the merged scenario.
    names: Vec<(String, String)>,
    /// (resolved field path such as `labs[0].cash_usd`, the override as typed).
    overrides: Vec<(String, String)>,
}

impl Locator {
    pub(crate) fn new(
        files: Vec<(std::path::PathBuf, FileLocator)>,
        names: Vec<(String, String)>,
        overrides: Vec<(String, String)>,
    ) -> Self {
        Self {
            files,
            names,
            overrides,
        }
    }

    /// The same path with positional list entries replaced by their names.
    fn by_name(&self, path: &str) -> Option<String> {
        let mut best: Option<&(String, String)> = None;
        for pair in &self.names {
            let matches = path == pair.0 || path.starts_with(&format!("{}.", pair.0));
            if matches && best.is_none_or(|b| pair.0.len() > b.0.len()) {
                best = Some(pair);
            }
        }
        best.map(|(position, name)| format!("{name}{}", &path[position.len()..]))
    }
}

impl Locate for Locator {
    fn origin_of(&self, path: &str) -> Origin {
        for (field, text) in self.overrides.iter().rev() {
            if path == field
                || path.starts_with(&format!("{field}."))
                || path.starts_with(&format!("{field}["))
            {
                return Origin::Override(text.clone());
            }
        }
        // Entries of named lists are found by name in every layer (their
        // positions differ between files); any other field by its path. The
        // first layer, from the scenario down to its bases, that writes the
        // key is the one that set it.
        let named = self.by_name(path);
        let key = named.as_deref().unwrap_or(path);
        for (layer, (file, locator)) in self.files.iter().enumerate() {
            if let Some((line, column)) = locator.find_key(key) {
                return if layer == 0 {
                    Origin::File { line, column }
                } else {
                    Origin::BaseFile {
                        file: file.clone(),
                        line,
                        column,
                    }
                };
            }
        }
        match self.files.first() {
            Some((_, locator)) => locator.origin_of(path),
            None => Origin::Whole,
        }
    }
}

/// Turns a toml error into a problem, preferring the error's own span for the
/// line and column (it points at the offending value or key).
pub(crate) fn problem_from_toml_error(
    text: &str,
    field: &str,
    error: &toml::de::Error,
    locator: &dyn Locate,
    text_is_the_file: bool,
) -> Problem {
    let origin = match locator.origin_of(field) {
        Origin::Override(text) => Origin::Override(text),
        fallback if !text_is_the_file => fallback,
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
        // The suggestion goes right after the unknown name, before the list.
        let suggestion = unknown_field_suggestion(&message);
        let message = match message.split_once(", expected") {
            Some((unknown, expected)) => format!("{unknown}{suggestion}, expected{expected}"),
            None => format!("{message}{suggestion}"),
        };
        format!("{message} (fields are spelled as in configs/baseline.toml; see docs/CONFIG.md)")
    } else {
        message
    };
    Problem {
        path: field.to_string(),
        origin,
        message,
    }
}

/// "did you mean" for serde's "unknown field `x`, expected one of `a`, `b`".
fn unknown_field_suggestion(message: &str) -> String {
    let quoted: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    match quoted.split_first() {
        Some((field, expected)) => crate::suggest::did_you_mean(field, expected),
        None => String::new(),
    }
}

pub(crate) fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// A TOML syntax error's message, naming the key when the parser's own
/// message does not (a duplicate key or table says only "duplicate key").
pub(crate) fn toml_message(text: &str, error: &toml::de::Error) -> String {
    let message = error.message().trim().to_string();
    let spanned = error
        .span()
        .and_then(|span| text.get(span))
        .map(|s| s.trim().trim_matches(['[', ']', '"']).trim())
        .filter(|s| !s.is_empty() && !s.contains('\n'));
    match spanned {
        Some(key) if message.starts_with("duplicate key") => format!(
            "duplicate key `{key}`; allowed: each key and table once (a list of tables is written [[{key}]])"
        ),
        _ => message,
    }
}
