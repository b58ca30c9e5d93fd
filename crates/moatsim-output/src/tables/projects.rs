//! The `projects` table: one row per data-center project per quarter, from
//! the quarter it is started.

use super::TableDef;
use super::declare::Table;

pub(crate) fn table() -> TableDef {
    let mut t = Table::new(
        "projects",
        "One row per data-center project per quarter, from the quarter it is started.",
        |f| &f.projects,
    );
    t.u64("project_id", |r| r.project_id)
        .means("Project id (its own numbering, not an agent id)");
    t.u64("lab_id", |r| r.lab_id).means("The lab building it");
    t.str("region", |r| &r.region).means("Region of the site");
    t.str("stage", |r| r.stage)
        .means("seeking_land, permitting, awaiting_power, construction or energized");
    t.f64("mw", |r| r.mw)
        .means("Critical power the site is built for, MW");
    t.f64("acres_held", |r| r.acres_held)
        .means("Land acquired so far, acres");
    t.f64("powered_acres", |r| r.powered_acres)
        .means("The part of acres_held that is powered land: its MW need no queue place, acres");
    t.u32("started_tick", |r| r.started_tick)
        .means("Tick the project was started");
    t.nullable_u32("stage_ready_tick", |r| r.stage_ready_tick)
        .means(
            "Earliest tick the permit or construction ends (null while waiting on land or power)",
        );
    t.nullable_u32("construction_quarters", |r| r.construction_quarters)
        .means("Quarters its construction takes, drawn when it starts around world.dc_build_quarters (null before construction; the starting sites take the median)");
    t.f64("construction_paid", |r| r.construction_paid)
        .means("Construction capex paid so far, USD");
    t.u64("gpus_installed", |r| r.gpus_installed)
        .means("Accelerators delivered to the site, units");
    t.u64("gpus_online", |r| r.gpus_online)
        .means("Installed accelerators with energized power, units");
    t.u64("gpus_stranded", |r| r.gpus_stranded)
        .means("Installed accelerators without energized power, units");
    t.f64("online_compute_h100e", |r| r.online_compute_h100e)
        .means("Compute online at the site, H100e");
    t.f64("load_mw", |r| r.load_mw)
        .means("Power drawn by the site's online accelerators, MW");
    t.build()
}
