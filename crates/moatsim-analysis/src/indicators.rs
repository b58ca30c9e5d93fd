//! The headline indicators: one number per run for each question of the
//! model brief, computed from the `world` table. `docs/ANALYSIS.md` lists
//! them with their definitions and the SQL that reproduces each.

use crate::AnalysisError;
use crate::runs::RunRef;
use moatsim_output::reader::read_columns;

/// One headline indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Indicator {
    pub name: &'static str,
    pub unit: &'static str,
    /// The question of the model brief it answers (1–7).
    pub question: u8,
    pub description: &'static str,
}

/// Every headline indicator, in report order.
pub const INDICATORS: &[Indicator] = &[
    Indicator {
        name: "capability_lead_half_life_quarters",
        unit: "quarters",
        question: 1,
        description: "Quarters from the peak of the leader's capability lead (world.leader_capability_lead) until it first falls to half; a lead that never halves counts the quarters to the horizon (a lower bound)",
    },
    Indicator {
        name: "leader_share_horizon",
        unit: "share",
        question: 1,
        description: "Largest lab's share of inference revenue in the last quarter (world.leader_share)",
    },
    Indicator {
        name: "hhi_horizon",
        unit: "0-10000",
        question: 5,
        description: "Herfindahl-Hirschman index of inference revenue in the last quarter (world.hhi)",
    },
    Indicator {
        name: "stranded_gpus_peak",
        unit: "GPUs",
        question: 2,
        description: "Most installed GPUs without energized power in any quarter (world.stranded_gpus)",
    },
    Indicator {
        name: "power_price_mean",
        unit: "USD/MWh",
        question: 2,
        description: "Mean over quarters of the load-weighted power tariff (world.power_price_avg)",
    },
    Indicator {
        name: "queue_wait_mean",
        unit: "quarters",
        question: 2,
        description: "Mean over quarters of the mean age of waiting interconnection requests (world.mean_queue_wait_quarters)",
    },
    Indicator {
        name: "fixed_capability_price_decline",
        unit: "x per year",
        question: 3,
        description: "Annual factor by which the price of the first quarter's frontier capability falls, first to last quarter (world.fixed_capability_price_index)",
    },
    Indicator {
        name: "gpu_price_index_horizon",
        unit: "index, start = 100",
        question: 3,
        description: "GPU price index in the last quarter (world.gpu_price_index)",
    },
    Indicator {
        name: "builder_churn_mean",
        unit: "share per quarter",
        question: 4,
        description: "Mean over quarters of the share of builders that switched provider (world.builder_churn_rate)",
    },
    Indicator {
        name: "markup_mean",
        unit: "price / marginal cost - 1",
        question: 4,
        description: "Mean over quarters of labs' revenue-weighted markup (world.markup_avg)",
    },
    Indicator {
        name: "compute_horizon",
        unit: "H100e",
        question: 6,
        description: "Labs' online compute in the last quarter (world.online_compute_h100e)",
    },
    Indicator {
        name: "market_fleet_horizon",
        unit: "H100e",
        question: 6,
        description: "The whole market's running compute in the last quarter (world.market_fleet_h100e)",
    },
    Indicator {
        name: "app_profit_share",
        unit: "share",
        question: 7,
        description: "App builders' share of profit over the run: sum of world.app_profit over the sum of app_profit and infra_profit",
    },
    Indicator {
        name: "app_revenue_total",
        unit: "USD",
        question: 7,
        description: "App builders' revenue from end users over the run (sum of world.app_revenue)",
    },
];

/// The position of an indicator in [`INDICATORS`].
pub fn index_of(name: &str) -> Option<usize> {
    INDICATORS.iter().position(|i| i.name == name)
}

/// One run's indicators, in the order of [`INDICATORS`]; `None` where the
/// run does not define one (no lead ever, no price index).
#[derive(Debug, Clone, PartialEq)]
pub struct RunIndicators {
    pub run: RunRef,
    pub values: Vec<Option<f64>>,
}

impl RunIndicators {
    pub fn get(&self, name: &str) -> Option<f64> {
        index_of(name).and_then(|i| self.values.get(i).copied().flatten())
    }
}

/// The `world` columns the indicators read.
pub const WORLD_COLUMNS: &[&str] = &[
    "leader_capability_lead",
    "leader_share",
    "hhi",
    "stranded_gpus",
    "power_price_avg",
    "mean_queue_wait_quarters",
    "fixed_capability_price_index",
    "gpu_price_index",
    "builder_churn_rate",
    "markup_avg",
    "online_compute_h100e",
    "market_fleet_h100e",
    "app_profit",
    "infra_profit",
    "app_revenue",
];

/// Reads a run's `world` table and computes its indicators.
pub fn run_indicators(run: &RunRef) -> Result<RunIndicators, AnalysisError> {
    let world = read_columns(&run.dir.join("world.parquet"), WORLD_COLUMNS, &[])?;
    Ok(indicators_from(run, |name| world.numbers(name)))
}

/// A run's indicators from its `world` columns by name (every name in
/// `WORLD_COLUMNS`), for callers that have read them already.
pub fn indicators_from<'a>(run: &RunRef, series: impl Fn(&str) -> &'a [f64]) -> RunIndicators {
    let values = INDICATORS
        .iter()
        .map(|indicator| match indicator.name {
            "capability_lead_half_life_quarters" => {
                half_life(series("leader_capability_lead")).map(|h| h.quarters)
            }
            "leader_share_horizon" => last(series("leader_share")),
            "hhi_horizon" => last(series("hhi")),
            "stranded_gpus_peak" => peak(series("stranded_gpus")),
            "power_price_mean" => finite_mean(series("power_price_avg")),
            "queue_wait_mean" => finite_mean(series("mean_queue_wait_quarters")),
            "fixed_capability_price_decline" => {
                annual_decline(series("fixed_capability_price_index"))
            }
            "gpu_price_index_horizon" => last(series("gpu_price_index")),
            "builder_churn_mean" => finite_mean(series("builder_churn_rate")),
            "markup_mean" => finite_mean(series("markup_avg")),
            "compute_horizon" => last(series("online_compute_h100e")),
            "market_fleet_horizon" => last(series("market_fleet_h100e")),
            "app_profit_share" => share_of_total(series("app_profit"), series("infra_profit")),
            "app_revenue_total" => total(series("app_revenue")),
            _ => None,
        })
        .collect();
    RunIndicators {
        run: run.clone(),
        values,
    }
}

/// A lead's half-life.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HalfLife {
    pub peak_quarter: usize,
    pub quarters: f64,
    /// The lead had not halved by the last quarter: `quarters` counts to
    /// the horizon and is a lower bound.
    pub censored: bool,
}

/// Quarters from the series' peak (the first, if tied) until it first falls
/// to half the peak or below; `None` when it is never positive.
pub fn half_life(series: &[f64]) -> Option<HalfLife> {
    let (peak_quarter, peak) = series
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, v)| v.is_finite())
        .fold(None, |best: Option<(usize, f64)>, (i, v)| match best {
            Some((_, b)) if b >= v => best,
            _ => Some((i, v)),
        })?;
    if peak <= 0.0 {
        return None;
    }
    let halved = series[peak_quarter + 1..]
        .iter()
        .position(|v| *v <= peak / 2.0)
        .map(|offset| offset + 1);
    Some(match halved {
        Some(quarters) => HalfLife {
            peak_quarter,
            quarters: quarters as f64,
            censored: false,
        },
        None => HalfLife {
            peak_quarter,
            quarters: (series.len() - peak_quarter) as f64,
            censored: true,
        },
    })
}

/// The yearly factor by which an index falls from its first to its last
/// finite value (quarterly series): `(first / last)^(4 / quarters)`.
pub fn annual_decline(index: &[f64]) -> Option<f64> {
    let finite: Vec<(usize, f64)> = index
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, v)| v.is_finite() && *v > 0.0)
        .collect();
    let (&(first_tick, first), &(last_tick, last)) = (finite.first()?, finite.last()?);
    (last_tick > first_tick).then(|| (first / last).powf(4.0 / (last_tick - first_tick) as f64))
}

fn last(series: &[f64]) -> Option<f64> {
    series.last().copied().filter(|v| v.is_finite())
}

fn peak(series: &[f64]) -> Option<f64> {
    series
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .reduce(f64::max)
}

fn finite_mean(series: &[f64]) -> Option<f64> {
    let finite: Vec<f64> = series.iter().copied().filter(|v| v.is_finite()).collect();
    crate::stats::mean(&finite)
}

fn total(series: &[f64]) -> Option<f64> {
    (!series.is_empty()).then(|| series.iter().filter(|v| v.is_finite()).sum())
}

fn share_of_total(part: &[f64], rest: &[f64]) -> Option<f64> {
    let part = total(part)?;
    let whole = part + total(rest)?;
    (whole != 0.0).then(|| part / whole)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_lead_halves_or_is_censored_at_the_horizon() {
        let h = half_life(&[0.0, 0.2, 0.4, 0.3, 0.2, 0.1]).expect("a lead");
        assert_eq!((h.peak_quarter, h.quarters, h.censored), (2, 2.0, false));
        let never = half_life(&[0.1, 0.4, 0.35, 0.3]).expect("a lead");
        assert_eq!((never.quarters, never.censored), (3.0, true));
        assert_eq!(half_life(&[0.0, -0.1]), None);
        assert_eq!(half_life(&[]), None);
    }

    #[test]
    fn a_price_index_halving_every_year_declines_twofold() {
        let index: Vec<f64> = (0..9)
            .map(|q| 100.0 * 0.5f64.powf(q as f64 / 4.0))
            .collect();
        assert!((annual_decline(&index).expect("a decline") - 2.0).abs() < 1e-12);
        assert_eq!(annual_decline(&[f64::NAN, 100.0]), None);
        let with_gap = [f64::NAN, 100.0, 90.0, 80.0, 70.0, 50.0];
        assert!((annual_decline(&with_gap).expect("a decline") - 2.0).abs() < 1e-12);
    }

    #[test]
    fn every_indicator_has_a_question_and_a_distinct_name() {
        let mut names: Vec<&str> = INDICATORS.iter().map(|i| i.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), INDICATORS.len());
        for question in 1..=7u8 {
            assert!(
                INDICATORS.iter().any(|i| i.question == question),
                "question {question} has no indicator"
            );
        }
    }

    proptest! {
        /// The half-life is at least one quarter and never beyond the
        /// horizon, and scaling the series does not change it.
        #[test]
        fn half_lives_are_within_the_run_and_scale_free(
            series in proptest::collection::vec(0.0f64..1.0, 1..40),
            scale_exponent in -8i32..8,
        ) {
            // Powers of two scale exactly, so no comparison moves by rounding.
            let scale = 2f64.powi(scale_exponent);
            if let Some(h) = half_life(&series) {
                prop_assert!(h.quarters >= 1.0);
                prop_assert!(h.peak_quarter + h.quarters as usize <= series.len());
                let scaled: Vec<f64> = series.iter().map(|v| v * scale).collect();
                let s = half_life(&scaled).expect("still a lead");
                prop_assert_eq!(s.quarters as usize, h.quarters as usize);
            }
        }
    }
}
