//! Saving and restoring the whole simulation between quarters.
//!
//! A [`Snapshot`] holds every piece of state that lives from one quarter to
//! the next: every agent's components (in the order the world iterates them),
//! every project, the app-builder population and the carried-over resources.
//! What is rebuilt rather than saved:
//!
//! - random streams: every draw comes from a stream keyed by (seed, purpose,
//!   agent, tick), so there is no generator state;
//! - the rules in force (`Params`): replayed from the scenario's policy
//!   timeline up to the quarter restored;
//! - per-quarter scratch (each market's books, `MarketBooks`; `Logs`,
//!   `FrameSlot`): cleared at the start of every quarter.
//!
//! Restoring builds a fresh world from the scenario, which creates the same
//! archetypes in the same order, then overwrites each agent's components in
//! place and spawns the projects created since. Query order, and therefore
//! every floating-point sum, is the same as in the run that was saved.

use std::sync::Arc;

use bevy_ecs::prelude::*;
use moatsim_config::Scenario;
use serde::{Deserialize, Serialize};

use crate::apps::AppBuilderPopulation;
use crate::components::*;
use crate::resources::*;
use crate::systems::cloud::CloudMarket;
use crate::systems::contracts::ContractBook;
use crate::systems::quarter::apply_rule_change;
use crate::{EngineError, Simulation};

/// Everything a run needs to continue from the end of quarter `next_tick − 1`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Snapshot {
    pub next_tick: u32,
    units_accounted: u64,
    labs: Vec<(Agent, Cash, Lab)>,
    buyers: Vec<(Agent, Cash, AcceleratorBuyer)>,
    investors: Vec<(Agent, Cash, Investor)>,
    chipmakers: Vec<(Agent, Cash, Chipmaker)>,
    utilities: Vec<(Agent, Cash, Utility)>,
    regulators: Vec<(Agent, Cash, Regulator)>,
    projects: Vec<Project>,
    regions: RegionBook,
    ledger: Ledger,
    stats: QuarterStats,
    tiers: TierMarket,
    ties: JointVentureTies,
    ids: IdSource,
    cloud: CloudMarket,
    contracts: ContractBook,
    population: AppBuilderPopulation,
}

impl Snapshot {
    pub fn to_bytes(&self) -> Result<Vec<u8>, EngineError> {
        bincode::serialize(self).map_err(|e| EngineError::Checkpoint(e.to_string()))
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, EngineError> {
        bincode::deserialize(bytes).map_err(|e| EngineError::Checkpoint(e.to_string()))
    }
}

fn collect<T: Component + Clone>(world: &mut World) -> Vec<(Agent, Cash, T)> {
    let mut query = world.query::<(&Agent, &Cash, &T)>();
    query
        .iter(world)
        .map(|(a, c, t)| (a.clone(), *c, t.clone()))
        .collect()
}

/// Overwrites the agents of one kind in place, in iteration order.
fn overwrite<T: Component<Mutability = bevy_ecs::component::Mutable> + Clone>(
    world: &mut World,
    saved: &[(Agent, Cash, T)],
    kind: &str,
) -> Result<(), EngineError> {
    let mut query = world.query::<(&Agent, &mut Cash, &mut T)>();
    let mut count = 0;
    for (i, (agent, mut cash, mut state)) in query.iter_mut(world).enumerate() {
        let Some((saved_agent, saved_cash, saved_state)) = saved.get(i) else {
            return Err(mismatch(kind));
        };
        if saved_agent.id != agent.id {
            return Err(mismatch(kind));
        }
        *cash = *saved_cash;
        *state = saved_state.clone();
        count += 1;
    }
    if count == saved.len() {
        Ok(())
    } else {
        Err(mismatch(kind))
    }
}

fn mismatch(kind: &str) -> EngineError {
    EngineError::Checkpoint(format!(
        "the checkpoint's {kind} do not match the scenario's; it was saved from another configuration"
    ))
}

impl Simulation {
    /// The state after the quarters run so far.
    pub fn snapshot(&mut self) -> Snapshot {
        let world = &mut self.world;
        let mut projects = world.query::<&Project>();
        let projects: Vec<Project> = projects.iter(world).cloned().collect();
        Snapshot {
            next_tick: self.next_tick,
            units_accounted: self.units_accounted,
            labs: collect::<Lab>(world),
            buyers: collect::<AcceleratorBuyer>(world),
            investors: collect::<Investor>(world),
            chipmakers: collect::<Chipmaker>(world),
            utilities: collect::<Utility>(world),
            regulators: collect::<Regulator>(world),
            projects,
            regions: world.resource::<RegionBook>().clone(),
            ledger: world.resource::<Ledger>().clone(),
            stats: world.resource::<QuarterStats>().clone(),
            tiers: world.resource::<TierMarket>().clone(),
            ties: world.resource::<JointVentureTies>().clone(),
            ids: world.resource::<IdSource>().clone(),
            cloud: world.resource::<CloudMarket>().clone(),
            contracts: world.resource::<ContractBook>().clone(),
            population: world.resource::<AppBuilderPopulation>().clone(),
        }
    }

    /// A simulation of `scenario` that continues where `snapshot` left off.
    pub fn restore(scenario: Arc<Scenario>, snapshot: Snapshot) -> Result<Self, EngineError> {
        if snapshot.next_tick > scenario.quarters {
            return Err(EngineError::Checkpoint(format!(
                "the checkpoint is at quarter {} of a {}-quarter scenario",
                snapshot.next_tick, scenario.quarters
            )));
        }
        let mut sim = Simulation::new(Arc::clone(&scenario))?;
        let world = &mut sim.world;
        overwrite(world, &snapshot.labs, "labs")?;
        overwrite(world, &snapshot.buyers, "accelerator buyers")?;
        overwrite(world, &snapshot.investors, "investors")?;
        overwrite(world, &snapshot.chipmakers, "chipmakers")?;
        overwrite(world, &snapshot.utilities, "utilities")?;
        overwrite(world, &snapshot.regulators, "regulators")?;

        // Projects: the scenario's initial ones first (same order), then the
        // ones started during the run, spawned in the order they were iterated.
        let mut query = world.query::<&mut Project>();
        let mut existing = 0;
        for (i, mut project) in query.iter_mut(world).enumerate() {
            let Some(saved) = snapshot.projects.get(i) else {
                return Err(mismatch("projects"));
            };
            if saved.project_id != project.project_id {
                return Err(mismatch("projects"));
            }
            *project = saved.clone();
            existing += 1;
        }
        for project in snapshot.projects.iter().skip(existing) {
            world.spawn(project.clone());
        }

        *world.resource_mut::<RegionBook>() = snapshot.regions;
        *world.resource_mut::<Ledger>() = snapshot.ledger;
        *world.resource_mut::<QuarterStats>() = snapshot.stats;
        *world.resource_mut::<TierMarket>() = snapshot.tiers;
        *world.resource_mut::<JointVentureTies>() = snapshot.ties;
        *world.resource_mut::<IdSource>() = snapshot.ids;
        *world.resource_mut::<CloudMarket>() = snapshot.cloud;
        *world.resource_mut::<ContractBook>() = snapshot.contracts;
        *world.resource_mut::<AppBuilderPopulation>() = snapshot.population;

        // The rules in force: every policy change before the quarter resumed.
        if snapshot.next_tick > 0 {
            let resume_quarter = scenario.start.plus(snapshot.next_tick);
            let mut rules = (*scenario).clone();
            for event in scenario
                .events
                .iter()
                .filter(|e| e.quarter >= scenario.start && e.quarter < resume_quarter)
            {
                apply_rule_change(&mut rules, &event.change);
            }
            world.resource_mut::<Params>().0 = Arc::new(rules);
        }
        sim.next_tick = snapshot.next_tick;
        sim.units_accounted = snapshot.units_accounted;
        Ok(sim)
    }
}
