"""Import throughput of the bank statement adapters (bank CSV, camt.053) on synthetic statements.

Writes one account's statement of ``--rows`` transactions in each format with finflow's own
writers, then times the adapter's ``read`` (parsing, validation, ids, canonical tables).
Prints rows/s per format (wall clock) and the CPU time of all processes involved (camt.053 files
of 64 MiB or more are read in runs of statements, one process per core). Targets on a 2-core
machine: ≥ 200k rows/s for bank CSV, ≥ 50k entries/s for camt.053.

    python benchmarks/bench_import.py --rows 1000000
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from unittest import mock

import numpy as np
import pandas as pd

from finflow.importers import bank_csv, camt053
from finflow.importers.base import Source
from finflow.importers.transactions import finish_transactions
from finflow.writers.bank_csv import BankStyle, write_bank_csv
from finflow.writers.camt053 import write_camt053

OWN = "12079939089"
CHANNELS = np.array(["card", "transfer", "p2p", "salary", "cash_withdrawal", "cash_deposit", "fee"])


def _accounts(n: int, rng: np.random.Generator) -> list[str]:
    weights = np.array([5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
    out: list[str] = []
    while len(out) < n:
        base = rng.integers(0, 10, size=10)
        check = 11 - int(base @ weights) % 11
        if check == 10:
            continue
        out.append("".join(map(str, base)) + str(0 if check == 11 else check))
    return out


def synthetic(rows: int, seed: int = 1) -> pd.DataFrame:
    """Canonical transactions of one account: half credits, half debits, 5k counterparties."""
    rng = np.random.default_rng(seed)
    pool = np.array(_accounts(5000, rng), dtype=object)
    counterparty = pool[rng.integers(0, len(pool), rows)]
    credit = rng.random(rows) < 0.5
    channel = CHANNELS[rng.integers(0, len(CHANNELS), rows)]
    counterparty = np.where(np.isin(channel, ["cash_withdrawal", "cash_deposit"]), None, counterparty)
    days = pd.Timestamp("2025-01-01") + pd.to_timedelta(np.sort(rng.integers(0, 365, rows)), unit="D")
    minutes = rng.integers(0, 24 * 60, rows)
    times = pd.Series([f"{m // 60:02d}:{m % 60:02d}" for m in minutes], dtype="string")
    own = pd.Series(OWN, index=range(rows), dtype="string")
    cp = pd.Series(counterparty, dtype="string")
    return pd.DataFrame(
        {
            "booking_date": days,
            "booking_time": times.where(pd.Series(channel) == "card"),
            "amount_minor": rng.integers(100, 5_000_000, rows),
            "currency": "NOK",
            "from_account": cp.where(credit, own),
            "to_account": own.where(credit, cp),
            "from_name": pd.Series("Kari Nordmann", index=own.index, dtype="string"),
            "to_name": pd.Series("Ola Hansen", index=own.index, dtype="string"),
            "from_country": pd.Series(pd.NA, index=own.index, dtype="string"),
            "to_country": pd.Series(pd.NA, index=own.index, dtype="string"),
            "channel": channel,
            "description": pd.Series("Faktura 1234", index=own.index, dtype="string"),
            "txn_ref": pd.Series(pd.NA, index=own.index, dtype="string"),
        }
    )


_FINISH_CPU = [0.0]


def _timed_finish(rows: pd.DataFrame, source: Source) -> dict[str, pd.DataFrame]:
    """``finish_transactions`` (shared: ids, account normalisation), timed separately."""
    start = time.process_time()
    try:
        return finish_transactions(rows, source)
    finally:
        _FINISH_CPU[0] += time.process_time() - start


def _time(label: str, module: object, path: str, rows: int) -> None:
    source = Source(path, os.path.basename(path), "0" * 64, "bench", {"account": OWN})
    _FINISH_CPU[0] = 0.0
    start, before = time.perf_counter(), os.times()
    with mock.patch.object(module, "finish_transactions", _timed_finish):
        result = module.read(path, source)
    after = os.times()
    seconds = time.perf_counter() - start
    # CPU of this process and of the processes it started (camt.053 reads runs of statements in parallel)
    cpu = sum(after[:4]) - sum(before[:4])
    loaded = len(result.tables["transactions"])
    size = os.path.getsize(path) / 2**20
    print(
        f"{label:<22} {rows:>9,} rows {size:7.1f} MiB  wall {seconds:7.2f} s {rows / seconds:>9,.0f} rows/s"
        f"  cpu {cpu:7.2f} s {rows / cpu:>9,.0f} rows/s  of which finish_transactions {_FINISH_CPU[0]:6.2f} s"
        f"  (loaded {loaded:,}, rejected {len(result.rejects):,})",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--formats", default="dnb,dnb-motkonto,sparebank1,nordea,sbanken,camt053")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    txns = synthetic(args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in args.formats.split(","):
            if fmt.startswith("camt"):
                path = os.path.join(tmp, f"camt053_{OWN}.xml")
                write_camt053(txns, OWN, path, version="001.02")
                _time("camt053 (.001.02)", camt053, path, args.rows)
            else:
                path = os.path.join(tmp, f"{fmt}_{OWN}.csv")
                write_bank_csv(txns, OWN, fmt, path, BankStyle(numbers="grouped" if fmt == "dnb" else "comma"))
                _time(f"bank CSV ({fmt})", bank_csv, path, args.rows)
            os.remove(path)


if __name__ == "__main__":
    main()
