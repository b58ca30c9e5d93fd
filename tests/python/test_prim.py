"""`moatsim explore`'s PRIM against the EMA Workbench's on the same rows.

Runs a small uncertainty ensemble over the baseline and the mega-round
(short runs, few builders), reads ensemble.parquet back with DuckDB,
re-evaluates each claim's predicate there, and hands the same inputs and
outcomes to the EMA Workbench's `prim.Prim` (the pinned version in
requirements.txt). The two peeling and pasting trajectories must agree box
by box: coverage, density and mass to 1e-9, the same restricted inputs. The
box chosen by moatsim's documented rule (the densest with coverage of at
least 0.5) must have the Workbench's limits there, to 1e-9.

That a known box is recovered is tested where PRIM lives
(`moatsim_sensitivity::prim`, `prim_finds_the_box_where_a_claim_holds`).
"""

import logging
import os
import subprocess
import warnings
from pathlib import Path

import duckdb
import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("MOATSIM_BIN", REPO / "target" / "release" / "moatsim"))
PARAMETERS = [
    "world.diffusion_rate",
    "app_builders.provider_review_share",
    "world.algorithmic_efficiency_halving_months",
]
# Each claim's predicate, written so that moatsim and DuckDB read it alike
# (`and`, comparisons, numbers), with the scenarios it is tested in. The
# thresholds are the ensemble's own quartiles (QUANTILES), so every claim
# splits the runs whatever the model's current numbers: the ensemble runs
# once with placeholders, then `explore` tests the final claims on the same
# complete runs.
CLAIMS = {
    "app-share-below-median": ("app_profit_share < {app_profit_share:q50}", None),
    "cost-falls-fast": ("fixed_capability_price_decline >= {fixed_capability_price_decline:q50}", None),
    "hhi-in-middle-half": ("hhi_horizon >= {hhi_horizon:q25} and hhi_horizon < {hhi_horizon:q75}", None),
    "moat-lasts": ("moat_lead >= {moat_lead:q50}", ["mega-round"]),
}
TOLERANCE = 1e-9


def spec(tmp, thresholds):
    def fill(predicate):
        for key, value in thresholds.items():
            predicate = predicate.replace("{" + key + "}", repr(float(value)))
        return predicate

    claims = "\n".join(
        f'[[claims]]\nname = "{name}"\nstatement = "{name}"\npredicate = "{fill(predicate)}"\n'
        + (f"scenarios = {scenarios!r}\n".replace("'", '"') if scenarios else "")
        for name, (predicate, scenarios) in CLAIMS.items()
    )
    text = f"""
[sweep]
name = "prim-check"
scenario = ["{REPO / 'configs' / 'baseline.toml'}", "{REPO / 'configs' / 'mega-round.toml'}"]
set = {{ "scenario.quarters" = 12, "app_builders.count" = 400, "output.app_builders" = "segments" }}

[seeds]
list = [3, 4]

[explore]
samples = 15
parameters = [{", ".join(f'"{p}"' for p in PARAMETERS)}]

{claims}
"""
    path = tmp / "prim-check.toml"
    path.write_text(text)
    return path


def quartiles(out):
    """Each claim indicator's quartiles over the ensemble, as `name:qNN`."""
    names = {"app_profit_share", "fixed_capability_price_decline", "hhi_horizon", "moat_lead"}
    found = {}
    for name in names:
        for q in (25, 50, 75):
            value = duckdb.sql(f"""SELECT quantile_disc("{name}", {q / 100})
                FROM '{out}/ensemble.parquet' WHERE isfinite("{name}")""").fetchall()[0][0]
            found[f"{name}:q{q}"] = value if value is not None else 0.0
    return found


@pytest.fixture(scope="module")
def ensemble(tmp_path_factory):
    assert BIN.exists(), f"{BIN} not found: build it with `cargo build --release`"
    tmp = tmp_path_factory.mktemp("prim")
    out = tmp / "out"
    placeholders = {f"{n}:q{q}": 0.0 for n in ("app_profit_share", "fixed_capability_price_decline",
                                               "hhi_horizon", "moat_lead") for q in (25, 50, 75)}
    for thresholds in (placeholders, None):
        path = spec(tmp, thresholds if thresholds is not None else quartiles(out))
        subprocess.run([BIN, "explore", path, "--out", out, "--quiet", "--jobs", "2"],
                       check=True, capture_output=True, text=True)
    return out


def workbench_trajectory(x, y):
    """The EMA Workbench's first box over x (DataFrame) and y (bools)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim
    logging.getLogger("EMA").setLevel(logging.ERROR)
    # A threshold just above zero keeps every trajectory: the Workbench
    # replaces a box below its threshold with the full box.
    box = prim.Prim(x, y, threshold=1e-9, peel_alpha=0.05, paste_alpha=0.05,
                    mass_min=0.05).find_box()
    return box.peeling_trajectory.reset_index(drop=True), box.box_lims


def ours(out, claim, scenario):
    return duckdb.sql(f"""
        SELECT box, any_value(coverage) AS coverage, any_value(density) AS density,
               any_value(mass) AS mass, any_value(chosen) AS chosen,
               list(parameter ORDER BY parameter) FILTER (WHERE restricted = 'yes') AS restricted
        FROM '{out}/boxes.parquet' WHERE claim = '{claim}' AND scenario = '{scenario}'
        GROUP BY box ORDER BY box""").df()


@pytest.mark.parametrize("claim", CLAIMS)
def test_trajectories_and_chosen_boxes_agree_with_the_ema_workbench(ensemble, claim):
    _, scenarios = CLAIMS[claim]
    # The predicate as moatsim read it, thresholds filled in.
    predicate = duckdb.sql(f"""SELECT any_value(predicate) FROM '{ensemble}/claims.parquet'
        WHERE claim = '{claim}'""").fetchall()[0][0]
    tested = 0
    for scenario in scenarios or ["baseline", "mega-round"]:
        rows = duckdb.sql(f"""
            SELECT {", ".join(f'"{p}"' for p in PARAMETERS)},
                   coalesce(({predicate}), false) AS holds
            FROM '{ensemble}/ensemble.parquet' WHERE scenario = '{scenario}'""").df()
        x = rows[PARAMETERS].copy()
        y = rows["holds"].to_numpy(dtype=bool)
        mine = ours(ensemble, claim, scenario)
        claims = duckdb.sql(f"""SELECT any_value(holds) AS holds, any_value(runs) AS runs
            FROM '{ensemble}/claims.parquet'
            WHERE claim = '{claim}' AND scenario = '{scenario}'""").fetchall()[0]
        # The predicate reads the same in DuckDB as in moatsim.
        assert claims == (int(y.sum()), len(y)), (claim, scenario)
        if y.all() or not y.any():
            # Nothing to separate (the Workbench refuses such an outcome):
            # the full box alone.
            assert len(mine) == 1, (claim, scenario)
            continue
        trajectory, limits = workbench_trajectory(x, y)
        assert len(mine) == len(trajectory), (claim, scenario, mine, trajectory)
        for i in range(len(mine)):
            for column in ("coverage", "density", "mass"):
                assert abs(mine[column][i] - trajectory[column][i]) < TOLERANCE, \
                    (claim, scenario, i, column)
            restricted = [p for p in PARAMETERS
                          if limits[i][p][0] != limits[0][p][0] or limits[i][p][1] != limits[0][p][1]]
            listed = mine["restricted"][i]
            listed = [] if listed is None or not isinstance(listed, (list, np.ndarray)) else list(listed)
            assert sorted(restricted) == sorted(listed), (claim, scenario, i)
        # The chosen box: moatsim's rule applied to the Workbench's trajectory.
        best = 0
        for i in range(len(trajectory)):
            if trajectory["coverage"][i] >= 0.5 and trajectory["density"][i] > trajectory["density"][best]:
                best = i
        assert mine["chosen"][best] == "yes", (claim, scenario)
        box = duckdb.sql(f"""SELECT parameter, low, high FROM '{ensemble}/boxes.parquet'
            WHERE claim = '{claim}' AND scenario = '{scenario}' AND chosen = 'yes'""").fetchall()
        for parameter, low, high in box:
            assert abs(low - limits[best][parameter][0]) <= TOLERANCE * max(1.0, abs(low))
            assert abs(high - limits[best][parameter][1]) <= TOLERANCE * max(1.0, abs(high))
        tested += 1
    assert tested > 0, f"{claim}: no scenario splits its runs"


def test_the_ensemble_has_trajectories_to_compare(ensemble):
    """Guard against a comparison that compares nothing: most claims peel."""
    steps = duckdb.sql(f"""SELECT claim, scenario, count(DISTINCT box) AS boxes
        FROM '{ensemble}/boxes.parquet' GROUP BY ALL""").fetchall()
    assert len(steps) == 7, steps
    assert sum(boxes > 1 for _, _, boxes in steps) >= 5, steps
    assert np.isfinite([boxes for _, _, boxes in steps]).all()
