//! `[behaviour]`: the numbers of the agents' decision rules that belong to
//! no single agent. Each is checked as `parameters/behaviour.rs` declares
//! it; this file adds the rules that relate two of them.

use crate::check::Checker;
use crate::raw::RawBehaviour;
use crate::scenario::BehaviourParams;

/// `[behaviour]`: each number within its allowed range, then the weights that
/// must be positive and the pairs that must be ordered.
pub(super) fn check_behaviour(c: &mut Checker<'_>, rb: &RawBehaviour) -> BehaviourParams {
    let behaviour = BehaviourParams::checked(c, rb);
    // The first weight of each split carries the order when only one
    // generation is on sale, so it must be positive.
    for (field, weight) in [
        ("gpu_weight_best", behaviour.gpu_weight_best),
        ("backlog_gpu_weight_best", behaviour.backlog_gpu_weight_best),
        ("capacity_weight_newest", behaviour.capacity_weight_newest),
    ] {
        if weight <= 0.0 {
            c.fail(
                &format!("behaviour.{field}"),
                format!("is {weight}; allowed: a weight above 0 and at most 1"),
            );
        }
    }
    if behaviour.inference_share_min > behaviour.inference_share_max {
        c.fail(
            "behaviour.inference_share_min",
            format!(
                "is {}; allowed: at most behaviour.inference_share_max ({})",
                behaviour.inference_share_min, behaviour.inference_share_max
            ),
        );
    }
    if behaviour.inference_cut_utilisation > behaviour.inference_raise_utilisation {
        c.fail(
            "behaviour.inference_cut_utilisation",
            format!(
                "is {}; allowed: at most behaviour.inference_raise_utilisation ({})",
                behaviour.inference_cut_utilisation, behaviour.inference_raise_utilisation
            ),
        );
    }
    if behaviour.min_project_mw > behaviour.max_project_mw {
        c.fail(
            "behaviour.min_project_mw",
            format!(
                "is {}; allowed: at most behaviour.max_project_mw ({})",
                behaviour.min_project_mw, behaviour.max_project_mw
            ),
        );
    }

    behaviour
}
