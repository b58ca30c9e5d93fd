//! The checker every part of a scenario is validated with: it collects every
//! problem (with the place it was written) and every numeric field's range.
//! `validate/` checks the sections; the parameter tables' generated checks
//! (`parameters/declare.rs`) use it too, which is why it stands apart from
//! both.

use std::collections::BTreeMap;

use moatsim_model::Quarter;

use crate::error::{Origin, Problem};
use crate::ranges::Range;

/// Finds where a field path was written, so problems can point at it.
pub(crate) trait Locate {
    fn origin_of(&self, path: &str) -> Origin;
}

/// Checks values one by one, collecting every problem and every numeric
/// field's range.
pub(crate) struct Checker<'a> {
    pub(crate) locate: &'a dyn Locate,
    pub(crate) problems: Vec<Problem>,
    /// Every numeric field checked, with its allowed range.
    pub(crate) ranges: Vec<FieldRange>,
}

/// The allowed range of one numeric field of a scenario, as checked.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FieldRange {
    /// Dotted path, such as `labs[2].cash_usd`.
    pub path: String,
    pub low: f64,
    pub high: f64,
    /// The range in words, as error messages give it.
    pub what: String,
}

impl Checker<'_> {
    pub(crate) fn fail(&mut self, path: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.to_string(),
            origin: self.locate.origin_of(path),
            message: message.into(),
        });
    }

    /// A finite number within `[low, high]`; `what` describes the allowed values.
    pub(crate) fn number(
        &mut self,
        path: String,
        value: f64,
        low: f64,
        high: f64,
        what: &str,
    ) -> f64 {
        self.ranges.push(FieldRange {
            path: path.clone(),
            low,
            high,
            what: what.to_string(),
        });
        if !value.is_finite() || value < low || value > high {
            self.fail(&path, format!("is {}; allowed: {what}", show(value)));
        }
        value
    }

    /// A finite number within one of the shared [`crate::ranges`].
    pub(crate) fn within(&mut self, path: String, range: Range, value: f64) -> f64 {
        self.number(path, value, range.low, range.high, range.what)
    }

    pub(crate) fn fraction(&mut self, path: String, value: f64) -> f64 {
        self.within(path, crate::ranges::FRACTION, value)
    }

    pub(crate) fn whole(&mut self, path: String, value: i64, low: i64, high: i64) -> u32 {
        self.ranges.push(FieldRange {
            path: path.clone(),
            low: low as f64,
            high: high as f64,
            what: format!("a whole number from {low} to {high}"),
        });
        if value < low || value > high {
            self.fail(
                &path,
                format!("is {value}; allowed: a whole number from {low} to {high}"),
            );
            return u32::try_from(low.max(0)).unwrap_or(0);
        }
        u32::try_from(value).unwrap_or(0)
    }

    pub(crate) fn name(&mut self, path: String, value: &str) -> String {
        if !is_plain_name(value) {
            self.fail(
                &path,
                format!("is {value:?}; allowed: 1 to 64 characters from letters, digits, '-', '_' and '.'"),
            );
        }
        value.to_string()
    }

    pub(crate) fn quarter(&mut self, path: String, value: &str) -> Quarter {
        match value.parse::<Quarter>() {
            Ok(quarter) => quarter,
            Err(error) => {
                self.fail(&path, error.to_string());
                Quarter {
                    year: 2025,
                    quarter: 1,
                }
            }
        }
    }

    /// Checks that names within one list are unique and returns name → index.
    pub(crate) fn unique_names<'n>(
        &mut self,
        list: &str,
        names: impl Iterator<Item = &'n str>,
    ) -> BTreeMap<String, usize> {
        let mut index = BTreeMap::new();
        for (i, name) in names.enumerate() {
            if index.insert(name.to_string(), i).is_some() {
                self.fail(
                    &format!("{list}[{i}].name"),
                    format!("{name:?} is used twice in `{list}`; names must be unique"),
                );
            }
        }
        index
    }

    pub(crate) fn resolve(
        &mut self,
        path: String,
        value: &str,
        names: &BTreeMap<String, usize>,
        list: &str,
    ) -> usize {
        match names.get(value) {
            Some(&index) => index,
            None => {
                let known: Vec<&str> = names.keys().map(String::as_str).collect();
                self.fail(
                    &path,
                    format!(
                        "{value:?} is not a name in `{list}`{}; allowed: {}",
                        crate::suggest::did_you_mean(value, &known),
                        known.join(", ")
                    ),
                );
                0
            }
        }
    }

    pub(crate) fn non_empty<T>(&mut self, path: &str, list: &[T]) {
        if list.is_empty() {
            self.fail(path, "is empty; allowed: at least one entry");
        }
    }
}

/// A name that is safe in a folder name and a `--set labs[name]` path: 1 to
/// 64 characters from letters, digits, '-', '_' and '.'.
pub(crate) fn is_plain_name(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 64
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// A number as a user would write it: `1e300` rather than 301 digits.
fn show(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude != 0.0 && !(1e-4..1e9).contains(&magnitude) {
        format!("{value:e}")
    } else {
        value.to_string()
    }
}
