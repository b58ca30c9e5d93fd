#!/usr/bin/env bash
# The whole moatsim test suite, as the README gives it:
#   Rust unit, property and end-to-end tests (cargo nextest, or cargo test when
#   nextest is not installed), then the Python checks that read real runs with
#   DuckDB and Polars, then the Slurm tests (a one-node cluster on loopback;
#   they install slurm-wlm and munge from Debian when run as root, and are
#   skipped otherwise). Installs the Python packages the checks need.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! python3 -c "import duckdb, polars, pytest" >/dev/null 2>&1; then
  echo "scripts/test.sh: installing Python test packages (tests/python/requirements.txt)" >&2
  python3 -m pip install --quiet --disable-pip-version-check -r tests/python/requirements.txt
fi

# One release build serves the Rust tests and the binary the Python tests run.
cargo build --release --locked --bin moatsim
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --release --locked --no-fail-fast
else
  cargo test --workspace --release --locked --no-fail-fast
fi

MOATSIM_BIN="$PWD/target/release/moatsim" python3 -m pytest tests/python tests/slurm -q -rs
