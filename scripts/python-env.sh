#!/usr/bin/env bash
# Creates (or brings up to date) the project's Python environment in .venv/
# with the pinned packages of tests/python/requirements.txt: DuckDB, Polars,
# pyarrow and pytest, everything the README's Python examples and the tests
# need. Nothing is installed into the system interpreter.
#
#   scripts/python-env.sh && source .venv/bin/activate
set -euo pipefail
cd "$(dirname "$0")/.."

requirements=tests/python/requirements.txt
stamp=.venv/.installed-requirements
if [ ! -x .venv/bin/python ]; then
  echo "scripts/python-env.sh: creating .venv/" >&2
  python3 -m venv .venv
fi
if ! cmp -s "$requirements" "$stamp"; then
  echo "scripts/python-env.sh: installing $requirements into .venv/" >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$stamp"
fi
