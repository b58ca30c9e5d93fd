//! The table a section of scenario-wide parameters is declared in, and what
//! each of its entries becomes.
//!
//! A behavioural parameter is one entry: its field and type, its default (a
//! named constant with its value), the range a scenario may set it to, the
//! plausible range a sensitivity analysis varies it over, what it means and
//! where its default comes from. [`declare_parameters!`] turns the entries of
//! one section (`[world]`, `[cloud]`, `[behaviour]`, `[app_builders]`) into
//! everything that used to be written out by hand, once per file:
//!
//! - the raw serde struct (`Option` fields; unknown fields denied),
//! - the validated struct the engine reads (same field names and order, so
//!   the resolved scenario serialises as before),
//! - the named default constants, re-exported by [`crate::defaults`],
//! - the check that fills in a default and records the field's range,
//! - the section's [`Declared`] list, from which [`super::PARAMETERS`]
//!   (`moatsim params`) and the tables of `docs/CONFIG.md` are derived.
//!
//! The shape follows rust-analyzer's `config_data!`: declare a setting once,
//! derive the rest, and let a test check the documentation against it.

use crate::check::Checker;
use crate::ranges::Range;

/// The allowed range of a whole-number parameter, such as a count of quarters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Whole {
    pub(crate) low: i64,
    pub(crate) high: i64,
}

/// A whole number from `low` to `high`.
pub(crate) const fn whole(low: i64, high: i64) -> Whole {
    Whole { low, high }
}

/// What a scenario may set a parameter to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Allowed {
    Number(Range),
    Whole(Whole),
}

/// One declared parameter, as the listings read it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Declared {
    /// The `--set` path, such as `behaviour.refresh_share_per_quarter`.
    pub(crate) path: &'static str,
    pub(crate) meaning: &'static str,
    /// A calibration row (`cal: name`) or `assumption`, with the evidence
    /// that bounds it where there is some.
    pub(crate) source: &'static str,
    pub(crate) default: f64,
    pub(crate) allowed: Allowed,
    /// The plausible `(low, high)`; `None` keeps the parameter out of
    /// `moatsim params` (and so out of designs that default to its range).
    pub(crate) plausible: Option<(f64, f64)>,
    /// Why the default is what it is, where the entry says more than its
    /// source (its doc comment); the manual prints it.
    pub(crate) notes: &'static str,
    /// 0 for nearly all. A parameter with `n > 0` is checked, and listed, after
    /// the rest of its section, in order of `n`: where it was appended when
    /// it was added. The order is output (`validate --ranges`, the order of
    /// problems, `moatsim params`), so it stays.
    pub(crate) checked_last: u8,
}

/// A number parameter: its value, or its default, within `allowed`.
pub(crate) fn check_number(
    c: &mut Checker<'_>,
    path: &str,
    given: Option<f64>,
    default: f64,
    allowed: Range,
) -> f64 {
    c.within(path.to_string(), allowed, given.unwrap_or(default))
}

/// A whole-number parameter: its value, or its default, within `allowed`.
pub(crate) fn check_whole(
    c: &mut Checker<'_>,
    path: &str,
    given: Option<i64>,
    default: u32,
    allowed: Whole,
) -> u32 {
    c.whole(
        path.to_string(),
        given.unwrap_or(i64::from(default)),
        allowed.low,
        allowed.high,
    )
}

/// The helpers below map a parameter's type (`f64` or `u32`) to what the
/// generated code needs; a type the table does not know is a compile error.
macro_rules! raw_type {
    (f64) => {
        f64
    };
    // TOML integers are i64: a negative count must reach the range check.
    (u32) => {
        i64
    };
}

macro_rules! allowed {
    (f64, $allowed:expr) => {
        $crate::parameters::declare::Allowed::Number($allowed)
    };
    (u32, $allowed:expr) => {
        $crate::parameters::declare::Allowed::Whole($allowed)
    };
}

macro_rules! check_value {
    (f64, $($argument:expr),*) => {
        $crate::parameters::declare::check_number($($argument),*)
    };
    (u32, $($argument:expr),*) => {
        $crate::parameters::declare::check_whole($($argument),*)
    };
}

macro_rules! as_f64 {
    (f64, $value:expr) => {
        $value
    };
    (u32, $value:expr) => {
        $value as f64
    };
}

macro_rules! plausible {
    () => {
        None
    };
    ($range:expr) => {{
        let range = $range;
        Some((*range.start(), *range.end()))
    }};
}

macro_rules! checked_last {
    () => {
        0
    };
    ($rank:literal) => {
        $rank
    };
}

/// Declares one section of parameters. See the module documentation for what
/// it generates, and `world.rs`, `cloud.rs`, `behaviour.rs` and
/// `app_builders.rs` beside it for the tables.
///
/// Each entry reads
///
/// ```text
/// /// Why the default is what it is (optional; documents the constant, and
/// /// docs/CONFIG.md prints it after the default).
/// field: f64 {                       // or u32, a whole number
///     default: CONSTANT = 0.25,
///     allowed: ranges::FRACTION,     // a `Range` (f64) or `whole(low, high)` (u32)
///     plausible: 0.125..=0.5,        // optional: without it, not in `moatsim params`
///     checked_last: 1,               // optional: see `Declared::checked_last`
///     meaning: "what it is, as `moatsim params` says it",
///     source: "assumption",
/// },
/// ```
///
/// The raw struct may carry fields that are not parameters (`before` and
/// `after` them, written as they are). A validated struct with such fields
/// (`[app_builders]`) lists them the same way and names a `fixed` struct of
/// them, which its caller fills with those fields, checked, and passes to
/// the generated `checked`.
macro_rules! declare_parameters {
    (
        section: $section:literal,
        raw: {
            $(#[$raw_meta:meta])*
            pub struct $Raw:ident;
            $(before { $($raw_before:tt)* })?
            $(after { $($raw_after:tt)* })?
        },
        spec: {
            $(#[$spec_meta:meta])*
            pub struct $Spec:ident;
            $(before { $( $(#[$before_meta:meta])* pub $before:ident : $before_ty:ty ),* $(,)? })?
            $(after { $( $(#[$after_meta:meta])* pub $after:ident : $after_ty:ty ),* $(,)? })?
            $(fixed: $Fixed:ident,)?
        },
        declared: $DECLARED:ident,
        parameters: {
            $(
                $(#[doc = $doc:literal])*
                $field:ident : $ty:ident {
                    default: $CONSTANT:ident = $value:expr,
                    allowed: $allowed:expr,
                    $(plausible: $plausible:expr,)?
                    $(checked_last: $rank:literal,)?
                    meaning: $meaning:literal,
                    source: $source:literal $(,)?
                }
            ),* $(,)?
        } $(,)?
    ) => {
        /// The named defaults of this section, re-exported by [`crate::defaults`].
        pub mod defaults {
            $(
                #[doc = concat!("Default of `", $section, ".", stringify!($field), "`: ", $meaning, " (", $source, ").")]
                #[doc = ""]
                $(#[doc = $doc])*
                pub const $CONSTANT: $ty = $value;
            )*
        }

        /// Every parameter of this section, in declaration order.
        pub(crate) const $DECLARED: &[$crate::parameters::declare::Declared] = &[
            $(
                $crate::parameters::declare::Declared {
                    path: concat!($section, ".", stringify!($field)),
                    meaning: $meaning,
                    source: $source,
                    default: $crate::parameters::declare::as_f64!($ty, defaults::$CONSTANT),
                    allowed: $crate::parameters::declare::allowed!($ty, $allowed),
                    plausible: $crate::parameters::declare::plausible!($($plausible)?),
                    checked_last: $crate::parameters::declare::checked_last!($($rank)?),
                    notes: concat!($($doc),*),
                },
            )*
        ];

        $(#[$raw_meta])*
        pub struct $Raw {
            $($($raw_before)*)?
            $(pub $field: Option<$crate::parameters::declare::raw_type!($ty)>,)*
            $($($raw_after)*)?
        }

        $(#[$spec_meta])*
        pub struct $Spec {
            $($( $(#[$before_meta])* pub $before: $before_ty, )*)?
            $(
                #[doc = concat!($meaning, " (default [`defaults::", stringify!($CONSTANT), "`]).")]
                pub $field: $ty,
            )*
            $($( $(#[$after_meta])* pub $after: $after_ty, )*)?
        }

        $crate::parameters::declare::declare_parameters! {
            @fixed [$($Fixed)?] [$($( $before: $before_ty, )*)?] [$($( $after: $after_ty, )*)?]
        }

        impl $Spec {
            /// Checks each parameter the section sets, fills in the default of
            /// each it leaves out, and records every range it checked against.
            pub(crate) fn checked(
                c: &mut $crate::check::Checker<'_>,
                raw: &$Raw,
                $(fixed: $Fixed,)?
            ) -> Self {
                // Each parameter is checked once, in declaration order except
                // those `checked_last`, which come after the rest in their
                // order: the order of the ranges recorded and of problems.
                $(let mut $field = defaults::$CONSTANT;)*
                let last = $DECLARED.iter().map(|d| d.checked_last).max().unwrap_or(0);
                for rank in 0..=last {
                    $(
                        if rank == $crate::parameters::declare::checked_last!($($rank)?) {
                            $field = $crate::parameters::declare::check_value!(
                                $ty,
                                c,
                                concat!($section, ".", stringify!($field)),
                                raw.$field,
                                defaults::$CONSTANT,
                                $allowed
                            );
                        }
                    )*
                }
                Self {
                    $($( $before: fixed.$before, )*)?
                    $($field,)*
                    $($( $after: fixed.$after, )*)?
                }
            }
        }
    };

    (@fixed [] [$($before:tt)*] [$($after:tt)*]) => {};
    (@fixed [$Fixed:ident] [$($before:ident : $before_ty:ty,)*] [$($after:ident : $after_ty:ty,)*]) => {
        /// The fields of the section that are not declared parameters, which
        /// the caller checks.
        #[derive(Debug)]
        pub(crate) struct $Fixed {
            $(pub(crate) $before: $before_ty,)*
            $(pub(crate) $after: $after_ty,)*
        }
    };
}

pub(crate) use {
    allowed, as_f64, check_value, checked_last, declare_parameters, plausible, raw_type,
};
