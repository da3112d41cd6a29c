"""Speed of proceeds tracing (and path tracing) on a synthetic 1M-transaction case.

Usage: python benchmarks/bench_trace.py [--rows 1000000] [--accounts 200000] [--tainted 20]

Prints one line per method with the wall and CPU time of ``trace_proceeds`` (all four methods, 4 hops)
and of ``trace_paths`` forward and backward. Synthetic data only, made with numpy; the same seed
gives the same case.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from finflow.casedata import CaseData
from finflow.model import SCHEMAS
from finflow.trace import trace_paths, trace_proceeds


def synthetic_case(rows: int, accounts: int, seed: int = 7) -> CaseData:
    """Random transfers over a year; 5 % cash in, 5 % cash out, 2 % abroad, 30 % with a time."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"ACC{n:07d}" for n in range(accounts)], dtype=object)
    # Skewed activity: a few busy accounts, many quiet ones.
    weights = rng.pareto(1.5, accounts) + 1
    weights /= weights.sum()
    frm = ids[rng.choice(accounts, rows, p=weights)]
    to = ids[rng.choice(accounts, rows, p=weights)]
    kind = rng.random(rows)
    frm = np.where(kind < 0.05, None, frm)
    to = np.where((kind >= 0.05) & (kind < 0.10), None, to)
    foreign = (kind >= 0.10) & (kind < 0.12)
    days = rng.integers(0, 365, rows)
    timed = rng.random(rows) < 0.3
    minutes = rng.integers(0, 24 * 60, rows)
    frame = pd.DataFrame(
        {
            "txn_id": [f"txn-{n:09d}" for n in range(rows)],
            "booking_date": pd.Timestamp("2024-01-01") + pd.to_timedelta(days, unit="D"),
            "booking_time": pd.Series([f"{m // 60:02d}:{m % 60:02d}" for m in minutes], dtype="string").where(timed),
            "amount_minor": rng.integers(100, 2_000_000, rows),
            "currency": "NOK",
            "from_account": frm,
            "to_account": to,
            "to_country": np.where(foreign, "PL", None),
            "channel": "transfer",
            "source_file": "synthetic.csv",
            "source_sha256": "0" * 64,
            "source_locator": "row",
            "batch_id": "bench",
        }
    )
    for column in SCHEMAS["transactions"].names:
        if column not in frame.columns:
            frame[column] = None
    return CaseData.from_tables({"transactions": frame})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=200_000)
    parser.add_argument("--tainted", type=int, default=20)
    parser.add_argument("--max-hops", type=int, default=4)
    args = parser.parse_args()

    started = time.perf_counter()
    data = synthetic_case(args.rows, args.accounts)
    print(
        f"built case: {args.rows:,} transactions, {args.accounts:,} accounts in {time.perf_counter() - started:.1f} s"
    )
    tx = data.transactions
    inflows = tx[tx["to_account"].notna() & tx["to_country"].isna()]
    tainted = inflows.sample(args.tainted, random_state=1)["txn_id"].astype(str).tolist()

    print(f"{'run':<20} {'wall s':>8} {'cpu s':>8} {'traced NOK':>16} {'result rows':>12}")
    for method in ("fifo", "lifo", "pro_rata", "libr"):
        started, cpu = time.perf_counter(), time.process_time()
        result = trace_proceeds(data, tainted, method=method, max_hops=args.max_hops)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        traced = sum(result.traced.values()) / 100
        print(f"{'proceeds ' + method:<20} {seconds:8.2f} {cpu:8.2f} {traced:16,.2f} {len(result.destinations):12,}")
    start = tx["from_account"].dropna().value_counts().index[0]
    for direction in ("forward", "backward"):
        started, cpu = time.perf_counter(), time.process_time()
        paths = trace_paths(data, str(start), direction=direction, max_hops=args.max_hops)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(f"{'paths ' + direction:<20} {seconds:8.2f} {cpu:8.2f} {'':>16} {len(paths.rows):12,}")


if __name__ == "__main__":
    main()
