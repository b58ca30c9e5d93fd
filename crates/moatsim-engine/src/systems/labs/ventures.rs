//! Enterprise joint ventures: the partner's investment and the tie of part
//! of the app-builder demand to the lab.

use crate::components::*;
use crate::events::{Event, EventKind};
use crate::resources::*;
use bevy_ecs::prelude::*;
use moatsim_model::Account;

/// Enterprise joint ventures form in their scheduled quarter: the partner invests
/// in the lab (equity at the lab's valuation) and ties part of the app-builder
/// demand to it. A regulator with an open antitrust review blocks a venture with
/// the lab that leads the inference market.
#[allow(
    clippy::too_many_arguments,
    reason = "a bevy system takes the resources and queries it touches as parameters"
)]
pub fn form_joint_ventures(
    clock: Res<Clock>,
    params: Res<Params>,
    mut labs: Query<(&Agent, &mut Lab)>,
    mut investors: Query<(&Agent, &Cash, &mut Investor)>,
    regulators: Query<&Regulator>,
    mut ties: ResMut<JointVentureTies>,
    mut ledger: ResMut<Ledger>,
    mut stats: ResMut<QuarterStats>,
    mut logs: ResMut<Logs>,
) {
    let scenario = &params.0;
    let leader_share = crate::systems::leader_share(labs.iter().map(|(_, l)| l));
    for (venture, jv) in scenario.joint_ventures.iter().enumerate() {
        if jv.quarter != clock.quarter {
            continue;
        }
        let Some((lab_agent, mut lab)) = labs.iter_mut().find(|(_, l)| l.index == jv.lab) else {
            continue;
        };
        let Some((partner_agent, cash, mut partner)) =
            investors.iter_mut().find(|(_, _, i)| i.index == jv.partner)
        else {
            continue;
        };
        if !lab.alive
            || crate::systems::leader_under_review(scenario, &regulators, &lab, leader_share)
        {
            logs.event(
                Event::new(EventKind::JvBlocked)
                    .agent(partner_agent.id)
                    .counterparty(lab_agent.id)
                    .detail(if lab.alive {
                        "antitrust review of the market leader".into()
                    } else {
                        "the lab has exited".into()
                    }),
            );
            continue;
        }
        let amount = jv.investment_usd.min(cash.0.max(0.0));
        let post_money = lab.valuation_usd + amount;
        if amount > 0.0 {
            ledger.pay(
                Account::Agent(partner_agent.id),
                Account::Agent(lab_agent.id),
                amount,
            );
            let fraction = amount / post_money;
            match partner
                .holdings
                .binary_search_by_key(&lab_agent.id, |h| h.0)
            {
                Ok(at) => partner.holdings[at].1 += fraction,
                Err(at) => partner.holdings.insert(at, (lab_agent.id, fraction)),
            }
            partner.flows.invested_usd += amount;
            partner.invested_total_usd += amount;
            lab.flows.raised_usd += amount;
            lab.valuation_usd = post_money;
            lab.last_post_money_usd = post_money;
            stats.capital_raised_usd += amount;
        }
        ties.ties.push(ActiveTie {
            venture,
            lab: jv.lab,
            share: jv.builder_share,
            strength: jv.tie_strength,
        });
        logs.event(
            Event::new(EventKind::JvFormed)
                .agent(partner_agent.id)
                .counterparty(lab_agent.id)
                .amount(amount)
                .quantity(jv.builder_share)
                .detail(format!(
                    "ties {:.0}% of app builders with strength {}",
                    100.0 * jv.builder_share,
                    jv.tie_strength
                )),
        );
    }
}
