//! Components of the agents that live as entities: labs, their data-center
//! projects, investors, chipmakers, utilities and regulators.
//!
//! App builders are the one deliberate exception: there are up to millions of
//! them, so they live as columns in the [`crate::apps::AppBuilderPopulation`]
//! resource (see `ARCHITECTURE.md`).

use bevy_ecs::prelude::*;
use moatsim_config::{ChipGeneration, InvestorKind};
use moatsim_model::AgentId;
use moatsim_model::market::vintages::Vintage;
use moatsim_model::units::{HOURS_PER_QUARTER, QUARTERS_PER_YEAR, mw_drawn_by};

/// Identity shared by every named agent.
#[derive(Component, Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Agent {
    pub id: AgentId,
    pub name: String,
}

/// Cash on hand in USD. Only `settle_payments` changes it, from the ledger.
#[derive(Component, Debug, Clone, Copy, Default, serde::Serialize, serde::Deserialize)]
pub struct Cash(pub f64);

/// Quarters of revenue a lab keeps: two years, so that investors can compare
/// the last year with the year before.
pub const REVENUE_HISTORY_QUARTERS: usize = 8;

/// A frontier lab, follower or hyperscaler-like cloud.
#[derive(Component, Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Lab {
    /// Position in the scenario's `labs` list; also the provider index builders use.
    pub index: usize,
    pub home_region: usize,
    pub alive: bool,
    pub capability: f64,
    /// Cumulative effective training compute: H100e-quarters of training,
    /// each weighted by the algorithmic efficiency of its quarter.
    #[serde(default)]
    pub effective_training_compute: f64,
    pub valuation_usd: f64,
    pub last_post_money_usd: f64,
    pub run_rate_at_last_round_usd: f64,
    pub ambition_per_quarter: f64,
    pub inference_share: f64,
    /// Markup over marginal cost: the market-power part of the price.
    pub markup: f64,
    /// Factor (at least 1) on the list price that clears the lab's inference
    /// market while it is short of capacity (`rules::scarcity_premium`).
    pub scarcity_premium: f64,
    /// The posted price: list price (cost × (1 + markup), pulled toward
    /// rivals') times the scarcity premium.
    pub price_per_mtok: f64,
    /// The price posted the quarter before last, for the demand trend.
    pub previous_price_per_mtok: f64,
    /// The list price of its frontier model (`posted_price`), before the
    /// scarcity premium: what rivals' frontier prices are compared with.
    #[serde(default)]
    pub frontier_price_per_mtok: f64,
    /// Its price at the commodity tier: the cost of serving the commodity
    /// capability on new capacity, plus the competitive markup.
    #[serde(default)]
    pub commodity_price_per_mtok: f64,
    /// Its marginal cost per Mtok over the quarter's mix of tiers.
    pub marginal_cost_per_mtok: f64,
    /// Millions of tokens one H100e serves in a quarter over the quarter's
    /// mix of tiers: its frontier model and the commodity model
    /// (`moatsim_model::cost_curve`, `market::tiers::blended_mtok_per_h100e`).
    pub mtok_per_h100e: f64,
    /// What the lab would charge for a model of the starting frontier's
    /// capability (`None` below it): the cheaper of its tiers at or above
    /// that capability, scaled by the serving compute that tier's model
    /// spends per token beyond it.
    pub fixed_capability_price_per_mtok: Option<f64>,
    /// Accumulated purchase cost of the installed fleet, for depreciation.
    pub fleet_cost_usd: f64,
    /// What the lab's halls cost (construction paid, the starting sites at
    /// their book value), for depreciation over `world.facility_life_quarters`.
    pub facility_cost_usd: f64,
    pub quarters_in_distress: u32,
    /// An exited lab whose fleet and sites have not found a buyer yet
    /// (`capital::sell_failed_labs`).
    #[serde(default)]
    pub assets_for_sale: bool,
    /// Share of its owned online compute lost to an outage (policy timeline
    /// `compute_outage`) until `outage_until_tick`.
    #[serde(default)]
    pub outage_share: f64,
    #[serde(default)]
    pub outage_until_tick: u32,
    /// The outage share applied to its fleet last quarter.
    #[serde(default)]
    pub outage_applied: f64,
    /// Last quarter's inference revenue, which this quarter's decisions see.
    pub previous_revenue_usd: f64,
    /// Net outflow (staff, capex, power, rent less revenue) of the last
    /// quarters, at most `behaviour.burn_window_quarters`, oldest first: the
    /// burn rate a round is sized to (`Lab::burn_rate_usd`).
    #[serde(default)]
    pub recent_net_outflows_usd: Vec<f64>,
    /// Revenue of the last quarters, at most `REVENUE_HISTORY_QUARTERS`,
    /// oldest first: the growth investors price a round from
    /// (`capital::trailing_yearly_growth`).
    #[serde(default)]
    pub recent_revenue_usd: Vec<f64>,
    pub last_round_tick: Option<u32>,
    // This quarter's plan.
    pub target_h100e: f64,
    pub capex_budget_usd: f64,
    // This quarter's outcomes, set afresh each quarter by the systems that
    // compute them (last quarter's values are read before they are).
    /// Owned compute online plus `rented_h100e`.
    pub online_h100e: f64,
    /// Compute rented from the simulation's cloud owners for this quarter.
    pub rented_h100e: f64,
    /// The part of `rented_h100e` delivered under compute contracts this
    /// quarter (`systems::contracts`).
    #[serde(default)]
    pub contracted_h100e: f64,
    pub training_h100e: f64,
    pub inference_h100e: f64,
    pub capacity_mtok: f64,
    pub demand_mtok: f64,
    /// The quarter before last's demand, for the trend a lab prices on.
    pub previous_demand_mtok: f64,
    pub served_mtok: f64,
    /// Tokens it served last quarter for other labs' rationed builders
    /// (failover), included in `served_mtok` but not in `demand_mtok`.
    #[serde(default)]
    pub failover_in_mtok: f64,
    /// Share of the GPU units it bid for that it received in its last quarter
    /// with bids (1 when it has not bid yet); below `behaviour.backlog_fill_ratio` the lab
    /// is backlogged and changes how it orders.
    pub gpu_fill_ratio: f64,
    pub market_share: f64,
    pub customers: u64,
    /// Share of last quarter's customers that chose the lab again.
    pub retention: f64,
    /// This quarter's flows, reset in one place (`begin_quarter`).
    pub flows: LabFlows,
}

/// A lab's money and purchases this quarter: flows that start from zero
/// each quarter (`begin_quarter` resets them all at once), kept apart from
/// the state carried across quarters.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct LabFlows {
    /// All revenue: `api_revenue_usd + product_revenue_usd`.
    pub revenue_usd: f64,
    /// Tokens sold to app builders.
    pub api_revenue_usd: f64,
    /// Its own products sold to end users.
    pub product_revenue_usd: f64,
    /// Tokens its own products served, millions.
    pub product_mtok: f64,
    pub capex_usd: f64,
    pub opex_usd: f64,
    pub power_cost_usd: f64,
    pub depreciation_usd: f64,
    pub raised_usd: f64,
    pub gpus_bought: u64,
    /// Units retired this quarter to make room for a fleet refresh.
    #[serde(default)]
    pub gpus_retired: u64,
    pub rent_usd: f64,
}

impl Lab {
    /// The share of its owned online compute an outage (policy timeline
    /// `compute_outage`) takes offline at `tick`.
    pub fn outage_at(&self, tick: u32) -> f64 {
        if tick < self.outage_until_tick {
            self.outage_share.clamp(0.0, 1.0)
        } else {
            0.0
        }
    }

    /// The yearly revenue growth investors expect of the lab: their prior
    /// updated with the growth its revenue history shows.
    pub fn expected_yearly_growth(&self, prior: f64, prior_weight_quarters: f64) -> f64 {
        use moatsim_model::market::capital;
        capital::expected_yearly_growth(
            capital::trailing_yearly_growth(&self.recent_revenue_usd),
            self.recent_revenue_usd.len(),
            prior,
            prior_weight_quarters,
        )
    }

    /// Mean net outflow over the recent quarters it keeps (0 before any).
    pub fn burn_rate_usd(&self) -> f64 {
        let quarters = self.recent_net_outflows_usd.len();
        if quarters == 0 {
            return 0.0;
        }
        self.recent_net_outflows_usd.iter().sum::<f64>() / quarters as f64
    }

    pub fn utilisation(&self) -> f64 {
        if self.capacity_mtok <= 0.0 {
            return if self.demand_mtok > 0.0 { 1.0 } else { 0.0 };
        }
        self.demand_mtok / self.capacity_mtok
    }

    pub fn profit_usd(&self) -> f64 {
        self.flows.revenue_usd
            - self.flows.opex_usd
            - self.flows.rent_usd
            - self.flows.power_cost_usd
            - self.flows.depreciation_usd
    }

    /// Annualised inference revenue.
    pub fn run_rate_usd(&self) -> f64 {
        self.flows.revenue_usd * QUARTERS_PER_YEAR
    }
}

/// Where a data-center project is in its pipeline.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Stage {
    SeekingLand,
    Permitting,
    AwaitingPower,
    Construction,
    Energized,
}

impl Stage {
    pub fn name(self) -> &'static str {
        match self {
            Stage::SeekingLand => "seeking_land",
            Stage::Permitting => "permitting",
            Stage::AwaitingPower => "awaiting_power",
            Stage::Construction => "construction",
            Stage::Energized => "energized",
        }
    }
}

/// A data-center project: land → permit → power → construction → energized.
#[derive(Component, Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Project {
    pub project_id: u64,
    pub lab: AgentId,
    pub lab_index: usize,
    pub region: usize,
    pub stage: Stage,
    pub mw: f64,
    pub acres_needed: f64,
    pub acres_held: f64,
    /// The part of `acres_held` that carries a grid position: the project
    /// needs no queue place for `powered_acres × mw_per_acre` of its MW.
    pub powered_acres: f64,
    pub started_tick: u32,
    /// When the current stage may end (permit, construction).
    pub ready_tick: u32,
    /// Quarters its construction takes, drawn when construction starts
    /// (`rules::construction_quarters`); instalments spread over them.
    pub construction_quarters: u32,
    pub construction_paid_usd: f64,
    /// The infrastructure fund that owns the hall and leases it to the lab
    /// (`projects::finance_halls`), and what the fund has paid for it.
    #[serde(default)]
    pub financier: Option<AgentId>,
    #[serde(default)]
    pub financed_usd: f64,
    /// Installed units per chip generation (index into the scenario's chips).
    pub installed: Vec<u64>,
    /// Online H100e and stranded units as of this quarter's compute allocation.
    pub online_h100e: f64,
    pub online_units: u64,
    pub stranded_units: u64,
    pub load_mw: f64,
    /// Units retired from the site over the run: to make room for newer ones
    /// (fleet refresh) or at the end of their life; they are scrapped.
    #[serde(default)]
    pub retired_units: u64,
    /// The installed units' vintages per chip generation (index into the
    /// scenario's chips; `market::vintages`): when they were installed, their
    /// H100e, MW and book cost, so that they retire at the end of their life.
    #[serde(default)]
    pub vintages: Vec<Vec<Vintage>>,
}

impl Project {
    /// The vintages of one chip generation at this site.
    pub fn vintages_of(&mut self, chip: usize) -> &mut Vec<Vintage> {
        if self.vintages.len() <= chip {
            self.vintages.resize(chip + 1, Vec::new());
        }
        &mut self.vintages[chip]
    }

    /// What the whole hall costs to build.
    pub fn hall_cost_usd(&self, capex_per_mw_usd: f64) -> f64 {
        self.mw * capex_per_mw_usd
    }

    /// A quarter's construction instalment: the hall's cost spread evenly
    /// over its construction time.
    pub fn construction_instalment_usd(&self, capex_per_mw_usd: f64) -> f64 {
        self.hall_cost_usd(capex_per_mw_usd) / f64::from(self.construction_quarters.max(1))
    }

    /// The lease the lab owes this quarter on a hall an infrastructure fund
    /// financed: `financed × lease_rate / 4` once the hall is energized, else 0.
    pub fn lease_due_usd(&self, lease_rate: f64) -> f64 {
        if self.financier.is_some() && self.stage == Stage::Energized {
            self.financed_usd * lease_rate / QUARTERS_PER_YEAR
        } else {
            0.0
        }
    }

    /// A site a lab (id and scenario index) has just chosen: it seeks its
    /// land from this quarter, with nothing installed yet. Its construction
    /// time is the median until construction starts and it is drawn.
    pub fn new_site(
        project_id: u64,
        (lab, lab_index): (AgentId, usize),
        region: usize,
        (mw, acres): (f64, f64),
        tick: u32,
        chips: usize,
        construction_quarters: u32,
    ) -> Self {
        Project {
            project_id,
            lab,
            lab_index,
            region,
            stage: Stage::SeekingLand,
            mw,
            acres_needed: acres,
            acres_held: 0.0,
            powered_acres: 0.0,
            started_tick: tick,
            ready_tick: tick,
            construction_quarters,
            construction_paid_usd: 0.0,
            financier: None,
            financed_usd: 0.0,
            installed: vec![0; chips],
            online_h100e: 0.0,
            online_units: 0,
            stranded_units: 0,
            load_mw: 0.0,
            retired_units: 0,
            vintages: Vec::new(),
        }
    }

    /// MW of the site that its powered acres bring with their grid positions.
    pub fn powered_mw(&self, mw_per_acre: f64) -> f64 {
        (self.powered_acres * mw_per_acre).min(self.mw)
    }

    pub fn installed_units(&self) -> u64 {
        self.installed.iter().sum()
    }

    /// Compute of every installed unit, online or not, H100e.
    pub fn installed_h100e(&self, chips: &[ChipGeneration]) -> f64 {
        self.installed
            .iter()
            .zip(chips)
            .map(|(&u, c)| u as f64 * c.h100e_per_unit)
            .sum()
    }

    /// Grid MW the installed units would draw if all were powered.
    pub fn installed_draw_mw(&self, chips: &[ChipGeneration], pue: f64) -> f64 {
        self.installed
            .iter()
            .zip(chips)
            .map(|(&u, c)| mw_drawn_by(u as f64, c.watts, pue))
            .sum()
    }

    /// MW of the site not yet claimed by installed units.
    pub fn free_mw(&self, chips: &[ChipGeneration], pue: f64) -> f64 {
        (self.mw - self.installed_draw_mw(chips, pue)).max(0.0)
    }
}

/// A venture fund, growth fund, infrastructure PE fund, sovereign, strategic or JV partner.
#[derive(Component, Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Investor {
    /// Position in the scenario's `investors` list.
    pub index: usize,
    pub kind: InvestorKind,
    /// The lab (scenario index) it banks powered land for, if any.
    pub banks_powered_land_for: Option<usize>,
    pub inflow_per_quarter_usd: f64,
    pub risk_appetite: f64,
    pub revenue_multiple: f64,
    pub max_deal_fraction: f64,
    /// (lab id, fraction of the lab owned), ordered by lab id.
    pub holdings: Vec<(AgentId, f64)>,
    pub invested_total_usd: f64,
    pub portfolio_value_usd: f64,
    /// What it has paid for the halls it owns and leases to labs, at cost.
    #[serde(default)]
    pub financed_halls_usd: f64,
    /// Land banked, by region, in region order.
    pub land: Vec<LandHolding>,
    /// This quarter's flows, reset in one place (`begin_quarter`).
    pub flows: InvestorFlows,
}

impl Investor {
    /// The fund pays `amount` towards a hall it finances: it owns that much
    /// more of the hall, at cost, and counts it as invested.
    pub fn pay_for_hall(&mut self, project: &mut Project, amount: f64) {
        self.financed_halls_usd += amount;
        self.invested_total_usd += amount;
        self.flows.invested_usd += amount;
        project.financed_usd += amount;
    }
}

/// What an investor put in and took out this quarter: flows that start from zero
/// each quarter (`begin_quarter` resets them all at once), kept apart from
/// the state carried across quarters.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct InvestorFlows {
    pub invested_usd: f64,
    /// Leases labs paid this quarter for the halls the fund financed.
    #[serde(default)]
    pub lease_income_usd: f64,
    /// Depreciation of the halls the fund owns (`world.facility_life_quarters`).
    #[serde(default)]
    pub hall_depreciation_usd: f64,
    /// Banked land resold this quarter: what labs paid, and that less its cost.
    pub land_sales_usd: f64,
    pub land_gain_usd: f64,
}

/// Acres an investor holds in one region and what they cost.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LandHolding {
    pub region: usize,
    /// Powered acres (with a grid position) are held apart from raw ones.
    pub powered: bool,
    pub acres: f64,
    pub cost_usd: f64,
}

/// One chip generation as a chipmaker sees it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Product {
    /// Index into the scenario's chips.
    pub chip: usize,
    pub ask_usd: f64,
    pub inventory_units: u64,
    pub backlog_units: u64,
    /// Units this quarter's share of packaging capacity can produce.
    pub capacity_units: u64,
    /// Units that could have been sold this quarter: capacity plus inventory.
    pub sellable_units: u64,
    pub produced_units: u64,
    pub offered_units: u64,
    pub demand_units: u64,
    pub sold_units: u64,
    /// Share of eligible orders buyers expect this generation to fill
    /// (`accelerator_demand::update_expected_fill`).
    pub expected_fill: f64,
}

impl Product {
    /// Whether buyers can order this generation this quarter.
    pub fn on_sale(&self) -> bool {
        self.capacity_units > 0 || self.inventory_units > 0
    }
}

#[derive(Component, Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Chipmaker {
    pub index: usize,
    pub jurisdiction_regulator: usize,
    pub wafers_per_quarter: f64,
    /// (ready tick, wafers) of expansions under way.
    pub expansions: Vec<(u32, f64)>,
    pub quarters_backlogged: u32,
    pub products: Vec<Product>,
    /// Packaging wafers the production plan left idle this quarter: the
    /// second round of the GPU market makes spilled-over orders from them.
    pub idle_wafers: f64,
    /// Book cost of packaging capacity (the starting capacity at its book
    /// value, plus every expansion paid), depreciated over
    /// `world.packaging_life_quarters`.
    pub packaging_cost_usd: f64,
    /// This quarter's flows, reset in one place (`begin_quarter`).
    pub flows: ChipmakerFlows,
}

/// A chipmaker's sales and spending this quarter: flows that start from zero
/// each quarter (`begin_quarter` resets them all at once), kept apart from
/// the state carried across quarters.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct ChipmakerFlows {
    /// Accelerators and, for a maker that sells it, their networking.
    pub revenue_usd: f64,
    /// The networking part of `revenue_usd` (`market::networking`).
    #[serde(default)]
    pub networking_revenue_usd: f64,
    pub cost_of_sales_usd: f64,
    pub production_cost_usd: f64,
    pub expansion_spend_usd: f64,
    pub depreciation_usd: f64,
}

impl Chipmaker {
    pub fn units_sold(&self) -> u64 {
        self.products.iter().map(|p| p.sold_units).sum()
    }

    /// Revenue less cost of sales less the depreciation of packaging capacity.
    pub fn operating_profit_usd(&self) -> f64 {
        self.flows.revenue_usd - self.flows.cost_of_sales_usd - self.flows.depreciation_usd
    }

    pub fn gross_margin(&self) -> Option<f64> {
        (self.flows.revenue_usd > 0.0).then(|| {
            (self.flows.revenue_usd - self.flows.cost_of_sales_usd) / self.flows.revenue_usd
        })
    }
}

/// A queued interconnection request: a project's, or an aggregate buyer's
/// for the MW its fleet's growth lacked.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct QueuedRequest {
    /// The project the MW are for; `None` for an aggregate buyer's fleet.
    pub project_id: Option<u64>,
    /// Who asked: the project's lab, or the buyer.
    pub requester: AgentId,
    pub mw: f64,
    pub max_price_per_mwh: f64,
    pub arrival_tick: u32,
}

/// A generation build under way.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Build {
    pub technology: usize,
    pub mw: f64,
    pub ready_tick: u32,
    pub capex_per_quarter_usd: f64,
}

/// An aggregate buyer of accelerators: hyperscalers' own fleets, neoclouds,
/// enterprise and sovereign buyers (`moatsim_model::accelerator_demand`).
/// Its fleet runs in halls outside the modelled pipeline: GPUs are online when
/// delivered, and the fleet's growth draws on its region's grid.
#[derive(Component, Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct AcceleratorBuyer {
    /// Position in the scenario's `accelerator_buyers` list.
    pub index: usize,
    pub region: usize,
    /// H100e running: the starting fleet plus every delivery.
    pub fleet_h100e: f64,
    /// Power the fleet draws at the meter (PUE included), MW, wherever it runs.
    pub load_mw: f64,
    /// The starting fleet's load, in the home region, which its utility's
    /// base load already holds.
    pub initial_load_mw: f64,
    /// Load added since the start, per region (index into the scenario's
    /// regions): growth runs at home and, when the home grid has no room, in
    /// other regions of the buyer's jurisdiction and export tier.
    pub added_load_by_region: Vec<f64>,
    /// Units delivered since the start (the starting fleet is not counted).
    pub units_delivered: u64,
    /// The part of the fleet offered for rent to labs, H100e.
    pub rental_fleet_h100e: f64,
    /// The part of the rental fleet built for compute contracts
    /// (`systems::contracts`): delivered to them first, the rest of the
    /// rental fleet goes to the spot market.
    #[serde(default)]
    pub contract_fleet_h100e: f64,
    /// What the fleet cost (the starting fleet at its book value plus every
    /// purchase, licence fees included), for depreciation and rental cost.
    pub fleet_cost_usd: f64,
    /// What owning one H100e costs this quarter, USD (set when the quarter's
    /// rental asks are posted): the floor under what it rents out.
    pub rental_cost_per_h100e_quarter: f64,
    /// MW the utility granted from the queue that the fleet does not draw
    /// yet: committed at the utility, used as deliveries arrive.
    pub power_reserved_mw: f64,
    /// MW this buyer waits for in its utility's interconnection queue.
    pub power_queued_mw: f64,
    /// The fleet by the quarter and region it was installed in, oldest
    /// first: each retires after `world.gpu_life_quarters`.
    pub vintages: Vec<Vintage>,
    /// This quarter's flows, reset in one place (`begin_quarter`).
    pub flows: BuyerFlows,
}

/// An aggregate buyer's orders, deliveries and money this quarter: flows that start from zero
/// each quarter (`begin_quarter` resets them all at once), kept apart from
/// the state carried across quarters.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct BuyerFlows {
    /// H100e that reached the end of their life and left the fleet.
    pub retired_h100e: f64,
    pub wanted_h100e: f64,
    /// The part of `wanted_h100e` meant for rent: the rental fleet's growth
    /// plus its share of last quarter's unmet rental demand.
    pub wanted_for_rent_h100e: f64,
    /// The part of `wanted_h100e` for compute contracts starting within the
    /// lead time that its contract fleet does not yet cover.
    #[serde(default)]
    pub wanted_for_contracts_h100e: f64,
    pub ordered_h100e: f64,
    pub bought_h100e: f64,
    pub units_bought: u64,
    /// Paid to chipmakers plus licence fees.
    pub spend_usd: f64,
    pub power_cost_usd: f64,
    pub depreciation_usd: f64,
    /// H100e rented out to labs this quarter and the rent received.
    pub rented_out_h100e: f64,
    pub rental_revenue_usd: f64,
    /// The part of `rented_out_h100e` delivered under compute contracts.
    #[serde(default)]
    pub contracted_out_h100e: f64,
    /// True when the grid's spare capacity cut the order this quarter.
    pub power_limited: bool,
    /// MW this quarter's order lacked beyond the room it had and what it
    /// already waits for: it joins the queue (`power_to_request`).
    pub power_to_request_mw: f64,
}

impl AcceleratorBuyer {
    /// Rent received less the rental fleet's share of the fleet's energy and
    /// depreciation: the profit of the cloud business.
    pub fn rental_profit_usd(&self) -> f64 {
        let share = if self.fleet_h100e > 0.0 {
            (self.rental_fleet_h100e / self.fleet_h100e).clamp(0.0, 1.0)
        } else {
            0.0
        };
        self.flows.rental_revenue_usd
            - share * (self.flows.power_cost_usd + self.flows.depreciation_usd)
    }

    /// Load added since the start in `region`, which its utility must serve
    /// on top of its base load.
    pub fn added_load_in(&self, region: usize) -> f64 {
        self.added_load_by_region
            .get(region)
            .copied()
            .unwrap_or(0.0)
    }

    /// The fleet's load in `region`: the starting fleet's at home plus what
    /// was added there.
    pub fn load_in(&self, region: usize) -> f64 {
        if region == self.region {
            // The total less what runs elsewhere, so a fleet entirely at home
            // reads back exactly its total.
            self.load_mw - self.load_elsewhere_mw()
        } else {
            self.added_load_in(region)
        }
    }

    /// The part of the fleet's load outside its home region, MW.
    pub fn load_elsewhere_mw(&self) -> f64 {
        self.added_load_by_region
            .iter()
            .enumerate()
            .filter(|&(r, _)| r != self.region)
            .map(|(_, mw)| mw)
            .sum()
    }

    /// What the fleet's energy costs in a quarter at each region's tariff, USD.
    pub fn energy_cost_per_quarter(&self, tariff_by_region: &[f64]) -> f64 {
        tariff_by_region
            .iter()
            .enumerate()
            .map(|(r, tariff)| self.load_in(r) * HOURS_PER_QUARTER * tariff)
            .sum()
    }
}

#[derive(Component, Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Utility {
    pub index: usize,
    pub region: usize,
    pub generation_mw: f64,
    pub base_load_mw: f64,
    pub dc_contracted_mw: f64,
    /// Load aggregate buyers' fleets have added since the start.
    pub buyer_added_mw: f64,
    /// MW granted to aggregate buyers that their fleets do not draw yet.
    pub buyer_reserved_mw: f64,
    /// Grid positions that powered land carries and no project uses yet,
    /// MW: committed, so the queue cannot hand them out twice.
    pub powered_reserved_mw: f64,
    pub tariff_per_mwh: f64,
    pub builds: Vec<Build>,
    pub queue: Vec<QueuedRequest>,
    /// What the plants built during the run cost, depreciated over
    /// `world.generation_life_quarters` (the starting grid's capital cost is
    /// in the generation cost share of its tariff).
    pub plant_cost_usd: f64,
    /// This quarter's flows, reset in one place (`begin_quarter`).
    pub flows: UtilityFlows,
}

/// A utility's grants, energy sales and spending this quarter: flows that start from zero
/// each quarter (`begin_quarter` resets them all at once), kept apart from
/// the state carried across quarters.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct UtilityFlows {
    pub granted_mw: f64,
    pub granted_requests: u32,
    pub mean_wait_of_granted: f64,
    pub energy_sold_mwh: f64,
    pub revenue_usd: f64,
    pub operating_cost_usd: f64,
    pub build_spend_usd: f64,
    pub builds_started_mw: f64,
    pub depreciation_usd: f64,
}

impl Utility {
    /// Data-center energy revenue less generation cost and the depreciation
    /// of plants built during the run.
    pub fn profit_usd(&self) -> f64 {
        self.flows.revenue_usd - self.flows.operating_cost_usd - self.flows.depreciation_usd
    }

    pub fn committed_mw(&self) -> f64 {
        self.base_load_mw
            + self.dc_contracted_mw
            + self.buyer_added_mw
            + self.buyer_reserved_mw
            + self.powered_reserved_mw
    }

    /// Capacity the utility can still commit while keeping its minimum
    /// reserve margin (negative when it is already short).
    pub fn spare_mw(&self, min_reserve_margin: f64) -> f64 {
        self.generation_mw / (1.0 + min_reserve_margin) - self.committed_mw()
    }

    pub fn mean_queue_age(&self, tick: u32) -> f64 {
        if self.queue.is_empty() {
            return 0.0;
        }
        self.queue
            .iter()
            .map(|r| f64::from(tick - r.arrival_tick))
            .sum::<f64>()
            / self.queue.len() as f64
    }
}

/// A permit application waiting at a regulator.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PermitApplication {
    pub project_id: u64,
    pub earliest_tick: u32,
}

#[derive(Component, Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Regulator {
    pub index: usize,
    pub applications: Vec<PermitApplication>,
    pub permit_delay_quarters: u32,
    pub antitrust_review: bool,
    pub hhi_observed: f64,
    /// This quarter's flows, reset in one place (`begin_quarter`).
    pub flows: RegulatorFlows,
}

/// A regulator's decisions and fees this quarter: flows that start from zero
/// each quarter (`begin_quarter` resets them all at once), kept apart from
/// the state carried across quarters.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct RegulatorFlows {
    pub permits_granted: u32,
    pub licence_fees_usd: f64,
    pub blocked_units: u64,
}
