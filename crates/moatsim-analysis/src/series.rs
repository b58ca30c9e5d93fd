//! A run's quarterly series, as the report draws them, and the bands that
//! summarise several seeds.

use std::collections::BTreeMap;

use moatsim_output::reader::read_columns;

use crate::AnalysisError;
use crate::runs::RunRef;
use crate::stats::quantile;

/// World columns the report draws, and every column the headline
/// indicators read (`indicators::WORLD_COLUMNS`), so one read serves both.
pub const WORLD_SERIES: &[&str] = &[
    "online_compute_h100e",
    "market_fleet_h100e",
    "stranded_gpus",
    "leader_capability_lead",
    "power_price_avg",
    "mean_queue_wait_quarters",
    "inference_price_index",
    "fixed_capability_price_index",
    "gpu_price_index",
    "builder_churn_rate",
    "markup_avg",
    "leader_share",
    "hhi",
    "chip_profit",
    "power_profit",
    "cloud_profit",
    "land_profit",
    "lease_profit",
    "model_profit",
    "app_profit",
    "app_revenue",
    "product_revenue",
    "infra_profit",
];

/// The markets whose unmet demand shows which constraint binds: (label in
/// the report, `markets.market`).
pub const BINDING_MARKETS: &[(&str, &str)] =
    &[("GPUs", "gpu"), ("power", "power"), ("land", "land")];

/// Each quarter's share of `market`'s demand that did not clear, summed
/// over its items and regions: `1 − cleared / demand` (NaN, not drawn, in a
/// quarter without demand).
pub fn unmet_share(
    quarters: usize,
    tick: &[f64],
    market_of: &[String],
    market: &str,
    demand: &[f64],
    cleared: &[f64],
) -> Vec<f64> {
    let mut asked = vec![0.0; quarters];
    let mut got = vec![0.0; quarters];
    for i in 0..tick.len() {
        let t = tick[i] as usize;
        if market_of[i] == market && t < quarters && demand[i].is_finite() && cleared[i].is_finite()
        {
            asked[t] += demand[i];
            got[t] += cleared[i];
        }
    }
    asked
        .iter()
        .zip(&got)
        .map(|(a, g)| {
            if *a > 0.0 {
                (1.0 - g / a).clamp(0.0, 1.0)
            } else {
                f64::NAN
            }
        })
        .collect()
}

/// One run's series by quarter index. Keys are `world.<column>`,
/// `derived.app_margin`, `derived.counted_tokens`,
/// `derived.revenue_per_h100e_hour`, and breakdowns
/// `labs.market_share.<lab>`, `projects.online_compute_h100e.<region>`,
/// `chipmakers.revenue.<maker>`, `segments.<adopters|tokens_per_task|tokens>.<segment>`.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSeries {
    pub run: RunRef,
    /// The calendar time of quarter 0, in years (2025Q1 = 2025.0).
    pub start_year: f64,
    pub quarters: usize,
    pub series: BTreeMap<String, Vec<f64>>,
}

impl RunSeries {
    pub fn get(&self, key: &str) -> Option<&[f64]> {
        self.series.get(key).map(Vec::as_slice)
    }

    /// The names after `prefix.` of every breakdown series under `prefix`.
    pub fn parts(&self, prefix: &str) -> Vec<String> {
        let start = format!("{prefix}.");
        self.series
            .keys()
            .filter_map(|k| k.strip_prefix(&start).map(str::to_string))
            .collect()
    }
}

/// Reads the series the report needs from one run.
pub fn run_series(run: &RunRef) -> Result<RunSeries, AnalysisError> {
    let manifest_path = run.dir.join("manifest.json");
    let text = std::fs::read_to_string(&manifest_path).map_err(|source| AnalysisError::Io {
        path: manifest_path.clone(),
        source,
    })?;
    let manifest: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| AnalysisError::Manifest {
            path: manifest_path.clone(),
            detail: e.to_string(),
        })?;
    let start_year = manifest["start"]
        .as_str()
        .and_then(parse_quarter)
        .ok_or_else(|| AnalysisError::Manifest {
            path: manifest_path.clone(),
            detail: "no `start` quarter such as 2025Q1".into(),
        })?;

    let mut series = BTreeMap::new();
    let world = read_columns(&run.dir.join("world.parquet"), WORLD_SERIES, &[])?;
    let quarters = world.rows();
    for column in WORLD_SERIES {
        series.insert(format!("world.{column}"), world.numbers(column).to_vec());
    }
    let margin: Vec<f64> = world
        .numbers("app_profit")
        .iter()
        .zip(world.numbers("app_revenue"))
        .map(|(profit, revenue)| {
            if *revenue > 0.0 {
                profit / revenue
            } else {
                f64::NAN
            }
        })
        .collect();
    series.insert("derived.app_margin".into(), margin);

    let labs = read_columns(
        &run.dir.join("labs.parquet"),
        &["tick", "market_share", "counted_mtok", "revenue"],
        &["name"],
    )?;
    demand_series(
        &mut series,
        quarters,
        &labs,
        world.numbers("market_fleet_h100e"),
    );
    let segments = read_columns(
        &run.dir.join("app_builder_segments.parquet"),
        &["tick", "adopters", "tokens_per_task", "tokens"],
        &["segment"],
    )?;
    for column in ["adopters", "tokens_per_task", "tokens"] {
        breakdown(
            &mut series,
            &format!("segments.{column}"),
            quarters,
            &segments,
            "segment",
            column,
        );
    }
    breakdown(
        &mut series,
        "labs.market_share",
        quarters,
        &labs,
        "name",
        "market_share",
    );
    let projects = read_columns(
        &run.dir.join("projects.parquet"),
        &["tick", "online_compute_h100e"],
        &["region"],
    )?;
    breakdown(
        &mut series,
        "projects.online_compute_h100e",
        quarters,
        &projects,
        "region",
        "online_compute_h100e",
    );
    let chips = read_columns(
        &run.dir.join("chipmakers.parquet"),
        &["tick", "revenue"],
        &["name"],
    )?;
    breakdown(
        &mut series,
        "chipmakers.revenue",
        quarters,
        &chips,
        "name",
        "revenue",
    );
    // Runs from before schema 18 have no backlog: their chart is empty.
    if let Ok(buyers) = read_columns(
        &run.dir.join("accelerator_buyers.parquet"),
        &["tick", "backlog_usd"],
        &["name"],
    ) {
        breakdown(
            &mut series,
            "accelerator_buyers.backlog_usd",
            quarters,
            &buyers,
            "name",
            "backlog_usd",
        );
    }
    let markets = read_columns(
        &run.dir.join("markets.parquet"),
        &["tick", "demand", "cleared"],
        &["market"],
    )?;
    for (name, market) in BINDING_MARKETS {
        series.insert(
            format!("binding.{name}"),
            unmet_share(
                quarters,
                markets.numbers("tick"),
                markets.strings("market"),
                market,
                markets.numbers("demand"),
                markets.numbers("cleared"),
            ),
        );
    }
    Ok(RunSeries {
        run: run.clone(),
        start_year,
        quarters,
        series,
    })
}

/// The market's demand against its fleet, per quarter:
/// `derived.counted_tokens` (every lab's tokens as counted, millions) and
/// `derived.revenue_per_h100e_hour` (labs' revenue over the whole market's
/// fleet, per H100e-hour: what the fleet earns at the model layer, to set
/// against a rental price). NaN where the fleet is empty.
fn demand_series(
    series: &mut BTreeMap<String, Vec<f64>>,
    quarters: usize,
    labs: &moatsim_output::reader::TableColumns,
    fleet: &[f64],
) {
    let mut counted = vec![0.0; quarters];
    let mut revenue = vec![0.0; quarters];
    for ((tick, tokens), earned) in labs
        .numbers("tick")
        .iter()
        .zip(labs.numbers("counted_mtok"))
        .zip(labs.numbers("revenue"))
    {
        let t = *tick as usize;
        if let (Some(c), Some(r)) = (counted.get_mut(t), revenue.get_mut(t)) {
            *c += tokens;
            *r += earned;
        }
    }
    let per_hour = revenue
        .iter()
        .zip(fleet)
        .map(|(revenue, fleet)| {
            if *fleet > 0.0 {
                revenue / (fleet * moatsim_model::units::HOURS_PER_QUARTER)
            } else {
                f64::NAN
            }
        })
        .collect();
    series.insert("derived.counted_tokens".into(), counted);
    series.insert("derived.revenue_per_h100e_hour".into(), per_hour);
}

/// Sums `value` by (`part`, tick) into one series per part.
fn breakdown(
    series: &mut BTreeMap<String, Vec<f64>>,
    prefix: &str,
    quarters: usize,
    table: &moatsim_output::reader::TableColumns,
    part: &str,
    value: &str,
) {
    for ((name, tick), value) in table
        .strings(part)
        .iter()
        .zip(table.numbers("tick"))
        .zip(table.numbers(value))
    {
        let row = series
            .entry(format!("{prefix}.{name}"))
            .or_insert_with(|| vec![0.0; quarters]);
        if let Some(cell) = row.get_mut(*tick as usize)
            && value.is_finite()
        {
            *cell += value;
        }
    }
}

/// "2025Q1" → 2025.0, "2026Q3" → 2026.5.
pub fn parse_quarter(text: &str) -> Option<f64> {
    let (year, quarter) = text.split_once('Q')?;
    let year: f64 = year.parse().ok()?;
    let quarter: u8 = quarter.parse().ok()?;
    (1..=4)
        .contains(&quarter)
        .then(|| year + f64::from(quarter - 1) / 4.0)
}

/// The seeds' spread of one series, quarter by quarter.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    /// Calendar time of each quarter, in years.
    pub time: Vec<f64>,
    pub p10: Vec<f64>,
    pub median: Vec<f64>,
    pub p90: Vec<f64>,
    /// Runs behind the band.
    pub runs: usize,
}

/// The 10th, 50th and 90th percentiles across runs at each quarter (type-7
/// quantiles, as `docs/ANALYSIS.md`); a quarter where no run has a finite
/// value is left out. `None` when no quarter has one.
pub fn band(runs: &[&RunSeries], key: &str) -> Option<Band> {
    let start_year = runs.first()?.start_year;
    let quarters = runs.iter().map(|r| r.quarters).max()?;
    let mut out = Band {
        time: Vec::new(),
        p10: Vec::new(),
        median: Vec::new(),
        p90: Vec::new(),
        runs: runs.len(),
    };
    for quarter in 0..quarters {
        let values: Vec<f64> = runs
            .iter()
            .filter_map(|r| r.get(key)?.get(quarter).copied())
            .filter(|v| v.is_finite())
            .collect();
        if values.is_empty() {
            continue;
        }
        out.time.push(start_year + quarter as f64 / 4.0);
        out.p10.push(quantile(&values, 0.1)?);
        out.median.push(quantile(&values, 0.5)?);
        out.p90.push(quantile(&values, 0.9)?);
    }
    (!out.time.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn run(values: &[f64]) -> RunSeries {
        RunSeries {
            run: RunRef {
                dir: "/r".into(),
                scenario: "s".into(),
                seed: 1,
                run_id: None,
            },
            start_year: 2025.0,
            quarters: values.len(),
            series: BTreeMap::from([("world.x".to_string(), values.to_vec())]),
        }
    }

    #[test]
    fn the_report_reads_every_column_the_indicators_need() {
        for column in crate::indicators::WORLD_COLUMNS {
            assert!(WORLD_SERIES.contains(column), "{column}");
        }
    }

    #[test]
    fn quarters_are_calendar_times() {
        assert_eq!(parse_quarter("2025Q1"), Some(2025.0));
        assert_eq!(parse_quarter("2026Q3"), Some(2026.5));
        assert_eq!(parse_quarter("2026Q5"), None);
        assert_eq!(parse_quarter("nonsense"), None);
    }

    #[test]
    fn a_band_spans_the_seeds_and_skips_empty_quarters() {
        let runs = [
            run(&[1.0, f64::NAN, 3.0]),
            run(&[3.0, f64::NAN, 5.0]),
            run(&[2.0, f64::NAN, 4.0]),
        ];
        let refs: Vec<&RunSeries> = runs.iter().collect();
        let b = band(&refs, "world.x").expect("a band");
        assert_eq!(b.time, [2025.0, 2025.5]);
        assert_eq!(b.median, [2.0, 4.0]);
        assert!((b.p10[0] - 1.2).abs() < 1e-12 && (b.p90[0] - 2.8).abs() < 1e-12);
        assert_eq!(band(&refs, "world.missing"), None);
    }

    #[test]
    fn unmet_demand_is_summed_over_items_and_regions_per_quarter() {
        let markets = |m: &[&str]| m.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
        let share = unmet_share(
            3,
            &[0.0, 0.0, 0.0, 1.0, 2.0],
            &markets(&["gpu", "gpu", "power", "gpu", "gpu"]),
            "gpu",
            &[10.0, 30.0, 5.0, 20.0, 0.0],
            &[10.0, 10.0, 0.0, 20.0, 0.0],
        );
        assert!((share[0] - 0.5).abs() < 1e-12, "{share:?}");
        assert!(share[1].abs() < 1e-12);
        assert!(share[2].is_nan(), "no demand, nothing to draw");
    }

    proptest! {
        /// p10 ≤ median ≤ p90 at every quarter, all within the runs' range.
        #[test]
        fn bands_are_ordered(values in proptest::collection::vec(proptest::collection::vec(-1e3f64..1e3, 6), 1..8)) {
            let runs: Vec<RunSeries> = values.iter().map(|v| run(v)).collect();
            let refs: Vec<&RunSeries> = runs.iter().collect();
            let b = band(&refs, "world.x").expect("a band");
            for q in 0..b.time.len() {
                prop_assert!(b.p10[q] <= b.median[q] && b.median[q] <= b.p90[q]);
                let column: Vec<f64> = values.iter().map(|v| v[q]).collect();
                let low = column.iter().copied().fold(f64::INFINITY, f64::min);
                let high = column.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                prop_assert!(b.p10[q] >= low && b.p90[q] <= high);
            }
        }
    }
}
