"""Time and peak memory of the synthetic case generator at several sizes.

Each size runs in a fresh Python process so its peak resident memory (``ru_maxrss``) is its own.

    python benchmarks/bench_synth.py                 # 100k and 1M
    python benchmarks/bench_synth.py --sizes 100k 1M 10M --seed 3
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

_CHILD = """
import json, resource, sys, time
from pathlib import Path
from finflow.synth import generate
seed, size, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
start = time.perf_counter()
summary = generate(seed, size, out)
elapsed = time.perf_counter() - start
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
disk = sum(p.stat().st_size for p in Path(out).iterdir())
print(json.dumps({"rows": summary.transactions, "seconds": elapsed, "peak_mib": peak_kib / 1024,
                  "disk_mib": disk / 2**20, "files": len(summary.files)}))
"""


def run(seed: int, size: int) -> dict[str, float]:
    """Generate one case in a child process; returns its figures."""
    with tempfile.TemporaryDirectory(prefix="bench-synth-") as tmp:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, str(seed), str(size), str(Path(tmp) / "case")],
            check=True,
            capture_output=True,
            text=True,
            encoding="utf-8",
        )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    from finflow.synth import parse_size

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["100k", "1M"])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"{'size':>10} {'rows':>11} {'seconds':>9} {'rows/s':>10} {'peak MiB':>9} {'disk MiB':>9}")
    for text in args.sizes:
        size = parse_size(text)
        r = run(args.seed, size)
        print(
            f"{size:>10,} {int(r['rows']):>11,} {r['seconds']:>9.1f} "
            f"{r['rows'] / r['seconds']:>10,.0f} {r['peak_mib']:>9.0f} {r['disk_mib']:>9.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
