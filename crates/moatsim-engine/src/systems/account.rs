//! Account phase: running costs and inflows are booked and the ledger is
//! settled into cash.

use crate::components::*;
use crate::resources::*;
use bevy_ecs::prelude::*;
use moatsim_model::units::HOURS_PER_QUARTER;
use moatsim_model::{Account, AgentId, ExternalAccount};
use std::collections::BTreeMap;

/// A quarter of energy at `load_mw` sold by a utility to `buyer` at its
/// tariff: the buyer pays, the utility books the energy and revenue. Returns
/// the bill.
fn sell_energy(
    ledger: &mut Ledger,
    buyer: AgentId,
    utility_id: AgentId,
    utility: &mut Utility,
    load_mw: f64,
) -> f64 {
    let energy = load_mw * HOURS_PER_QUARTER;
    let bill = energy * utility.tariff_per_mwh;
    ledger.pay(Account::Agent(buyer), Account::Agent(utility_id), bill);
    utility.flows.energy_sold_mwh += energy;
    utility.flows.revenue_usd += bill;
    bill
}

/// Labs pay staff and power and receive parent funding; utilities bill the energy
/// their data-center customers drew and pay to generate it; investors receive
/// inflows from their limited partners.
#[allow(
    clippy::too_many_arguments,
    reason = "a bevy system takes the resources and queries it touches as parameters"
)]
pub fn book_running_costs(
    params: Res<Params>,
    projects: Query<&Project>,
    mut labs: Query<(&Agent, &mut Lab)>,
    mut buyers: Query<(&Agent, &mut AcceleratorBuyer)>,
    mut utilities: Query<(&Agent, &mut Utility)>,
    mut investors: Query<(&Agent, &mut Investor)>,
    mut ledger: ResMut<Ledger>,
) {
    let scenario = &params.0;
    // Leases on halls funds financed, due once a hall is energized.
    let mut leases: BTreeMap<(AgentId, AgentId), f64> = BTreeMap::new();
    for project in &projects {
        if let Some(fund) = project.financier
            && project.stage == Stage::Energized
        {
            *leases.entry((project.lab, fund)).or_default() +=
                project.lease_due_usd(scenario.behaviour.hall_lease_rate);
        }
    }
    let mut load_by_lab_region: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    for project in &projects {
        if project.load_mw > 0.0 {
            *load_by_lab_region
                .entry((project.lab_index, project.region))
                .or_default() += project.load_mw;
        }
    }
    let mut sorted_utilities: Vec<(&Agent, Mut<Utility>)> = utilities.iter_mut().collect();
    sorted_utilities.sort_by_key(|(a, _)| a.id);
    let mut sorted_labs: Vec<(&Agent, Mut<Lab>)> = labs.iter_mut().collect();
    sorted_labs.sort_by_key(|(a, _)| a.id);
    for (agent, lab) in sorted_labs.iter_mut() {
        let spec = &scenario.labs[lab.index];
        ledger.pay(
            Account::External(ExternalAccount::CorporateParents),
            Account::Agent(agent.id),
            spec.parent_funding_per_quarter_usd,
        );
        if !lab.alive {
            continue;
        }
        ledger.pay(
            Account::Agent(agent.id),
            Account::External(ExternalAccount::LabOperatingCosts),
            spec.opex_per_quarter_usd,
        );
        lab.flows.opex_usd = spec.opex_per_quarter_usd;
        for (&(_, fund), &lease) in
            leases.range((agent.id, AgentId(0))..=(agent.id, AgentId(u64::MAX)))
        {
            ledger.pay(Account::Agent(agent.id), Account::Agent(fund), lease);
            // An operating lease: the lab's running cost, not compute rent
            // (`labs.rent` is what owners of rented compute receive).
            lab.flows.opex_usd += lease;
            if let Some((_, mut investor)) = investors.iter_mut().find(|(a, _)| a.id == fund) {
                investor.flows.lease_income_usd += lease;
            }
        }
        for (utility_agent, utility) in sorted_utilities.iter_mut() {
            let Some(&load) = load_by_lab_region.get(&(lab.index, utility.region)) else {
                continue;
            };
            lab.flows.power_cost_usd +=
                sell_energy(&mut ledger, agent.id, utility_agent.id, utility, load);
        }
    }
    // Aggregate buyers pay for the energy their fleets draw; their parents fund it.
    let mut sorted_buyers: Vec<(&Agent, Mut<AcceleratorBuyer>)> = buyers.iter_mut().collect();
    sorted_buyers.sort_by_key(|(a, _)| a.id);
    for (agent, buyer) in sorted_buyers.iter_mut() {
        // Each region's utility bills the part of the fleet that runs there.
        for (utility_agent, utility) in sorted_utilities.iter_mut() {
            let load = buyer.load_in(utility.region);
            if load <= 0.0 {
                continue;
            }
            // The parents fund exactly the bill.
            let bill = load * HOURS_PER_QUARTER * utility.tariff_per_mwh;
            ledger.pay(
                Account::External(ExternalAccount::CorporateParents),
                Account::Agent(agent.id),
                bill,
            );
            buyer.flows.power_cost_usd +=
                sell_energy(&mut ledger, agent.id, utility_agent.id, utility, load);
        }
    }
    for (agent, utility) in sorted_utilities.iter_mut() {
        let cost = utility.flows.energy_sold_mwh
            * scenario.utilities[utility.index].base_tariff_per_mwh
            * scenario.behaviour.generation_cost_share;
        utility.flows.operating_cost_usd = cost;
        ledger.pay(
            Account::Agent(agent.id),
            Account::External(ExternalAccount::GridOperations),
            cost,
        );
    }
    let mut sorted_investors: Vec<(&Agent, &Investor)> = investors.iter().collect();
    sorted_investors.sort_by_key(|(a, _)| a.id);
    for (agent, investor) in sorted_investors {
        ledger.pay(
            Account::External(ExternalAccount::LimitedPartners),
            Account::Agent(agent.id),
            investor.inflow_per_quarter_usd,
        );
    }
}

/// Every infrastructure asset depreciates straight-line over its life:
/// accelerators (labs' and aggregate buyers' fleets) over
/// `world.gpu_life_quarters`, labs' halls and the halls infrastructure funds
/// own and lease to labs over `facility_life_quarters`,
/// chipmakers' packaging capacity over `packaging_life_quarters` and
/// utilities' new plants over `generation_life_quarters`. Depreciation moves
/// no cash; it is what profit subtracts for the capital used up.
pub fn book_depreciation(
    params: Res<Params>,
    mut labs: Query<&mut Lab>,
    mut buyers: Query<&mut AcceleratorBuyer>,
    mut chipmakers: Query<&mut Chipmaker>,
    mut utilities: Query<&mut Utility>,
    mut investors: Query<&mut Investor>,
) {
    let world = &params.0.world;
    let life = |quarters: u32| f64::from(quarters.max(1));
    // A fund's halls wear out as a lab's do: it owns them.
    for mut investor in &mut investors {
        investor.flows.hall_depreciation_usd =
            investor.financed_halls_usd / life(world.facility_life_quarters);
    }
    for mut lab in &mut labs {
        lab.flows.depreciation_usd = if lab.alive {
            lab.fleet_cost_usd / life(world.gpu_life_quarters)
                + lab.facility_cost_usd / life(world.facility_life_quarters)
        } else {
            0.0
        };
    }
    for mut buyer in &mut buyers {
        buyer.flows.depreciation_usd = buyer.fleet_cost_usd / life(world.gpu_life_quarters);
    }
    for mut maker in &mut chipmakers {
        maker.flows.depreciation_usd =
            maker.packaging_cost_usd / life(world.packaging_life_quarters);
    }
    for mut utility in &mut utilities {
        utility.flows.depreciation_usd =
            utility.plant_cost_usd / life(world.generation_life_quarters);
    }
}

/// Applies the quarter's transfers to agents' cash, in ledger order. Flows of the
/// app-builder population were already applied builder by builder.
pub fn settle_payments(mut agents: Query<(&Agent, &mut Cash)>, mut ledger: ResMut<Ledger>) {
    let mut net: BTreeMap<AgentId, f64> = BTreeMap::new();
    let transfers = std::mem::take(&mut ledger.transfers);
    for transfer in &transfers {
        if let Account::Agent(id) = transfer.from {
            *net.entry(id).or_default() -= transfer.amount_usd;
        }
        if let Account::Agent(id) = transfer.to {
            *net.entry(id).or_default() += transfer.amount_usd;
        }
        match (transfer.from, transfer.to) {
            (Account::External(_), _) => {
                ledger.external_in_usd += transfer.amount_usd;
            }
            (_, Account::External(_)) => {
                ledger.external_out_usd += transfer.amount_usd;
            }
            _ => {}
        }
    }
    for (agent, mut cash) in &mut agents {
        if let Some(change) = net.get(&agent.id) {
            cash.0 += change;
        }
    }
}
