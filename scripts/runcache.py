"""Runs kept between invocations of the scripts that re-measure the docs
(findings.py, measure-scenarios.py, report-screenshot.py) belong to the
moatsim build that made them.

Each script reuses the runs already in its folder, so that a second
invocation is quick. A run made by an earlier build reports the earlier
model, though, and nothing in its numbers says so. So a folder is stamped
with the SHA-256 of the binary that fills it, and a script refuses a folder
whose runs another build made (exit status 2, the folder and both builds
named) instead of mixing the two models into one page.
"""

import hashlib
import sys
from pathlib import Path

STAMP = ".moatsim-build"


def build_of(binary: Path) -> str:
    """SHA-256 of the binary's bytes."""
    digest = hashlib.sha256()
    with open(binary, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def claim(folder: Path, binary: Path, runs: Path | None = None) -> None:
    """Makes `folder` this build's. A folder with no runs yet (under `runs`,
    default `folder`) is stamped; one whose runs another build made, or a
    build that left no stamp, stops the script with exit status 2."""
    runs = runs or folder
    build = build_of(binary)
    stamp = folder / STAMP
    made_by = stamp.read_text().strip() if stamp.is_file() else None
    held = runs.is_dir() and any(runs.glob("scenario=*"))
    if made_by == build or not held:
        folder.mkdir(parents=True, exist_ok=True)
        stamp.write_text(build + "\n")
        return
    print(
        f"error: {folder} holds runs made by {made_by or 'an unknown build (no stamp)'}, "
        f"not by {binary} ({build[:12]}): they would report that build's model. "
        "Remove the folder or give another one.",
        file=sys.stderr,
    )
    sys.exit(2)
