//! The supply side in the whole engine: the rest of the accelerator market
//! buys, and chipmakers price from scarcity. (That packaging never idles
//! while orders wait is a property of `market::gpu::plan_production`, tested
//! in the model crate.)

mod common;

use common::{run, run_config};
use moatsim_engine::TickFrame;

/// Revenue-weighted gross margin of all chipmakers over the quarters given.
fn margin(frames: &[TickFrame]) -> f64 {
    let (mut revenue, mut profit) = (0.0, 0.0);
    for frame in frames {
        for maker in &frame.chipmakers {
            if let Some(m) = maker.gross_margin {
                revenue += maker.revenue;
                profit += maker.revenue * m;
            }
        }
    }
    profit / revenue.max(1.0)
}

#[test]
fn the_rest_of_the_market_buys_accelerators_and_draws_power() {
    let frames = run(&["scenario.quarters=8"]);
    let first = &frames[0];
    let last = &frames[frames.len() - 1];
    let fleet = |f: &TickFrame| {
        f.accelerator_buyers
            .iter()
            .map(|b| b.fleet_h100e)
            .sum::<f64>()
    };
    let bought: f64 = frames
        .iter()
        .flat_map(|f| f.accelerator_buyers.iter())
        .map(|b| b.bought_h100e)
        .sum();
    assert!(bought > 0.0, "aggregate buyers receive accelerators");
    assert!(
        (fleet(last)
            - fleet(first)
            - frames[1..]
                .iter()
                .flat_map(|f| f.accelerator_buyers.iter())
                .map(|b| b.bought_h100e)
                .sum::<f64>())
        .abs()
            < 1.0,
        "a buyer's fleet grows by exactly what it receives"
    );
    // What buyers pay is chipmaker revenue: every buyer's spend appears in
    // the GPU market at its price.
    let spend: f64 = frames
        .iter()
        .flat_map(|f| f.accelerator_buyers.iter())
        .map(|b| b.spend)
        .sum();
    let chip_revenue: f64 = frames
        .iter()
        .flat_map(|f| f.chipmakers.iter())
        .map(|m| m.revenue)
        .sum();
    assert!(spend > 0.0 && spend < chip_revenue * 1.5);
    // Their fleets are part of the data-center load.
    let lab_load: f64 = last.projects.iter().map(|p| p.load_mw).sum();
    assert!(last.world.dc_load_mw > lab_load);
    assert!(last.world.market_fleet_h100e > last.world.online_compute_h100e - 1.0);
}

#[test]
fn buyers_pay_less_for_dearer_compute_and_nothing_above_its_value() {
    let cheap = run(&["scenario.quarters=4"]);
    let worthless = run(&[
        "scenario.quarters=4",
        "accelerator_buyers[us-hyperscalers].value_per_h100e_usd=1000",
    ]);
    let bought = |frames: &[TickFrame]| {
        frames
            .iter()
            .flat_map(|f| f.accelerator_buyers.iter())
            .filter(|b| b.name == "us-hyperscalers")
            .map(|b| b.bought_h100e)
            .sum::<f64>()
    };
    assert!(bought(&cheap) > 0.0);
    assert!(
        bought(&worthless).abs() < f64::MIN_POSITIVE,
        "no accelerator is worth buying"
    );
}

#[test]
fn margins_fall_under_a_glut_and_rise_under_scarcity() {
    let base = run(&["scenario.quarters=12"]);
    let glut = run(&[
        "scenario.quarters=12",
        "chipmakers[nvidia].packaging_wafers_per_quarter=120000",
        "chipmakers[amd].packaging_wafers_per_quarter=30000",
    ]);
    let scarce = run(&[
        "scenario.quarters=12",
        "chipmakers[nvidia].packaging_wafers_per_quarter=8000",
        "chipmakers[nvidia].expansion_wafers=0",
        "chipmakers[amd].expansion_wafers=0",
    ]);
    let late = |frames: &[TickFrame]| margin(&frames[8..]);
    assert!(
        late(&glut) < late(&base),
        "a glut cuts margins: {} vs {}",
        late(&glut),
        late(&base)
    );
    assert!(
        late(&scarce) >= late(&base),
        "scarcity keeps them at least as high: {} vs {}",
        late(&scarce),
        late(&base)
    );
    // In the baseline, every year's margin stays inside the published band
    // (chipmaker_gross_margin, 0.60-0.78) through 2027.
    for year in 0..3 {
        let m = margin(&base[year * 4..(year + 1) * 4]);
        assert!((0.55..=0.80).contains(&m), "year {year}: margin {m}");
    }
}

#[test]
fn labs_build_only_where_their_regulator_allows() {
    let (scenario, frames) = run_config("baseline.toml", &[]);
    let last = &frames[frames.len() - 1];
    let mut checked = 0;
    for project in &last.projects {
        let lab = last
            .labs
            .iter()
            .find(|l| l.lab_id == project.lab_id)
            .expect("the project's lab");
        let spec = scenario
            .labs
            .iter()
            .find(|s| s.name == lab.name)
            .expect("lab spec");
        let home = &scenario.regions[spec.home_region];
        let regulator = &scenario.regulators[home.regulator];
        let region = scenario
            .regions
            .iter()
            .find(|r| r.name == project.region)
            .expect("region");
        assert!(
            regulator.allows_building_in(&region.jurisdiction),
            "{} (home {}) built in {} ({})",
            lab.name,
            home.jurisdiction,
            region.name,
            region.jurisdiction
        );
        checked += 1;
    }
    assert!(
        checked > scenario.labs.len(),
        "labs opened new sites to check"
    );
    // The rule binds in the baseline: US labs would otherwise build in China.
    let opened_abroad = last.projects.iter().any(|p| {
        let lab = last.labs.iter().find(|l| l.lab_id == p.lab_id);
        lab.is_some_and(|l| l.jurisdiction == "us")
            && p.region != "us-texas"
            && p.region != "us-virginia"
    });
    assert!(opened_abroad, "US labs still build abroad where allowed");
}

#[test]
fn orders_a_sold_out_generation_cannot_fill_are_made_from_idle_wafers() {
    // AMD's launches sell out in the baseline while NVIDIA has wafers to
    // spare: the second round moves that demand to NVIDIA within the quarter.
    let frames = run(&["scenario.quarters=8"]);
    let spilled: Vec<&moatsim_engine::EventRow> = frames
        .iter()
        .flat_map(|f| f.events.iter())
        .filter(|e| e.kind == "orders_spilled")
        .collect();
    assert!(!spilled.is_empty(), "some demand spills over");
    assert!(
        spilled
            .iter()
            .all(|e| e.amount_usd > 0.0 && e.quantity.unwrap_or(0.0) > 0.0)
    );
    // Every unit sold, in either round, is paid for: each maker's revenue is
    // what its buyers paid in gpu_order events.
    for frame in &frames {
        for maker in &frame.chipmakers {
            let paid: f64 = frame
                .events
                .iter()
                .filter(|e| e.kind == "gpu_order" && e.counterparty_id == Some(maker.chipmaker_id))
                .map(|e| e.amount_usd)
                .sum();
            assert!(
                (paid - maker.revenue).abs() <= 1e-6 * maker.revenue.max(1.0),
                "{}: revenue {} but orders paid {paid}",
                maker.name,
                maker.revenue
            );
        }
    }
}

/// A buyer whose grid is full does not vanish from the power market: it
/// queues for the MW its order lacked, the utility sees that demand, and its
/// fleet grows once the queue grants the MW. (Before buyers queued, the
/// baseline's Virginia hyperscalers stayed at their starting fleet all run.)
#[test]
fn a_buyer_whose_grid_is_full_queues_for_power_and_grows_once_granted() {
    let frames = run(&["scenario.quarters=16"]);
    let rows: Vec<_> = frames
        .iter()
        .map(|f| {
            let buyer = f
                .accelerator_buyers
                .iter()
                .find(|b| b.name == "us-hyperscalers")
                .cloned();
            let utility = f
                .utilities
                .iter()
                .find(|u| u.region == "us-virginia")
                .cloned();
            (buyer, utility)
        })
        .collect();
    let Some(first_limited) = rows
        .iter()
        .position(|(b, _)| b.as_ref().is_some_and(|b| b.power_limited))
    else {
        panic!("the baseline's Virginia hyperscalers are power-limited at some point");
    };
    let (Some(buyer), Some(utility)) = &rows[first_limited] else {
        panic!("rows for the buyer and its utility");
    };
    assert!(buyer.power_queued_mw > 0.0, "it queues for what it lacked");
    assert!(
        utility.queue_mw >= buyer.power_queued_mw - 1e-6,
        "its request is in its utility's queue: {} of {}",
        buyer.power_queued_mw,
        utility.queue_mw
    );
    let start = buyer.fleet_h100e;
    let grown = rows[first_limited..]
        .iter()
        .filter_map(|(b, _)| b.as_ref())
        .any(|b| b.fleet_h100e > start * 1.1);
    assert!(grown, "the fleet grows once the queue grants the MW");
    for (buyer, _) in &rows {
        let Some(buyer) = buyer else { continue };
        assert!(buyer.power_queued_mw >= 0.0 && buyer.power_reserved_mw >= 0.0);
    }
}

/// A buyer whose home grid has no room first takes what the other regions of
/// its jurisdiction and export tier have left after their own buyers, and only
/// queues for the rest. The baseline's Virginia hyperscalers grow in Texas in
/// 2025; labs' and buyers' load never exceeds any utility's capacity.
#[test]
fn a_buyer_places_growth_where_its_jurisdiction_has_room() {
    let frames = run(&["scenario.quarters=4"]);
    let elsewhere: f64 = frames
        .iter()
        .flat_map(|f| f.accelerator_buyers.iter())
        .filter(|b| b.name == "us-hyperscalers")
        .map(|b| b.load_elsewhere_mw)
        .fold(0.0, f64::max);
    assert!(
        elsewhere > 0.0,
        "the Virginia hyperscalers run part of their fleet in Texas"
    );
    for frame in &frames {
        for buyer in &frame.accelerator_buyers {
            assert!(
                buyer.load_elsewhere_mw >= -1e-6 && buyer.load_elsewhere_mw <= buyer.load_mw + 1e-6,
                "{buyer:?}"
            );
            // Buyers outside the United States have no other region of their
            // jurisdiction in the baseline.
            if !buyer.region.starts_with("us-") {
                assert!(buyer.load_elsewhere_mw.abs() < 1e-9, "{buyer:?}");
            }
        }
        for utility in &frame.utilities {
            assert!(
                utility.committed_mw <= utility.generation_mw + 1e-6,
                "{utility:?}"
            );
        }
    }
}

/// A custom accelerator goes to its owner alone: hyperscaler-g buys
/// `configs/experiments/google-tpus.toml`'s TPUs, no other lab or buyer gets
/// one in either round of the market, and the design partner prices them at
/// its contract price throughout, with its Ethernet sold beside them.
#[test]
fn custom_accelerators_go_only_to_their_owner() {
    let (scenario, frames) = run_config("experiments/google-tpus.toml", &["scenario.quarters=8"]);
    let owner = scenario
        .labs
        .iter()
        .position(|l| l.name == "hyperscaler-g")
        .expect("hyperscaler-g");
    assert!((scenario.labs[owner].starting_h100e() - 900_000.0).abs() < 1.0);
    let owner_id = frames[0]
        .labs
        .iter()
        .find(|l| l.name == "hyperscaler-g")
        .map(|l| l.lab_id)
        .expect("owner's row");
    let custom: Vec<&str> = scenario
        .chips
        .iter()
        .filter(|c| c.owner.is_some())
        .map(|c| c.name.as_str())
        .collect();
    assert!(custom.len() >= 3, "{custom:?}");
    let mut sold = 0.0;
    for frame in &frames {
        for order in frame
            .events
            .iter()
            .filter(|e| e.kind == "gpu_order" && custom.contains(&e.detail.as_str()))
        {
            assert_eq!(order.agent_id, Some(owner_id), "{order:?}");
            sold += order.quantity.unwrap_or(0.0);
        }
        for row in frame.markets.iter().filter(|m| m.market == "gpu") {
            let Some(chip) = scenario
                .chips
                .iter()
                .find(|c| Some(c.name.as_str()) == row.item.as_deref())
            else {
                continue;
            };
            if chip.owner.is_some() && row.cleared > 0.0 {
                assert_eq!(
                    row.price,
                    Some(chip.launch_price_usd),
                    "{} is priced by contract",
                    chip.name
                );
            }
        }
    }
    assert!(sold > 100_000.0, "the owner buys its TPUs: {sold}");
    let partner_networking: f64 = frames
        .iter()
        .flat_map(|f| f.chipmakers.iter())
        .filter(|m| m.name == "broadcom")
        .map(|m| m.networking_revenue)
        .sum();
    assert!(partner_networking > 0.0, "the partner sells its fabric");
}

/// Labs' accelerators retire at the end of their life, as aggregate buyers'
/// do: with refresh off and a two-year life, the starting fleet (bought
/// evenly over the eight quarters before the start) leaves within the first
/// eight quarters, and the labs' book falls with it; with the five-year life
/// nothing ages out in the first three years.
#[test]
fn labs_accelerators_retire_at_the_end_of_their_life() {
    let retired_by = |frames: &[TickFrame], ticks: usize| -> u64 {
        frames[..ticks]
            .iter()
            .flat_map(|f| f.labs.iter())
            .map(|l| l.gpus_retired)
            .sum()
    };
    let (scenario, short) = run_config(
        "baseline.toml",
        &[
            "scenario.quarters=10",
            "behaviour.refresh_share_per_quarter=0",
            "world.gpu_life_quarters=8",
        ],
    );
    let starting_units: u64 = scenario
        .labs
        .iter()
        .flat_map(|l| l.starting_fleet())
        .map(|(chip, h100e)| (h100e / scenario.chips[chip].h100e_per_unit).ceil() as u64)
        .sum();
    let retired = retired_by(&short, 8);
    assert!(
        retired as f64 >= 0.99 * starting_units as f64 && retired <= starting_units + 10,
        "the starting fleet retires within its life: {retired} of {starting_units}"
    );
    // The book leaves with the units: a lab that bought nothing would have
    // none left; every lab's book is below its purchases since the start.
    for lab in &short[7].labs {
        let bought: f64 = short[..8]
            .iter()
            .flat_map(|f| f.labs.iter())
            .filter(|l| l.lab_id == lab.lab_id)
            .map(|l| l.capex)
            .sum();
        assert!(
            lab.depreciation * 8.0 <= bought + 1.0,
            "{}: depreciation {} on purchases of {bought}",
            lab.name,
            lab.depreciation
        );
    }
    let (_, long) = run_config(
        "baseline.toml",
        &[
            "scenario.quarters=12",
            "behaviour.refresh_share_per_quarter=0",
        ],
    );
    assert_eq!(retired_by(&long, 12), 0, "nothing ages out before 2028");
}
