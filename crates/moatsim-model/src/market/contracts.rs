//! Compute contracts: multi-year take-or-pay agreements in which a lab buys
//! capacity (H100e) from a host (a hyperscaler, a neocloud, a cloud like
//! Oracle) at a price per H100e-hour over a term (issue 28; model brief,
//! principle 8).
//!
//! Rule:
//! - A host offers capacity at a floor: the price per H100e-hour that repays
//!   what the capacity costs over the term at the host's cost of capital, net
//!   of what is left of it afterwards, plus its running cost
//!   ([`host_floor_per_h100e_hour`]).
//! - Labs ask for capacity with a value per H100e-hour (what it earns them
//!   over the term, from their forecasts). The highest value signs first and
//!   takes the cheapest hosts first; a contract is signed only where the
//!   host's floor is at most the lab's value, at a price that splits the
//!   surplus: `floor + host_share × (value − floor)` ([`sign_contracts`]).
//!   So every contract clears between the host's cost and the lab's value.
//! - The host records the contract's remaining payments as backlog and
//!   recognises revenue as capacity is delivered, quarter by quarter
//!   ([`ContractTerms`]). Delivered plus backlog is the contract's value at
//!   every quarter.
//! - A lab that cannot pay defaults: the host re-leases the capacity for the
//!   rest of the term at the market price; its loss is the payments it no
//!   longer gets less what the re-lease brings ([`default_settlement`]).

use crate::AgentId;
use crate::units::{HOURS_PER_QUARTER, QUARTERS_PER_YEAR};

/// What a signed contract says.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ContractTerms {
    pub h100e: f64,
    pub price_per_h100e_hour: f64,
    /// The first quarter (tick) capacity is delivered and paid for.
    pub start: u32,
    pub term_quarters: u32,
}

impl ContractTerms {
    /// What the lab pays in `quarter`: the capacity's hours at the price
    /// while the term runs, nothing before or after.
    pub fn payment_in(&self, quarter: u32) -> f64 {
        if self.runs_in(quarter) {
            self.quarterly_payment()
        } else {
            0.0
        }
    }

    /// Whether the term runs in `quarter`: from `start`, for `term_quarters`.
    pub fn runs_in(&self, quarter: u32) -> bool {
        quarter >= self.start && quarter - self.start < self.term_quarters
    }

    /// The contract's whole value: every payment of the term.
    pub fn value_usd(&self) -> f64 {
        self.quarterly_payment() * f64::from(self.term_quarters)
    }

    /// Payments for quarters before `quarter`: the revenue the host has
    /// recognised.
    pub fn delivered_before(&self, quarter: u32) -> f64 {
        let done = quarter.saturating_sub(self.start).min(self.term_quarters);
        self.quarterly_payment() * f64::from(done)
    }

    /// Payments from `quarter` on: the host's backlog (remaining performance
    /// obligations).
    pub fn backlog_from(&self, quarter: u32) -> f64 {
        let done = quarter.saturating_sub(self.start).min(self.term_quarters);
        self.quarterly_payment() * f64::from(self.term_quarters - done)
    }

    fn quarterly_payment(&self) -> f64 {
        self.h100e.max(0.0) * self.price_per_h100e_hour.max(0.0) * HOURS_PER_QUARTER
    }
}

/// The price per H100e-hour at which a host's contract repays its capacity
/// over the term: the capacity's cost less the present value of what is left
/// of it after the term (`residual_share` of the cost), repaid as an annuity
/// at the host's quarterly cost of capital, plus its running cost per hour.
///
/// `(C − R C (1 + r)^−n) × r / (1 − (1 + r)^−n) / hours + opex`, with `r` the
/// quarterly rate and `n` the term in quarters; at `r = 0`,
/// `(C − R C) / n / hours + opex`. A term of 0 quarters repays nothing and
/// costs only the running cost.
pub fn host_floor_per_h100e_hour(
    capex_per_h100e: f64,
    residual_share: f64,
    cost_of_capital_per_year: f64,
    opex_per_h100e_hour: f64,
    term_quarters: u32,
) -> f64 {
    let opex = opex_per_h100e_hour.max(0.0);
    if term_quarters == 0 {
        return opex;
    }
    let capex = capex_per_h100e.max(0.0);
    let residual = capex * residual_share.clamp(0.0, 1.0);
    let r = cost_of_capital_per_year.max(0.0) / QUARTERS_PER_YEAR;
    let n = f64::from(term_quarters);
    let per_quarter = if r > 1e-12 {
        let discount = (1.0 + r).powf(-n);
        (capex - residual * discount) * r / (1.0 - discount)
    } else {
        (capex - residual) / n
    };
    per_quarter / HOURS_PER_QUARTER + opex
}

/// A lab's request for contracted capacity.
#[derive(Debug, Clone, PartialEq)]
pub struct ContractRequest {
    pub lab: AgentId,
    pub h100e: f64,
    /// What an H100e-hour over the term is worth to the lab.
    pub value_per_h100e_hour: f64,
    pub start: u32,
    pub term_quarters: u32,
}

/// A host's capacity on offer from a request's start, at its floor.
#[derive(Debug, Clone, PartialEq)]
pub struct HostOffer {
    pub host: AgentId,
    pub h100e: f64,
    pub floor_per_h100e_hour: f64,
}

/// One signed contract.
#[derive(Debug, Clone, PartialEq)]
pub struct SignedContract {
    pub lab: AgentId,
    pub host: AgentId,
    pub terms: ContractTerms,
}

/// Signs the quarter's contracts. Requests go in order of value (highest
/// first; ties by lab id), each taking the cheapest remaining offers (ties by
/// host id) whose floor is at most its value, until it has what it asked for
/// or no such offer is left. Each contract's price is
/// `floor + host_share × (value − floor)`, with `host_share` in [0, 1] the
/// host's share of the surplus.
pub fn sign_contracts(
    requests: &[ContractRequest],
    offers: &[HostOffer],
    host_share: f64,
) -> Vec<SignedContract> {
    let share = if host_share.is_finite() {
        host_share.clamp(0.0, 1.0)
    } else {
        0.5
    };
    let mut order: Vec<usize> = (0..requests.len()).collect();
    order.sort_by(|&a, &b| {
        requests[b]
            .value_per_h100e_hour
            .total_cmp(&requests[a].value_per_h100e_hour)
            .then(requests[a].lab.cmp(&requests[b].lab))
    });
    let mut hosts: Vec<usize> = (0..offers.len()).collect();
    hosts.sort_by(|&a, &b| {
        offers[a]
            .floor_per_h100e_hour
            .total_cmp(&offers[b].floor_per_h100e_hour)
            .then(offers[a].host.cmp(&offers[b].host))
    });
    let mut left: Vec<f64> = offers.iter().map(|o| finite_amount(o.h100e)).collect();
    let mut signed = Vec::new();
    for &i in &order {
        let request = &requests[i];
        let value = request.value_per_h100e_hour;
        let mut wanted = finite_amount(request.h100e);
        for &j in &hosts {
            let floor = offers[j].floor_per_h100e_hour;
            // Offers are cheapest first: once one costs more than the value
            // (or either is NaN), none further can be signed.
            let affordable = floor <= value;
            if wanted <= 0.0 || !affordable {
                break;
            }
            let take = wanted.min(left[j]);
            if take <= 0.0 {
                continue;
            }
            left[j] -= take;
            wanted -= take;
            signed.push(SignedContract {
                lab: request.lab,
                host: offers[j].host,
                terms: ContractTerms {
                    h100e: take,
                    price_per_h100e_hour: floor + share * (value - floor),
                    start: request.start,
                    term_quarters: request.term_quarters,
                },
            });
        }
    }
    signed
}

fn finite_amount(x: f64) -> f64 {
    if x.is_finite() { x.max(0.0) } else { 0.0 }
}

/// What a default in `quarter` does to a contract: the payments the host no
/// longer gets, what re-leasing the capacity at the market price for the
/// rest of the term brings, and the host's loss, the difference (negative
/// when the market pays more than the contract did).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DefaultSettlement {
    pub lost_payments: f64,
    pub release_revenue: f64,
    pub host_loss: f64,
}

/// Settles a default in `quarter` with capacity re-leased at
/// `market_per_h100e_hour` (the lost payments are the backlog from then).
pub fn default_settlement(
    terms: &ContractTerms,
    quarter: u32,
    market_per_h100e_hour: f64,
) -> DefaultSettlement {
    let lost_payments = terms.backlog_from(quarter);
    let release = ContractTerms {
        price_per_h100e_hour: finite_amount(market_per_h100e_hour),
        ..*terms
    };
    let release_revenue = release.backlog_from(quarter);
    DefaultSettlement {
        lost_payments,
        release_revenue,
        host_loss: lost_payments - release_revenue,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn terms(h100e: f64, price: f64, start: u32, term: u32) -> ContractTerms {
        ContractTerms {
            h100e,
            price_per_h100e_hour: price,
            start,
            term_quarters: term,
        }
    }

    fn requests_and_offers() -> impl Strategy<Value = (Vec<ContractRequest>, Vec<HostOffer>)> {
        (
            prop::collection::vec((0.0f64..1e6, 0.0f64..10.0), 0..6),
            prop::collection::vec((0.0f64..1e6, 0.0f64..10.0), 0..6),
        )
            .prop_map(|(requests, offers)| {
                (
                    requests
                        .into_iter()
                        .enumerate()
                        .map(|(i, (h100e, value))| ContractRequest {
                            lab: AgentId(i as u64 + 1),
                            h100e,
                            value_per_h100e_hour: value,
                            start: 4,
                            term_quarters: 16,
                        })
                        .collect(),
                    offers
                        .into_iter()
                        .enumerate()
                        .map(|(j, (h100e, floor))| HostOffer {
                            host: AgentId(j as u64 + 100),
                            h100e,
                            floor_per_h100e_hour: floor,
                        })
                        .collect(),
                )
            })
    }

    proptest! {
        /// Delivered plus backlog is the contract's value at every quarter;
        /// backlog only falls; the payments of the term add up to the value.
        #[test]
        fn a_contract_conserves_its_value(
            h100e in 0.0f64..1e7, price in 0.0f64..20.0, start in 0u32..40, term in 0u32..40,
            quarter in 0u32..100, later in 0u32..10,
        ) {
            let c = terms(h100e, price, start, term);
            let value = c.value_usd();
            let tol = 1e-9 * value.max(1.0);
            prop_assert!((c.delivered_before(quarter) + c.backlog_from(quarter) - value).abs() <= tol);
            prop_assert!(c.backlog_from(quarter + later) <= c.backlog_from(quarter) + tol);
            let paid: f64 = (0..100).map(|q| c.payment_in(q)).sum();
            prop_assert!((paid - value).abs() <= 1e-9 * value.max(1.0) * 100.0);
            prop_assert_eq!(c.backlog_from(start).to_bits(), value.to_bits());
        }

        /// The floor covers the running cost, rises with the capacity's cost
        /// and the cost of capital, and falls with a longer term when nothing
        /// is left of the capacity afterwards.
        #[test]
        fn the_floor_is_the_cost_of_capacity(
            capex in 0.0f64..1e5, more in 0.0f64..1e5, rate in 0.0f64..0.3, up in 0.0f64..0.2,
            opex in 0.0f64..2.0, term in 1u32..40, longer in 0u32..40, residual in 0.0f64..1.0,
        ) {
            let floor = host_floor_per_h100e_hour(capex, residual, rate, opex, term);
            prop_assert!(floor.is_finite() && floor >= opex - 1e-12);
            prop_assert!(host_floor_per_h100e_hour(capex + more, residual, rate, opex, term) >= floor - 1e-12);
            prop_assert!(host_floor_per_h100e_hour(capex, residual, rate + up, opex, term) >= floor - 1e-12);
            let bare = host_floor_per_h100e_hour(capex, 0.0, rate, opex, term);
            prop_assert!(host_floor_per_h100e_hour(capex, 0.0, rate, opex, term + longer) <= bare + 1e-12);
            // Over the term the annuity repays at least the capacity's cost
            // less what is left of it.
            let repaid = (floor - opex) * HOURS_PER_QUARTER * f64::from(term);
            prop_assert!(repaid >= capex * (1.0 - residual) - 1e-6 * capex.max(1.0));
        }

        /// Every contract clears between the host's floor and the lab's
        /// value; no host signs more than it offered and no lab more than it
        /// asked for; a higher host share never lowers a price.
        #[test]
        fn contracts_clear_between_cost_and_value(
            (requests, offers) in requests_and_offers(), share in 0.0f64..=1.0, more in 0.0f64..1.0,
        ) {
            let signed = sign_contracts(&requests, &offers, share);
            for c in &signed {
                let request = requests.iter().find(|r| r.lab == c.lab).expect("lab");
                let offer = offers.iter().find(|o| o.host == c.host).expect("host");
                prop_assert!(c.terms.price_per_h100e_hour >= offer.floor_per_h100e_hour - 1e-12);
                prop_assert!(c.terms.price_per_h100e_hour <= request.value_per_h100e_hour + 1e-12);
                prop_assert!(c.terms.h100e > 0.0);
            }
            for offer in &offers {
                let sold: f64 = signed.iter().filter(|c| c.host == offer.host).map(|c| c.terms.h100e).sum();
                prop_assert!(sold <= offer.h100e * (1.0 + 1e-12) + 1e-9);
            }
            for request in &requests {
                let bought: f64 = signed.iter().filter(|c| c.lab == request.lab).map(|c| c.terms.h100e).sum();
                prop_assert!(bought <= request.h100e * (1.0 + 1e-12) + 1e-9);
            }
            let richer = sign_contracts(&requests, &offers, (share + more).min(1.0));
            for (a, b) in signed.iter().zip(&richer) {
                prop_assert!(b.terms.price_per_h100e_hour >= a.terms.price_per_h100e_hour - 1e-12);
            }
        }

        /// More capacity on offer never signs less in all.
        #[test]
        fn more_capacity_never_signs_less(
            (requests, offers) in requests_and_offers(), extra in 0.0f64..1e6, which in 0usize..6,
        ) {
            let total = |signed: &[SignedContract]| signed.iter().map(|c| c.terms.h100e).sum::<f64>();
            let before = total(&sign_contracts(&requests, &offers, 0.5));
            let mut bigger = offers.clone();
            if let Some(offer) = bigger.get_mut(which) {
                offer.h100e += extra;
            }
            let after = total(&sign_contracts(&requests, &bigger, 0.5));
            prop_assert!(after >= before - 1e-6 * before.max(1.0));
        }

        /// A default loses the host the backlog and brings what the re-lease
        /// earns: lost = re-lease + loss, and the loss is positive exactly
        /// when the market pays less than the contract.
        #[test]
        fn a_default_settles_what_is_left(
            h100e in 1.0f64..1e6, price in 0.1f64..10.0, market in 0.0f64..10.0,
            start in 0u32..20, term in 1u32..24, quarter in 0u32..60,
        ) {
            let c = terms(h100e, price, start, term);
            let s = default_settlement(&c, quarter, market);
            prop_assert!((s.lost_payments - c.backlog_from(quarter)).abs() <= 1e-9 * s.lost_payments.max(1.0));
            prop_assert!((s.lost_payments - s.release_revenue - s.host_loss).abs() <= 1e-6);
            if s.lost_payments > 0.0 {
                prop_assert_eq!(s.host_loss > 0.0, market < price);
            }
        }
    }
}
