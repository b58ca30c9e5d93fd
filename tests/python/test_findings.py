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
