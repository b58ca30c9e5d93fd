//! The tables of `docs/CONFIG.md` that list the scenario-wide parameters are
//! generated from their declarations and checked by a test, so the manual
//! cannot drift from what a scenario accepts (rust-analyzer checks its
//! configuration manual the same way).
//!
//! Each table sits between a `<!-- generated: parameters of [section] … -->`
//! line and `<!-- end generated -->`. When a declaration changes, rewrite
//! them with
//!
//! ```sh
//! MOATSIM_UPDATE_DOCS=1 cargo nextest run --release -p moatsim-config docs
//! ```
//!
//! and read the diff before committing.

use std::path::PathBuf;

use super::SECTIONS;
use super::declare::{Allowed, Declared, Whole};

fn config_md() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/CONFIG.md")
}

/// The section a list of declarations belongs to, such as `behaviour`.
fn section_name(section: &[Declared]) -> &'static str {
    section
        .first()
        .and_then(|d| d.path.split_once('.'))
        .map_or("", |(name, _)| name)
}

/// The line that opens a section's generated table.
fn opening(name: &str) -> String {
    format!(
        "<!-- generated: parameters of [{name}] from crates/moatsim-config/src/parameters/{name}.rs; do not edit -->"
    )
}

const CLOSING: &str = "<!-- end generated -->";

/// The section's declarations as a Markdown table, in the order they are
/// checked (the order of `validate --ranges`).
fn table(section: &[Declared]) -> String {
    let mut ordered: Vec<&Declared> = section.iter().collect();
    // A stable sort keeps declaration order among those of equal rank.
    ordered.sort_by_key(|d| d.checked_last);
    let mut out = String::from(
        "| field | meaning | allowed | default (source; plausible range) |\n|---|---|---|---|\n",
    );
    for d in ordered {
        let field = d.path.split_once('.').map_or(d.path, |(_, field)| field);
        let plausible = d.plausible.map_or(String::new(), |(low, high)| {
            format!("; plausible {}–{}", number(low), number(high))
        });
        // Doc comments are joined line by line; each line starts with a space.
        let notes = match d.notes.trim() {
            "" => String::new(),
            notes => format!(". {notes}"),
        };
        out.push_str(&format!(
            "| `{field}` | {} | {} | {} ({}{plausible}){} |\n",
            cell(d.meaning),
            cell(&allowed(d.allowed)),
            number(d.default),
            cell(d.source),
            cell(&notes),
        ));
    }
    out
}

/// The allowed range in words, as problems and `validate --ranges` say it.
fn allowed(allowed: Allowed) -> String {
    match allowed {
        Allowed::Number(range) => range.what.to_string(),
        Allowed::Whole(Whole { low, high }) => format!("a whole number from {low} to {high}"),
    }
}

/// A number as the manual writes it: `11.7e6` rather than eight digits.
fn number(value: f64) -> String {
    if value.abs() >= 1e6 {
        format!("{value:e}")
    } else {
        value.to_string()
    }
}

/// Text that cannot end a Markdown table cell early.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// `text` with every section's generated table replaced by the current one;
/// an error names a section whose markers are missing.
fn with_tables(text: &str) -> Result<String, String> {
    let mut out = text.to_string();
    for section in SECTIONS {
        let name = section_name(section);
        let opening = opening(name);
        let start = out
            .find(&opening)
            .map(|at| at + opening.len() + 1)
            .ok_or_else(|| format!("docs/CONFIG.md has no line `{opening}`"))?;
        let end = out[start..]
            .find(CLOSING)
            .map(|at| start + at)
            .ok_or_else(|| format!("docs/CONFIG.md does not close the table of [{name}]"))?;
        out.replace_range(start..end, &table(section));
    }
    Ok(out)
}

#[test]
fn the_parameter_tables_of_config_md_match_the_declarations() {
    let path = config_md();
    let text = std::fs::read_to_string(&path).expect("docs/CONFIG.md is readable");
    let expected = match with_tables(&text) {
        Ok(expected) => expected,
        Err(message) => panic!("{message}"),
    };
    if std::env::var_os("MOATSIM_UPDATE_DOCS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &expected).expect("docs/CONFIG.md is writable");
        return;
    }
    if expected != text {
        let first = expected
            .lines()
            .zip(text.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "docs/CONFIG.md disagrees with the parameter declarations, first at line {}:\n  docs: {:?}\n  declared: {:?}\nRewrite the tables with MOATSIM_UPDATE_DOCS=1 (see the top of crates/moatsim-config/src/parameters/docs.rs) and read the diff.",
            first + 1,
            text.lines().nth(first),
            expected.lines().nth(first),
        );
    }
}

#[test]
fn every_section_is_named_by_its_declarations() {
    for section in SECTIONS {
        let name = section_name(section);
        assert!(!name.is_empty());
        assert!(
            section
                .iter()
                .all(|d| d.path.starts_with(&format!("{name}."))),
            "[{name}]"
        );
    }
}
