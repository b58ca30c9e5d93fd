//! Two scenarios compared indicator by indicator, paired by seed: the same
//! seed gives both runs the same random streams, so the per-seed difference
//! isolates what the scenario changed.

use std::collections::{BTreeMap, BTreeSet};

use crate::AnalysisError;
use crate::indicators::{INDICATORS, RunIndicators};
use crate::moat::MoatHalfLife;
use crate::stats::{PairedSummary, mean, paired_summary};

/// One indicator's difference B − A.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IndicatorDifference {
    pub indicator: &'static str,
    pub unit: &'static str,
    pub question: u8,
    /// Means over the paired seeds where both runs define the indicator.
    pub a_mean: Option<f64>,
    pub b_mean: Option<f64>,
    /// `None` when no seed defines the indicator in both runs.
    pub difference: Option<PairedSummary>,
}

/// B against A over the seeds both have.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Comparison {
    pub a: String,
    pub b: String,
    pub seeds: Vec<u64>,
    pub indicators: Vec<IndicatorDifference>,
    /// The moat half-life of B's lead over A at each paired seed
    /// (`crate::moat`); empty until [`Comparison::with_moat_half_life`].
    pub moat_half_life: Vec<SeedHalfLife>,
}

/// The moat half-life at one seed: `None` when B gives no lab a lead.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SeedHalfLife {
    pub seed: u64,
    pub half_life: Option<MoatHalfLife>,
}

/// Pairs the runs of A and B by seed and summarises B − A per indicator.
/// Each side must hold one scenario with at most one run per seed.
pub fn compare(a: &[RunIndicators], b: &[RunIndicators]) -> Result<Comparison, AnalysisError> {
    let (a_label, a_by_seed) = by_seed(a, "A")?;
    let (b_label, b_by_seed) = by_seed(b, "B")?;
    let seeds: Vec<u64> = a_by_seed
        .keys()
        .filter(|seed| b_by_seed.contains_key(seed))
        .copied()
        .collect();
    if seeds.is_empty() {
        return Err(AnalysisError::NoCommonSeeds {
            a: a_label,
            b: b_label,
            a_seeds: a_by_seed.keys().copied().collect(),
            b_seeds: b_by_seed.keys().copied().collect(),
        });
    }
    let indicators = INDICATORS
        .iter()
        .enumerate()
        .map(|(i, indicator)| {
            let pairs: Vec<(f64, f64)> = seeds
                .iter()
                .filter_map(|seed| {
                    let x = a_by_seed[seed].values.get(i).copied().flatten()?;
                    let y = b_by_seed[seed].values.get(i).copied().flatten()?;
                    Some((x, y))
                })
                .collect();
            let differences: Vec<f64> = pairs.iter().map(|(x, y)| y - x).collect();
            IndicatorDifference {
                indicator: indicator.name,
                unit: indicator.unit,
                question: indicator.question,
                a_mean: mean(&pairs.iter().map(|p| p.0).collect::<Vec<_>>()),
                b_mean: mean(&pairs.iter().map(|p| p.1).collect::<Vec<_>>()),
                difference: paired_summary(&differences),
            }
        })
        .collect();
    Ok(Comparison {
        a: a_label,
        b: b_label,
        seeds,
        indicators,
        moat_half_life: Vec::new(),
    })
}

fn by_seed<'a>(
    runs: &'a [RunIndicators],
    side: &str,
) -> Result<(String, BTreeMap<u64, &'a RunIndicators>), AnalysisError> {
    let scenarios: BTreeSet<&str> = runs.iter().map(|r| r.run.scenario.as_str()).collect();
    if scenarios.len() > 1 {
        return Err(AnalysisError::MixedScenarios {
            what: side.to_string(),
            scenarios: scenarios.into_iter().collect::<Vec<_>>().join(", "),
        });
    }
    let mut by_seed = BTreeMap::new();
    for run in runs {
        if by_seed.insert(run.run.seed, run).is_some() {
            return Err(AnalysisError::MixedScenarios {
                what: format!("{side} (seed {} twice)", run.run.seed),
                scenarios: scenarios.iter().copied().collect::<Vec<_>>().join(", "),
            });
        }
    }
    let label = scenarios.into_iter().next().unwrap_or_default().to_string();
    Ok((label, by_seed))
}

impl IndicatorDifference {
    /// The row as text cells: A's mean, B's mean, the difference, its
    /// interval and the sign count ("–" where undefined), as both the table
    /// and the report print them.
    pub fn cells(&self) -> [String; 5] {
        let unit = self.unit;
        let value = |v: f64| human(v, unit);
        let cell = |v: Option<f64>| v.map_or_else(|| "–".to_string(), value);
        match &self.difference {
            Some(d) => [
                cell(self.a_mean),
                cell(self.b_mean),
                value(d.mean),
                format!("[{}, {}]", value(d.low), value(d.high)),
                format!("{}/{}", d.sign_holds, d.seeds),
            ],
            None => [
                cell(self.a_mean),
                cell(self.b_mean),
                "–".into(),
                "–".into(),
                "–".into(),
            ],
        }
    }

    /// More than one seed, and the interval excludes zero.
    pub fn excludes_zero(&self) -> bool {
        self.difference
            .as_ref()
            .is_some_and(|d| d.seeds > 1 && (d.low > 0.0 || d.high < 0.0))
    }
}

impl Comparison {
    /// Adds the moat half-life of B's lead over A at every paired seed, read
    /// from the runs' `labs` tables.
    pub fn with_moat_half_life(
        mut self,
        a: &[RunIndicators],
        b: &[RunIndicators],
    ) -> Result<Self, AnalysisError> {
        let find = |runs: &[RunIndicators], seed: u64| {
            runs.iter()
                .find(|r| r.run.seed == seed)
                .map(|r| r.run.dir.clone())
        };
        self.moat_half_life = self
            .seeds
            .iter()
            .map(|&seed| {
                let half_life = match (find(a, seed), find(b, seed)) {
                    (Some(x), Some(y)) => crate::moat::paired_half_life(&x, &y)?,
                    _ => None,
                };
                Ok(SeedHalfLife { seed, half_life })
            })
            .collect::<Result<_, AnalysisError>>()?;
        Ok(self)
    }

    /// The moat half-life over the seeds, as one line: the median and range
    /// of the seeds where the lead halved, and how many were censored or
    /// had no lead.
    pub fn moat_line(&self) -> Option<String> {
        if self.moat_half_life.is_empty() {
            return None;
        }
        let found: Vec<&MoatHalfLife> = self
            .moat_half_life
            .iter()
            .filter_map(|s| s.half_life.as_ref())
            .collect();
        let no_lead = self.moat_half_life.len() - found.len();
        let mut halved: Vec<f64> = found
            .iter()
            .filter(|h| !h.censored)
            .map(|h| h.quarters)
            .collect();
        halved.sort_by(f64::total_cmp);
        let censored: Vec<String> = found
            .iter()
            .filter(|h| h.censored)
            .map(|h| format!("≥ {}", h.quarters))
            .collect();
        let labs: BTreeSet<&str> = found.iter().map(|h| h.lab.as_str()).collect();
        let events: BTreeSet<usize> = found.iter().map(|h| h.event_tick).collect();
        let median = match halved.len() {
            0 => "none halved".to_string(),
            n if n % 2 == 1 => format!("median {}", halved[n / 2]),
            n => format!("median {}", (halved[n / 2 - 1] + halved[n / 2]) / 2.0),
        };
        let range = match (halved.first(), halved.last()) {
            (Some(lo), Some(hi)) => format!(" [{lo}–{hi}]"),
            _ => String::new(),
        };
        Some(format!(
            "moat half-life of {}'s compute-share lead over {} (lab: {}; event tick: {}): {median}{range} quarters over {} halved seed{}; censored (not halved by the horizon): {}; no lead: {no_lead}\n",
            self.b,
            self.a,
            labs.into_iter().collect::<Vec<_>>().join(", "),
            events
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            halved.len(),
            if halved.len() == 1 { "" } else { "s" },
            if censored.is_empty() {
                "0".to_string()
            } else {
                format!("{} ({})", censored.len(), censored.join(", "))
            },
        ))
    }

    /// A plain-text table: one row per indicator.
    pub fn render(&self) -> String {
        let mut out = format!(
            "{} minus {}, paired by seed ({} seeds: {})\n\n",
            self.b,
            self.a,
            self.seeds.len(),
            self.seeds
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        );
        out += &format!(
            "{:<32} {:>11} {:>11} {:>11} {:>25} {:>6}  {}\n",
            "indicator", self.a, self.b, "difference", "90% interval", "sign", "unit"
        );
        for row in &self.indicators {
            let [a, b, difference, interval, sign] = row.cells();
            out += &format!(
                "{:<32} {:>11} {:>11} {:>11} {:>25} {:>6}  {}\n",
                row.indicator, a, b, difference, interval, sign, row.unit
            );
        }
        out += "\nThe interval is for the mean difference (paired Student t); `sign` counts the seeds \
                whose difference has the mean's sign.\n";
        if let Some(line) = self.moat_line() {
            out += "\n";
            out += &line;
        }
        out
    }
}

/// A value in the units people read: dollars as $M, $B or $T, counts of
/// GPUs and H100e as k or M; anything else as [`short`].
pub fn human(value: f64, unit: &str) -> String {
    let magnitude = value.abs();
    let sign = if value < 0.0 { "-" } else { "" };
    let scaled = |divisor: f64, suffix: &str| {
        let v = magnitude / divisor;
        let decimals = if v >= 100.0 {
            0
        } else if v >= 10.0 {
            1
        } else {
            2
        };
        format!("{v:.decimals$}{suffix}")
    };
    match unit {
        "USD" => {
            let body = if magnitude >= 1e12 {
                scaled(1e12, "T")
            } else if magnitude >= 1e9 {
                scaled(1e9, "B")
            } else if magnitude >= 1e6 {
                scaled(1e6, "M")
            } else {
                format!("{magnitude:.0}")
            };
            format!("{sign}${body}")
        }
        "H100e" | "GPUs" if magnitude >= 1e3 => {
            let body = if magnitude >= 1e6 {
                scaled(1e6, "M")
            } else {
                scaled(1e3, "k")
            };
            format!("{sign}{body}")
        }
        _ => short(value),
    }
}

/// Four significant figures, in scientific notation only when large or tiny.
pub fn short(value: f64) -> String {
    let magnitude = value.abs();
    if value == 0.0 {
        "0".into()
    } else if !(1e-3..1e6).contains(&magnitude) {
        format!("{value:.3e}")
    } else {
        let decimals = (3 - magnitude.log10().floor() as i32).clamp(0, 6) as usize;
        format!("{value:.decimals$}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runs::RunRef;

    fn run(scenario: &str, seed: u64, first: f64) -> RunIndicators {
        let mut values = vec![None; INDICATORS.len()];
        values[0] = Some(first);
        RunIndicators {
            run: RunRef {
                dir: format!("/runs/{scenario}/{seed}").into(),
                scenario: scenario.into(),
                seed,
                run_id: None,
            },
            values,
        }
    }

    #[test]
    fn runs_are_paired_by_seed_and_unpaired_seeds_are_left_out() {
        let a = [
            run("baseline", 1, 4.0),
            run("baseline", 2, 6.0),
            run("baseline", 3, 1.0),
        ];
        let b = [
            run("mega-round", 2, 9.0),
            run("mega-round", 1, 5.0),
            run("mega-round", 9, 0.0),
        ];
        let c = compare(&a, &b).expect("compares");
        assert_eq!(c.seeds, [1, 2]);
        let first = &c.indicators[0];
        let d = first.difference.as_ref().expect("a difference");
        assert_eq!((d.mean, d.min, d.max, d.sign_holds), (2.0, 1.0, 3.0, 2));
        assert_eq!((first.a_mean, first.b_mean), (Some(5.0), Some(7.0)));
        assert!(c.indicators[1].difference.is_none(), "undefined in both");
        let table = c.render();
        assert!(table.contains("mega-round minus baseline"), "{table}");
        assert!(table.contains(INDICATORS[0].name), "{table}");
    }

    #[test]
    fn sets_without_a_common_seed_or_with_two_scenarios_are_refused() {
        let error = compare(&[run("baseline", 1, 0.0)], &[run("mega-round", 2, 0.0)])
            .expect_err("no common seed");
        assert!(error.to_string().contains("[1]"), "{error}");
        let error = compare(
            &[run("baseline", 1, 0.0), run("power-crunch", 2, 0.0)],
            &[run("mega-round", 1, 0.0)],
        )
        .expect_err("two scenarios");
        assert!(
            error.to_string().contains("baseline, power-crunch"),
            "{error}"
        );
    }

    #[test]
    fn money_and_compute_read_in_human_units() {
        assert_eq!(human(1.25e12, "USD"), "$1.25T");
        assert_eq!(human(-3.4e10, "USD"), "-$34.0B");
        assert_eq!(human(8.786e7, "H100e"), "87.9M");
        assert_eq!(human(12_345.0, "GPUs"), "12.3k");
        assert_eq!(human(0.25, "share"), short(0.25));
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(short(0.123456), "0.1235");
        assert_eq!(short(1234.5678), "1235");
        assert_eq!(short(-2.5), "-2.500");
        assert_eq!(short(1.5e11), "1.500e11");
    }
}
