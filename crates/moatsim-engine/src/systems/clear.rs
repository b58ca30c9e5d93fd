//! Clear phase: each market clears in its own step with the pure functions of
//! `moatsim_model::market`, and its fills become payments, deliveries and events.

use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;
use moatsim_model::accelerator_demand::update_expected_fill;
use moatsim_model::market::capital::{RoundAsk, RoundBid, clear_round};
use moatsim_model::market::cloud::{RentalOffer, clear_rental_market};
use moatsim_model::market::gpu::{
    ExportTreatment, GpuBid, GpuFill, GpuOffer, Leftover, ProductionLine, SpareLine,
    clear_gpu_market, plan_production, spill_over,
};
use moatsim_model::market::land::{LandBid, LandOffer, clear_land_market};
use moatsim_model::market::power::{
    InterconnectionRequest, PowerOffer, process_interconnection_queue,
};
use moatsim_model::units::{HOURS_PER_QUARTER, mw_drawn_by};
use moatsim_model::{Account, AgentId, ExternalAccount, rules};

use crate::components::*;
use crate::records::MarketRow;
use crate::resources::*;

/// Chipmakers see the quarter's orders at their asks and produce to them (plus a
/// small buffer), net of inventory, with their packaging wafers shared across
/// the generations in production by need (`market::gpu::plan_production`), so
/// no wafer sits idle while an order waits. What each generation could have
/// sold (its stock, its production and the wafers left over) is what its next
/// ask is measured against.
pub fn produce_to_order(
    params: Res<Params>,
    book: Res<OrderBook>,
    mut chipmakers: Query<(&Agent, &mut Chipmaker)>,
    mut ledger: ResMut<Ledger>,
) {
    let scenario = &params.0;
    for (agent, mut maker) in &mut chipmakers {
        // Only the generations the plan gives a line (the newest on sale) are made.
        let lines: Vec<ProductionLine> = maker
            .products
            .iter()
            .map(|product| {
                let orders: u64 = book.gpu_bids[product.chip]
                    .iter()
                    .filter(|b| b.bid.export != ExportTreatment::Embargoed)
                    .filter(|b| b.bid.limit_usd >= product.ask_usd)
                    .map(|b| b.bid.units)
                    .sum();
                let in_production = product.capacity_units > 0;
                ProductionLine {
                    wanted_units: if in_production {
                        (orders as f64 * scenario.behaviour.production_buffer).ceil() as u64
                    } else {
                        0
                    },
                    inventory_units: product.inventory_units,
                    units_per_wafer: if in_production {
                        scenario.chips[product.chip].units_per_wafer
                    } else {
                        0.0
                    },
                }
            })
            .collect();
        let plan = plan_production(maker.wafers_per_quarter, &lines);
        let wafers_used: f64 = plan
            .iter()
            .zip(&lines)
            .filter(|(_, l)| l.units_per_wafer > 0.0)
            .map(|(&units, l)| units as f64 / l.units_per_wafer)
            .sum();
        let wafers_left = (maker.wafers_per_quarter - wafers_used).max(0.0);
        maker.idle_wafers = wafers_left;
        let mut cost = 0.0;
        for ((product, &produced), line) in maker.products.iter_mut().zip(&plan).zip(&lines) {
            let generation = &scenario.chips[product.chip];
            product.sellable_units = product.inventory_units
                + produced
                + (wafers_left * line.units_per_wafer).floor() as u64;
            product.produced_units = produced;
            product.offered_units = produced + product.inventory_units;
            cost += produced as f64 * generation.unit_cost_usd;
        }
        maker.flows.production_cost_usd = cost;
        ledger.pay(
            Account::Agent(agent.id),
            Account::External(ExternalAccount::ChipSupplyChain),
            cost,
        );
    }
}

/// One clearing per chip generation on sale: units rationed pro rata at the ask,
/// export rules applied, licence fees paid to the chipmaker's regulator.
#[allow(clippy::too_many_arguments)]
pub fn clear_gpu_markets(
    clock: Res<Clock>,
    params: Res<Params>,
    book: Res<OrderBook>,
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
            let offer = GpuOffer {
                units: maker.products[p].offered_units,
                ask_usd: maker.products[p].ask_usd,
            };
            let regional: &[RegionalGpuBid] = &book.gpu_bids[chip];
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
                    maker_agent.id,
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
                    "export_blocked",
                    Some(regulator_agent.id),
                    Some(maker_agent.id),
                    None,
                    0.0,
                    Some(clearing.blocked_demand_units as f64),
                    generation.name.clone(),
                );
            }
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
            let revenue = clearing.sold_units as f64 * offer.ask_usd;
            maker.flows.revenue_usd += revenue;
            maker.flows.cost_of_sales_usd += clearing.sold_units as f64 * generation.unit_cost_usd;
            to.logs.markets.push(MarketRow {
                market: "gpu",
                region: None,
                item: Some(generation.name.clone()),
                supply: offer.units as f64,
                demand: (clearing.eligible_demand_units + clearing.blocked_demand_units) as f64,
                cleared: clearing.sold_units as f64,
                price: Some(offer.ask_usd),
            });
        }
    }
    spill_unserved_orders(scenario, &leftovers, &mut makers, &mut to);
    // Each lab's fill ratio: what it received against what it asked for,
    // for the power it will have (a refresh is optional, so it is left out).
    let mut asked: std::collections::BTreeMap<AgentId, u64> = std::collections::BTreeMap::new();
    for bids in &book.gpu_bids {
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
    deliveries: ResMut<'w, Deliveries>,
    logs: ResMut<'w, Logs>,
}

/// Books one GPU fill: the buyer pays the maker (and the licence fee to the
/// maker's regulator); an aggregate buyer's units run at once and its parents
/// fund them, a lab's units are delivered to its region's sites.
fn settle_gpu_fill(
    scenario: &moatsim_config::Scenario,
    maker: AgentId,
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
        // was meant for rent.
        if buyer.flows.wanted_h100e > 0.0 {
            let for_rent = buyer.flows.wanted_for_rent_h100e / buyer.flows.wanted_h100e;
            buyer.rental_fleet_h100e += h100e * for_rent.clamp(0.0, 1.0);
        }
        let mw = mw_drawn_by(fill.units as f64, generation.watts, scenario.world.pue);
        buyer.load_mw += mw;
        buyer.added_load_by_region[region] += mw;
        // Load the queue granted (at home) stops being a reservation once it is drawn.
        if region == buyer.region {
            buyer.power_reserved_mw = (buyer.power_reserved_mw - mw).max(0.0);
        }
    }
    ledger.pay(
        Account::Agent(fill.buyer),
        Account::Agent(maker),
        fill.paid_to_seller_usd,
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
            "licence_fee",
            Some(fill.buyer),
            Some(regulator_agent.id),
            Some(region_name),
            fill.licence_fee_usd,
            Some(fill.units as f64),
            generation.name.clone(),
        );
    }
    if let Some((_, mut lab)) = labs.iter_mut().find(|(a, _)| a.id == fill.buyer) {
        lab.flows.capex_usd += fill.paid_to_seller_usd + fill.licence_fee_usd;
        lab.flows.gpus_bought += fill.units;
        lab.fleet_cost_usd += fill.paid_to_seller_usd + fill.licence_fee_usd;
    }
    if !runs_at_once {
        deliveries
            .items
            .push((fill.buyer, region, chip, fill.units));
    }
    logs.event(
        "gpu_order",
        Some(fill.buyer),
        Some(maker),
        Some(region_name),
        fill.paid_to_seller_usd,
        Some(fill.units as f64),
        generation.name.clone(),
    );
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
                    maker.products[p].ask_usd
                        / scenario.chips[maker.products[p].chip].h100e_per_unit
                };
                per(a).total_cmp(&per(b)).then(a.cmp(&b))
            });
        if let Some(p) = best {
            let generation = &scenario.chips[maker.products[p].chip];
            owners.push((m, p));
            lines.push(SpareLine {
                units: (maker.idle_wafers * generation.units_per_wafer).floor() as u64,
                ask_usd: maker.products[p].ask_usd,
                h100e_per_unit: generation.h100e_per_unit,
            });
        }
    }
    let demand: Vec<Leftover> = leftovers.iter().map(|(_, l)| l.clone()).collect();
    let treatment = |l: usize, s: usize| {
        let (m, p) = owners[s];
        let maker = &makers[m].1;
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
        for (l, fill) in line_fills.iter().enumerate() {
            if fill.units > 0 {
                settle_gpu_fill(
                    scenario,
                    maker_agent.id,
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
        maker.idle_wafers = (maker.idle_wafers - sold as f64 / generation.units_per_wafer).max(0.0);
        maker.flows.revenue_usd += sold as f64 * lines[s].ask_usd;
        maker.flows.cost_of_sales_usd += cost;
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
            "orders_spilled",
            None,
            Some(maker_agent.id),
            None,
            sold as f64 * lines[s].ask_usd,
            Some(sold as f64),
            format!(
                "{} made from idle wafers for orders other generations could not fill",
                generation.name
            ),
        );
    }
}

/// Two clearings per region, powered land first. In each, landowners offer
/// their unsold stock (raw acres at the scarcity price, powered acres at that
/// price plus the region's `powered_land_premium`) and land-banking investors
/// offer what they hold at a premium over it; a bank that banks for one lab
/// offers only to that lab. Cheapest first, pro rata at each offer. Then new
/// raw zoning arrives and the prices are reset from the stock left.
#[allow(clippy::too_many_arguments)]
pub fn clear_land_markets(
    params: Res<Params>,
    book: Res<OrderBook>,
    mut regions: ResMut<RegionBook>,
    mut labs: Query<(&Agent, &mut Lab)>,
    mut investors: Query<(&Agent, &mut Investor)>,
    mut ledger: ResMut<Ledger>,
    mut deliveries: ResMut<Deliveries>,
    mut logs: ResMut<Logs>,
) {
    let scenario = &params.0;
    let mut sorted_investors: Vec<(&Agent, Mut<Investor>)> = investors.iter_mut().collect();
    sorted_investors.sort_by_key(|(a, _)| a.id);
    let lab_ids: Vec<(usize, AgentId)> = labs.iter().map(|(a, l)| (l.index, a.id)).collect();
    for (r, region_spec) in scenario.regions.iter().enumerate() {
        for powered in [true, false] {
            let orders: Vec<&LandOrder> = book.land_bids[r]
                .iter()
                .filter(|o| o.powered == powered)
                .collect();
            let state = &mut regions.regions[r];
            let (stock, price) = if powered {
                (
                    state.powered_available_acres,
                    state.powered_price_per_acre(region_spec),
                )
            } else {
                (state.land_available_acres, state.land_price_per_acre)
            };
            if stock <= 0.0 && orders.is_empty() {
                continue;
            }
            let mut offers = vec![LandOffer {
                seller: None,
                acres: stock,
                price_per_acre_usd: price,
                reserved_for: None,
            }];
            for (agent, investor) in &sorted_investors {
                if let Some(holding) = investor
                    .land
                    .iter()
                    .find(|h| h.region == r && h.powered == powered && h.acres > 0.0)
                {
                    let partner = investor
                        .banks_powered_land_for
                        .and_then(|lab| lab_ids.iter().find(|(i, _)| *i == lab).map(|(_, id)| *id));
                    offers.push(LandOffer {
                        seller: Some(agent.id),
                        acres: holding.acres,
                        price_per_acre_usd: price * (1.0 + scenario.behaviour.land_resale_premium),
                        reserved_for: partner,
                    });
                }
            }
            let bids: Vec<LandBid> = orders
                .iter()
                .map(|o| LandBid {
                    buyer: o.buyer,
                    acres: o.acres,
                    limit_per_acre_usd: o.limit_per_acre,
                })
                .collect();
            let clearing = clear_land_market(&offers, &bids);
            for fill in &clearing.fills {
                let order = orders[fill.bid];
                let seller = offers[fill.offer].seller;
                let to = seller.map_or(
                    Account::External(ExternalAccount::Landowners),
                    Account::Agent,
                );
                ledger.pay(Account::Agent(order.buyer), to, fill.paid_usd);
                if let Some(seller) = seller
                    && let Some((_, investor)) =
                        sorted_investors.iter_mut().find(|(a, _)| a.id == seller)
                    && let Some(holding) = investor
                        .land
                        .iter_mut()
                        .find(|h| h.region == r && h.powered == powered)
                {
                    let share = (fill.acres / holding.acres).min(1.0);
                    let cost_sold = holding.cost_usd * share;
                    holding.cost_usd -= cost_sold;
                    holding.acres = (holding.acres - fill.acres).max(0.0);
                    investor.flows.land_sales_usd += fill.paid_usd;
                    investor.flows.land_gain_usd += fill.paid_usd - cost_sold;
                }
                let kind = if powered { "powered " } else { "" };
                match order.project_id {
                    Some(project_id) => {
                        if let Some((_, mut lab)) =
                            labs.iter_mut().find(|(a, _)| a.id == order.buyer)
                        {
                            lab.flows.capex_usd += fill.paid_usd;
                        }
                        deliveries.land.push((project_id, fill.acres, powered));
                        logs.event(
                            if seller.is_some() {
                                "land_resold"
                            } else {
                                "land_deal"
                            },
                            Some(order.buyer),
                            seller,
                            Some(&region_spec.name),
                            fill.paid_usd,
                            Some(fill.acres),
                            format!("{kind}acres for project {project_id}"),
                        );
                    }
                    None => {
                        if let Some((_, investor)) = sorted_investors
                            .iter_mut()
                            .find(|(a, _)| a.id == order.buyer)
                        {
                            match investor
                                .land
                                .iter_mut()
                                .find(|h| h.region == r && h.powered == powered)
                            {
                                Some(holding) => {
                                    holding.acres += fill.acres;
                                    holding.cost_usd += fill.paid_usd;
                                }
                                None => {
                                    investor.land.push(LandHolding {
                                        region: r,
                                        powered,
                                        acres: fill.acres,
                                        cost_usd: fill.paid_usd,
                                    });
                                    investor.land.sort_by_key(|h| (h.region, h.powered));
                                }
                            }
                        }
                        logs.event(
                            "land_banked",
                            Some(order.buyer),
                            None,
                            Some(&region_spec.name),
                            fill.paid_usd,
                            Some(fill.acres),
                            format!("{kind}acres bought to resell to labs"),
                        );
                    }
                }
            }
            if powered {
                state.powered_available_acres -= clearing.sold_by_offer[0];
            } else {
                state.lab_land_demand_acres = orders
                    .iter()
                    .filter(|o| o.project_id.is_some() && o.limit_per_acre >= price)
                    .map(|o| o.acres)
                    .sum();
                state.land_available_acres -= clearing.sold_by_offer[0];
            }
            logs.markets.push(MarketRow {
                market: "land",
                region: Some(region_spec.name.clone()),
                item: powered.then(|| "powered".to_string()),
                supply: clearing.offered_acres,
                demand: clearing.eligible_demand_acres,
                cleared: clearing.sold_acres,
                price: clearing.price_per_acre_usd,
            });
        }
        let state = &mut regions.regions[r];
        state.land_available_acres += region_spec.new_zoning_acres_per_quarter;
        state.land_price_per_acre = rules::land_price_per_acre(
            region_spec.land_price_per_acre_usd,
            region_spec.land_stock_acres.max(1.0),
            state.land_available_acres,
            scenario.world.land_price_elasticity,
        );
    }
}

/// Each utility studies the head of its interconnection queue and grants the
/// requests that fit within the capacity it can commit above its minimum reserve.
pub fn clear_power_queues(
    clock: Res<Clock>,
    params: Res<Params>,
    mut utilities: Query<(&Agent, &mut Utility)>,
    mut buyers: Query<(&Agent, &mut AcceleratorBuyer)>,
    mut deliveries: ResMut<Deliveries>,
    mut logs: ResMut<Logs>,
) {
    let scenario = &params.0;
    let mut sorted: Vec<(&Agent, Mut<Utility>)> = utilities.iter_mut().collect();
    sorted.sort_by_key(|(a, _)| a.id);
    for (agent, mut utility) in sorted {
        let spec = &scenario.utilities[utility.index];
        let region_name = scenario.regions[utility.region].name.clone();
        let spare = utility.spare_mw(spec.min_reserve_margin);
        let requests: Vec<InterconnectionRequest> = utility
            .queue
            .iter()
            .map(|q| InterconnectionRequest {
                request_id: q.project_id.unwrap_or(q.requester.0),
                mw: q.mw,
                max_price_per_mwh: q.max_price_per_mwh,
                arrival_tick: q.arrival_tick,
            })
            .collect();
        // A power-priority rule keeps part of the spare capacity for other load.
        let priority =
            scenario.regulators[scenario.regions[utility.region].regulator].dc_power_share;
        let offer = PowerOffer {
            spare_mw: spare.max(0.0) * priority,
            tariff_per_mwh: utility.tariff_per_mwh,
            max_studies: spec.studies_per_quarter as usize,
            tick: clock.tick,
            min_study_quarters: spec.interconnection_study_quarters,
        };
        let clearing = process_interconnection_queue(&requests, &offer);
        let mut waits = 0.0;
        for &index in &clearing.granted {
            let request = utility.queue[index].clone();
            let waited = clock.tick - request.arrival_tick;
            waits += f64::from(waited);
            let what = match request.project_id {
                // A project's MW are contracted now; it builds on them.
                Some(project_id) => {
                    deliveries.power_granted.push(project_id);
                    utility.dc_contracted_mw += request.mw;
                    format!("project {project_id} after {waited} quarters in queue")
                }
                // A buyer's MW are reserved for it until its fleet draws them.
                None => {
                    if let Some((_, mut buyer)) =
                        buyers.iter_mut().find(|(a, _)| a.id == request.requester)
                    {
                        buyer.power_queued_mw = (buyer.power_queued_mw - request.mw).max(0.0);
                        buyer.power_reserved_mw += request.mw;
                    }
                    utility.buyer_reserved_mw += request.mw;
                    format!("fleet growth after {waited} quarters in queue")
                }
            };
            logs.event(
                "power_contract",
                Some(request.requester),
                Some(agent.id),
                Some(&region_name),
                request.mw * HOURS_PER_QUARTER * 4.0 * utility.tariff_per_mwh,
                Some(request.mw),
                what,
            );
        }
        let granted: Vec<usize> = clearing.granted.clone();
        let mut index = 0;
        utility.queue.retain(|_| {
            let keep = !granted.contains(&index);
            index += 1;
            keep
        });
        utility.flows.granted_mw = clearing.granted_mw;
        utility.flows.granted_requests = u32::try_from(clearing.granted.len()).unwrap_or(u32::MAX);
        utility.flows.mean_wait_of_granted = if clearing.granted.is_empty() {
            0.0
        } else {
            waits / clearing.granted.len() as f64
        };
        logs.markets.push(MarketRow {
            market: "power",
            region: Some(region_name),
            item: None,
            supply: offer.spare_mw,
            demand: clearing.requested_mw,
            cleared: clearing.granted_mw,
            price: Some(utility.tariff_per_mwh),
        });
    }
}

/// One clearing per announced round. Closed rounds move money from investors to
/// the lab, dilute existing holders and reset the lab's valuation to the post-money.
#[allow(clippy::too_many_arguments)]
pub fn clear_capital_market(
    clock: Res<Clock>,
    params: Res<Params>,
    book: Res<OrderBook>,
    mut labs: Query<(&Agent, &mut Lab)>,
    mut investors: Query<(&Agent, &mut Investor)>,
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
    for round in &book.rounds {
        // A scheduled round closes at its terms: every bid into it accepts the
        // valuation, and outside investors take whatever the simulated ones do not.
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
        let bids: Vec<RoundBid> = book
            .investor_bids
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
        let mut outcome = clear_round(&ask, &bids);
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
            // The lab learns its price: it marks itself to the best valuation
            // any investor would pay, so its next ask starts there (a down round
            // if it tries again) instead of repeating an ask nobody accepts.
            let best = outcome.best_bid_pre_money_usd;
            if let Some((_, mut lab)) = labs.iter_mut().find(|(a, _)| a.id == round.lab)
                && best > 0.0
                && best < lab.valuation_usd
            {
                lab.valuation_usd = best;
                lab.last_post_money_usd = best;
                lab.run_rate_at_last_round_usd = round.run_rate_usd;
            }
            logs.event(
                "round_failed",
                Some(round.lab),
                None,
                None,
                round.amount_usd,
                Some(best),
                format!(
                    "asked {:.1}B at {:.0}B pre-money (down to {:.0}B); eligible bids {:.1}B; best bid {:.0}B pre-money",
                    round.amount_usd / 1e9,
                    round.pre_money_usd / 1e9,
                    ask.min_pre_money_usd / 1e9,
                    // `+ 0.0` turns the empty sum's -0 into 0 for the reader.
                    outcome.eligible_usd / 1e9 + 0.0,
                    best / 1e9
                ),
            );
            continue;
        }
        closed += 1;
        raised += outcome.raised_usd;
        post_money_sum += outcome.post_money_usd;
        let dilution = outcome.pre_money_usd / outcome.post_money_usd;
        for (_, mut investor) in &mut investors {
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
            if let Some((_, mut investor)) =
                investors.iter_mut().find(|(a, _)| a.id == *investor_id)
            {
                add_holding(
                    &mut investor.holdings,
                    round.lab,
                    amount / outcome.post_money_usd,
                );
                investor.flows.invested_usd += amount;
                investor.invested_total_usd += amount;
            }
            logs.event(
                "investment",
                Some(*investor_id),
                Some(round.lab),
                None,
                *amount,
                Some(amount / outcome.post_money_usd),
                "fraction of the lab acquired".into(),
            );
        }
        if let Some((_, mut lab)) = labs.iter_mut().find(|(a, _)| a.id == round.lab) {
            lab.flows.raised_usd += outcome.raised_usd;
            lab.valuation_usd = outcome.post_money_usd;
            lab.last_post_money_usd = outcome.post_money_usd;
            lab.run_rate_at_last_round_usd = round.run_rate_usd;
            lab.last_round_tick = Some(clock.tick);
        }
        logs.event(
            "round_closed",
            Some(round.lab),
            None,
            None,
            outcome.raised_usd,
            Some(outcome.post_money_usd),
            format!(
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
            ),
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

/// Rents compute for the quarter, region by region, at the posted ask
/// (`cloud::clear_rental_market`): owners whose cost the ask covers offer their
/// rental fleets, labs whose value covers it rent, the short side is filled and
/// the long side rationed pro rata. Rent goes from the lab to the owners now,
/// and the compute serves this quarter (`bring_compute_online`).
pub fn clear_rented_compute(
    params: Res<Params>,
    book: Res<OrderBook>,
    mut cloud: ResMut<CloudMarket>,
    mut labs: Query<(&Agent, &mut Lab)>,
    mut buyers: Query<(&Agent, &mut AcceleratorBuyer)>,
    mut ledger: ResMut<Ledger>,
    mut logs: ResMut<Logs>,
) {
    for (_, mut lab) in &mut labs {
        lab.rented_h100e = 0.0;
    }
    let mut owners: Vec<(&Agent, Mut<AcceleratorBuyer>)> = buyers
        .iter_mut()
        .filter(|(_, b)| b.rental_fleet_h100e > 0.0)
        .collect();
    owners.sort_by_key(|(a, _)| a.id);
    for (region, market) in cloud.regions.iter_mut().enumerate() {
        let region_name = params.0.regions[region].name.as_str();
        let here: Vec<usize> = (0..owners.len())
            .filter(|&o| owners[o].1.region == region)
            .collect();
        let offers: Vec<RentalOffer> = here
            .iter()
            .map(|&o| RentalOffer {
                owner: owners[o].0.id,
                h100e: owners[o].1.rental_fleet_h100e,
                cost_per_h100e_quarter: owners[o].1.rental_cost_per_h100e_quarter,
            })
            .collect();
        let bids = book.rental_bids.get(region).map_or(&[][..], Vec::as_slice);
        let clearing = clear_rental_market(market.ask_per_h100e_quarter, &offers, bids);
        let price_per_hour = clearing.price_per_h100e_quarter / HOURS_PER_QUARTER;
        for (i, bid) in bids.iter().enumerate() {
            let rented = clearing.rented_by_bid[i];
            if rented <= 0.0 {
                continue;
            }
            if let Some((_, mut lab)) = labs.iter_mut().find(|(a, _)| a.id == bid.renter) {
                lab.rented_h100e += rented;
                lab.flows.rent_usd += clearing.paid_usd(i);
            }
            // The renter pays each owner for the share of the region's rented
            // compute that owner supplied.
            for (j, &o) in here.iter().enumerate() {
                let supplied = clearing.rented_by_offer[j] * rented / clearing.rented_h100e;
                if supplied <= 0.0 {
                    continue;
                }
                let paid = supplied * clearing.price_per_h100e_quarter;
                let (owner_agent, owner) = &mut owners[o];
                ledger.pay(
                    Account::Agent(bid.renter),
                    Account::Agent(owner_agent.id),
                    paid,
                );
                owner.flows.rented_out_h100e += supplied;
                owner.flows.rental_revenue_usd += paid;
                logs.event(
                    "cloud_rental",
                    Some(bid.renter),
                    Some(owner_agent.id),
                    Some(region_name),
                    paid,
                    Some(supplied),
                    format!("H100e for the quarter at {price_per_hour:.2} USD per H100e-hour"),
                );
            }
        }
        let fleet: f64 = here.iter().map(|&o| owners[o].1.rental_fleet_h100e).sum();
        market.last_excess_demand = clearing.excess_demand();
        market.last_fleet_h100e = fleet;
        market.last_unmet_h100e = clearing.unmet_h100e();
        market.last_top_value = bids
            .iter()
            .map(|b| b.value_per_h100e_quarter)
            .fold(0.0, f64::max);
        if fleet > 0.0 || !bids.is_empty() {
            logs.markets.push(MarketRow {
                market: "cloud",
                region: Some(region_name.to_string()),
                item: None,
                supply: clearing.offered_h100e,
                demand: clearing.demand_h100e,
                cleared: clearing.rented_h100e,
                price: Some(clearing.price_per_h100e_quarter),
            });
        }
    }
}

fn add_holding(holdings: &mut Vec<(AgentId, f64)>, lab: AgentId, fraction: f64) {
    match holdings.binary_search_by_key(&lab, |h| h.0) {
        Ok(at) => holdings[at].1 += fraction,
        Err(at) => holdings.insert(at, (lab, fraction)),
    }
}
