//! Fleet refresh: a lab that has run out of power replaces its least
//! power-efficient GPUs with a newer generation on the same MW.
//!
//! A lab with free power buys GPUs to fill it. A lab whose compute target
//! needs more power than it will have soon can only grow by getting more
//! compute out of the MW it already has: it retires old units and installs
//! new ones in their place. What that is worth per H100e of the new
//! generation is the compute it *adds*, not the compute it brings:
//!
//! `refresh value per new H100e = value per H100e × (1 − old H100e per MW / new H100e per MW)`
//!
//! so replacing a generation with half the new one's compute per MW is worth
//! half what filling empty power is, and replacing one nearly as efficient is
//! worth nearly nothing. A lab refreshes the MW of a generation only when that
//! value covers the new units' price per H100e, least efficient generation
//! first (see `docs/MODEL.md`, "Fleet refresh"). Retired units are scrapped.

/// One generation a lab has installed at its energized sites in a region.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InstalledGeneration {
    pub chip: usize,
    /// Compute per MW of grid power of this generation, H100e.
    pub h100e_per_mw: f64,
    /// Grid MW its installed units draw.
    pub mw: f64,
}

/// What an H100e of a generation with `new_h100e_per_mw` is worth to a lab
/// when its units go in place of a generation with `old_h100e_per_mw`: the
/// share of its compute that is added, times `value_per_h100e`. Zero when the
/// old generation is at least as efficient.
pub fn refresh_value_per_h100e(
    value_per_h100e: f64,
    old_h100e_per_mw: f64,
    new_h100e_per_mw: f64,
) -> f64 {
    if new_h100e_per_mw <= 0.0 || value_per_h100e <= 0.0 {
        return 0.0;
    }
    value_per_h100e * (1.0 - old_h100e_per_mw / new_h100e_per_mw).max(0.0)
}

/// The MW worth refreshing, and the lowest refresh value per new H100e among
/// them (the most the lab would pay per H100e for the whole refresh).
#[derive(Debug, Clone, PartialEq)]
pub struct RefreshPlan {
    /// (chip, MW to retire), least efficient generation first.
    pub retire: Vec<(usize, f64)>,
    /// The refresh value per new H100e of the last generation in `retire`
    /// (0 when nothing is worth refreshing).
    pub marginal_value_per_h100e: f64,
    /// Generations at most this efficient, H100e per MW, may be retired.
    pub retire_up_to_h100e_per_mw: f64,
}

impl RefreshPlan {
    pub fn mw(&self) -> f64 {
        self.retire.iter().map(|(_, mw)| mw).sum()
    }
}

/// Which installed MW a power-limited lab refreshes with a generation of
/// `new_h100e_per_mw` priced at `price_per_h100e`: least efficient
/// generations first, each only if its refresh value per H100e covers the
/// price, up to `mw_wanted` in all.
pub fn plan_refresh(
    installed: &[InstalledGeneration],
    new_h100e_per_mw: f64,
    value_per_h100e: f64,
    price_per_h100e: f64,
    mw_wanted: f64,
) -> RefreshPlan {
    let mut order: Vec<&InstalledGeneration> = installed.iter().filter(|g| g.mw > 0.0).collect();
    order.sort_by(|a, b| {
        a.h100e_per_mw
            .total_cmp(&b.h100e_per_mw)
            .then(a.chip.cmp(&b.chip))
    });
    let mut plan = RefreshPlan {
        retire: Vec::new(),
        marginal_value_per_h100e: 0.0,
        retire_up_to_h100e_per_mw: 0.0,
    };
    let mut left = mw_wanted.max(0.0);
    for generation in order {
        if left <= 0.0 {
            break;
        }
        let value =
            refresh_value_per_h100e(value_per_h100e, generation.h100e_per_mw, new_h100e_per_mw);
        // Generations are in rising efficiency, so their refresh value only
        // falls: the first that does not pay ends the plan.
        if value <= 0.0 || value < price_per_h100e {
            break;
        }
        let mw = generation.mw.min(left);
        plan.retire.push((generation.chip, mw));
        plan.marginal_value_per_h100e = value;
        plan.retire_up_to_h100e_per_mw = generation.h100e_per_mw;
        left -= mw;
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fleet(raw: &[(f64, f64)]) -> Vec<InstalledGeneration> {
        raw.iter()
            .enumerate()
            .map(|(chip, &(h100e_per_mw, mw))| InstalledGeneration {
                chip,
                h100e_per_mw,
                mw,
            })
            .collect()
    }

    #[test]
    fn replacing_half_as_efficient_units_is_worth_half_of_new_power() {
        assert!((refresh_value_per_h100e(20_000.0, 500.0, 1000.0) - 10_000.0).abs() < 1e-9);
        assert!(refresh_value_per_h100e(20_000.0, 1000.0, 1000.0).abs() < 1e-12);
        assert!(refresh_value_per_h100e(20_000.0, 1500.0, 1000.0).abs() < 1e-12);
    }

    #[test]
    fn the_least_efficient_generation_goes_first_and_only_while_it_pays() {
        // H100-like (1,190 H100e/MW), B200-like (2,100), against a new 2,780.
        let installed = fleet(&[(2100.0, 300.0), (1190.0, 200.0)]);
        let plan = plan_refresh(&installed, 2780.0, 20_000.0, 9_000.0, 1_000.0);
        // The H100-like MW pays (value 11,439 ≥ 9,000); the B200-like does not (4,892).
        assert_eq!(plan.retire, vec![(1, 200.0)]);
        assert!((plan.marginal_value_per_h100e - 20_000.0 * (1.0 - 1190.0 / 2780.0)).abs() < 1e-6);
        assert!((plan.retire_up_to_h100e_per_mw - 1190.0).abs() < 1e-12);
    }

    proptest! {
        #[test]
        fn a_plan_never_retires_more_than_wanted_or_installed_nor_anything_as_efficient(
            raw in proptest::collection::vec((100.0f64..4000.0, 0.0f64..2000.0), 0..6),
            new in 100.0f64..4000.0,
            value in 0.0f64..50_000.0,
            price in 0.0f64..30_000.0,
            wanted in 0.0f64..5000.0,
        ) {
            let installed = fleet(&raw);
            let plan = plan_refresh(&installed, new, value, price, wanted);
            prop_assert!(plan.mw() <= wanted + 1e-9);
            for &(chip, mw) in &plan.retire {
                prop_assert!(mw <= installed[chip].mw + 1e-9);
                prop_assert!(installed[chip].h100e_per_mw < new);
                let v = refresh_value_per_h100e(value, installed[chip].h100e_per_mw, new);
                prop_assert!(v >= price && v >= plan.marginal_value_per_h100e - 1e-9);
            }
            // Least efficient first: every generation less efficient than one
            // retired is retired in full, unless the plan ran out of MW wanted.
            if plan.mw() < wanted - 1e-9 {
                for g in &installed {
                    if g.mw > 0.0 && g.h100e_per_mw < plan.retire_up_to_h100e_per_mw {
                        let retired: f64 = plan.retire.iter().filter(|r| r.0 == g.chip).map(|r| r.1).sum();
                        prop_assert!((retired - g.mw).abs() < 1e-9);
                    }
                }
            }
        }

        #[test]
        fn more_value_or_a_lower_price_never_refreshes_less(
            raw in proptest::collection::vec((100.0f64..4000.0, 0.0f64..2000.0), 0..6),
            new in 100.0f64..4000.0,
            value in 0.0f64..50_000.0,
            more in 0.0f64..20_000.0,
            price in 0.0f64..30_000.0,
            cut in 0.0f64..1.0,
            wanted in 0.0f64..5000.0,
        ) {
            let installed = fleet(&raw);
            let base = plan_refresh(&installed, new, value, price, wanted).mw();
            prop_assert!(plan_refresh(&installed, new, value + more, price, wanted).mw() >= base - 1e-9);
            prop_assert!(plan_refresh(&installed, new, value, price * cut, wanted).mw() >= base - 1e-9);
        }
    }
}
