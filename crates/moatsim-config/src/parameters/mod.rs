//! The behavioural parameters with a scenario-wide default: where each lives
//! in a scenario, what it means, its default and the source of that default,
//! and the plausible range a sensitivity analysis should vary it over
//! (model brief, principle 6). `moatsim params` prints this list.
//!
//! Each parameter is declared once, in the table of its section
//! (`world.rs`, `cloud.rs`, `behaviour.rs`, `app_builders.rs`; see
//! `declare.rs`), and the list is derived from those tables, so it cannot
//! drift from what the validator fills in and checks. A test checks that
//! every plausible range passes validation on the baseline.

pub(crate) mod app_builders;
pub(crate) mod behaviour;
pub(crate) mod cloud;
pub(crate) mod declare;
#[cfg(test)]
mod docs;
pub(crate) mod world;

use declare::Declared;

/// One parameter a sensitivity analysis may vary.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Parameter {
    /// The `--set` path.
    pub path: &'static str,
    pub meaning: &'static str,
    /// The value used when a scenario does not set it.
    pub default: f64,
    /// A calibration row (`cal: name`) or `assumption`.
    pub source: &'static str,
    /// The plausible range: published bands where there are some, otherwise
    /// the range the model's documentation defends.
    pub low: f64,
    pub high: f64,
}

/// The sections of scenario-wide parameters, in the order a scenario file
/// and `moatsim params` give them.
pub(crate) const SECTIONS: [&[Declared]; 4] = [
    world::WORLD,
    cloud::CLOUD,
    behaviour::BEHAVIOUR,
    app_builders::APP_BUILDERS,
];

/// Every scenario-wide behavioural parameter with a plausible range: section
/// by section, each in the order it is checked (as `validate --ranges` lists
/// them).
pub const PARAMETERS: &[Parameter] = &LISTED;

const LISTED: [Parameter; listed_count()] = listed();

/// `moatsim params` has always listed `world.dc_build_sigma` just before
/// `world.dc_capex_per_mw_usd`, ahead of its place in `[world]`. The derived
/// list keeps that order so that the command's output did not move.
const LISTED_BEFORE: (&str, &str) = ("world.dc_build_sigma", "world.dc_capex_per_mw_usd");

/// How many declared parameters have a plausible range.
const fn listed_count() -> usize {
    let mut count = 0;
    let mut s = 0;
    while s < SECTIONS.len() {
        let section = SECTIONS[s];
        let mut i = 0;
        while i < section.len() {
            if section[i].plausible.is_some() {
                count += 1;
            }
            i += 1;
        }
        s += 1;
    }
    count
}

/// The parameters with a plausible range, in listing order. Evaluated at
/// compile time (a `const`), so `PARAMETERS` stays a plain slice.
const fn listed<const N: usize>() -> [Parameter; N] {
    let blank = Parameter {
        path: "",
        meaning: "",
        default: 0.0,
        source: "",
        low: 0.0,
        high: 0.0,
    };
    let mut out = [blank; N];
    let mut n = 0;
    let mut s = 0;
    while s < SECTIONS.len() {
        let section = SECTIONS[s];
        // Those checked last come after the rest, in their order.
        let mut rank = 0;
        while rank <= last_rank(section) {
            let mut i = 0;
            while i < section.len() {
                let declared = &section[i];
                if declared.checked_last == rank
                    && let Some((low, high)) = declared.plausible
                {
                    out[n] = Parameter {
                        path: declared.path,
                        meaning: declared.meaning,
                        default: declared.default,
                        source: declared.source,
                        low,
                        high,
                    };
                    n += 1;
                }
                i += 1;
            }
            rank += 1;
        }
        s += 1;
    }
    assert!(n == N, "every counted parameter is listed");
    list_before(&mut out, LISTED_BEFORE.0, LISTED_BEFORE.1);
    out
}

/// The highest `checked_last` rank in a section.
const fn last_rank(section: &[Declared]) -> u8 {
    let mut last = 0;
    let mut i = 0;
    while i < section.len() {
        if section[i].checked_last > last {
            last = section[i].checked_last;
        }
        i += 1;
    }
    last
}

/// Moves the parameter at path `moved` to just before the one at `anchor`.
/// A path that names no listed parameter stops the build.
const fn list_before(list: &mut [Parameter], moved: &str, anchor: &str) {
    let from = position(list, moved);
    let to = position(list, anchor);
    if from < to {
        panic!("list_before moves a parameter earlier, not later");
    }
    let item = list[from];
    let mut i = from;
    while i > to {
        list[i] = list[i - 1];
        i -= 1;
    }
    list[to] = item;
}

const fn position(list: &[Parameter], path: &str) -> usize {
    let mut i = 0;
    while i < list.len() {
        if same(list[i].path, path) {
            return i;
        }
        i += 1;
    }
    panic!("no listed parameter has this path");
}

/// `a == b` for strings, in a `const fn`.
const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::declare::{Allowed, Whole};
    use super::*;

    fn baseline() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs/baseline.toml")
    }

    /// `validate --ranges` and `moatsim params` list a section in one order,
    /// the order its parameters are checked: the generated checks and the
    /// derived list must agree on what `checked_last` means.
    #[test]
    fn parameters_are_listed_in_the_order_they_are_checked() {
        let loaded = crate::load(&baseline(), &[]).expect("the baseline loads");
        let (listed_early, _) = LISTED_BEFORE;
        for section in ["world.", "cloud.", "behaviour.", "app_builders."] {
            let listed: Vec<&str> = PARAMETERS
                .iter()
                .map(|p| p.path)
                .filter(|path| path.starts_with(section) && *path != listed_early)
                .collect();
            let checked: Vec<&str> = loaded
                .ranges
                .iter()
                .map(|range| range.path.as_str())
                .filter(|path| listed.contains(path))
                .collect();
            assert_eq!(checked, listed, "{section}");
        }
    }

    /// A default a scenario may not set would refuse every scenario that
    /// leaves the parameter out.
    #[test]
    fn every_declared_default_is_allowed() {
        for declared in SECTIONS.iter().flat_map(|section| section.iter()) {
            let (low, high) = match declared.allowed {
                Allowed::Number(range) => (range.low, range.high),
                Allowed::Whole(Whole { low, high }) => (low as f64, high as f64),
            };
            assert!(
                low <= declared.default && declared.default <= high,
                "{}: default {} outside {low}..{high}",
                declared.path,
                declared.default
            );
        }
    }

    #[test]
    fn every_default_lies_in_its_plausible_range() {
        for parameter in PARAMETERS {
            assert!(
                parameter.low <= parameter.default && parameter.default <= parameter.high,
                "{}: default {} outside {}..{}",
                parameter.path,
                parameter.default,
                parameter.low,
                parameter.high
            );
            assert!(!parameter.source.is_empty() && !parameter.meaning.is_empty());
        }
    }

    /// Sweeps can use every plausible range as it stands: both ends pass
    /// validation on the baseline, and each path names a real field.
    #[test]
    fn both_ends_of_every_range_validate_on_the_baseline() {
        let baseline = baseline();
        for parameter in PARAMETERS {
            for value in [parameter.low, parameter.high] {
                let set = format!("{}={value}", parameter.path);
                let loaded = crate::load(&baseline, std::slice::from_ref(&set));
                assert!(loaded.is_ok(), "{set}: {:?}", loaded.err());
            }
        }
    }

    #[test]
    fn every_path_is_listed_once() {
        let mut paths: Vec<&str> = PARAMETERS.iter().map(|p| p.path).collect();
        paths.sort_unstable();
        let count = paths.len();
        paths.dedup();
        assert_eq!(paths.len(), count);
    }
}
