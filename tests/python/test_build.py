"""One compile serves both README commands: the release binary and the test
build must resolve every dependency with the same features, or Cargo compiles
the dependencies twice (minutes on two cores). Compares `cargo tree` with and
without dev-dependencies."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def features(*edges):
    text = subprocess.run(
        ["cargo", "tree", "--workspace", "--locked", "--offline", "-e", ",".join(("features",) + edges),
         "-f", "{p} [{f}]", "--prefix", "none"],
        cwd=REPO, check=True, capture_output=True, text=True).stdout
    found = {}
    for line in text.splitlines():
        match = re.match(r"(\S+ v\S+).*\[(.*)\]", line.strip())
        if match and "(*)" not in line:
            found.setdefault(match.group(1), set()).update(f for f in match.group(2).split(",") if f)
    return found


@pytest.mark.skipif(shutil.which("cargo") is None, reason="cargo is not on PATH")
def test_release_and_test_builds_share_every_dependency():
    release = features("no-dev")
    tests = features()
    differ = {name: sorted(tests[name] - release[name]) for name in release
              if name in tests and tests[name] != release[name]}
    assert len(release) > 100
    assert not differ, ("test-only dependencies turn on features the release build lacks; add them to the "
                        f"workspace dependencies in Cargo.toml: {differ}")
