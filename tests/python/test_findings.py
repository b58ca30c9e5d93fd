"""docs/FINDINGS.md is generated, never edited: regenerating it from fresh
runs of the scenario library gives the committed page byte for byte."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("MOATSIM_BIN", REPO / "target" / "release" / "moatsim"))


def test_the_findings_page_regenerates_byte_identically(tmp_path):
    assert BIN.exists(), f"{BIN} not found: build it with `cargo build --release`"
    result = subprocess.run([sys.executable, REPO / "scripts" / "findings.py", "--runs", tmp_path, "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "matches the runs" in result.stdout


def test_runs_another_build_made_are_refused_not_reused(tmp_path):
    """A folder of runs is stamped with the build that made them: the
    scripts that reuse runs refuse one another build filled (its numbers
    would be the old model's) and write nothing."""
    assert BIN.exists(), f"{BIN} not found: build it with `cargo build --release`"
    runs = tmp_path / "runs"
    (runs / "outputs" / "scenario=baseline" / "seed=42").mkdir(parents=True)
    (runs / ".moatsim-build").write_text("0" * 64 + "\n")
    page = REPO / "docs" / "FINDINGS.md"
    before = page.read_bytes()
    result = subprocess.run([sys.executable, REPO / "scripts" / "findings.py", "--runs", runs],
                            capture_output=True, text=True)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "made by 000000" in result.stderr and "Remove the folder" in result.stderr
    assert page.read_bytes() == before
    # Without a stamp the build is unknown: refused too.
    (runs / ".moatsim-build").unlink()
    result = subprocess.run([sys.executable, REPO / "scripts" / "measure-scenarios.py", runs / "outputs"],
                            capture_output=True, text=True)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "unknown build" in result.stderr
