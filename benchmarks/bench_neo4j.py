"""Neo4j load throughput: finflow's batched loader against Neo4j's own LOAD CSV.

    python benchmarks/bench_neo4j.py                 # 100k and 1M transactions
    python benchmarks/bench_neo4j.py --sizes 100000  # just 100k

Generates canonical transactions and accounts with numpy (synthetic, seeded), starts the test
harness (tests/neo4j/harness) with an import folder, and on the same server, each time on an
empty database with the same constraints:
  1. loads the case with ``finflow.neo4j.load.load_case``;
  2. loads the same rows written as CSV with ``LOAD CSV … CALL {…} IN TRANSACTIONS`` running the
     same statements (the nodes a row points at MERGEd first, then the table's CREATE statement
     for an empty database, row by row) with the same rows per transaction and as many
     concurrent transactions (``--workers``) — the reference.
Both paths are warmed up first (``--warmup`` transactions each): a fresh JVM runs the first few
hundred thousand rows several times slower while it compiles, and whichever path ran first would
pay for that.
Prints, per size, seconds and transactions per second for both, the ratio, and the CPU seconds
the server (and, for finflow, Python) spent, which are less sensitive than wall time to other
work on the machine. Targets: ≥ 20k transactions/s and at most 2× LOAD CSV's time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import secrets
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "neo4j"))

from neo4j_harness import start_harness  # noqa: E402

from finflow.casedata import CaseData  # noqa: E402
from finflow.model import conform  # noqa: E402
from finflow.neo4j.connect import connect  # noqa: E402
from finflow.neo4j.graphmodel import FRESH_STATEMENTS, LOAD_REFERENCES  # noqa: E402
from finflow.neo4j.load import DEFAULT_WORKERS, apply_schema, load_case, table_rows  # noqa: E402

CHANNELS = np.array(["transfer", "p2p", "card", "cash_deposit", "salary"])


def synthetic_case(n: int, seed: int = 7) -> CaseData:
    """``n`` transactions between ``n // 5`` accounts; a tenth of them cash deposits."""
    rng = np.random.default_rng(seed)
    n_accounts = max(10, n // 5)
    account_ids = np.char.add("1503", np.char.zfill(np.arange(n_accounts).astype(str), 7))
    channel = CHANNELS[rng.choice(len(CHANNELS), n, p=[0.5, 0.25, 0.1, 0.1, 0.05])]
    src = account_ids[rng.integers(0, n_accounts, n)].astype(object)
    src[channel == "cash_deposit"] = None
    dst = account_ids[rng.integers(0, n_accounts, n)]
    days = rng.integers(0, 730, n)
    base = np.datetime64("2023-01-01")
    minutes = rng.integers(0, 24 * 60, n)
    times = [f"{m // 60:02d}:{m % 60:02d}" for m in minutes.tolist()]
    prov = {
        "source_file": "synthetic.csv",
        "source_sha256": "ab" * 32,
        "source_locator": np.char.add("row ", np.arange(2, n + 2).astype(str)),
        "batch_id": "batch-bench",
    }
    transactions = pd.DataFrame(
        {
            "txn_id": np.char.add("txn-", np.char.zfill(np.arange(n).astype(str), 9)),
            "booking_date": (base + days).astype("datetime64[D]"),
            "booking_time": times,
            "amount_minor": rng.integers(1_000, 5_000_000, n),
            "currency": "NOK",
            "from_account": src,
            "to_account": dst,
            "from_name": None,
            "to_name": None,
            "from_country": None,
            "to_country": None,
            "channel": channel,
            "description": "Betaling",
            "txn_ref": None,
            **prov,
        }
    )
    accounts = pd.DataFrame(
        {
            "account_id": account_ids,
            "scheme": "no_bban",
            "validated": True,
            "country": "NO",
            "holder_party_id": None,
            "holder_name": None,
            **{k: (v if isinstance(v, str) else v[:n_accounts]) for k, v in prov.items()},
        }
    )
    frames = {
        "transactions": conform("transactions", transactions).to_pandas(types_mapper=pd.ArrowDtype),
        "accounts": conform("accounts", accounts).to_pandas(types_mapper=pd.ArrowDtype),
    }
    return CaseData.from_tables(frames)


def _csv_statement(table: str, casts: dict[str, str], batch_size: int, workers: int) -> str:
    """The loader's own statements for an empty database, fed row by row from LOAD CSV.

    finflow CREATEs a table's nodes when none exist yet (``FRESH_STATEMENTS``, which take the
    batch as columns); here the same CREATE runs on each CSV row ``r``. Dates stay ISO text, as
    the loader sends them (its statements apply ``date()``).
    """
    fresh = FRESH_STATEMENTS[table].split(" AS i\n", 1)[1]
    body = re.sub(r"\bc\.(\w+)\[i\]", r"r.\1", fresh).replace(", c, i\n", ", r\n")
    refs = "".join(
        f"FOREACH (id IN [x IN [{', '.join(f'r.{c}' for c in ref.columns)}] WHERE x IS NOT NULL] |\n"
        f"  MERGE (:{ref.label} {{{ref.key}: id}}))\nWITH r\n"
        for ref in LOAD_REFERENCES.get(table, ())
    )
    concurrent = f"{workers} CONCURRENT " if workers > 1 else ""
    return (
        f"LOAD CSV WITH HEADERS FROM 'file:///{table}.csv' AS raw\n"
        f"CALL (raw) {{\nWITH {_row_map(table, casts)} AS r\n{refs}{body}\n}} "
        f"IN {concurrent}TRANSACTIONS OF {batch_size} ROWS"
    )


def _columns(table: str) -> list[str]:
    return _COLUMNS[table]


def _row_map(table: str, casts: dict[str, str]) -> str:
    parts = []
    for name in _columns(table):
        value = casts.get(name, f"raw.{name}")
        parts.append(f"{name}: CASE raw.{name} WHEN '' THEN null ELSE {value} END")
    return "{" + ", ".join(parts) + "}"


_COLUMNS: dict[str, list[str]] = {}

CASTS = {
    "transactions": {"amount_minor": "toInteger(raw.amount_minor)"},
    "accounts": {"validated": "raw.validated = 'true'"},
}


def _clear(driver) -> None:
    with driver.session() as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


def _count(driver) -> tuple[int, int]:
    nodes = driver.execute_query("MATCH (n) RETURN count(n) AS n").records[0]["n"]
    rels = driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS n").records[0]["n"]
    return nodes, rels


def _server_cpu(pid: int) -> float:
    """CPU seconds (user + system) the server process has used so far; NaN where unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _write_csv(import_dir: Path, data: CaseData) -> None:
    for table in ("accounts", "transactions"):
        rows = table_rows(data, table)
        _COLUMNS[table] = rows.column_names
        options = pacsv.WriteOptions(include_header=True)
        pacsv.write_csv(_csv_ready(rows), import_dir / f"{table}.csv", options)


def _load_csv(driver, batch_size: int, workers: int) -> None:
    with driver.session() as session:
        for table in ("accounts", "transactions"):
            session.run(_csv_statement(table, CASTS[table], batch_size, workers)).consume()


def bench(sizes: list[int], batch_size: int, workers: int, warmup: int) -> None:
    password = secrets.token_hex(12)
    with tempfile.TemporaryDirectory(prefix="finflow-bench-") as tmp:
        import_dir = Path(tmp)
        started = time.perf_counter()
        server = start_harness(password, import_dir=import_dir, heap="3g", page_cache="1g")
        pid = server.process.pid
        print(f"Neo4j {server.version} harness started in {time.perf_counter() - started:.0f} s")
        driver = connect(server.uri, "neo4j", password)
        try:
            apply_schema(driver)
            if warmup:
                started = time.perf_counter()
                data = synthetic_case(warmup, seed=1)
                _write_csv(import_dir, data)
                load_case(driver, data, batch_size=batch_size, schema=False, workers=workers)
                _clear(driver)
                _load_csv(driver, batch_size, workers)
                _clear(driver)
                print(f"warm-up: {warmup:,} transactions each way in {time.perf_counter() - started:.0f} s")
            print(
                f"{'transactions':>12}  {'finflow s':>9}  {'txn/s':>9}  "
                f"{'LOAD CSV s':>10}  {'txn/s':>9}  {'ratio':>5}  "
                f"{'server cpu s':>14}  {'py cpu s':>8}  graph (nodes, rels)"
            )
            for n in sizes:
                data = synthetic_case(n)
                _write_csv(import_dir, data)

                cpu0, py0, t0 = _server_cpu(pid), time.process_time(), time.perf_counter()
                load_case(driver, data, batch_size=batch_size, schema=False, workers=workers)
                ours = time.perf_counter() - t0
                ours_cpu, ours_py = _server_cpu(pid) - cpu0, time.process_time() - py0
                shape = _count(driver)
                _clear(driver)

                cpu0, t0 = _server_cpu(pid), time.perf_counter()
                _load_csv(driver, batch_size, workers)
                theirs = time.perf_counter() - t0
                theirs_cpu = _server_cpu(pid) - cpu0
                reference = _count(driver)
                _clear(driver)
                if reference != shape:
                    print(f"  warning: LOAD CSV built {reference}, finflow built {shape}")
                print(
                    f"{n:>12,}  {ours:>9.1f}  {n / ours:>9,.0f}  {theirs:>10.1f}  "
                    f"{n / theirs:>9,.0f}  {ours / theirs:>5.2f}  "
                    f"{ours_cpu:>6.1f} / {theirs_cpu:>5.1f}  {ours_py:>8.1f}  {shape}"
                )
        finally:
            driver.close()
            server.stop()


def _csv_ready(table: pa.Table) -> pa.Table:
    """Dates as ISO text, booleans as true/false: what LOAD CSV's casts expect."""
    columns = []
    for field, column in zip(table.schema, table.columns, strict=True):
        if pa.types.is_date(field.type) or pa.types.is_boolean(field.type):
            column = column.cast(pa.string())
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--batch-size", type=int, default=10_000, help="rows per transaction, both paths")
    parser.add_argument(
        "--workers", type=int, default=DEFAULT_WORKERS, help="concurrent transactions, both paths"
    )
    parser.add_argument(
        "--warmup", type=int, default=100_000, help="transactions loaded each way before measuring (0: none)"
    )
    args = parser.parse_args()
    print(
        f"finflow Neo4j load benchmark, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, "
        f"{os.cpu_count()} CPUs, {args.batch_size:,} rows per transaction, {args.workers} at a time"
    )
    bench(args.sizes, args.batch_size, args.workers, args.warmup)


if __name__ == "__main__":
    main()
