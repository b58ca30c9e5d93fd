//! The dated entries: `[[scheduled_rounds]]`, `[[joint_ventures]]` and the
//! policy timeline `[[events]]`.

use std::collections::BTreeMap;

use moatsim_model::Quarter;

use crate::check::Checker;
use crate::ranges;
use crate::raw::*;
use crate::scenario::*;

/// The dated entries (`[[scheduled_rounds]]`, `[[joint_ventures]]`,
/// `[[events]]`), each inside the run; a round on the policy timeline becomes
/// a scheduled round like any other.
pub(super) fn check_timeline(
    c: &mut Checker<'_>,
    raw: &RawConfig,
    (start, end): (Quarter, Quarter),
    names: &TimelineNames<'_>,
    investor_names: &BTreeMap<String, usize>,
) -> (Vec<ScheduledRound>, Vec<JointVenture>, Vec<PolicyEvent>) {
    // Dated entries must fall inside the run: one outside it would never happen,
    // and a user who set it would not be told.
    let horizon = |c: &mut Checker<'_>, path: String, when: Quarter| {
        if when < start || when > end {
            c.fail(
                &path,
                format!("is {when}, outside the run; allowed: a quarter from {start} to {end} (scenario.start and scenario.quarters)"),
            );
        }
    };
    let mut scheduled_rounds: Vec<ScheduledRound> = raw
        .scheduled_rounds
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let p = |f: &str| format!("scheduled_rounds[{i}].{f}");
            let amount_usd = c.within(p("amount_usd"), ranges::USD_VALUATION, r.amount_usd);
            let post_money_usd = c.within(p("post_money_usd"), ranges::USD_VALUATION, r.post_money_usd);
            if post_money_usd <= amount_usd {
                c.fail(&p("post_money_usd"), format!("is {post_money_usd}, not above amount_usd ({amount_usd}); allowed: a post-money valuation above the amount raised"));
            }
            let quarter = c.quarter(p("quarter"), &r.quarter);
            horizon(c, p("quarter"), quarter);
            ScheduledRound {
                lab: c.resolve(p("lab"), &r.lab, names.labs, "labs"),
                quarter,
                amount_usd,
                post_money_usd,
            }
        })
        .collect();
    let joint_ventures: Vec<JointVenture> = raw
        .joint_ventures
        .iter()
        .enumerate()
        .map(|(i, j)| {
            let p = |f: &str| format!("joint_ventures[{i}].{f}");
            let quarter = c.quarter(p("quarter"), &j.quarter);
            horizon(c, p("quarter"), quarter);
            JointVenture {
                partner: c.resolve(p("partner"), &j.partner, investor_names, "investors"),
                lab: c.resolve(p("lab"), &j.lab, names.labs, "labs"),
                quarter,
                investment_usd: c.within(p("investment_usd"), ranges::USD_AMOUNT, j.investment_usd),
                builder_share: c.fraction(p("builder_share"), j.builder_share),
                tie_strength: c.number(
                    p("tie_strength"),
                    j.tie_strength,
                    0.0,
                    20.0,
                    "a utility bonus from 0 to 20",
                ),
            }
        })
        .collect();
    let events: Vec<PolicyEvent> = raw
        .events
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let event = policy_event(c, i, e, names)?;
            horizon(c, format!("events[{i}].quarter"), event.quarter);
            Some(event)
        })
        .collect();
    // A round on the timeline is a scheduled round like any other.
    for event in &events {
        if let PolicyChange::ScheduledRound {
            lab,
            amount_usd,
            post_money_usd,
        } = event.change
        {
            scheduled_rounds.push(ScheduledRound {
                lab,
                quarter: event.quarter,
                amount_usd,
                post_money_usd,
            });
        }
    }
    (scheduled_rounds, joint_ventures, events)
}

/// Name → index maps the policy timeline refers to.
pub(super) struct TimelineNames<'a> {
    pub(super) regions: &'a BTreeMap<String, usize>,
    pub(super) regulators: &'a BTreeMap<String, usize>,
    pub(super) labs: &'a BTreeMap<String, usize>,
    pub(super) utilities: &'a BTreeMap<String, usize>,
    pub(super) technologies: &'a BTreeMap<String, usize>,
    pub(super) chips: &'a BTreeMap<String, usize>,
}

/// Validates one `[[events]]` entry: a known kind, exactly the fields that kind
/// takes, names that resolve and values in range.
fn policy_event(
    c: &mut Checker<'_>,
    i: usize,
    e: &RawPolicyEvent,
    names: &TimelineNames<'_>,
) -> Option<PolicyEvent> {
    let quarter = c.quarter(format!("events[{i}].quarter"), &e.quarter);
    if !has_the_fields_of_its_kind(c, i, e) {
        return None;
    }
    let change = policy_change(c, i, e, quarter, names);
    Some(PolicyEvent { quarter, change })
}

/// The fields each kind of event takes; `None` for a kind there is not.
fn fields_of(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "export_tier" => &["region", "tier"],
        "licence_fee" => &["regulator", "rate"],
        "permit_delay" => &["regulator", "quarters"],
        "antitrust_threshold" => &["regulator", "hhi"],
        "power_priority" => &["regulator", "dc_power_share"],
        "scheduled_round" => &["lab", "amount_usd", "post_money_usd"],
        "utility_build" => &["utility", "technology", "mw"],
        "chip_roadmap" => &["chip", "available"],
        "compute_outage" => &["lab", "share", "quarters"],
        _ => return None,
    })
}

/// Whether the event is of a known kind and gives every field that kind
/// needs. A field the kind does not take is a problem too, but the event is
/// still checked, so that its other problems are reported with it.
fn has_the_fields_of_its_kind(c: &mut Checker<'_>, i: usize, e: &RawPolicyEvent) -> bool {
    let p = |f: &str| format!("events[{i}].{f}");
    let Some(fields) = fields_of(&e.kind) else {
        c.fail(
            &p("kind"),
            format!("is {:?}; allowed: {}", e.kind, PolicyChange::KINDS),
        );
        return false;
    };
    let given = e.given_fields();
    let mut complete = true;
    for field in fields {
        if !given.contains(field) {
            c.fail(
                &p("kind"),
                format!(
                    "kind {:?} needs `{field}`; it takes: {}",
                    e.kind,
                    fields.join(", ")
                ),
            );
            complete = false;
        }
    }
    for field in &given {
        if !fields.contains(field) {
            c.fail(
                &p(field),
                format!(
                    "does not apply to kind {:?}; it takes: {}",
                    e.kind,
                    fields.join(", ")
                ),
            );
        }
    }
    complete
}

/// What an event of a known kind with all its fields changes, each field
/// checked.
fn policy_change(
    c: &mut Checker<'_>,
    i: usize,
    e: &RawPolicyEvent,
    quarter: Quarter,
    names: &TimelineNames<'_>,
) -> PolicyChange {
    let p = |f: &str| format!("events[{i}].{f}");
    // The kind's fields are all given (`has_the_fields_of_its_kind`), so these
    // fallbacks are never used; were one used, an empty name fails to resolve
    // and NaN fails every range, so nothing would pass unnoticed.
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let number = |v: Option<f64>| v.unwrap_or(f64::NAN);
    match e.kind.as_str() {
        "export_tier" => {
            let tier_text = text(&e.tier);
            let tier = ExportTier::parse(&tier_text).unwrap_or_else(|| {
                c.fail(
                    &p("tier"),
                    format!("is {tier_text:?}; allowed: {}", ExportTier::ALLOWED),
                );
                ExportTier::Unrestricted
            });
            PolicyChange::ExportTier {
                region: c.resolve(p("region"), &text(&e.region), names.regions, "regions"),
                tier,
            }
        }
        "licence_fee" => PolicyChange::LicenceFee {
            regulator: c.resolve(
                p("regulator"),
                &text(&e.regulator),
                names.regulators,
                "regulators",
            ),
            rate: c.number(
                p("rate"),
                number(e.rate),
                0.0,
                5.0,
                "a fraction of the price from 0 to 5",
            ),
        },
        "permit_delay" => PolicyChange::PermitDelay {
            regulator: c.resolve(
                p("regulator"),
                &text(&e.regulator),
                names.regulators,
                "regulators",
            ),
            quarters: c.whole(p("quarters"), e.quarters.unwrap_or(-1), 0, 40),
        },
        "antitrust_threshold" => PolicyChange::AntitrustThreshold {
            regulator: c.resolve(
                p("regulator"),
                &text(&e.regulator),
                names.regulators,
                "regulators",
            ),
            hhi: c.number(
                p("hhi"),
                number(e.hhi),
                0.0,
                10_000.0,
                "an HHI from 0 to 10000",
            ),
        },
        "power_priority" => PolicyChange::PowerPriority {
            regulator: c.resolve(
                p("regulator"),
                &text(&e.regulator),
                names.regulators,
                "regulators",
            ),
            dc_power_share: c.fraction(p("dc_power_share"), number(e.dc_power_share)),
        },
        "scheduled_round" => {
            let amount_usd = c.within(p("amount_usd"), ranges::USD_VALUATION, number(e.amount_usd));
            let post_money_usd = c.within(
                p("post_money_usd"),
                ranges::USD_VALUATION,
                number(e.post_money_usd),
            );
            if post_money_usd <= amount_usd {
                c.fail(
                    &p("post_money_usd"),
                    format!("is {post_money_usd}, not above amount_usd ({amount_usd}); allowed: a post-money valuation above the amount raised"),
                );
            }
            PolicyChange::ScheduledRound {
                lab: c.resolve(p("lab"), &text(&e.lab), names.labs, "labs"),
                amount_usd,
                post_money_usd,
            }
        }
        "compute_outage" => PolicyChange::ComputeOutage {
            lab: c.resolve(p("lab"), &text(&e.lab), names.labs, "labs"),
            share: c.fraction(p("share"), number(e.share)),
            quarters: c.whole(p("quarters"), e.quarters.unwrap_or(0), 1, 400),
        },
        "utility_build" => PolicyChange::UtilityBuild {
            utility: c.resolve(
                p("utility"),
                &text(&e.utility),
                names.utilities,
                "utilities",
            ),
            technology: c.resolve(
                p("technology"),
                &text(&e.technology),
                names.technologies,
                "generation_technologies",
            ),
            mw: c.within(p("mw"), ranges::MW_POSITIVE, number(e.mw)),
        },
        _ => {
            let available = c.quarter(p("available"), &text(&e.available));
            if available < quarter {
                c.fail(
                    &p("available"),
                    format!("is {available}, before the event's quarter {quarter}; allowed: the event's quarter or later"),
                );
            }
            PolicyChange::ChipRoadmap {
                chip: c.resolve(p("chip"), &text(&e.chip), names.chips, "chips"),
                available,
            }
        }
    }
}
