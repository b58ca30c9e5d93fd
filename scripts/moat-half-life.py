#!/usr/bin/env python3
"""The moat half-life and what it depends on: docs/MODEL.md, "The moat half-life".

The measure is the one docs/ANALYSIS.md defines ("The moat half-life") and
`moatsim compare` reports; here the event is fixed at the round (2026Q1).

A mega-round gives frontier-a a lead in compute. The lead is frontier-a's mean
compute-share gain over the baseline (same seed, same parameters) in the three
quarters after the round (2026Q2-Q4); its half-life is the number of quarters
from the middle of those (2026Q3) until the gain first falls to half the lead. The
script varies one mechanism at a time around the baseline — diffusion, the
growth of switching costs, and the round's size (capital) — runs the baseline
and the mega-round at five seeds for each value, and prints the half-life's
median [lowest–highest] and in how many seeds the gain never halves before the
horizon ("censored"). The same for frontier-a's API revenue share.

    cargo build --release
    .venv/bin/python scripts/moat-half-life.py [OUT_DIR]

Runs use the baseline's 20,000 builders with per-segment builder output (with
2,000 the API revenue lead was within the builders' sampling noise); runs
already in OUT_DIR are reused.
"""

import subprocess
import sys
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent
BIN = REPO / "target" / "release" / "moatsim"
OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/moatsim-moat")
SEEDS = (42, 7, 1, 2, 3)
COMMON = ["output.app_builders=segments"]
ROUND_QUARTER_TICK = 4  # the mega-round closes in 2026Q1

# (label, overrides for both runs, overrides for the mega-round only)
SETTINGS = [
    ("diffusion 0.03", ["world.diffusion_rate=0.03"], []),
    ("diffusion 0.06 (baseline)", [], []),
    ("diffusion 0.12", ["world.diffusion_rate=0.12"], []),
    ("switching-cost growth 0", ["app_builders.switching_cost_growth=0"], []),
    ("switching-cost growth 0.45", ["app_builders.switching_cost_growth=0.45"], []),
    ("round $25B", [], ["scheduled_rounds[0].amount_usd=25e9"]),
    ("round $100B", [], ["scheduled_rounds[0].amount_usd=100e9"]),
]


def run(config, label, seed, overrides):
    out = OUT / label.replace(" ", "_").replace("$", "").replace("(", "").replace(")", "")
    if (out / f"scenario={Path(config).stem}" / f"seed={seed}").is_dir():
        return out
    args = [BIN, "run", REPO / "configs" / config, "--seed", str(seed), "--out", out, "--quiet"]
    for o in COMMON + overrides:
        args += ["--set", o]
    subprocess.run(args, check=True)
    return out


HALF_LIFE = """
WITH s AS (
  SELECT scenario, tick, name,
         {measure} / sum({measure}) OVER (PARTITION BY scenario, tick) AS share
  FROM read_parquet('{out}/scenario=*/seed={seed}/labs.parquet', hive_partitioning = true)
), gain AS (
  SELECT m.tick, m.share - b.share AS gain
  FROM s AS m JOIN s AS b ON b.tick = m.tick AND b.name = m.name
  WHERE m.scenario = 'mega-round' AND b.scenario = 'baseline' AND m.name = 'frontier-a'
), lead AS (SELECT avg(gain) AS gain FROM gain WHERE tick BETWEEN {start} + 1 AND {start} + 3)
SELECT lead.gain, min(g.tick) - ({start} + 2)
FROM lead LEFT JOIN gain AS g ON g.tick > {start} + 3 AND g.gain <= lead.gain / 2
GROUP BY lead.gain
"""


def main():
    for label, both, mega in SETTINGS:
        for measure, what in (("online_compute_h100e", "compute share"), ("api_revenue", "API revenue share")):
            lives, peaks, censored = [], [], 0
            for seed in SEEDS:
                out = run("baseline.toml", label, seed, both)
                run("mega-round.toml", label, seed, both + mega)
                peak, life = duckdb.sql(HALF_LIFE.format(
                    measure=measure, out=out, seed=seed, start=ROUND_QUARTER_TICK)).fetchall()[0]
                peaks.append(peak)
                if life is None:
                    censored += 1
                else:
                    lives.append(life)
            lives.sort()
            peaks.sort()
            cell = f"{lives[len(lives) // 2]} [{lives[0]}–{lives[-1]}]" if lives else "—"
            print(f"| {label} | {what} | {peaks[len(peaks) // 2]:.3f} | {cell} | {censored}/5 |")


if __name__ == "__main__":
    main()
