"""Shared by every Python test: whatever runs the tests publish are checked
against their manifests with `moatsim verify` when the session ends, so a run
the suite produces is never trusted unchecked."""

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("MOATSIM_BIN", REPO / "target" / "release" / "moatsim"))


@pytest.fixture(scope="session", autouse=True)
def every_published_run_verifies(tmp_path_factory):
    yield
    base = tmp_path_factory.getbasetemp()
    runs = sorted({manifest.parent for manifest in base.rglob("manifest.json")
                   if (manifest.parent / "world.parquet").exists()})
    if not runs or not BIN.exists():
        return
    result = subprocess.run([BIN, "verify", *runs], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    verified = sum(line.startswith("ok ") for line in result.stdout.splitlines())
    assert verified == len(runs), result.stdout
