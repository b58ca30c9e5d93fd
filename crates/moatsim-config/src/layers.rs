//! Scenario layering: a scenario may start with `extends = "baseline.toml"` and
//! then list only what it changes. Tables merge key by key; lists of named
//! entries (`[[labs]]`, `[[regions]]`, …) merge by `name`, so an entry with an
//! existing name changes that entry and a new name adds one; any other value
//! replaces the base's.

use std::path::{Path, PathBuf};

use crate::error::{ConfigError, Origin, Problem};
use crate::locate::line_and_column;

/// How deep `extends` chains may go.
const MAX_DEPTH: usize = 8;

/// One file of a layered scenario.
#[derive(Debug, Clone)]
pub(crate) struct Layer {
    pub path: PathBuf,
    pub text: String,
    pub table: toml::Table,
}

/// The file and its bases, the file itself first.
pub(crate) fn compose(text: &str, path: &Path) -> Result<Vec<Layer>, ConfigError> {
    let mut layers: Vec<Layer> = Vec::new();
    let mut current = (path.to_path_buf(), text.to_string());
    loop {
        let (file, text) = current;
        let mut table: toml::Table = toml::from_str(&text).map_err(|error| {
            let origin = match error.span() {
                Some(span) => {
                    let (line, column) = line_and_column(&text, span.start);
                    Origin::File { line, column }
                }
                None => Origin::Whole,
            };
            ConfigError::invalid(
                &file,
                vec![Problem {
                    path: String::new(),
                    origin,
                    message: error.message().trim().to_string(),
                }],
            )
        })?;
        let base = table.remove("extends");
        layers.push(Layer {
            path: file.clone(),
            text,
            table,
        });
        let Some(base) = base else { break };
        let Some(base) = base.as_str() else {
            return Err(ConfigError::invalid(
                &file,
                vec![Problem {
                    path: "extends".into(),
                    origin: Origin::Whole,
                    message: "must be a file name such as \"baseline.toml\"".into(),
                }],
            ));
        };
        let base_path = file.parent().unwrap_or(Path::new(".")).join(base);
        if layers.len() >= MAX_DEPTH || layers.iter().any(|l| l.path == base_path) {
            return Err(ConfigError::invalid(
                &file,
                vec![Problem {
                    path: "extends".into(),
                    origin: Origin::Whole,
                    message: format!(
                        "{} is part of a cycle or a chain deeper than {MAX_DEPTH} files",
                        base_path.display()
                    ),
                }],
            ));
        }
        let base_text =
            std::fs::read_to_string(&base_path).map_err(|source| ConfigError::Read {
                path: base_path.clone(),
                source,
            })?;
        current = (base_path, base_text);
    }
    Ok(layers)
}

/// The layers merged, bases first.
pub(crate) fn merged(layers: &[Layer]) -> toml::Table {
    let mut iter = layers.iter().rev();
    let mut table = iter.next().map(|l| l.table.clone()).unwrap_or_default();
    for layer in iter {
        merge(&mut table, layer.table.clone());
    }
    table
}

fn name_of(value: &toml::Value) -> Option<&str> {
    value.get("name").and_then(toml::Value::as_str)
}

fn merge(base: &mut toml::Table, overlay: toml::Table) {
    for (key, value) in overlay {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(into)), toml::Value::Table(from)) => merge(into, from),
            (Some(toml::Value::Array(into)), toml::Value::Array(from))
                if from.iter().all(|v| v.is_table() && name_of(v).is_some()) =>
            {
                for item in from {
                    let name = name_of(&item).map(str::to_string);
                    match into
                        .iter_mut()
                        .find(|existing| name_of(existing).map(str::to_string) == name)
                    {
                        Some(toml::Value::Table(existing)) => {
                            if let toml::Value::Table(item) = item {
                                merge(existing, item);
                            }
                        }
                        _ => into.push(item),
                    }
                }
            }
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// `labs[3]` → `labs[name=frontier-a]` for every named entry of the merged table,
/// so a problem found in the merged scenario can be traced to the file that set it.
pub(crate) fn names_by_position(table: &toml::Table) -> Vec<(String, String)> {
    let mut out = Vec::new();
    walk(table, "", &mut out);
    out
}

fn walk(table: &toml::Table, prefix: &str, out: &mut Vec<(String, String)>) {
    for (key, value) in table {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            toml::Value::Table(inner) => walk(inner, &path, out),
            toml::Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    if let (Some(name), toml::Value::Table(inner)) = (name_of(item), item) {
                        let at = format!("{path}[{index}]");
                        out.push((at.clone(), format!("{path}[name={name}]")));
                        walk(inner, &at, out);
                    }
                }
            }
            _ => {}
        }
    }
}
