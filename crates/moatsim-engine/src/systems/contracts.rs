//! Compute contracts (issue 28, step 2; `moatsim_model::market::contracts`):
//! labs sign multi-year take-or-pay contracts with cloud owners for capacity
//! that starts after the hosts' lead time; hosts build against them; the
//! capacity is delivered, and paid for, quarter by quarter ahead of the
//! quarter's spot rental market; a lab that cannot pay defaults and the
//! capacity returns to the spot market. Only in scenarios with a
//! `[contracts]` section.

use crate::components::*;
use crate::events::{Event, EventKind};
use crate::resources::*;
use crate::systems::{lab_may_use_region, products_on_sale, system_price};
use bevy_ecs::prelude::*;
use moatsim_config::Scenario;
use moatsim_model::market::cloud;
use moatsim_model::market::contracts::{
    ContractRequest, ContractTerms, HostOffer, default_settlement, host_floor_per_h100e_hour,
    sign_contracts,
};
use moatsim_model::units::HOURS_PER_QUARTER;
use moatsim_model::{Account, AgentId};

use super::cloud::CloudMarket;

/// One signed contract.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Contract {
    pub lab: AgentId,
    pub host: AgentId,
    /// The region of the host's capacity.
    pub region: usize,
    pub terms: ContractTerms,
    /// The quarter the lab defaulted in, if it did: nothing is delivered or
    /// paid from then on.
    pub defaulted: Option<u32>,
}

impl Contract {
    /// Whether the contract delivers in `quarter`.
    pub fn delivers_in(&self, quarter: u32) -> bool {
        self.defaulted.is_none() && self.terms.runs_in(quarter)
    }

    /// Its remaining payments after `quarter`: the host's backlog at the end
    /// of that quarter (0 once defaulted).
    pub fn backlog_after(&self, quarter: u32) -> f64 {
        if self.defaulted.is_some() {
            0.0
        } else {
            self.terms.backlog_from(quarter + 1)
        }
    }
}

/// Every contract signed in the run, in the order signed.
#[derive(Resource, Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct ContractBook {
    pub contracts: Vec<Contract>,
}

impl ContractBook {
    /// H100e `who` (a lab or a host) has under contract in `quarter`.
    pub fn committed(&self, who: AgentId, quarter: u32) -> f64 {
        self.contracts
            .iter()
            .filter(|c| (c.lab == who || c.host == who) && c.delivers_in(quarter))
            .map(|c| c.terms.h100e)
            .sum()
    }

    /// What `lab` owes on its contracts in `quarter`, USD.
    pub fn payments_due(&self, lab: AgentId, quarter: u32) -> f64 {
        self.contracts
            .iter()
            .filter(|c| c.lab == lab && c.delivers_in(quarter))
            .map(|c| c.terms.payment_in(quarter))
            .sum()
    }

    /// A host's backlog at the end of `quarter`, USD.
    pub fn backlog_after(&self, host: AgentId, quarter: u32) -> f64 {
        self.contracts
            .iter()
            .filter(|c| c.host == host)
            .map(|c| c.backlog_after(quarter))
            .sum()
    }
}

/// The quarter's new contracts. Each alive lab asks for `cover_share` of the
/// shortfall it expects at the start (its target less its own compute now,
/// grown at its ambition over the lead time), less what it already has under
/// contract then, at what an H100e earns it (the spot renter's value); it
/// spreads the ask over the hosts in regions it may use, in proportion to
/// their fleets. Each host (an aggregate buyer with a rental fleet) offers up
/// to `host_offer_share` of its fleet at its floor: the cheapest merchant
/// system per H100e, grossed up to the whole capex it sits in
/// (`accelerator_share_of_capex`), repaid over the term at the owners' cost
/// of capital net of what is left of it afterwards, plus its energy. Region
/// by region, `contracts::sign_contracts` signs them between floor and value.
#[allow(
    clippy::too_many_arguments,
    reason = "a bevy system takes the resources and queries it touches as parameters"
)]
pub fn sign_compute_contracts(
    clock: Res<Clock>,
    params: Res<Params>,
    labs: Query<(&Agent, &Cash, &Lab)>,
    buyers: Query<(&Agent, &AcceleratorBuyer)>,
    chipmakers: Query<&Chipmaker>,
    utilities: Query<&Utility>,
    mut book: ResMut<ContractBook>,
    mut logs: ResMut<Logs>,
) {
    let scenario = &params.0;
    let Some(terms) = &scenario.contracts else {
        return;
    };
    let tick = clock.tick;
    let start = tick + terms.lead_quarters;
    let offers = host_offers(scenario, &clock, &buyers, &chipmakers, &utilities);
    let mut sorted: Vec<(&Agent, &Cash, &Lab)> = labs.iter().filter(|(_, _, l)| l.alive).collect();
    sorted.sort_by_key(|(a, _, _)| a.id);
    let regions = scenario.regions.len();
    let mut requests: Vec<Vec<ContractRequest>> = vec![Vec::new(); regions];
    for (agent, cash, lab) in sorted {
        let owned = (lab.online_h100e - lab.rented_h100e).max(0.0);
        let shortfall = (lab.target_h100e - owned).max(0.0)
            * (1.0 + lab.ambition_per_quarter).powf(f64::from(terms.lead_quarters));
        let wanted = terms.cover_share * shortfall - book.committed(agent.id, start);
        if wanted <= 0.0 {
            continue;
        }
        let value_per_quarter = cloud::renter_value_per_h100e_quarter(
            lab.price_per_mtok * lab.mtok_per_h100e,
            lab.utilisation(),
            scenario.cloud.training_value_per_h100e_hour_usd * HOURS_PER_QUARTER,
        );
        if value_per_quarter <= 0.0 {
            continue;
        }
        // A quarter's payments on all its contracts stay within the share of
        // its cash a lab spends on rent.
        let due = book.payments_due(agent.id, start);
        let affordable =
            (scenario.cloud.rent_cash_share * cash.0.max(0.0) - due).max(0.0) / value_per_quarter;
        let wanted = wanted.min(affordable);
        if wanted <= 0.0 {
            continue;
        }
        let home = scenario.labs[lab.index].home_region;
        let fleet_in = |r: usize| -> f64 {
            offers
                .iter()
                .filter(|(region, _)| *region == r)
                .map(|(_, o)| o.h100e)
                .sum()
        };
        let usable: Vec<usize> = (0..regions)
            .filter(|&r| fleet_in(r) > 0.0 && lab_may_use_region(scenario, home, r))
            .collect();
        let total: f64 = usable.iter().map(|&r| fleet_in(r)).sum();
        for r in usable {
            requests[r].push(ContractRequest {
                lab: agent.id,
                h100e: wanted * fleet_in(r) / total,
                value_per_h100e_hour: value_per_quarter / HOURS_PER_QUARTER,
                start,
                term_quarters: terms.term_quarters,
            });
        }
    }
    for (region, asks) in requests.iter().enumerate() {
        let here: Vec<HostOffer> = offers
            .iter()
            .filter(|(r, _)| *r == region)
            .map(|(_, o)| o.clone())
            .collect();
        for signed in sign_contracts(asks, &here, terms.host_surplus_share) {
            logs.event(
                Event::new(EventKind::ContractSigned)
                    .agent(signed.lab)
                    .counterparty(signed.host)
                    .region(scenario.regions[region].name.as_str())
                    .amount(signed.terms.value_usd())
                    .quantity(signed.terms.h100e)
                    .detail(format!(
                        "{} quarters from tick {} at {:.2} USD per H100e-hour",
                        signed.terms.term_quarters,
                        signed.terms.start,
                        signed.terms.price_per_h100e_hour
                    )),
            );
            book.contracts.push(Contract {
                lab: signed.lab,
                host: signed.host,
                region,
                terms: signed.terms,
                defaulted: None,
            });
        }
    }
}

/// Each host's offer this quarter with the region of its capacity.
fn host_offers(
    scenario: &Scenario,
    clock: &Clock,
    buyers: &Query<(&Agent, &AcceleratorBuyer)>,
    chipmakers: &Query<&Chipmaker>,
    utilities: &Query<&Utility>,
) -> Vec<(usize, HostOffer)> {
    let Some(terms) = &scenario.contracts else {
        return Vec::new();
    };
    // The cheapest merchant system per H100e on sale: what new capacity costs.
    let Some(system_per_h100e) = products_on_sale(scenario, clock.quarter, chipmakers.iter())
        .iter()
        .flatten()
        .filter(|p| scenario.chips[p.chip].is_merchant())
        .map(|p| system_price(scenario, p) / scenario.chips[p.chip].h100e_per_unit)
        .min_by(f64::total_cmp)
    else {
        return Vec::new();
    };
    let mut tariff = vec![0.0; scenario.regions.len()];
    for utility in utilities {
        tariff[utility.region] = utility.tariff_per_mwh;
    }
    // What is left of the capacity after the term, as a share of its cost:
    // straight-line over the accelerators' life.
    let life = f64::from(scenario.world.gpu_life_quarters.max(1));
    let residual = (1.0 - f64::from(terms.term_quarters) / life).max(0.0);
    let mut hosts: Vec<(&Agent, &AcceleratorBuyer)> = buyers
        .iter()
        .filter(|(_, b)| b.rental_fleet_h100e > 0.0)
        .collect();
    hosts.sort_by_key(|(a, _)| a.id);
    hosts
        .into_iter()
        .map(|(agent, host)| {
            let spec = &scenario.accelerator_buyers[host.index];
            let capex = system_per_h100e / spec.accelerator_share_of_capex.max(0.01);
            let energy = if host.fleet_h100e > 0.0 {
                host.energy_cost_per_quarter(&tariff) / host.fleet_h100e / HOURS_PER_QUARTER
            } else {
                0.0
            };
            (
                host.region,
                HostOffer {
                    host: agent.id,
                    h100e: terms.host_offer_share * host.fleet_h100e,
                    floor_per_h100e_hour: host_floor_per_h100e_hour(
                        capex,
                        residual,
                        scenario.cloud.owner_cost_of_capital_per_year,
                        energy,
                        terms.term_quarters,
                    ),
                },
            )
        })
        .collect()
}

/// Delivers the quarter's contracted capacity before the spot market clears:
/// each live contract takes its H100e from its host's contract fleet (what
/// the host built for its contracts), and the lab pays for what it got at the
/// contract's price. A lab whose cash cannot cover the quarter's payment
/// defaults: it gets and pays nothing from then on, the capacity returns to
/// the host's spot offer, and the event records what the host loses at
/// today's spot ask (`contracts::default_settlement`). Also starts the
/// quarter's rented compute from zero (the spot market adds to it).
#[allow(
    clippy::too_many_arguments,
    reason = "a bevy system takes the resources and queries it touches as parameters"
)]
pub fn deliver_contracted_compute(
    clock: Res<Clock>,
    cloud_market: Res<CloudMarket>,
    mut book: ResMut<ContractBook>,
    mut labs: Query<(&Agent, &Cash, &mut Lab)>,
    mut buyers: Query<(&Agent, &mut AcceleratorBuyer)>,
    mut ledger: ResMut<Ledger>,
    mut logs: ResMut<Logs>,
) {
    let tick = clock.tick;
    for (_, _, mut lab) in &mut labs {
        lab.rented_h100e = 0.0;
        lab.contracted_h100e = 0.0;
    }
    // Capacity a host keeps for contracts never exceeds what its live and
    // coming contracts need, nor its rental fleet: what expired or defaulted
    // goes back to the spot market.
    for (agent, mut host) in &mut buyers {
        let needed = book
            .contracts
            .iter()
            .filter(|c| c.host == agent.id && c.defaulted.is_none())
            .filter(|c| tick < c.terms.start + c.terms.term_quarters)
            .map(|c| c.terms.h100e)
            .sum::<f64>();
        host.contract_fleet_h100e = host
            .contract_fleet_h100e
            .min(needed)
            .min(host.rental_fleet_h100e);
    }
    // What each lab has paid this quarter so far, against its cash.
    let mut paid_by_lab: std::collections::BTreeMap<AgentId, f64> = Default::default();
    let mut used_by_host: std::collections::BTreeMap<AgentId, f64> = Default::default();
    for contract in book.contracts.iter_mut() {
        if !contract.delivers_in(tick) {
            continue;
        }
        let Some((_, cash, mut lab)) = labs.iter_mut().find(|(a, _, _)| a.id == contract.lab)
        else {
            continue;
        };
        let Some((host_agent, mut host)) = buyers.iter_mut().find(|(a, _)| a.id == contract.host)
        else {
            continue;
        };
        let used = used_by_host.entry(host_agent.id).or_default();
        let delivered = contract
            .terms
            .h100e
            .min((host.contract_fleet_h100e - *used).max(0.0));
        let payment = delivered * contract.terms.price_per_h100e_hour * HOURS_PER_QUARTER;
        let paid_so_far = paid_by_lab.entry(contract.lab).or_default();
        if !lab.alive || cash.0 - *paid_so_far < payment {
            contract.defaulted = Some(tick);
            let spot =
                cloud_market.regions[contract.region].ask_per_h100e_quarter / HOURS_PER_QUARTER;
            let settlement = default_settlement(&contract.terms, tick, spot);
            logs.event(
                Event::new(EventKind::ContractDefault)
                    .agent(contract.lab)
                    .counterparty(contract.host)
                    .amount(settlement.host_loss)
                    .quantity(contract.terms.h100e)
                    .detail(format!(
                        "{:.0} USD of payments lost, {:.0} re-leased at the spot ask",
                        settlement.lost_payments, settlement.release_revenue
                    )),
            );
            continue;
        }
        *paid_so_far += payment;
        *used += delivered;
        lab.rented_h100e += delivered;
        lab.contracted_h100e += delivered;
        lab.flows.rent_usd += payment;
        host.flows.rented_out_h100e += delivered;
        host.flows.contracted_out_h100e += delivered;
        host.flows.rental_revenue_usd += payment;
        ledger.pay(
            Account::Agent(contract.lab),
            Account::Agent(contract.host),
            payment,
        );
    }
}
