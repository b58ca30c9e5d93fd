//! Helpers shared by the end-to-end test binaries (`tests/e2e_*.rs`). Each
//! binary uses a subset, hence the `dead_code` allowance.
#![allow(
    dead_code,
    reason = "each end-to-end test binary uses a subset of these helpers"
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root; commands run from here, as in the README.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs the `moatsim` binary from the repository root. A command that
/// published runs and succeeded is followed by `moatsim verify` of its
/// outputs folder, so every run the suite produces is checked against its
/// manifest.
pub fn moatsim(args: &[&str]) -> Output {
    moatsim_with_env(args, &[])
}

/// The outputs folder of a command that publishes runs (`run`, `resume`,
/// `sweep run`), when it names one.
fn published_to<'a>(args: &[&'a str]) -> Option<&'a str> {
    let publishes = matches!(args, ["run" | "resume", ..] | ["sweep", "run", ..]);
    let out = args.iter().position(|a| *a == "--out")?;
    publishes.then(|| args.get(out + 1).copied()).flatten()
}

/// Every run under `out` matches its manifest.
pub fn assert_verifies(out: &str) {
    let check = Command::new(env!("CARGO_BIN_EXE_moatsim"))
        .current_dir(repo())
        .args(["verify", out])
        .output()
        .expect("binary runs");
    assert!(
        check.status.success(),
        "moatsim verify {out}: {}{}",
        text(&check.stdout),
        text(&check.stderr)
    );
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every file under `root` by relative path, with its bytes.
pub fn tree(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("file");
                files.insert(
                    path.strip_prefix(root).expect("inside").to_path_buf(),
                    bytes,
                );
            }
        }
    }
    files
}

/// The same files with the same bytes under both folders; names the first
/// file that differs.
pub fn assert_same_files(a: &Path, b: &Path) {
    let (a, b) = (tree(a), tree(b));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{} differs", path.display());
    }
}

/// Starts `moatsim ARGS…` from the repository root and SIGKILLs it as soon as
/// `ready()` holds (for example, its first checkpoint is on disk); fails if
/// the run ends first or nothing is ready within two minutes.
pub fn kill_when(args: &[&str], ready: impl Fn() -> bool) {
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    let mut child = Command::new(env!("CARGO_BIN_EXE_moatsim"))
        .current_dir(repo())
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    let deadline = Instant::now() + Duration::from_secs(120);
    while !ready() {
        assert!(Instant::now() < deadline, "no checkpoint appeared");
        assert!(
            child.try_wait().expect("status").is_none(),
            "the run ended before a checkpoint"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().expect("SIGKILL");
    let _ = child.wait();
}

/// Runs the `moatsim` binary from the repository root with extra environment
/// variables; verifies what it published, as [`moatsim`] does.
pub fn moatsim_with_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_moatsim"))
        .current_dir(repo())
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("binary runs");
    if output.status.success()
        && let Some(out) = published_to(args)
    {
        assert_verifies(out);
    }
    output
}
