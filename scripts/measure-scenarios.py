#!/usr/bin/env python3
"""Re-measures the tables of docs/SCENARIOS.md.

Runs every scenario of configs/ (but scale-1m) and the baseline at seeds 42,
7, 1, 2 and 3 with the full scenario files, then prints each table's measures
as "median [lowest–highest]" across the seeds. Paste the numbers into
docs/SCENARIOS.md with the date.

    cargo build --release
    .venv/bin/python scripts/measure-scenarios.py [OUT_DIR]

Runs already in OUT_DIR (default /tmp/moatsim-scenarios) are reused if this
build made them; a folder another build filled is refused with exit status 2
(scripts/runcache.py).
"""

import subprocess
import sys
from pathlib import Path

import duckdb

from runcache import claim

REPO = Path(__file__).resolve().parent.parent
BIN = REPO / "target" / "release" / "moatsim"
OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/moatsim-scenarios")
SEEDS = (42, 7, 1, 2, 3)
SCENARIOS = ("baseline", "power-crunch", "commodity-compute", "high-switching-cost",
             "mega-round", "jv-channel", "export-controls", "land-banking", "lab-products")


def run_all():
    claim(OUT, BIN)
    for scenario in SCENARIOS:
        for seed in SEEDS:
            if (OUT / f"scenario={scenario}" / f"seed={seed}").is_dir():
                continue
            subprocess.run([BIN, "run", REPO / "configs" / f"{scenario}.toml", "--seed", str(seed),
                            "--out", OUT, "--quiet"], check=True)


def table(name):
    return f"read_parquet('{OUT}/scenario=*/seed=*/{name}.parquet', hive_partitioning = true)"


def value(sql, scenario, seed):
    rows = duckdb.sql(sql.format(scenario=scenario, seed=seed)).fetchall()
    return rows[0][0] if rows else None


def show(label, sql, scenarios, fmt="{:.3g}"):
    cells = []
    for scenario in scenarios:
        values = sorted((value(sql, scenario, seed) or 0.0) for seed in SEEDS)
        median = values[len(values) // 2]
        cells.append(f"{fmt.format(median)} [{fmt.format(values[0])}–{fmt.format(values[-1])}]")
    print(f"| {label} | " + " | ".join(cells) + " |")


W, L, M, E, C, P, R = (table(t) for t in
                       ("world", "labs", "markets", "events", "chipmakers", "projects", "regulators"))
WHERE = "scenario = '{scenario}' AND seed = {seed}"


def compute_share(lab, ticks=""):
    """A lab's mean share of labs' online compute, over `ticks` (an SQL
    condition on `l.tick`, such as "BETWEEN 5 AND 7") or the whole run."""
    when = f" AND l.tick {ticks}" if ticks else ""
    return (f"SELECT avg(l.online_compute_h100e / t.total) FROM {L} l JOIN (SELECT tick, sum(online_compute_h100e) AS total "
            f"FROM {L} WHERE {WHERE} GROUP BY tick) t USING (tick) WHERE {WHERE} AND l.name = '{lab}'{when}")


def main():
    run_all()
    print("## baseline: median [lowest–highest] over the seeds, at 2025Q1, 2027Q1, 2030Q4")
    for tick in (0, 8, 23):
        print(f"-- tick {tick}")
        show("online compute, M H100e", f"SELECT online_compute_h100e / 1e6 FROM {W} WHERE {WHERE} AND tick = {tick}", ["baseline"])
        show("whole market's fleet, M H100e", f"SELECT market_fleet_h100e / 1e6 FROM {W} WHERE {WHERE} AND tick = {tick}", ["baseline"])
        show("data-center load, GW", f"SELECT dc_load_mw / 1e3 FROM {W} WHERE {WHERE} AND tick = {tick}", ["baseline"])
        show("power price", f"SELECT power_price_avg FROM {W} WHERE {WHERE} AND tick = {tick}", ["baseline"])
        show("GPU price index", f"SELECT gpu_price_index FROM {W} WHERE {WHERE} AND tick = {tick}", ["baseline"])
        show("rental price, USD/H100e-hour",
             f"SELECT sum(price * cleared) / nullif(sum(cleared), 0) / 2190 FROM {M} WHERE {WHERE} AND tick = {tick} AND market = 'cloud'", ["baseline"])
        show("HHI", f"SELECT hhi FROM {W} WHERE {WHERE} AND tick = {tick}", ["baseline"])
    show("stranded GPUs peak, M", f"SELECT max(stranded_gpus) / 1e6 FROM {W} WHERE {WHERE}", ["baseline"])
    show("nvidia margin 2025", f"SELECT sum(revenue * gross_margin) / sum(revenue) FROM {C} WHERE {WHERE} AND name = 'nvidia' AND year = 2025", ["baseline"])
    show("nvidia margin 2027", f"SELECT sum(revenue * gross_margin) / sum(revenue) FROM {C} WHERE {WHERE} AND name = 'nvidia' AND year = 2027", ["baseline"])
    show("nvidia margin 2030", f"SELECT sum(revenue * gross_margin) / sum(revenue) FROM {C} WHERE {WHERE} AND name = 'nvidia' AND year = 2030", ["baseline"])
    for lab in ("hyperscaler-g", "frontier-a", "open-m", "frontier-b", "challenger-x", "cn-lab"):
        show(f"revenue share 2030 {lab}",
             f"SELECT sum(revenue) / (SELECT sum(revenue) FROM {L} WHERE {WHERE} AND year = 2030) FROM {L} WHERE {WHERE} AND year = 2030 AND name = '{lab}'", ["baseline"])
    show("infra profit 2025, $B/yr", f"SELECT sum(infra_profit) / 1e9 FROM {W} WHERE {WHERE} AND year = 2025", ["baseline"])
    show("infra profit 2030, $B/yr", f"SELECT sum(infra_profit) / 1e9 FROM {W} WHERE {WHERE} AND year = 2030", ["baseline"])
    show("app profit 2025, $B/yr", f"SELECT sum(app_profit) / 1e9 FROM {W} WHERE {WHERE} AND year = 2025", ["baseline"])
    show("app profit 2030, $B/yr", f"SELECT sum(app_profit) / 1e9 FROM {W} WHERE {WHERE} AND year = 2030", ["baseline"])

    print("\n## power-crunch")
    both = ["baseline", "power-crunch"]
    show("mean power price", f"SELECT avg(power_price_avg) FROM {W} WHERE {WHERE}", both)
    show("mean queue wait", f"SELECT avg(mean_queue_wait_quarters) FROM {W} WHERE {WHERE}", both)
    show("labs' online compute 2030Q4, M", f"SELECT online_compute_h100e / 1e6 FROM {W} WHERE {WHERE} AND tick = 23", both)
    show("whole market's fleet 2030Q4, M", f"SELECT market_fleet_h100e / 1e6 FROM {W} WHERE {WHERE} AND tick = 23", both)
    show("stranded peak, M", f"SELECT max(stranded_gpus) / 1e6 FROM {W} WHERE {WHERE}", both)

    print("\n## commodity-compute")
    both = ["baseline", "commodity-compute"]
    show("GPU price index 2030Q4", f"SELECT gpu_price_index FROM {W} WHERE {WHERE} AND tick = 23", both)
    show("mean GPU price index", f"SELECT avg(gpu_price_index) FROM {W} WHERE {WHERE}", both)
    show("mean power price", f"SELECT avg(power_price_avg) FROM {W} WHERE {WHERE}", both)
    show("mean whole-market fleet, M", f"SELECT avg(market_fleet_h100e) / 1e6 FROM {W} WHERE {WHERE}", both)
    show("whole-market fleet 2030Q4, M", f"SELECT market_fleet_h100e / 1e6 FROM {W} WHERE {WHERE} AND tick = 23", both)

    print("\n## high-switching-cost")
    both = ["baseline", "high-switching-cost"]
    show("mean churn", f"SELECT avg(builder_churn_rate) FROM {W} WHERE {WHERE}", both)
    show("mean markup (market power, revenue-weighted)", f"SELECT sum(markup * revenue) / sum(revenue) FROM {L} WHERE {WHERE}", both)
    show("mean realised markup (world.markup_avg)", f"SELECT avg(markup_avg) FROM {W} WHERE {WHERE}", both)

    print("\n## mega-round (frontier-a)")
    both = ["baseline", "mega-round"]
    show("compute share 2026Q2-Q4", compute_share("frontier-a", "BETWEEN 5 AND 7"), both)
    show("compute share 2027Q1-2030Q4", compute_share("frontier-a", "BETWEEN 8 AND 23"), both)
    lead = (f"SELECT avg(a.capability - b.best) FROM {L} a JOIN (SELECT tick, max(capability) AS best FROM {L} "
            f"WHERE {WHERE} AND name <> 'frontier-a' GROUP BY tick) b USING (tick) WHERE {WHERE} AND a.name = 'frontier-a' AND a.tick BETWEEN 5 AND 11")
    show("capability minus best rival 2026Q2-2027Q4", lead, both)
    show("revenue share 2026Q2-Q4+2027Q1 (ticks 5-8)", f"SELECT avg(market_share) FROM {L} WHERE {WHERE} AND name = 'frontier-a' AND tick BETWEEN 5 AND 8", both)
    show("revenue share 2026Q2-2030Q4", f"SELECT avg(market_share) FROM {L} WHERE {WHERE} AND name = 'frontier-a' AND tick >= 5", both)
    show("equity raised, $B", f"SELECT sum(raised) / 1e9 FROM {L} WHERE {WHERE} AND name = 'frontier-a'", both)
    show("rented 2026Q2-Q4, M", f"SELECT avg(rented_compute_h100e) / 1e6 FROM {L} WHERE {WHERE} AND name = 'frontier-a' AND tick BETWEEN 5 AND 7", both)

    print("\n## jv-channel")
    both = ["baseline", "jv-channel"]
    show("frontier-b revenue share from 2026Q2", f"SELECT avg(market_share) FROM {L} WHERE {WHERE} AND name = 'frontier-b' AND tick >= 5", both)

    print("\n## export-controls (2026Q1-2030Q4)")
    both = ["baseline", "export-controls"]
    new = (f"SELECT sum(CASE WHEN region = '{{r}}' THEN online_compute_h100e END) / sum(online_compute_h100e) FROM {P} WHERE {WHERE} AND tick = 23 AND started_tick >= 4")
    show("China's share of new labs' compute", new.replace("{r}", "china"), both)
    show("Gulf's share of new labs' compute", new.replace("{r}", "gulf"), both)
    show("GPU sales into China, $B", f"SELECT coalesce(sum(amount_usd), 0) / 1e9 FROM {E} WHERE {WHERE} AND kind = 'gpu_order' AND region = 'china' AND tick >= 4 AND detail NOT LIKE 'Ascend%'", both)
    show("domestic maker's sales, $B", f"SELECT sum(revenue) / 1e9 FROM {C} WHERE {WHERE} AND name = 'huawei' AND tick >= 4", both)
    show("chipmakers' revenue, $B", f"SELECT sum(revenue) / 1e9 FROM {C} WHERE {WHERE} AND tick >= 4", both)
    show("units blocked, M", f"SELECT sum(blocked_gpu_units) / 1e6 FROM {R} WHERE {WHERE}", both)
    show("licence fees, $B", f"SELECT sum(licence_fees) / 1e9 FROM {R} WHERE {WHERE} AND tick >= 4", both)
    show("whole-market fleet 2030Q4, M", f"SELECT market_fleet_h100e / 1e6 FROM {W} WHERE {WHERE} AND tick = 23", both)

    print("\n## land-banking (frontier-b; MW and shares are means over the run)")
    both = ["baseline", "land-banking"]
    I = table("investors")
    show("frontier-b's energized MW", f"SELECT avg(energized_mw) FROM {L} WHERE {WHERE} AND name = 'frontier-b'", both)
    show("frontier-b's share of labs' online compute", compute_share("frontier-b"), both)
    show("projects that skip the queue", f"SELECT count(*) FROM {E} WHERE {WHERE} AND kind = 'queue_skipped'", both)
    show("land investors resold, $B", f"SELECT coalesce(sum(land_sales), 0) / 1e9 FROM {I} WHERE {WHERE}", both)

    print("\n## lab-products (builders in coding and customer-support)")
    both = ["baseline", "lab-products"]
    S = table("app_builder_segments")
    squeezed = "segment IN ('coding', 'customer-support')"
    show("builders' margin in the launch year (2026)", f"SELECT sum(profit) / sum(revenue) FROM {S} WHERE {WHERE} AND {squeezed} AND year = 2026", both)
    show("builders' margin 2027-2030", f"SELECT sum(profit) / sum(revenue) FROM {S} WHERE {WHERE} AND {squeezed} AND year >= 2027", both)
    show("builders' revenue 2026-2030, $B", f"SELECT sum(revenue) / 1e9 FROM {S} WHERE {WHERE} AND {squeezed} AND year >= 2026", both)
    show("builders at 2030Q4", f"SELECT sum(builders) FROM {S} WHERE {WHERE} AND {squeezed} AND tick = 23", both)
    show("labs' products' revenue there, $B", f"SELECT sum(product_revenue) / 1e9 FROM {S} WHERE {WHERE} AND {squeezed}", both)
    show("app-layer margin, whole run", f"SELECT sum(app_profit) / sum(app_revenue) FROM {W} WHERE {WHERE}", both)


if __name__ == "__main__":
    main()
