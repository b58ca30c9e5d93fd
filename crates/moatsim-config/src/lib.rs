//! Scenario configuration for moatsim: TOML in, a validated [`Scenario`] out.
//!
//! Loading has two stages. Stage one deserialises the file into raw structs
//! that deny unknown fields ([`raw`]); stage two checks ranges and resolves
//! names into a typed [`Scenario`] (`validate/`). `--set KEY=VALUE` overrides
//! are applied between the two and go through exactly the same checks. Every
//! problem names the file, the line and column where possible, the field path,
//! and what is allowed.
//!
//! The scenario-wide parameters (`[world]`, `[cloud]`, `[behaviour]` and those
//! of `[app_builders]`) are declared once each, in the tables of
//! [`parameters`]: their raw and validated fields, named defaults, checks,
//! `moatsim params` and the tables of `docs/CONFIG.md` all follow from there.

mod check;
pub mod defaults;
mod error;
pub mod fit;
mod layers;
mod locate;
mod overrides;
pub mod parameters;
pub mod ranges;
pub mod raw;
mod scenario;
mod suggest;
pub use suggest::did_you_mean;
pub mod sweep;
mod validate;

use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

pub use check::FieldRange;
pub use error::{ConfigError, Origin, Problem};
pub use layers::Difference;
pub use scenario::*;

/// A validated scenario plus what the output needs to record where it came from.
#[derive(Debug, Clone)]
pub struct LoadedScenario {
    pub scenario: Scenario,
    pub source: PathBuf,
    /// The resolved configuration (after defaults and overrides) as JSON.
    pub resolved_json: String,
    /// SHA-256 of `resolved_json`, hex-encoded.
    pub config_hash: String,
    /// Every numeric field with the range it was checked against.
    pub ranges: Vec<FieldRange>,
    /// The file this scenario `extends`, if any.
    pub base: Option<PathBuf>,
    /// What the scenario and its `--set` overrides change from its base (or,
    /// without a base, what the overrides change from the file).
    pub differences: Vec<Difference>,
}

/// Loads, overrides and validates the scenario at `path`.
///
/// `overrides` are `KEY=VALUE` strings, where KEY is a dotted path such as
/// `labs[0].cash_usd` or `labs[frontier-a].cash_usd` and VALUE is a TOML value
/// (bare words are taken as strings).
pub fn load(path: &Path, overrides: &[String]) -> Result<LoadedScenario, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    load_str(&text, path, overrides)
}

/// As [`load`], for a config already in memory; `path` is used in messages and
/// to find the files it `extends`.
pub fn load_str(
    text: &str,
    path: &Path,
    overrides: &[String],
) -> Result<LoadedScenario, ConfigError> {
    let layers = layers::compose(text, path)?;
    let parsed_overrides = overrides
        .iter()
        .map(|text| overrides::Override::parse(text))
        .collect::<Result<Vec<_>, _>>()?;
    let files: Vec<(PathBuf, locate::FileLocator)> = layers
        .iter()
        .map(|l| (l.path.clone(), locate::FileLocator::new(&l.text)))
        .collect();

    let base = layers.get(1).map(|l| l.path.clone());
    let (raw, locator, differences) = if layers.len() == 1 && parsed_overrides.is_empty() {
        // The common case: deserialise the file itself, so errors carry its spans.
        let locator = locate::Locator::new(files, Vec::new(), Vec::new());
        let raw = deserialize_with_paths(text, &locator, true)
            .map_err(|p| ConfigError::invalid(path, vec![p]))?;
        (raw, locator, Vec::new())
    } else {
        let mut table = layers::merged(&layers)?;
        // What `validate` shows as changed: against the bases, or against the
        // file itself when only overrides change it.
        let base_table = match layers.get(1..) {
            Some(bases) if !bases.is_empty() => layers::merged(bases)?,
            _ => table.clone(),
        };
        let mut resolved_paths = Vec::new();
        for item in &parsed_overrides {
            let resolved = item.apply(&mut table)?;
            // One rule for the whole command line: each field is set once, so
            // no override is silently replaced by a later one.
            if let Some((_, earlier)) = resolved_paths.iter().find(|(p, _)| *p == resolved) {
                return Err(ConfigError::BadOverride {
                    text: item.text.clone(),
                    message: format!(
                        "sets `{resolved}`, which `{earlier}` already sets; allowed: each field set once on the command line"
                    ),
                });
            }
            resolved_paths.push((resolved, item.text.clone()));
        }
        let differences = layers::differences(&base_table, &table);
        let locator =
            locate::Locator::new(files, layers::names_by_position(&table), resolved_paths);
        let rewritten = toml::to_string(&table).map_err(|e| ConfigError::BadOverride {
            text: overrides.join(" "),
            message: e.to_string(),
        })?;
        let raw = deserialize_with_paths(&rewritten, &locator, false)
            .map_err(|p| ConfigError::invalid(path, vec![p]))?;
        (raw, locator, differences)
    };

    let (scenario, ranges) = validate::validate(&raw, &locator)
        .map_err(|problems| ConfigError::invalid(path, problems))?;
    let resolved_json = serde_json::to_string(&scenario).map_err(|e| ConfigError::BadOverride {
        text: String::new(),
        message: format!("cannot serialise the resolved scenario: {e}"),
    })?;
    let config_hash = Sha256::digest(resolved_json.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(LoadedScenario {
        scenario,
        source: path.to_path_buf(),
        resolved_json,
        config_hash,
        ranges,
        base,
        differences,
    })
}

/// Stage one: TOML text to raw structs, keeping the field path of any error.
fn deserialize_with_paths(
    text: &str,
    locator: &dyn check::Locate,
    text_is_the_file: bool,
) -> Result<raw::RawConfig, Problem> {
    let deserializer = match toml::Deserializer::parse(text) {
        Ok(deserializer) => deserializer,
        Err(error) => {
            return Err(locate::problem_from_toml_error(
                text,
                "",
                &error,
                locator,
                text_is_the_file,
            ));
        }
    };
    raw::RawConfig::deserialize(deserializer)
        .map_err(|_| ())
        .or_else(|()| {
            // Deserialise again with path tracking only on failure, so the common
            // path stays cheap and the error names the field.
            let deserializer = toml::Deserializer::parse(text).map_err(|e| {
                locate::problem_from_toml_error(text, "", &e, locator, text_is_the_file)
            })?;
            match serde_path_to_error::deserialize::<_, raw::RawConfig>(deserializer) {
                Ok(raw) => Ok(raw),
                Err(error) => {
                    let field = error.path().to_string();
                    let field = if field == "." { String::new() } else { field };
                    Err(locate::problem_from_toml_error(
                        text,
                        &field,
                        error.inner(),
                        locator,
                        text_is_the_file,
                    ))
                }
            }
        })
}
