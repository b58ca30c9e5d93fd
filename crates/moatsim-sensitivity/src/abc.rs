//! Approximate Bayesian computation by sequential Monte Carlo (ABC-SMC), on
//! the unit hypercube: the search behind `moatsim calibrate --fit`.
//!
//! The method is population Monte Carlo ABC (Beaumont, Cornuet, Marin and
//! Robert 2009, *Biometrika* 96:983) with an adaptive tolerance schedule
//! (Del Moral, Doucet and Jasra 2012; Drovandi and Pettitt 2011):
//!
//! 1. Generation 0 draws `n` points from the prior, uniform on the cube.
//! 2. Each point is run and scored with a distance (0 = every target inside
//!    at every seed). The generation's tolerance is
//!    `ε_g = min(ε_{g−1}, q-quantile of its distances)`, so the schedule
//!    never rises; the points within `ε_g` are the generation's population.
//! 3. Generation `g + 1` proposes `n` points by drawing a member of the
//!    population by weight and moving it with a Gaussian kernel whose
//!    variance is twice the population's weighted variance per dimension
//!    (Beaumont et al.'s choice), truncated to the cube.
//! 4. An accepted point's weight is prior / proposal density:
//!    `w_i ∝ 1 / Σ_j W_j K(θ_i | θ_j)` (the prior is uniform), where the
//!    truncated kernel is normalised by its mass inside the cube, so the
//!    population remains a weighted sample of the ABC posterior.
//!
//! Everything is pure and seeded: the same population, seed and generation
//! give the same proposals, which is what lets a fit resume and run its
//! generations as sweeps on a cluster.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// The smallest kernel spread in unit coordinates: a population that has
/// collapsed onto one point still explores its neighbourhood.
pub const MIN_KERNEL_SD: f64 = 0.01;

/// Draws of a truncated kernel before giving up and clamping (the chance of
/// needing more is below 0.5¹⁰⁰⁰ for the smallest spread).
const MAX_REDRAWS: usize = 1_000;

/// A point of the search with its importance weight and distance.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Particle {
    /// Coordinates in the unit cube, one per parameter.
    pub unit: Vec<f64>,
    /// Normalised weight within its population.
    pub weight: f64,
    pub distance: f64,
}

fn stream(seed: u64, generation: u32) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x0041_4243_2d53_4d43); // "ABC-SMC"
    rng.set_stream(u64::from(generation));
    rng
}

/// Generation 0: `n` points drawn uniformly from the `d`-dimensional cube.
pub fn prior_draws(n: usize, d: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = stream(seed, 0);
    (0..n)
        .map(|_| (0..d).map(|_| rng.random::<f64>()).collect())
        .collect()
}

/// The tolerance of a generation: the `quantile` of its distances (the
/// smallest distance with at least that share of points at or below it), but
/// never above the previous generation's.
pub fn tolerance(previous: Option<f64>, distances: &[f64], quantile: f64) -> f64 {
    let mut sorted: Vec<f64> = distances.iter().copied().filter(|d| !d.is_nan()).collect();
    sorted.sort_by(f64::total_cmp);
    let here = if sorted.is_empty() {
        f64::INFINITY
    } else {
        let k = ((quantile.clamp(0.0, 1.0) * sorted.len() as f64).ceil() as usize).max(1);
        sorted[k.min(sorted.len()) - 1]
    };
    previous.map_or(here, |p| p.min(here))
}

/// The kernel's spread per dimension: the square root of twice the
/// population's weighted variance, at least [`MIN_KERNEL_SD`].
pub fn kernel_sd(population: &[Particle]) -> Vec<f64> {
    let d = population.first().map_or(0, |p| p.unit.len());
    let total: f64 = population.iter().map(|p| p.weight).sum();
    (0..d)
        .map(|k| {
            if total <= 0.0 {
                return MIN_KERNEL_SD;
            }
            let mean = population.iter().map(|p| p.weight * p.unit[k]).sum::<f64>() / total;
            let variance = population
                .iter()
                .map(|p| p.weight * (p.unit[k] - mean).powi(2))
                .sum::<f64>()
                / total;
            (2.0 * variance).sqrt().max(MIN_KERNEL_SD)
        })
        .collect()
}

/// Generation `generation` (1 or more): `n` points, each a population member
/// drawn by weight and moved by the truncated Gaussian kernel.
pub fn propose(population: &[Particle], n: usize, seed: u64, generation: u32) -> Vec<Vec<f64>> {
    if population.is_empty() {
        return Vec::new();
    }
    let sd = kernel_sd(population);
    let total: f64 = population.iter().map(|p| p.weight).sum();
    let mut rng = stream(seed, generation);
    (0..n)
        .map(|_| {
            let target = rng.random::<f64>() * total;
            let mut running = 0.0;
            let parent = population
                .iter()
                .find(|p| {
                    running += p.weight;
                    running > target
                })
                .unwrap_or(&population[population.len() - 1]);
            parent
                .unit
                .iter()
                .zip(&sd)
                .map(|(&centre, &s)| {
                    // The kernel is a product over dimensions, so truncating
                    // each dimension on its own truncates the whole.
                    for _ in 0..MAX_REDRAWS {
                        let z: f64 = StandardNormal.sample(&mut rng);
                        let x = centre + s * z;
                        if (0.0..=1.0).contains(&x) {
                            return x;
                        }
                    }
                    centre.clamp(0.0, 1.0)
                })
                .collect()
        })
        .collect()
}

/// The proposals within `tolerance`, weighted against the population they
/// were proposed from (`None` for generation 0, whose draws come from the
/// prior and weigh the same). Weights sum to 1; empty when none is within.
pub fn accept(
    previous: Option<&[Particle]>,
    proposals: &[Vec<f64>],
    distances: &[f64],
    tolerance: f64,
) -> Vec<Particle> {
    let kept: Vec<(&Vec<f64>, f64)> = proposals
        .iter()
        .zip(distances)
        .filter(|(_, d)| **d <= tolerance)
        .map(|(p, d)| (p, *d))
        .collect();
    let raw: Vec<f64> = match previous {
        None | Some([]) => vec![1.0; kept.len()],
        Some(population) => {
            let sd = kernel_sd(population);
            let total: f64 = population.iter().map(|p| p.weight).sum();
            // Each parent's kernel mass inside the cube.
            let mass: Vec<f64> = population
                .iter()
                .map(|p| {
                    p.unit
                        .iter()
                        .zip(&sd)
                        .map(|(&c, &s)| normal_cdf((1.0 - c) / s) - normal_cdf(-c / s))
                        .product::<f64>()
                })
                .collect();
            kept.iter()
                .map(|(theta, _)| {
                    let density: f64 = population
                        .iter()
                        .zip(&mass)
                        .map(|(parent, m)| {
                            let k: f64 = theta
                                .iter()
                                .zip(&parent.unit)
                                .zip(&sd)
                                .map(|((x, c), s)| normal_pdf((x - c) / s) / s)
                                .product();
                            parent.weight / total * k / m.max(f64::MIN_POSITIVE)
                        })
                        .sum();
                    if density > 0.0 { 1.0 / density } else { 0.0 }
                })
                .collect()
        }
    };
    let sum: f64 = raw.iter().sum();
    kept.into_iter()
        .zip(raw)
        .map(|((unit, distance), w)| Particle {
            unit: unit.clone(),
            weight: if sum > 0.0 { w / sum } else { 0.0 },
            distance,
        })
        .collect()
}

fn normal_pdf(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// The standard normal distribution function, from the complementary error
/// function (Numerical Recipes' Chebyshev fit, relative error below 1.2e-7).
fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn population(points: &[Vec<f64>]) -> Vec<Particle> {
        accept(None, points, &vec![0.0; points.len()], 0.0)
    }

    #[test]
    fn the_normal_distribution_function_matches_known_values() {
        for (z, p) in [
            (0.0, 0.5),
            (1.0, 0.841_344_746),
            (-1.959_963_985, 0.025),
            (3.0, 0.998_650_102),
        ] {
            assert!(
                (normal_cdf(z) - p).abs() < 1e-7,
                "Φ({z}) = {}",
                normal_cdf(z)
            );
        }
    }

    /// With every proposal accepted the posterior is the (uniform) prior,
    /// so the weighted proposals must be flat wherever they reach, however
    /// peaked the kernel made them: the share of weight within `inner` of
    /// `centre` over that within `outer` is `inner / outer`.
    fn flat_share(parents: &[Vec<f64>], centre: f64, inner: f64, outer: f64) -> (f64, f64) {
        let pop = population(parents);
        let proposals = propose(&pop, 40_000, 5, 1);
        let kept = accept(Some(&pop), &proposals, &vec![0.0; proposals.len()], 0.0);
        let mass = |r: f64| -> (f64, f64) {
            let near = kept.iter().filter(|p| (p.unit[0] - centre).abs() < r);
            let count = near.clone().count() as f64 / kept.len() as f64;
            (near.map(|p| p.weight).sum(), count)
        };
        let ((w_in, n_in), (w_out, n_out)) = (mass(inner), mass(outer));
        (w_in / w_out, n_in / n_out)
    }

    #[test]
    fn importance_weights_undo_the_kernels_peak() {
        // Parents on [0.45, 0.55]: proposals pile up around 0.5.
        let parents: Vec<Vec<f64>> = (0..200)
            .map(|i| vec![0.45 + 0.1 * f64::from(i) / 199.0])
            .collect();
        let (weighted, unweighted) = flat_share(&parents, 0.5, 0.02, 0.08);
        assert!((weighted - 0.25).abs() < 0.025, "weighted share {weighted}");
        assert!(
            unweighted > 0.32,
            "the test needs a peaked proposal: {unweighted}"
        );
    }

    #[test]
    fn importance_weights_count_the_kernels_mass_cut_at_the_edge() {
        // Half the parents sit on the edge (half their kernel's mass is cut
        // off and redrawn inside), half at 0.2 (almost none is): two equally
        // wide windows must still weigh the same under the flat posterior.
        let parents: Vec<Vec<f64>> = (0..200)
            .map(|i| vec![if i % 2 == 0 { 0.0 } else { 0.2 }])
            .collect();
        let pop = population(&parents);
        let proposals = propose(&pop, 40_000, 5, 1);
        let kept = accept(Some(&pop), &proposals, &vec![0.0; proposals.len()], 0.0);
        let mass = |low: f64, high: f64| -> f64 {
            kept.iter()
                .filter(|p| (low..high).contains(&p.unit[0]))
                .map(|p| p.weight)
                .sum()
        };
        let ratio = mass(0.0, 0.05) / mass(0.175, 0.225);
        assert!((ratio - 1.0).abs() < 0.1, "edge over interior {ratio}");
    }

    #[test]
    fn the_search_closes_in_on_a_known_answer() {
        // Distance outside a small box around (0.3, 0.7), 0.4% of the cube:
        // the tolerance must fall, the population gather around the box and
        // the search find points inside it.
        let distance = |u: &[f64]| {
            let gap = |x: f64, c: f64| ((x - c).abs() - 0.03).max(0.0);
            gap(u[0], 0.3) + gap(u[1], 0.7)
        };
        let seed = 4;
        let n = 60;
        let proposals = prior_draws(n, 2, seed);
        let distances: Vec<f64> = proposals.iter().map(|u| distance(u)).collect();
        let first = tolerance(None, &distances, 0.5);
        let mut eps = first;
        let mut pop = accept(None, &proposals, &distances, eps);
        let mut inside = 0;
        for generation in 1..=12 {
            let proposals = propose(&pop, n, seed, generation);
            let distances: Vec<f64> = proposals.iter().map(|u| distance(u)).collect();
            inside += distances.iter().filter(|d| **d == 0.0).count();
            let next = tolerance(Some(eps), &distances, 0.5);
            assert!(next <= eps);
            let accepted = accept(Some(&pop), &proposals, &distances, next);
            if !accepted.is_empty() {
                pop = accepted;
                eps = next;
            }
        }
        assert!(
            eps < 0.5 * first,
            "the tolerance fell from {first} to {eps}"
        );
        let mean = |k: usize| pop.iter().map(|p| p.weight * p.unit[k]).sum::<f64>();
        assert!((mean(0) - 0.3).abs() < 0.08, "x {}", mean(0));
        assert!((mean(1) - 0.7).abs() < 0.08, "y {}", mean(1));
        assert!(inside > 0, "no point found inside the box");
    }

    proptest! {
        #[test]
        fn proposals_stay_in_the_cube_and_repeat_for_a_seed(
            seed in any::<u64>(),
            generation in 1u32..10,
            points in prop::collection::vec(prop::collection::vec(0.0f64..=1.0, 3), 1..20),
        ) {
            let pop = population(&points);
            let a = propose(&pop, 25, seed, generation);
            prop_assert_eq!(a.len(), 25);
            prop_assert!(a.iter().flatten().all(|x| (0.0..=1.0).contains(x)));
            prop_assert_eq!(&a, &propose(&pop, 25, seed, generation));
        }

        #[test]
        fn weights_sum_to_one_and_only_points_within_the_tolerance_are_kept(
            seed in any::<u64>(),
            distances in prop::collection::vec(0.0f64..10.0, 30),
            quantile in 0.05f64..1.0,
        ) {
            let parents = population(&prior_draws(10, 2, seed));
            let proposals = propose(&parents, 30, seed, 1);
            let eps = tolerance(None, &distances, quantile);
            let kept = accept(Some(&parents), &proposals, &distances, eps);
            // At least the quantile's share of points is within its own quantile.
            prop_assert!(kept.len() as f64 >= (quantile * 30.0).ceil() - 1e-9);
            prop_assert!(kept.iter().all(|p| p.distance <= eps && p.weight >= 0.0));
            let sum: f64 = kept.iter().map(|p| p.weight).sum();
            prop_assert!((sum - 1.0).abs() < 1e-9);
        }

        #[test]
        fn the_tolerance_never_rises_and_falls_with_the_quantile(
            previous in 0.0f64..5.0,
            distances in prop::collection::vec(0.0f64..10.0, 1..40),
            q in 0.05f64..0.95,
        ) {
            let eps = tolerance(Some(previous), &distances, q);
            prop_assert!(eps <= previous);
            prop_assert!(tolerance(None, &distances, q) <= tolerance(None, &distances, (q + 0.05).min(1.0)));
        }
    }
}
