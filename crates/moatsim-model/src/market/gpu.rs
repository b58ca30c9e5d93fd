//! The GPU market: one clearing per chip generation per quarter.
//!
//! Rule: the chipmaker posts an ask per unit; every bid whose limit covers the
//! price it faces is eligible. Export rules change that price: a bidder in a
//! capped region pays a licence fee on top of the ask (to its regulator) and a
//! bidder in an embargoed region cannot buy a controlled generation at all. If
//! eligible demand exceeds the units on offer, units are rationed pro rata
//! (largest remainder, ties to the lower bidder id). Unsold units become the
//! chipmaker's inventory; unmet eligible demand becomes its backlog.

use crate::AgentId;
use crate::market::allocation::pro_rata_units;

/// How export rules treat a bid for this generation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ExportTreatment {
    /// No restriction.
    Unrestricted,
    /// Allowed against a licence fee, a fraction of the ask paid on top of it.
    Licensed { fee_rate: f64 },
    /// Not allowed to buy this generation.
    Embargoed,
}

/// The seller's side of one generation's market.
#[derive(Debug, Clone, PartialEq)]
pub struct GpuOffer {
    /// Units available this quarter: production plus inventory.
    pub units: u64,
    /// Posted ask per unit, USD.
    pub ask_usd: f64,
}

/// One buyer's bid for one generation.
#[derive(Debug, Clone, PartialEq)]
pub struct GpuBid {
    pub buyer: AgentId,
    pub units: u64,
    /// The most the buyer will pay per unit, licence fee included.
    pub limit_usd: f64,
    pub export: ExportTreatment,
}

/// What one buyer got.
#[derive(Debug, Clone, PartialEq)]
pub struct GpuFill {
    pub buyer: AgentId,
    pub units: u64,
    /// Paid to the chipmaker.
    pub paid_to_seller_usd: f64,
    /// Paid to the buyer's regulator as licence fees.
    pub licence_fee_usd: f64,
}

/// The outcome of one generation's clearing.
#[derive(Debug, Clone, PartialEq)]
pub struct GpuClearing {
    /// Fills, in the order of the bids passed in (zero-unit fills included).
    pub fills: Vec<GpuFill>,
    /// Units each bid asked for at the ask (0 when blocked or priced out), in
    /// bid order: `requested − filled` is what supply left unserved.
    pub requested_units: Vec<u64>,
    /// Units that eligible bidders asked for at the posted price.
    pub eligible_demand_units: u64,
    /// Units asked for by bidders whose region may not buy this generation.
    pub blocked_demand_units: u64,
    pub sold_units: u64,
    pub unsold_units: u64,
    /// Eligible demand that could not be served (the new backlog).
    pub unmet_units: u64,
    pub price_usd: f64,
}

pub fn clear_gpu_market(offer: &GpuOffer, bids: &[GpuBid]) -> GpuClearing {
    let mut requests = Vec::with_capacity(bids.len());
    let mut blocked = 0u64;
    for bid in bids {
        let (eligible, price_faced) = match bid.export {
            ExportTreatment::Unrestricted => (true, offer.ask_usd),
            ExportTreatment::Licensed { fee_rate } => (true, offer.ask_usd * (1.0 + fee_rate)),
            ExportTreatment::Embargoed => (false, f64::INFINITY),
        };
        if !eligible {
            blocked += bid.units;
            requests.push(0);
        } else if bid.limit_usd >= price_faced {
            requests.push(bid.units);
        } else {
            requests.push(0);
        }
    }
    let granted = pro_rata_units(&requests, offer.units);
    let fills: Vec<GpuFill> = bids
        .iter()
        .zip(&granted)
        .map(|(bid, &units)| {
            let fee_rate = match bid.export {
                ExportTreatment::Licensed { fee_rate } => fee_rate,
                _ => 0.0,
            };
            let paid = units as f64 * offer.ask_usd;
            GpuFill {
                buyer: bid.buyer,
                units,
                paid_to_seller_usd: paid,
                licence_fee_usd: paid * fee_rate,
            }
        })
        .collect();
    let eligible_demand: u64 = requests.iter().sum();
    let sold: u64 = granted.iter().sum();
    GpuClearing {
        fills,
        requested_units: requests,
        eligible_demand_units: eligible_demand,
        blocked_demand_units: blocked,
        sold_units: sold,
        unsold_units: offer.units - sold,
        unmet_units: eligible_demand - sold,
        price_usd: offer.ask_usd,
    }
}

/// Demand a sold-out generation left unserved: H100e still wanted, and the
/// most the buyer pays per H100e (licence fee included).
#[derive(Debug, Clone, PartialEq)]
pub struct Leftover {
    pub buyer: AgentId,
    pub h100e: f64,
    pub limit_per_h100e_usd: f64,
}

/// A generation with idle packaging this quarter: units it can still make.
#[derive(Debug, Clone, PartialEq)]
pub struct SpareLine {
    pub units: u64,
    pub ask_usd: f64,
    pub h100e_per_unit: f64,
}

/// The second round of a quarter's GPU market: demand the first round left
/// unserved moves to generations with idle capacity, made to order. Lines are
/// taken cheapest per H100e first (ties in the order given); each clears like
/// the first round ([`clear_gpu_market`]: the ask, export rules, pro rata)
/// against what every leftover still wants, in whole units it can afford.
/// `treatment(l, s)` is how export rules treat leftover `l` at line `s`.
/// Returns each line's fills, in leftover order.
pub fn spill_over(
    leftovers: &[Leftover],
    lines: &[SpareLine],
    treatment: &dyn Fn(usize, usize) -> ExportTreatment,
) -> Vec<Vec<GpuFill>> {
    let mut remaining: Vec<f64> = leftovers.iter().map(|l| l.h100e.max(0.0)).collect();
    let mut order: Vec<usize> = (0..lines.len()).collect();
    order.sort_by(|&a, &b| {
        let per = |s: usize| lines[s].ask_usd / lines[s].h100e_per_unit.max(f64::MIN_POSITIVE);
        per(a).total_cmp(&per(b)).then(a.cmp(&b))
    });
    let mut fills = vec![Vec::new(); lines.len()];
    for s in order {
        let line = &lines[s];
        if line.units == 0 || line.h100e_per_unit <= 0.0 {
            continue;
        }
        let bids: Vec<GpuBid> = leftovers
            .iter()
            .enumerate()
            .map(|(l, leftover)| GpuBid {
                buyer: leftover.buyer,
                units: (remaining[l] / line.h100e_per_unit + 1e-9).floor() as u64,
                limit_usd: leftover.limit_per_h100e_usd * line.h100e_per_unit,
                export: treatment(l, s),
            })
            .collect();
        let clearing = clear_gpu_market(
            &GpuOffer {
                units: line.units,
                ask_usd: line.ask_usd,
            },
            &bids,
        );
        for (l, fill) in clearing.fills.iter().enumerate() {
            remaining[l] = (remaining[l] - fill.units as f64 * line.h100e_per_unit).max(0.0);
        }
        fills[s] = clearing.fills;
    }
    fills
}

/// One generation's line in a chipmaker's production plan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProductionLine {
    /// Units ordered at the ask this quarter (plus any safety stock wanted).
    pub wanted_units: u64,
    /// Units already in stock.
    pub inventory_units: u64,
    /// Units one packaging wafer yields.
    pub units_per_wafer: f64,
}

/// Units to produce per generation from a maker's packaging wafers: every
/// generation gets what its orders need beyond inventory; when the wafers
/// cannot cover all of it, each gets the same share of its need. Wafers are
/// fungible across generations, so capacity never sits idle while orders for
/// any generation wait.
pub fn plan_production(wafers: f64, lines: &[ProductionLine]) -> Vec<u64> {
    let need: Vec<u64> = lines
        .iter()
        .map(|l| l.wanted_units.saturating_sub(l.inventory_units))
        .collect();
    let wafers_needed: f64 = lines
        .iter()
        .zip(&need)
        .filter(|(l, _)| l.units_per_wafer > 0.0)
        .map(|(l, &n)| n as f64 / l.units_per_wafer)
        .sum();
    let scale = if wafers_needed > wafers.max(0.0) && wafers_needed > 0.0 {
        wafers.max(0.0) / wafers_needed
    } else {
        1.0
    };
    lines
        .iter()
        .zip(&need)
        .map(|(l, &n)| {
            if l.units_per_wafer > 0.0 {
                (n as f64 * scale).floor() as u64
            } else {
                0
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {

    fn line(wanted: u64, inventory: u64, per_wafer: f64) -> ProductionLine {
        ProductionLine {
            wanted_units: wanted,
            inventory_units: inventory,
            units_per_wafer: per_wafer,
        }
    }

    proptest::proptest! {
        /// Production never uses more wafers than the maker has, never makes
        /// more than orders need, and leaves no wafer idle while an order
        /// waits: either every need is met or the wafers are (nearly) all used.
        #[test]
        fn production_fills_orders_within_capacity(
            wafers in 0.0f64..1e5,
            lines in proptest::collection::vec((0u64..5_000_000, 0u64..100_000, 1.0f64..100.0), 1..5),
        ) {
            let lines: Vec<ProductionLine> = lines.iter().map(|&(w, i, u)| line(w, i, u)).collect();
            let plan = plan_production(wafers, &lines);
            let used: f64 = plan.iter().zip(&lines).map(|(&p, l)| p as f64 / l.units_per_wafer).sum();
            proptest::prop_assert!(used <= wafers + 1e-6);
            let mut all_met = true;
            for (p, l) in plan.iter().zip(&lines) {
                let need = l.wanted_units.saturating_sub(l.inventory_units);
                proptest::prop_assert!(*p <= need);
                all_met &= *p == need;
            }
            // Rounding down loses at most one unit per line.
            let slack: f64 = lines.iter().map(|l| 1.0 / l.units_per_wafer).sum();
            proptest::prop_assert!(all_met || used >= wafers - slack - 1e-6);
        }

        /// More wafers never produce less of any generation.
        #[test]
        fn more_wafers_never_produce_less(
            wafers in 0.0f64..1e5, more in 0.0f64..1e5,
            lines in proptest::collection::vec((0u64..5_000_000, 0u64..100_000, 1.0f64..100.0), 1..5),
        ) {
            let lines: Vec<ProductionLine> = lines.iter().map(|&(w, i, u)| line(w, i, u)).collect();
            let few = plan_production(wafers, &lines);
            let many = plan_production(wafers + more, &lines);
            for (a, b) in few.iter().zip(&many) {
                proptest::prop_assert!(b >= a);
            }
        }
    }

    #[test]
    fn idle_capacity_on_one_generation_serves_another() {
        // 1,000 wafers; the old generation has no orders, the new one 20,000
        // units at 30 a wafer (667 wafers): all of it is made.
        let plan = plan_production(1_000.0, &[line(0, 0, 60.0), line(20_000, 0, 30.0)]);
        assert_eq!(plan, vec![0, 20_000]);
        // Twice the orders the wafers can make: each line gets half its need.
        let plan = plan_production(1_000.0, &[line(60_000, 0, 60.0), line(30_000, 0, 30.0)]);
        assert_eq!(plan, vec![30_000, 15_000]);
    }
    use super::*;
    use proptest::prelude::*;

    fn bid(buyer: u64, units: u64, limit: f64) -> GpuBid {
        GpuBid {
            buyer: AgentId(buyer),
            units,
            limit_usd: limit,
            export: ExportTreatment::Unrestricted,
        }
    }

    #[test]
    fn bids_below_the_ask_get_nothing_and_unsold_units_stay() {
        let offer = GpuOffer {
            units: 100,
            ask_usd: 30_000.0,
        };
        let clearing = clear_gpu_market(&offer, &[bid(1, 50, 29_000.0), bid(2, 30, 31_000.0)]);
        assert_eq!(clearing.fills[0].units, 0);
        assert_eq!(clearing.fills[1].units, 30);
        assert_eq!(clearing.unsold_units, 70);
        assert_eq!(clearing.unmet_units, 0);
    }

    #[test]
    fn embargoed_bidders_are_blocked_and_licensed_ones_pay_the_fee() {
        let offer = GpuOffer {
            units: 100,
            ask_usd: 10_000.0,
        };
        let bids = [
            GpuBid {
                export: ExportTreatment::Embargoed,
                ..bid(1, 40, 1e9)
            },
            GpuBid {
                export: ExportTreatment::Licensed { fee_rate: 0.25 },
                ..bid(2, 40, 12_500.0)
            },
            GpuBid {
                export: ExportTreatment::Licensed { fee_rate: 0.25 },
                ..bid(3, 40, 12_000.0)
            },
        ];
        let clearing = clear_gpu_market(&offer, &bids);
        assert_eq!(clearing.fills[0].units, 0);
        assert_eq!(clearing.blocked_demand_units, 40);
        assert_eq!(clearing.fills[1].units, 40);
        assert!((clearing.fills[1].licence_fee_usd - 100_000.0).abs() < 1e-6);
        assert_eq!(clearing.fills[2].units, 0, "limit below ask plus fee");
    }

    #[test]
    fn excess_demand_is_rationed_and_becomes_backlog() {
        let offer = GpuOffer {
            units: 60,
            ask_usd: 1.0,
        };
        let clearing = clear_gpu_market(&offer, &[bid(1, 60, 2.0), bid(2, 60, 2.0)]);
        assert_eq!(clearing.fills[0].units, 30);
        assert_eq!(clearing.fills[1].units, 30);
        assert_eq!(clearing.unmet_units, 60);
        assert_eq!(clearing.unsold_units, 0);
    }

    fn arb_bids() -> impl Strategy<Value = Vec<GpuBid>> {
        proptest::collection::vec((0u64..200_000, 0.5f64..2.0, 0u8..3), 0..12).prop_map(|raw| {
            raw.into_iter()
                .enumerate()
                .map(|(i, (units, limit_factor, export))| GpuBid {
                    buyer: AgentId(i as u64 + 1),
                    units,
                    limit_usd: 30_000.0 * limit_factor,
                    export: match export {
                        0 => ExportTreatment::Unrestricted,
                        1 => ExportTreatment::Licensed { fee_rate: 0.15 },
                        _ => ExportTreatment::Embargoed,
                    },
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn gpu_clearing_conserves_units_and_money(bids in arb_bids(), units in 0u64..1_000_000) {
            let offer = GpuOffer { units, ask_usd: 30_000.0 };
            let clearing = clear_gpu_market(&offer, &bids);
            let sold: u64 = clearing.fills.iter().map(|f| f.units).sum();
            prop_assert_eq!(sold, clearing.sold_units);
            prop_assert!(sold <= units);
            prop_assert!(sold <= clearing.eligible_demand_units);
            prop_assert_eq!(sold + clearing.unsold_units, units);
            prop_assert_eq!(sold + clearing.unmet_units, clearing.eligible_demand_units);
            let paid: f64 = clearing.fills.iter().map(|f| f.paid_to_seller_usd).sum();
            prop_assert!((paid - sold as f64 * offer.ask_usd).abs() <= 1e-6 * (1.0 + paid));
            for (fill, bid) in clearing.fills.iter().zip(&bids) {
                prop_assert!(fill.units <= bid.units);
            }
            prop_assert_eq!(&clearing, &clear_gpu_market(&offer, &bids));
        }

        #[test]
        fn more_demand_never_lowers_what_is_sold(bids in arb_bids(), extra in 1u64..100_000) {
            let offer = GpuOffer { units: 500_000, ask_usd: 30_000.0 };
            let base = clear_gpu_market(&offer, &bids);
            let mut more = bids.clone();
            more.push(bid(999, extra, 40_000.0));
            let after = clear_gpu_market(&offer, &more);
            prop_assert!(after.sold_units >= base.sold_units);
            prop_assert!(after.eligible_demand_units >= base.eligible_demand_units);
            // The clearing price is the posted ask: more demand never lowers it
            // within the quarter; it raises the next ask (see rules::adjust_ask).
            prop_assert!(after.price_usd >= base.price_usd);
        }
    }

    proptest! {
        /// Idle capacity never sits while demand it could serve waits: after
        /// the spill, a line with units left has no eligible leftover that
        /// can afford a unit and still wants one. Nobody gets more than it
        /// wanted or pays above its limit, and no line sells more than it has.
        #[test]
        fn spill_leaves_no_idle_line_with_demand_it_could_serve(
            leftovers in proptest::collection::vec((0.0f64..50_000.0, 5_000.0f64..40_000.0), 0..6),
            lines in proptest::collection::vec((0u64..20_000, 10_000.0f64..60_000.0, 0.5f64..3.0), 0..4),
            embargo_seed in 0u64..64,
        ) {
            let leftovers: Vec<Leftover> = leftovers.iter().enumerate()
                .map(|(i, &(h, l))| Leftover { buyer: AgentId(i as u64), h100e: h, limit_per_h100e_usd: l })
                .collect();
            let lines: Vec<SpareLine> = lines.iter()
                .map(|&(units, ask, per)| SpareLine { units, ask_usd: ask, h100e_per_unit: per })
                .collect();
            let treatment = |l: usize, s: usize| {
                if (embargo_seed >> ((l + s) % 6)) & 1 == 1 { ExportTreatment::Embargoed } else { ExportTreatment::Unrestricted }
            };
            let fills = spill_over(&leftovers, &lines, &treatment);
            let mut got = vec![0.0; leftovers.len()];
            for (s, line_fills) in fills.iter().enumerate() {
                let sold: u64 = line_fills.iter().map(|f| f.units).sum();
                prop_assert!(sold <= lines[s].units);
                for (l, fill) in line_fills.iter().enumerate() {
                    got[l] += fill.units as f64 * lines[s].h100e_per_unit;
                    if fill.units > 0 {
                        prop_assert!(treatment(l, s) != ExportTreatment::Embargoed);
                        prop_assert!(lines[s].ask_usd <= leftovers[l].limit_per_h100e_usd * lines[s].h100e_per_unit * (1.0 + 1e-12));
                    }
                }
            }
            for (l, leftover) in leftovers.iter().enumerate() {
                prop_assert!(got[l] <= leftover.h100e + 1e-6);
            }
            for (s, line_fills) in fills.iter().enumerate() {
                let sold: u64 = line_fills.iter().map(|f| f.units).sum();
                if sold < lines[s].units {
                    for (l, leftover) in leftovers.iter().enumerate() {
                        let affordable = lines[s].ask_usd <= leftover.limit_per_h100e_usd * lines[s].h100e_per_unit;
                        let eligible = treatment(l, s) != ExportTreatment::Embargoed;
                        let wants_a_unit = leftover.h100e - got[l] >= lines[s].h100e_per_unit * (1.0 + 1e-9);
                        prop_assert!(!(affordable && eligible && wants_a_unit),
                            "line {s} idle while leftover {l} wants {} more", leftover.h100e - got[l]);
                    }
                }
            }
        }
    }
}
