//! Deterministic random streams.
//!
//! Every random draw in moatsim comes from a ChaCha stream derived from
//! (run seed, purpose, agent id, tick). Streams never depend on the order in
//! which agents are processed or on which thread processes them, which is what
//! makes output byte-identical for any thread count.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::AgentId;

/// What a stream is used for. Each purpose gets independent draws, so adding a
/// new use of randomness never shifts the draws of an existing one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u64)]
pub enum Purpose {
    /// An app builder's initial traits (segment, size, value per token).
    BuilderTraits = 1,
    /// An app builder's provider choice in a quarter.
    ProviderChoice = 2,
    /// An app builder's demand shock in a quarter.
    DemandShock = 3,
    /// The traits of a builder that enters during the run.
    BuilderEntry = 4,
    /// A lab's research outcome (capability noise) in a quarter.
    Research = 5,
    /// An investor's appetite shock in a quarter.
    InvestorAppetite = 6,
    /// Whether an app builder belongs to a joint venture's tied demand.
    JointVentureTie = 7,
    /// Whether an app builder is in the sampled `app_builders` output.
    OutputSample = 8,
    /// The seeds a sweep derives from its master seed (agent 0, tick = run index).
    SweepSeeds = 9,
    /// A sweep's Latin-hypercube draws (agent = dimension index).
    SweepSampling = 10,
    /// A segment's end-user demand shock in a quarter (agent = segment index).
    SegmentDemand = 11,
    /// How long a project's construction takes (drawn once, when it starts;
    /// agent = its lab, tick = the quarter the lab chose the site).
    Construction = 12,
    /// Whether and for how long a site's permit is challenged (drawn once,
    /// when it applies; agent = its lab, tick = the quarter the lab chose the
    /// site).
    PermitChallenge = 13,
    /// Whether an app builder reviews its provider this quarter (its
    /// integration and evaluation cycle).
    ProviderReview = 14,
}

/// SplitMix64 finaliser: a cheap, well-mixed 64-bit hash used to turn the key
/// into seed material.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The stream for one (seed, purpose, agent, tick).
pub fn stream(seed: u64, purpose: Purpose, agent: AgentId, tick: u32) -> ChaCha8Rng {
    let a = mix(seed);
    let b = mix(a ^ (purpose as u64));
    let c = mix(b ^ agent.get());
    let d = mix(c ^ u64::from(tick));
    let mut key = [0u8; 32];
    for (chunk, word) in key.chunks_exact_mut(8).zip([a, b, c, d]) {
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    ChaCha8Rng::from_seed(key)
}

/// A uniform number in [0, 1) fixed by (seed, purpose, agent, salt): for
/// memberships that must not change from quarter to quarter, computed without
/// building a stream.
pub fn unit_hash(seed: u64, purpose: Purpose, agent: AgentId, salt: u64) -> f64 {
    let h = mix(mix(mix(mix(seed) ^ purpose as u64) ^ agent.get()) ^ salt);
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// A uniform draw in [0, 1).
pub fn uniform(rng: &mut ChaCha8Rng) -> f64 {
    rng.random::<f64>()
}

/// A standard normal draw (Box–Muller; one of the pair is discarded so that
/// each call consumes a fixed number of words).
pub fn standard_normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1 = 1.0 - uniform(rng); // (0, 1], so the log is finite
    let u2 = uniform(rng);
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// A lognormal draw with the given median and log-standard deviation.
pub fn lognormal(rng: &mut ChaCha8Rng, median: f64, sigma: f64) -> f64 {
    median * (sigma * standard_normal(rng)).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_key_same_draws_different_key_different_draws() {
        let a: Vec<f64> = {
            let mut rng = stream(7, Purpose::ProviderChoice, AgentId(42), 3);
            (0..4).map(|_| uniform(&mut rng)).collect()
        };
        let b: Vec<f64> = {
            let mut rng = stream(7, Purpose::ProviderChoice, AgentId(42), 3);
            (0..4).map(|_| uniform(&mut rng)).collect()
        };
        assert_eq!(a, b);
        for other in [
            stream(8, Purpose::ProviderChoice, AgentId(42), 3),
            stream(7, Purpose::DemandShock, AgentId(42), 3),
            stream(7, Purpose::ProviderChoice, AgentId(43), 3),
            stream(7, Purpose::ProviderChoice, AgentId(42), 4),
        ] {
            let mut other = other;
            assert_ne!(uniform(&mut other).to_bits(), a[0].to_bits());
        }
    }

    #[test]
    fn unit_hashes_are_uniform_and_stable() {
        let share = (0..10_000)
            .filter(|&i| unit_hash(3, Purpose::JointVentureTie, AgentId(i), 0) < 0.3)
            .count();
        assert!((2_800..3_200).contains(&share), "{share}");
        let a = unit_hash(3, Purpose::JointVentureTie, AgentId(5), 1);
        assert_eq!(
            a.to_bits(),
            unit_hash(3, Purpose::JointVentureTie, AgentId(5), 1).to_bits()
        );
        assert_ne!(
            a.to_bits(),
            unit_hash(3, Purpose::JointVentureTie, AgentId(5), 2).to_bits()
        );
    }

    #[test]
    fn lognormal_median_is_close_to_requested() {
        let mut draws: Vec<f64> = (0..4_001)
            .map(|i| {
                lognormal(
                    &mut stream(1, Purpose::BuilderTraits, AgentId(i), 0),
                    10.0,
                    0.8,
                )
            })
            .collect();
        draws.sort_by(f64::total_cmp);
        let median = draws[2_000];
        assert!((8.5..11.5).contains(&median), "median {median}");
    }
}
