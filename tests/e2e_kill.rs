//! A checkpointed run survives a SIGKILL at any moment: at random times, while
//! its segments are being joined, right after the join is recorded, and while
//! a resume is itself running. After each kill the test does what a user
//! would (`moatsim resume` when a checkpoint exists, otherwise `moatsim run`
//! again) until the run is published, then compares every byte with a run
//! that never stopped.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::{assert_same_files, moatsim, repo, text};

/// Large enough that joining the segments takes a measurable share of the run.
const SIZE: [&str; 4] = ["--quarters", "12", "--set", "app_builders.count=120000"];
const CHECKPOINT: [&str; 2] = ["--checkpoint-every", "3"];
/// Runs killed and resumed until published, each with several kill points.
const TRIALS: u64 = 10;

/// A small deterministic generator: the kill points are the same every time
/// the test runs.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn scenario_folder(out: &Path) -> PathBuf {
    out.join("scenario=baseline")
}

fn run_dir(out: &Path) -> PathBuf {
    scenario_folder(out).join("seed=42")
}

/// Staging folders of the run, if any.
fn stagings(out: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(scenario_folder(out))
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with(".staging"))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn has_checkpoint(out: &Path) -> bool {
    stagings(out)
        .iter()
        .any(|s| s.join("checkpoint/meta.json").is_file())
}

/// The join has started: joined files exist next to the segments.
fn joining(out: &Path) -> bool {
    stagings(out).iter().any(|s| {
        std::fs::read_dir(s).is_ok_and(|entries| {
            entries.flatten().any(|e| {
                e.file_name()
                    .to_string_lossy()
                    .ends_with(".parquet.partial")
            })
        })
    })
}

fn joined(out: &Path) -> bool {
    stagings(out)
        .iter()
        .any(|s| s.join("checkpoint/joined.json").is_file())
}

fn spawn(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_moatsim"))
        .current_dir(repo())
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts")
}

/// When to kill a command.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Trigger {
    After(Duration),
    /// Once the join has started, after a further delay.
    Joining(Duration),
    /// Once the join is recorded (segments being deleted, files published).
    Joined,
    Never,
}

/// Where a kill landed, for the report.
#[derive(Debug, Default)]
struct Tally {
    kills: usize,
    in_join: usize,
    after_join: usize,
    in_resume: usize,
}

/// Runs `args` until it exits or `trigger` fires; true if it was killed.
fn run_until(args: &[&str], out: &Path, trigger: Trigger, tally: &mut Tally, resume: bool) -> bool {
    let mut child = spawn(args);
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("status") {
            let mut stderr = String::new();
            if let Some(mut pipe) = child.stderr.take() {
                use std::io::Read;
                let _ = pipe.read_to_string(&mut stderr);
            }
            assert!(status.success(), "{args:?} failed: {stderr}");
            return false;
        }
        let fire = match trigger {
            Trigger::After(delay) => started.elapsed() >= delay,
            Trigger::Joining(delay) => {
                joining(out) && {
                    std::thread::sleep(delay);
                    true
                }
            }
            Trigger::Joined => joined(out),
            Trigger::Never => false,
        };
        if fire {
            let in_join = joining(out) && !joined(out);
            let after_join = joined(out);
            child.kill().expect("SIGKILL");
            let _ = child.wait();
            tally.kills += 1;
            tally.in_join += usize::from(in_join);
            tally.after_join += usize::from(after_join);
            tally.in_resume += usize::from(resume);
            return true;
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "{args:?} hangs"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn runs_killed_at_any_moment_resume_to_identical_bytes() {
    let reference = tempfile::tempdir().expect("temp dir");
    let reference_out = reference.path().to_str().expect("utf-8");
    let mut args = vec![
        "run",
        "configs/baseline.toml",
        "--out",
        reference_out,
        "--quiet",
    ];
    args.extend_from_slice(&SIZE);
    let plain = moatsim(&args);
    assert!(plain.status.success(), "{}", text(&plain.stderr));

    // How long an uninterrupted checkpointed run takes, to spread kills over it.
    let timed = tempfile::tempdir().expect("temp dir");
    let timed_out = timed.path().to_str().expect("utf-8");
    let mut args = vec![
        "run",
        "configs/baseline.toml",
        "--out",
        timed_out,
        "--quiet",
    ];
    args.extend_from_slice(&SIZE);
    args.extend_from_slice(&CHECKPOINT);
    let started = Instant::now();
    let whole = moatsim(&args);
    let duration = started.elapsed();
    assert!(whole.status.success(), "{}", text(&whole.stderr));
    assert_same_files(reference.path(), timed.path());

    let mut random = Lcg(2026);
    let mut tally = Tally::default();
    for trial in 0..TRIALS {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().to_str().expect("utf-8").to_string();
        let run_args: Vec<String> = ["run", "configs/baseline.toml", "--out", &out, "--quiet"]
            .into_iter()
            .chain(SIZE)
            .chain(CHECKPOINT)
            .map(String::from)
            .collect();
        let resume_args: Vec<String> = vec![
            "resume".into(),
            run_dir(dir.path()).to_str().expect("utf-8").into(),
            "--quiet".into(),
            "--threads".into(),
            (1 + trial % 2).to_string(),
        ];
        let mut attempt = 0;
        while !run_dir(dir.path()).join("manifest.json").is_file() {
            attempt += 1;
            assert!(attempt < 10, "trial {trial} did not finish");
            let resume = has_checkpoint(dir.path());
            let args: Vec<&str> = if resume { &resume_args } else { &run_args }
                .iter()
                .map(String::as_str)
                .collect();
            // Each trial tries a kill at a random moment, one inside the join
            // and one once the join is recorded (a window of milliseconds,
            // which the command may finish within), in a trial-dependent
            // order; later attempts let the command finish, so every trial
            // ends.
            let random_moment = Trigger::After(Duration::from_millis(
                random.below(duration.as_millis() as u64 * 11 / 10),
            ));
            let joining = Trigger::Joining(Duration::from_millis(random.below(40)));
            let schedule = match trial % 3 {
                0 => [random_moment, joining, Trigger::Joined],
                1 => [joining, random_moment, Trigger::Joined],
                _ => [Trigger::Joined, joining, random_moment],
            };
            let trigger = schedule.get(attempt - 1).copied().unwrap_or(Trigger::Never);
            run_until(&args, dir.path(), trigger, &mut tally, resume);
        }
        // A kill in the instant after publication leaves the checkpoint inside
        // the run; resume tidies it and says the run is complete.
        if run_dir(dir.path()).join("checkpoint").exists() {
            let tidy = moatsim(&["resume", run_dir(dir.path()).to_str().expect("utf-8")]);
            assert!(text(&tidy.stderr).contains("already complete"));
            assert!(!run_dir(dir.path()).join("checkpoint").exists());
        }
        assert_same_files(&run_dir(reference.path()), &run_dir(dir.path()));
        assert!(
            stagings(dir.path()).is_empty(),
            "trial {trial} left {:?}",
            stagings(dir.path())
        );
    }
    eprintln!(
        "kill points: {} ({} inside the join, {} after it, {} inside a resume); {TRIALS} runs, every one byte-identical",
        tally.kills, tally.in_join, tally.after_join, tally.in_resume
    );
    // Random delays can fall after a command has finished; the kills at the
    // join always land.
    assert!(tally.kills >= TRIALS as usize, "{tally:?}");
    assert!(
        tally.in_join >= 3 && tally.after_join >= 1 && tally.in_resume >= 3,
        "{tally:?}"
    );
}
