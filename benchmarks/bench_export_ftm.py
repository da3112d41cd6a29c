"""FtM export memory: does ``finflow export ftm`` stream, or hold every payment as an object?

Builds a case of N payments between 2,000 accounts in memory (the case tables, as
``finflow export`` reads them), then writes it as FtM JSON lines and reports, per size, the time,
the lines written, and the peak Python memory allocated *during the export* on top of the case
tables (tracemalloc). A streaming export keeps that peak flat as N grows; one FtM proxy per
payment held in memory would grow it by about 2 KB a payment (2 GB for 1M payments).

Usage::

    python benchmarks/bench_export_ftm.py [N ...]      # default: 20000 100000
"""

from __future__ import annotations

import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from finflow.casedata import CaseData
from finflow.exports.context import ExportCase
from finflow.exports.ftm import write_ftm
from finflow.subjects import rank_subjects


def synthetic_case(n: int, accounts: int = 2000, seed: int = 1) -> CaseData:
    rng = np.random.default_rng(seed)
    ids = [f"{12000000000 + i * 7:011d}" for i in range(accounts)]
    src = rng.integers(0, accounts, n)
    dst = (src + rng.integers(1, accounts, n)) % accounts
    prov = {"source_file": "bench.csv", "source_sha256": "0" * 64, "batch_id": "b"}
    tx = pd.DataFrame(
        {
            "txn_id": [f"txn-{i:012x}" for i in range(n)],
            "booking_date": pd.to_datetime("2026-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D"),
            "booking_time": None,
            "amount_minor": rng.integers(100, 10_000_000, n),
            "currency": "NOK",
            "from_account": [ids[i] for i in src],
            "to_account": [ids[i] for i in dst],
            "from_name": None, "to_name": None, "from_country": "NO", "to_country": "NO",
            "channel": "transfer",
            "description": "rent",
            "txn_ref": None,
            "source_locator": [f"row {i + 2}" for i in range(n)],
            **prov,
        }
    )  # fmt: skip
    tx["booking_date"] = tx["booking_date"].dt.date
    acc = pd.DataFrame(
        {"account_id": ids, "scheme": "no_bban", "validated": True, "country": "NO", "holder_party_id": None,
         "holder_name": [f"Holder {i}" for i in range(accounts)], "source_locator": "row 1", **prov}
    )  # fmt: skip
    return CaseData(transactions=tx, accounts=acc)


def measure(n: int) -> dict:
    from followthemoney import model

    model.make_entity("Payment")  # the model loads once, outside the measurement
    data = synthetic_case(n)
    empty = rank_subjects([], data, None)
    sources = [{"file": "bench.csv", "sha256": "0" * 64}]
    case = ExportCase(Path("."), data, [], {}, empty, sources, {}, False)
    with tempfile.TemporaryDirectory() as tmp:
        tracemalloc.start()
        start = time.perf_counter()
        path, count = write_ftm(case, Path(tmp) / "case.ftm")
        seconds = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        size = path.stat().st_size
    return {"payments": n, "entities": count, "seconds": seconds, "peak_mib": peak / 2**20, "file_mib": size / 2**20}


def main(sizes: list[int]) -> None:
    print(f"{'payments':>10} {'entities':>10} {'seconds':>8} {'export peak MiB':>16} {'file MiB':>9}")
    for n in sizes:
        r = measure(n)
        counts = f"{r['payments']:>10,} {r['entities']:>10,}"
        print(f"{counts} {r['seconds']:>8.1f} {r['peak_mib']:>16.1f} {r['file_mib']:>9.1f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [20_000, 100_000])
