//! The quarter as one schedule: phases chained in order, systems chained within
//! each phase, ambiguity detection set to error so that two systems touching the
//! same data without an order fail the build instead of racing.

use bevy_ecs::prelude::*;
use bevy_ecs::schedule::{LogLevel, ScheduleBuildSettings};

use crate::systems::{
    account, capital, cloud, contracts, gpu, inference, labs, land, power, projects, quarter,
    record,
};

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
            quarter::begin_quarter,
            gpu::install::retire_aged_buyer_fleets,
            gpu::install::retire_aged_lab_fleets,
            quarter::apply_policy_timeline,
            capital::sell_failed_labs,
            cloud::price_cloud_rental,
            contracts::sign_compute_contracts,
            power::plan_generation,
            gpu::supply::plan_chip_supply,
            quarter::review_permits_and_concentration,
            labs::plan_labs,
            projects::finance_halls,
            labs::form_joint_ventures,
        )
            .chain()
            .in_set(QuarterSystems::Decide),
    );
    schedule.add_systems(
        (
            labs::bid_for_sites_and_gpus,
            gpu::orders::bid_for_accelerators,
            land::bank_land,
            capital::bid_in_rounds,
            cloud::bid_for_rented_compute,
        )
            .chain()
            .in_set(QuarterSystems::Bid),
    );
    schedule.add_systems(
        (
            gpu::supply::produce_to_order,
            gpu::clear::clear_gpu_markets,
            land::clear_land_markets,
            power::clear_power_queues,
            capital::clear_capital_market,
            contracts::deliver_contracted_compute,
            cloud::clear_rented_compute,
        )
            .chain()
            .in_set(QuarterSystems::ClearMarkets),
    );
    schedule.add_systems(
        (
            projects::advance_projects,
            gpu::install::install_delivered_gpus,
            power::connect_buyer_fleets,
        )
            .chain()
            .in_set(QuarterSystems::Build),
    );
    schedule.add_systems(
        (
            labs::bring_compute_online,
            inference::serve_app_builders,
            labs::advance_capability,
        )
            .chain()
            .in_set(QuarterSystems::Serve),
    );
    schedule.add_systems(
        (
            account::book_running_costs,
            account::book_depreciation,
            account::settle_payments,
            capital::mark_valuations_and_exits,
        )
            .chain()
            .in_set(QuarterSystems::Account),
    );
    schedule.add_systems(record::record_quarter.in_set(QuarterSystems::Record));
    schedule
}
