"""CPU time per detector, for the role/ranking step and for the account timelines, on one case.

Generates a case once (``finflow.synth.generate``; kept in ``--keep`` so paired runs read the
same files), imports it, then times in one process with ``time.process_time`` (CPU, not wall
clock: the machines are shared) each detector as ``finflow investigate`` runs them
(:func:`finflow.detect.registry.run_detectors`, per currency), ``finflow.leads.analyse`` and the
timelines ``finflow investigate`` writes for the accounts of the top findings.

``--findings-out DIR`` also writes ``findings.json`` there, to compare two code versions byte
for byte (``cmp a/findings.json b/findings.json``). Each run imports into a new case, and person
ids are keyed per case (:mod:`finflow.casekey`): set ``FINFLOW_CASE_KEY`` to the same value for
both runs, or the ids (and the order of findings with equal scores) differ.

Usage::

    python benchmarks/bench_detection_cpu.py --size 200000 --keep /tmp/case200k
    FINFLOW_CASE_KEY=k python benchmarks/bench_detection_cpu.py --size 20000 --keep /tmp/c20k --findings-out /tmp/f
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections import Counter
from itertools import pairwise
from pathlib import Path

from bench_detection import _load

from finflow.config import load_config
from finflow.detect.registry import run_detectors
from finflow.findings_io import write_findings
from finflow.leads import analyse
from finflow.outputs import _timelines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="folder for the generated files (reused when present)")
    parser.add_argument("--timelines", type=int, default=40, help="top findings whose accounts get timelines")
    parser.add_argument("--findings-out", type=Path)
    args = parser.parse_args()
    from finflow.synth import generate

    with tempfile.TemporaryDirectory() as tmp:
        source = args.keep or Path(tmp) / "in"
        if not (source / "ground_truth.json").exists():
            generate(args.seed, args.size, source)
        with tempfile.TemporaryDirectory() as work:
            copy = Path(work) / "in"  # a fresh case store each run: nothing cached between runs
            copy.mkdir()
            for path in source.iterdir():
                if path.is_file():
                    (copy / path.name).write_bytes(path.read_bytes())
            data = _load(copy)
            _run(data, args)


def _run(data, args) -> None:
    config = load_config()
    print(f"{len(data.transactions):,} transactions (seed {args.seed}); load {os.getloadavg()[0]:.1f}")
    marks: list[tuple[str, float]] = []
    start = time.process_time()
    findings = run_detectors(data, config, on_start=lambda d: marks.append((d.name, time.process_time())))
    end = time.process_time()
    marks.append(("", end))
    counts = Counter(f.detector for f in findings)
    print(f"  {'step':26s} {'CPU s':>7s} findings")
    for (name, t0), (_next, t1) in pairwise(marks):
        print(f"  {name:26s} {t1 - t0:7.2f} {counts.get(name, 0):5d}")
    print(f"  {'all detectors':26s} {end - start:7.2f} {len(findings):5d}  (the first includes per-currency views)")
    t0 = time.process_time()
    analyse(findings, data, config)
    print(f"  {'roles + ranking (analyse)':26s} {time.process_time() - t0:7.2f}")
    wanted = [(s.id, s.label) for f in findings[: args.timelines] for s in f.subjects if s.kind in ("account", "party")]
    with tempfile.TemporaryDirectory() as out:
        (Path(out) / "views").mkdir()
        t0 = time.process_time()
        written = _timelines(Path(out), data, findings, wanted, lambda _message: None)
        print(f"  {f'timelines ({len(written)})':26s} {time.process_time() - t0:7.2f}")
    if args.findings_out:
        write_findings(args.findings_out, data, findings, config)
        print(f"  wrote {args.findings_out / 'findings.json'}")


if __name__ == "__main__":
    main()
