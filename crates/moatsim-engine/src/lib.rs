//! The bevy_ecs world of moatsim: agents as entities, one schedule run per quarter.
//!
//! [`Simulation::new`] builds the world from a validated scenario and
//! [`Simulation::step`] runs one quarter and returns its [`TickFrame`]. The
//! engine does no I/O and owns no threads: callers that want parallelism run
//! `step` inside a rayon pool, and the app-builder step uses that pool.

pub mod apps;
pub mod checkpoint;
pub mod components;
pub mod events;
pub mod records;
pub mod resources;
pub mod schedule;
mod setup;
pub mod systems;

use std::sync::Arc;

use bevy_ecs::prelude::*;
use moatsim_config::Scenario;

pub use records::*;

use crate::apps::AppBuilderPopulation;
use crate::components::{Agent, Cash};
use crate::resources::{Clock, FrameSlot, Ledger};

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("the quarter schedule is invalid: {0}")]
    Schedule(String),
    #[error("checkpoint: {0}")]
    Checkpoint(String),
}

/// A running simulation of one scenario.
pub struct Simulation {
    world: World,
    schedule: Schedule,
    scenario: Arc<Scenario>,
    next_tick: u32,
    /// GPUs installed when the run started plus all units sold since.
    units_accounted: u64,
}

impl std::fmt::Debug for Simulation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulation")
            .field("scenario", &self.scenario.name)
            .field("next_tick", &self.next_tick)
            .finish_non_exhaustive()
    }
}

/// Money totals used to check that every dollar is accounted for.
#[derive(Debug, Clone, Copy)]
pub struct MoneyTotals {
    /// Cash of every named agent plus every app builder.
    pub agent_cash_usd: f64,
    pub external_in_usd: f64,
    pub external_out_usd: f64,
}

impl Simulation {
    pub fn new(scenario: Arc<Scenario>) -> Result<Self, EngineError> {
        let mut world = World::new();
        setup::populate(&mut world, &scenario);
        let mut schedule = schedule::quarter_schedule();
        schedule
            .initialize(&mut world)
            .map_err(|error| EngineError::Schedule(error.to_string(schedule.graph(), &world)))?;
        let mut sim = Self {
            world,
            schedule,
            scenario,
            next_tick: 0,
            units_accounted: 0,
        };
        sim.units_accounted = sim.installed_units();
        Ok(sim)
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Quarters simulated so far.
    pub fn ticks_done(&self) -> u32 {
        self.next_tick
    }

    pub fn is_finished(&self) -> bool {
        self.next_tick >= self.scenario.quarters
    }

    /// Runs the next quarter and returns what it recorded, or `None` when the
    /// horizon has been reached.
    pub fn step(&mut self) -> Option<TickFrame> {
        if self.is_finished() {
            return None;
        }
        let tick = self.next_tick;
        {
            let mut clock = self.world.resource_mut::<Clock>();
            clock.tick = tick;
            clock.quarter = setup::quarter_of(&self.scenario, tick);
        }
        self.schedule.run(&mut self.world);
        self.next_tick += 1;
        let frame = self.world.resource_mut::<FrameSlot>().0.take();
        if let Some(frame) = &frame {
            self.units_accounted += frame.chipmakers.iter().map(|m| m.units_sold).sum::<u64>();
        }
        frame
    }

    /// App builders currently in the population (alive or not).
    pub fn builder_count(&self) -> usize {
        self.world.resource::<AppBuilderPopulation>().len()
    }

    /// Cash held by all agents and the external flows so far.
    pub fn money_totals(&mut self) -> MoneyTotals {
        let mut named = 0.0;
        let mut query = self.world.query::<(&Agent, &Cash)>();
        let mut cash: Vec<(u64, f64)> = query
            .iter(&self.world)
            .map(|(a, c)| (a.id.get(), c.0))
            .collect();
        cash.sort_by_key(|c| c.0);
        for (_, c) in cash {
            named += c;
        }
        let builders: f64 = self
            .world
            .resource::<AppBuilderPopulation>()
            .cash
            .iter()
            .sum();
        let ledger = self.world.resource::<Ledger>();
        MoneyTotals {
            agent_cash_usd: named + builders,
            external_in_usd: ledger.external_in_usd,
            external_out_usd: ledger.external_out_usd,
        }
    }

    /// GPUs that should be installed (the labs' initial fleets plus every unit
    /// sold) and GPUs that are: at labs' sites, installed or stranded, retired
    /// from them in a fleet refresh, or delivered to aggregate buyers.
    pub fn gpu_totals(&mut self) -> (u64, u64) {
        (self.units_accounted, self.installed_units())
    }

    fn installed_units(&mut self) -> u64 {
        let mut projects = self.world.query::<&components::Project>();
        let at_sites: u64 = projects
            .iter(&self.world)
            .map(|p| p.installed_units() + p.retired_units)
            .sum();
        let mut buyers = self.world.query::<&components::AcceleratorBuyer>();
        let at_buyers: u64 = buyers.iter(&self.world).map(|b| b.units_delivered).sum();
        at_sites + at_buyers
    }
}
