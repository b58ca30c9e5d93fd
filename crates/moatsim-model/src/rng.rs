//! Deterministic random streams.
//!
//! Every random draw in moatsim comes from a stream derived from (run seed,
//! purpose, agent id, tick). Streams never depend on the order in which agents
//! are processed or on which thread processes them, which is what makes output
//! byte-identical for any thread count.
//!
//! Two kinds of stream share that key:
//! - [`stream`], a ChaCha8 generator, for agents that draw once or a few
//!   times a quarter (labs, investors, projects, a builder's traits);
//! - [`Keyed`], a counter-based SplitMix64 sequence, for the builders' draws
//!   every quarter. Creating a ChaCha generator fills a 256-byte block; a
//!   builder uses two or three numbers of it, and at a million builders that
//!   block was a fifth of the run's CPU time.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::Distribution;

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
    // 14 was `ProviderReview` until schema 14; the review is now the first
    // draw of the builder's `ProviderChoice` stream. Not to be reused.
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
    unit(mix(
        mix(mix(mix(seed) ^ purpose as u64) ^ agent.get()) ^ salt
    ))
}

/// A uniform number in [0, 1) from the top 53 bits of a 64-bit word.
fn unit(word: u64) -> f64 {
    (word >> 11) as f64 / (1u64 << 53) as f64
}

/// A source of draws: uniform in [0, 1), and standard normal.
pub trait Draws {
    /// A uniform draw in [0, 1).
    fn uniform(&mut self) -> f64;

    /// A standard normal draw (Box–Muller; one of the pair is discarded so
    /// that each call consumes a fixed number of words).
    fn standard_normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform(); // (0, 1], so the log is finite
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

impl Draws for ChaCha8Rng {
    fn uniform(&mut self) -> f64 {
        self.random::<f64>()
    }
}

/// A counter-based stream: draw n is SplitMix64's n-th output from the key
/// of (seed, purpose, agent, tick), so creating one costs four hashes and
/// each draw one more. SplitMix64 passes BigCrush (Steele, Lea and Flood,
/// "Fast splittable pseudorandom number generators", OOPSLA 2014).
#[derive(Debug, Clone, Copy)]
pub struct Keyed {
    state: u64,
}

/// SplitMix64's increment (the golden ratio in 64 bits).
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// The keyed streams of one purpose in one quarter: the part of the key they
/// share is hashed once, so a builder's stream costs one more hash.
#[derive(Debug, Clone, Copy)]
pub struct KeyedFamily {
    prefix: u64,
}

impl KeyedFamily {
    pub fn new(seed: u64, purpose: Purpose, tick: u32) -> Self {
        Self {
            prefix: mix(mix(mix(seed) ^ purpose as u64) ^ u64::from(tick)),
        }
    }

    /// One agent's stream.
    pub fn stream(&self, agent: AgentId) -> Keyed {
        Keyed {
            state: mix(self.prefix ^ agent.get()),
        }
    }
}

impl Keyed {
    pub fn new(seed: u64, purpose: Purpose, agent: AgentId, tick: u32) -> Self {
        KeyedFamily::new(seed, purpose, tick).stream(agent)
    }

    fn next_u64(&mut self) -> u64 {
        // `mix` adds GAMMA before finalising, so this is SplitMix64 seeded at
        // the key.
        let out = mix(self.state);
        self.state = self.state.wrapping_add(GAMMA);
        out
    }
}

impl Draws for Keyed {
    fn uniform(&mut self) -> f64 {
        unit(self.next_u64())
    }

    /// The ziggurat method (Marsaglia and Tsang 2000, as implemented by
    /// `rand_distr`): one word and a table lookup in about 99% of draws,
    /// where Box–Muller takes a logarithm, a square root and a cosine.
    fn standard_normal(&mut self) -> f64 {
        rand_distr::StandardNormal.sample(self)
    }
}

/// So that `rand_distr`'s samplers can draw from a keyed stream.
impl rand::TryRng for Keyed {
    type Error = std::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok((self.next_u64() >> 32) as u32)
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(self.next_u64())
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for chunk in dst.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}

/// A uniform draw in [0, 1).
pub fn uniform(rng: &mut impl Draws) -> f64 {
    rng.uniform()
}

/// A standard normal draw.
pub fn standard_normal(rng: &mut impl Draws) -> f64 {
    rng.standard_normal()
}

/// A lognormal draw with the given median and log-standard deviation.
pub fn lognormal(rng: &mut impl Draws, median: f64, sigma: f64) -> f64 {
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
    fn keyed_streams_are_reproducible_independent_and_uniform() {
        let draws = |seed, purpose, agent, tick| -> Vec<u64> {
            let mut keyed = Keyed::new(seed, purpose, AgentId(agent), tick);
            (0..3).map(|_| uniform(&mut keyed).to_bits()).collect()
        };
        let a = draws(7, Purpose::ProviderChoice, 42, 3);
        assert_eq!(a, draws(7, Purpose::ProviderChoice, 42, 3));
        assert_ne!(a[0], a[1], "successive draws differ");
        for other in [
            draws(8, Purpose::ProviderChoice, 42, 3),
            draws(7, Purpose::DemandShock, 42, 3),
            draws(7, Purpose::ProviderChoice, 43, 3),
            draws(7, Purpose::ProviderChoice, 42, 4),
        ] {
            assert_ne!(other[0], a[0]);
        }
        // Mean, variance and the first-to-second draw correlation over many
        // keys (agents), the way builders use them.
        let n = 100_000;
        let (mut sum, mut sum_sq, mut cross) = (0.0, 0.0, 0.0);
        let mut normals = 0.0;
        let mut normals_sq = 0.0;
        let mut tails = 0;
        for agent in 0..n {
            let mut keyed = Keyed::new(1, Purpose::ProviderChoice, AgentId(agent), 5);
            let (u, v) = (uniform(&mut keyed), uniform(&mut keyed));
            assert!((0.0..1.0).contains(&u));
            sum += u;
            sum_sq += u * u;
            cross += (u - 0.5) * (v - 0.5);
            let z = standard_normal(&mut keyed);
            normals += z;
            normals_sq += z * z;
            tails += usize::from(z.abs() > 1.96);
        }
        let n = n as f64;
        let mean = sum / n;
        assert!((mean - 0.5).abs() < 0.005, "mean {mean}");
        let variance = sum_sq / n - mean * mean;
        assert!((variance - 1.0 / 12.0).abs() < 0.002, "variance {variance}");
        let correlation = cross / n * 12.0;
        assert!(correlation.abs() < 0.01, "correlation {correlation}");
        assert!((normals / n).abs() < 0.01);
        assert!((normals_sq / n - 1.0).abs() < 0.02);
        let tail = tails as f64 / n;
        assert!((tail - 0.05).abs() < 0.003, "two-sided 5% tail {tail}");
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
