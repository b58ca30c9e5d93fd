"""`moatsim sensitivity` against SALib on the same design rows and outputs.

Runs a small Morris and a small Sobol design over the baseline (short runs,
few builders, one seed), reads the design back from the sweep's runs.parquet
and the outputs from the runs' world tables with DuckDB, and hands both to
SALib's analysers: the point estimates must agree to 1e-6, and the bootstrap
intervals (different random resamples) to within a factor that two
independent bootstraps of 1,000 resamples keep.
"""

import os
import subprocess
from pathlib import Path

import duckdb
import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("MOATSIM_BIN", REPO / "target" / "release" / "moatsim"))
# Two continuous parameters with recorded ranges (moatsim params).
PARAMETERS = {"world.diffusion_rate": (0.02, 0.12), "app_builders.provider_review_share": (0.25, 0.5)}
# Indicators checked, each with its query over the runs' world tables.
INDICATORS = {
    "hhi_horizon": "arg_max(hhi, tick)",
    "power_price_mean": "avg(power_price_avg)",
    "builder_churn_mean": "avg(builder_churn_rate)",
}


def spec(tmp, name, design):
    text = f"""
[sweep]
name = "{name}"
scenario = "{REPO / 'configs' / 'baseline.toml'}"
set = {{ "scenario.quarters" = 6, "app_builders.count" = 400, "output.app_builders" = "segments" }}

[seeds]
list = [5]

{design}
parameters = [{", ".join(f'"{p}"' for p in PARAMETERS)}]
"""
    path = tmp / f"{name}.toml"
    path.write_text(text)
    return path


def run(spec_path, out):
    assert BIN.exists(), f"{BIN} not found: build it with `cargo build --release`"
    result = subprocess.run([BIN, "sensitivity", spec_path, "--out", out, "--quiet", "--jobs", "2"],
                            check=True, capture_output=True, text=True)
    assert "wrote" in result.stdout
    return result.stdout


def design_and_outputs(out):
    """Unit-cube design rows by design point, and each indicator's output there."""
    runs = duckdb.sql(f"SELECT * FROM '{out}/runs.parquet' ORDER BY design_point").df()
    assert (runs["status"] == "complete").all()
    rows = np.column_stack([(runs[p] - low) / (high - low) for p, (low, high) in PARAMETERS.items()])
    outputs = {}
    for name, expression in INDICATORS.items():
        values = []
        for path in runs["path"]:
            values.append(duckdb.sql(f"SELECT {expression} FROM '{out}/{path}/world.parquet'").fetchall()[0][0])
        outputs[name] = np.array(values, dtype=float)
    return rows, outputs


def ours(out, index):
    table = duckdb.sql(f"SELECT parameter, indicator, index, value, ci_low, ci_high FROM '{out}/sensitivity.parquet'")
    return {(p, i, x): (v, lo, hi) for p, i, x, v, lo, hi in table.fetchall() if x == index}


PROBLEM = {"num_vars": len(PARAMETERS), "names": list(PARAMETERS), "bounds": [[0.0, 1.0]] * len(PARAMETERS)}


def test_morris_indices_agree_with_salib(tmp_path):
    from SALib.analyze import morris
    out = tmp_path / "morris"
    run(spec(tmp_path, "morris-check", "[morris]\ntrajectories = 6\nlevels = 4"), out)
    rows, outputs = design_and_outputs(out)
    assert rows.shape == (6 * 3, 2)
    mu_star, mu, sigma = ours(out, "mu_star"), ours(out, "mu"), ours(out, "sigma")
    for name, y in outputs.items():
        salib = morris.analyze(PROBLEM, rows, y, num_levels=4, seed=1)
        for j, parameter in enumerate(PARAMETERS):
            assert mu_star[(parameter, name, "mu_star")][0] == pytest.approx(salib["mu_star"][j], rel=1e-6, abs=1e-9)
            assert mu[(parameter, name, "mu")][0] == pytest.approx(salib["mu"][j], rel=1e-6, abs=1e-9)
            assert sigma[(parameter, name, "sigma")][0] == pytest.approx(salib["sigma"][j], rel=1e-6, abs=1e-9)
            value, low, high = mu_star[(parameter, name, "mu_star")]
            # The lower end is cut at zero (mu* cannot be negative); the
            # upper end is SALib's normal approximation.
            assert 0 <= low <= value <= high
            half = high - value
            if salib["mu_star_conf"][j] > 1e-9:
                assert 0.5 < half / salib["mu_star_conf"][j] < 2.0, (parameter, name, half, salib["mu_star_conf"][j])


def test_sobol_indices_agree_with_salib(tmp_path):
    from SALib.analyze import sobol
    out = tmp_path / "sobol"
    run(spec(tmp_path, "sobol-check", "[sobol]\nbase_samples = 16"), out)
    rows, outputs = design_and_outputs(out)
    assert rows.shape == (16 * 4, 2)
    # The Saltelli layout: A, AB_1, AB_2, B for each base sample.
    a, ab1, ab2, b = rows[0::4], rows[1::4], rows[2::4], rows[3::4]
    assert np.allclose(ab1[:, 0], b[:, 0]) and np.allclose(ab1[:, 1], a[:, 1])
    assert np.allclose(ab2[:, 1], b[:, 1]) and np.allclose(ab2[:, 0], a[:, 0])
    s1, st = ours(out, "S1"), ours(out, "ST")
    for name, y in outputs.items():
        salib = sobol.analyze(PROBLEM, y, calc_second_order=False, seed=1)
        for j, parameter in enumerate(PARAMETERS):
            assert s1[(parameter, name, "S1")][0] == pytest.approx(salib["S1"][j], rel=1e-6, abs=1e-9)
            assert st[(parameter, name, "ST")][0] == pytest.approx(salib["ST"][j], rel=1e-6, abs=1e-9)
            for ours_index, conf in ((s1[(parameter, name, "S1")], salib["S1_conf"][j]),
                                     (st[(parameter, name, "ST")], salib["ST_conf"][j])):
                half = (ours_index[2] - ours_index[1]) / 2
                if conf > 1e-6:
                    assert 0.5 < half / conf < 2.0, (parameter, name, half, conf)


# Ishigami's analytic indices (a = 7, b = 0.1): Sobol' and Saltelli's textbook values.
ISHIGAMI_S1 = (0.3139, 0.4424, 0.0)
ISHIGAMI_ST = (0.5576, 0.4424, 0.2437)


def test_sobol_on_ishigami_gives_its_known_indices_and_salibs(tmp_path):
    """The design's points (from `sweep plan --json`) mapped to [-pi, pi]^3,
    Ishigami's function evaluated on them in Python, and `moatsim sensitivity
    --outputs` estimating from those values: every analytic index lies inside
    the estimate's 95% bootstrap interval at 512 base samples, and the
    estimates equal SALib's on the same values."""
    from SALib.analyze import sobol
    spec_path = tmp_path / "ishigami.toml"
    spec_path.write_text(f"""
[sweep]
name = "ishigami"
scenario = "{REPO / 'configs' / 'baseline.toml'}"
[seeds]
list = [1]
[sobol]
base_samples = 512
parameters = ["world.pue", "world.diffusion_rate", "cloud.rent_cash_share"]
""")
    plan = subprocess.run([BIN, "sweep", "plan", spec_path, "--json"], check=True, capture_output=True, text=True)
    import json
    rows = np.array(json.loads(plan.stdout)["design"]["unit_rows"])
    assert rows.shape == (512 * 5, 3)
    x = -np.pi + 2 * np.pi * rows
    y = np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    csv = tmp_path / "ishigami.csv"
    csv.write_text("design_point,ishigami\n" + "".join(f"{i},{float(v)!r}\n" for i, v in enumerate(y)))
    out = tmp_path / "out"
    result = subprocess.run([BIN, "sensitivity", spec_path, "--outputs", csv, "--out", out],
                            check=True, capture_output=True, text=True)
    assert "ishigami" in result.stdout
    s1, st = ours(out, "S1"), ours(out, "ST")
    salib = sobol.analyze({"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[-np.pi, np.pi]] * 3}, y,
                          calc_second_order=False, seed=1)
    for j, parameter in enumerate(["world.pue", "world.diffusion_rate", "cloud.rent_cash_share"]):
        for (value, low, high), known in ((s1[(parameter, "ishigami", "S1")], ISHIGAMI_S1[j]),
                                          (st[(parameter, "ishigami", "ST")], ISHIGAMI_ST[j])):
            assert low <= known <= high, (parameter, known, low, value, high)
            assert high - low < 0.35, (parameter, low, high)
        assert s1[(parameter, "ishigami", "S1")][0] == pytest.approx(salib["S1"][j], rel=1e-6, abs=1e-9)
        assert st[(parameter, "ishigami", "ST")][0] == pytest.approx(salib["ST"][j], rel=1e-6, abs=1e-9)
    # A bad outputs file is refused with exit status 2 and says why.
    bad = tmp_path / "bad.csv"
    bad.write_text("point,ishigami\n0,1\n")
    refused = subprocess.run([BIN, "sensitivity", spec_path, "--outputs", bad, "--out", tmp_path / "bad"],
                             capture_output=True, text=True)
    assert refused.returncode == 2 and "design_point" in refused.stderr
