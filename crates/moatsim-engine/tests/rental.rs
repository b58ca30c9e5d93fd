//! Cloud rental inside the market, in the whole engine: owners in the
//! simulation rent to labs, between the owners' cost and the labs' value,
//! where export rules and the labs' regulators allow. (Clearing itself is
//! property-tested in `moatsim_model::market::cloud`.)

mod common;

use common::{run, run_config};
use moatsim_engine::TickFrame;

const HOURS_PER_QUARTER: f64 = moatsim_model::units::HOURS_PER_QUARTER;

/// The cloud market's price in `region` this quarter, USD per H100e-hour.
fn rental_price(frame: &TickFrame, region: &str) -> Option<f64> {
    frame
        .markets
        .iter()
        .find(|m| m.market == "cloud" && m.region.as_deref() == Some(region))
        .and_then(|m| m.price)
        .map(|p| p / HOURS_PER_QUARTER)
}

#[test]
fn owners_inside_the_market_rent_to_labs_and_never_at_a_loss() {
    let frames = run(&["scenario.quarters=12"]);
    let mut rented_total = 0.0;
    for frame in &frames {
        let paid: f64 = frame.labs.iter().map(|l| l.rent).sum();
        let received: f64 = frame
            .accelerator_buyers
            .iter()
            .map(|b| b.rental_revenue)
            .sum();
        assert!(
            (paid - received).abs() <= 1e-6 * paid.max(1.0),
            "{}: labs paid {paid} in rent, owners received {received}",
            frame.stamp.quarter
        );
        let rented: f64 = frame.labs.iter().map(|l| l.rented_compute_h100e).sum();
        let rented_out: f64 = frame
            .accelerator_buyers
            .iter()
            .map(|b| b.rented_out_h100e)
            .sum();
        assert!((rented - rented_out).abs() <= 1e-6 * rented.max(1.0));
        rented_total += rented;
        for owner in frame
            .accelerator_buyers
            .iter()
            .filter(|b| b.rented_out_h100e > 0.0)
        {
            let price = rental_price(frame, &owner.region).expect("a market row where it rents");
            assert!(
                owner.rental_cost_per_h100e_hour <= price * (1.0 + 1e-12),
                "{} rents at {price:.3} below its cost {:.3}",
                owner.name,
                owner.rental_cost_per_h100e_hour
            );
            assert!(owner.rented_out_h100e <= owner.rental_fleet_h100e * (1.0 + 1e-9));
        }
        // Buyers that offer nothing for rent rent nothing out.
        for buyer in frame
            .accelerator_buyers
            .iter()
            .filter(|b| b.rental_fleet_h100e <= 0.0)
        {
            assert!(buyer.rented_out_h100e.abs() < f64::MIN_POSITIVE);
        }
    }
    assert!(rented_total > 0.0, "labs rent compute in the baseline");
}

#[test]
fn with_nothing_for_rent_no_lab_rents() {
    let frames = run(&[
        "scenario.quarters=4",
        "accelerator_buyers[us-hyperscalers].rental_share=0",
        "accelerator_buyers[neoclouds].rental_share=0",
        "accelerator_buyers[eu-buyers].rental_share=0",
        "accelerator_buyers[gulf-sovereign-buyers].rental_share=0",
        "accelerator_buyers[cn-buyers].rental_share=0",
    ]);
    for frame in &frames {
        assert!(frame.labs.iter().all(|l| l.rent.abs() < f64::MIN_POSITIVE));
        assert!(frame.markets.iter().all(|m| m.market != "cloud"));
    }
}

#[test]
fn a_lab_rents_only_where_it_may_put_compute() {
    // Under the export-controls scenario China is embargoed: US labs may not
    // rent there (nor may they build there in the baseline), and the Chinese
    // lab, whose regulator keeps its compute at home, rents only in China.
    let (_, frames) = run_config("export-controls.toml", &[]);
    let jurisdiction_of = |frame: &TickFrame, id: u64| {
        frame
            .labs
            .iter()
            .find(|l| l.lab_id == id)
            .map(|l| l.jurisdiction.clone())
    };
    let mut rentals = 0;
    for frame in &frames {
        for event in frame.events.iter().filter(|e| e.kind == "cloud_rental") {
            let Some(jurisdiction) = event.agent_id.and_then(|id| jurisdiction_of(frame, id))
            else {
                continue;
            };
            let region = event.region.as_deref().unwrap_or_default();
            rentals += 1;
            if jurisdiction == "cn" {
                assert_eq!(region, "china", "the Chinese lab rents only at home");
            } else {
                assert_ne!(region, "china", "a {jurisdiction} lab rents in China");
            }
        }
    }
    assert!(rentals > 0);
}

#[test]
fn labs_rent_more_when_owners_offer_more() {
    let base = run(&["scenario.quarters=6"]);
    let more = run(&[
        "scenario.quarters=6",
        "accelerator_buyers[neoclouds].rental_share=1.0",
        "accelerator_buyers[us-hyperscalers].rental_share=0.5",
    ]);
    let rented = |frames: &[TickFrame]| -> f64 {
        frames
            .iter()
            .flat_map(|f| f.labs.iter())
            .map(|l| l.rented_compute_h100e)
            .sum()
    };
    let price = |frames: &[TickFrame]| -> f64 {
        let rows: Vec<(f64, f64)> = frames
            .iter()
            .flat_map(|f| f.markets.iter())
            .filter(|m| m.market == "cloud")
            .map(|m| (m.cleared, m.price.unwrap_or(0.0)))
            .collect();
        rows.iter().map(|(c, p)| c * p).sum::<f64>()
            / rows.iter().map(|r| r.0).sum::<f64>().max(1.0)
    };
    assert!(rented(&more) > rented(&base));
    assert!(price(&more) <= price(&base));
}

/// Compute contracts (`[contracts]`): labs sign ahead, hosts build against
/// their backlog, and from its start a contract's capacity goes to its lab
/// before the spot market: what hosts deliver under contract is what labs
/// receive, within what they rent, and the hosts' backlog is the payments
/// still to come. With nothing contracted ahead (`cover_share = 0`) no
/// contract is signed and the columns stay at zero.
#[test]
fn contracts_are_signed_ahead_and_delivered_before_the_spot_market() {
    let frames = run(&["scenario.quarters=12"]);
    let signed: Vec<&moatsim_engine::EventRow> = frames
        .iter()
        .flat_map(|f| f.events.iter())
        .filter(|e| e.kind == "contract_signed")
        .collect();
    assert!(!signed.is_empty(), "labs sign contracts");
    assert!(
        signed
            .iter()
            .all(|e| e.amount_usd > 0.0 && e.quantity.unwrap_or(0.0) > 0.0)
    );
    let mut delivered_total = 0.0;
    for frame in &frames {
        let received: f64 = frame.labs.iter().map(|l| l.contracted_compute_h100e).sum();
        let delivered: f64 = frame
            .accelerator_buyers
            .iter()
            .map(|b| b.contracted_out_h100e)
            .sum();
        assert!(
            (received - delivered).abs() <= 1e-6 * delivered.max(1.0),
            "tick {}: labs received {received} H100e under contract, hosts delivered {delivered}",
            frame.stamp.tick
        );
        for lab in &frame.labs {
            assert!(lab.contracted_compute_h100e <= lab.rented_compute_h100e + 1e-6);
        }
        for host in &frame.accelerator_buyers {
            assert!(host.contracted_out_h100e <= host.rented_out_h100e + 1e-6);
            assert!(host.backlog_usd >= 0.0);
        }
        delivered_total += delivered;
    }
    // Nothing is delivered before the first contracts start, after the lead time.
    assert!(
        frames[0]
            .labs
            .iter()
            .all(|l| l.contracted_compute_h100e == 0.0)
    );
    assert!(delivered_total > 0.0, "contracts deliver once they start");
    let backlog = |f: &TickFrame| {
        f.accelerator_buyers
            .iter()
            .map(|b| b.backlog_usd)
            .sum::<f64>()
    };
    assert!(backlog(&frames[3]) > 0.0, "hosts end 2025 with a backlog");

    let none = run(&["scenario.quarters=8", "contracts.cover_share=0"]);
    assert!(
        none.iter()
            .flat_map(|f| f.events.iter())
            .all(|e| !e.kind.starts_with("contract"))
    );
    assert!(
        none.iter()
            .all(|f| backlog(f) == 0.0 && f.labs.iter().all(|l| l.contracted_compute_h100e == 0.0))
    );
}
