//! Scenario discovery with PRIM, the Patient Rule Induction Method (Friedman
//! and Fisher 1999), as the EMA Workbench uses it (Kwakkel 2017): the boxes
//! of inputs in which a claim holds (or fails) in an ensemble of runs
//! (issue 29).
//!
//! Rule (the EMA Workbench 2.5's `prim.Prim`, step for step; the Python
//! suite checks the two agree on the same rows, `tests/python/test_prim.py`):
//! - **Peeling.** Start from the box that holds every run. At each step,
//!   for every input in order, the candidates move its high end down to the
//!   `1 − peel_alpha` quantile of the box's values, and its low end up to the
//!   `peel_alpha` quantile ([`ema_quantile`]: the mean of the values either
//!   side of the position, moved past ties). The candidate taken has the best
//!   "lenient1" objective, the Workbench's default: the gain in the box's
//!   density (the share of its runs where the claim holds) per run removed,
//!   `(density' − density) / (n − n')`. Ties go to the candidate that
//!   restricts fewer inputs, then to the first. Peeling stops when that best
//!   candidate does not raise the density, removes no run or would hold less
//!   than `mass_min` of the runs.
//! - **Pasting.** From the last peeled box, for every restricted input in
//!   order, the candidates widen its low end to the `1 − paste_alpha`
//!   quantile of the values between the full box's low end and the box's,
//!   among the runs inside the box on the other inputs. They widen its high
//!   end likewise, to the `paste_alpha` quantile. The best candidate by the
//!   same objective, per run added, is taken while it adds runs and raises
//!   the density.
//! - **Trajectory.** Every box along the way, each with its coverage (the
//!   share of the runs where the claim holds that the box holds), its density
//!   and its mass (its share of all runs). The user picks from it; the
//!   documented default ([`Trajectory::choose`]) is the densest box with
//!   coverage of at least 0.5.
//! - **Quasi-p-values** per restricted input: the chance of a density at
//!   least the box's if its runs were drawn from the box with that input's
//!   restriction lifted, by the binomial upper tail (the EMA Workbench's
//!   measure of whether a restriction is significant).
//!
//! Inputs are numbers; a categorical input can be coded as its level's
//! index. Every step is deterministic: candidates are compared in input
//! order, low end before high, and ties keep the first.

/// How PRIM peels and pastes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrimOptions {
    /// Share of the box's runs a peel removes (0.05 in the EMA Workbench).
    pub peel_alpha: f64,
    /// Share of the box's runs a paste adds back (0.05).
    pub paste_alpha: f64,
    /// The smallest share of all runs a box may hold (0.05).
    pub mass_min: f64,
}

impl Default for PrimOptions {
    fn default() -> Self {
        Self {
            peel_alpha: 0.05,
            paste_alpha: 0.05,
            mass_min: 0.05,
        }
    }
}

/// A box: for each input, the lowest and highest value it admits.
#[derive(Debug, Clone, PartialEq)]
pub struct PrimBox {
    pub low: Vec<f64>,
    pub high: Vec<f64>,
}

impl PrimBox {
    fn contains(&self, row: &[f64]) -> bool {
        row.iter()
            .zip(self.low.iter().zip(&self.high))
            .all(|(x, (lo, hi))| *x >= *lo && *x <= *hi)
    }
}

/// One box of the trajectory and how it scores.
#[derive(Debug, Clone, PartialEq)]
pub struct TrajectoryStep {
    pub boundary: PrimBox,
    /// Share of the runs where the claim holds that are in the box.
    pub coverage: f64,
    /// Share of the box's runs where the claim holds.
    pub density: f64,
    /// Share of all runs in the box.
    pub mass: f64,
    /// Inputs whose range the box narrows, in input order.
    pub restricted: Vec<usize>,
    /// True for the steps reached by pasting.
    pub pasted: bool,
}

/// The peeling and pasting trajectory, first box (every run) first.
#[derive(Debug, Clone, PartialEq)]
pub struct Trajectory {
    pub steps: Vec<TrajectoryStep>,
    /// The box that holds every run, against which restrictions are read.
    pub full: PrimBox,
}

impl Trajectory {
    /// The documented default box: the densest with coverage at least
    /// `min_coverage` (ties: the earlier, larger box); the first box when
    /// none has that coverage.
    pub fn choose(&self, min_coverage: f64) -> usize {
        let mut best = 0;
        for (i, step) in self.steps.iter().enumerate() {
            if step.coverage >= min_coverage && step.density > self.steps[best].density {
                best = i;
            }
        }
        best
    }
}

/// Runs PRIM over `x` (one row per run, one column per input) and `y`
/// (whether the claim holds in each run). Rows with a non-finite input are
/// left out of every box. With no runs, or none where the claim holds, the
/// trajectory is the full box alone.
pub fn prim(x: &[Vec<f64>], y: &[bool], options: &PrimOptions) -> Trajectory {
    let rows: Vec<usize> = (0..x.len().min(y.len()))
        .filter(|&i| x[i].iter().all(|v| v.is_finite()))
        .collect();
    let d = rows.first().map_or(0, |&i| x[i].len());
    let full = PrimBox {
        low: (0..d)
            .map(|j| rows.iter().map(|&i| x[i][j]).fold(f64::INFINITY, f64::min))
            .collect(),
        high: (0..d)
            .map(|j| {
                rows.iter()
                    .map(|&i| x[i][j])
                    .fold(f64::NEG_INFINITY, f64::max)
            })
            .collect(),
    };
    let data = Data { x, y, rows };
    let mut steps = vec![data.step(&full, &full, false)];
    if data.rows.is_empty() || data.positives() == 0 {
        return Trajectory { steps, full };
    }
    let mut current = full.clone();
    while let Some(next) = data.best_peel(&current, &full, options) {
        current = next;
        steps.push(data.step(&current, &full, false));
    }
    while let Some(next) = data.best_paste(&current, &full, options) {
        current = next;
        steps.push(data.step(&current, &full, true));
    }
    Trajectory { steps, full }
}

/// The quasi-p-value of each restricted input of `boundary`: with `n` runs
/// and `k` positives in the box, and density `p` in the box with that
/// input's restriction lifted, `P(Binomial(n, p) ≥ k)`. Small values mean the
/// restriction matters. Returned in input order, for restricted inputs only.
pub fn quasi_p_values(
    x: &[Vec<f64>],
    y: &[bool],
    boundary: &PrimBox,
    full: &PrimBox,
) -> Vec<(usize, f64)> {
    let rows: Vec<usize> = (0..x.len().min(y.len()))
        .filter(|&i| x[i].iter().all(|v| v.is_finite()))
        .collect();
    let data = Data { x, y, rows };
    let (n, k) = data.counts(boundary);
    (0..boundary.low.len())
        .filter(|&j| boundary.low[j] > full.low[j] || boundary.high[j] < full.high[j])
        .map(|j| {
            let mut lifted = boundary.clone();
            lifted.low[j] = full.low[j];
            lifted.high[j] = full.high[j];
            let (n_lifted, k_lifted) = data.counts(&lifted);
            let p = if n_lifted > 0 {
                k_lifted as f64 / n_lifted as f64
            } else {
                0.0
            };
            (j, binomial_upper_tail(n, k, p))
        })
        .collect()
}

/// `P(X ≥ k)` for `X ~ Binomial(n, p)`, summed in logs.
pub fn binomial_upper_tail(n: usize, k: usize, p: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if k > n || p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    let ln_factorial: Vec<f64> = std::iter::once(0.0)
        .chain((1..=n).scan(0.0, |acc, i| {
            *acc += (i as f64).ln();
            Some(*acc)
        }))
        .collect();
    let (lp, lq) = (p.ln(), (1.0 - p).ln());
    let terms: Vec<f64> = (k..=n)
        .map(|i| {
            ln_factorial[n] - ln_factorial[i] - ln_factorial[n - i]
                + i as f64 * lp
                + (n - i) as f64 * lq
        })
        .collect();
    let top = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let sum: f64 = terms.iter().map(|t| (t - top).exp()).sum();
    (top + sum.ln()).exp().clamp(0.0, 1.0)
}

/// The runs PRIM works on.
struct Data<'a> {
    x: &'a [Vec<f64>],
    y: &'a [bool],
    /// Rows with every input finite.
    rows: Vec<usize>,
}

impl Data<'_> {
    fn positives(&self) -> usize {
        self.rows.iter().filter(|&&i| self.y[i]).count()
    }

    /// Runs in the box and positives among them.
    fn counts(&self, boundary: &PrimBox) -> (usize, usize) {
        self.rows
            .iter()
            .filter(|&&i| boundary.contains(&self.x[i]))
            .fold((0, 0), |(n, k), &i| (n + 1, k + usize::from(self.y[i])))
    }

    fn step(&self, boundary: &PrimBox, full: &PrimBox, pasted: bool) -> TrajectoryStep {
        let (n, k) = self.counts(boundary);
        let total = self.rows.len().max(1) as f64;
        let positives = self.positives().max(1) as f64;
        TrajectoryStep {
            boundary: boundary.clone(),
            coverage: k as f64 / positives,
            density: if n > 0 { k as f64 / n as f64 } else { 0.0 },
            mass: n as f64 / total,
            restricted: restricted(boundary, full),
            pasted,
        }
    }

    /// The sorted values of input `j` over the runs in the box.
    fn values_in(&self, boundary: &PrimBox, j: usize) -> Vec<f64> {
        let mut values: Vec<f64> = self
            .rows
            .iter()
            .filter(|&&i| boundary.contains(&self.x[i]))
            .map(|&i| self.x[i][j])
            .collect();
        values.sort_by(f64::total_cmp);
        values
    }

    /// The best peel of `current` by the EMA Workbench's rule, if it raises
    /// the density, removes runs and leaves at least `mass_min` of them. For
    /// every input in order, the high end and then the low end move to the
    /// quantile `1 − peel_alpha` or `peel_alpha` of the box's values
    /// ([`ema_quantile`]). The best candidate by the lenient1 objective wins,
    /// ties going to the one that restricts fewer inputs, then to the first.
    /// That winner is then accepted or peeling stops, as the Workbench does.
    fn best_peel(
        &self,
        current: &PrimBox,
        full: &PrimBox,
        options: &PrimOptions,
    ) -> Option<PrimBox> {
        let total = self.rows.len() as f64;
        let old = self.counts(current);
        let alpha = options.peel_alpha.clamp(f64::EPSILON, 0.5);
        let mut best: Option<Candidate> = None;
        for j in 0..current.low.len() {
            let values = self.values_in(current, j);
            if values.is_empty() {
                continue;
            }
            for candidate in [
                with_bound(current, j, None, Some(ema_quantile(&values, 1.0 - alpha))),
                with_bound(current, j, Some(ema_quantile(&values, alpha)), None),
            ] {
                self.consider(candidate, full, old, &mut best);
            }
        }
        let best = best?;
        let mass = best.counts.0 as f64 / total;
        (mass >= options.mass_min && best.counts.0 < old.0 && best.objective > 0.0)
            .then_some(best.boundary)
    }

    /// The best paste of `current` by the EMA Workbench's rule: for each
    /// restricted input in order, the low end and then the high end widen
    /// towards the full box. The new end is the quantile `1 − paste_alpha`
    /// (low end) or `paste_alpha` (high end) of the values between the
    /// current end and the full box's, among the runs inside the box on every
    /// other input. The best candidate, chosen as for peeling, is taken if
    /// it adds runs, keeps at least `mass_min` of them and raises the density.
    fn best_paste(
        &self,
        current: &PrimBox,
        full: &PrimBox,
        options: &PrimOptions,
    ) -> Option<PrimBox> {
        let total = self.rows.len() as f64;
        let old = self.counts(current);
        let alpha = options.paste_alpha.clamp(f64::EPSILON, 0.5);
        let mut best: Option<Candidate> = None;
        for j in restricted(current, full) {
            let below = with_bound(current, j, Some(full.low[j]), Some(current.low[j]));
            let values = self.values_in(&below, j);
            let low = if values.is_empty() {
                full.low[j]
            } else {
                ema_quantile(&values, 1.0 - alpha)
            };
            self.consider(
                with_bound(current, j, Some(low), None),
                full,
                old,
                &mut best,
            );
            let above = with_bound(current, j, Some(current.high[j]), Some(full.high[j]));
            let values = self.values_in(&above, j);
            let high = if values.is_empty() {
                full.high[j]
            } else {
                ema_quantile(&values, alpha)
            };
            self.consider(
                with_bound(current, j, None, Some(high)),
                full,
                old,
                &mut best,
            );
        }
        let best = best?;
        let (n, k) = best.counts;
        let mass = n as f64 / total;
        let denser = n > 0 && (k as f64 / n as f64) > old.1 as f64 / old.0.max(1) as f64;
        (mass >= options.mass_min && n > old.0 && best.objective > 0.0 && denser)
            .then_some(best.boundary)
    }

    /// Scores a candidate box against the box it would replace (`old`: runs
    /// and positives) and keeps it if it beats `best`: a higher lenient1
    /// objective, or an equal one restricting fewer inputs; the first wins a
    /// full tie.
    #[allow(
        clippy::float_cmp,
        reason = "the EMA Workbench compares exactly; matching it box for box needs the same comparisons"
    )]
    fn consider(
        &self,
        boundary: PrimBox,
        full: &PrimBox,
        old: (usize, usize),
        best: &mut Option<Candidate>,
    ) {
        let counts = self.counts(&boundary);
        let objective = lenient1(old, counts);
        let unrestricted = boundary.low.len() - restricted(&boundary, full).len();
        let better = best.as_ref().is_none_or(|b| {
            objective > b.objective || (objective == b.objective && unrestricted > b.unrestricted)
        });
        if better {
            *best = Some(Candidate {
                boundary,
                counts,
                objective,
                unrestricted,
            });
        }
    }
}

/// A candidate box of a peel or a paste, with what it scores.
struct Candidate {
    boundary: PrimBox,
    /// Runs and positives in it.
    counts: (usize, usize),
    objective: f64,
    /// Inputs it leaves at their full range.
    unrestricted: usize,
}

/// The EMA Workbench's "lenient1" objective between the box a step starts
/// from (`old`: runs and positives) and a candidate (`new`): the change in
/// density per run removed or added, `(mean_new − mean_old) / |n_old −
/// n_new|`, and 0 when the density does not change.
#[allow(
    clippy::float_cmp,
    reason = "the EMA Workbench compares exactly; matching it box for box needs the same comparisons"
)]
fn lenient1(old: (usize, usize), new: (usize, usize)) -> f64 {
    let mean_old = old.1 as f64 / old.0.max(1) as f64;
    let mean_new = if new.0 > 0 {
        new.1 as f64 / new.0 as f64
    } else {
        0.0
    };
    if mean_old == mean_new || old.0 == new.0 {
        return 0.0;
    }
    (mean_new - mean_old) / old.0.abs_diff(new.0) as f64
}

/// The EMA Workbench's quantile of sorted `values` (after sdtoolkit): at
/// position `(n − 1) q`, the mean of the values either side of it, moving
/// outwards past equal values (down for an upper quantile, up for a lower
/// one), so a peel never stops inside a run of ties.
#[allow(
    clippy::float_cmp,
    reason = "the EMA Workbench compares exactly; matching it box for box needs the same comparisons"
)]
pub fn ema_quantile(values: &[f64], q: f64) -> f64 {
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    let at = (n - 1) as f64 * q.clamp(0.0, 1.0);
    let (mut lo, mut hi) = (at.floor() as usize, at.ceil() as usize);
    if q > 0.5 {
        while values[lo] == values[hi] && lo > 0 {
            lo -= 1;
        }
    } else {
        while values[lo] == values[hi] && hi < n - 1 {
            hi += 1;
        }
    }
    (values[lo] + values[hi]) / 2.0
}

/// The inputs `boundary` narrows against `full`, in input order.
#[allow(
    clippy::float_cmp,
    reason = "the EMA Workbench compares exactly; matching it box for box needs the same comparisons"
)]
fn restricted(boundary: &PrimBox, full: &PrimBox) -> Vec<usize> {
    (0..boundary.low.len())
        .filter(|&j| boundary.low[j] != full.low[j] || boundary.high[j] != full.high[j])
        .collect()
}

fn with_bound(current: &PrimBox, j: usize, low: Option<f64>, high: Option<f64>) -> PrimBox {
    let mut next = current.clone();
    if let Some(v) = low {
        next.low[j] = v;
    }
    if let Some(v) = high {
        next.high[j] = v;
    }
    next
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// `n` runs uniform on the unit cube in `d` inputs.
    fn uniform(n: usize, d: usize, seed: u64) -> Vec<Vec<f64>> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..n)
            .map(|_| (0..d).map(|_| rng.random::<f64>()).collect())
            .collect()
    }

    #[test]
    fn prim_finds_the_box_where_a_claim_holds() {
        // The claim holds where input 0 is above 0.6 and input 1 below 0.5;
        // input 2 does not matter.
        let x = uniform(2_000, 3, 11);
        let y: Vec<bool> = x.iter().map(|r| r[0] > 0.6 && r[1] < 0.5).collect();
        let trajectory = prim(&x, &y, &PrimOptions::default());
        let chosen = &trajectory.steps[trajectory.choose(0.5)];
        assert!(chosen.density > 0.85, "density {}", chosen.density);
        assert!(chosen.coverage >= 0.5, "coverage {}", chosen.coverage);
        assert!(
            (chosen.boundary.low[0] - 0.6).abs() < 0.08,
            "{:?}",
            chosen.boundary
        );
        assert!(
            (chosen.boundary.high[1] - 0.5).abs() < 0.08,
            "{:?}",
            chosen.boundary
        );
        assert!(chosen.restricted.contains(&0) && chosen.restricted.contains(&1));
        let p = quasi_p_values(&x, &y, &chosen.boundary, &trajectory.full);
        let of = |j: usize| p.iter().find(|(k, _)| *k == j).map(|(_, v)| *v);
        assert!(of(0).is_some_and(|v| v < 1e-6), "{p:?}");
        assert!(of(1).is_some_and(|v| v < 1e-6), "{p:?}");
        // The irrelevant input, if the box restricts it at all, is not
        // significant.
        assert!(of(2).is_none_or(|v| v > 0.01), "{p:?}");
    }

    #[test]
    fn the_binomial_tail_matches_known_values() {
        // P(X >= 1) for Binomial(1, p) is p; P(X >= 3) for Binomial(3, 0.5) is 1/8.
        assert!((binomial_upper_tail(1, 1, 0.3) - 0.3).abs() < 1e-12);
        assert!((binomial_upper_tail(3, 3, 0.5) - 0.125).abs() < 1e-12);
        // P(X >= 2) for Binomial(4, 0.5) = 11/16.
        assert!((binomial_upper_tail(4, 2, 0.5) - 11.0 / 16.0).abs() < 1e-12);
        assert_eq!(binomial_upper_tail(10, 0, 0.2).to_bits(), 1.0_f64.to_bits());
        assert_eq!(
            binomial_upper_tail(10, 11, 0.2).to_bits(),
            0.0_f64.to_bits()
        );
    }

    proptest! {
        /// Along the peeling, coverage and mass never rise and density never
        /// falls; pasting raises density; every box holds at least `mass_min`
        /// of the runs but the first; every measure is a share.
        #[test]
        fn the_trajectory_trades_coverage_for_density(
            seed in 0u64..1_000, n in 50usize..400, d in 1usize..4, cut in 0.1f64..0.9,
        ) {
            let x = uniform(n, d, seed);
            let y: Vec<bool> = x.iter().map(|r| r[0] > cut).collect();
            let options = PrimOptions::default();
            let trajectory = prim(&x, &y, &options);
            let steps = &trajectory.steps;
            prop_assert!((steps[0].mass - 1.0).abs() < 1e-12);
            for pair in steps.windows(2) {
                let (a, b) = (&pair[0], &pair[1]);
                prop_assert!(b.density > a.density - 1e-12);
                if !b.pasted {
                    prop_assert!(b.coverage <= a.coverage + 1e-12);
                    prop_assert!(b.mass < a.mass);
                } else {
                    prop_assert!(b.mass > a.mass);
                }
            }
            for step in steps.iter().skip(1) {
                prop_assert!(step.mass >= options.mass_min - 1e-12);
            }
            for step in steps {
                for v in [step.coverage, step.density, step.mass] {
                    prop_assert!((0.0..=1.0).contains(&v));
                }
            }
            // The chosen box is at least as dense as the whole ensemble.
            let chosen = &steps[trajectory.choose(0.5)];
            prop_assert!(chosen.density >= steps[0].density - 1e-12);
        }

        /// The same runs give the same trajectory, and quasi-p-values are
        /// probabilities for exactly the restricted inputs.
        #[test]
        fn prim_is_deterministic_and_its_p_values_are_probabilities(
            seed in 0u64..1_000, n in 50usize..300,
        ) {
            let x = uniform(n, 3, seed);
            let y: Vec<bool> = x.iter().map(|r| r[0] + r[1] > 1.0).collect();
            let a = prim(&x, &y, &PrimOptions::default());
            let b = prim(&x, &y, &PrimOptions::default());
            prop_assert_eq!(&a, &b);
            let step = a.steps.last().expect("a step");
            let p = quasi_p_values(&x, &y, &step.boundary, &a.full);
            prop_assert_eq!(p.iter().map(|(j, _)| *j).collect::<Vec<_>>(), step.restricted.clone());
            for (_, v) in p {
                prop_assert!((0.0..=1.0).contains(&v));
            }
        }
    }

    #[test]
    fn degenerate_ensembles_give_the_full_box() {
        let trajectory = prim(&[], &[], &PrimOptions::default());
        assert_eq!(trajectory.steps.len(), 1);
        let x = uniform(100, 2, 3);
        let never = vec![false; 100];
        let trajectory = prim(&x, &never, &PrimOptions::default());
        assert_eq!(trajectory.steps.len(), 1);
        assert_eq!(trajectory.steps[0].density.to_bits(), 0.0_f64.to_bits());
        // A run with a NaN input is in no box.
        let mut with_nan = x.clone();
        with_nan[0][0] = f64::NAN;
        let always = vec![true; 100];
        let trajectory = prim(&with_nan, &always, &PrimOptions::default());
        assert!((trajectory.steps[0].mass - 1.0).abs() < 1e-12);
        assert!((trajectory.steps[0].coverage - 1.0).abs() < 1e-12);
    }
}
