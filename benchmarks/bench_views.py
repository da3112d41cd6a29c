"""How long a big view takes: writing it in Python, and drawing it in headless Chromium.

    python benchmarks/bench_views.py [--accounts 6000] [--txns 60000] [--budget 1500]

Builds a synthetic case with numpy (the test suite's generator), writes the overview with the
given node budget (so 1 500 nodes are drawn), opens it in headless Chromium and times the
page from navigation until the layout has settled (physics off) and a frame has been painted.
Also times a view at PHYSICS_LIMIT nodes, the largest laid out by in-browser physics.
Prints one table; the target for the 1 500-node view in the browser is under 5 s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from finflow.views import overview_view  # noqa: E402
from finflow.views.page import PHYSICS_LIMIT  # noqa: E402
from tests.views.cases import synthetic_case, synthetic_findings  # noqa: E402
from tests.views.conftest import CHROMEDRIVER, CHROMIUM, FLAGS  # noqa: E402

SETTLED = """
const done = arguments[arguments.length - 1];
const start = performance.timing.navigationStart;
(function poll() {
  if (window.finflow && window.finflow.ready) {
    requestAnimationFrame(() => requestAnimationFrame(() => done(Date.now() - start)));
  } else { setTimeout(poll, 10); }
})();
"""


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp(prefix='finflow-bench-')}")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_script_timeout(120)
    return driver


def settle_seconds(driver, path: Path, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        driver.get("about:blank")
        driver.get(path.as_uri())
        times.append(driver.execute_async_script(SETTLED) / 1000.0)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=6000)
    parser.add_argument("--txns", type=int, default=60000)
    parser.add_argument("--budget", type=int, default=1500)
    parser.add_argument("--flagged", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    started = time.perf_counter()
    case = synthetic_case(args.accounts, args.txns, seed=11)
    findings = synthetic_findings(case, args.flagged)
    made = time.perf_counter() - started
    out = Path(tempfile.mkdtemp(prefix="finflow-bench-views-"))
    rows = []
    driver = browser()
    try:
        for budget in (args.budget, PHYSICS_LIMIT):
            started = time.perf_counter()
            stats = overview_view(case, findings, out / f"overview-{budget}.html", node_budget=budget)
            write = time.perf_counter() - started
            settle = settle_seconds(driver, stats.path, args.repeats)
            rows.append((stats, write, settle))
    finally:
        driver.quit()

    print(
        f"synthetic case: {args.accounts} accounts, {args.txns} transactions, "
        f"{args.flagged} flagged (generated in {made:.2f} s)"
    )
    print(f"{'nodes':>6} {'edges':>6} {'layout':>12} {'HTML MB':>8} {'write s':>8} {'browser s (median of runs)':>28}")
    for stats, write, settle in rows:
        median = sorted(settle)[len(settle) // 2]
        runs = ", ".join(f"{s:.2f}" for s in settle)
        print(
            f"{stats.nodes_shown:>6} {stats.edges_shown:>6} {stats.layout:>12} "
            f"{stats.path.stat().st_size / 1e6:>8.2f} {write:>8.2f} {median:>8.2f} ({runs})"
        )
    big = sorted(rows[0][2])[len(rows[0][2]) // 2]
    print(
        f"target: {rows[0][0].nodes_shown}-node view drawn and settled in the browser < 5 s: "
        f"{'met' if big < 5 else 'NOT met'} ({big:.2f} s)"
    )


if __name__ == "__main__":
    main()
