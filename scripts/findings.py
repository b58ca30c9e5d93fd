#!/usr/bin/env python3
"""Generates docs/FINDINGS.md: what the model currently answers to each of the
model brief's seven questions, and how sure it is.

Runs the scenario library (every scenario in configs/ but the scale runs) at
seeds 42, 7, 1, 2 and 3 over its full horizon, reads the runs with DuckDB and
`moatsim compare`/`moatsim calibrate`, and writes, per question: each
headline indicator's median and 10-90% range over the seeds for the baseline
and the scenarios that ask it, and the calibration targets that back the
answer, with whether they land. Nothing in the page is written by hand: when
the economics change, regenerate it.

    cargo build --release
    .venv/bin/python scripts/findings.py [--runs DIR] [--check]

--runs keeps the runs in DIR (default /tmp/moatsim-findings) and reuses
those already there, if this build made them (scripts/runcache.py: a folder
another build filled is refused with exit status 2). --check writes nothing and exits 1 when docs/FINDINGS.md
differs from what the runs give (the test suite runs it).
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

import duckdb

from runcache import claim

REPO = Path(__file__).resolve().parent.parent
BIN = REPO / "target" / "release" / "moatsim"
PAGE = REPO / "docs" / "FINDINGS.md"
SEEDS = (42, 7, 1, 2, 3)
COMMAND = ".venv/bin/python scripts/findings.py"

# (number, question, scenarios that ask it, indicators, calibration targets
# the answer rests on)
QUESTIONS = [
    (1, "Does scale create a durable moat?", ["mega-round"],
     ["leader_share_horizon", "capability_lead_half_life_quarters"],
     ["largest_lab_revenue_2025", "second_lab_runrate_2025q4", "frontier_training_compute_growth"]),
    (2, "Which constraint binds: GPUs, land or power?", ["power-crunch", "land-banking"],
     ["stranded_gpus_peak", "power_price_mean", "queue_wait_mean"],
     ["ai_dc_electricity_growth_2025_2030", "global_ai_compute_stock_end2025", "hyperscaler_capex_2025"]),
    (3, "How fast does the cost of compute fall?", ["commodity-compute"],
     ["fixed_capability_price_decline", "gpu_price_index_horizon", "app_profit_share"],
     ["inference_price_decline_fixed_capability", "h100_rental_price_2025", "token_volume_growth_2025"]),
    (4, "Do switching costs shift bargaining power?", ["high-switching-cost"],
     ["builder_churn_mean", "markup_mean"],
     ["unserved_inference_share", "largest_lab_revenue_2025"]),
    (5, "Do mega-rounds and joint ventures change market shares?", ["mega-round", "jv-channel"],
     ["leader_share_horizon", "hhi_horizon"],
     ["largest_lab_revenue_2025", "second_lab_runrate_2025q4"]),
    (6, "What do export-control tiers do?", ["export-controls"],
     ["compute_horizon", "market_fleet_horizon"],
     ["nvidia_gpu_units_2025", "largest_chipmaker_dc_revenue_2025", "chipmaker_revenue_never_collapses"]),
    (7, "Who captures the value?", ["lab-products"],
     ["app_profit_share", "app_revenue_total"],
     ["chipmaker_gross_margin", "largest_chipmaker_dc_revenue_2025", "largest_lab_revenue_2025"]),
]

# indicator -> (unit, SQL over one run's world rows `w`, with `first`/`last`
# the first and last quarter's rows)
INDICATORS = {
    "leader_share_horizon": ("share", "any_value(w.leader_share) FILTER (WHERE w.tick = b.last_tick)"),
    "capability_lead_half_life_quarters": ("quarters", None),
    "hhi_horizon": ("0-10000", "any_value(w.hhi) FILTER (WHERE w.tick = b.last_tick)"),
    "stranded_gpus_peak": ("GPUs", "max(w.stranded_gpus)"),
    "power_price_mean": ("USD/MWh", "avg(w.power_price_avg)"),
    "queue_wait_mean": ("quarters", "avg(w.mean_queue_wait_quarters)"),
    "fixed_capability_price_decline": (
        "x per year",
        "pow(any_value(w.fixed_capability_price_index) FILTER (WHERE w.tick = 0)"
        " / any_value(w.fixed_capability_price_index) FILTER (WHERE w.tick = b.last_tick),"
        " 4.0 / b.last_tick)"),
    "gpu_price_index_horizon": ("index, start = 100", "any_value(w.gpu_price_index) FILTER (WHERE w.tick = b.last_tick)"),
    "builder_churn_mean": ("share per quarter", "avg(w.builder_churn_rate)"),
    "markup_mean": ("price / marginal cost - 1", "avg(w.markup_avg)"),
    "compute_horizon": ("H100e", "any_value(w.online_compute_h100e) FILTER (WHERE w.tick = b.last_tick)"),
    "market_fleet_horizon": ("H100e", "any_value(w.market_fleet_h100e) FILTER (WHERE w.tick = b.last_tick)"),
    "app_profit_share": ("share", "sum(w.app_profit) / (sum(w.app_profit) + sum(w.infra_profit))"),
    "app_revenue_total": ("USD", "sum(w.app_revenue)"),
}


def scenarios():
    return sorted(p.stem for p in (REPO / "configs").glob("*.toml") if not p.stem.startswith("scale-"))


def run_all(outputs):
    for scenario in scenarios():
        for seed in SEEDS:
            if not (outputs / f"scenario={scenario}" / f"seed={seed}" / "manifest.json").is_file():
                subprocess.run([BIN, "run", REPO / "configs" / f"{scenario}.toml", "--seed", str(seed),
                                "--out", outputs, "--quiet"], check=True)


def per_run(outputs):
    """(scenario, seed) -> indicator -> value."""
    columns = ",\n".join(f"{sql} AS {name}" for name, (_, sql) in INDICATORS.items() if sql)
    rows = duckdb.sql(f"""
        WITH w AS (SELECT * FROM read_parquet('{outputs}/scenario=*/seed=*/world.parquet', hive_partitioning = true)),
        b AS (SELECT scenario, seed, max(tick) AS last_tick FROM w GROUP BY ALL)
        SELECT w.scenario, w.seed, {columns}
        FROM w JOIN b USING (scenario, seed) GROUP BY w.scenario, w.seed, b.last_tick""")
    names = rows.columns
    values = {}
    for row in rows.fetchall():
        record = dict(zip(names, row))
        values[(record["scenario"], int(record["seed"]))] = record
    return values


def compare(outputs, a, b):
    text = subprocess.run([BIN, "compare", outputs / f"scenario={a}", outputs / f"scenario={b}", "--json"],
                          check=True, capture_output=True, text=True).stdout
    return json.loads(text)


def quantile(values, q):
    """Type-7 quantile, as the report and compare use."""
    xs = sorted(values)
    if not xs:
        return None
    h = (len(xs) - 1) * q
    lo = int(h)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (h - lo) * (xs[hi] - xs[lo])


def human(value, unit):
    if value is None:
        return "n/a"
    # Published figures say "USD per year", "H100e installed worldwide", ...
    unit = unit.split(" ")[0] if unit.split(" ")[0] in ("USD", "H100e", "GPUs") else unit
    magnitude = abs(value)
    sign = "-" if value < 0 else ""
    if unit == "USD":
        for divisor, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M")):
            if magnitude >= divisor:
                return f"{sign}${magnitude / divisor:.3g}{suffix}"
        return f"{sign}${magnitude:.0f}"
    if unit in ("H100e", "GPUs") and magnitude >= 1e3:
        return f"{sign}{magnitude / 1e6:.3g}M" if magnitude >= 1e6 else f"{sign}{magnitude / 1e3:.3g}k"
    return f"{value:.3g}"


def spread(values, unit):
    values = [v for v in values if v is not None]
    if not values:
        return "n/a"
    return (f"{human(quantile(values, 0.5), unit)} "
            f"[{human(quantile(values, 0.1), unit)}–{human(quantile(values, 0.9), unit)}]")


def capability_half_lives(outputs, scenario):
    """Per seed, the capability lead's half-life as compare counts it (the
    mean over seeds is all compare prints, so the per-seed values are read
    from its definition in the README)."""
    text = (REPO / "README.md").read_text()
    start = text.index("The capability lead's half-life (")
    query = text[text.index("```sql\n", start) + 7:]
    query = query[:query.index("```")].replace("outputs/", f"{outputs}/")
    lives = {}
    length = dict(((s, int(k)), n) for s, k, n in duckdb.sql(
        f"SELECT scenario, seed, count(*) FROM read_parquet('{outputs}/scenario=*/seed=*/world.parquet', "
        "hive_partitioning = true) GROUP BY ALL").fetchall())
    for s, seed, peak_tick, peak_lead, half_life in duckdb.sql(query).fetchall():
        if s == scenario and peak_lead is not None and peak_lead > 0:
            lives[int(seed)] = half_life if half_life is not None else length[(s, int(seed))] - peak_tick
    return [lives.get(seed) for seed in SEEDS]


def page(outputs):
    runs = per_run(outputs)
    card = json.loads(subprocess.run([BIN, "calibrate", outputs / "scenario=baseline", "--json"],
                                     check=True, capture_output=True, text=True).stdout)
    rows = {row["name"]: row for row in card["rows"]}
    total = len(card["runs"])
    measured = [r for r in card["rows"] if r["measured"] > 0]
    landed = [r for r in measured if r["inside"] == r["measured"] == total]
    out = [
        "# What the model answers today",
        "",
        f"Generated by `{COMMAND}` from the scenario library at seeds {', '.join(map(str, SEEDS))} "
        "(full horizon, the baseline's 20,000 builders); do not edit by hand: when the economics change, "
        "regenerate it, and the test suite fails until the committed page matches the runs.",
        "",
        "Each number is the median over the seeds with the 10–90% range in brackets (type-7 quantiles over "
        "five seeds: read the range as the spread the seeds show, not a confidence interval). "
        f"**How sure:** the baseline lands {len(landed)} of {len(measured)} measured calibration targets at "
        "every seed (`moatsim calibrate outputs/scenario=baseline`); each question lists the targets its "
        "answer rests on, and an answer that rests on a missed target is a statement about the model, not "
        "yet about the market.",
        "",
    ]
    for number, question, asking, indicators, targets in QUESTIONS:
        out += [f"## {number}. {question}", ""]
        columns = ["baseline"] + asking
        out.append("| indicator | unit | " + " | ".join(columns) + " |")
        out.append("|---|---|" + "---|" * len(columns))
        for name in indicators:
            unit = INDICATORS[name][0]
            cells = []
            for scenario in columns:
                if name == "capability_lead_half_life_quarters":
                    values = capability_half_lives(outputs, scenario)
                else:
                    values = [runs.get((scenario, seed), {}).get(name) for seed in SEEDS]
                cells.append(spread(values, unit))
            out.append(f"| `{name}` | {unit} | " + " | ".join(cells) + " |")
        out.append("")
        if number == 1:
            moat = compare(outputs, "baseline", "mega-round")["moat_half_life"]
            found = [s["half_life"] for s in moat if s["half_life"]]
            halved = [h["quarters"] for h in found if not h["censored"]]
            censored = [h for h in found if h["censored"]]
            labs = sorted({h["lab"] for h in found})
            out.append(
                f"**Moat half-life** of the mega-round's compute-share lead over the baseline "
                f"(`moatsim compare`, docs/ANALYSIS.md \"The moat half-life\"): "
                f"{spread(halved, 'quarters')} quarters over the {len(halved)} seeds where it halved; "
                f"censored at {len(censored)}, no lead at {len(moat) - len(found)}; the lab: {', '.join(labs) or 'none'}; "
                f"lead {spread([h['lead'] for h in found], 'share')} of compute share.")
            out.append("")
        sure = []
        for target in targets:
            row = rows.get(target)
            if row is None:
                continue
            if row["measured"] == 0:
                sure.append(f"`{target}`: not measured yet (the mechanism is missing)")
            else:
                values = [v for v in row["values"] if v is not None]
                state = "lands" if row["inside"] == row["measured"] == total else "misses"
                sure.append(f"`{target}` {state} ({row['inside']}/{row['measured']} seeds; published "
                            f"{human(row['low'], row['unit'])}–{human(row['high'], row['unit'])}, "
                            f"model {human(min(values), row['unit'])}–{human(max(values), row['unit'])})")
        out.append("**How sure:** " + "; ".join(sure) + ".")
        out.append("")
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=Path, default=Path("/tmp/moatsim-findings"))
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    outputs = args.runs.resolve() / "outputs"
    claim(args.runs.resolve(), BIN, outputs)
    run_all(outputs)
    text = page(outputs)
    if args.check:
        if not PAGE.is_file() or PAGE.read_text() != text:
            print(f"{PAGE} differs from what the runs give: regenerate it with `{COMMAND}`", file=sys.stderr)
            sys.exit(1)
        print(f"{PAGE} matches the runs")
        return
    PAGE.write_text(text)
    print(f"wrote {PAGE}")


if __name__ == "__main__":
    main()
