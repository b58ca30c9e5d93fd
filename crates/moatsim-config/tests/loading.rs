//! Loading scenarios: the baseline is valid, and every kind of mistake produces a
//! message that names the place, the field and what is allowed.

use std::path::{Path, PathBuf};

use moatsim_config::{ConfigError, Origin, Problem, load, load_str};

fn baseline_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs/baseline.toml")
}

fn baseline_text() -> String {
    std::fs::read_to_string(baseline_path()).expect("baseline config is readable")
}

/// The 1-based number of the first line of `text` that starts with `prefix`.
fn line_starting(text: &str, prefix: &str) -> usize {
    text.lines()
        .position(|l| l.starts_with(prefix))
        .expect("line")
        + 1
}

fn problems(text: &str, overrides: &[&str]) -> Vec<Problem> {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    match load_str(text, Path::new("test.toml"), &overrides) {
        Err(ConfigError::Invalid { problems, .. }) => problems,
        Err(other) => panic!("expected an invalid-config error, got {other}"),
        Ok(_) => panic!("expected the config to be refused"),
    }
}

#[test]
fn the_baseline_is_valid_and_has_every_agent_kind() {
    let loaded = load(&baseline_path(), &[]).expect("baseline loads");
    let s = &loaded.scenario;
    assert_eq!(s.name, "baseline");
    assert_eq!(s.start.to_string(), "2025Q1");
    assert_eq!(s.quarters, 24);
    assert!(!s.labs.is_empty() && !s.investors.is_empty() && !s.chipmakers.is_empty());
    assert!(!s.utilities.is_empty() && !s.regulators.is_empty() && s.app_builders.count > 0);
    assert_eq!(loaded.config_hash.len(), 64);
}

#[test]
fn the_config_hash_follows_the_resolved_config() {
    let a = load(&baseline_path(), &[]).expect("loads");
    let b = load(&baseline_path(), &[]).expect("loads");
    let c = load(&baseline_path(), &["scenario.seed=7".to_string()]).expect("loads");
    assert_eq!(a.config_hash, b.config_hash);
    assert_ne!(a.config_hash, c.config_hash);
    assert_eq!(c.scenario.seed, 7);
}

#[test]
fn an_unknown_field_names_its_line_and_the_field() {
    let text = baseline_text().replace("seed = 42", "seed = 42\nsede = 1");
    let found = problems(&text, &[]);
    assert_eq!(found.len(), 1);
    assert!(
        found[0].message.contains("unknown field `sede`"),
        "{:?}",
        found[0]
    );
    let line = line_starting(&text, "sede");
    assert!(
        matches!(found[0].origin, Origin::File { line: l, .. } if l == line),
        "{:?}",
        found[0].origin
    );
}

#[test]
fn a_wrong_type_names_the_field_path_and_line() {
    let text = baseline_text().replacen("cash_usd = 40e9", "cash_usd = \"lots\"", 1);
    let found = problems(&text, &[]);
    assert_eq!(found[0].path, "labs[0].cash_usd");
    assert!(matches!(found[0].origin, Origin::File { .. }));
}

#[test]
fn an_out_of_range_value_says_what_is_allowed_and_where() {
    let text = baseline_text().replace("pue = 1.2 ", "pue = 0.5 ");
    let found = problems(&text, &[]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].path, "world.pue");
    assert!(
        found[0].message.contains("allowed: a PUE from 1.0 to 3.0"),
        "{}",
        found[0].message
    );
    let line = line_starting(&text, "pue = 0.5");
    assert_eq!(found[0].origin, Origin::File { line, column: 1 });
}

#[test]
fn an_unknown_reference_lists_the_names_allowed() {
    let text = baseline_text().replacen("home_region = \"us-texas\"", "home_region = \"mars\"", 1);
    let found = problems(&text, &[]);
    assert_eq!(found[0].path, "labs[0].home_region");
    assert!(
        found[0]
            .message
            .contains("\"mars\" is not a name in `regions`")
    );
    assert!(found[0].message.contains("us-virginia"));
}

#[test]
fn several_problems_are_reported_together() {
    let text = baseline_text()
        .replace("quarters = 24", "quarters = 0")
        .replace("count = 20000", "count = -5");
    let found = problems(&text, &[]);
    let paths: Vec<&str> = found.iter().map(|p| p.path.as_str()).collect();
    assert!(
        paths.contains(&"scenario.quarters") && paths.contains(&"app_builders.count"),
        "{paths:?}"
    );
}

#[test]
fn overrides_reach_any_field_by_position_or_name() {
    let loaded = load(
        &baseline_path(),
        &[
            "labs[frontier-b].cash_usd=1e9".to_string(),
            "regions[0].export_tier=embargoed".to_string(),
            "app_builders.segments[1].weight=2".to_string(),
        ],
    )
    .expect("overrides apply");
    let s = &loaded.scenario;
    assert!((s.labs[1].cash_usd - 1e9).abs() < 1.0);
    assert_eq!(s.regions[0].export_tier.name(), "embargoed");
}

#[test]
fn an_override_with_a_bad_value_is_blamed_on_the_override() {
    let found = problems(&baseline_text(), &["world.pue=9"]);
    assert_eq!(found[0].path, "world.pue");
    assert_eq!(found[0].origin, Origin::Override("world.pue=9".into()));
    let found = problems(&baseline_text(), &["scenario.sede=1"]);
    assert!(found[0].message.contains("unknown field"), "{:?}", found[0]);
}

#[test]
fn an_override_of_a_missing_path_is_refused() {
    let overrides = vec!["labs[nobody].cash_usd=1".to_string()];
    match load_str(&baseline_text(), Path::new("t.toml"), &overrides) {
        Err(ConfigError::BadOverride { message, .. }) => {
            assert!(message.contains("no entry named \"nobody\""), "{message}")
        }
        other => panic!("expected a bad override, got {other:?}"),
    }
    let overrides = vec!["no-equals-sign".to_string()];
    assert!(matches!(
        load_str(&baseline_text(), Path::new("t.toml"), &overrides),
        Err(ConfigError::BadOverride { .. })
    ));
}

#[test]
fn the_rendered_message_names_file_line_field_and_fix() {
    let text = baseline_text().replace("pue = 1.2 ", "pue = 0.5 ");
    let error = load_str(&text, Path::new("configs/broken.toml"), &[]).expect_err("refused");
    let rendered = error.to_string();
    assert!(rendered.contains("configs/broken.toml:"), "{rendered}");
    assert!(rendered.contains("field `world.pue`"), "{rendered}");
    assert!(rendered.contains("allowed:"), "{rendered}");
}

#[test]
fn a_grid_too_small_for_the_labs_existing_sites_is_refused() {
    let found = problems(
        &baseline_text(),
        &["utilities[dominion].generation_mw=19600"],
    );
    assert_eq!(found[0].path, "utilities[0].generation_mw");
    assert!(
        found[0].message.contains("existing sites"),
        "{}",
        found[0].message
    );
}

#[test]
fn a_scenario_can_extend_the_baseline_and_change_entries_by_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::copy(baseline_path(), dir.path().join("baseline.toml")).expect("copy");
    let overlay = dir.path().join("rich.toml");
    std::fs::write(
        &overlay,
        "extends = \"baseline.toml\"\n[scenario]\nname = \"rich\"\n\n[[labs]]\nname = \"frontier-b\"\ncash_usd = 99e9\n",
    )
    .expect("write");
    let loaded = load(&overlay, &[]).expect("layered scenario loads");
    let base = load(&baseline_path(), &[]).expect("baseline loads");
    assert_eq!(loaded.scenario.name, "rich");
    assert_eq!(
        loaded.scenario.labs.len(),
        base.scenario.labs.len(),
        "merged by name, not appended"
    );
    assert!((loaded.scenario.labs[1].cash_usd - 99e9).abs() < 1.0);
    assert!(
        (loaded.scenario.labs[1].valuation_usd - base.scenario.labs[1].valuation_usd).abs() < 1.0
    );
    assert_eq!(loaded.scenario.seed, base.scenario.seed);
}

#[test]
fn problems_in_layered_scenarios_point_at_the_file_that_set_the_value() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::copy(baseline_path(), dir.path().join("baseline.toml")).expect("copy");
    let overlay = dir.path().join("bad.toml");
    std::fs::write(
        &overlay,
        "extends = \"baseline.toml\"\n\n[[labs]]\nname = \"open-m\"\ncash_usd = -1\n",
    )
    .expect("write");
    let Err(ConfigError::Invalid { problems, .. }) = load(&overlay, &[]) else {
        panic!("refused")
    };
    assert_eq!(problems[0].path, "labs[3].cash_usd");
    assert_eq!(problems[0].origin, Origin::File { line: 5, column: 1 });

    std::fs::write(
        &overlay,
        "extends = \"baseline.toml\"\n[world]\npue = 1.25\n",
    )
    .expect("write");
    let text: String = baseline_text()
        .lines()
        .map(|l| {
            if l.starts_with("mw_per_acre = 1.5   ") {
                "mw_per_acre = -1"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(dir.path().join("baseline.toml"), &text).expect("write");
    let Err(ConfigError::Invalid { problems, .. }) = load(&overlay, &[]) else {
        panic!("refused")
    };
    assert_eq!(problems[0].path, "regions[0].mw_per_acre");
    let line = line_starting(&text, "mw_per_acre = -1");
    assert!(
        matches!(&problems[0].origin, Origin::BaseFile { file, line: l, .. } if file.ends_with("baseline.toml") && *l == line),
        "{:?}",
        problems[0].origin
    );
}

#[test]
fn the_scale_scenario_is_the_baseline_with_a_million_builders() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs/scale-1m.toml");
    let loaded = load(&path, &[]).expect("scale-1m loads");
    assert_eq!(loaded.scenario.app_builders.count, 1_000_000);
    assert_eq!(loaded.scenario.name, "scale-1m");
}

#[test]
fn the_largest_scale_scenario_samples_its_ten_million_builders() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs/scale-10m.toml");
    let loaded = load(&path, &[]).expect("scale-10m loads");
    assert_eq!(loaded.scenario.app_builders.count, 10_000_000);
    assert_eq!(loaded.scenario.name, "scale-10m");
    assert_eq!(
        loaded.scenario.output.app_builders,
        moatsim_config::BuilderOutput::Sampled { share: 0.01 },
        "every row of ten million builders would be about 15 GB"
    );
}

#[test]
fn a_policy_timeline_entry_is_checked_against_its_kind() {
    let text = format!(
        "{}\n{}",
        baseline_text(),
        r#"
[[events]]
quarter = "2026Q1"
kind = "tariff"

[[events]]
quarter = "2026Q1"
kind = "export_tier"
region = "china"

[[events]]
quarter = "2026Q1"
kind = "licence_fee"
regulator = "us-commerce"
rate = 0.15
region = "china"

[[events]]
quarter = "2026Q1"
kind = "export_tier"
region = "mars"
tier = "closed"
"#
    );
    let found = problems(&text, &[]);
    let about = |path: &str, words: &str| {
        found
            .iter()
            .any(|p| p.path == path && p.message.contains(words))
    };
    assert!(
        about("events[0].kind", "allowed: export_tier, licence_fee"),
        "{found:?}"
    );
    assert!(about("events[1].kind", "needs `tier`"), "{found:?}");
    assert!(
        about("events[2].region", "does not apply to kind \"licence_fee\""),
        "{found:?}"
    );
    assert!(
        about("events[3].region", "\"mars\" is not a name in `regions`"),
        "{found:?}"
    );
    assert!(
        about("events[3].tier", "allowed: \"unrestricted\""),
        "{found:?}"
    );
    // Each problem points at the line it was written on.
    assert!(
        found
            .iter()
            .all(|p| matches!(p.origin, Origin::File { .. })),
        "{found:?}"
    );
}

#[test]
fn a_round_on_the_timeline_is_a_scheduled_round() {
    let text = format!(
        "{}\n{}",
        baseline_text(),
        r#"
[[events]]
quarter = "2027Q2"
kind = "scheduled_round"
lab = "frontier-b"
amount_usd = 30e9
post_money_usd = 350e9
"#
    );
    let loaded = load_str(&text, &baseline_path(), &[]).expect("loads");
    let rounds = &loaded.scenario.scheduled_rounds;
    assert_eq!(rounds.len(), 1);
    assert_eq!(rounds[0].quarter.to_string(), "2027Q2");
    assert_eq!(loaded.scenario.events.len(), 1);
}

#[test]
fn a_removed_cloud_field_says_where_capacity_comes_from_now() {
    let text = baseline_text().replace("[cloud]\n", "[cloud]\ncapacity_h100e = 600000\n");
    let found = problems(&text, &[]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].path, "cloud.capacity_h100e");
    assert!(
        found[0].message.contains("removed in schema 6")
            && found[0].message.contains("rental_share"),
        "{}",
        found[0].message
    );
    let line = line_starting(&text, "capacity_h100e");
    assert!(
        matches!(found[0].origin, Origin::File { line: l, .. } if l == line),
        "{:?}",
        found[0].origin
    );
}

#[test]
fn a_segment_strength_must_name_a_segment_and_stay_in_range() {
    let text = baseline_text().replacen(
        "segment_strengths = { coding = 0.13 }",
        "segment_strengths = { codeing = 0.13, consumer-chat = 3.0 }",
        1,
    );
    let found = problems(&text, &[]);
    let paths: Vec<&str> = found.iter().map(|p| p.path.as_str()).collect();
    assert!(
        paths.contains(&"labs[1].segment_strengths.codeing"),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"labs[1].segment_strengths.consumer-chat"),
        "{paths:?}"
    );
    let unknown = found
        .iter()
        .find(|p| p.path.ends_with("codeing"))
        .expect("unknown segment");
    assert!(unknown.message.contains("coding"), "{}", unknown.message);
}
