//! The `projects` table: one row per data-center project per quarter, from
//! the quarter it is started.

use arrow_array::UInt32Array;
use arrow_schema::DataType::{Float64, UInt32, UInt64, Utf8};
use std::sync::Arc;

use super::{TableDef, col, f64s, nullable, stamped, strings, u32s, u64s};

pub(crate) fn table() -> TableDef {
    TableDef {
        name: "projects",
        description: "One row per data-center project per quarter, from the quarter it is started.",
        rows: |f| f.projects.len(),
        columns: stamped(vec![
            col(
                "project_id",
                UInt64,
                "Project id (its own numbering, not an agent id)",
                |f| u64s(f.projects.iter().map(|x| x.project_id)),
            ),
            col("lab_id", UInt64, "The lab building it", |f| {
                u64s(f.projects.iter().map(|x| x.lab_id))
            }),
            col("region", Utf8, "Region of the site", |f| {
                strings(f.projects.iter().map(|x| x.region.as_str()))
            }),
            col(
                "stage",
                Utf8,
                "seeking_land, permitting, awaiting_power, construction or energized",
                |f| strings(f.projects.iter().map(|x| x.stage)),
            ),
            col(
                "mw",
                Float64,
                "Critical power the site is built for, MW",
                |f| f64s(f.projects.iter().map(|x| x.mw)),
            ),
            col("acres_held", Float64, "Land acquired so far, acres", |f| {
                f64s(f.projects.iter().map(|x| x.acres_held))
            }),
            col(
                "powered_acres",
                Float64,
                "The part of acres_held that is powered land: its MW need no queue place, acres",
                |f| f64s(f.projects.iter().map(|x| x.powered_acres)),
            ),
            col(
                "started_tick",
                UInt32,
                "Tick the project was started",
                |f| u32s(f.projects.iter().map(|x| x.started_tick)),
            ),
            nullable(
                "stage_ready_tick",
                UInt32,
                "Earliest tick the permit or construction ends (null while waiting on land or power)",
                |f| {
                    Arc::new(
                        f.projects
                            .iter()
                            .map(|x| x.stage_ready_tick)
                            .collect::<UInt32Array>(),
                    )
                },
            ),
            nullable(
                "construction_quarters",
                UInt32,
                "Quarters its construction takes, drawn when it starts around world.dc_build_quarters (null before construction; the starting sites take the median)",
                |f| {
                    Arc::new(
                        f.projects
                            .iter()
                            .map(|x| x.construction_quarters)
                            .collect::<UInt32Array>(),
                    )
                },
            ),
            col(
                "construction_paid",
                Float64,
                "Construction capex paid so far, USD",
                |f| f64s(f.projects.iter().map(|x| x.construction_paid)),
            ),
            col(
                "gpus_installed",
                UInt64,
                "Accelerators delivered to the site, units",
                |f| u64s(f.projects.iter().map(|x| x.gpus_installed)),
            ),
            col(
                "gpus_online",
                UInt64,
                "Installed accelerators with energized power, units",
                |f| u64s(f.projects.iter().map(|x| x.gpus_online)),
            ),
            col(
                "gpus_stranded",
                UInt64,
                "Installed accelerators without energized power, units",
                |f| u64s(f.projects.iter().map(|x| x.gpus_stranded)),
            ),
            col(
                "online_compute_h100e",
                Float64,
                "Compute online at the site, H100e",
                |f| f64s(f.projects.iter().map(|x| x.online_compute_h100e)),
            ),
            col(
                "load_mw",
                Float64,
                "Power drawn by the site's online accelerators, MW",
                |f| f64s(f.projects.iter().map(|x| x.load_mw)),
            ),
        ]),
    }
}
