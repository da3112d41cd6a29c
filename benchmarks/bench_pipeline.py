"""Time and peak memory of the main job's stages: import, graph build, detection.

Usage: python benchmarks/bench_pipeline.py [SIZE ...]   (default: 10k 100k 1M)

Each size runs in a fresh process (so peak memory is that size's own): the case is generated
first (not timed), then imported into an empty embedded store, turned into the money graph, and
analysed by every detector. Prints one row per size.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(size: str, seed: int = 11) -> dict:
    from finflow.case import open_case
    from finflow.detect.registry import run_detectors
    from finflow.graph import money_graph
    from finflow.investigate import discover_files
    from finflow.synth import generate, parse_size

    with tempfile.TemporaryDirectory() as tmp:
        summary = generate(seed, parse_size(size), Path(tmp) / "in")
        base = _peak_mib()
        t0 = time.perf_counter()
        case = open_case(Path(tmp) / "case")
        case.import_files(discover_files(Path(tmp) / "in"))
        data = open_case(Path(tmp) / "case").data()
        t1 = time.perf_counter()
        mem_import = _peak_mib()
        graph = money_graph(data)
        t2 = time.perf_counter()
        mem_graph = _peak_mib()
        findings = run_detectors(data)
        t3 = time.perf_counter()
        return {
            "size": size,
            "transactions": len(data.transactions),
            "generated": summary.transactions,
            "edges": graph.number_of_edges(),
            "findings": len(findings),
            "import_s": t1 - t0,
            "graph_s": t2 - t1,
            "detect_s": t3 - t2,
            "total_s": t3 - t0,
            "peak_mib_before": base,
            "peak_mib_import": mem_import,
            "peak_mib_graph": mem_graph,
            "peak_mib": _peak_mib(),
        }


def main(sizes: list[str]) -> None:
    print(f"{'size':>6} {'txns':>10} {'import s':>9} {'graph s':>8} {'detect s':>9} {'total s':>8} "
          f"{'peak MiB':>9} {'txn/s':>9}")
    for size in sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--one", size], capture_output=True, text=True, encoding="utf-8", check=True
        ).stdout.strip().splitlines()[-1]
        r = json.loads(out)
        print(f"{r['size']:>6} {r['transactions']:>10,} {r['import_s']:>9.1f} {r['graph_s']:>8.1f} "
              f"{r['detect_s']:>9.1f} {r['total_s']:>8.1f} {r['peak_mib']:>9.0f} "
              f"{r['transactions'] / r['total_s']:>9,.0f}", flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--one":
        print(json.dumps(run_one(sys.argv[2])))
    else:
        main(sys.argv[1:] or ["10k", "100k", "1M"])
