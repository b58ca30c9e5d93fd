//! The quarter as one schedule: phases chained in order, systems chained within
//! each phase, ambiguity detection set to error so that two systems touching the
//! same data without an order fail the build instead of racing.

use bevy_ecs::prelude::*;
use bevy_ecs::schedule::{LogLevel, ScheduleBuildSettings};

use crate::systems::{account, bid, build, clear, decide, record, serve};

/// The phases of a quarter, in order.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub enum QuarterSystems {
    Decide,
    Bid,
    ClearMarkets,
    Build,
    Serve,
    Account,
    Record,
}

pub fn quarter_schedule() -> Schedule {
    let mut schedule = Schedule::default();
    schedule.set_build_settings(ScheduleBuildSettings {
        ambiguity_detection: LogLevel::Error,
        ..Default::default()
    });
    schedule.configure_sets(
        (
            QuarterSystems::Decide,
            QuarterSystems::Bid,
            QuarterSystems::ClearMarkets,
            QuarterSystems::Build,
            QuarterSystems::Serve,
            QuarterSystems::Account,
            QuarterSystems::Record,
        )
            .chain(),
    );
    schedule.add_systems(
        (
            decide::begin_quarter,
            decide::apply_policy_timeline,
            decide::sell_failed_labs,
            decide::price_cloud_rental,
            decide::plan_generation,
            decide::plan_chip_supply,
            decide::review_permits_and_concentration,
            decide::plan_labs,
            decide::finance_halls,
            decide::form_joint_ventures,
        )
            .chain()
            .in_set(QuarterSystems::Decide),
    );
    schedule.add_systems(
        (
            bid::bid_for_sites_and_gpus,
            bid::bid_for_accelerators,
            bid::bank_land,
            bid::bid_in_rounds,
            bid::bid_for_rented_compute,
        )
            .chain()
            .in_set(QuarterSystems::Bid),
    );
    schedule.add_systems(
        (
            clear::produce_to_order,
            clear::clear_gpu_markets,
            clear::clear_land_markets,
            clear::clear_power_queues,
            clear::clear_capital_market,
            clear::clear_rented_compute,
        )
            .chain()
            .in_set(QuarterSystems::ClearMarkets),
    );
    schedule.add_systems(
        (
            build::advance_projects,
            build::install_delivered_gpus,
            build::connect_buyer_fleets,
        )
            .chain()
            .in_set(QuarterSystems::Build),
    );
    schedule.add_systems(
        (
            serve::bring_compute_online,
            serve::serve_app_builders,
            serve::advance_capability,
        )
            .chain()
            .in_set(QuarterSystems::Serve),
    );
    schedule.add_systems(
        (
            account::book_running_costs,
            account::book_depreciation,
            account::settle_payments,
            account::mark_valuations_and_exits,
        )
            .chain()
            .in_set(QuarterSystems::Account),
    );
    schedule.add_systems(record::record_quarter.in_set(QuarterSystems::Record));
    schedule
}
