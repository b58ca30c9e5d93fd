//! The accelerator market clears: each generation's bids against its maker's
//! supply, fills paid and delivered, unserved orders spilled to other makers.

use crate::components::*;
use crate::events::{Event, EventKind};
use crate::records::MarketRow;
use crate::resources::*;
use crate::systems::gpu::{GpuDeliveries, GpuDelivery, GpuOrders, RegionalGpuBid};
use crate::systems::system_price;
use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;
use moatsim_config::ChipOwner;
use moatsim_model::accelerator_demand::update_expected_fill;
use moatsim_model::market::gpu::{
    ExportTreatment, GpuBid, GpuFill, GpuOffer, Leftover, SpareLine, clear_gpu_market, spill_over,
};
use moatsim_model::market::networking;
use moatsim_model::market::vintages::{self, Vintage};
use moatsim_model::units::mw_drawn_by;
use moatsim_model::{Account, AgentId, ExternalAccount};

/// One clearing per chip generation on sale: units rationed pro rata at the ask,
/// export rules applied, licence fees paid to the chipmaker's regulator.
#[allow(
    clippy::too_many_arguments,
    reason = "a bevy system takes the resources and queries it touches as parameters"
)]
pub fn clear_gpu_markets(
    clock: Res<Clock>,
    params: Res<Params>,
    orders: Res<GpuOrders>,
    mut chipmakers: Query<(&Agent, &mut Chipmaker)>,
    mut to: GpuSettlement,
) {
    let scenario = &params.0;
    let mut makers: Vec<(&Agent, Mut<Chipmaker>)> = chipmakers.iter_mut().collect();
    makers.sort_by_key(|(a, _)| a.id);
    // (region, demand) that supply left unserved in the first round.
    let mut leftovers: Vec<(usize, Leftover)> = Vec::new();
    // Units each lab received for fleet refresh.
    let mut refresh_filled: std::collections::BTreeMap<AgentId, u64> =
        std::collections::BTreeMap::new();
    for (maker_agent, maker) in makers.iter_mut() {
        let regulator_index = maker.jurisdiction_regulator;
        for p in 0..maker.products.len() {
            let chip = maker.products[p].chip;
            let generation = &scenario.chips[chip];
            if generation.available > clock.quarter {
                continue;
            }
            // Buyers pay for each unit with its networking; the market
            // clears at that price.
            let offer = GpuOffer {
                units: maker.products[p].offered_units,
                ask_usd: system_price(scenario, &maker.products[p]),
            };
            let sells_networking = scenario.chipmakers[maker.index].sells_networking;
            let regional: &[RegionalGpuBid] = &orders.bids[chip];
            let bids: Vec<GpuBid> = regional.iter().map(|b| b.bid.clone()).collect();
            let clearing = clear_gpu_market(&offer, &bids);
            for ((fill, regional_bid), &requested) in clearing
                .fills
                .iter()
                .zip(regional)
                .zip(&clearing.requested_units)
            {
                if regional_bid.refresh {
                    *refresh_filled.entry(fill.buyer).or_default() += fill.units;
                }
                // What supply left unserved may spill over (second round
                // below), except a refresh: it is for this generation's
                // power efficiency, not for any compute.
                if requested > fill.units && !regional_bid.refresh {
                    leftovers.push((
                        regional_bid.region,
                        Leftover {
                            buyer: fill.buyer,
                            h100e: (requested - fill.units) as f64 * generation.h100e_per_unit,
                            limit_per_h100e_usd: regional_bid.bid.limit_usd
                                / generation.h100e_per_unit,
                        },
                    ));
                }
                if fill.units == 0 {
                    continue;
                }
                settle_gpu_fill(
                    scenario,
                    (maker_agent.id, sells_networking),
                    regulator_index,
                    chip,
                    regional_bid.region,
                    fill,
                    &mut to,
                );
            }
            if clearing.blocked_demand_units > 0
                && let Some((regulator_agent, mut regulator)) = to
                    .regulators
                    .iter_mut()
                    .find(|(_, r)| r.index == regulator_index)
            {
                regulator.flows.blocked_units += clearing.blocked_demand_units;
                to.logs.event(
                    Event::new(EventKind::ExportBlocked)
                        .agent(regulator_agent.id)
                        .counterparty(maker_agent.id)
                        .quantity(clearing.blocked_demand_units as f64)
                        .detail(generation.name.clone()),
                );
            }
            let accelerator_ask = maker.products[p].ask_usd;
            book_sale(
                scenario,
                maker_agent.id,
                maker,
                chip,
                clearing.sold_units,
                &mut to.ledger,
            );
            let product = &mut maker.products[p];
            product.sold_units = clearing.sold_units;
            product.demand_units = clearing.eligible_demand_units;
            let filled = if clearing.eligible_demand_units > 0 {
                clearing.sold_units as f64 / clearing.eligible_demand_units as f64
            } else {
                1.0
            };
            product.expected_fill = update_expected_fill(
                product.expected_fill,
                filled,
                scenario.behaviour.fill_memory,
            );
            product.inventory_units = clearing.unsold_units;
            product.backlog_units = clearing.unmet_units;
            to.logs.markets.push(MarketRow {
                market: "gpu",
                region: None,
                item: Some(generation.name.clone()),
                supply: offer.units as f64,
                demand: (clearing.eligible_demand_units + clearing.blocked_demand_units) as f64,
                cleared: clearing.sold_units as f64,
                // The accelerator's own price, without its networking.
                price: Some(accelerator_ask),
            });
        }
    }
    spill_unserved_orders(scenario, &leftovers, &mut makers, &mut to);
    // Each lab's fill ratio: what it received against what it asked for,
    // for the power it will have (a refresh is optional, so it is left out).
    let mut asked: std::collections::BTreeMap<AgentId, u64> = std::collections::BTreeMap::new();
    for bids in &orders.bids {
        for regional in bids.iter().filter(|b| !b.refresh) {
            *asked.entry(regional.bid.buyer).or_default() += regional.bid.units;
        }
    }
    for (agent, mut lab) in &mut to.labs {
        if let Some(&units) = asked.get(&agent.id).filter(|&&u| u > 0) {
            let for_refresh = refresh_filled.get(&agent.id).copied().unwrap_or(0);
            lab.gpu_fill_ratio =
                lab.flows.gpus_bought.saturating_sub(for_refresh) as f64 / units as f64;
        }
    }
}

pub type BuyerQuery<'w, 's> = Query<'w, 's, (&'static Agent, &'static mut AcceleratorBuyer)>;

pub type LabQuery<'w, 's> = Query<'w, 's, (&'static Agent, &'static mut Lab)>;

pub type RegulatorQuery<'w, 's> = Query<'w, 's, (&'static Agent, &'static mut Regulator)>;

/// Everything a GPU fill books into, in either round of the market: the
/// buyers, labs and regulators it pays, the ledger, the deliveries to sites
/// and the logs.
#[derive(SystemParam, Debug)]
pub struct GpuSettlement<'w, 's> {
    buyers: BuyerQuery<'w, 's>,
    labs: LabQuery<'w, 's>,
    regulators: RegulatorQuery<'w, 's>,
    ledger: ResMut<'w, Ledger>,
    deliveries: ResMut<'w, GpuDeliveries>,
    logs: ResMut<'w, Logs>,
    /// The quarter deliveries are installed in (their vintage).
    clock: Res<'w, Clock>,
}

/// Books one GPU fill: the buyer pays the maker (and the licence fee to the
/// maker's regulator); an aggregate buyer's units run at once and its parents
/// fund them, a lab's units are delivered to its region's sites.
fn settle_gpu_fill(
    scenario: &moatsim_config::Scenario,
    (maker, sells_networking): (AgentId, bool),
    regulator_index: usize,
    chip: usize,
    region: usize,
    fill: &GpuFill,
    to: &mut GpuSettlement,
) {
    let GpuSettlement {
        buyers,
        labs,
        regulators,
        ledger,
        deliveries,
        logs,
        clock,
    } = to;
    let generation = &scenario.chips[chip];
    // An aggregate buyer's parents fund what it pays (its capex comes from
    // their cash flow), and its units run at once.
    let buyer = buyers.iter_mut().find(|(a, _)| a.id == fill.buyer);
    let runs_at_once = buyer.is_some();
    if let Some((_, mut buyer)) = buyer {
        let paid = fill.paid_to_seller_usd + fill.licence_fee_usd;
        ledger.pay(
            Account::External(ExternalAccount::CorporateParents),
            Account::Agent(fill.buyer),
            paid,
        );
        buyer.flows.spend_usd += paid;
        buyer.flows.units_bought += fill.units;
        buyer.units_delivered += fill.units;
        let h100e = fill.units as f64 * generation.h100e_per_unit;
        buyer.flows.bought_h100e += h100e;
        buyer.fleet_h100e += h100e;
        buyer.fleet_cost_usd += paid;
        // Deliveries join the rental fleet in the share of the order that
        // was meant for rent or for compute contracts; the contracts' share
        // is kept for them (the contract fleet).
        if buyer.flows.wanted_h100e > 0.0 {
            let wanted = buyer.flows.wanted_h100e;
            let for_contracts = (buyer.flows.wanted_for_contracts_h100e / wanted).clamp(0.0, 1.0);
            let for_rent =
                (buyer.flows.wanted_for_rent_h100e / wanted).clamp(0.0, 1.0 - for_contracts);
            buyer.rental_fleet_h100e += h100e * (for_rent + for_contracts);
            buyer.contract_fleet_h100e += h100e * for_contracts;
        }
        let mw = mw_drawn_by(fill.units as f64, generation.watts, scenario.world.pue);
        buyer.load_mw += mw;
        buyer.added_load_by_region[region] += mw;
        vintages::add_delivery(
            &mut buyer.vintages,
            Vintage {
                installed_tick: i64::from(clock.tick),
                region,
                h100e,
                mw,
                cost_usd: paid,
            },
        );
        // Load the queue granted (at home) stops being a reservation once it is drawn.
        if region == buyer.region {
            buyer.power_reserved_mw = (buyer.power_reserved_mw - mw).max(0.0);
        }
    }
    // A maker that does not sell networking leaves the fabric to switch
    // makers outside the model.
    let networking = if sells_networking {
        0.0
    } else {
        networking::networking_part(
            fill.paid_to_seller_usd,
            scenario.world.networking_share_of_dc_revenue,
        )
    };
    ledger.pay(
        Account::Agent(fill.buyer),
        Account::Agent(maker),
        fill.paid_to_seller_usd - networking,
    );
    ledger.pay(
        Account::Agent(fill.buyer),
        Account::External(ExternalAccount::NetworkVendors),
        networking,
    );
    let region_name = scenario.regions[region].name.as_str();
    if fill.licence_fee_usd > 0.0
        && let Some((regulator_agent, mut regulator)) = regulators
            .iter_mut()
            .find(|(_, r)| r.index == regulator_index)
    {
        ledger.pay(
            Account::Agent(fill.buyer),
            Account::Agent(regulator_agent.id),
            fill.licence_fee_usd,
        );
        regulator.flows.licence_fees_usd += fill.licence_fee_usd;
        logs.event(
            Event::new(EventKind::LicenceFee)
                .agent(fill.buyer)
                .counterparty(regulator_agent.id)
                .region(region_name)
                .amount(fill.licence_fee_usd)
                .quantity(fill.units as f64)
                .detail(generation.name.clone()),
        );
    }
    if let Some((_, mut lab)) = labs.iter_mut().find(|(a, _)| a.id == fill.buyer) {
        lab.flows.capex_usd += fill.paid_to_seller_usd + fill.licence_fee_usd;
        lab.flows.gpus_bought += fill.units;
        lab.fleet_cost_usd += fill.paid_to_seller_usd + fill.licence_fee_usd;
    }
    if !runs_at_once {
        deliveries.items.push(GpuDelivery {
            lab: fill.buyer,
            region,
            chip,
            units: fill.units,
            cost_usd: fill.paid_to_seller_usd + fill.licence_fee_usd,
        });
    }
    logs.event(
        Event::new(EventKind::GpuOrder)
            .agent(fill.buyer)
            .counterparty(maker)
            .region(region_name)
            // What the maker received: the fabric of a maker that does not
            // sell it went to network vendors.
            .amount(fill.paid_to_seller_usd - networking)
            .quantity(fill.units as f64)
            .detail(generation.name.clone()),
    );
}

/// Books a maker's sale of `sold` units of `chip` at its current ask: the
/// accelerators' revenue and cost of sales and, when the maker sells the
/// networking that comes with them (`market::networking`), the fabric's
/// revenue and its cost, made to order and paid to the supply chain now.
/// (The accelerators' own production was paid when they were made.)
fn book_sale(
    scenario: &moatsim_config::Scenario,
    maker_id: AgentId,
    maker: &mut Chipmaker,
    chip: usize,
    sold: u64,
    ledger: &mut Ledger,
) {
    let Some(product) = maker.products.iter().find(|p| p.chip == chip) else {
        return;
    };
    let generation = &scenario.chips[chip];
    let share = scenario.world.networking_share_of_dc_revenue;
    let units = sold as f64;
    maker.flows.revenue_usd += units * product.ask_usd;
    maker.flows.cost_of_sales_usd += units * generation.unit_cost_usd;
    if scenario.chipmakers[maker.index].sells_networking {
        let revenue = units * networking::SystemPrice::of(product.ask_usd, share).networking_usd;
        let cost =
            units * networking::SystemPrice::of(generation.unit_cost_usd, share).networking_usd;
        ledger.pay(
            Account::Agent(maker_id),
            Account::External(ExternalAccount::ChipSupplyChain),
            cost,
        );
        maker.flows.revenue_usd += revenue;
        maker.flows.networking_revenue_usd += revenue;
        maker.flows.production_cost_usd += cost;
        maker.flows.cost_of_sales_usd += cost;
    }
}

/// The GPU market's second round (`gpu::spill_over`): demand a sold-out
/// generation left unserved moves to makers with idle packaging wafers, which
/// make it this quarter. Each maker offers its idle wafers as units of its
/// generation in production with the most H100e per dollar; lines are taken
/// cheapest per H100e first, under the same ask, export rules and licence
/// fees as the first round. Capacity does not sit idle while orders it could
/// serve wait elsewhere.
fn spill_unserved_orders(
    scenario: &moatsim_config::Scenario,
    leftovers: &[(usize, Leftover)],
    makers: &mut [(&Agent, Mut<Chipmaker>)],
    to: &mut GpuSettlement,
) {
    if leftovers.is_empty() {
        return;
    }
    let fee_rate_of_maker = crate::systems::licence_fee_rates(scenario);
    // (maker position, product index) of each spare line.
    let mut owners: Vec<(usize, usize)> = Vec::new();
    let mut lines: Vec<SpareLine> = Vec::new();
    for (m, (_, maker)) in makers.iter().enumerate() {
        if maker.idle_wafers <= 0.0 {
            continue;
        }
        let best = (0..maker.products.len())
            .filter(|&p| maker.products[p].capacity_units > 0 && maker.products[p].ask_usd > 0.0)
            .min_by(|&a, &b| {
                let per = |p: usize| {
                    system_price(scenario, &maker.products[p])
                        / scenario.chips[maker.products[p].chip].h100e_per_unit
                };
                per(a).total_cmp(&per(b)).then(a.cmp(&b))
            });
        if let Some(p) = best {
            let generation = &scenario.chips[maker.products[p].chip];
            owners.push((m, p));
            lines.push(SpareLine {
                units: (maker.idle_wafers * generation.units_per_wafer).floor() as u64,
                ask_usd: system_price(scenario, &maker.products[p]),
                h100e_per_unit: generation.h100e_per_unit,
            });
        }
    }
    let demand: Vec<Leftover> = leftovers.iter().map(|(_, l)| l.clone()).collect();
    // Who each leftover's buyer is, for custom accelerators' owners.
    let buyer_of: std::collections::BTreeMap<AgentId, ChipOwner> = to
        .labs
        .iter()
        .map(|(a, lab)| (a.id, ChipOwner::Lab(lab.index)))
        .chain(
            to.buyers
                .iter()
                .map(|(a, buyer)| (a.id, ChipOwner::Buyer(buyer.index))),
        )
        .collect();
    let treatment = |l: usize, s: usize| {
        let (m, p) = owners[s];
        let maker = &makers[m].1;
        // Another owner's custom accelerator is never made for this buyer.
        let generation = &scenario.chips[maker.products[p].chip];
        if !buyer_of
            .get(&leftovers[l].1.buyer)
            .is_some_and(|&who| generation.sold_to(who))
        {
            return ExportTreatment::Embargoed;
        }
        crate::systems::export_treatment(
            scenario,
            leftovers[l].0,
            maker.products[p].chip,
            fee_rate_of_maker[maker.index],
        )
    };
    let fills = spill_over(&demand, &lines, &treatment);
    for (s, line_fills) in fills.iter().enumerate() {
        let sold: u64 = line_fills.iter().map(|f| f.units).sum();
        if sold == 0 {
            continue;
        }
        let (m, p) = owners[s];
        let (maker_agent, maker) = &mut makers[m];
        let chip = maker.products[p].chip;
        let generation = &scenario.chips[chip];
        let regulator_index = maker.jurisdiction_regulator;
        let sells_networking = scenario.chipmakers[maker.index].sells_networking;
        for (l, fill) in line_fills.iter().enumerate() {
            if fill.units > 0 {
                settle_gpu_fill(
                    scenario,
                    (maker_agent.id, sells_networking),
                    regulator_index,
                    chip,
                    leftovers[l].0,
                    fill,
                    to,
                );
            }
        }
        // Made to order from idle wafers this quarter.
        let cost = sold as f64 * generation.unit_cost_usd;
        to.ledger.pay(
            Account::Agent(maker_agent.id),
            Account::External(ExternalAccount::ChipSupplyChain),
            cost,
        );
        maker.flows.production_cost_usd += cost;
        maker.flows.cost_of_sales_usd += cost;
        maker.idle_wafers = (maker.idle_wafers - sold as f64 / generation.units_per_wafer).max(0.0);
        book_sale(scenario, maker_agent.id, maker, chip, sold, &mut to.ledger);
        let product = &mut maker.products[p];
        product.produced_units += sold;
        product.sold_units += sold;
        product.demand_units += sold;
        if let Some(row) = to
            .logs
            .markets
            .iter_mut()
            .find(|r| r.market == "gpu" && r.item.as_deref() == Some(generation.name.as_str()))
        {
            row.supply += sold as f64;
            row.demand += sold as f64;
            row.cleared += sold as f64;
        }
        to.logs.event(
            Event::new(EventKind::OrdersSpilled)
                .counterparty(maker_agent.id)
                .amount(sold as f64 * lines[s].ask_usd)
                .quantity(sold as f64)
                .detail(format!(
                    "{} made from idle wafers for orders other generations could not fill",
                    generation.name
                )),
        );
    }
}
