//! Scenario layering: a scenario may start with `extends = "baseline.toml"` and
//! then list only what it changes. Tables merge key by key; lists of named
//! entries (`[[labs]]`, `[[regions]]`, …) merge by `name`, so an entry with an
//! existing name changes that entry, and an entry marked `new = true` adds one
//! (an unmarked name the bases lack is refused as a likely typo); any other value
//! replaces the base's.

use std::path::{Path, PathBuf};

use crate::error::{ConfigError, Origin, Problem};
use crate::locate::{FileLocator, line_and_column};

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
                    message: crate::locate::toml_message(&text, &error),
                }],
            )
        })?;
        let base = table.remove("extends");
        // Within one file a name may appear once per list: layering merges
        // entries by name, so a second entry would silently change the first.
        let duplicates = duplicate_names(&table, &text);
        if !duplicates.is_empty() {
            return Err(ConfigError::invalid(&file, duplicates));
        }
        layers.push(Layer {
            path: file.clone(),
            text,
            table,
        });
        let Some(base) = base else { break };
        let Some(base) = base.as_str().filter(|b| !b.trim().is_empty()) else {
            use crate::check::Locate;
            return Err(ConfigError::invalid(
                &file,
                vec![Problem {
                    path: "extends".into(),
                    origin: FileLocator::new(&layers[layers.len() - 1].text).origin_of("extends"),
                    message: format!(
                        "is {base}; allowed: the name of a scenario file, relative to this one, such as \"baseline.toml\""
                    ),
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
        let base_text = std::fs::read_to_string(&base_path).map_err(|source| {
            unreadable_base(
                &file,
                &layers[layers.len() - 1].text,
                base,
                &base_path,
                &source,
            )
        })?;
        current = (base_path, base_text);
    }
    Ok(layers)
}

/// A base that cannot be read, said from the file that extends it: where
/// the path led (relative to that file's folder), why it failed, and the
/// scenario files beside it that the name may have meant.
fn unreadable_base(
    file: &Path,
    text: &str,
    base: &str,
    base_path: &Path,
    source: &std::io::Error,
) -> ConfigError {
    use crate::check::Locate;
    let folder = file.parent().unwrap_or(Path::new("."));
    let folder_shown = if folder.as_os_str().is_empty() {
        Path::new(".")
    } else {
        folder
    };
    let beside: Vec<String> = std::fs::read_dir(folder_shown)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| n.ends_with(".toml"))
                .collect()
        })
        .unwrap_or_default();
    let names: Vec<&str> = beside.iter().map(String::as_str).collect();
    let wanted = Path::new(base)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(base);
    ConfigError::invalid(
        file,
        vec![Problem {
            path: "extends".into(),
            origin: FileLocator::new(text).origin_of("extends"),
            message: format!(
                "is {base:?}, which leads to {} ({source}){}; allowed: a scenario file, its path relative to the folder of the file that extends it ({})",
                base_path.display(),
                crate::suggest::did_you_mean(wanted, &names),
                folder_shown.display()
            ),
        }],
    )
}

/// The key that marks an entry of a named list as new in a layered file:
/// without it, a name the bases do not have is refused as a likely typo.
pub(crate) const NEW_ENTRY: &str = "new";

/// The layers merged, bases first. An entry of a named list (`[[labs]]`,
/// `[[regions]]`, …) whose name no base has must say `new = true`: a
/// mistyped name would otherwise add an entry instead of changing one.
pub(crate) fn merged(layers: &[Layer]) -> Result<toml::Table, ConfigError> {
    let mut iter = layers.iter().rev();
    let mut table = iter.next().map(|l| l.table.clone()).unwrap_or_default();
    let mut below = layers.last().map(|l| l.path.clone());
    for layer in iter {
        let mut problems = Vec::new();
        let context = Merging {
            text: &layer.text,
            base: below.as_deref().unwrap_or(Path::new("its base")),
        };
        merge(&mut table, layer.table.clone(), "", &context, &mut problems);
        if !problems.is_empty() {
            return Err(ConfigError::invalid(&layer.path, problems));
        }
        below = Some(layer.path.clone());
    }
    Ok(table)
}

/// What a merge needs to explain a refused entry.
struct Merging<'a> {
    /// The overlay's text, to point at the entry's name.
    text: &'a str,
    /// The file the overlay extends.
    base: &'a Path,
}

/// `key` inside the table at dotted path `prefix` (empty for the root).
fn child_path(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn name_of(value: &toml::Value) -> Option<&str> {
    value.get("name").and_then(toml::Value::as_str)
}

/// Where `name = "…"` is written in `text`, if it is.
fn origin_of_name(text: &str, name: &str) -> Origin {
    let quoted = format!("{name:?}");
    text.match_indices(&quoted)
        .find(|(at, _)| {
            text[..*at]
                .rsplit('\n')
                .next()
                .is_some_and(|line| line.trim_start().starts_with("name"))
        })
        .map_or(Origin::Whole, |(at, _)| {
            let (line, column) = line_and_column(text, at);
            Origin::File { line, column }
        })
}

fn merge(
    base: &mut toml::Table,
    overlay: toml::Table,
    prefix: &str,
    context: &Merging<'_>,
    problems: &mut Vec<Problem>,
) {
    for (key, value) in overlay {
        let path = child_path(prefix, &key);
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(into)), toml::Value::Table(from)) => {
                merge(into, from, &path, context, problems);
            }
            (Some(toml::Value::Array(into)), toml::Value::Array(from))
                if from.iter().all(|v| v.is_table() && name_of(v).is_some()) =>
            {
                for item in from {
                    merge_entry(into, item, &path, context, problems);
                }
            }
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// One named entry of an overlay's list: it changes the base's entry of
/// that name, or is added when it says `new = true`.
fn merge_entry(
    into: &mut Vec<toml::Value>,
    item: toml::Value,
    path: &str,
    context: &Merging<'_>,
    problems: &mut Vec<Problem>,
) {
    let toml::Value::Table(mut item) = item else {
        return;
    };
    let name = item
        .get("name")
        .and_then(toml::Value::as_str)
        .unwrap_or_default()
        .to_string();
    let marked_new = item.remove(NEW_ENTRY);
    let existing = into
        .iter_mut()
        .position(|entry| name_of(entry) == Some(name.as_str()));
    match (existing, marked_new) {
        (Some(at), None) => {
            if let toml::Value::Table(existing) = &mut into[at] {
                let entry_path = format!("{path}[name={name}]");
                merge(existing, item, &entry_path, context, problems);
            }
        }
        (None, Some(toml::Value::Boolean(true))) => into.push(toml::Value::Table(item)),
        (Some(_), Some(_)) => problems.push(Problem {
            path: format!("{path}[name={name}].{NEW_ENTRY}"),
            origin: origin_of_name(context.text, &name),
            message: format!(
                "{name:?} is already in `{path}` of {}; allowed: leave out `{NEW_ENTRY}` to change that entry",
                context.base.display()
            ),
        }),
        (None, marked) => {
            let known: Vec<&str> = into.iter().filter_map(name_of).collect();
            let message = match marked {
                Some(value) => format!(
                    "`{NEW_ENTRY}` is {value}; allowed: new = true, to add {name:?} to `{path}`"
                ),
                None => format!(
                    "{name:?} is not in `{path}` of {}{}; allowed: the name of an entry there ({}), or new = true in this entry to add one",
                    context.base.display(),
                    crate::suggest::did_you_mean(&name, &known),
                    known.join(", ")
                ),
            };
            problems.push(Problem {
                path: format!("{path}[name={name}]"),
                origin: origin_of_name(context.text, &name),
                message,
            });
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
        let path = child_path(prefix, key);
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

/// Names written twice in one list of named entries (`[[labs]]`,
/// `[[app_builders.segments]]`, …) of one file, each reported at its second use.
fn duplicate_names(table: &toml::Table, text: &str) -> Vec<Problem> {
    use crate::check::Locate;
    let locator = FileLocator::new(text);
    let mut problems = Vec::new();
    let mut lists = Vec::new();
    collect_named_lists(table, "", &mut lists);
    for (path, items) in lists {
        let mut seen = std::collections::BTreeSet::new();
        for (index, item) in items.iter().enumerate() {
            let Some(name) = name_of(item) else { continue };
            if !seen.insert(name) {
                let field = format!("{path}[{index}].name");
                problems.push(Problem {
                    origin: locator.origin_of(&field),
                    path: field,
                    message: format!(
                        "{name:?} is used twice in `{path}`; allowed: one entry per name (in a layered scenario, an entry with a base's name changes that entry)"
                    ),
                });
            }
        }
    }
    problems
}

fn collect_named_lists<'t>(
    table: &'t toml::Table,
    prefix: &str,
    out: &mut Vec<(String, &'t Vec<toml::Value>)>,
) {
    for (key, value) in table {
        let path = child_path(prefix, key);
        match value {
            toml::Value::Table(inner) => collect_named_lists(inner, &path, out),
            toml::Value::Array(items) if items.iter().any(|v| name_of(v).is_some()) => {
                out.push((path, items));
            }
            _ => {}
        }
    }
}

/// One field whose value differs from the scenario's base.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Difference {
    /// Dotted path, with named entries by name: `labs[frontier-a].cash_usd`.
    pub path: String,
    /// The base's value, or `None` where the base does not set the field.
    pub base: Option<String>,
    /// The value the scenario (with its `--set` overrides) runs with.
    pub value: String,
}

/// The fields of `scenario` (its layers merged) that differ from `base` (its
/// bases merged), in file order of keys.
pub(crate) fn differences(base: &toml::Table, scenario: &toml::Table) -> Vec<Difference> {
    let mut out = Vec::new();
    diff_tables(base, scenario, "", &mut out);
    out
}

fn diff_tables(
    base: &toml::Table,
    scenario: &toml::Table,
    prefix: &str,
    out: &mut Vec<Difference>,
) {
    for (key, value) in scenario {
        let path = child_path(prefix, key);
        diff_values(base.get(key), value, &path, out);
    }
}

/// Each entry of a list with its name, if every entry is a table with one.
fn named_entries(list: &[toml::Value]) -> Option<Vec<(&str, &toml::Value)>> {
    // Only a table has a `name` to get.
    list.iter()
        .map(|item| name_of(item).map(|name| (name, item)))
        .collect()
}

fn diff_values(
    base: Option<&toml::Value>,
    value: &toml::Value,
    path: &str,
    out: &mut Vec<Difference>,
) {
    // A list of named entries is compared entry by entry, by name.
    if let (Some(toml::Value::Array(from)), toml::Value::Array(to)) = (base, value)
        && let Some(named) = named_entries(to)
    {
        for (name, item) in named {
            let before = from.iter().find(|b| name_of(b) == Some(name));
            diff_values(before, item, &format!("{path}[{name}]"), out);
        }
        return;
    }
    match (base, value) {
        (Some(toml::Value::Table(from)), toml::Value::Table(to)) => {
            diff_tables(from, to, path, out)
        }
        (Some(from), to) if from == to => {}
        (from, to) => {
            if let (None, toml::Value::Table(inner)) = (from, to) {
                // A new table or entry: list its fields one by one.
                return diff_tables(&toml::Table::new(), inner, path, out);
            }
            out.push(Difference {
                path: path.to_string(),
                base: from.map(toml::Value::to_string),
                value: to.to_string(),
            });
        }
    }
}
