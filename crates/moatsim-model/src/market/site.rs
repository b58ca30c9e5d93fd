//! Where a lab opens a new site: the region with the least expected cost of
//! the site's land, its energy for a while, the wait for power valued at what
//! the MW would earn, and the licence fees on the GPUs it will hold.
//!
//! Rule: `cost = land + mw × hours × tariff × energy_quarters
//!              + wait × value_per_mw_quarter × mw × delay_cost_share
//!              + licence fees`, where
//! `land = raw acres × raw price + what the powered acres cost` and
//! `wait = permit quarters + queue wait × (1 − powered acres / acres)`:
//! powered land brings its grid position, so only the rest of the MW queue.
//! The cheapest region wins; ties go to the lower region index.

use crate::units::HOURS_PER_QUARTER;

/// What one region offers a new site of the size the lab wants.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteOffer {
    pub region: usize,
    /// Acres the site needs in this region.
    pub acres: f64,
    pub raw_price_per_acre: f64,
    /// Of `acres`, those worth buying powered, and what they cost in all.
    pub powered_acres: f64,
    pub powered_cost_usd: f64,
    pub tariff_per_mwh: f64,
    /// Quarters of permitting before the site can queue for power.
    pub permit_quarters: f64,
    /// Quarters a new interconnection request expects to wait here.
    pub queue_wait_quarters: f64,
    /// Licence fees on the GPUs the site will hold (capped export tiers), USD.
    pub licence_cost_usd: f64,
}

/// What the lab brings to the comparison: the site's size and how it values
/// energy and time.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteTerms {
    pub mw: f64,
    /// Revenue a MW of compute earns the lab in a quarter.
    pub value_per_mw_quarter: f64,
    /// Quarters of energy cost counted (`behaviour.site_energy_quarters`).
    pub energy_quarters: f64,
    /// Share of a quarter's value lost per quarter of expected wait
    /// (`behaviour.delay_cost_share`).
    pub delay_cost_share: f64,
}

/// Expected quarters until the site has power: permitting, then the queue
/// for the MW its powered acres do not bring.
pub fn expected_wait_quarters(offer: &SiteOffer) -> f64 {
    let unpowered = if offer.acres > 0.0 {
        (1.0 - offer.powered_acres / offer.acres).clamp(0.0, 1.0)
    } else {
        1.0
    };
    offer.permit_quarters.max(0.0) + offer.queue_wait_quarters.max(0.0) * unpowered
}

/// The expected cost of opening the site in the offer's region, USD.
pub fn expected_site_cost(offer: &SiteOffer, terms: &SiteTerms) -> f64 {
    let raw_acres = (offer.acres - offer.powered_acres).max(0.0);
    let land = raw_acres * offer.raw_price_per_acre + offer.powered_cost_usd;
    let energy = terms.mw * HOURS_PER_QUARTER * offer.tariff_per_mwh * terms.energy_quarters;
    let delay = expected_wait_quarters(offer)
        * terms.value_per_mw_quarter
        * terms.mw
        * terms.delay_cost_share;
    land + energy + delay + offer.licence_cost_usd
}

/// The region of the cheapest offer (ties to the lower region), or `None`
/// when there is no offer.
pub fn cheapest_site(offers: &[SiteOffer], terms: &SiteTerms) -> Option<usize> {
    offers
        .iter()
        .map(|o| (o.region, expected_site_cost(o, terms)))
        .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
        .map(|(region, _)| region)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn offer(region: usize) -> SiteOffer {
        SiteOffer {
            region,
            acres: 1_000.0,
            raw_price_per_acre: 100_000.0,
            powered_acres: 0.0,
            powered_cost_usd: 0.0,
            tariff_per_mwh: 80.0,
            permit_quarters: 2.0,
            queue_wait_quarters: 4.0,
            licence_cost_usd: 0.0,
        }
    }

    fn terms() -> SiteTerms {
        SiteTerms {
            mw: 500.0,
            value_per_mw_quarter: 2e6,
            energy_quarters: 8.0,
            delay_cost_share: 0.25,
        }
    }

    #[test]
    fn the_cheaper_region_wins_and_ties_go_to_the_lower_index() {
        let mut dear = offer(0);
        dear.tariff_per_mwh = 120.0;
        assert_eq!(cheapest_site(&[dear, offer(1)], &terms()), Some(1));
        assert_eq!(cheapest_site(&[offer(3), offer(2)], &terms()), Some(2));
        assert_eq!(cheapest_site(&[], &terms()), None);
    }

    #[test]
    fn a_fully_powered_site_waits_only_for_its_permit() {
        let mut powered = offer(0);
        powered.powered_acres = powered.acres;
        assert!((expected_wait_quarters(&powered) - 2.0).abs() < 1e-12);
        assert!((expected_wait_quarters(&offer(0)) - 6.0).abs() < 1e-12);
    }

    proptest! {
        /// Dearer land, energy, a longer queue or permit, or a licence fee
        /// never make a region cheaper; the cost is finite and not negative.
        #[test]
        fn every_cost_raises_the_sites_cost(
            more in 0.0f64..1e6, powered_share in 0.0f64..1.0, which in 0usize..5,
        ) {
            let mut base = offer(0);
            base.powered_acres = base.acres * powered_share;
            base.powered_cost_usd = base.powered_acres * 150_000.0;
            let mut dearer = base.clone();
            match which {
                0 => dearer.raw_price_per_acre += more,
                1 => dearer.tariff_per_mwh += more,
                2 => dearer.queue_wait_quarters += more,
                3 => dearer.permit_quarters += more,
                _ => dearer.licence_cost_usd += more,
            }
            let (cost, dearer_cost) = (expected_site_cost(&base, &terms()), expected_site_cost(&dearer, &terms()));
            prop_assert!(cost.is_finite() && cost >= 0.0);
            prop_assert!(dearer_cost >= cost);
        }

        /// Powered acres never lengthen the wait, and the more of the site
        /// they cover, the shorter it is.
        #[test]
        fn powered_land_shortens_the_wait(share in 0.0f64..1.0, more in 0.0f64..1.0) {
            let mut less = offer(0);
            less.powered_acres = less.acres * share;
            let mut most = less.clone();
            most.powered_acres = (most.acres * (share + more)).min(most.acres);
            prop_assert!(expected_wait_quarters(&most) <= expected_wait_quarters(&less) + 1e-12);
            prop_assert!(expected_wait_quarters(&less) <= expected_wait_quarters(&offer(0)) + 1e-12);
        }

        /// The chosen region's cost is the least of all offers'.
        #[test]
        fn the_choice_is_the_minimum(tariffs in proptest::collection::vec(10.0f64..300.0, 1..6)) {
            let offers: Vec<SiteOffer> = tariffs
                .iter()
                .enumerate()
                .map(|(r, &t)| SiteOffer { tariff_per_mwh: t, ..offer(r) })
                .collect();
            let Some(chosen) = cheapest_site(&offers, &terms()) else {
                return Err(TestCaseError::fail("an offer is chosen"));
            };
            let cost = expected_site_cost(&offers[chosen], &terms());
            for o in &offers {
                prop_assert!(cost <= expected_site_cost(o, &terms()));
            }
        }
    }
}
