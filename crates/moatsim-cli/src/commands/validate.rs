//! `moatsim validate`, `schema` and `params`: what a scenario, the output
//! tables and the behavioural parameters are, printed without running
//! anything. Their text is pinned by the snapshots in tests/golden/.

use moatsim_config::LoadedScenario;

use super::load;
use crate::args::{ParamsArgs, ValidateArgs};
use crate::cli::CliError;
use crate::output::{emit, group, print_json};

/// `moatsim validate`: the summary of a scenario, and with `--ranges` every
/// numeric field's allowed range.
pub(super) fn validate(args: ValidateArgs) -> Result<(), CliError> {
    let loaded = load(&args.config, &args.overrides)?;
    let mut text = summarise(&loaded);
    if args.ranges {
        text += &describe_ranges(&loaded);
    }
    emit(&text)
}

/// `moatsim schema`: every output table with its columns.
pub(super) fn schema() -> Result<(), CliError> {
    emit(&describe_schema())
}

/// `moatsim params`: the behavioural parameters, as a table or JSON.
pub(super) fn params(args: ParamsArgs) -> Result<(), CliError> {
    if args.json {
        print_json(&moatsim_config::parameters::PARAMETERS)
    } else {
        emit(&describe_parameters())
    }
}

fn summarise(loaded: &LoadedScenario) -> String {
    let s = &loaded.scenario;
    let mut out = String::new();
    let mut line = |text: String| {
        out.push_str(&text);
        out.push('\n');
    };
    line(format!("{} is valid.", loaded.source.display()));
    line(format!("scenario   {}  {}", s.name, s.description));
    line(format!(
        "time       {} to {} ({} quarters), seed {}",
        s.start,
        s.end(),
        s.quarters,
        s.seed
    ));
    line(format!(
        "regions    {}",
        s.regions
            .iter()
            .map(|r| format!("{} ({})", r.name, r.export_tier.name()))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    line(format!(
        "chips      {}",
        s.chips
            .iter()
            .map(|c| format!("{} {}", c.name, c.available))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    line(format!(
        "labs       {}",
        s.labs
            .iter()
            .map(|l| format!("{} ({})", l.name, l.kind.name()))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    if !s.accelerator_buyers.is_empty() {
        line(format!(
            "buyers     {}",
            s.accelerator_buyers
                .iter()
                .map(|b| format!("{} ({})", b.name, b.kind.name()))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    line(format!(
        "investors  {}",
        s.investors
            .iter()
            .map(|i| format!("{} ({})", i.name, i.kind.name()))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    line(format!(
        "chipmakers {}",
        s.chipmakers
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    line(format!(
        "utilities  {}",
        s.utilities
            .iter()
            .map(|u| u.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    line(format!(
        "regulators {}",
        s.regulators
            .iter()
            .map(|r| format!("{} ({})", r.name, r.jurisdiction))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    line(format!(
        "builders   {} in {} segments ({}), entry {:.1}%/quarter",
        group(s.app_builders.count),
        s.app_builders.segments.len(),
        s.app_builders
            .segments
            .iter()
            .map(|g| g.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        100.0 * s.app_builders.entry_rate_per_quarter
    ));
    line(format!(
        "agents     {} at the start",
        group(s.initial_agent_count())
    ));
    match &loaded.base {
        Some(base) => line(format!(
            "base       {} ({} difference{})",
            base.display(),
            loaded.differences.len(),
            if loaded.differences.len() == 1 {
                ""
            } else {
                "s"
            }
        )),
        None if !loaded.differences.is_empty() => line(format!(
            "overrides  {} field{} set on the command line",
            loaded.differences.len(),
            if loaded.differences.len() == 1 {
                ""
            } else {
                "s"
            }
        )),
        None => {}
    }
    for difference in &loaded.differences {
        line(format!(
            "  {:<44} {} -> {}",
            difference.path,
            difference.base.as_deref().unwrap_or("(not set)"),
            difference.value
        ));
    }
    let timeline = timeline(s);
    if timeline.is_empty() {
        line("timeline   no policy events, scheduled rounds or joint ventures".into());
    } else {
        line(format!(
            "timeline   {} dated change{}",
            timeline.len(),
            if timeline.len() == 1 { "" } else { "s" }
        ));
        for entry in timeline {
            line(format!("  {entry}"));
        }
    }
    line(format!("config     sha256 {}", loaded.config_hash));
    line(format!(
        "output     <out>/scenario={}/seed={}/<table>.parquet",
        s.name, s.seed
    ));
    out
}

/// Every dated change of a scenario, in time order: policy events, scheduled
/// rounds and joint ventures, with names instead of indices.
fn timeline(s: &moatsim_config::Scenario) -> Vec<String> {
    use moatsim_config::PolicyChange;
    let billions = |usd: f64| format!("${:.1}B", usd / 1e9);
    let mut entries: Vec<(String, String)> = Vec::new();
    for event in &s.events {
        let what = match &event.change {
            PolicyChange::ExportTier { region, tier } => {
                format!("{} becomes {}", s.regions[*region].name, tier.name())
            }
            PolicyChange::LicenceFee { regulator, rate } => {
                format!("{} licence fee {rate}", s.regulators[*regulator].name)
            }
            PolicyChange::PermitDelay {
                regulator,
                quarters,
            } => {
                format!(
                    "{} permit delay {quarters} quarters",
                    s.regulators[*regulator].name
                )
            }
            PolicyChange::AntitrustThreshold { regulator, hhi } => {
                format!(
                    "{} antitrust threshold HHI {hhi}",
                    s.regulators[*regulator].name
                )
            }
            PolicyChange::PowerPriority {
                regulator,
                dc_power_share,
            } => format!(
                "{} data-center power share {dc_power_share}",
                s.regulators[*regulator].name
            ),
            // Listed below with the other scheduled rounds.
            PolicyChange::ScheduledRound { .. } => continue,
            PolicyChange::UtilityBuild {
                utility,
                technology,
                mw,
            } => format!(
                "{} starts {mw} MW of {}",
                s.utilities[*utility].name, s.generation_technologies[*technology].name
            ),
            PolicyChange::ChipRoadmap { chip, available } => {
                format!("{} moves to {available}", s.chips[*chip].name)
            }
            PolicyChange::ComputeOutage {
                lab,
                share,
                quarters,
            } => PolicyChange::outage_text(&s.labs[*lab].name, *share, *quarters),
        };
        entries.push((
            event.quarter.to_string(),
            format!("{:<20} {what}", event.change.kind()),
        ));
    }
    for round in &s.scheduled_rounds {
        entries.push((
            round.quarter.to_string(),
            format!(
                "{:<20} {} raises {} at {} post-money",
                "scheduled_round",
                s.labs[round.lab].name,
                billions(round.amount_usd),
                billions(round.post_money_usd)
            ),
        ));
    }
    for venture in &s.joint_ventures {
        entries.push((
            venture.quarter.to_string(),
            format!(
                "{:<20} {} invests {} in {}, ties {:.0}% of builders",
                "joint_venture",
                s.investors[venture.partner].name,
                billions(venture.investment_usd),
                s.labs[venture.lab].name,
                100.0 * venture.builder_share
            ),
        ));
    }
    // "2026Q1" sorts as text in time order; a stable sort keeps the file's
    // order within a quarter.
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    entries
        .into_iter()
        .map(|(quarter, what)| format!("{quarter}  {what}"))
        .collect()
}

/// `moatsim validate --ranges`: every numeric field, its value's allowed range.
fn describe_ranges(loaded: &LoadedScenario) -> String {
    let mut out = format!("\nranges     {} numeric fields\n", loaded.ranges.len());
    for range in &loaded.ranges {
        out.push_str(&format!("  {:<52} {}\n", range.path, range.what));
    }
    out
}

fn describe_schema() -> String {
    let mut out = format!(
        "moatsim output schema version {}\n",
        moatsim_output::SCHEMA_VERSION
    );
    out.push_str(
        "Each run writes <out>/scenario=<name>/seed=<seed>/<table>.parquet and manifest.json.\n",
    );
    for table in moatsim_output::tables() {
        out.push_str(&format!("\n{}: {}\n", table.name, table.description));
        for column in &table.columns {
            let null = if column.nullable { " (nullable)" } else { "" };
            out.push_str(&format!(
                "  {:<28} {:<8}{} {}\n",
                column.name,
                format!("{}", column.data_type),
                null,
                column.description
            ));
        }
    }
    out
}

/// The parameter list as a table: one line each, then its meaning and source.
fn describe_parameters() -> String {
    let mut out = String::from(
        "behavioural parameters (set with --set PATH=VALUE; vary within low..high)\n\n",
    );
    out.push_str(&format!(
        "{:<45} {:>12} {:>12} {:>12}\n",
        "path", "default", "low", "high"
    ));
    for p in moatsim_config::parameters::PARAMETERS {
        out.push_str(&format!(
            "{:<45} {:>12} {:>12} {:>12}\n  {}; {}\n",
            p.path, p.default, p.low, p.high, p.meaning, p.source
        ));
    }
    out
}
