"""The report as a reader sees it: `moatsim report` rendered by headless Chromium.

Runs two scenarios (baseline and mega-round, three seeds, short and small),
writes the report, opens it in the system Chromium through Playwright (no
browser download; installs Debian's `chromium` when it is missing and this
runs as root, skips otherwise), and checks that every expected chart is
there, drawn, and not blank, and that the page fetches nothing. A
full-page screenshot is kept next to the report (and in MOATSIM_REPORT_PNG
when set, for a look by hand).
"""

import io
import re
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("MOATSIM_BIN", REPO / "target" / "release" / "moatsim"))
SEEDS = (1, 2, 3)
SCENARIOS = ("baseline", "mega-round")

# One chart per series, and the breakdowns once per scenario.
OVERLAYS = ["q1-compute", "q1-lead", "q2-stranded", "q2-power-price", "q2-queue", "q3-fixed-capability",
            "q3-inference-price", "q3-gpu-price", "q3-app-margin", "q4-churn", "q4-markup",
            "q5-leader-share", "q5-hhi", "q7-model-profit", "q7-chip-profit", "q7-app-profit",
            "q7-product-revenue", "q8-tokens", "q8-revenue-per-h100e"]
BREAKDOWNS = ["q2-binding", "q2-backlog", "q5-shares", "q6-regions", "q6-chip-sales", "q7-profit-by-layer", "q8-adoption",
              "q8-tokens-per-task", "q8-segment-tokens"]
EXPECTED = OVERLAYS + [f"{chart}-{scenario}" for chart in BREAKDOWNS for scenario in SCENARIOS]


def chromium():
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.geteuid() != 0:
        pytest.skip("Chromium is not installed and installing it needs root (apt-get install chromium)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env)
    return shutil.which("chromium")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    assert BIN.exists(), f"{BIN} not found: build it with `cargo build --release`"
    root = tmp_path_factory.mktemp("report")
    out = root / "outputs"
    for scenario in SCENARIOS:
        for seed in SEEDS:
            subprocess.run(
                [BIN, "run", REPO / "configs" / f"{scenario}.toml", "--quarters", "12", "--seed", str(seed),
                 "--set", "app_builders.count=800", "--set", "output.app_builders=segments",
                 "--out", out, "--quiet"],
                check=True,
            )
    html = root / "report.html"
    result = subprocess.run([BIN, "report", out, "--out", html], check=True, capture_output=True, text=True)
    assert "2 scenarios, 6 runs" in result.stdout
    return html


def test_the_report_is_one_file_that_fetches_nothing(report):
    text = report.read_text()
    assert "<script" not in text
    for link in ("src=\"http", "href=\"http", "@import", "url("):
        assert link not in text, link
    for chart in EXPECTED:
        assert f'id="{chart}"' in text, chart
    # The comparison with the baseline is a section of the report.
    assert "mega-round minus baseline" in text
    # The one moat half-life, as compare reports it.
    assert "moat half-life of mega-round&#39;s compute-share lead" in text or \
        "moat half-life of mega-round's compute-share lead" in text
    # The banner says how far to trust it: the baseline's scorecard, which
    # targets land and which miss, with the full table at the end.
    banner = text[text.index('id="calibration-banner"'):]
    banner = banner[:banner.index("</p>")]
    assert re.search(r"Calibration: \d+ of \d+ measured targets land", banner), banner
    assert "of baseline (3 runs)" in banner and 'href="#calibration"' in banner
    assert text.index('id="calibration-banner"') < text.index('id="q1"')
    table = text[text.index('<section id="calibration">'):]
    assert "largest_lab_revenue_2025" in table and "seed 1" in table


def figure(text, chart):
    start = text.index(f'id="{chart}"')
    return text[start:text.index("</figure>", start)]


def test_charts_are_legible_with_legends_beside_them_and_log_axes_for_prices(report):
    text = report.read_text()
    for chart in EXPECTED:
        part = figure(text, chart)
        # The legend is HTML under the chart, never drawn over its data.
        assert '<ul class="legend">' in part and "<li>" in part, chart
    # Tick labels at 15 px or more at the chart's 720 px.
    sizes = [float(size) for size in re.findall(r'<text[^>]*font-size="([0-9.]+)"', figure(text, "q1-compute"))]
    assert sizes and min(sizes) >= 14, sizes
    # The price of a fixed capability falls by orders of magnitude: a log axis
    # labels decades, so the later years stay readable.
    ticks = {line.strip() for line in figure(text, "q3-fixed-capability").splitlines()}
    decades = [t for t in ticks if re.fullmatch(r"(100|10\.0|1\.00|0\.100|0\.010)", t)]
    assert len(decades) >= 2, sorted(ticks)[:40]
    # Stranded GPUs answer question 2 (which constraint binds), not question 1.
    assert text.index('id="q2-stranded"') > text.index('id="q2"')


def test_every_chart_renders_in_chromium_and_is_not_blank(report):
    render_and_check(report, EXPECTED, "polyline", copy_to=os.environ.get("MOATSIM_REPORT_PNG"))
    from PIL import Image
    full = Image.open(report.with_suffix(".png"))
    assert full.size[0] >= 900 and full.size[1] > 20 * 330, full.size


def test_a_sensitivity_sweep_is_drawn_as_ranked_bars(tmp_path):
    spec = tmp_path / "tiny.toml"
    spec.write_text(f"""
[sweep]
name = "tiny"
scenario = "{REPO / 'configs' / 'baseline.toml'}"
set = {{ "scenario.quarters" = 6, "app_builders.count" = 300, "output.app_builders" = "segments" }}
[seeds]
list = [3]
[morris]
trajectories = 2
parameters = ["world.diffusion_rate", "app_builders.provider_review_share"]
""")
    out = tmp_path / "tiny"
    subprocess.run([BIN, "sensitivity", spec, "--out", out, "--quiet"], check=True, capture_output=True)
    html = tmp_path / "sensitivity.html"
    subprocess.run([BIN, "report", out, "--out", html], check=True, capture_output=True)
    text = html.read_text()
    charts = [f"sensitivity-0-{name}" for name in ("leader-share-horizon", "hhi-horizon", "app-profit-share")]
    for chart in charts:
        assert f'id="{chart}"' in text, chart
    render_and_check(html, charts, "rect", min_height=120)  # two bars


def test_claims_are_drawn_with_their_trajectories_per_scenario(tmp_path):
    spec = tmp_path / "claims.toml"
    spec.write_text(f"""
[sweep]
name = "claims"
scenario = ["{REPO / 'configs' / 'baseline.toml'}", "{REPO / 'configs' / 'mega-round.toml'}"]
set = {{ "scenario.quarters" = 8, "app_builders.count" = 300, "output.app_builders" = "segments" }}
[seeds]
list = [3, 4]
[explore]
samples = 6
parameters = ["world.diffusion_rate", "world.algorithmic_efficiency_halving_months"]
[[claims]]
name = "cheap-fast"
statement = "A fixed capability gets at least sixfold cheaper a year."
predicate = "fixed_capability_price_decline >= 6"
[[claims]]
name = "a-lead"
statement = "The round buys some lead."
predicate = "moat_lead > 0"
scenarios = ["mega-round"]
""")
    out = tmp_path / "claims"
    subprocess.run([BIN, "explore", spec, "--out", out, "--quiet"], check=True, capture_output=True)
    html = tmp_path / "claims.html"
    subprocess.run([BIN, "report", out, "--out", html], check=True, capture_output=True)
    text = html.read_text()
    charts = ["claims-0-cheap-fast-baseline", "claims-0-cheap-fast-mega-round", "claims-0-a-lead-mega-round"]
    for chart in charts:
        assert f'id="{chart}"' in text, chart
    assert 'id="claims-0-a-lead-baseline"' not in text, "a claim is drawn only where it was tested"
    assert "in mega-round" in text
    render_and_check(html, charts, "polyline", min_height=150)


def render_and_check(report, charts, mark, copy_to=None, min_height=200):
    """Opens `report` in Chromium and checks each chart: present, drawn with
    at least one `mark` element, full size, not blank; nothing fetched."""
    from PIL import Image
    from playwright.sync_api import sync_playwright

    executable = chromium()
    requests = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1200})
        page.on("request", lambda r: requests.append(r.url))
        page.goto(report.as_uri())
        screenshot = report.with_suffix(".png")
        page.screenshot(path=screenshot, full_page=True)
        if copy_to:
            shutil.copy(screenshot, copy_to)
        for chart in charts:
            svg = page.locator(f"#{chart} svg")
            assert svg.count() == 1, f"{chart}: no chart"
            assert page.locator(f"#{chart} svg {mark}").count() >= 1, f"{chart}: nothing drawn"
            box = svg.bounding_box()
            assert box["width"] > 500 and box["height"] > min_height, f"{chart}: drawn at {box}"
            image = Image.open(io.BytesIO(svg.screenshot())).convert("L")
            histogram = image.histogram()  # pixels per grey level, 0 (black) to 255
            inked = sum(histogram[:200]) / sum(histogram)
            levels = sum(1 for count in histogram if count)
            assert inked > 0.01, f"{chart}: blank ({inked:.3%} inked)"
            assert levels > 8, f"{chart}: flat ({levels} grey levels)"
        browser.close()
    assert all(url.startswith("file://") for url in requests), requests
