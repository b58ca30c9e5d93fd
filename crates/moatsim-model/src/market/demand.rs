//! End users' demand for tokens, tied to capability (model brief, principle 7).
//!
//! A segment's tokens in a quarter are `adopters × tasks per adopter × tokens
//! per task`, moved by price and a shock. Each factor is a pure function here,
//! so the engine can report how much of the growth each one explains:
//!
//! - **Tokens per task** rise with the capability a segment is served at:
//!   stronger models reason longer and act as agents, and an agentic task uses
//!   several times the tokens of a chat. `ln(tokens per task)` grows by
//!   `β` per unit of capability, and by `ln(1 + (m − 1) × a(C))` as the share
//!   `a(C)` of tasks done by agents rises along a logistic in capability
//!   around the segment's agent threshold (Epoch AI: reasoning answers use
//!   about 8× the tokens; Anthropic: agents 4×, multi-agent systems 15× a
//!   chat).
//! - **Adoption** follows a Bass diffusion whose ceiling rises when
//!   capability crosses the segment's thresholds (coding assistants, then
//!   coding agents; support bots, then support agents). The hazard of
//!   adopting is `p + q × A / M` a year (innovation and imitation, Sultan,
//!   Farley and Lehmann 1990: p ≈ 0.03, q ≈ 0.38), applied over a quarter as
//!   `1 − exp(−hazard / 4)` of those not yet adopted, so adopters never pass
//!   the ceiling and never fall.
//! - **Price** moves demand with a constant elasticity per tier:
//!   `(price / reference)^(−ε)`.

/// Exponent bound for growth over a run (about 1e13 either way), as in
/// [`crate::market::apps`]: beyond it the numbers have no economic meaning.
const MAX_LOG_FACTOR: f64 = 30.0;

/// The logistic `1 / (1 + exp(−(x − centre) / width))`, a step at zero
/// width.
pub fn logistic(x: f64, centre: f64, width: f64) -> f64 {
    if width <= 0.0 {
        return if x >= centre { 1.0 } else { 0.0 };
    }
    let z = ((x - centre) / width).clamp(-MAX_LOG_FACTOR, MAX_LOG_FACTOR);
    1.0 / (1.0 + (-z).exp())
}

/// How a segment's tokens per task respond to the capability it is served at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TokensPerTask {
    /// `β`: growth of log tokens per task per unit of capability (longer
    /// reasoning and context at the same kind of task).
    pub per_capability: f64,
    /// `m`: tokens of a task done by an agent over the same task done in chat.
    pub agent_multiplier: f64,
    /// Capability at which half of the segment's tasks are done by agents.
    pub agent_threshold: f64,
    /// Width of the logistic in capability over which agents take over.
    pub agent_width: f64,
}

impl TokensPerTask {
    /// Share of tasks done by agents at capability `c`.
    pub fn agent_share(&self, capability: f64) -> f64 {
        logistic(capability, self.agent_threshold, self.agent_width)
    }

    /// `ln(tokens per task)` at capability `c`, relative to a chat task at
    /// capability zero: `β c + ln(1 + (m − 1) a(c))`. Differences of this
    /// between two quarters give the growth of tokens per task.
    pub fn log_level(&self, capability: f64) -> f64 {
        let agents = (self.agent_multiplier.max(1.0) - 1.0) * self.agent_share(capability);
        self.per_capability.max(0.0) * capability + agents.ln_1p()
    }

    /// Tokens per task at capability `now` over tokens per task at `start`.
    pub fn growth(&self, start: f64, now: f64) -> f64 {
        (self.log_level(now) - self.log_level(start))
            .clamp(-MAX_LOG_FACTOR, MAX_LOG_FACTOR)
            .exp()
    }
}

/// A capability threshold that opens new uses in a segment: past it, the
/// segment's potential adopters grow by `ceiling_gain` (a share of the
/// segment's population of possible users).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Unlock {
    /// Capability at which half of the gain has opened.
    pub capability: f64,
    /// Share of the population the threshold adds to the ceiling.
    pub ceiling_gain: f64,
}

/// The share of a segment's population that could adopt at capability `c`:
/// `base + Σ gain_k × logistic(c; threshold_k, width)`, within [0, 1].
pub fn adoption_ceiling(base: f64, unlocks: &[Unlock], width: f64, capability: f64) -> f64 {
    let opened: f64 = unlocks
        .iter()
        .map(|u| u.ceiling_gain.max(0.0) * logistic(capability, u.capability, width))
        .sum();
    (base.max(0.0) + opened).clamp(0.0, 1.0)
}

/// Bass diffusion coefficients, per year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Diffusion {
    /// `p`: adoption from outside influence (advertising, launches).
    pub innovation: f64,
    /// `q`: adoption from imitation of those who already adopted.
    pub imitation: f64,
}

/// Adopters (a share of the population) after one quarter of Bass diffusion
/// towards `ceiling`: those not yet adopted, `M − A`, adopt at the yearly
/// hazard `p + q A / M` over a quarter. Adopters never fall and never pass
/// the ceiling; a ceiling below today's adopters keeps them where they are.
pub fn adopt_quarter(adopters: f64, ceiling: f64, diffusion: Diffusion) -> f64 {
    let adopters = adopters.max(0.0);
    if ceiling <= adopters {
        return adopters;
    }
    let hazard = diffusion.innovation.max(0.0) + diffusion.imitation.max(0.0) * adopters / ceiling;
    let converted = 1.0 - (-hazard / 4.0).exp();
    adopters + (ceiling - adopters) * converted
}

/// Demand's response to price: `(price / reference)^(−ε)`, with the
/// elasticity `ε ≥ 0` of the tier the tokens are bought at. At `ε > 1`
/// cheaper tokens raise spending (the commodity tier); at `ε < 1` they lower
/// it (the frontier, where capability matters more than price).
pub fn price_response(price_ratio: f64, elasticity: f64) -> f64 {
    (-elasticity.max(0.0) * price_ratio.max(1e-9).ln())
        .clamp(-MAX_LOG_FACTOR, MAX_LOG_FACTOR)
        .exp()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tokens(beta: f64, m: f64, threshold: f64) -> TokensPerTask {
        TokensPerTask {
            per_capability: beta,
            agent_multiplier: m,
            agent_threshold: threshold,
            agent_width: 0.2,
        }
    }

    proptest! {
        /// More capability never lowers tokens per task; the growth from a
        /// capability to itself is one, and growths chain.
        #[test]
        fn tokens_per_task_rise_with_capability(
            beta in 0.0f64..3.0, m in 1.0f64..20.0, threshold in 0.5f64..3.0,
            start in 0.0f64..3.0, up in 0.0f64..2.0, more in 0.0f64..2.0,
        ) {
            let t = tokens(beta, m, threshold);
            prop_assert!(t.growth(start, start + up) >= 1.0 - 1e-12);
            prop_assert!((t.growth(start, start) - 1.0).abs() < 1e-12);
            let chained = t.growth(start, start + up) * t.growth(start + up, start + up + more);
            prop_assert!((chained / t.growth(start, start + up + more) - 1.0).abs() < 1e-9);
        }

        /// Agents add at most the multiplier: with β = 0, tokens per task
        /// grow by no more than m over any range of capability.
        #[test]
        fn agents_add_at_most_their_multiplier(
            m in 1.0f64..20.0, threshold in 0.5f64..3.0, start in 0.0f64..3.0, up in 0.0f64..5.0,
        ) {
            let growth = tokens(0.0, m, threshold).growth(start, start + up);
            prop_assert!(growth <= m + 1e-9);
        }

        /// The ceiling stays a share and never falls as capability rises.
        #[test]
        fn capability_only_opens_adoption(
            base in 0.0f64..1.0, gains in proptest::collection::vec((0.5f64..3.0, 0.0f64..0.5), 0..4),
            c in 0.0f64..4.0, up in 0.0f64..2.0,
        ) {
            let unlocks: Vec<Unlock> = gains
                .iter()
                .map(|&(capability, ceiling_gain)| Unlock { capability, ceiling_gain })
                .collect();
            let now = adoption_ceiling(base, &unlocks, 0.2, c);
            prop_assert!((0.0..=1.0).contains(&now));
            prop_assert!(adoption_ceiling(base, &unlocks, 0.2, c + up) >= now - 1e-12);
        }

        /// Adopters never fall, never pass a ceiling above them, and more
        /// innovation, imitation or ceiling never slows a quarter's adoption.
        #[test]
        fn diffusion_moves_adopters_up_to_the_ceiling(
            adopters in 0.0f64..0.5, ceiling in 0.0f64..1.0, p in 0.0f64..0.2, q in 0.0f64..1.0,
            more in 0.0f64..0.5,
        ) {
            let d = Diffusion { innovation: p, imitation: q };
            let next = adopt_quarter(adopters, ceiling, d);
            prop_assert!(next >= adopters);
            prop_assert!(next <= adopters.max(ceiling) + 1e-12);
            let faster = [
                Diffusion { innovation: p + more, imitation: q },
                Diffusion { innovation: p, imitation: q + more },
            ];
            for d2 in faster {
                prop_assert!(adopt_quarter(adopters, ceiling, d2) >= next - 1e-12);
            }
            prop_assert!(adopt_quarter(adopters, ceiling + more, d) >= next - 1e-12);
        }

        /// Demand falls with price at any positive elasticity; spending
        /// (price × demand) rises as price falls exactly when ε > 1.
        #[test]
        fn price_moves_demand_and_spending_by_tier(
            ratio in 0.05f64..1.0, epsilon in 0.0f64..3.0,
        ) {
            let demand = price_response(ratio, epsilon);
            prop_assert!(demand >= 1.0 - 1e-12);
            let spending = ratio * demand;
            if epsilon > 1.0 + 1e-9 {
                prop_assert!(spending >= 1.0 - 1e-9);
            } else if epsilon < 1.0 - 1e-9 {
                prop_assert!(spending <= 1.0 + 1e-9);
            }
        }
    }

    /// With the published mean coefficients (p = 0.03, q = 0.38 a year) and
    /// no one adopted, adoption reaches half the ceiling in about the
    /// continuous model's time: the S-curve's inflection,
    /// `ln(q / p) / (p + q)` ≈ 6.2 years.
    #[test]
    fn the_published_mean_reaches_its_inflection_in_about_six_years() {
        let d = Diffusion {
            innovation: 0.03,
            imitation: 0.38,
        };
        let (mut adopters, mut quarters) = (0.0, 0);
        // The continuous Bass curve's share at its peak of new adoption:
        // (q − p) / 2q.
        let at_peak = (0.38 - 0.03) / (2.0 * 0.38);
        while adopters < at_peak {
            adopters = adopt_quarter(adopters, 1.0, d);
            quarters += 1;
        }
        let years = f64::from(quarters) / 4.0;
        let expected = (0.38f64 / 0.03).ln() / 0.41;
        assert!(
            (years - expected).abs() < 0.5,
            "{years} years against {expected}"
        );
    }

    /// A chat segment whose capability passes its agent threshold ends with
    /// about the multiplier more tokens per task.
    #[test]
    fn passing_the_agent_threshold_multiplies_tokens_per_task() {
        let t = tokens(0.0, 8.0, 1.5);
        let growth = t.growth(0.5, 2.5);
        assert!(growth > 7.0 && growth < 8.0, "{growth}");
    }
}
