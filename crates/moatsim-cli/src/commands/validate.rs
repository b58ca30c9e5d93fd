//! `moatsim validate`, `schema` and `params`: what a scenario, the output
//! tables and the behavioural parameters are, printed without running
//! anything. Their text is pinned by the snapshots in tests/golden/.

use moatsim_config::{LoadedScenario, PolicyChange, Scenario};

use super::load;
use crate::args::{ParamsArgs, ValidateArgs};
use crate::error::CliError;
use crate::output::{emit, group, plural, print_json};

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

/// The summary `moatsim validate` prints: what the scenario holds, what a
/// base file or the command line changed, its dated changes and where its
/// output goes.
fn summarise(loaded: &LoadedScenario) -> String {
    let s = &loaded.scenario;
    let mut lines = vec![
        format!("{} is valid.", loaded.source.display()),
        format!("scenario   {}  {}", s.name, s.description),
        format!(
            "time       {} to {} ({} quarters), seed {}",
            s.start,
            s.end(),
            s.quarters,
            s.seed
        ),
    ];
    lines.extend(describe_agents(s));
    lines.extend(describe_differences(loaded));
    lines.extend(describe_timeline(s));
    lines.push(match &s.contracts {
        Some(c) => format!(
            "contracts  {} quarters from {} quarters after signing; labs contract {:.0}% of the shortfall they expect, hosts sign up to {:.0}% of their fleet a quarter",
            c.term_quarters,
            c.lead_quarters,
            100.0 * c.cover_share,
            100.0 * c.host_offer_share
        ),
        None => "contracts  none: labs rent by the quarter only".into(),
    });
    lines.push(format!("config     sha256 {}", loaded.config_hash));
    lines.push(format!(
        "output     <out>/scenario={}/seed={}/<table>.parquet",
        s.name, s.seed
    ));
    lines.into_iter().map(|line| line + "\n").collect()
}

/// One line per kind of agent, naming each, and the builders' population.
fn describe_agents(s: &Scenario) -> Vec<String> {
    let mut lines = vec![
        format!(
            "regions    {}",
            list(&s.regions, |r| format!(
                "{} ({})",
                r.name,
                r.export_tier.name()
            ))
        ),
        format!(
            "chips      {}",
            list(&s.chips, |c| format!("{} {}", c.name, c.available))
        ),
        format!(
            "labs       {}",
            list(&s.labs, |l| format!("{} ({})", l.name, l.kind.name()))
        ),
    ];
    // A scenario without accelerator buyers gets no empty `buyers` line.
    if !s.accelerator_buyers.is_empty() {
        lines.push(format!(
            "buyers     {}",
            list(&s.accelerator_buyers, |b| format!(
                "{} ({})",
                b.name,
                b.kind.name()
            ))
        ));
    }
    let builders = &s.app_builders;
    lines.extend([
        format!(
            "investors  {}",
            list(&s.investors, |i| format!("{} ({})", i.name, i.kind.name()))
        ),
        format!("chipmakers {}", list(&s.chipmakers, |c| c.name.clone())),
        format!("utilities  {}", list(&s.utilities, |u| u.name.clone())),
        format!(
            "regulators {}",
            list(&s.regulators, |r| format!(
                "{} ({})",
                r.name, r.jurisdiction
            ))
        ),
        format!(
            "builders   {} in {} segments ({}), entry {:.1}%/quarter",
            group(builders.count),
            builders.segments.len(),
            list(&builders.segments, |g| g.name.clone()),
            100.0 * builders.entry_rate_per_quarter
        ),
        format!("agents     {} at the start", group(s.initial_agent_count())),
    ]);
    lines
}

/// The fields that differ from the base file (or, without one, that the
/// command line set), one line each with the old and the new value.
fn describe_differences(loaded: &LoadedScenario) -> Vec<String> {
    let count = loaded.differences.len();
    let mut lines = Vec::new();
    match &loaded.base {
        Some(base) => lines.push(format!(
            "base       {} ({count} difference{})",
            base.display(),
            plural(count)
        )),
        None if count > 0 => lines.push(format!(
            "overrides  {count} field{} set on the command line",
            plural(count)
        )),
        None => {}
    }
    lines.extend(loaded.differences.iter().map(|difference| {
        format!(
            "  {:<44} {} -> {}",
            difference.path,
            difference.base.as_deref().unwrap_or("(not set)"),
            difference.value
        )
    }));
    lines
}

/// The timeline's heading and one line per dated change.
fn describe_timeline(s: &Scenario) -> Vec<String> {
    let timeline = timeline(s);
    if timeline.is_empty() {
        return vec!["timeline   no policy events, scheduled rounds or joint ventures".into()];
    }
    let mut lines = vec![format!(
        "timeline   {} dated change{}",
        timeline.len(),
        plural(timeline.len())
    )];
    lines.extend(timeline.into_iter().map(|entry| format!("  {entry}")));
    lines
}

/// Items described one way each, separated by commas.
fn list<T>(items: &[T], describe: impl Fn(&T) -> String) -> String {
    items.iter().map(describe).collect::<Vec<_>>().join(", ")
}

/// Every dated change of a scenario, in time order: policy events, scheduled
/// rounds and joint ventures, with names instead of indices.
fn timeline(s: &Scenario) -> Vec<String> {
    let billions = |usd: f64| format!("${:.1}B", usd / 1e9);
    let mut entries: Vec<(String, String)> = Vec::new();
    for event in &s.events {
        // Scheduled rounds are listed below with the others.
        let Some(what) = describe_policy_change(s, &event.change) else {
            continue;
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

/// A policy event in words, with names instead of indices; `None` for a
/// scheduled round, which the timeline lists with the other rounds.
fn describe_policy_change(s: &Scenario, change: &PolicyChange) -> Option<String> {
    let text = match change {
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
        PolicyChange::ScheduledRound { .. } => return None,
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
    Some(text)
}

/// `moatsim validate --ranges`: every numeric field, its value's allowed range.
fn describe_ranges(loaded: &LoadedScenario) -> String {
    let mut out = format!("\nranges     {} numeric fields\n", loaded.ranges.len());
    for range in &loaded.ranges {
        out.push_str(&format!("  {:<52} {}\n", range.path, range.what));
    }
    out
}

/// `moatsim schema`: the schema version, then every table and its columns.
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
