//! Global sensitivity analysis, as pure functions on the unit hypercube:
//! designs (which points to run) and estimators (what the outputs at those
//! points say about each parameter). Callers scale the unit points to each
//! parameter's range and average each point's seeds before estimating.
//!
//! - **Morris** (elementary effects; Morris 1991, with μ* from Campolongo,
//!   Cariboni and Saltelli 2007): `trajectories` one-at-a-time paths of
//!   `d + 1` points on a grid of `levels` levels; per parameter μ, μ* and σ
//!   of its elementary effects.
//! - **Sobol** (variance-based; Saltelli et al. 2010): `n` base points of a
//!   scrambled Sobol sequence in `2d` dimensions split into matrices A and
//!   B, and for each parameter the matrix A with that column from B; per
//!   parameter the first-order index S1 (Saltelli 2010's estimator) and the
//!   total index ST (Jansen 1999's).
//!
//! - **PRIM** (scenario discovery; Friedman and Fisher 1999, as the EMA
//!   Workbench runs it): the peeling and pasting trajectory of boxes of
//!   inputs where a claim holds, with coverage, density, mass and
//!   quasi-p-values per restricted input.
//!
//! Both designs lay their rows out as SALib does (`SALib.sample.morris`,
//! `SALib.sample.sobol` with `calc_second_order=False`), so SALib's
//! analysers read the same rows and outputs; the Python tests check the two
//! agree. Confidence intervals are bootstrap intervals (95%, normal
//! approximation over resampled estimates), as SALib computes them.

pub mod abc;
pub mod morris;
pub mod prim;
pub mod sobol;

/// The standard normal quantile at 0.975: a two-sided 95% interval.
pub const Z_95: f64 = 1.959_963_984_540_054;

/// Bootstrap resamples behind every interval (SALib's default).
pub const RESAMPLES: usize = 1_000;

/// An estimate with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Estimate {
    pub value: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

impl Estimate {
    fn with_spread(value: f64, resampled: &[f64]) -> Self {
        let half = Z_95 * sample_sd(resampled);
        Self {
            value,
            ci_low: value - half,
            ci_high: value + half,
        }
    }

    /// The interval of a measure that cannot be negative (μ*, a mean of
    /// absolute values): the normal approximation's lower end is cut at
    /// zero, the upper end kept as SALib gives it.
    fn non_negative(self) -> Self {
        Self {
            ci_low: self.ci_low.max(0.0),
            ..self
        }
    }
}

/// Means and spreads, shared with `moatsim-analysis` (its statistics over
/// seeds use the same definitions).
pub mod stats {
    /// The arithmetic mean; `None` for no values.
    pub fn mean(values: &[f64]) -> Option<f64> {
        (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
    }

    /// The sample standard deviation (n − 1); `None` below two values.
    pub fn sample_sd(values: &[f64]) -> Option<f64> {
        let m = mean(values)?;
        (values.len() >= 2).then(|| {
            (values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (values.len() - 1) as f64).sqrt()
        })
    }
}

/// The estimators' mean: NaN for no values, so an empty estimate shows.
fn mean(values: &[f64]) -> f64 {
    stats::mean(values).unwrap_or(f64::NAN)
}

/// The estimators' spread: 0 below two values (no interval).
fn sample_sd(values: &[f64]) -> f64 {
    stats::sample_sd(values).unwrap_or(0.0)
}

/// Population variance (n), as NumPy's default.
fn population_variance(values: &[f64]) -> f64 {
    let m = mean(values);
    values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / values.len() as f64
}

/// A seeded generator for bootstrap resampling.
fn bootstrap_rng(seed: u64) -> rand_chacha::ChaCha8Rng {
    use rand::SeedableRng;
    rand_chacha::ChaCha8Rng::seed_from_u64(seed)
}

/// `count` indices drawn with replacement from `0..n`.
fn resample(rng: &mut rand_chacha::ChaCha8Rng, n: usize) -> Vec<usize> {
    use rand::RngExt;
    (0..n).map(|_| rng.random_range(0..n)).collect()
}

/// The Ishigami function, `sin x1 + a sin² x2 + b x3⁴ sin x1` on
/// [−π, π]³ with a = 7, b = 0.1: the standard test of sensitivity
/// estimators, with known indices (`ISHIGAMI_S1`, `ISHIGAMI_ST`).
pub fn ishigami(x: [f64; 3]) -> f64 {
    let (a, b) = (7.0, 0.1);
    x[0].sin() + a * x[1].sin().powi(2) + b * x[2].powi(4) * x[0].sin()
}

/// Ishigami's first-order indices (a = 7, b = 0.1), analytic.
pub const ISHIGAMI_S1: [f64; 3] = [0.3139, 0.4424, 0.0];
/// Ishigami's total indices, analytic.
pub const ISHIGAMI_ST: [f64; 3] = [0.5576, 0.4424, 0.2437];
