//! A fleet's vintages: the accelerators installed in one quarter and region,
//! kept apart so that they retire together at the end of their life (issue
//! 28, step 5: every fleet ages and retires).
//!
//! Rule: a vintage installed at quarter `t₀` runs until `t₀ + life` and
//! retires at the start of that quarter, taking with it its compute, the MW it
//! drew and its book cost (it is fully depreciated by then). A fleet that
//! existed before the run is spread evenly over the quarters it was bought
//! in, so it retires over as many quarters, not all at once. Retirement
//! conserves: what retires plus what remains is what there was.

/// Accelerators installed in one quarter and one region.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Vintage {
    /// The quarter it was installed in (negative before the run).
    pub installed_tick: i64,
    /// Index of the region it runs in.
    pub region: usize,
    pub h100e: f64,
    /// Power it draws at the meter, MW.
    pub mw: f64,
    /// What it cost, USD.
    pub cost_usd: f64,
}

/// A starting fleet spread evenly over the `quarters` quarters before the
/// run (ticks `−quarters` to `−1`), at least one.
pub fn spread_before_start(
    region: usize,
    h100e: f64,
    mw: f64,
    cost_usd: f64,
    quarters: u32,
) -> Vec<Vintage> {
    let n = quarters.max(1);
    let share = 1.0 / f64::from(n);
    (0..n)
        .map(|k| Vintage {
            installed_tick: -i64::from(n - k),
            region,
            h100e: h100e * share,
            mw: mw * share,
            cost_usd: cost_usd * share,
        })
        .collect()
}

/// Adds a delivery to the fleet, joining the last vintage when it is of the
/// same quarter and region.
pub fn add_delivery(vintages: &mut Vec<Vintage>, delivered: Vintage) {
    if let Some(last) = vintages.last_mut()
        && last.installed_tick == delivered.installed_tick
        && last.region == delivered.region
    {
        last.h100e += delivered.h100e;
        last.mw += delivered.mw;
        last.cost_usd += delivered.cost_usd;
        return;
    }
    vintages.push(delivered);
}

/// Takes out of the fleet every vintage that has reached `life_quarters` of
/// age at quarter `tick`, in the order they were installed, and returns them.
/// A life of zero is read as one quarter, so nothing retires in the quarter
/// it arrived.
pub fn retire_aged(vintages: &mut Vec<Vintage>, tick: i64, life_quarters: u32) -> Vec<Vintage> {
    let life = i64::from(life_quarters.max(1));
    let (retired, kept): (Vec<Vintage>, Vec<Vintage>) = vintages
        .iter()
        .partition(|v| tick - v.installed_tick >= life);
    *vintages = kept;
    retired
}

/// Takes `h100e` out of the fleet, oldest vintages first (a fleet refresh
/// scraps the oldest units of a generation), splitting the last vintage it
/// touches in proportion; returns what it took. It never takes more than
/// the fleet holds; a vintage emptied to within a rounding error leaves.
pub fn take_oldest(vintages: &mut Vec<Vintage>, h100e: f64) -> Vec<Vintage> {
    let mut left = if h100e.is_finite() {
        h100e.max(0.0)
    } else {
        0.0
    };
    let mut taken = Vec::new();
    for v in vintages.iter_mut() {
        if left <= 0.0 {
            break;
        }
        if v.h100e <= left * (1.0 + 1e-12) {
            left -= v.h100e;
            taken.push(*v);
            v.h100e = 0.0;
            continue;
        }
        let share = left / v.h100e;
        let part = Vintage {
            h100e: left,
            mw: v.mw * share,
            cost_usd: v.cost_usd * share,
            ..*v
        };
        v.h100e -= part.h100e;
        v.mw -= part.mw;
        v.cost_usd -= part.cost_usd;
        taken.push(part);
        left = 0.0;
    }
    vintages.retain(|v| v.h100e > 0.0);
    taken
}

/// Sum of a field over vintages.
pub fn total(vintages: &[Vintage], field: impl Fn(&Vintage) -> f64) -> f64 {
    vintages.iter().map(field).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fleet(deliveries: &[(i64, usize, f64)]) -> Vec<Vintage> {
        let mut v = spread_before_start(0, 100.0, 80.0, 3.0e6, 8);
        for &(tick, region, h100e) in deliveries {
            add_delivery(
                &mut v,
                Vintage {
                    installed_tick: tick,
                    region,
                    h100e,
                    mw: h100e * 0.5,
                    cost_usd: h100e * 2.0e4,
                },
            );
        }
        v
    }

    /// A fleet from deliveries given in any order, installed in time order.
    fn fleet_in_order(deliveries: &[(i64, usize, f64)]) -> Vec<Vintage> {
        let mut sorted = deliveries.to_vec();
        sorted.sort_by_key(|d| d.0);
        fleet(&sorted)
    }

    /// Compute, MW and cost of a fleet.
    fn totals(v: &[Vintage]) -> [f64; 3] {
        [
            total(v, |x| x.h100e),
            total(v, |x| x.mw),
            total(v, |x| x.cost_usd),
        ]
    }

    /// Whether what stayed and what left add up to what there was, field by
    /// field, to a relative `tolerance`.
    fn conserved(before: &[f64; 3], kept: &[Vintage], left: &[Vintage], tolerance: f64) -> bool {
        let (now, gone) = (totals(kept), totals(left));
        (0..3).all(|k| (now[k] + gone[k] - before[k]).abs() <= tolerance * before[k].abs().max(1.0))
    }

    #[test]
    fn a_starting_fleet_retires_over_the_quarters_it_was_bought_in() {
        let mut v = spread_before_start(2, 800.0, 640.0, 8.0e6, 8);
        assert_eq!(v.len(), 8);
        assert_eq!(v[0].installed_tick, -8);
        assert_eq!(v[7].installed_tick, -1);
        // Life 20: the oldest eighth leaves at tick 12, the last at tick 19.
        assert!(retire_aged(&mut v, 11, 20).is_empty());
        let first = retire_aged(&mut v, 12, 20);
        assert_eq!(first.len(), 1);
        assert!((first[0].h100e - 100.0).abs() < 1e-9);
        assert_eq!(first[0].region, 2);
        let rest = retire_aged(&mut v, 19, 20);
        assert_eq!(rest.len(), 7);
        assert!(v.is_empty());
    }

    #[test]
    fn deliveries_of_one_quarter_and_region_join_one_vintage() {
        let v = fleet(&[(0, 0, 10.0), (0, 0, 5.0), (0, 1, 1.0), (1, 1, 2.0)]);
        assert_eq!(v.len(), 8 + 3);
        assert!((v[8].h100e - 15.0).abs() < 1e-12);
    }

    proptest! {
        /// Retirement conserves compute, MW and cost; nothing younger than its
        /// life retires and nothing as old stays; what stays keeps its order.
        #[test]
        fn retirement_conserves_and_respects_age(
            deliveries in prop::collection::vec((0i64..40, 0usize..3, 0.0f64..1e6), 0..30),
            tick in 0i64..60,
            life in 0u32..30,
        ) {
            let mut v = fleet_in_order(&deliveries);
            let before = totals(&v);
            let retired = retire_aged(&mut v, tick, life);
            prop_assert!(conserved(&before, &v, &retired, 1e-9));
            let life = i64::from(life.max(1));
            prop_assert!(retired.iter().all(|r| tick - r.installed_tick >= life));
            prop_assert!(v.iter().all(|r| tick - r.installed_tick < life));
            prop_assert!(v.windows(2).all(|w| w[0].installed_tick <= w[1].installed_tick));
        }

        /// Taking the oldest conserves compute, MW and cost, takes no more
        /// than was asked or held, and leaves only vintages no older than
        /// any it took from.
        #[test]
        fn taking_the_oldest_conserves_and_goes_in_order(
            deliveries in prop::collection::vec((0i64..40, 0usize..3, 0.0f64..1e6), 0..30),
            wanted in 0.0f64..2e7,
        ) {
            let mut v = fleet_in_order(&deliveries);
            let before = totals(&v);
            let taken = take_oldest(&mut v, wanted);
            prop_assert!(conserved(&before, &v, &taken, 1e-6));
            let took = total(&taken, |x| x.h100e);
            prop_assert!(took <= wanted * (1.0 + 1e-9) + 1e-9);
            prop_assert!(took <= before[0] * (1.0 + 1e-9) + 1e-9);
            if let (Some(last), Some(first_left)) = (taken.last(), v.first()) {
                prop_assert!(last.installed_tick <= first_left.installed_tick);
            }
            prop_assert!(v.iter().all(|x| x.h100e > 0.0));
        }

        /// A later quarter never retires less.
        #[test]
        fn retirement_grows_with_time(tick in 0i64..40, later in 0i64..10, life in 1u32..30) {
            let mut a = fleet(&[(0, 0, 1.0), (5, 1, 2.0), (9, 0, 4.0)]);
            let mut b = a.clone();
            let now = total(&retire_aged(&mut a, tick, life), |x| x.h100e);
            let then = total(&retire_aged(&mut b, tick + later, life), |x| x.h100e);
            prop_assert!(then >= now);
        }

        /// Spreading a starting fleet conserves it, and every vintage is from
        /// before the run.
        #[test]
        fn spreading_conserves(h100e in 0.0f64..1e7, mw in 0.0f64..1e4, cost in 0.0f64..1e11, q in 0u32..40) {
            let v = spread_before_start(1, h100e, mw, cost, q);
            prop_assert_eq!(v.len() as u32, q.max(1));
            prop_assert!((total(&v, |x| x.h100e) - h100e).abs() <= 1e-9 * h100e.max(1.0));
            prop_assert!((total(&v, |x| x.mw) - mw).abs() <= 1e-9 * mw.max(1.0));
            prop_assert!((total(&v, |x| x.cost_usd) - cost).abs() <= 1e-9 * cost.max(1.0));
            prop_assert!(v.iter().all(|x| x.installed_tick < 0));
        }
    }
}
