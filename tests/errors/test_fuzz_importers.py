"""Property tests: every importer, and ``investigate``, fed generated hostile files.

Each property asserts that nothing escapes as an unhandled exception (a failed file is one line
naming it, never "internal error"), that counts reconcile (read = loaded + rejected +
duplicates), and that importing the same file again changes nothing. Each test also counts the
examples that reached its reconciliation assertion and fails if none did, so a strategy that
only ever produces refused files cannot pass unnoticed.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from errcases import BANK, REGISTRY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finflow.case import open_case
from finflow.errors import FinflowError
from finflow.investigate import investigate
from finflow.model import TABLES
from finflow.outputs import OutputSettings

AMLWORLD = (
    b"Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,Amount Paid,"
    b"Payment Currency,Payment Format,Is Laundering\n"
    b"2022/09/01 00:20,010,8000EBD30,010,8000EBD31,100.00,US Dollar,100.00,US Dollar,Reinvestment,0\n"
    b"2022/09/01 00:25,011,8000EBD31,012,8000EBD32,2500.50,Euro,2500.50,Euro,Cheque,1\n"
)

#: format -> (file name, seed bytes); the name matters (bank exports take their account from it)
SEEDS: dict[str, tuple[str, bytes]] = {
    "generic_csv": ("transactions.csv", (BANK / "generic_case" / "transactions.csv").read_bytes()),
    "no_bank_csv": ("dnb_12079939089.csv", (BANK / "dnb_12079939089.csv").read_bytes()),
    "no_bank_csv_sbanken": ("sbanken_60394140026.txt", (BANK / "sbanken_60394140026.txt").read_bytes()),
    "camt053": ("camt053_v02_97106825541.xml", (BANK / "camt053_v02_97106825541.xml").read_bytes()),
    "brreg": ("entity_923609016.json", (REGISTRY / "entity_923609016.json").read_bytes()),
    "brreg_roles": ("roller_923609016.json", (REGISTRY / "roller_923609016.json").read_bytes()),
    "amlworld": ("HI-Small_Trans.csv", AMLWORLD),
    "kyc_accounts": ("accounts.csv", (REGISTRY / "accounts.csv").read_bytes()),
    "persons": ("persons.csv", (REGISTRY / "persons.csv").read_bytes()),
    "leases": ("leases.csv", (REGISTRY / "leases.csv").read_bytes()),
    "remittance": ("remittances.csv", (REGISTRY / "remittances.csv").read_bytes()),
}

#: Pieces of text that have broken importers somewhere: encodings, quoting, numbers, controls.
HOSTILE = [
    b"\x00", b"\xff\xfe", "ø".encode("cp1252"), "Å".encode(), b'"', b'""', b"\r", b"\n", b"\r\n", b";", b",", b"\t",
    b"=cmd|' /C calc'!A0", b"99999999999999999999999", b"-1", b"0", b"0.001", b"1e400", b"NaN", b"-0,00",
    b"\x1b[31m", "\u202e".encode(), b"x" * 3000, b"<", b"]]>", b"&amp;", b"{", b"}", b"[", b"null", b"2026-02-30",
    b"12079939089", b"12079939088", b"NO9386011117947", b"\xef\xbb\xbf", b"\\", b"'", b"%s", b"${x}",
]  # fmt: skip

EDITS = st.lists(
    st.tuples(st.integers(0, 4000), st.integers(0, 30), st.one_of(st.sampled_from(HOSTILE), st.binary(max_size=8))),
    max_size=5,
)


def mutate(seed: bytes, edits: list[tuple[int, int, bytes]], keep_header: bool) -> bytes:
    """``seed`` with ranges replaced by hostile pieces (after the first line when ``keep_header``)."""
    data = bytearray(seed)
    start = data.find(b"\n") + 1 if keep_header else 0
    for position, length, piece in edits:
        at = start + position % max(len(data) - start, 1)
        data[at : at + length] = piece
    return bytes(data)


#: Scratch space in memory where there is some: a case commit per example is the slow part.
SCRATCH = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


@pytest.fixture(autouse=True)
def _no_fsync(monkeypatch: pytest.MonkeyPatch) -> None:
    """Durability is tested elsewhere (tests/store); here fsync only costs time."""
    monkeypatch.setattr(os, "fsync", lambda fd: None)


def state(case) -> dict[str, list]:
    return {name: sorted(map(str, case.table(name).to_pylist())) for name in TABLES}


def check_import(folder: Path, name: str, data: bytes, reached: Counter, fmt: str | None = None) -> None:
    """Import ``data`` as ``name`` into a fresh case under ``folder`` and check the promises."""
    path = folder / name
    path.write_bytes(data)
    case = open_case(folder / "case")
    (report,) = case.import_files([path], format=fmt)
    if report.status == "failed":
        assert "\n" not in report.error and report.error.startswith(name), report.error
        assert "internal error" not in report.error, report.error
        assert case.manifest == []
        reached["refused"] += 1
        return
    assert report.status == "imported"
    assert report.reconciles, report
    assert min(report.loaded, report.rejected, report.duplicates) >= 0
    before = state(case)
    (again,) = open_case(folder / "case").import_files([path], format=fmt)
    assert again.status == "already imported" and again.duplicates == report.rows_read
    assert state(open_case(folder / "case")) == before
    reached["reconciled"] += 1


FAST = settings(
    max_examples=10, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)  # fmt: skip


@pytest.mark.parametrize("seed_name", sorted(SEEDS))
def test_every_importer_survives_hostile_edits(seed_name: str) -> None:
    name, seed = SEEDS[seed_name]
    reached: Counter = Counter()

    @FAST
    @given(edits=EDITS, keep_header=st.booleans(), forced=st.booleans())
    def run(edits, keep_header, forced) -> None:
        fmt = seed_name.split("_sbanken")[0].replace("brreg_roles", "brreg") if forced else None
        with tempfile.TemporaryDirectory(dir=SCRATCH) as tmp:
            check_import(Path(tmp), name, mutate(seed, edits, keep_header), reached, fmt)

    run()
    assert reached["reconciled"] > 0, reached  # the property reached its assertions
    assert reached["reconciled"] + reached["refused"] == FAST.max_examples


_NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, -1.0, 1e19, 1e300, 0.005, 12.345, 499.125, 2.0**63]),
)


def test_amlgentex_logs_with_hostile_values_reconcile() -> None:
    reached: Counter = Counter()

    @FAST
    @given(
        rows=st.lists(
            st.tuples(
                st.integers(-5, 2**40),
                st.sampled_from(["TRANSFER", "CASH", "INITALBALANCE", "transfer ", "", "?"]),
                _NUMBERS,
                st.integers(-(2**31), 2**31 - 1),
                st.integers(-(2**31), 2**31 - 1),
                st.sampled_from([0, 1, 2, -1]),
            ),
            min_size=1,
            max_size=12,
        )
    )
    def run(rows) -> None:
        step, kind, amount, orig, dest, sar = map(list, zip(*rows, strict=True))
        table = pa.table({
            "step": pa.array(step, pa.int64()), "type": pa.array(kind), "amount": pa.array(amount, pa.float64()),
            "nameOrig": pa.array(orig, pa.int64()), "nameDest": pa.array(dest, pa.int64()),
            "isSAR": pa.array(sar, pa.int64()),
        })  # fmt: skip
        with tempfile.TemporaryDirectory(dir=SCRATCH) as tmp:
            sink = pa.BufferOutputStream()
            pq.write_table(table, sink)
            check_import(Path(tmp), "tx_log.parquet", sink.getvalue().to_pybytes(), reached)
            if reached["reconciled"]:
                kept = open_case(Path(tmp) / "case").table("transactions").column("amount_minor").to_pylist()
                assert all(isinstance(v, int) and v > 0 for v in kept)
                assert all(math.isfinite(a) for a in amount) or len(kept) <= len(rows)

    run()
    assert reached["reconciled"] > 0, reached


def test_investigate_survives_folders_of_hostile_files() -> None:
    reached: Counter = Counter()
    quiet = OutputSettings(subject_views=0, finding_views=0, traces=0)

    @settings(FAST, max_examples=2)
    @given(
        picks=st.lists(st.sampled_from(sorted(SEEDS)), min_size=1, max_size=3, unique=True),
        edits=EDITS,
    )
    def run(picks, edits) -> None:
        with tempfile.TemporaryDirectory(dir=SCRATCH) as tmp:
            folder = Path(tmp) / "in"
            folder.mkdir()
            (folder / "base.csv").write_bytes(SEEDS["generic_csv"][1])  # something to analyse
            for pick in picks:
                name, seed = SEEDS[pick]
                (folder / f"x_{name}").write_bytes(mutate(seed, edits, keep_header=True))
            try:
                result = investigate(folder, case_dir=Path(tmp) / "case", out_dir=Path(tmp) / "out",
                                     settings=quiet, case_name="fuzz")  # fmt: skip
            except FinflowError as exc:
                assert "\n" not in str(exc)
                reached["refused"] += 1
                return
            assert all("internal error" not in r.error for r in result.reports)
            assert all(r.error.count("\n") == 0 for r in result.reports)
            assert all(r.reconciles for r in result.reports if r.status != "failed")
            assert (Path(tmp) / "out" / "findings.json").is_file()
            case = open_case(Path(tmp) / "case")
            before = state(case)
            again = case.import_files(sorted(folder.iterdir()))  # investigating again imports nothing new
            assert all(r.status in ("already imported", "failed") for r in again)
            assert state(open_case(Path(tmp) / "case")) == before
            reached["reconciled"] += 1

    run()
    assert reached["reconciled"] > 0, reached
