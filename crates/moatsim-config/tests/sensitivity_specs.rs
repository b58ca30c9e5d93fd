//! Sweep specs with a `[morris]` or `[sobol]` design: the planned runs, their
//! ranges and the refusals.

use std::path::{Path, PathBuf};

use moatsim_config::sweep::{DesignMethod, plan};

/// Writes `body` as a spec next to the repository's configs, so that
/// `scenario = "../baseline.toml"` resolves.
fn spec(name: &str, body: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let configs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs");
    let sweeps = dir.path().join("sweeps");
    std::fs::create_dir_all(&sweeps).expect("mkdir");
    std::fs::copy(
        configs.join("baseline.toml"),
        dir.path().join("baseline.toml"),
    )
    .expect("copy");
    let path = sweeps.join(format!("{name}.toml"));
    std::fs::write(&path, body).expect("spec");
    (dir, path)
}

const HEADER: &str = r#"
[sweep]
name = "gsa"
scenario = "../baseline.toml"
set = { "scenario.quarters" = 2, "app_builders.count" = 200 }

[seeds]
count = 2
master_seed = 9
"#;

#[test]
fn a_morris_spec_plans_trajectories_times_seeds_with_recorded_ranges() {
    let (_dir, path) = spec(
        "morris",
        &format!(
            "{HEADER}\n[morris]\ntrajectories = 3\nlevels = 4\nparameters = [\"world.diffusion_rate\", \"world.gpu_life_quarters\"]\nranges = {{ \"world.gpu_life_quarters\" = [16, 20] }}\n"
        ),
    );
    let plan = plan(&path).expect("plans");
    let design = plan.design.as_ref().expect("a design");
    assert_eq!(design.method, DesignMethod::Morris { levels: 4 });
    assert_eq!(
        design.unit_rows.len(),
        3 * 3,
        "trajectories × (parameters + 1)"
    );
    assert_eq!(plan.runs.len(), 9 * 2, "× seeds");
    // The diffusion rate takes its recorded range; the spec's range wins for the other.
    assert_eq!(design.ranges, vec![[0.02, 0.12], [16.0, 20.0]]);
    assert_eq!(
        design.whole,
        vec![false, true],
        "quarters are whole numbers"
    );
    for run in &plan.runs {
        let rate: f64 = run.parameters["world.diffusion_rate"]
            .parse()
            .expect("a number");
        assert!((0.02..=0.12).contains(&rate));
        let life = &run.parameters["world.gpu_life_quarters"];
        assert!(life.parse::<i64>().is_ok(), "rounded: {life}");
        assert!(run.design_point.is_some());
    }
    // Ids are distinct even where a design revisits values.
    let mut ids: Vec<&str> = plan.runs.iter().map(|r| r.run_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), plan.runs.len());
    assert_eq!(plan.parameter_names, design.parameters);
}

#[test]
fn a_sobol_spec_plans_base_samples_times_parameters_plus_two() {
    let (_dir, path) = spec(
        "sobol",
        &format!(
            "{HEADER}\n[sobol]\nbase_samples = 4\nparameters = [\"world.diffusion_rate\", \"cloud.rent_cash_share\", \"world.pue\"]\n"
        ),
    );
    let plan = plan(&path).expect("plans");
    let design = plan.design.as_ref().expect("a design");
    assert_eq!(design.method, DesignMethod::Sobol);
    assert_eq!(design.unit_rows.len(), 4 * 5);
    assert_eq!(plan.runs.len(), 4 * 5 * 2);
    assert_eq!(
        plan.runs,
        moatsim_config::sweep::plan(&path).expect("again").runs,
        "stable"
    );
}

#[test]
fn bad_designs_are_refused_with_the_field_and_what_is_allowed() {
    let cases = [
        (
            "[morris]\ntrajectories = 2\nlevels = 3\nparameters = [\"world.diffusion_rate\"]\n",
            "morris.levels",
            "even number",
        ),
        (
            "[morris]\ntrajectories = 2\nparameters = [\"scenario.quarters\"]\n",
            "morris.ranges.scenario.quarters",
            "no recorded range",
        ),
        (
            "[sobol]\nbase_samples = 0\nparameters = [\"world.diffusion_rate\"]\n",
            "sobol.base_samples",
            "allowed: 1 to",
        ),
        (
            "[sobol]\nbase_samples = 2\nparameters = [\"world.pue\"]\nranges = { \"world.pue\" = [1.3, 1.1] }\n",
            "sobol.ranges.world.pue",
            "low < high",
        ),
        (
            "[sobol]\nbase_samples = 2\nparameters = [\"world.pue\"]\n[morris]\ntrajectories = 1\nparameters = [\"world.pue\"]\n",
            "",
            "one design per spec",
        ),
        (
            "[grid]\n\"world.pue\" = [1.1, 1.2]\n[sobol]\nbase_samples = 2\nparameters = [\"world.diffusion_rate\"]\n",
            "grid",
            "alone",
        ),
    ];
    for (body, field, allowed) in cases {
        let (_dir, path) = spec("bad", &format!("{HEADER}\n{body}"));
        let error = plan(&path).expect_err(body).to_string();
        assert!(error.contains(field), "{field}: {error}");
        assert!(error.contains(allowed), "{allowed}: {error}");
        assert!(error.contains("bad.toml"), "names the file: {error}");
    }
}

#[test]
fn an_explore_spec_plans_a_latin_hypercube_over_recorded_ranges_with_its_claims() {
    let (_dir, path) = spec(
        "explore",
        &format!(
            "{HEADER}\n[explore]\nsamples = 5\nparameters = [\"world.diffusion_rate\", \"world.gpu_life_quarters\"]\n\n[[claims]]\nname = \"a\"\nstatement = \"words\"\npredicate = \"hhi_horizon > 1\"\n"
        ),
    );
    let plan = plan(&path).expect("plans");
    let design = plan.design.as_ref().expect("a design");
    assert_eq!(design.method, DesignMethod::Hypercube);
    assert_eq!(plan.runs.len(), 5 * 2, "samples × seeds");
    assert_eq!(
        design.ranges[0].map(f64::to_bits),
        [0.02_f64.to_bits(), 0.12_f64.to_bits()],
        "the recorded range"
    );
    assert_eq!(
        design.whole,
        vec![false, true],
        "quarters are whole numbers"
    );
    // One point per fifth of the unit interval in every input.
    for j in 0..2 {
        let mut strata: Vec<usize> = design
            .unit_rows
            .iter()
            .map(|row| (row[j] * 5.0).floor() as usize)
            .collect();
        strata.sort_unstable();
        assert_eq!(strata, vec![0, 1, 2, 3, 4]);
    }
    assert_eq!(plan.claims.len(), 1);
    assert_eq!(plan.claims[0].predicate, "hhi_horizon > 1");
}
