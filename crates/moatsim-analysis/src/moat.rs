//! The moat half-life (question 1), defined once (`docs/ANALYSIS.md`, "The
//! moat half-life"): how long the compute lead a scenario gives one lab over
//! a reference lasts.
//!
//! Two runs with the same seed share every random stream, so they are
//! identical until the scenario's difference first acts (the *event*: a
//! scheduled round closing, a policy taking effect). From there:
//!
//! - **Gain**: a lab's share of labs' online compute in the scenario minus
//!   its share in the reference, each quarter.
//! - **Lead**: the largest mean gain of any lab over the three quarters
//!   after the event (the reference window), and that lab.
//! - **Half-life**: quarters from the window's middle until that lab's gain
//!   first falls to half the lead or below. A gain that has not halved by the
//!   last quarter is *censored*: the quarters to the horizon, a lower bound,
//!   reported as such.
//!
//! `scripts/moat-half-life.py`, the README's query Q1 and `moatsim compare`
//! all use this definition.

use std::path::Path;

use moatsim_output::reader::read_columns;

use crate::AnalysisError;

/// Quarters in the reference window after the event.
pub const WINDOW_QUARTERS: usize = 3;

/// One lab's compute share in each quarter.
#[derive(Debug, Clone, PartialEq)]
pub struct LabShares {
    pub name: String,
    /// Share of labs' online compute, by quarter.
    pub shares: Vec<f64>,
}

/// What a scenario's lead came to at one seed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MoatHalfLife {
    /// First quarter (tick) in which the two runs differ.
    pub event_tick: usize,
    /// The lab with the largest mean gain in the window.
    pub lab: String,
    /// Its mean gain in compute share over the window.
    pub lead: f64,
    /// Quarters from the window's middle until the gain halves (or, when
    /// censored, until the horizon).
    pub quarters: f64,
    /// The gain had not halved by the last quarter.
    pub censored: bool,
}

/// The half-life of the lead of `scenario` over `reference`, given the
/// event tick; `None` when no lab gains (a non-positive lead) or the run
/// ends before the window does.
pub fn half_life(
    reference: &[LabShares],
    scenario: &[LabShares],
    event_tick: usize,
) -> Option<MoatHalfLife> {
    let window = event_tick + 1..event_tick + 1 + WINDOW_QUARTERS;
    let gains: Vec<(&str, Vec<f64>)> = scenario
        .iter()
        .filter_map(|lab| {
            let base = reference.iter().find(|r| r.name == lab.name)?;
            let gain = lab
                .shares
                .iter()
                .zip(&base.shares)
                .map(|(s, b)| s - b)
                .collect();
            Some((lab.name.as_str(), gain))
        })
        .collect();
    let (lab, gain, lead) = gains
        .iter()
        .filter(|(_, gain)| gain.len() >= window.end)
        .map(|(name, gain)| {
            let lead = gain[window.clone()].iter().sum::<f64>() / WINDOW_QUARTERS as f64;
            (*name, gain, lead)
        })
        // Ties go to the first lab, in the scenario's order.
        .fold(None::<(&str, &Vec<f64>, f64)>, |best, next| match best {
            Some(b) if b.2 >= next.2 => Some(b),
            _ => Some(next),
        })?;
    if lead <= 0.0 {
        return None;
    }
    let middle = event_tick + 1 + WINDOW_QUARTERS / 2;
    let halved = (window.end..gain.len()).find(|&t| gain[t] <= lead / 2.0);
    let (quarters, censored) = match halved {
        Some(t) => ((t - middle) as f64, false),
        None => ((gain.len() - 1 - middle) as f64, true),
    };
    Some(MoatHalfLife {
        event_tick,
        lab: lab.to_string(),
        lead,
        quarters,
        censored,
    })
}

/// The first quarter in which two runs' lab rows differ, or `None` when
/// they never do.
pub fn event_tick(reference: &RunLabs, scenario: &RunLabs) -> Option<usize> {
    let quarters = reference.ticks.min(scenario.ticks);
    (0..quarters).find(|&t| reference.fingerprint[t] != scenario.fingerprint[t])
}

/// A run's labs as the half-life needs them.
#[derive(Debug, Clone, PartialEq)]
pub struct RunLabs {
    pub ticks: usize,
    pub labs: Vec<LabShares>,
    /// Per quarter, the bits of every lab's cash, raised and online compute:
    /// equal exactly when the quarter's lab rows agree on them.
    pub fingerprint: Vec<Vec<u64>>,
}

/// Reads `labs.parquet` of the run in `dir`.
pub fn read_run_labs(dir: &Path) -> Result<RunLabs, AnalysisError> {
    let path = dir.join("labs.parquet");
    let table = read_columns(
        &path,
        &["tick", "online_compute_h100e", "cash", "raised"],
        &["name"],
    )
    .map_err(AnalysisError::Read)?;
    let tick = table.numbers("tick");
    let compute = table.numbers("online_compute_h100e");
    let cash = table.numbers("cash");
    let raised = table.numbers("raised");
    let names = table.strings("name");
    let ticks = tick.iter().map(|&t| t as usize + 1).max().unwrap_or(0);
    let mut labs: Vec<LabShares> = Vec::new();
    let mut totals = vec![0.0; ticks];
    let mut fingerprint = vec![Vec::new(); ticks];
    for i in 0..tick.len() {
        let t = tick[i] as usize;
        totals[t] += compute[i];
        fingerprint[t].extend([cash[i].to_bits(), raised[i].to_bits(), compute[i].to_bits()]);
        let at = match labs.iter().position(|l| l.name == names[i]) {
            Some(at) => at,
            None => {
                labs.push(LabShares {
                    name: names[i].clone(),
                    shares: vec![0.0; ticks],
                });
                labs.len() - 1
            }
        };
        labs[at].shares[t] = compute[i];
    }
    for lab in &mut labs {
        for (share, total) in lab.shares.iter_mut().zip(&totals) {
            *share = if *total > 0.0 { *share / total } else { 0.0 };
        }
    }
    Ok(RunLabs {
        ticks,
        labs,
        fingerprint,
    })
}

/// The half-life of `scenario`'s lead over `reference` (both runs of one
/// seed), from their folders.
pub fn paired_half_life(
    reference: &Path,
    scenario: &Path,
) -> Result<Option<MoatHalfLife>, AnalysisError> {
    let (a, b) = (read_run_labs(reference)?, read_run_labs(scenario)?);
    Ok(event_tick(&a, &b).and_then(|event| half_life(&a.labs, &b.labs, event)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labs(series: &[(&str, &[f64])]) -> Vec<LabShares> {
        series
            .iter()
            .map(|(name, shares)| LabShares {
                name: (*name).to_string(),
                shares: shares.to_vec(),
            })
            .collect()
    }

    #[test]
    fn the_lead_is_measured_over_the_window_and_halves_from_its_middle() {
        let reference = labs(&[("a", &[0.5; 12]), ("b", &[0.5; 12])]);
        // a gains 0.1 for three quarters after the event at tick 4, then it
        // fades: 0.08, 0.06, 0.04 (half of 0.1 or below first at tick 10).
        let a = [
            0.5, 0.5, 0.5, 0.5, 0.5, 0.6, 0.6, 0.6, 0.58, 0.56, 0.54, 0.52,
        ];
        let b: Vec<f64> = a.iter().map(|x| 1.0 - x).collect();
        let scenario = labs(&[("a", &a), ("b", &b)]);
        let h = half_life(&reference, &scenario, 4).expect("a lead");
        assert_eq!(h.lab, "a");
        assert!((h.lead - 0.1).abs() < 1e-12);
        // Window 5..=7, middle 6; the gain is 0.04 <= 0.05 first at tick 10.
        assert!((h.quarters - 4.0).abs() < 1e-12, "{h:?}");
        assert!(!h.censored);
    }

    #[test]
    fn a_lead_that_never_halves_is_censored_at_the_horizon() {
        let reference = labs(&[("a", &[0.5; 10])]);
        let scenario = labs(&[("a", &[0.5, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6])]);
        let h = half_life(&reference, &scenario, 1).expect("a lead");
        assert!(h.censored);
        // Middle of window 2..=4 is 3; the horizon is tick 9.
        assert!((h.quarters - 6.0).abs() < 1e-12);
    }

    #[test]
    fn no_gain_no_half_life() {
        let reference = labs(&[("a", &[0.5; 8])]);
        let scenario = labs(&[("a", &[0.5, 0.5, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4])]);
        assert_eq!(half_life(&reference, &scenario, 1), None);
        // A window past the horizon.
        assert_eq!(half_life(&reference, &reference, 6), None);
    }
}
