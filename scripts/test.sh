#!/usr/bin/env bash
# The whole moatsim test suite, as the README gives it:
#   Rust unit, property and end-to-end tests (cargo nextest, or cargo test when
#   nextest is not installed), then the Python checks that read real runs with
#   DuckDB and Polars, then the Slurm tests (a one-node cluster on loopback;
#   they install slurm-wlm and munge from Debian when run as root, and are
#   skipped otherwise).
#
# The Python packages go into the project's .venv/ (scripts/python-env.sh),
# never into the system interpreter.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/python-env.sh

# One compile serves both README commands: the release binary and the test
# build share every dependency, because the workspace asks for the features
# that test-only dependencies would otherwise add (root Cargo.toml). The test
# build then compiles only moatsim's own test targets.
cargo build --release --locked --bin moatsim
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --release --locked --no-fail-fast
else
  cargo test --workspace --release --locked --no-fail-fast
fi

MOATSIM_BIN="$PWD/target/release/moatsim" .venv/bin/python -m pytest tests/python tests/slurm -q -rs
