//! Every numeric field's allowed range is safe: the baseline with any one field
//! at either end of its range runs without writing a `NaN` or `inf` (the
//! writer refuses them, so a run that succeeds wrote only finite numbers).

use std::path::Path;

use moatsim_runner::{RunOptions, run_scenario};

const QUARTERS: &str = "scenario.quarters=8";
const BUILDERS: &str = "app_builders.count=300";
/// A main thread's stack.
const STACK_BYTES: usize = 8 << 20;

fn baseline() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../configs/baseline.toml")
}

/// A value as an override: whole numbers without a fraction, others in full.
fn literal(value: f64, whole: bool) -> String {
    if whole {
        format!("{}", value as i64)
    } else {
        format!("{value:e}")
    }
}

#[test]
fn every_field_at_either_end_of_its_range_runs_with_finite_output() {
    let fixed = [QUARTERS.to_string(), BUILDERS.to_string()];
    let loaded = moatsim_config::load(&baseline(), &fixed).expect("baseline loads");
    let mut cases = Vec::new();
    for range in &loaded.ranges {
        // The horizon and the population are the test's own.
        if range.path == "scenario.quarters" || range.path == "app_builders.count" {
            continue;
        }
        let whole = range.what.starts_with("a whole number");
        for end in [range.low, range.high] {
            cases.push(format!("{}={}", range.path, literal(end, whole)));
        }
    }
    let out = tempfile::tempdir().expect("temp dir");
    let run_case = |k: usize, set: &String| -> Option<String> {
        let overrides = [fixed[0].clone(), fixed[1].clone(), set.clone()];
        // Refused by a check between fields (a minimum above its target, a grid
        // too small for the labs' sites): not a value the model has to survive.
        let extreme = moatsim_config::load(&baseline(), &overrides).ok()?;
        let options = RunOptions {
            out_dir: out.path().join(format!("run-{k}")),
            threads: Some(1),
            force: false,
            checkpoint: None,
        };
        Some(match run_scenario(&extreme, &options, |_| {}) {
            Ok(_) => String::new(),
            Err(error) => format!("--set {set}: {error}"),
        })
    };
    // Each case is independent: run them on every core, each worker with the
    // stack a main thread has (writing a run is deep).
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut results: Vec<Option<String>> = vec![None; cases.len()];
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let (cases, run_case) = (&cases, &run_case);
                std::thread::Builder::new()
                    .stack_size(STACK_BYTES)
                    .spawn_scoped(scope, move || {
                        (w..cases.len())
                            .step_by(workers)
                            .map(|k| (k, run_case(k, &cases[k])))
                            .collect::<Vec<_>>()
                    })
                    .expect("worker starts")
            })
            .collect();
        for handle in handles {
            for (k, result) in handle.join().expect("worker finishes") {
                results[k] = result;
            }
        }
    });
    let tried = results.iter().flatten().count();
    let failures: Vec<&String> = results.iter().flatten().filter(|f| !f.is_empty()).collect();
    assert!(tried > 150, "only {tried} extreme values were tried");
    assert!(
        failures.is_empty(),
        "{} of {tried} extreme values failed:\n{}",
        failures.len(),
        failures
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}
