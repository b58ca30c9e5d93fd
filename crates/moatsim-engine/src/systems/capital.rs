//! The capital market: failed labs' assets sold, investors' bids into rounds,
//! rounds cleared, and valuations marked (labs out of money exit).

use crate::components::*;
use crate::events::{Event, EventKind};
use crate::records::MarketRow;
use crate::resources::*;
use bevy_ecs::prelude::*;
use moatsim_config::Scenario;
use moatsim_model::market::capital::{
    RoundAsk, RoundBid, RoundOutcome, ValuationView, clear_round, max_post_money,
};
use moatsim_model::rng::Purpose;
use moatsim_model::{Account, AgentId, ExternalAccount, rng};
use std::collections::BTreeMap;

/// This quarter's funding rounds and the investors' bids into them: rounds
/// are announced when labs plan, bids follow, and the market clears them.
#[derive(Resource, Debug, Clone, Default)]
pub struct CapitalOrders {
    /// In lab-id order.
    pub rounds: Vec<AnnouncedRound>,
    /// In investor-id order, each investor's bids in round order.
    pub investor_bids: Vec<InvestorBid>,
}

/// A funding round a lab announced this quarter.
#[derive(Debug, Clone)]
pub struct AnnouncedRound {
    pub lab: AgentId,
    pub lab_index: usize,
    pub amount_usd: f64,
    pub pre_money_usd: f64,
    pub run_rate_usd: f64,
    /// The yearly revenue growth investors expect of the lab, as a factor.
    pub yearly_growth: f64,
    pub is_share_leader: bool,
    pub regulator_blocks_strategics: bool,
    /// A round the scenario schedules: it closes at its set valuation whatever
    /// investors bid (see `clear_capital_market`).
    pub scheduled: bool,
}

/// One investor's bid into one round.
#[derive(Debug, Clone)]
pub struct InvestorBid {
    pub lab: AgentId,
    pub investor: AgentId,
    pub amount_usd: f64,
    pub max_pre_money_usd: f64,
}

/// A lab that exited sells its fleet and sites, the quarter after, to the
/// richest lab of its jurisdiction that can pay `distressed_sale_fraction` of
/// what they cost (`capital::choose_acquirer`); a market leader under antitrust
/// review may not buy. The buyer takes over the projects (built halls with
/// their GPUs, and sites still in the pipeline) and their book cost. Without a
/// buyer the assets stay idle and are offered again the next quarter. The
/// failed lab's customers have already moved: builders choose among open labs.
pub fn sell_failed_labs(
    params: Res<Params>,
    mut labs: Query<(&Agent, &Cash, &mut Lab)>,
    mut projects: Query<&mut Project>,
    regulators: Query<&Regulator>,
    mut ledger: ResMut<Ledger>,
    mut logs: ResMut<Logs>,
) {
    use moatsim_model::market::capital::{Bidder, choose_acquirer};
    let scenario = &params.0;
    let leader_share = super::leader_share(labs.iter().map(|(_, _, l)| l));
    let mut for_sale: Vec<(AgentId, usize)> = labs
        .iter()
        .filter(|(_, _, l)| !l.alive && l.assets_for_sale)
        .map(|(a, _, l)| (a.id, l.index))
        .collect();
    for_sale.sort();
    for (seller, seller_index) in for_sale {
        let seller_region = scenario.labs[seller_index].home_region;
        let jurisdiction = &scenario.regions[seller_region].jurisdiction;
        let sites: Vec<usize> = projects
            .iter()
            .filter(|p| p.lab == seller)
            .map(|p| p.region)
            .collect();
        let (fleet_cost, facility_cost) = labs
            .iter()
            .find(|(a, _, _)| a.id == seller)
            .map_or((0.0, 0.0), |(_, _, l)| {
                (l.fleet_cost_usd, l.facility_cost_usd)
            });
        let price = scenario.behaviour.distressed_sale_fraction * (fleet_cost + facility_cost);
        let mut bidders: Vec<Bidder> = labs
            .iter()
            .filter(|(_, _, l)| l.alive)
            .map(|(a, cash, l)| {
                let home = &scenario.regions[l.home_region];
                Bidder {
                    lab: a.id,
                    cash_usd: cash.0,
                    barred: &home.jurisdiction != jurisdiction
                        || super::leader_under_review(scenario, &regulators, l, leader_share)
                        || !sites
                            .iter()
                            .all(|&r| super::lab_may_use_region(scenario, l.home_region, r)),
                }
            })
            .collect();
        bidders.sort_by_key(|b| b.lab);
        let Some(buyer) = choose_acquirer(price, &bidders) else {
            continue;
        };
        let Some(buyer_index) = labs
            .iter()
            .find(|(a, _, _)| a.id == buyer)
            .map(|(_, _, l)| l.index)
        else {
            continue;
        };
        for mut project in &mut projects {
            if project.lab == seller {
                project.lab = buyer;
                project.lab_index = buyer_index;
            }
        }
        for (agent, _, mut lab) in &mut labs {
            if agent.id == seller {
                lab.assets_for_sale = false;
                lab.fleet_cost_usd = 0.0;
                lab.facility_cost_usd = 0.0;
            } else if agent.id == buyer {
                lab.fleet_cost_usd += fleet_cost;
                lab.facility_cost_usd += facility_cost;
                lab.flows.capex_usd += price;
            }
        }
        ledger.pay(Account::Agent(buyer), Account::Agent(seller), price);
        logs.event(
            Event::new(EventKind::LabAcquired)
                .agent(seller)
                .counterparty(buyer)
                .amount(price)
                .quantity(sites.len() as f64)
                .detail(format!(
                    "fleet and {} sites sold for {:.1}B ({:.0}% of cost)",
                    sites.len(),
                    price / 1e9,
                    100.0 * scenario.behaviour.distressed_sale_fraction
                )),
        );
    }
}

/// Investors bid into announced rounds: an amount from their dry powder scaled by
/// their appetite this quarter, at the highest pre-money valuation that can
/// still return their target (`capital::max_post_money`): the lab's run-rate,
/// grown at the growth they expect of it (their prior updated with its record)
/// fading each year, sold at their exit multiple and discounted at their
/// required return. A lab without revenue gets no bid
/// (a scheduled round is priced by the scenario, not by them).
pub fn bid_in_rounds(
    clock: Res<Clock>,
    params: Res<Params>,
    investors: Query<(&Agent, &Cash, &Investor)>,
    mut orders: ResMut<CapitalOrders>,
) {
    if orders.rounds.is_empty() {
        return;
    }
    let behaviour = &params.0.behaviour;
    let mut sorted: Vec<(&Agent, &Cash, &Investor)> = investors.iter().collect();
    sorted.sort_by_key(|(a, _, _)| a.id);
    let mut bids = Vec::new();
    for (agent, cash, investor) in sorted {
        let mut remaining = cash.0.max(0.0);
        let mut stream = rng::stream(clock.seed, Purpose::InvestorAppetite, agent.id, clock.tick);
        for round in &orders.rounds {
            if remaining <= 0.0 {
                break;
            }
            if investor.kind == moatsim_config::InvestorKind::Strategic
                && round.regulator_blocks_strategics
            {
                continue;
            }
            let appetite = investor.risk_appetite * (0.5 + rng::uniform(&mut stream));
            let view = ValuationView {
                exit_multiple: investor.revenue_multiple,
                return_target: behaviour.investor_return_target,
                horizon_years: behaviour.investment_horizon_years,
                growth_fade: behaviour.growth_fade_per_year,
                max_growth: behaviour.max_expected_growth,
            };
            let max_pre_money =
                max_post_money(round.run_rate_usd, round.yearly_growth, &view) - round.amount_usd;
            if max_pre_money <= 0.0 && !round.scheduled {
                continue;
            }
            let amount = (remaining * investor.max_deal_fraction * appetite)
                .min(round.amount_usd * params.0.behaviour.max_round_share);
            if amount <= 0.0 {
                continue;
            }
            remaining -= amount;
            bids.push(InvestorBid {
                lab: round.lab,
                investor: agent.id,
                amount_usd: amount,
                max_pre_money_usd: max_pre_money,
            });
        }
    }
    orders.investor_bids = bids;
}

type LabQuery<'w, 's> = Query<'w, 's, (&'static Agent, &'static mut Lab)>;
type InvestorQuery<'w, 's> = Query<'w, 's, (&'static Agent, &'static mut Investor)>;

/// One clearing per announced round. Closed rounds move money from investors to
/// the lab, dilute existing holders and reset the lab's valuation to the post-money.
#[allow(
    clippy::too_many_arguments,
    reason = "a bevy system takes the resources and queries it touches as parameters"
)]
pub fn clear_capital_market(
    clock: Res<Clock>,
    params: Res<Params>,
    orders: Res<CapitalOrders>,
    mut labs: LabQuery,
    mut investors: InvestorQuery,
    mut ledger: ResMut<Ledger>,
    mut stats: ResMut<QuarterStats>,
    mut logs: ResMut<Logs>,
) {
    let scenario = &params.0;
    let mut asked = 0.0;
    let mut offered = 0.0;
    let mut raised = 0.0;
    let mut post_money_sum = 0.0;
    let mut closed = 0u32;
    for round in &orders.rounds {
        let (ask, bids) = round_terms(scenario, round, &orders.investor_bids);
        let mut outcome = clear_round(&ask, &bids);
        // A scheduled round closes at its terms: outside investors take
        // whatever the simulated ones do not.
        if round.scheduled {
            let outside = (round.amount_usd - outcome.raised_usd).max(0.0);
            ledger.pay(
                Account::External(ExternalAccount::LimitedPartners),
                Account::Agent(round.lab),
                outside,
            );
            outcome.closed = true;
            outcome.raised_usd += outside;
            offered += outside;
            outcome.post_money_usd = round.pre_money_usd + round.amount_usd;
        }
        asked += round.amount_usd;
        offered += bids.iter().map(|b| b.amount_usd).sum::<f64>();
        if !outcome.closed {
            mark_failed_round(round, &ask, &outcome, &mut labs, &mut logs);
            continue;
        }
        closed += 1;
        raised += outcome.raised_usd;
        post_money_sum += outcome.post_money_usd;
        close_round(
            round,
            &outcome,
            clock.tick,
            (&mut labs, &mut investors),
            &mut ledger,
            &mut logs,
        );
    }
    stats.capital_raised_usd += raised;
    logs.markets.push(MarketRow {
        market: "capital",
        region: None,
        item: None,
        supply: offered,
        demand: asked,
        cleared: raised,
        price: (closed > 0).then(|| post_money_sum / f64::from(closed)),
    });
}

/// A round's ask and the investors' bids into it. A scheduled round closes
/// at its terms: every bid into it accepts the valuation.
fn round_terms(
    scenario: &Scenario,
    round: &AnnouncedRound,
    investor_bids: &[InvestorBid],
) -> (RoundAsk, Vec<RoundBid>) {
    let ask = RoundAsk {
        lab: round.lab,
        amount_usd: round.amount_usd,
        pre_money_usd: round.pre_money_usd,
        min_pre_money_usd: if round.scheduled {
            round.pre_money_usd
        } else {
            round.pre_money_usd * scenario.behaviour.down_round_floor
        },
        min_close_fraction: if round.scheduled {
            0.0
        } else {
            scenario.behaviour.min_close_fraction
        },
    };
    let bids = investor_bids
        .iter()
        .filter(|b| b.lab == round.lab)
        .map(|b| RoundBid {
            investor: b.investor,
            amount_usd: b.amount_usd,
            max_pre_money_usd: if round.scheduled {
                f64::INFINITY
            } else {
                b.max_pre_money_usd
            },
        })
        .collect();
    (ask, bids)
}

/// A round that did not close: the lab learns its price. It marks itself to
/// the best valuation any investor would pay, so its next ask starts there
/// (a down round if it tries again) instead of repeating an ask nobody
/// accepts.
fn mark_failed_round(
    round: &AnnouncedRound,
    ask: &RoundAsk,
    outcome: &RoundOutcome,
    labs: &mut LabQuery,
    logs: &mut Logs,
) {
    let best = outcome.best_bid_pre_money_usd;
    if let Some((_, mut lab)) = labs.iter_mut().find(|(a, _)| a.id == round.lab)
        && best > 0.0
        && best < lab.valuation_usd
    {
        lab.valuation_usd = best;
        lab.last_post_money_usd = best;
        lab.run_rate_at_last_round_usd = round.run_rate_usd;
    }
    logs.event(Event::new(EventKind::RoundFailed).agent(round.lab).amount(round.amount_usd).quantity(best).detail(format!(
            "asked {:.1}B at {:.0}B pre-money (down to {:.0}B); eligible bids {:.1}B; best bid {:.0}B pre-money",
            round.amount_usd / 1e9,
            round.pre_money_usd / 1e9,
            ask.min_pre_money_usd / 1e9,
            // `+ 0.0` turns the empty sum's -0 into 0 for the reader.
            outcome.eligible_usd / 1e9 + 0.0,
            best / 1e9
        )));
}

/// A closed round: existing holders are diluted, each investor pays and
/// takes its stake, and the lab's valuation resets to the post-money.
/// `parties` are the labs and the investors.
fn close_round(
    round: &AnnouncedRound,
    outcome: &RoundOutcome,
    tick: u32,
    parties: (&mut LabQuery, &mut InvestorQuery),
    ledger: &mut Ledger,
    logs: &mut Logs,
) {
    let (labs, investors) = parties;
    let dilution = outcome.pre_money_usd / outcome.post_money_usd;
    for (_, mut investor) in investors.iter_mut() {
        for holding in investor.holdings.iter_mut().filter(|h| h.0 == round.lab) {
            holding.1 *= dilution;
        }
    }
    for (investor_id, amount) in outcome.investments.iter().filter(|i| i.1 > 0.0) {
        ledger.pay(
            Account::Agent(*investor_id),
            Account::Agent(round.lab),
            *amount,
        );
        if let Some((_, mut investor)) = investors.iter_mut().find(|(a, _)| a.id == *investor_id) {
            add_holding(
                &mut investor.holdings,
                round.lab,
                amount / outcome.post_money_usd,
            );
            investor.flows.invested_usd += amount;
            investor.invested_total_usd += amount;
        }
        logs.event(
            Event::new(EventKind::Investment)
                .agent(*investor_id)
                .counterparty(round.lab)
                .amount(*amount)
                .quantity(amount / outcome.post_money_usd)
                .detail("fraction of the lab acquired".into()),
        );
    }
    if let Some((_, mut lab)) = labs.iter_mut().find(|(a, _)| a.id == round.lab) {
        lab.flows.raised_usd += outcome.raised_usd;
        lab.valuation_usd = outcome.post_money_usd;
        lab.last_post_money_usd = outcome.post_money_usd;
        lab.run_rate_at_last_round_usd = round.run_rate_usd;
        lab.last_round_tick = Some(tick);
    }
    logs.event(
        Event::new(EventKind::RoundClosed)
            .agent(round.lab)
            .amount(outcome.raised_usd)
            .quantity(outcome.post_money_usd)
            .detail(format!(
                "{}{:.1}B at {:.0}B post-money",
                if round.scheduled {
                    "scheduled: "
                } else if outcome.pre_money_usd < round.pre_money_usd {
                    "down round: "
                } else {
                    ""
                },
                outcome.raised_usd / 1e9,
                outcome.post_money_usd / 1e9
            )),
    );
}

fn add_holding(holdings: &mut Vec<(AgentId, f64)>, lab: AgentId, fraction: f64) {
    match holdings.binary_search_by_key(&lab, |h| h.0) {
        Ok(at) => holdings[at].1 += fraction,
        Err(at) => holdings.insert(at, (lab, fraction)),
    }
}

/// Lab valuations follow revenue since the last round (square-root elasticity);
/// labs in distress for three quarters exit and their customers must move;
/// investors mark their holdings to the labs' valuations (and the halls they
/// financed at cost).
pub fn mark_valuations_and_exits(
    clock: Res<Clock>,
    mut labs: Query<(&Agent, &Cash, &mut Lab)>,
    mut investors: Query<&mut Investor>,
    mut logs: ResMut<Logs>,
) {
    let mut valuations: BTreeMap<AgentId, f64> = BTreeMap::new();
    for (agent, cash, mut lab) in &mut labs {
        if !lab.alive {
            valuations.insert(agent.id, 0.0);
            continue;
        }
        if clock.tick == 0 && lab.run_rate_at_last_round_usd <= 0.0 {
            lab.run_rate_at_last_round_usd = lab.run_rate_usd();
        }
        if lab.flows.raised_usd <= 0.0 {
            let growth = (lab.run_rate_usd() + 1e6) / (lab.run_rate_at_last_round_usd + 1e6);
            lab.valuation_usd = lab.last_post_money_usd * growth.sqrt().clamp(0.25, 4.0);
        }
        lab.quarters_in_distress = if cash.0 < 0.0 {
            lab.quarters_in_distress + 1
        } else {
            0
        };
        if lab.quarters_in_distress >= 3 {
            lab.alive = false;
            lab.valuation_usd = 0.0;
            lab.assets_for_sale = true;
            logs.event(Event::new(EventKind::LabExit).agent(agent.id).amount(cash.0).detail("out of cash for three quarters; customers must move, fleet and sites for sale"
                    .into()));
        }
        valuations.insert(agent.id, lab.valuation_usd);
    }
    for mut investor in &mut investors {
        investor.portfolio_value_usd = investor
            .holdings
            .iter()
            .map(|(lab, fraction)| fraction * valuations.get(lab).copied().unwrap_or(0.0))
            .sum::<f64>()
            + investor.financed_halls_usd;
    }
}
