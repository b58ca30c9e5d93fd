//! Input that used to be silently wrong is refused through the binary: exit
//! status 2, a message that names the file (or flag), the field and what is
//! allowed, and nothing written.

mod support;

use std::path::Path;

use support::{moatsim, text};

/// Runs `moatsim ARGS… --out <empty temp dir>/out` (for `run`) and checks the
/// refusal: exit status 2, every `words` in the message, and no output folder.
fn refused(args: &[&str], words: &[&str]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    let mut all: Vec<&str> = args.to_vec();
    if args.first() == Some(&"run") {
        all.extend(["--out", out.to_str().expect("utf-8")]);
    }
    let result = moatsim(&all);
    let stderr = text(&result.stderr);
    assert_eq!(result.status.code(), Some(2), "{args:?}: {stderr}");
    for word in words {
        assert!(
            stderr.contains(word),
            "{args:?}: expected {word:?} in:\n{stderr}"
        );
    }
    assert!(!out.exists(), "{args:?} wrote {}", out.display());
}

/// Writes `text` as `<dir>/<name>` and returns its path as a string.
fn scenario_file(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write scenario");
    path.to_str().expect("utf-8").to_string()
}

/// A scenario in its own folder that extends a copy of the baseline.
fn child_of_baseline(dir: &Path, body: &str) -> String {
    let baseline = support::repo().join("configs/baseline.toml");
    std::fs::copy(baseline, dir.join("baseline.toml")).expect("copy baseline");
    scenario_file(
        dir,
        "child.toml",
        &format!("extends = \"baseline.toml\"\n[scenario]\nname = \"child\"\n{body}"),
    )
}

#[test]
fn dated_entries_outside_the_run_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let late = child_of_baseline(
        dir.path(),
        "[[events]]\nquarter = \"2031Q1\"\nkind = \"export_tier\"\nregion = \"china\"\ntier = \"embargoed\"\n",
    );
    refused(
        &["run", &late],
        &[
            "child.toml:5:1",
            "events[0].quarter",
            "2031Q1",
            "outside the run",
            "2025Q1 to 2030Q4",
        ],
    );
    // Shortening the run with --quarters moves the horizon before the event.
    refused(
        &["run", "configs/export-controls.toml", "--quarters", "4"],
        &[
            "export-controls.toml",
            "events[0].quarter",
            "2026Q1",
            "2025Q1 to 2025Q4",
        ],
    );
    let early = child_of_baseline(
        dir.path(),
        "[[scheduled_rounds]]\nlab = \"frontier-a\"\nquarter = \"2024Q4\"\namount_usd = 1e9\npost_money_usd = 1e10\n",
    );
    refused(
        &["validate", &early],
        &["scheduled_rounds[0].quarter", "2024Q4", "outside the run"],
    );
}

#[test]
fn duplicate_names_are_refused_in_every_named_list() {
    let dir = tempfile::tempdir().expect("temp dir");
    let labs = child_of_baseline(
        dir.path(),
        "[[labs]]\nname = \"frontier-a\"\ncash_usd = 1e9\n[[labs]]\nname = \"frontier-a\"\ncash_usd = 2e9\n",
    );
    refused(
        &["run", &labs],
        &[
            "child.toml:8:1",
            "labs[1].name",
            "\"frontier-a\" is used twice",
        ],
    );
    let segments = child_of_baseline(
        dir.path(),
        "[[app_builders.segments]]\nname = \"coding\"\nweight = 1.0\n[[app_builders.segments]]\nname = \"coding\"\nweight = 2.0\n",
    );
    refused(
        &["validate", &segments],
        &["app_builders.segments[1].name", "\"coding\" is used twice"],
    );
    // In a single file too, for a list the validator used to let through.
    let base =
        std::fs::read_to_string(support::repo().join("configs/baseline.toml")).expect("baseline");
    let second = base.replacen("name = \"consumer-chat\"", "name = \"coding\"", 1);
    assert_ne!(base, second, "the baseline has a `consumer-chat` segment");
    let single = scenario_file(dir.path(), "single.toml", &second);
    refused(
        &["validate", &single],
        &[
            "single.toml:",
            "app_builders.segments",
            "\"coding\" is used twice",
        ],
    );
}

#[test]
fn values_that_would_overflow_the_model_are_refused() {
    refused(
        &[
            "run",
            "configs/baseline.toml",
            "--set",
            "world.dc_capex_per_mw_usd=1e300",
        ],
        &[
            "--set world.dc_capex_per_mw_usd=1e300",
            "is 1e300",
            "allowed: USD per MW from 1e5 to 1e9",
        ],
    );
    refused(
        &[
            "run",
            "configs/baseline.toml",
            "--set",
            "world.mtok_per_h100e_quarter=1e-310",
        ],
        &[
            "world.mtok_per_h100e_quarter",
            "allowed: millions of tokens from 1 to 1e9",
        ],
    );
    refused(
        &[
            "run",
            "configs/baseline.toml",
            "--set",
            "labs[frontier-a].cash_usd=1e200",
        ],
        &["labs[0].cash_usd", "allowed: USD from 0 to 1e14"],
    );
}

#[test]
fn a_field_is_set_once_on_the_command_line() {
    refused(
        &[
            "run",
            "configs/baseline.toml",
            "--quarters",
            "4",
            "--set",
            "scenario.quarters=8",
        ],
        &[
            "--quarters 4",
            "--set scenario.quarters=8",
            "scenario.quarters",
            "one of them",
        ],
    );
    refused(
        &[
            "run",
            "configs/baseline.toml",
            "--set",
            "scenario.seed=3",
            "--seed",
            "5",
        ],
        &["--seed 5", "scenario.seed=3"],
    );
    refused(
        &[
            "run",
            "configs/baseline.toml",
            "--set",
            "labs[0].cash_usd=1e9",
            "--set",
            "labs[frontier-a].cash_usd=2e9",
        ],
        &[
            "labs[frontier-a].cash_usd=2e9",
            "labs[0].cash_usd",
            "already sets",
            "each field set once",
        ],
    );
}

#[test]
fn messages_name_the_culprit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let key = scenario_file(
        dir.path(),
        "key.toml",
        "[scenario]\nname = \"a\"\nname = \"b\"\n",
    );
    refused(
        &["validate", &key],
        &["key.toml:3:1", "duplicate key `name`"],
    );
    let table = scenario_file(
        dir.path(),
        "table.toml",
        "[scenario]\nname = \"a\"\n[scenario]\nquarters = 3\n",
    );
    refused(
        &["validate", &table],
        &["table.toml:3", "duplicate key `scenario`"],
    );
    let empty = scenario_file(
        dir.path(),
        "empty.toml",
        "extends = \"\"\n[scenario]\nname = \"x\"\n",
    );
    refused(
        &["run", &empty],
        &[
            "empty.toml:1:1",
            "field `extends`",
            "is \"\"",
            "allowed: the name of a scenario file",
        ],
    );

    // A bad value set in a base file is reported against the base.
    let base_dir = tempfile::tempdir().expect("temp dir");
    let child = child_of_baseline(base_dir.path(), "[world]\ndiffusion_rate = 0.05\n");
    let base = base_dir.path().join("baseline.toml");
    let text = std::fs::read_to_string(&base).expect("base");
    std::fs::write(&base, text.replacen("pue = 1.2 ", "pue = 0.5 ", 1)).expect("edit base");
    refused(
        &["run", &child],
        &["baseline.toml:16:1", "world.pue", "is 0.5"],
    );

    for (flag, value, allowed) in [
        ("--quarters", "-1", "from 1 to 400"),
        ("--seed", "-5", "from 0 to"),
        ("--threads", "-2", "from 1 to"),
        ("--checkpoint-every", "-3", "from 1 to 400"),
    ] {
        refused(
            &["run", "configs/baseline.toml", flag, value],
            &[flag, value, allowed],
        );
    }
    refused(
        &[
            "run",
            "configs/baseline.toml",
            "--set",
            "labs[nobody].cash_usd=1",
        ],
        &[
            "labs[nobody].cash_usd=1",
            "no entry named \"nobody\"",
            "frontier-a, frontier-b",
        ],
    );
    // Cross-references are reported together with range errors.
    refused(
        &[
            "run",
            "configs/baseline.toml",
            "--set",
            "world.pue=9",
            "--set",
            "labs[0].home_region=mars",
        ],
        &[
            "2 problems",
            "world.pue",
            "labs[0].home_region",
            "\"mars\" is not a name in `regions`",
        ],
    );
}

#[test]
fn sweeps_with_bad_shards_seeds_or_sizes_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sweeps = support::repo().join("configs/sweeps");
    let write_spec = |name: &str, body: &str| {
        let path = dir.path().join(name);
        std::fs::write(
            &path,
            format!(
                "[sweep]\nname = \"x\"\nscenario = \"{}/baseline.toml\"\n{body}",
                sweeps.join("..").display()
            ),
        )
        .expect("write spec");
        path.to_str().expect("utf-8").to_string()
    };
    let out = dir.path().join("sweep-out");
    let out_text = out.to_str().expect("utf-8");
    let huge = write_spec(
        "huge.toml",
        "[seeds]\ncount = 4000000000\n[latin_hypercube]\nsamples = 4000000000\nranges = { \"world.diffusion_rate\" = [0.02, 0.1] }\n",
    );
    refused(
        &["sweep", "plan", &huge],
        &[
            "huge.toml",
            "plans 16000000000000000000 runs",
            "at most 1000000",
        ],
    );
    refused(
        &["sweep", "run", &huge, "--out", out_text],
        &["at most 1000000"],
    );
    let seeds = write_spec("seeds.toml", "[seeds]\nlist = [1, 2, 1]\n");
    refused(
        &["sweep", "plan", &seeds],
        &["seeds.toml", "seeds.list", "has seed 1 twice"],
    );
    let grid = write_spec(
        "grid.toml",
        "[seeds]\nlist = [1]\n[grid]\n\"world.pue\" = [1.2, 1.3, 1.2]\n",
    );
    refused(
        &["sweep", "plan", &grid],
        &["grid.world.pue", "has 1.2 twice"],
    );
    let seeded = write_spec(
        "seeded.toml",
        "[seeds]\nlist = [1]\n[grid]\n\"scenario.seed\" = [3, 4]\n",
    );
    refused(
        &["sweep", "plan", &seeded],
        &["scenario.seed", "seeds only in [seeds]"],
    );
    let named = std::fs::read_to_string(&seeds)
        .expect("spec")
        .replace("name = \"x\"", "name = \"../escape\"")
        .replace("[1, 2, 1]", "[1, 2]");
    let named_path = dir.path().join("named.toml");
    std::fs::write(&named_path, named).expect("write spec");
    refused(
        &[
            "sweep",
            "run",
            named_path.to_str().expect("utf-8"),
            "--out",
            out_text,
        ],
        &["sweep.name", "\"../escape\"", "names the sweep's folder"],
    );
    let smoke = sweeps.join("smoke.toml");
    let smoke = smoke.to_str().expect("utf-8");
    refused(
        &["sweep", "run", smoke, "--out", out_text, "--shard", "-1/4"],
        &["--shard", "\"-1/4\"", "I from 0 to N - 1"],
    );
    refused(
        &["sweep", "run", smoke, "--out", out_text, "--shard", "4/4"],
        &["--shard", "\"4/4\""],
    );
    let zero = support::moatsim_with_env(
        &["sweep", "run", smoke, "--out", out_text],
        &[("JOB_COMPLETION_INDEX", "0"), ("MOATSIM_SHARD_COUNT", "0")],
    );
    assert_eq!(zero.status.code(), Some(2));
    assert!(
        text(&zero.stderr).contains("MOATSIM_SHARD_COUNT=0; allowed: a whole number of 1 or more")
    );
    assert!(!out.exists(), "nothing written");
}

#[test]
fn mistyped_names_and_bases_are_refused_with_what_was_meant() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A lab name the base does not have is a typo until it says it is new.
    let typo = child_of_baseline(
        dir.path(),
        "[[labs]]\nname = \"frontier-A\"\nmarkup = 1.0\n",
    );
    refused(
        &["run", &typo],
        &[
            "child.toml:5:8",
            "labs[name=frontier-A]",
            "did you mean \"frontier-a\"?",
            "new = true",
        ],
    );
    let twice = child_of_baseline(dir.path(), "[[labs]]\nname = \"frontier-a\"\nnew = true\n");
    refused(
        &["validate", &twice],
        &["labs[name=frontier-a].new", "already in `labs`"],
    );
    // Unknown fields and names say which was meant.
    let field = child_of_baseline(dir.path(), "[world]\npeu = 1.3\n");
    refused(
        &["validate", &field],
        &["world.peu", "unknown field `peu` (did you mean \"pue\"?)"],
    );
    let region = child_of_baseline(
        dir.path(),
        "[[labs]]\nname = \"frontier-b\"\nhome_region = \"virginia\"\n",
    );
    refused(
        &["validate", &region],
        &["home_region", "did you mean \"us-virginia\"?"],
    );
    // A base that does not resolve is explained from the file that extends it.
    let base = scenario_file(
        dir.path(),
        "orphan.toml",
        "extends = \"baselin.toml\"\n[scenario]\nname = \"o\"\n",
    );
    refused(
        &["run", &base],
        &[
            "orphan.toml:1:1",
            "field `extends`",
            "did you mean \"baseline.toml\"?",
            "relative to the folder of the file that extends it",
        ],
    );
}

#[test]
fn a_new_entry_marked_new_is_added() {
    let dir = tempfile::tempdir().expect("temp dir");
    let baseline =
        std::fs::read_to_string(support::repo().join("configs/baseline.toml")).expect("baseline");
    // The baseline's first lab, renamed and marked new.
    let start = baseline.find("[[labs]]").expect("a lab");
    let end = baseline[start + 8..]
        .find("[[")
        .map_or(baseline.len(), |at| start + 8 + at);
    let lab = baseline[start..end].replacen(
        "name = \"frontier-a\"",
        "name = \"frontier-z\"\nnew = true",
        1,
    );
    let added = child_of_baseline(dir.path(), &lab);
    let result = moatsim(&["validate", &added]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    assert!(
        text(&result.stdout).contains("frontier-z"),
        "{}",
        text(&result.stdout)
    );
}

/// A custom accelerator names an owner that exists, and a lab's starting
/// fleet holds no other owner's custom accelerator.
#[test]
fn custom_accelerators_name_their_owner_and_stay_with_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let chip = "[[chips]]\nnew = true\nname = \"XPU\"\nmaker = \"amd\"\navailable = \"2024Q1\"\nh100e_per_unit = 1.0\nwatts = 500\nunit_cost_usd = 2000\nlaunch_price_usd = 5000\nunits_per_wafer = 60\n";
    let nobody = child_of_baseline(dir.path(), &format!("{chip}owner = \"nobody\"\n"));
    refused(
        &["validate", &nobody],
        &[
            "owner",
            "\"nobody\", not a lab or an aggregate buyer",
            "frontier-a",
        ],
    );
    let other = tempfile::tempdir().expect("temp dir");
    let taken = child_of_baseline(
        other.path(),
        &format!(
            "{chip}owner = \"open-m\"\n[[labs]]\nname = \"frontier-a\"\ninitial_fleet = [{{ chip = \"XPU\", h100e = 1000 }}]\n"
        ),
    );
    refused(
        &["validate", &taken],
        &[
            "initial_fleet[0].chip",
            "another owner's custom accelerator",
        ],
    );
}
