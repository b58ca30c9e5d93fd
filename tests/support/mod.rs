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

/// Runs the `moatsim` binary from the repository root.
pub fn moatsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_moatsim"))
        .current_dir(repo())
        .args(args)
        .output()
        .expect("binary runs")
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

/// Runs the `moatsim` binary from the repository root with extra environment
/// variables.
pub fn moatsim_with_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_moatsim"))
        .current_dir(repo())
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("binary runs")
}
