"""The outputs as an analyst meets them: loaded with DuckDB and Polars.

Runs the moatsim binary (MOATSIM_BIN, default target/release/moatsim) for two
seeds into a temporary outputs/ folder, then checks tables, columns, types and
row counts against `moatsim schema`, and runs every SQL and Python example in
the README against those runs.
"""

import json
import os
import re
import subprocess
from pathlib import Path

import duckdb
import polars as pl
import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("MOATSIM_BIN", REPO / "target" / "release" / "moatsim"))
QUARTERS = 4
BUILDERS = 1500
SEEDS = (1, 2)
SCENARIOS = ("baseline", "power-crunch")
TABLES = ["labs", "accelerator_buyers", "investors", "chipmakers", "utilities", "regulators", "projects", "app_builders",
          "app_builder_segments", "markets", "world", "events"]

# Arrow type names as `moatsim schema` prints them -> DuckDB and Polars types.
DUCKDB_TYPES = {"UInt64": "UBIGINT", "UInt32": "UINTEGER", "UInt8": "UTINYINT", "Int32": "INTEGER",
                "Float64": "DOUBLE", "Utf8": "VARCHAR", "Boolean": "BOOLEAN"}
POLARS_TYPES = {"UInt64": pl.UInt64, "UInt32": pl.UInt32, "UInt8": pl.UInt8, "Int32": pl.Int32,
                "Float64": pl.Float64, "Utf8": pl.String, "Boolean": pl.Boolean}


def schema():
    """Table -> [(column, arrow type, nullable)] from `moatsim schema`."""
    text = subprocess.run([BIN, "schema"], check=True, capture_output=True, text=True).stdout
    tables, current = {}, None
    for line in text.splitlines():
        header = re.match(r"^([a-z_]+): ", line)
        if header:
            current = header.group(1)
            tables[current] = []
        elif current and line.startswith("  "):
            name, arrow_type, *rest = line.split()
            tables[current].append((name, arrow_type, rest[:1] == ["(nullable)"]))
    return tables


@pytest.fixture(scope="session")
def workdir(tmp_path_factory):
    """A mixed folder, as the README's own steps leave one: outputs/ holding a
    short baseline run for each seed, another scenario's runs, and a sweep
    beside them. Every README example must run on it."""
    assert BIN.exists(), f"{BIN} not found: build it with `cargo build --release`"
    root = tmp_path_factory.mktemp("analyst")
    for config in SCENARIOS:
        for seed in SEEDS:
            subprocess.run(
                [BIN, "run", REPO / "configs" / f"{config}.toml", "--quarters", str(QUARTERS), "--seed", str(seed),
                 "--set", f"app_builders.count={BUILDERS}", "--out", root / "outputs", "--quiet"],
                check=True,
            )
    sweep_next_to_the_runs(root)
    return root


def sweep_next_to_the_runs(root):
    """A sweep written under outputs/ beside the single runs, as a user might:
    the README's globs must still read the single runs only."""
    subprocess.run([BIN, "sweep", "run", REPO / "configs" / "sweeps" / "smoke.toml",
                    "--out", root / "outputs" / "smoke", "--quiet"], check=True)


def glob(workdir, table, scenario="baseline"):
    """The baseline's runs of `table` (`scenario="*"`: every scenario's)."""
    return str(workdir / "outputs" / f"scenario={scenario}" / "seed=*" / f"{table}.parquet")


def test_every_table_exists_for_every_run(workdir):
    for seed in SEEDS:
        run = workdir / "outputs" / "scenario=baseline" / f"seed={seed}"
        for table in TABLES:
            assert (run / f"{table}.parquet").is_file(), f"{table} missing for seed {seed}"
        assert (run / "manifest.json").is_file()


def test_columns_and_types_match_the_schema_in_duckdb_and_polars(workdir):
    expected = schema()
    assert sorted(expected) == sorted(TABLES)
    con = duckdb.connect()
    for table, columns in expected.items():
        described = con.sql(f"DESCRIBE SELECT * FROM read_parquet('{glob(workdir, table)}', hive_partitioning = true)").fetchall()
        duck = {row[0]: row[1] for row in described}
        polars_schema = pl.scan_parquet(glob(workdir, table), hive_partitioning=True).collect_schema()
        for name, arrow_type, _ in columns:
            assert duck.get(name) == DUCKDB_TYPES[arrow_type], f"{table}.{name}: DuckDB {duck.get(name)}"
            assert polars_schema[name] == POLARS_TYPES[arrow_type], f"{table}.{name}: Polars {polars_schema[name]}"
        # The run's hive partitions become columns.
        assert "scenario" in duck and "seed" in duck
        assert "scenario" in polars_schema and "seed" in polars_schema


def test_the_columns_the_issue_requires_are_present():
    required = {
        "labs": ["lab_id", "name", "cash", "valuation", "capability", "online_compute_h100e", "inference_price",
                 "revenue", "capex", "market_share"],
        "chipmakers": ["chipmaker_id", "name", "capacity_units", "units_sold", "asp", "revenue", "gross_margin"],
        "app_builders": ["builder_id", "provider_lab_id", "tokens", "spend", "profit", "alive"],
        "markets": ["market", "region", "item", "supply", "demand", "cleared", "price"],
        "events": ["kind", "agent_id", "counterparty_id", "region", "amount_usd", "quantity", "detail"],
        "world": ["online_compute_h100e", "dc_load_mw", "stranded_gpus", "gpu_price_index", "power_price_avg",
                  "inference_price_index", "hhi", "leader_share", "capital_raised", "infra_profit", "app_profit"],
    }
    actual = {table: [c[0] for c in columns] for table, columns in schema().items()}
    for table, columns in required.items():
        assert actual[table][:3] == ["tick", "year", "quarter"], table
        for column in columns:
            assert column in actual[table], f"{table}.{column}"


def test_row_counts_are_one_per_agent_per_quarter(workdir):
    con = duckdb.connect()
    per_run = lambda table: dict(con.sql(
        f"SELECT seed, count(*) FROM read_parquet('{glob(workdir, table)}', hive_partitioning = true) GROUP BY seed").fetchall())
    for seed in SEEDS:
        assert per_run("labs")[seed] == 6 * QUARTERS
        assert per_run("investors")[seed] == 7 * QUARTERS
        assert per_run("chipmakers")[seed] == 3 * QUARTERS
        assert per_run("accelerator_buyers")[seed] == 6 * QUARTERS
        assert per_run("utilities")[seed] == 5 * QUARTERS
        assert per_run("regulators")[seed] == 4 * QUARTERS
        assert per_run("world")[seed] == QUARTERS
        assert per_run("events")[seed] > 0
        assert per_run("projects")[seed] >= 6 * QUARTERS, "every lab's existing site, every quarter"
    first = con.sql(f"SELECT count(*) FROM read_parquet('{glob(workdir, 'app_builders')}', hive_partitioning = true) "
                    "WHERE seed = 1 AND tick = 0").fetchall()[0][0]
    assert first == BUILDERS
    # Ticks, years and quarters line up with the calendar.
    bad = con.sql(f"SELECT count(*) FROM read_parquet('{glob(workdir, 'world')}', hive_partitioning = true) "
                  "WHERE quarter NOT BETWEEN 1 AND 4 OR year * 4 + quarter - 1 != 2025 * 4 + tick").fetchall()[0][0]
    assert bad == 0


def test_segment_totals_match_the_builders(workdir):
    con = duckdb.connect()
    rows = con.sql(f"""
        SELECT s.seed, s.tick, s.builders, b.n, abs(s.spend - b.spend) < 1e-6 * (1 + b.spend)
        FROM (SELECT seed, tick, sum(builders) AS builders, sum(spend) AS spend
              FROM read_parquet('{glob(workdir, 'app_builder_segments')}', hive_partitioning = true) GROUP BY ALL) AS s
        JOIN (SELECT seed, tick, count(*) AS n, sum(spend) AS spend
              FROM read_parquet('{glob(workdir, 'app_builders')}', hive_partitioning = true) GROUP BY ALL) AS b
        USING (seed, tick)""").fetchall()
    assert len(rows) == len(SEEDS) * QUARTERS
    for seed, tick, builders, n, spend_matches in rows:
        assert builders == n and spend_matches, (seed, tick)


def test_every_market_has_rows_every_quarter(workdir):
    markets = (pl.scan_parquet(glob(workdir, "markets"), hive_partitioning=True)
               .group_by("seed", "tick").agg(pl.col("market").unique().sort()).collect())
    for row in markets.iter_rows(named=True):
        assert set(row["market"]) == {
            "capital",
            "cloud",
            "gpu",
            "inference",
            "inference_failover",
            "land",
            "power",
        }, row


ID_COLUMNS = {"labs": "lab_id", "investors": "investor_id", "chipmakers": "chipmaker_id",
              "utilities": "utility_id", "regulators": "regulator_id", "app_builders": "builder_id"}


def test_agent_ids_are_unique_across_kinds(workdir):
    con = duckdb.connect()
    parts = [f"SELECT {column} AS id FROM read_parquet('{glob(workdir, table)}', hive_partitioning = true) "
             "WHERE seed = 1 AND tick = 0"
             for table, column in ID_COLUMNS.items()]
    [(total, distinct)] = con.sql(f"SELECT count(*), count(DISTINCT id) FROM ({' UNION ALL '.join(parts)})").fetchall()
    assert total == distinct


def readme_blocks(language):
    text = (REPO / "README.md").read_text()
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def test_readme_sql_examples_run_and_return_rows(workdir, monkeypatch):
    monkeypatch.chdir(workdir)
    blocks = readme_blocks("sql")
    assert len(blocks) >= 3
    con = duckdb.connect()
    for block in blocks:
        rows = con.sql(block).fetchall()
        assert rows, f"no rows from:\n{block}"


def test_readme_python_examples_run_and_return_rows(workdir, monkeypatch):
    monkeypatch.chdir(workdir)
    blocks = readme_blocks("python")
    assert len(blocks) >= 2
    for block in blocks:
        scope = {}
        exec(block, scope)
        result = scope.get("result")
        assert result is not None and result.height > 0, f"no rows from:\n{block}"


LIBRARY_QUARTERS = 8


@pytest.fixture(scope="session")
def librarydir(tmp_path_factory):
    """A folder with outputs/ holding a short run of every scenario in configs/
    (at the library's builder count, so the scale scenarios are small too),
    all with the same seed."""
    assert BIN.exists(), f"{BIN} not found: build it with `cargo build --release`"
    root = tmp_path_factory.mktemp("library")
    configs = sorted((REPO / "configs").glob("*.toml"))
    assert len(configs) >= 7
    for config in configs:
        subprocess.run(
            [BIN, "run", config, "--quarters", str(LIBRARY_QUARTERS), "--seed", "1",
             "--set", f"app_builders.count={BUILDERS}", "--out", root / "outputs", "--quiet"],
            check=True,
        )
    sweep_next_to_the_runs(root)
    return root


def test_every_scenario_in_the_library_table_exists():
    text = (REPO / "README.md").read_text()
    table = text[text.index("### Scenario library"):text.index("**Q1.**")]
    named = set(re.findall(r"`([a-z0-9-]+)\.toml`", table))
    assert len(named) >= 7
    for name in named:
        assert (REPO / "configs" / f"{name}.toml").is_file(), name
    for question in range(1, 8):
        assert f"| {question}. " in table, f"question {question} missing from the table"


def test_scenario_library_queries_run_and_return_rows(librarydir, monkeypatch):
    monkeypatch.chdir(librarydir)
    blocks = readme_blocks("sql scenario-library")
    assert len(blocks) == 7, "one query per question of the model brief"
    con = duckdb.connect()
    for block in blocks:
        rows = con.sql(block).fetchall()
        assert rows, f"no rows from:\n{block}"
        # Every comparison query sees both the scenario and the baseline.
        if "scenario IN (" in block:
            columns = [d[0] for d in con.sql(block).description]
            if "scenario" in columns:
                seen = {row[columns.index("scenario")] for row in rows}
                assert "baseline" in seen and len(seen) >= 2, f"expected scenarios and the baseline, got {seen}:\n{block}"


def test_readme_sweep_queries_join_results_to_parameters(tmp_path, monkeypatch):
    subprocess.run([BIN, "sweep", "run", REPO / "configs" / "sweeps" / "smoke.toml",
                    "--out", tmp_path / "sweeps" / "smoke", "--quiet"], check=True)
    monkeypatch.chdir(tmp_path)
    blocks = readme_blocks("sql sweep")
    assert blocks
    plan = subprocess.run([BIN, "sweep", "plan", REPO / "configs" / "sweeps" / "smoke.toml", "--json"],
                          check=True, capture_output=True, text=True).stdout
    runs = len(json.loads(plan)["runs"])
    for block in blocks:
        rows = duckdb.connect().sql(block).fetchall()
        assert rows, f"no rows from:\n{block}"
        assert sum(row[2] for row in rows) == runs, "every run joins to its parameters once"


def test_a_sweep_without_out_goes_to_its_own_root(tmp_path):
    subprocess.run([BIN, "sweep", "run", REPO / "configs" / "sweeps" / "smoke.toml", "--quiet"],
                   cwd=tmp_path, check=True)
    assert (tmp_path / "sweeps" / "smoke" / "runs.parquet").is_file()
    assert not (tmp_path / "outputs").exists()


def test_output_piped_into_a_reader_that_stops_early_ends_quietly(tmp_path):
    for args in (["schema"], ["validate", REPO / "configs" / "baseline.toml", "--ranges"],
                 ["sweep", "plan", REPO / "configs" / "sweeps" / "rent-and-diffusion.toml", "--json"]):
        reader = subprocess.Popen([BIN, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        reader.stdout.readline()
        reader.stdout.close()
        _, stderr = reader.communicate(timeout=60)
        assert reader.returncode == 0, (args, stderr)
        assert b"panicked" not in stderr and stderr == b"", (args, stderr)


def test_readme_python_examples_work_with_pyarrow_and_polars_from_duckdb(workdir, monkeypatch):
    """The README's Python environment has everything `duckdb ... .pl()` and
    `.arrow()` need."""
    monkeypatch.chdir(workdir)
    query = ("SELECT scenario, seed, tick FROM read_parquet("
             "'outputs/scenario=*/seed=*/world.parquet', hive_partitioning = true)")
    assert duckdb.sql(query).pl().height == len(SCENARIOS) * len(SEEDS) * QUARTERS
    # DuckDB 2 returns a record-batch reader; read_all() makes a pyarrow Table.
    assert duckdb.sql(query).arrow().read_all().num_rows == len(SCENARIOS) * len(SEEDS) * QUARTERS
