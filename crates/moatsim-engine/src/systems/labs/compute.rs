//! Labs' compute in use: what comes online (power-efficient units first, the
//! rest stranded), its split between training and inference, and the
//! capability that training buys.

use crate::components::*;
use crate::events::{Event, EventKind};
use crate::resources::*;
use bevy_ecs::prelude::*;
use moatsim_model::rng::Purpose;
use moatsim_model::units::mw_drawn_by;
use moatsim_model::{rng, rules};

/// Online compute per site is bounded by both installed GPUs and energized MW:
/// the most power-efficient units are powered first; the rest are stranded.
/// Each lab then splits its online compute between training and inference.
pub fn bring_compute_online(
    clock: Res<Clock>,
    params: Res<Params>,
    mut projects: Query<&mut Project>,
    mut labs: Query<&mut Lab>,
) {
    let scenario = &params.0;
    let pue = scenario.world.pue;
    let mut by_efficiency: Vec<usize> = (0..scenario.chips.len()).collect();
    by_efficiency.sort_by(|&a, &b| {
        let ea = scenario.chips[a].h100e_per_unit / scenario.chips[a].watts;
        let eb = scenario.chips[b].h100e_per_unit / scenario.chips[b].watts;
        eb.total_cmp(&ea).then(a.cmp(&b))
    });
    let mut online_by_lab = vec![0.0; scenario.labs.len()];
    for mut project in &mut projects {
        let installed = project.installed_units();
        if project.stage != Stage::Energized {
            project.online_h100e = 0.0;
            project.online_units = 0;
            project.stranded_units = installed;
            project.load_mw = 0.0;
            continue;
        }
        let mut remaining_mw = project.mw;
        let mut online_h100e = 0.0;
        let mut online_units = 0;
        let mut load = 0.0;
        for &chip in &by_efficiency {
            let units = project.installed[chip];
            if units == 0 {
                continue;
            }
            let generation = &scenario.chips[chip];
            let powered =
                (moatsim_model::units::units_powered_by(remaining_mw, generation.watts, pue)
                    as u64)
                    .min(units);
            let draw = mw_drawn_by(powered as f64, generation.watts, pue);
            remaining_mw -= draw;
            load += draw;
            online_units += powered;
            online_h100e += powered as f64 * generation.h100e_per_unit;
        }
        project.online_h100e = online_h100e;
        project.online_units = online_units;
        project.stranded_units = installed - online_units;
        project.load_mw = load;
        online_by_lab[project.lab_index] += online_h100e;
    }
    for mut lab in &mut labs {
        // An outage (policy timeline) takes part of the owned fleet offline.
        let outage = lab.outage_at(clock.tick);
        lab.outage_applied = outage;
        let online = if lab.alive {
            online_by_lab[lab.index] * (1.0 - outage) + lab.rented_h100e
        } else {
            0.0
        };
        lab.online_h100e = online;
        lab.inference_h100e = online * lab.inference_share;
        lab.training_h100e = online - lab.inference_h100e;
        lab.capacity_mtok = lab.inference_h100e * lab.mtok_per_h100e;
    }
}

/// Capability grows with the log of cumulative effective training compute
/// (hardware × algorithmic efficiency), with research luck and the odd
/// breakthrough, and followers close part of their gap to the leader by
/// diffusion.
pub fn advance_capability(
    clock: Res<Clock>,
    params: Res<Params>,
    technology: Res<Technology>,
    mut labs: Query<(&Agent, &mut Lab)>,
    mut logs: ResMut<Logs>,
) {
    let world = &params.0.world;
    let efficiency = technology.algorithmic_efficiency;
    let leader = labs
        .iter()
        .filter(|(_, l)| l.alive)
        .map(|(_, l)| l.capability)
        .fold(0.0, f64::max);
    for (agent, mut lab) in &mut labs {
        if !lab.alive {
            continue;
        }
        let mut stream = rng::stream(clock.seed, Purpose::Research, agent.id, clock.tick);
        let luck = rng::lognormal(&mut stream, 1.0, world.research_luck_sigma);
        let before = lab.effective_training_compute;
        lab.effective_training_compute += lab.training_h100e * efficiency;
        let own = rules::capability_gain(
            before,
            lab.effective_training_compute,
            world.capability_reference_h100e,
            world.capability_rate,
        ) * luck;
        let breakthrough = if rng::uniform(&mut stream) < world.breakthrough_rate_per_quarter {
            world.breakthrough_size
        } else {
            0.0
        };
        if breakthrough > 0.0 {
            logs.event(
                Event::new(EventKind::Breakthrough)
                    .agent(agent.id)
                    .quantity(breakthrough)
                    .detail(format!("capability +{breakthrough}")),
            );
        }
        let spillover = rules::diffusion_gain(lab.capability, leader, world.diffusion_rate);
        lab.capability += own + breakthrough + spillover;
    }
}
