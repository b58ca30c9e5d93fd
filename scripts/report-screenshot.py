#!/usr/bin/env python3
"""Regenerates docs/report.png: the README's report example (baseline,
power-crunch and mega-round at five seeds) rendered in headless Chromium at
1,400 px, and the parts that answer the questions people ask first cut out
and stacked: the calibration banner, which constraint binds (question 2), the
price of a fixed capability (question 3) and profit by layer (question 7).

    cargo build --release
    .venv/bin/python scripts/report-screenshot.py [OUT_DIR]

Runs already in OUT_DIR are reused if this build made them; a folder another
build filled is refused with exit status 2 (scripts/runcache.py). Needs Chromium (apt-get install
chromium) and the project's .venv (playwright, Pillow).
"""

import io
import shutil
import subprocess
import sys
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

from runcache import claim

REPO = Path(__file__).resolve().parent.parent
BIN = REPO / "target" / "release" / "moatsim"
OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/moatsim-report-screenshot")
SCENARIOS = ("baseline", "power-crunch", "mega-round")
SEEDS = (42, 7, 1, 2, 3)
WIDTH = 1400
PARTS = ["#calibration-banner", "#q2-binding-baseline", "#q3-fixed-capability", "#q7-profit-by-layer-baseline"]


def main():
    outputs = OUT / "outputs"
    claim(OUT, BIN, outputs)
    for scenario in SCENARIOS:
        for seed in SEEDS:
            if not (outputs / f"scenario={scenario}" / f"seed={seed}").is_dir():
                subprocess.run([BIN, "run", REPO / "configs" / f"{scenario}.toml", "--seed", str(seed),
                                "--out", outputs, "--quiet"], check=True)
    html = OUT / "report.html"
    subprocess.run([BIN, "report", *[outputs / f"scenario={s}" for s in SCENARIOS], "--out", html, "--force"],
                   check=True)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    shots = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": WIDTH, "height": 1200})
        page.goto(html.as_uri())
        for part in PARTS:
            shots.append(Image.open(io.BytesIO(page.locator(part).screenshot())).convert("RGB"))
        browser.close()
    gap = 16
    width = max(s.width for s in shots)
    sheet = Image.new("RGB", (width, sum(s.height for s in shots) + gap * (len(shots) - 1)), "white")
    y = 0
    for shot in shots:
        sheet.paste(shot, (0, y))
        y += shot.height + gap
    target = REPO / "docs" / "report.png"
    sheet.save(target, optimize=True)
    print(f"wrote {target} ({sheet.width}x{sheet.height})")


if __name__ == "__main__":
    main()
