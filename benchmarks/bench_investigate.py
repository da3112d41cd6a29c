"""`finflow investigate` end to end, stage by stage, next to a raw pyarrow read of the same CSVs.

Usage: python benchmarks/bench_investigate.py [--sizes 10k,200k,1M] [--seed 7] [--keep DIR]

Each size runs in a fresh process (peak memory is that size's own). The case is generated first
with `finflow synth` (not timed); then, in the same process, every CSV of it is read once with
`pyarrow.csv.read_csv` (the floor: parsing alone) and `investigate()` runs into an empty case and
output folder. Stages are cut at investigate's own progress messages (STAGES). Wall and CPU seconds are
both printed: on a shared, loaded machine the wall time grows with the load, CPU time much less.
Peak memory is the process's maximum resident set (as `/usr/bin/time -v` reports it).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

#: investigate's progress messages that open each stage, in the order investigate reports them
#: (a stage runs until the next stage's message; a message matches at its start).
STAGES = [
    ("import", r"importing \d+ file"),  # reading the files into the case, then loading the case
    ("detect+rank", r"running \d+ detectors"),  # the detectors, then reviews, roles, ranking, networks
    ("findings", r"since the previous run: "),  # comparing with the previous run, findings.json/csv
    ("subjects", r"resolving roles"),  # subjects.csv, possible_victims.csv, networks.json
    ("timelines", r"writing \d+ account timelines"),
    ("overview", r"drawing the case overview"),
    ("views", r"drawing \d+ subject views"),
    ("traces", r"tracing the money of"),  # absent when no controller is ranked
    ("casework", r"statement coverage, next data requests"),
    ("report", r"writing the case report"),
]


def stage_of(message: str, pending: list[tuple[str, str]]) -> int | None:
    """Index in ``pending`` of the first stage ``message`` opens, or None."""
    for i, (_name, pattern) in enumerate(pending):
        if re.match(pattern, message):
            return i
    return None


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_one(size: str, seed: int, keep: str | None) -> dict:
    import pyarrow.csv as pacsv

    from finflow.investigate import investigate
    from finflow.synth import generate, parse_size

    tmp = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="bench-investigate-"))
    source = tmp / f"in-{size}"
    if not source.exists():
        generate(seed, parse_size(size), source)
    csvs = sorted(source.rglob("*.csv"))
    t0, c0 = time.perf_counter(), _cpu()
    raw_rows = sum(pacsv.read_csv(path).num_rows for path in csvs)
    raw = (time.perf_counter() - t0, _cpu() - c0)

    marks: list[tuple[str, float, float]] = []
    pending = list(STAGES)

    def progress(message: str) -> None:
        i = stage_of(message, pending)
        if i is not None:  # a stage may be absent (no controller: no traces)
            marks.append((pending[i][0], time.perf_counter(), _cpu()))
            del pending[: i + 1]

    case_dir, out_dir = tmp / f"case-{size}", tmp / f"out-{size}"
    for path in (case_dir, out_dir):
        if path.exists():
            subprocess.run(["rm", "-rf", str(path)], check=True)
    start, cpu_start = time.perf_counter(), _cpu()
    result = investigate(source, case_dir=case_dir, out_dir=out_dir, progress=progress)
    end, cpu_end = time.perf_counter(), _cpu()
    stages = {}
    bounds = [*marks, ("end", end, cpu_end)]
    for (name, t, c), (_next, t2, c2) in pairwise(bounds):
        stages[name] = (t2 - t, c2 - c)
    return {
        "size": size,
        "transactions": len(result.data.transactions),
        "csv_files": len(csvs),
        "csv_rows": raw_rows,
        "raw_read": raw,
        "stages": stages,
        "total": (end - start, cpu_end - cpu_start),
        "findings": len(result.findings),
        "peak_mib": _peak_mib(),
        "views": len(list((out_dir / "views").glob("*.html"))),
    }


def _fmt(pair: tuple[float, float] | None) -> str:
    return "-" if pair is None else f"{pair[0]:.1f}/{pair[1]:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,200k,1M", help="comma-separated case sizes (default 10k,200k,1M)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", default=None, help="folder to keep generated cases in (reused when present)")
    parser.add_argument("--one", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.seed, args.keep)))
        return
    names = [name for name, _ in STAGES]
    load = os.getloadavg()
    print(f"# {os.cpu_count()} CPUs, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at start")
    print("# seconds as wall/CPU; raw = pyarrow.csv.read_csv of every CSV of the case, same process")
    header = ["size", "txns", "raw read", *names, "total", "peak MiB", "findings", "views"]
    print(" | ".join(header))
    for size in args.sizes.split(","):
        command = [sys.executable, __file__, "--one", size, "--seed", str(args.seed)]
        if args.keep:
            command += ["--keep", args.keep]
        out = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        cells = [r["size"], f"{r['transactions']:,}", _fmt(r["raw_read"]),
                 *(_fmt(r["stages"].get(n)) for n in names), _fmt(r["total"]), f"{r['peak_mib']:.0f}",
                 str(r["findings"]), str(r["views"])]  # fmt: skip
        print(" | ".join(cells), flush=True)
    load = os.getloadavg()
    print(f"# load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at end")


if __name__ == "__main__":
    main()
