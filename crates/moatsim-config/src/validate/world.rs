//! The scenario-wide sections: `[world]`, `[cloud]` and `[output]`.

use crate::check::Checker;
use crate::raw::*;
use crate::scenario::*;

/// `[world]`: physical and economic constants of the whole run, checked
/// as `parameters/world.rs` declares them.
pub(super) fn check_world(c: &mut Checker<'_>, w: &RawWorld) -> WorldParams {
    WorldParams::checked(c, w)
}

/// `[cloud]`: the rental market's starting ask and its rules; the fields
/// schema 6 removed get an error naming their replacement.
pub(super) fn check_cloud(c: &mut Checker<'_>, rc: &RawCloud) -> CloudSpec {
    for (field, value) in [
        ("capacity_h100e", &rc.capacity_h100e),
        (
            "capacity_growth_per_quarter",
            &rc.capacity_growth_per_quarter,
        ),
        ("min_ask_per_h100e_hour_usd", &rc.min_ask_per_h100e_hour_usd),
    ] {
        if value.is_some() {
            c.fail(
                &format!("cloud.{field}"),
                "was removed in schema 6: capacity for rent now comes from [[accelerator_buyers]] rental_share, and its cost from the owners' fleets; allowed: delete this line (see docs/CONFIG.md)".to_string(),
            );
        }
    }
    CloudSpec::checked(c, rc)
}

/// `[output]`: how much of the app-builder population is written.
pub(super) fn check_output(c: &mut Checker<'_>, output: &RawOutput) -> OutputSpec {
    let app_builders = match output.app_builders.as_deref().unwrap_or("full") {
        "full" => BuilderOutput::Full,
        "segments" => BuilderOutput::Segments,
        "sampled" => BuilderOutput::Sampled {
            share: c.number(
                "output.app_builders_sample_share".into(),
                output.app_builders_sample_share.unwrap_or(0.01),
                1e-6,
                1.0,
                "a share of builders above 0 and at most 1",
            ),
        },
        other => {
            c.fail(
                "output.app_builders",
                format!("is {other:?}; allowed: \"full\", \"sampled\" or \"segments\""),
            );
            BuilderOutput::Full
        }
    };
    OutputSpec { app_builders }
}
