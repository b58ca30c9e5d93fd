//! The compute cost curve: how many tokens one H100e serves for a model of a
//! given capability, as algorithms improve.
//!
//! Two forces pull in opposite directions (see `docs/MODEL.md`, "The cost curve"):
//!
//! - **Algorithmic efficiency.** The compute needed to reach a fixed capability
//!   halves every `halving_months` (Epoch AI, Ho et al. 2024: 8 months, 95% CI
//!   5–14), so a model of fixed capability serves more tokens per H100e each
//!   quarter.
//! - **Capability costs compute.** A more capable model is larger and costs
//!   more compute per token: serving compute doubles for every
//!   `capability_per_doubling` units of capability above the reference model
//!   (the frontier at the start of the run, which serves the configured
//!   `mtok_per_h100e_quarter`).
//!
//! The frontier therefore gets cheaper to serve only if algorithms outrun its
//! capability growth, while a fixed capability always gets cheaper.

/// Exponents are clamped to this many doublings either way (a factor of about
/// 1e18): beyond it the numbers have no economic meaning, and extreme but valid
/// parameters (a 400-quarter run, a lab 1,000 capability units ahead) must
/// still give finite tokens, prices and revenues.
const MAX_DOUBLINGS: f64 = 60.0;

/// Months in a quarter.
const MONTHS_PER_QUARTER: f64 = 3.0;

/// The factor by which the compute needed for a fixed capability has fallen
/// after `quarters_elapsed` quarters: `2^(3 × quarters / halving_months)`.
/// It is 1 at the start and never falls.
pub fn algorithmic_efficiency(quarters_elapsed: u32, halving_months: f64) -> f64 {
    if halving_months <= 0.0 {
        return 1.0;
    }
    let doublings = f64::from(quarters_elapsed) * MONTHS_PER_QUARTER / halving_months;
    doublings.clamp(0.0, MAX_DOUBLINGS).exp2()
}

/// The factor by which serving software (batching, kernels, speculative
/// decoding, lower-precision arithmetic) has raised the tokens the same
/// hardware serves for the same model after `quarters_elapsed` quarters:
/// `gain_per_year^(quarters / 4)`. It is separate from
/// `algorithmic_efficiency`, which measures the *training* compute a
/// capability needs (Ho et al. 2024); MLPerf measures this one on fixed
/// hardware and a fixed model. It is 1 at the start and never falls; a gain
/// below 1 counts as none.
pub fn serving_software_gain(quarters_elapsed: u32, gain_per_year: f64) -> f64 {
    // A NaN gain counts as none, as a gain of 1 or less does.
    if gain_per_year.is_nan() || gain_per_year <= 1.0 {
        return 1.0;
    }
    let doublings = f64::from(quarters_elapsed) / 4.0 * gain_per_year.log2();
    doublings.clamp(0.0, MAX_DOUBLINGS).exp2()
}

/// Serving compute per token of a model of `capability`, relative to the
/// reference model at equal algorithmic efficiency:
/// `2^((capability − reference) / capability_per_doubling)`.
pub fn serving_compute_factor(
    capability: f64,
    reference: f64,
    capability_per_doubling: f64,
) -> f64 {
    if capability_per_doubling <= 0.0 {
        return 1.0;
    }
    ((capability - reference) / capability_per_doubling)
        .clamp(-MAX_DOUBLINGS, MAX_DOUBLINGS)
        .exp2()
}

/// Millions of tokens one H100e serves in a quarter for a model of
/// `capability`: `base × efficiency / serving_compute_factor`.
pub fn mtok_per_h100e(
    base_mtok_per_h100e: f64,
    efficiency: f64,
    capability: f64,
    reference: f64,
    capability_per_doubling: f64,
) -> f64 {
    base_mtok_per_h100e * efficiency
        / serving_compute_factor(capability, reference, capability_per_doubling)
}

/// What a lab would charge for a model of the reference capability, derived
/// from its frontier price: the same markup over a cost lower by the serving
/// compute its capability lead spends per token. `None` for a lab below the
/// reference, which cannot offer that capability.
pub fn fixed_capability_quote(
    frontier_price_per_mtok: f64,
    capability: f64,
    reference: f64,
    capability_per_doubling: f64,
) -> Option<f64> {
    (capability >= reference).then(|| {
        frontier_price_per_mtok
            / serving_compute_factor(capability, reference, capability_per_doubling)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Efficiency starts at 1, never falls with time, and is finite.
        #[test]
        fn efficiency_grows_with_time(q in 0u32..2000, more in 0u32..100, halving in 0.5f64..120.0) {
            let now = algorithmic_efficiency(q, halving);
            let later = algorithmic_efficiency(q + more, halving);
            prop_assert!(now >= 1.0);
            prop_assert!(later >= now);
            prop_assert!(later.is_finite());
        }

        /// A faster halving never gives less efficiency.
        #[test]
        fn faster_halving_gives_more_efficiency(q in 0u32..400, halving in 1.0f64..60.0, faster in 0.0f64..0.9) {
            let slow = algorithmic_efficiency(q, halving);
            let fast = algorithmic_efficiency(q, halving * (1.0 - faster));
            prop_assert!(fast >= slow);
        }

        /// Serving software's gain starts at 1, never falls with time or with
        /// a faster yearly gain, compounds by the year, and is finite.
        #[test]
        fn software_gain_grows_with_time_and_rate(
            q in 0u32..2000, more in 0u32..100, gain in 0.0f64..50.0, faster in 0.0f64..5.0,
        ) {
            let now = serving_software_gain(q, gain);
            prop_assert_eq!(serving_software_gain(0, gain).to_bits(), 1.0_f64.to_bits());
            prop_assert!(now >= 1.0 && now.is_finite());
            prop_assert!(serving_software_gain(q + more, gain) >= now);
            prop_assert!(serving_software_gain(q, gain + faster) >= now);
            // A whole year compounds by the gain, short of the clamp.
            if gain > 1.0 && f64::from(q + 4) / 4.0 * gain.log2() < 59.0 {
                let year = serving_software_gain(q + 4, gain) / now;
                prop_assert!((year - gain).abs() < 1e-9 * gain);
            }
        }

        /// A more capable model never serves more tokens per H100e; more
        /// efficiency never serves fewer.
        #[test]
        fn tokens_fall_with_capability_and_rise_with_efficiency(
            cap in 0.0f64..20.0, extra in 0.0f64..5.0, eff in 1.0f64..1e6, gain in 1.0f64..10.0,
            per in 0.01f64..2.0,
        ) {
            let base = mtok_per_h100e(1500.0, eff, cap, 1.0, per);
            prop_assert!(mtok_per_h100e(1500.0, eff, cap + extra, 1.0, per) <= base);
            prop_assert!(mtok_per_h100e(1500.0, eff * gain, cap, 1.0, per) >= base);
            prop_assert!(base.is_finite() && base > 0.0);
        }

        /// A lab at or above the reference quotes the fixed capability at or
        /// below its frontier price, and a larger lead lowers the quote.
        #[test]
        fn quotes_never_exceed_the_frontier_price(price in 0.01f64..100.0, lead in 0.0f64..3.0, more in 0.0f64..3.0, per in 0.01f64..2.0) {
            let quote = fixed_capability_quote(price, 1.0 + lead, 1.0, per).unwrap_or(f64::NAN);
            prop_assert!(quote <= price);
            prop_assert!(quote > 0.0);
            let further =
                fixed_capability_quote(price, 1.0 + lead + more, 1.0, per).unwrap_or(f64::NAN);
            prop_assert!(further <= quote);
        }
    }

    #[test]
    fn efficiency_doubles_each_halving_period() {
        // Eight-month halving: 24 months (8 quarters) is three doublings.
        assert!((algorithmic_efficiency(8, 8.0) - 8.0).abs() < 1e-9);
        assert!((algorithmic_efficiency(0, 8.0) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn the_reference_model_serves_the_base_rate() {
        assert!((mtok_per_h100e(1500.0, 1.0, 1.0, 1.0, 0.15) - 1500.0).abs() < 1e-9);
        // One doubling of capability costs half the tokens.
        assert!((mtok_per_h100e(1500.0, 1.0, 1.15, 1.0, 0.15) - 750.0).abs() < 1e-6);
    }

    #[test]
    fn labs_below_the_reference_cannot_quote_it() {
        assert_eq!(fixed_capability_quote(2.0, 0.9, 1.0, 0.15), None);
        assert_eq!(fixed_capability_quote(2.0, 1.0, 1.0, 0.15), Some(2.0));
    }
}
