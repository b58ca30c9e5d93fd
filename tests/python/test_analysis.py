"""`moatsim compare` against the same numbers computed in DuckDB.

Runs the baseline and the mega-round for three seeds (short, few builders),
then checks that every indicator `compare --json` reports as a paired
difference agrees with docs/ANALYSIS.md's query and the README's half-life
query, and that its interval is the paired Student-t interval.
"""

import json
import os
import subprocess
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("MOATSIM_BIN", REPO / "target" / "release" / "moatsim"))
SEEDS = (1, 2, 3)
# Long enough for the mega-round (2026Q1) to act.
QUARTERS = 12
T_95 = {2: 2.920}  # Student t(0.95) for n - 1 degrees of freedom


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    assert BIN.exists(), f"{BIN} not found: build it with `cargo build --release`"
    out = tmp_path_factory.mktemp("compare") / "outputs"
    for config in ("baseline", "mega-round"):
        for seed in SEEDS:
            subprocess.run(
                [BIN, "run", REPO / "configs" / f"{config}.toml", "--quarters", str(QUARTERS),
                 "--seed", str(seed), "--set", "app_builders.count=800",
                 "--set", "output.app_builders=segments", "--out", out, "--quiet"],
                check=True,
            )
    return out


def compare_json(outputs):
    result = subprocess.run(
        [BIN, "compare", outputs / "scenario=baseline", outputs / "scenario=mega-round", "--json"],
        check=True, capture_output=True, text=True)
    return json.loads(result.stdout)


def per_seed(outputs):
    """scenario -> seed -> indicator -> value, from docs/ANALYSIS.md's SQL."""
    text = (REPO / "docs" / "ANALYSIS.md").read_text()
    query = text[text.index("```sql\n") + 7:]
    query = query[:query.index("```")].replace("outputs/", f"{outputs}/")
    rows = duckdb.sql(query)
    columns = rows.columns
    values = {}
    for row in rows.fetchall():
        record = dict(zip(columns, row))
        values.setdefault(record["scenario"], {})[record["seed"]] = record
    return values


def half_lives(outputs):
    text = (REPO / "README.md").read_text()
    start = text.index("The capability lead's half-life (")
    query = text[text.index("```sql\n", start) + 7:]
    query = query[:query.index("```")].replace("outputs/", f"{outputs}/")
    rows = duckdb.sql(query).fetchall()  # scenario, seed, peak_tick, peak_lead, half_life
    ticks = duckdb.sql(
        f"SELECT scenario, seed, count(*) FROM read_parquet('{outputs}/scenario=*/seed=*/world.parquet', "
        "hive_partitioning = true) GROUP BY ALL").fetchall()
    length = {(s, int(k)): n for s, k, n in ticks}
    out = {}
    for scenario, seed, peak_tick, peak_lead, half_life in rows:
        if peak_lead is None or peak_lead <= 0:
            continue
        # Censored at the horizon, as compare counts it.
        out[(scenario, int(seed))] = half_life if half_life is not None else length[(scenario, int(seed))] - peak_tick
    return out


def test_compare_agrees_with_duckdb(outputs):
    report = compare_json(outputs)
    assert report["a"] == "baseline" and report["b"] == "mega-round"
    assert report["seeds"] == sorted(SEEDS)
    sql = per_seed(outputs)
    rows = {row["indicator"]: row for row in report["indicators"]}
    checked = 0
    for name in ("leader_share_horizon", "hhi_horizon", "stranded_gpus_peak", "power_price_mean",
                 "builder_churn_mean", "app_profit_share"):
        differences = [sql["mega-round"][s][name] - sql["baseline"][s][name] for s in SEEDS]
        mean = sum(differences) / len(differences)
        got = rows[name]["difference"]
        assert got["mean"] == pytest.approx(mean, rel=1e-9, abs=1e-9), name
        sd = (sum((d - mean) ** 2 for d in differences) / (len(differences) - 1)) ** 0.5
        half = T_95[len(differences) - 1] * sd / len(differences) ** 0.5
        assert got["low"] == pytest.approx(mean - half, rel=1e-6, abs=1e-9), name
        assert got["high"] == pytest.approx(mean + half, rel=1e-6, abs=1e-9), name
        assert got["sign_holds"] == sum(1 for d in differences if d != 0 and (d > 0) == (mean > 0)), name
        assert rows[name]["a_mean"] == pytest.approx(
            sum(sql["baseline"][s][name] for s in SEEDS) / len(SEEDS), rel=1e-9), name
        checked += 1
    assert checked == 6

    lives = half_lives(outputs)
    paired = [s for s in SEEDS if ("baseline", s) in lives and ("mega-round", s) in lives]
    if paired:
        mean = sum(lives[("mega-round", s)] - lives[("baseline", s)] for s in paired) / len(paired)
        assert rows["capability_lead_half_life_quarters"]["difference"]["mean"] == pytest.approx(mean)


def test_the_moat_half_life_is_one_number_in_the_readme_and_in_compare(outputs):
    """The README's Q1 query (docs/ANALYSIS.md, "The moat half-life") and
    `compare --json` give the same event, lab, lead, half-life and censoring
    at every seed."""
    text = (REPO / "README.md").read_text()
    start = text.index("**Q1.**")
    query = text[text.index("```sql scenario-library\n", start) + len("```sql scenario-library\n"):]
    query = query[:query.index("```")].replace("outputs/", f"{outputs}/")
    sql = {int(seed): (event, lab, lead, quarters, censored)
           for seed, event, lab, lead, quarters, censored in duckdb.sql(query).fetchall()}
    report = compare_json(outputs)
    assert [s["seed"] for s in report["moat_half_life"]] == sorted(SEEDS)
    for row in report["moat_half_life"]:
        h = row["half_life"]
        if h is None:
            assert row["seed"] not in sql
            continue
        event, lab, lead, quarters, censored = sql[row["seed"]]
        assert (h["event_tick"], h["lab"], h["quarters"], h["censored"]) == (event, lab, quarters, censored)
        assert h["lead"] == pytest.approx(lead, abs=1e-4)
    assert sql, "the mega-round gives a lead at some seed"


def test_compare_prints_a_table_and_refuses_a_folder_without_runs(outputs, tmp_path):
    table = subprocess.run(
        [BIN, "compare", outputs / "scenario=baseline", outputs / "scenario=mega-round"],
        check=True, capture_output=True, text=True).stdout
    assert "mega-round minus baseline" in table
    assert "capability_lead_half_life_quarters" in table and "90% interval" in table
    assert "moat half-life of mega-round's compute-share lead over baseline" in table
    empty = tmp_path / "empty"
    empty.mkdir()
    result = subprocess.run([BIN, "compare", empty, outputs / "scenario=baseline"],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "empty" in result.stderr and "manifest.json" in result.stderr
    assert result.stdout == ""
