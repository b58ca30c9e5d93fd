//! Forecasts: what labs, hosts and chipmakers expect a quantity to be when
//! what they order now arrives (issue 28; model brief, principle 8).
//!
//! Rule: adaptive expectations of growth (Nerlove 1958). The expected log
//! growth per quarter moves a weight `w` toward the growth just observed,
//! `g ← (1 − w) g + w ln(y_t / y_{t−1})`, and the forecast `h` quarters
//! ahead is `y_t × e^{g h}`. A large weight chases the last quarter (the
//! cobweb the lagged-price ordering produced); a small one is slow to see a
//! boom or a bust. Forecast errors, not a lagged price, then make the cycle.

/// Expected log growth per quarter is kept within ± this (about ×150 a
/// quarter), so a jump from almost nothing cannot overflow a forecast.
const MAX_LOG_GROWTH: f64 = 5.0;

/// The most quarters ahead a forecast looks, so `g × h` stays finite.
const MAX_HORIZON_QUARTERS: f64 = 400.0;

/// One quantity's adaptive forecast: the last level seen and the expected
/// log growth per quarter.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GrowthForecast {
    /// The last level observed (0 before any).
    pub level: f64,
    /// Expected log growth per quarter.
    pub growth: f64,
}

impl GrowthForecast {
    /// A forecast that expects `growth_per_quarter` (log) before it has seen
    /// anything: the prior a scenario states.
    pub fn new(growth_per_quarter: f64) -> Self {
        Self {
            level: 0.0,
            growth: clamp_growth(growth_per_quarter),
        }
    }

    /// Takes this quarter's level: the expected growth moves `weight`, from 0
    /// to 1, of the way to the growth just seen. The first level, and a level
    /// that is not positive, teach nothing about growth; each is kept as the
    /// level.
    pub fn observe(&mut self, value: f64, weight: f64) {
        let value = if value.is_finite() {
            value.max(0.0)
        } else {
            0.0
        };
        if self.level > 0.0 && value > 0.0 {
            let seen = (value / self.level).ln();
            let w = if weight.is_finite() {
                weight.clamp(0.0, 1.0)
            } else {
                0.0
            };
            self.growth = clamp_growth((1.0 - w) * self.growth + w * seen);
        }
        self.level = value;
    }

    /// The level expected `horizon_quarters` from the last one seen.
    pub fn ahead(&self, horizon_quarters: f64) -> f64 {
        let h = if horizon_quarters.is_finite() {
            horizon_quarters.clamp(0.0, MAX_HORIZON_QUARTERS)
        } else {
            0.0
        };
        if self.level <= 0.0 {
            return 0.0;
        }
        // e^700 is near the largest finite f64; beyond it the forecast is
        // capped rather than infinite.
        (self.level * (self.growth * h).min(700.0).exp()).min(f64::MAX)
    }
}

fn clamp_growth(growth: f64) -> f64 {
    if growth.is_finite() {
        growth.clamp(-MAX_LOG_GROWTH, MAX_LOG_GROWTH)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn after(path: &[f64], weight: f64, prior: f64) -> GrowthForecast {
        let mut forecast = GrowthForecast::new(prior);
        for &value in path {
            forecast.observe(value, weight);
        }
        forecast
    }

    proptest! {
        /// On a path of constant growth the expected growth converges to it,
        /// from any prior, at any positive weight.
        #[test]
        fn constant_growth_is_learned(
            g in -0.5f64..0.5, prior in -1.0f64..1.0, weight in 0.2f64..=1.0, start in 1.0f64..1e6,
        ) {
            let path: Vec<f64> = (0..80).map(|t| start * (g * f64::from(t)).exp()).collect();
            let forecast = after(&path, weight, prior);
            prop_assert!((forecast.growth - g).abs() < 1e-4, "{} against {g}", forecast.growth);
            let next = start * (g * 80.0).exp();
            prop_assert!((forecast.ahead(1.0) / next - 1.0).abs() < 1e-3);
        }

        /// Weight 1 expects exactly the last growth seen; weight 0 keeps the
        /// prior whatever happens.
        #[test]
        fn the_weight_runs_from_the_prior_to_the_last_quarter(
            a in 0.1f64..1e6, b in 0.1f64..1e6, c in 0.1f64..1e6, prior in -1.0f64..1.0,
        ) {
            let chasing = after(&[a, b, c], 1.0, prior);
            prop_assert!((chasing.growth - clamp_growth((c / b).ln())).abs() < 1e-12);
            let stubborn = after(&[a, b, c], 0.0, prior);
            prop_assert!((stubborn.growth - prior).abs() < 1e-12);
        }

        /// A higher level seen never lowers the forecast; looking further
        /// ahead raises it when growth is expected and lowers it when decline
        /// is; every forecast is finite and not negative.
        #[test]
        fn forecasts_follow_the_level_and_the_horizon(
            path in prop::collection::vec(0.0f64..1e9, 1..20), more in 0.0f64..1e9,
            weight in 0.0f64..=1.0, h in 0.0f64..40.0, further in 0.0f64..40.0,
        ) {
            let mut low = after(&path[..path.len() - 1], weight, 0.1);
            let mut high = low;
            let last = path[path.len() - 1];
            low.observe(last, weight);
            high.observe(last + more, weight);
            if low.level > 0.0 && high.growth >= low.growth {
                prop_assert!(high.ahead(h) >= low.ahead(h));
            }
            let now = low.ahead(h);
            let later = low.ahead(h + further);
            prop_assert!(now.is_finite() && now >= 0.0 && later.is_finite());
            if low.growth >= 0.0 {
                prop_assert!(later >= now);
            } else {
                prop_assert!(later <= now);
            }
        }

        /// Nothing makes a forecast infinite or NaN: zeros, infinities, NaN
        /// levels or weights, and jumps from almost nothing.
        #[test]
        fn bad_inputs_keep_forecasts_finite(
            path in prop::collection::vec(prop_oneof![
                Just(0.0), Just(f64::NAN), Just(f64::INFINITY), Just(-1.0), 1e-300f64..1e300,
            ], 1..30),
            weight in prop_oneof![Just(f64::NAN), 0.0f64..=1.0, Just(7.0)],
            h in prop_oneof![Just(f64::INFINITY), Just(f64::NAN), 0.0f64..1e6],
        ) {
            let forecast = after(&path, weight, 0.0);
            prop_assert!(forecast.growth.is_finite());
            prop_assert!(forecast.ahead(h).is_finite());
        }
    }
}
