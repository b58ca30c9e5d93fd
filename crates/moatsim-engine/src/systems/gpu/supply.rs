//! The chipmakers' side of the accelerator market: packaging capacity, asks
//! and expansions (`plan_chip_supply`), and production against the quarter's
//! order book (`produce_to_order`).

use crate::components::*;
use crate::events::{Event, EventKind};
use crate::resources::*;
use crate::systems::gpu::GpuOrders;
use crate::systems::system_price;
use bevy_ecs::prelude::*;
use moatsim_config::Scenario;
use moatsim_model::market::gpu::{ExportTreatment, ProductionLine, plan_production};
use moatsim_model::{Account, AgentId, ExternalAccount, accelerator_demand, rules};

/// Chipmakers bring finished packaging capacity online, split it across the
/// generations on sale, set each generation's ask from last quarter's excess
/// demand, and expand capacity when backlog persists. Production itself is
/// scheduled against the order book (`gpu::supply::produce_to_order`).
pub fn plan_chip_supply(
    clock: Res<Clock>,
    params: Res<Params>,
    mut chipmakers: Query<(&Agent, &mut Chipmaker)>,
    mut ledger: ResMut<Ledger>,
    mut logs: ResMut<Logs>,
) {
    let scenario = &params.0;
    let tick = clock.tick;
    // Every maker's asks per H100e as they stood at the start of the quarter,
    // so each maker prices against the same view of its rivals. A custom
    // accelerator is no rival: only its owner may buy it.
    let offers: Vec<(usize, f64)> = chipmakers
        .iter()
        .flat_map(|(_, m)| {
            m.products
                .iter()
                .filter(|p| p.on_sale() && scenario.chips[p.chip].available <= clock.quarter)
                .filter(|p| scenario.chips[p.chip].is_merchant())
                .map(move |p| (m.index, p.ask_usd / scenario.chips[p.chip].h100e_per_unit))
        })
        .collect();
    for (agent, mut maker) in &mut chipmakers {
        let maker_index = maker.index;
        let rival_ask_per_h100e = offers
            .iter()
            .filter(|o| o.0 != maker_index)
            .map(|o| o.1)
            .min_by(f64::total_cmp);
        let arrived: f64 = maker
            .expansions
            .iter()
            .filter(|e| e.0 <= tick)
            .map(|e| e.1)
            .sum();
        maker.expansions.retain(|e| e.0 > tick);
        maker.wafers_per_quarter += arrived;
        price_and_allocate(scenario, &clock, &mut maker, rival_ask_per_h100e);
        consider_expansion(
            scenario,
            &clock,
            agent.id,
            &mut maker,
            &mut ledger,
            &mut logs,
        );
    }
}

/// A maker's generations on sale this quarter: each launches at its launch
/// price, then its ask follows last quarter's excess demand toward rivals'
/// price per H100e; the packaging wafers are split across them, newest
/// first.
fn price_and_allocate(
    scenario: &Scenario,
    clock: &Clock,
    maker: &mut Chipmaker,
    rival_ask_per_h100e: Option<f64>,
) {
    let tick = clock.tick;
    let spec = &scenario.chipmakers[maker.index];
    // What the maker's generations on sale filled last quarter: a launch
    // this quarter is expected to fill as much.
    let record: Vec<(u64, u64)> = maker
        .products
        .iter()
        .filter(|p| scenario.chips[p.chip].available < clock.quarter)
        .map(|p| (p.sold_units, p.demand_units))
        .collect();
    let launch_fill = accelerator_demand::launch_expected_fill(&record);

    // Available generations, newest first; capacity is weighted toward them.
    let mut available: Vec<usize> = (0..maker.products.len())
        .filter(|&p| scenario.chips[maker.products[p].chip].available <= clock.quarter)
        .collect();
    available.sort_by(|&a, &b| {
        let ca = &scenario.chips[maker.products[a].chip];
        let cb = &scenario.chips[maker.products[b].chip];
        cb.available.cmp(&ca.available).then(a.cmp(&b))
    });
    let b = &scenario.behaviour;
    let weights = [
        b.capacity_weight_newest,
        b.capacity_weight_second,
        b.capacity_weight_third,
    ];
    let weight_total: f64 = weights.iter().take(available.len()).sum();
    let wafers = maker.wafers_per_quarter;
    for product in maker.products.iter_mut() {
        product.capacity_units = 0;
    }
    for (rank, &p) in available.iter().enumerate() {
        let chip = &scenario.chips[maker.products[p].chip];
        let product = &mut maker.products[p];
        // A generation launches at its launch price; after that the ask follows
        // last quarter's excess demand.
        // Excess demand is measured against what could have been sold, so idle
        // capacity pushes the ask down and a sold-out generation pushes it up.
        // A custom accelerator is priced by its design partner's contract
        // with its owner: cost plus the partner's margin, the launch price,
        // throughout. Scarcity shows in its backlog, which orders capacity.
        if chip.available == clock.quarter || tick == 0 || !chip.is_merchant() {
            product.ask_usd = chip.launch_price_usd;
            if tick > 0 {
                product.expected_fill = launch_fill;
            }
        } else if product.sellable_units > 0 {
            let excess = (product.demand_units as f64 - product.sellable_units as f64)
                / product.sellable_units as f64;
            let floor = chip.unit_cost_usd / (1.0 - spec.min_gross_margin);
            let stepped = rules::adjust_ask(
                product.ask_usd,
                excess,
                spec.ask_sensitivity,
                scenario.behaviour.ask_max_step_per_quarter,
                floor,
            );
            product.ask_usd = rules::ask_toward_rivals(
                stepped,
                excess,
                chip.h100e_per_unit,
                rival_ask_per_h100e,
                spec.rival_catch_up,
            );
        }
        let share = weights.get(rank).copied().unwrap_or(0.0) / weight_total.max(f64::MIN_POSITIVE);
        product.capacity_units = (wafers * share * chip.units_per_wafer).floor() as u64;
    }
}

/// Quarters of backlog or priced scarcity in a row that order an expansion.
const BACKLOG_QUARTERS_TO_EXPAND: u32 = 2;

/// Whether backlog (or priced scarcity) has persisted long enough to order
/// more packaging capacity, and the order if so.
fn consider_expansion(
    scenario: &Scenario,
    clock: &Clock,
    id: AgentId,
    maker: &mut Chipmaker,
    ledger: &mut Ledger,
    logs: &mut Logs,
) {
    let tick = clock.tick;
    let spec = &scenario.chipmakers[maker.index];
    // Last quarter's backlog against last quarter's production plus what the
    // expansions already under way will add, so capacity coming is not
    // ordered twice.
    let backlog: u64 = maker.products.iter().map(|p| p.backlog_units).sum();
    let produced: u64 = maker.products.iter().map(|p| p.produced_units).sum();
    let units_per_wafer = maker
        .products
        .iter()
        .filter(|p| p.capacity_units > 0)
        .map(|p| scenario.chips[p.chip].units_per_wafer)
        .fold(f64::INFINITY, f64::min);
    let coming: f64 = maker.expansions.iter().map(|e| e.1).sum::<f64>()
        * if units_per_wafer.is_finite() {
            units_per_wafer
        } else {
            0.0
        };
    let signal = rules::CapacitySignal {
        backlog_units: backlog as f64,
        produced_units: produced as f64,
        coming_units: coming,
        idle_wafers: maker.idle_wafers,
        wafers_per_quarter: maker.wafers_per_quarter,
        ask_above_launch: maker
            .products
            .iter()
            .any(|p| p.capacity_units > 0 && p.ask_usd > scenario.chips[p.chip].launch_price_usd),
    };
    if rules::expansion_warranted(&signal, scenario.behaviour.expansion_backlog_share) {
        maker.quarters_backlogged += 1;
    } else {
        maker.quarters_backlogged = 0;
    }
    // Two quarters of backlog or priced scarcity order an expansion; a
    // backlog that persists orders another two quarters later, even while
    // the first is being built, so capacity can ramp as fast as CoWoS did
    // when demand outran it.
    if maker.quarters_backlogged >= BACKLOG_QUARTERS_TO_EXPAND && spec.expansion_wafers > 0.0 {
        maker.quarters_backlogged = 0;
        let cost = spec.expansion_wafers * spec.expansion_cost_per_wafer_usd;
        maker
            .expansions
            .push((tick + spec.expansion_lead_quarters, spec.expansion_wafers));
        maker.flows.expansion_spend_usd += cost;
        maker.packaging_cost_usd += cost;
        ledger.pay(
            Account::Agent(id),
            Account::External(ExternalAccount::ChipSupplyChain),
            cost,
        );
        logs.event(
            Event::new(EventKind::CapacityExpansion)
                .agent(id)
                .amount(cost)
                .quantity(spec.expansion_wafers)
                .detail(format!(
                    "wafers per quarter, ready {}",
                    clock.quarter.plus(spec.expansion_lead_quarters)
                )),
        );
    }
}

/// Chipmakers see the quarter's orders at their asks and produce to them (plus a
/// small buffer), net of inventory, with their packaging wafers shared across
/// the generations in production by need (`market::gpu::plan_production`), so
/// no wafer sits idle while an order waits. What each generation could have
/// sold (its stock, its production and the wafers left over) is what its next
/// ask is measured against.
pub fn produce_to_order(
    params: Res<Params>,
    orders: Res<GpuOrders>,
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
                let orders: u64 = orders.bids[product.chip]
                    .iter()
                    .filter(|b| b.bid.export != ExportTreatment::Embargoed)
                    .filter(|b| b.bid.limit_usd >= system_price(scenario, product))
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
