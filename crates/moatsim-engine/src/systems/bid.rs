//! Bid phase: labs bid for land, power and GPUs; investors bid into rounds.

use bevy_ecs::prelude::*;
use moatsim_config::Scenario;
use moatsim_model::accelerator_demand;
use moatsim_model::market::capital::{ValuationView, max_post_money};
use moatsim_model::market::cloud::{self, RentalBid};
use moatsim_model::market::gpu::{ExportTreatment, GpuBid};
use moatsim_model::market::land;
use moatsim_model::market::site::{self, SiteOffer, SiteTerms};
use moatsim_model::refresh::{InstalledGeneration, plan_refresh};
use moatsim_model::rng::{self, Purpose};
use moatsim_model::units::{HOURS_PER_QUARTER, mw_drawn_by, units_powered_by};

use crate::components::*;
use crate::resources::*;
use crate::systems::{export_treatment, lab_may_use_region, licence_fee_rates, products_on_sale};

/// Each lab opens at most one new site per quarter where its pipeline falls short
/// of its compute target, bids for land for its sites, and bids for GPUs for the
/// capacity it will have powered soon, within its capex budget.
#[allow(clippy::too_many_arguments)]
pub fn bid_for_sites_and_gpus(
    clock: Res<Clock>,
    params: Res<Params>,
    labs: Query<(&Agent, &Cash, &Lab)>,
    projects: Query<&Project>,
    chipmakers: Query<(&Agent, &Chipmaker)>,
    utilities: Query<&Utility>,
    regulators: Query<&Regulator>,
    investors: Query<&Investor>,
    regions: Res<RegionBook>,
    mut ids: ResMut<IdSource>,
    mut book: ResMut<OrderBook>,
    mut commands: Commands,
) {
    let scenario = &params.0;
    let world = &scenario.world;
    let tick = clock.tick;
    book.gpu_bids = vec![Vec::new(); scenario.chips.len()];
    book.refresh = Vec::new();
    book.land_bids = vec![Vec::new(); scenario.regions.len()];

    let fee_rate_of_maker = licence_fee_rates(scenario);
    // Current asks per chip generation, for generations on sale this quarter.
    let ask: Vec<Option<f64>> =
        products_on_sale(scenario, clock.quarter, chipmakers.iter().map(|(_, m)| m))
            .iter()
            .map(|p| p.map(|p| p.ask_usd))
            .collect();
    let sites = SiteConditions::new(
        scenario,
        &regions,
        tick,
        &utilities.iter().collect::<Vec<_>>(),
        &regulators.iter().collect::<Vec<_>>(),
        &investors.iter().collect::<Vec<_>>(),
        &ask,
        &fee_rate_of_maker,
    );

    let mut sorted_labs: Vec<(&Agent, &Cash, &Lab)> =
        labs.iter().filter(|(_, _, l)| l.alive).collect();
    sorted_labs.sort_by_key(|(a, _, _)| a.id);
    let mut sorted_projects: Vec<&Project> = projects.iter().collect();
    sorted_projects.sort_by_key(|p| p.project_id);

    for (agent, cash, lab) in sorted_labs {
        let spec = &scenario.labs[lab.index];
        let own: Vec<&Project> = sorted_projects
            .iter()
            .copied()
            .filter(|p| p.lab == agent.id)
            .collect();
        // Construction instalments come first: they are committed. The lab then
        // commits its usual share of the cash that is left, so a lab building
        // a large pipeline can still fill the halls that are already energized.
        let construction_due: f64 = own
            .iter()
            .filter(|p| p.stage == Stage::Construction && p.financier.is_none())
            .map(|p| p.construction_instalment_usd(world.dc_capex_per_mw_usd))
            .sum();
        let mut budget = (lab.capex_budget_usd - construction_due).max(
            spec.capex_fraction_of_cash * (cash.0 - construction_due).max(0.0)
                + spec.parent_funding_per_quarter_usd,
        );

        // A new site when the pipeline's free power cannot host the GPUs the
        // target still needs (existing fleets keep drawing their share).
        let free_pipeline_mw: f64 = own
            .iter()
            .map(|p| p.free_mw(&scenario.chips, world.pue))
            .sum();
        let installed_h100e: f64 = own.iter().map(|p| p.installed_h100e(&scenario.chips)).sum();
        let gap_h100e = (lab.target_h100e - installed_h100e).max(0.0);
        let shortfall = gap_h100e / sites.best_h100e_per_mw - free_pipeline_mw;
        let seeking = own.iter().any(|p| p.stage == Stage::SeekingLand);
        let value_per_mw_quarter =
            lab.price_per_mtok * lab.mtok_per_h100e * sites.best_h100e_per_mw;
        if shortfall > scenario.behaviour.min_project_mw * 0.5 && !seeking && budget > 0.0 {
            let mw = shortfall.clamp(
                scenario.behaviour.min_project_mw,
                scenario.behaviour.max_project_mw,
            );
            let offers = sites.offers(lab.index, spec.home_region, mw, value_per_mw_quarter);
            let terms = SiteTerms {
                mw,
                value_per_mw_quarter,
                energy_quarters: scenario.behaviour.site_energy_quarters,
                delay_cost_share: scenario.behaviour.delay_cost_share,
            };
            if let Some(region) = site::cheapest_site(&offers, &terms) {
                let acres = mw / scenario.regions[region].mw_per_acre;
                let project_id = ids.next_project;
                ids.next_project += 1;
                commands.spawn(Project::new_site(
                    project_id,
                    (agent.id, lab.index),
                    region,
                    (mw, acres),
                    tick,
                    scenario.chips.len(),
                    world.dc_build_quarters,
                ));
                let site = LandSite {
                    region,
                    project_id,
                    lab: (agent.id, lab.index),
                    acres,
                };
                budget -= sites.bid_for_land(&mut book, &site, value_per_mw_quarter);
            }
        }
        for project in own.iter().filter(|p| p.stage == Stage::SeekingLand) {
            let site = LandSite {
                region: project.region,
                project_id: project.project_id,
                lab: (agent.id, lab.index),
                acres: (project.acres_needed - project.acres_held).max(0.0),
            };
            budget -= sites.bid_for_land(&mut book, &site, value_per_mw_quarter);
        }

        // GPUs for power that is on or coming within the lead time, per region.
        let mut free_mw = vec![0.0; scenario.regions.len()];
        for p in &own {
            let soon = p.stage == Stage::Energized
                || (p.stage == Stage::Construction
                    && p.ready_tick <= tick + scenario.behaviour.gpu_lead_quarters);
            if soon {
                free_mw[p.region] += p.free_mw(&scenario.chips, world.pue);
            }
        }
        let total_free: f64 = free_mw.iter().sum();
        if budget <= 0.0 || gap_h100e <= 0.0 {
            continue;
        }
        let terms = LabGpuTerms {
            buyer: agent.id,
            lab,
            value_per_h100e: gpu_value_per_h100e(scenario, lab),
        };
        let mut spent = 0.0;
        if total_free > 0.0 {
            spent = bid_for_lab_gpus(
                scenario,
                &mut book,
                &ask,
                &fee_rate_of_maker,
                &terms,
                &free_mw,
                budget,
                gap_h100e,
            );
        }
        // The compute the target needs beyond the power it will have soon can
        // only come from refreshing the fleet on the power it has.
        let wanted_mw = gap_h100e / sites.best_h100e_per_mw - total_free;
        if wanted_mw > 0.0 && budget > spent {
            bid_for_fleet_refresh(
                scenario,
                &mut book,
                &ask,
                &fee_rate_of_maker,
                &terms,
                &own,
                wanted_mw,
                budget - spent,
                clock.quarter,
            );
        }
    }
}

/// What an H100e a lab buys is worth to it: what it earns serving for
/// `behaviour.gpu_value_quarters`, at least `gpu_value_floor_per_h100e_usd`.
fn gpu_value_per_h100e(scenario: &Scenario, lab: &Lab) -> f64 {
    let behaviour = &scenario.behaviour;
    (lab.price_per_mtok * lab.mtok_per_h100e * behaviour.gpu_value_quarters)
        .max(behaviour.gpu_value_floor_per_h100e_usd)
}

/// The lab a GPU bid is for: its id, its state and what an H100e is worth to it.
struct LabGpuTerms<'a> {
    buyer: moatsim_model::AgentId,
    lab: &'a Lab,
    value_per_h100e: f64,
}

/// Generations on sale that may go to `region`, with their price per unit
/// as the lab faces it (licence fee included) and their export treatment.
fn chips_for_region(
    scenario: &Scenario,
    ask: &[Option<f64>],
    fee_rate_of_maker: &[f64],
    region: usize,
) -> Vec<(usize, f64, ExportTreatment)> {
    let mut out = Vec::new();
    for (chip, price) in ask.iter().enumerate() {
        let Some(price) = *price else { continue };
        let treatment = export_treatment(
            scenario,
            region,
            chip,
            fee_rate_of_maker[scenario.chips[chip].maker],
        );
        let effective = match treatment {
            ExportTreatment::Licensed { fee_rate } => price * (1.0 + fee_rate),
            _ => price,
        };
        out.push((chip, effective, treatment));
    }
    out
}

/// A power-limited lab's bids to refresh its fleet, per region where it has
/// energized sites (`moatsim_model::refresh::plan_refresh`): the most
/// power-efficient generation allowed there replaces the least efficient
/// installed units wherever the compute it adds is worth its price, up to
/// `wanted_mw` and `budget`. The bid's limit is the refresh value of the
/// last generation it replaces, so every MW it replaces pays.
#[allow(clippy::too_many_arguments)]
fn bid_for_fleet_refresh(
    scenario: &Scenario,
    book: &mut OrderBook,
    ask: &[Option<f64>],
    fee_rate_of_maker: &[f64],
    terms: &LabGpuTerms,
    own: &[&Project],
    wanted_mw: f64,
    budget: f64,
    quarter: moatsim_model::Quarter,
) {
    let world = &scenario.world;
    let h100e_per_mw = |chip: usize| scenario.chips[chip].h100e_per_mw(world.pue);
    let mut wanted_mw = wanted_mw;
    let mut budget = budget;
    for region in 0..scenario.regions.len() {
        if wanted_mw <= 0.0 || budget <= 0.0 {
            break;
        }
        let mut installed_mw = vec![0.0; scenario.chips.len()];
        for p in own
            .iter()
            .filter(|p| p.region == region && p.stage == Stage::Energized)
        {
            for (chip, &units) in p.installed.iter().enumerate() {
                installed_mw[chip] +=
                    mw_drawn_by(units as f64, scenario.chips[chip].watts, world.pue);
            }
        }
        if installed_mw.iter().all(|&mw| mw <= 0.0) {
            continue;
        }
        let Some((chip, price, treatment)) =
            chips_for_region(scenario, ask, fee_rate_of_maker, region)
                .into_iter()
                .filter(|c| c.2 != ExportTreatment::Embargoed)
                .max_by(|a, b| {
                    h100e_per_mw(a.0)
                        .total_cmp(&h100e_per_mw(b.0))
                        .then(b.0.cmp(&a.0))
                })
        else {
            continue;
        };
        let generation = &scenario.chips[chip];
        let installed: Vec<InstalledGeneration> = installed_mw
            .iter()
            .enumerate()
            .filter(|(c, _)| {
                // Only generations old enough to be due for refresh.
                scenario.chips[*c]
                    .available
                    .plus(scenario.behaviour.refresh_min_age_quarters)
                    <= quarter
            })
            .map(|(c, &mw)| InstalledGeneration {
                chip: c,
                h100e_per_mw: h100e_per_mw(c),
                // Crews and downtime pace a refresh: a share of each
                // generation's power a quarter.
                mw: mw * scenario.behaviour.refresh_share_per_quarter,
            })
            .collect();
        let plan = plan_refresh(
            &installed,
            h100e_per_mw(chip),
            terms.value_per_h100e,
            price / generation.h100e_per_unit,
            wanted_mw,
        );
        let by_power = units_powered_by(plan.mw(), generation.watts, world.pue);
        let by_budget = (budget / price).floor();
        let units = by_power.min(by_budget).max(0.0) as u64;
        if units == 0 {
            continue;
        }
        book.gpu_bids[chip].push(RegionalGpuBid {
            region,
            bid: GpuBid {
                buyer: terms.buyer,
                units,
                limit_usd: plan.marginal_value_per_h100e * generation.h100e_per_unit,
                export: treatment,
            },
            refresh: true,
        });
        book.refresh.push(RefreshOrder {
            lab: terms.buyer,
            region,
            chip,
            retire_up_to_h100e_per_mw: plan.retire_up_to_h100e_per_mw,
            mw: mw_drawn_by(units as f64, generation.watts, world.pue),
        });
        wanted_mw -= plan.mw();
        budget -= units as f64 * price;
    }
}

/// What labs see of the regions this quarter when they place a site and bid
/// for its land: tariffs, permitting and queue waits, powered land on offer,
/// and the GPU terms that size sites and price licence fees.
struct SiteConditions<'a> {
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
    best_h100e_per_mw: f64,
    /// What a MW of GPUs costs at the cheapest price per H100e (0 with none
    /// on sale), for the licence fees of capped regions.
    gpu_cost_per_mw: f64,
    max_fee_rate: f64,
}

/// Land a lab bids for: a site's region, project, lab (id and index) and the
/// acres it still needs.
struct LandSite {
    region: usize,
    project_id: u64,
    lab: (moatsim_model::AgentId, usize),
    acres: f64,
}

impl<'a> SiteConditions<'a> {
    #[allow(clippy::too_many_arguments)]
    fn new(
        scenario: &'a Scenario,
        regions: &'a RegionBook,
        tick: u32,
        utilities: &[&Utility],
        regulators: &[&Regulator],
        investors: &[&Investor],
        ask: &[Option<f64>],
        fee_rate_of_maker: &[f64],
    ) -> Self {
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
        let best_h100e_per_mw = (0..scenario.chips.len())
            .filter(|&c| ask[c].is_some())
            .map(|c| scenario.chips[c].h100e_per_mw(world.pue))
            .fold(0.0, f64::max)
            .max(1.0);
        let cheapest_per_h100e = (0..scenario.chips.len())
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
            max_fee_rate: fee_rate_of_maker.iter().copied().fold(0.0, f64::max),
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
    fn offers(
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

    /// The site's land bids (`bid_for_site_land`); returns what the lab
    /// expects to pay.
    fn bid_for_land(
        &self,
        book: &mut OrderBook,
        site: &LandSite,
        value_per_mw_quarter: f64,
    ) -> f64 {
        let (lab_id, lab) = site.lab;
        bid_for_site_land(
            book,
            site.region,
            site.project_id,
            lab_id,
            site.acres,
            self.regions.regions[site.region].land_price_per_acre,
            self.skip_value_per_acre(site.region, value_per_mw_quarter),
            self.powered_split(lab, site.region, site.acres, value_per_mw_quarter),
            self.scenario.behaviour.raw_land_limit_multiple,
        )
    }
}

/// A lab's GPU bids for the power it will have soon, per region: its budget
/// and compute gap split in proportion to the free MW there, over the
/// generations on sale ranked by H100e per dollar (licence fee included),
/// each capped by power, gap and budget. Its limit is what an H100e earns it
/// serving for `behaviour.gpu_value_quarters` (at least
/// `gpu_value_floor_per_h100e_usd`), raised by urgency and, when it is
/// backlogged, by `behaviour.backlog_premium`. Returns what the bids would
/// cost at the asks.
#[allow(clippy::too_many_arguments)]
fn bid_for_lab_gpus(
    scenario: &Scenario,
    book: &mut OrderBook,
    ask: &[Option<f64>],
    fee_rate_of_maker: &[f64],
    terms: &LabGpuTerms,
    free_mw: &[f64],
    budget: f64,
    gap_h100e: f64,
) -> f64 {
    let world = &scenario.world;
    let total_free: f64 = free_mw.iter().sum();
    let lab = terms.lab;
    let value_per_h100e = terms.value_per_h100e;
    let mut spend = 0.0;
    for (region, &mw) in free_mw.iter().enumerate() {
        if mw <= 0.0 {
            continue;
        }
        let region_budget = budget * mw / total_free;
        let region_gap = gap_h100e * mw / total_free;
        // Rank generations on sale by H100e per dollar, licence fee included.
        let candidates: Vec<(usize, f64, ExportTreatment)> =
            chips_for_region(scenario, ask, fee_rate_of_maker, region)
                .into_iter()
                .map(|(chip, effective, treatment)| {
                    (
                        chip,
                        scenario.chips[chip].h100e_per_unit / effective,
                        treatment,
                    )
                })
                .collect();
        let allowed: Vec<_> = candidates
            .iter()
            .filter(|c| c.2 != ExportTreatment::Embargoed)
            .cloned()
            .collect();
        // With nothing allowed, labs still bid for the best chip: the market
        // blocks it, and the blocked demand is recorded.
        let mut ranked = if allowed.is_empty() {
            candidates
        } else {
            allowed
        };
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        // A backlogged lab spreads its order over more generations and pays up.
        let backlogged = lab.gpu_fill_ratio < scenario.behaviour.backlog_fill_ratio;
        let b = &scenario.behaviour;
        let split: &[f64] = if backlogged {
            &[
                b.backlog_gpu_weight_best,
                b.backlog_gpu_weight_second,
                b.backlog_gpu_weight_third,
            ]
        } else {
            &[b.gpu_weight_best, b.gpu_weight_second]
        };
        let used = split.len().min(ranked.len());
        let split_total: f64 = split[..used].iter().sum();
        for (rank, &(chip, per_dollar, treatment)) in ranked.iter().take(used).enumerate() {
            let weight = split[rank] / split_total;
            let generation = &scenario.chips[chip];
            let by_power = units_powered_by(mw * weight, generation.watts, world.pue);
            let by_gap = (region_gap * weight / generation.h100e_per_unit).ceil();
            let by_budget =
                (region_budget * weight * per_dollar / generation.h100e_per_unit).floor();
            let units = by_power.min(by_gap).min(by_budget).max(0.0) as u64;
            if units == 0 {
                continue;
            }
            let urgency = (gap_h100e / lab.target_h100e.max(1.0)).min(1.0)
                + if backlogged {
                    scenario.behaviour.backlog_premium
                } else {
                    0.0
                };
            book.gpu_bids[chip].push(RegionalGpuBid {
                region,
                bid: GpuBid {
                    buyer: terms.buyer,
                    units,
                    limit_usd: value_per_h100e * generation.h100e_per_unit * (1.0 + urgency),
                    export: treatment,
                },
                refresh: false,
            });
            spend += units as f64 * generation.h100e_per_unit / per_dollar;
        }
    }
    spend
}

/// A project's land bids: the powered acres worth their premium (`split`,
/// from `land::powered_acres_worth_buying`) and raw land for the rest. Raw
/// land is bid up to `behaviour.raw_land_limit_multiple` × its price, powered land up to
/// that plus what skipping the queue is worth per acre. Returns what the lab
/// expects to pay.
#[allow(clippy::too_many_arguments)]
fn bid_for_site_land(
    book: &mut OrderBook,
    region: usize,
    project_id: u64,
    lab: moatsim_model::AgentId,
    acres: f64,
    raw_price: f64,
    skip_value_per_acre: f64,
    split: (f64, f64),
    raw_land_limit_multiple: f64,
) -> f64 {
    let (powered, powered_cost) = split;
    let raw_limit = raw_price * raw_land_limit_multiple;
    if powered > 0.0 {
        book.land_bids[region].push(LandOrder {
            project_id: Some(project_id),
            buyer: lab,
            acres: powered,
            limit_per_acre: raw_limit + skip_value_per_acre,
            powered: true,
        });
    }
    let raw = (acres - powered).max(0.0);
    if raw > 0.0 {
        book.land_bids[region].push(LandOrder {
            project_id: Some(project_id),
            buyer: lab,
            acres: raw,
            limit_per_acre: raw_limit,
            powered: false,
        });
    }
    raw * raw_price + powered_cost
}

/// A lab whose owned compute falls short of its target rents compute for the
/// quarter from the simulation's cloud owners. It bids in every region where
/// it may put compute (`lab_may_use_region`) and the ask is at most what an
/// H100e is worth to it (`cloud::renter_value_per_h100e_quarter`), spreading
/// the shortfall in proportion to the owners' rental fleets there, as far as
/// its rent budget (a share of its cash) allows. This is where cash turns into
/// compute without waiting years for a site: a lab with more money bids for more.
pub fn bid_for_rented_compute(
    params: Res<Params>,
    cloud: Res<CloudMarket>,
    labs: Query<(&Agent, &Cash, &Lab)>,
    mut book: ResMut<OrderBook>,
) {
    let scenario = &params.0;
    let spec = &scenario.cloud;
    book.rental_bids = vec![Vec::new(); scenario.regions.len()];
    let mut sorted: Vec<(&Agent, &Cash, &Lab)> = labs.iter().filter(|(_, _, l)| l.alive).collect();
    sorted.sort_by_key(|(a, _, _)| a.id);
    for (agent, cash, lab) in sorted {
        // Last quarter's own compute: what was online less what was rented.
        let owned = (lab.online_h100e - lab.rented_h100e).max(0.0);
        let wanted = (lab.target_h100e - owned).max(0.0);
        if wanted <= 0.0 {
            continue;
        }
        let value = cloud::renter_value_per_h100e_quarter(
            lab.price_per_mtok * lab.mtok_per_h100e,
            lab.utilisation(),
            spec.training_value_per_h100e_hour_usd * HOURS_PER_QUARTER,
        );
        let home = scenario.labs[lab.index].home_region;
        let regions: Vec<usize> = (0..scenario.regions.len())
            .filter(|&r| {
                let market = &cloud.regions[r];
                market.last_fleet_h100e > 0.0
                    && market.ask_per_h100e_quarter <= value
                    && lab_may_use_region(scenario, home, r)
            })
            .collect();
        let fleet: f64 = regions
            .iter()
            .map(|&r| cloud.regions[r].last_fleet_h100e)
            .sum();
        if fleet <= 0.0 {
            continue;
        }
        let budget = spec.rent_cash_share * cash.0.max(0.0);
        for r in regions {
            let share = cloud.regions[r].last_fleet_h100e / fleet;
            let ask = cloud.regions[r].ask_per_h100e_quarter;
            let affordable = if ask > 0.0 {
                budget * share / ask
            } else {
                f64::INFINITY
            };
            let h100e = (wanted * share).min(affordable);
            if h100e > 0.0 {
                book.rental_bids[r].push(RentalBid {
                    renter: agent.id,
                    h100e,
                    value_per_h100e_quarter: value,
                });
            }
        }
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
    mut book: ResMut<OrderBook>,
) {
    if book.rounds.is_empty() {
        return;
    }
    let behaviour = &params.0.behaviour;
    let mut sorted: Vec<(&Agent, &Cash, &Investor)> = investors.iter().collect();
    sorted.sort_by_key(|(a, _, _)| a.id);
    let mut bids = Vec::new();
    for (agent, cash, investor) in sorted {
        let mut remaining = cash.0.max(0.0);
        let mut stream = rng::stream(clock.seed, Purpose::InvestorAppetite, agent.id, clock.tick);
        for round in &book.rounds {
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
    book.investor_bids = bids;
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
    mut book: ResMut<OrderBook>,
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
                book.land_bids[r].push(LandOrder {
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
            book.land_bids[r].push(LandOrder {
                project_id: None,
                buyer: agent.id,
                acres,
                limit_per_acre: region.land_price_per_acre,
                powered: false,
            });
        }
    }
}

/// One aggregate buyer's order this quarter: the generations it buys and in
/// what shares, the MW an H100e of that mix draws, the H100e it wants, and
/// where they are placed (region, H100e).
struct BuyerPlan {
    buyer: moatsim_model::AgentId,
    home: usize,
    offers: Vec<(usize, f64, ExportTreatment)>,
    shares: Vec<f64>,
    mw_per_h100e: f64,
    ordered: f64,
    placed: Vec<(usize, f64)>,
    /// Grid room found for it, MW: at home (spare share plus queue grants)
    /// and elsewhere.
    room_mw: f64,
}

/// Aggregate buyers (the rest of the accelerator market) order the fleet
/// growth they want at this quarter's asks (`accelerator_demand`): the compute
/// they want at the reference price, scaled by the price elasticity, nothing
/// above their value, spread over the generations their region may buy
/// towards the most H100e per dollar, and no more than their grid can power.
/// Cloud owners also build rental capacity towards unmet rental demand while
/// renting pays.
pub fn bid_for_accelerators(
    clock: Res<Clock>,
    params: Res<Params>,
    mut buyers: Query<(&Agent, &mut AcceleratorBuyer)>,
    chipmakers: Query<&Chipmaker>,
    utilities: Query<&Utility>,
    cloud: Res<CloudMarket>,
    mut book: ResMut<OrderBook>,
) {
    let scenario = &params.0;
    let pue = scenario.world.pue;
    if book.gpu_bids.len() != scenario.chips.len() {
        book.gpu_bids = vec![Vec::new(); scenario.chips.len()];
    }
    let on_sale = products_on_sale(scenario, clock.quarter, chipmakers.iter());
    let ask: Vec<Option<f64>> = on_sale.iter().map(|p| p.map(|p| p.ask_usd)).collect();
    // The share of its orders each generation is expected to fill.
    let availability: Vec<f64> = on_sale
        .iter()
        .map(|p| p.map_or(1.0, |p| p.expected_fill))
        .collect();
    let fee_rate_of_maker = licence_fee_rates(scenario);
    // Spare grid capacity per region, shared by the region's buyers.
    let mut room_mw = vec![0.0; scenario.regions.len()];
    for utility in &utilities {
        let spec = &scenario.utilities[utility.index];
        room_mw[utility.region] += utility.spare_mw(spec.min_reserve_margin).max(0.0);
    }
    let mut buyers_in_region = vec![0usize; scenario.regions.len()];
    let mut rental_fleet = vec![0.0; scenario.regions.len()];
    for (_, buyer) in &buyers {
        buyers_in_region[buyer.region] += 1;
        rental_fleet[buyer.region] += buyer.rental_fleet_h100e;
    }

    let mut sorted: Vec<(&Agent, Mut<AcceleratorBuyer>)> = buyers.iter_mut().collect();
    sorted.sort_by_key(|(a, _)| a.id);
    // Spare capacity each region's buyers have used this quarter, MW.
    let mut spare_used = vec![0.0; scenario.regions.len()];
    let mut plans: Vec<BuyerPlan> = Vec::new();
    for (agent, buyer) in sorted.iter_mut() {
        let spec = &scenario.accelerator_buyers[buyer.index];
        let growth = accelerator_demand::wanted_growth(
            spec.growth_per_quarter,
            spec.growth_half_life_quarters,
            clock.tick,
        );
        // The rental fleet grows to orders: towards last quarter's unmet
        // rental demand in its region, in proportion to its share of the
        // region's rental fleets, and only while renting covers what owning costs.
        let market = &cloud.regions[buyer.region];
        let renting_pays = market.ask_per_h100e_quarter >= buyer.rental_cost_per_h100e_quarter;
        buyer.flows.wanted_for_rent_h100e = if buyer.rental_fleet_h100e > 0.0 && renting_pays {
            let share =
                buyer.rental_fleet_h100e / rental_fleet[buyer.region].max(f64::MIN_POSITIVE);
            market.last_unmet_h100e * share
        } else {
            0.0
        };
        buyer.flows.wanted_h100e = (buyer.fleet_h100e - buyer.rental_fleet_h100e).max(0.0) * growth
            + buyer.flows.wanted_for_rent_h100e;
        // What each generation costs this buyer per H100e, licence fee included.
        let mut offers: Vec<(usize, f64, ExportTreatment)> = Vec::new();
        for (chip, price) in ask.iter().enumerate() {
            let Some(price) = *price else { continue };
            let generation = &scenario.chips[chip];
            let treatment = export_treatment(
                scenario,
                buyer.region,
                chip,
                fee_rate_of_maker[generation.maker],
            );
            let faced = match treatment {
                ExportTreatment::Embargoed => continue,
                ExportTreatment::Licensed { fee_rate } => price * (1.0 + fee_rate),
                ExportTreatment::Unrestricted => price,
            };
            let per_h100e = faced / generation.h100e_per_unit;
            // A generation dearer than the compute is worth is not worth ordering.
            if per_h100e <= spec.value_per_h100e_usd {
                offers.push((chip, per_h100e, treatment));
            }
        }
        let Some(cheapest) = offers.iter().map(|o| o.1).min_by(f64::total_cmp) else {
            continue;
        };
        let ordered = accelerator_demand::h100e_ordered(
            buyer.flows.wanted_h100e,
            cheapest,
            spec.reference_price_per_h100e_usd,
            spec.price_elasticity,
            spec.value_per_h100e_usd,
        );
        let value: Vec<f64> = offers.iter().map(|o| 1.0 / o.1).collect();
        let available: Vec<f64> = offers.iter().map(|o| availability[o.0]).collect();
        let shares = accelerator_demand::split_by_value(&value, &available, spec.choice_sharpness);
        // The grid's spare capacity caps what the order may add to the load.
        let mw_per_h100e: f64 = offers
            .iter()
            .zip(&shares)
            .map(|(o, share)| {
                let generation = &scenario.chips[o.0];
                share * mw_drawn_by(1.0, generation.watts, pue) / generation.h100e_per_unit
            })
            .sum();
        // At home: its share of the region's spare capacity plus what the
        // queue granted it. What does not fit waits for the second pass.
        let home_room = room_mw[buyer.region] / buyers_in_region[buyer.region].max(1) as f64
            + buyer.power_reserved_mw;
        let at_home = if mw_per_h100e > 0.0 && ordered * mw_per_h100e > home_room {
            home_room / mw_per_h100e
        } else {
            ordered
        };
        spare_used[buyer.region] += (at_home * mw_per_h100e - buyer.power_reserved_mw).max(0.0);
        plans.push(BuyerPlan {
            buyer: agent.id,
            home: buyer.region,
            offers,
            shares,
            mw_per_h100e,
            ordered,
            placed: vec![(buyer.region, at_home)],
            room_mw: home_room,
        });
    }

    // Second pass, in agent-id order: a buyer whose home grid could not host
    // its order places the rest where the region's own buyers left spare
    // capacity, in the other regions of its jurisdiction and export tier.
    for plan in &mut plans {
        let mut short = plan.ordered - plan.placed[0].1;
        if plan.mw_per_h100e <= 0.0 || short <= 0.0 {
            continue;
        }
        let home = &scenario.regions[plan.home];
        for (r, region) in scenario.regions.iter().enumerate() {
            let same_rules =
                region.jurisdiction == home.jurisdiction && region.export_tier == home.export_tier;
            if r == plan.home || !same_rules || short <= 0.0 {
                continue;
            }
            let left_mw = (room_mw[r] - spare_used[r]).max(0.0);
            let take = short.min(left_mw / plan.mw_per_h100e);
            if take > 0.0 {
                spare_used[r] += take * plan.mw_per_h100e;
                plan.room_mw += take * plan.mw_per_h100e;
                plan.placed.push((r, take));
                short -= take;
            }
        }
    }

    for plan in plans {
        let Some((_, buyer)) = sorted.iter_mut().find(|(a, _)| a.id == plan.buyer) else {
            continue;
        };
        let spec = &scenario.accelerator_buyers[buyer.index];
        let ordered: f64 = plan.placed.iter().map(|p| p.1).sum();
        // What no region could host joins the home queue.
        if plan.mw_per_h100e > 0.0 && plan.ordered * plan.mw_per_h100e > plan.room_mw {
            buyer.flows.power_to_request_mw = accelerator_demand::power_to_request(
                plan.ordered * plan.mw_per_h100e,
                plan.room_mw,
                buyer.power_queued_mw,
            );
            buyer.flows.power_limited = true;
        }
        buyer.flows.ordered_h100e = ordered;
        for &(region, h100e) in &plan.placed {
            for ((chip, _, treatment), share) in plan.offers.iter().zip(&plan.shares) {
                let generation = &scenario.chips[*chip];
                let units = (h100e * share / generation.h100e_per_unit).floor() as u64;
                if units == 0 {
                    continue;
                }
                // The limit is the buyer's value of the unit, licence fee included.
                let limit = spec.value_per_h100e_usd * generation.h100e_per_unit;
                book.gpu_bids[*chip].push(RegionalGpuBid {
                    region,
                    bid: GpuBid {
                        buyer: plan.buyer,
                        units,
                        limit_usd: limit,
                        export: *treatment,
                    },
                    refresh: false,
                });
            }
        }
    }
    // Clearing breaks ties by input order: bids in agent-id order.
    for bids in &mut book.gpu_bids {
        bids.sort_by_key(|b| b.bid.buyer);
    }
}
