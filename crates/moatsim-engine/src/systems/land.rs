//! The land market: what labs see of the regions when they place a site, their
//! land bids, land banking by infrastructure funds, and each region's clearing
//! of raw and powered acres.

use crate::components::*;
use crate::events::{Event, EventKind};
use crate::records::MarketRow;
use crate::resources::*;
use crate::systems::gpu::orders::ChipPrices;
use crate::systems::lab_may_use_region;
use bevy_ecs::prelude::*;
use moatsim_config::Scenario;
use moatsim_model::market::land;
use moatsim_model::market::land::{LandBid, LandFill, LandOffer, clear_land_market};
use moatsim_model::market::site::SiteOffer;
use moatsim_model::{Account, AgentId, ExternalAccount, rules};

/// This quarter's land bids per region: labs' orders in project-id order,
/// then investors' in id order. Sized per region at the start of the quarter.
#[derive(Resource, Debug, Clone, Default)]
pub struct LandOrders {
    pub bids: Vec<Vec<LandOrder>>,
}

impl LandOrders {
    /// Empty books for a world of `regions` regions.
    pub fn new(regions: usize) -> Self {
        Self {
            bids: vec![Vec::new(); regions],
        }
    }
}

/// A land bid: a lab's for one of its projects, or a land-banking investor's.
#[derive(Debug, Clone)]
pub struct LandOrder {
    /// The project the land is for; `None` for an investor banking land.
    pub project_id: Option<u64>,
    pub buyer: AgentId,
    pub acres: f64,
    pub limit_per_acre: f64,
    /// Powered acres (with a grid position) or raw ones: two markets.
    pub powered: bool,
}

/// Acres a project bought this quarter, and whether they carry a grid
/// position.
#[derive(Debug, Clone, Copy)]
pub struct AcquiredLand {
    pub project_id: u64,
    pub acres: f64,
    pub powered: bool,
}

/// Land that changed hands this quarter for labs' projects, which take it up
/// in the build phase.
#[derive(Resource, Debug, Clone, Default)]
pub struct LandDeliveries {
    pub items: Vec<AcquiredLand>,
}

/// What labs see of the regions this quarter when they place a site and bid
/// for its land: tariffs, permitting and queue waits, powered land on offer,
/// and the GPU terms that size sites and price licence fees.
pub(crate) struct SiteConditions<'a> {
    scenario: &'a Scenario,
    regions: &'a RegionBook,
    tariffs: Vec<f64>,
    permit_delay: Vec<u32>,
    /// Quarters a new interconnection request expects to wait, per region.
    queue_wait: Vec<f64>,
    /// Powered acres land banks hold for each lab, per region.
    banked_for: Vec<Vec<f64>>,
    /// H100e per MW of the most power-efficient generation on sale: it sizes
    /// new sites.
    pub(crate) best_h100e_per_mw: f64,
    /// What a MW of GPUs costs at the cheapest price per H100e (0 with none
    /// on sale), for the licence fees of capped regions.
    gpu_cost_per_mw: f64,
    max_fee_rate: f64,
}

/// Land a lab bids for: a site's region, project, lab (id and index) and the
/// acres it still needs.
pub(crate) struct LandSite {
    pub(crate) region: usize,
    pub(crate) project_id: u64,
    pub(crate) lab: (AgentId, usize),
    pub(crate) acres: f64,
}

impl<'a> SiteConditions<'a> {
    pub(crate) fn new(
        scenario: &'a Scenario,
        regions: &'a RegionBook,
        tick: u32,
        utilities: &[&Utility],
        regulators: &[&Regulator],
        investors: &[&Investor],
        chips: &ChipPrices,
    ) -> Self {
        let ask = &chips.ask;
        let world = &scenario.world;
        let mut tariffs = vec![0.0; scenario.regions.len()];
        let mut queue_age = vec![0.0; scenario.regions.len()];
        let mut queue_mw = vec![0.0; scenario.regions.len()];
        for utility in utilities {
            tariffs[utility.region] = utility.tariff_per_mwh;
            queue_age[utility.region] = utility.mean_queue_age(tick);
            queue_mw[utility.region] = utility.queue.iter().map(|r| r.mw).sum::<f64>();
        }
        let permit_delay: Vec<u32> = scenario
            .regions
            .iter()
            .map(|r| {
                regulators
                    .iter()
                    .find(|g| g.index == r.regulator)
                    .map_or(0, |g| g.permit_delay_quarters)
            })
            .collect();
        // Sites are valued for every lab alike, at merchant chips' prices:
        // a custom accelerator is its owner's alone.
        let merchant = |c: &usize| scenario.chips[*c].is_merchant();
        let best_h100e_per_mw = (0..scenario.chips.len())
            .filter(merchant)
            .filter(|&c| ask[c].is_some())
            .map(|c| scenario.chips[c].h100e_per_mw(world.pue))
            .fold(0.0, f64::max)
            .max(1.0);
        let cheapest_per_h100e = (0..scenario.chips.len())
            .filter(merchant)
            .filter_map(|c| ask[c].map(|a| a / scenario.chips[c].h100e_per_unit))
            .fold(f64::INFINITY, f64::min);
        let gpu_cost_per_mw = if cheapest_per_h100e.is_finite() {
            cheapest_per_h100e * best_h100e_per_mw
        } else {
            0.0
        };
        let queue_wait: Vec<f64> = (0..scenario.regions.len())
            .map(|r| queue_age[r] + queue_mw[r] / scenario.behaviour.queue_mw_cleared_per_quarter)
            .collect();
        let mut banked_for = vec![vec![0.0; scenario.regions.len()]; scenario.labs.len()];
        for investor in investors {
            if let Some(lab) = investor.banks_powered_land_for {
                for holding in investor.land.iter().filter(|h| h.powered) {
                    banked_for[lab][holding.region] += holding.acres;
                }
            }
        }
        SiteConditions {
            scenario,
            regions,
            tariffs,
            permit_delay,
            queue_wait,
            banked_for,
            best_h100e_per_mw,
            gpu_cost_per_mw,
            max_fee_rate: chips.fee_rate_of_maker.iter().copied().fold(0.0, f64::max),
        }
    }

    /// What skipping the queue is worth per acre in region `r` to a lab whose
    /// MW earns `value_per_mw_quarter`.
    fn skip_value_per_acre(&self, r: usize, value_per_mw_quarter: f64) -> f64 {
        self.queue_wait[r]
            * value_per_mw_quarter
            * self.scenario.regions[r].mw_per_acre
            * self.scenario.behaviour.delay_cost_share
    }

    /// A site's acres in region `r`, split between powered and raw land:
    /// (powered acres, their cost). The powered offers open to the lab are
    /// the landowners' stock and what land banks hold for it, at a premium.
    fn powered_split(
        &self,
        lab: usize,
        r: usize,
        acres: f64,
        value_per_mw_quarter: f64,
    ) -> (f64, f64) {
        let state = &self.regions.regions[r];
        let ask = state.powered_price_per_acre(&self.scenario.regions[r]);
        let offers = [
            (state.powered_available_acres, ask),
            (
                self.banked_for[lab][r],
                ask * (1.0 + self.scenario.behaviour.land_resale_premium),
            ),
        ];
        land::powered_acres_worth_buying(
            acres,
            state.land_price_per_acre,
            self.skip_value_per_acre(r, value_per_mw_quarter),
            &offers,
        )
    }

    /// What each region offers a site of `mw` for the lab: only where its own
    /// regulator lets it build and its GPUs may go, and where the land for it
    /// is on offer.
    pub(crate) fn offers(
        &self,
        lab: usize,
        home_region: usize,
        mw: f64,
        value_per_mw_quarter: f64,
    ) -> Vec<SiteOffer> {
        let scenario = self.scenario;
        scenario
            .regions
            .iter()
            .enumerate()
            .filter(|(r, _)| lab_may_use_region(scenario, home_region, *r))
            .filter(|(r, region)| {
                let state = &self.regions.regions[*r];
                state.land_available_acres
                    + state.powered_available_acres
                    + self.banked_for[lab][*r]
                    >= mw / region.mw_per_acre
            })
            .map(|(r, region)| {
                let acres = mw / region.mw_per_acre;
                let (powered_acres, powered_cost_usd) =
                    self.powered_split(lab, r, acres, value_per_mw_quarter);
                SiteOffer {
                    region: r,
                    acres,
                    raw_price_per_acre: self.regions.regions[r].land_price_per_acre,
                    powered_acres,
                    powered_cost_usd,
                    tariff_per_mwh: self.tariffs[r],
                    permit_quarters: f64::from(self.permit_delay[r]),
                    queue_wait_quarters: self.queue_wait[r],
                    // A capped region costs the licence fee on the GPUs the site will hold.
                    licence_cost_usd: match region.export_tier {
                        moatsim_config::ExportTier::Capped => {
                            self.max_fee_rate * mw * self.gpu_cost_per_mw
                        }
                        _ => 0.0,
                    },
                }
            })
            .collect()
    }

    /// A site's land bids: the powered acres worth their premium
    /// (`powered_split`, from `land::powered_acres_worth_buying`) and raw
    /// land for the rest. Raw land is bid up to
    /// `behaviour.raw_land_limit_multiple` × its price, powered land up to
    /// that plus what skipping the queue is worth per acre. Returns what the
    /// lab expects to pay.
    pub(crate) fn bid_for_land(
        &self,
        orders: &mut LandOrders,
        site: &LandSite,
        value_per_mw_quarter: f64,
    ) -> f64 {
        let (buyer, lab) = site.lab;
        let region = site.region;
        let raw_price = self.regions.regions[region].land_price_per_acre;
        let skip_value_per_acre = self.skip_value_per_acre(region, value_per_mw_quarter);
        let (powered, powered_cost) =
            self.powered_split(lab, region, site.acres, value_per_mw_quarter);
        let raw_limit = raw_price * self.scenario.behaviour.raw_land_limit_multiple;
        if powered > 0.0 {
            orders.bids[region].push(LandOrder {
                project_id: Some(site.project_id),
                buyer,
                acres: powered,
                limit_per_acre: raw_limit + skip_value_per_acre,
                powered: true,
            });
        }
        let raw = (site.acres - powered).max(0.0);
        if raw > 0.0 {
            orders.bids[region].push(LandOrder {
                project_id: Some(site.project_id),
                buyer,
                acres: raw,
                limit_per_acre: raw_limit,
                powered: false,
            });
        }
        raw * raw_price + powered_cost
    }
}

/// Infrastructure funds bank land where labs' demand says it is getting scarce:
/// they bid for acres at the landowners' price, to resell to labs at a premium
/// (see `clear_land_markets`). A fund that banks for one lab
/// (`banks_powered_land_for`) instead buys powered land ahead of demand,
/// from the first quarter, wherever that lab may build, to sell only to it.
pub fn bank_land(
    params: Res<Params>,
    regions: Res<RegionBook>,
    investors: Query<(&Agent, &Cash, &Investor)>,
    labs: Query<&Lab>,
    mut orders: ResMut<LandOrders>,
) {
    let scenario = &params.0;
    let mut sorted: Vec<(&Agent, &Cash, &Investor)> = investors
        .iter()
        .filter(|(_, _, i)| i.kind == moatsim_config::InvestorKind::InfrastructurePe)
        .collect();
    sorted.sort_by_key(|(a, _, _)| a.id);
    for (agent, cash, investor) in sorted {
        let mut budget = cash.0.max(0.0)
            * scenario.behaviour.land_banking_budget_share
            * investor.risk_appetite.max(0.1);
        if let Some(partner) = investor.banks_powered_land_for {
            let Some(lab) = labs.iter().find(|l| l.index == partner && l.alive) else {
                continue;
            };
            for (r, region) in regions.regions.iter().enumerate() {
                let price = region.powered_price_per_acre(&scenario.regions[r]);
                if budget <= 0.0
                    || price <= 0.0
                    || !lab_may_use_region(scenario, lab.home_region, r)
                {
                    continue;
                }
                let acres = (budget / price).min(
                    region.powered_available_acres * scenario.behaviour.land_banking_stock_share,
                );
                if acres <= 0.0 {
                    continue;
                }
                budget -= acres * price;
                orders.bids[r].push(LandOrder {
                    project_id: None,
                    buyer: agent.id,
                    acres,
                    limit_per_acre: price,
                    powered: true,
                });
            }
            continue;
        }
        for (r, region) in regions.regions.iter().enumerate() {
            let scarce = region.lab_land_demand_acres
                > scenario.behaviour.land_scarcity_signal * region.land_available_acres;
            if !scarce || budget <= 0.0 || region.land_price_per_acre <= 0.0 {
                continue;
            }
            let acres = (budget / region.land_price_per_acre)
                .min(region.land_available_acres * scenario.behaviour.land_banking_stock_share);
            if acres <= 0.0 || scenario.regions[r].land_stock_acres <= 0.0 {
                continue;
            }
            budget -= acres * region.land_price_per_acre;
            orders.bids[r].push(LandOrder {
                project_id: None,
                buyer: agent.id,
                acres,
                limit_per_acre: region.land_price_per_acre,
                powered: false,
            });
        }
    }
}

type SortedInvestors<'a> = Vec<(&'a Agent, Mut<'a, Investor>)>;

/// Two clearings per region, powered land first. In each, landowners offer
/// their unsold stock (raw acres at the scarcity price, powered acres at that
/// price plus the region's `powered_land_premium`) and land-banking investors
/// offer what they hold at a premium over it; a bank that banks for one lab
/// offers only to that lab. Cheapest first, pro rata at each offer. Then new
/// raw zoning arrives and the prices are reset from the stock left.
#[allow(
    clippy::too_many_arguments,
    reason = "a bevy system takes the resources and queries it touches as parameters"
)]
pub fn clear_land_markets(
    params: Res<Params>,
    orders: Res<LandOrders>,
    mut regions: ResMut<RegionBook>,
    mut labs: Query<(&Agent, &mut Lab)>,
    mut investors: Query<(&Agent, &mut Investor)>,
    mut ledger: ResMut<Ledger>,
    mut delivered: ResMut<LandDeliveries>,
    mut logs: ResMut<Logs>,
) {
    let scenario = &params.0;
    let mut sorted_investors: SortedInvestors = investors.iter_mut().collect();
    sorted_investors.sort_by_key(|(a, _)| a.id);
    let lab_ids: Vec<(usize, AgentId)> = labs.iter().map(|(a, l)| (l.index, a.id)).collect();
    for (r, region_spec) in scenario.regions.iter().enumerate() {
        for powered in [true, false] {
            let orders: Vec<&LandOrder> = orders.bids[r]
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
            let market = LandMarket { region: r, powered };
            let offers = market.offers(scenario, (stock, price), &sorted_investors, &lab_ids);
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
                market.pay_seller(order, seller, fill, &mut sorted_investors, &mut ledger);
                match order.project_id {
                    Some(project_id) => {
                        if let Some((_, mut lab)) =
                            labs.iter_mut().find(|(a, _)| a.id == order.buyer)
                        {
                            lab.flows.capex_usd += fill.paid_usd;
                        }
                        delivered.items.push(AcquiredLand {
                            project_id,
                            acres: fill.acres,
                            powered,
                        });
                    }
                    None => market.bank(order.buyer, fill, &mut sorted_investors),
                }
                logs.event(market.event(scenario, order, seller, fill));
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

/// One of a region's two land markets: raw acres, or powered ones.
#[derive(Debug, Clone, Copy)]
struct LandMarket {
    region: usize,
    powered: bool,
}

impl LandMarket {
    /// The landowners' stock at their price, then each land bank's holding
    /// at a premium (a bank that banks for one lab offers only to it).
    fn offers(
        self,
        scenario: &Scenario,
        (stock, price): (f64, f64),
        investors: &SortedInvestors,
        lab_ids: &[(usize, AgentId)],
    ) -> Vec<LandOffer> {
        let mut offers = vec![LandOffer {
            seller: None,
            acres: stock,
            price_per_acre_usd: price,
            reserved_for: None,
        }];
        for (agent, investor) in investors {
            if let Some(holding) = investor
                .land
                .iter()
                .find(|h| h.region == self.region && h.powered == self.powered && h.acres > 0.0)
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
        offers
    }

    /// The buyer pays the landowners or the bank that sold; a bank's holding
    /// shrinks by the acres sold and their share of its cost.
    fn pay_seller(
        self,
        order: &LandOrder,
        seller: Option<AgentId>,
        fill: &LandFill,
        investors: &mut SortedInvestors,
        ledger: &mut Ledger,
    ) {
        let to = seller.map_or(
            Account::External(ExternalAccount::Landowners),
            Account::Agent,
        );
        ledger.pay(Account::Agent(order.buyer), to, fill.paid_usd);
        if let Some(seller) = seller
            && let Some((_, investor)) = investors.iter_mut().find(|(a, _)| a.id == seller)
            && let Some(holding) = investor
                .land
                .iter_mut()
                .find(|h| h.region == self.region && h.powered == self.powered)
        {
            let share = (fill.acres / holding.acres).min(1.0);
            let cost_sold = holding.cost_usd * share;
            holding.cost_usd -= cost_sold;
            holding.acres = (holding.acres - fill.acres).max(0.0);
            investor.flows.land_sales_usd += fill.paid_usd;
            investor.flows.land_gain_usd += fill.paid_usd - cost_sold;
        }
    }

    /// A land bank adds the acres it bought to its holding here.
    fn bank(self, buyer: AgentId, fill: &LandFill, investors: &mut SortedInvestors) {
        let Some((_, investor)) = investors.iter_mut().find(|(a, _)| a.id == buyer) else {
            return;
        };
        match investor
            .land
            .iter_mut()
            .find(|h| h.region == self.region && h.powered == self.powered)
        {
            Some(holding) => {
                holding.acres += fill.acres;
                holding.cost_usd += fill.paid_usd;
            }
            None => {
                investor.land.push(LandHolding {
                    region: self.region,
                    powered: self.powered,
                    acres: fill.acres,
                    cost_usd: fill.paid_usd,
                });
                investor.land.sort_by_key(|h| (h.region, h.powered));
            }
        }
    }

    /// The event of a fill: a lab's deal (or resale, from a bank) for a
    /// project, or a bank's purchase.
    fn event(
        self,
        scenario: &Scenario,
        order: &LandOrder,
        seller: Option<AgentId>,
        fill: &LandFill,
    ) -> Event {
        let region = scenario.regions[self.region].name.as_str();
        let kind = if self.powered { "powered " } else { "" };
        match order.project_id {
            Some(project_id) => Event::new(if seller.is_some() {
                EventKind::LandResold
            } else {
                EventKind::LandDeal
            })
            .agent(order.buyer)
            .counterparty(seller)
            .region(region)
            .amount(fill.paid_usd)
            .quantity(fill.acres)
            .detail(format!("{kind}acres for project {project_id}")),
            None => Event::new(EventKind::LandBanked)
                .agent(order.buyer)
                .region(region)
                .amount(fill.paid_usd)
                .quantity(fill.acres)
                .detail(format!("{kind}acres bought to resell to labs")),
        }
    }
}
