"""AMLGentex transaction logs (``tx_log.parquet``, github aks-fund/AMLGentex).

Columns used: ``step`` (day number of the simulation), ``type`` (``TRANSFER``, ``CASH``,
``INITALBALANCE``), ``amount`` (a float), ``nameOrig`` / ``nameDest`` (integer account ids;
negative ids are the world outside: ``-2`` the source of income, ``-1`` the sink of spending),
and, when present, the labels ``isSAR`` (1 = laundering), ``patternID`` (or ``alertID``) and
``modelType`` (1 fan_out, 2 fan_in, 3 cycle, 4 bipartite, 5 stack, 6 random, 7 scatter_gather,
8 gather_scatter). Other columns (balances, banks, phone changes) are not transactions' facts
finflow models and are left out.

- Dates are ``start_date`` (option; default 2023-01-01, AMLGentex's own default ``base_date``)
  plus ``step`` days; the currency is the ``currency`` option (default EUR; AMLGentex has none).
- Accounts are ``AMLG`` and the id zero-padded to seven digits (``AMLG0000042``), as in the
  AMLGentex development set; income from outside has no payer, spending outside no payee.
- ``CASH`` from the source is a cash deposit, to the sink a cash withdrawal, between two
  accounts a cash hand-over (channel ``other``). ``INITALBALANCE`` rows are opening balances,
  not payments: they are kept as rejects with that reason, so rows still add up.
- Float amounts become decimals by their shortest representation and are rounded half to even
  to the currency's minor unit (never through float arithmetic); the import notes how many.
- The labels are not imported: :func:`truth` reads them for ``finflow evaluate``.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from finflow.money import is_currency

from .base import ImportError_, ImportResult, Source, reject
from .labelled import TRUTH_SOURCE, amounts_to_minor, truth_document
from .transactions import finish_transactions

__all__ = ["DESCRIPTION", "FORMAT", "MODEL_TYPES", "PRIORITY", "read", "sniff", "truth"]

FORMAT = "amlgentex"
DESCRIPTION = "AMLGentex transaction log (tx_log.parquet: step, type, amount, nameOrig, nameDest, isSAR)"
PRIORITY = 40

REQUIRED = ("step", "type", "amount", "nameOrig", "nameDest")
MAX_STEP = 36_600  # simulations run for days or years; a step beyond a century is not a date
LABELS = ("isSAR", "patternID", "alertID", "modelType")
#: AMLGentex ``modelType`` of laundering patterns (src/utils/pattern_types.py).
MODEL_TYPES = {
    1: "fan_out", 2: "fan_in", 3: "cycle", 4: "bipartite", 5: "stack", 6: "random", 7: "scatter_gather",
    8: "gather_scatter",
}  # fmt: skip
DEFAULT_START = "2023-01-01"
DEFAULT_CURRENCY = "EUR"
_OPENING = {"INITALBALANCE", "INITIALBALANCE"}


def sniff(head: bytes, name: str) -> bool:
    """A Parquet file (``read`` checks it has the transaction-log columns)."""
    return head[:4] == b"PAR1"


def read(path: str, source: Source) -> ImportResult:
    parsed, rejects, rows_read, notes = _parse(path, source)
    tables = finish_transactions(parsed.drop(columns=["sar", "model"]), source)
    return ImportResult(FORMAT, rows_read, tables, rejects, notes)


def truth(path: str, options: dict[str, str] | None = None) -> dict:
    """The truth document: transactions with ``isSAR`` = 1, by ``modelType`` where present."""
    source = Source(TRUTH_SOURCE.path, TRUTH_SOURCE.name, "", "truth", options or {})
    parsed, _, _, _ = _parse(path, source)
    if parsed["sar"].isna().all():
        raise ImportError_(f"{Path(path).name}: has no isSAR column, so no ground truth")
    ids = finish_transactions(parsed.drop(columns=["sar", "model"]), source)["transactions"]["txn_id"]
    bad = parsed["sar"].eq(1).fillna(False).to_numpy(dtype=bool)
    typology = parsed["model"][bad].map(MODEL_TYPES)
    return truth_document(
        Path(path).name, ids[bad], parsed["from_account"][bad], parsed["to_account"][bad],
        typology if typology.notna().any() else None,
    )  # fmt: skip


def _parse(path: str, source: Source) -> tuple[pd.DataFrame, pd.DataFrame, int, list[str]]:
    try:
        schema = pq.read_schema(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise ImportError_(f"{source.name}: not a readable Parquet file ({exc})") from None
    missing = [c for c in REQUIRED if c not in schema.names]
    if missing:
        raise ImportError_(
            f"{source.name}: not an AMLGentex transaction log: lacks column(s) {', '.join(missing)} "
            f"(expected {', '.join(REQUIRED)})"
        )
    options = source.options
    currency = options.get("currency", DEFAULT_CURRENCY).upper()
    if not is_currency(currency):
        raise ImportError_(f"{source.name}: option currency={currency!r} is not an ISO 4217 code")
    try:
        start = pd.Timestamp(options.get("start_date", DEFAULT_START))
    except ValueError:
        raise ImportError_(f"{source.name}: option start_date must be YYYY-MM-DD") from None
    table = pq.read_table(path, columns=[c for c in (*REQUIRED, *LABELS) if c in schema.names])
    frame = table.to_pandas()
    n = len(frame)
    locator = pd.Series([f"row {i}" for i in range(1, n + 1)], dtype="string")
    kind = frame["type"].astype("string").str.upper().str.strip()
    orig = pd.to_numeric(frame["nameOrig"], errors="coerce")
    dest = pd.to_numeric(frame["nameDest"], errors="coerce")
    step = pd.to_numeric(frame["step"], errors="coerce")
    amount_text = pd.Series([_shortest(v) for v in frame["amount"].to_numpy()], dtype="string")
    currencies = pd.Series(currency, index=frame.index, dtype="string")
    minor, amount_error, rounded = amounts_to_minor(amount_text, currencies)
    errors = pd.Series(pd.NA, index=frame.index, dtype="string")

    def fail(mask: pd.Series | np.ndarray, reason: str) -> None:
        nonlocal errors
        errors = errors.mask(errors.isna() & pd.Series(mask, index=frame.index).fillna(False).astype(bool), reason)

    fail(kind.isin(_OPENING), "opening balance (INITALBALANCE), not a payment")
    fail(step.isna() | (step < 0) | (step % 1 != 0), "step is not a day number")
    fail(step > MAX_STEP, f"step is more than {MAX_STEP} days (100 years) after the start date")
    fail(orig.isna() | dest.isna(), "nameOrig or nameDest is not an account number")
    fail((orig < 0) & (dest < 0), "neither side is an account")
    fail(~kind.isin(["TRANSFER", "CASH"]), "type is not TRANSFER or CASH")
    errors = errors.fillna(amount_error)
    outside_from, outside_to = (orig < 0).fillna(False), (dest < 0).fillna(False)
    cash = kind.eq("CASH").fillna(False)
    channel = np.select(
        [cash & outside_from, cash & outside_to, cash], ["cash_deposit", "cash_withdrawal", "other"], "transfer"
    )
    days = step.where((step >= 0) & (step <= MAX_STEP), 0).fillna(0).astype("int64")  # rejected rows: any date
    parsed = pd.DataFrame(
        {
            "booking_date": start + pd.to_timedelta(days, unit="D"),
            "booking_time": pd.Series(pd.NA, index=frame.index, dtype="string"),
            "amount_minor": minor,
            "currency": pd.Series(currency, index=frame.index, dtype="string"),
            "from_account": _accounts(orig, outside_from),
            "to_account": _accounts(dest, outside_to),
            "from_name": pd.Series(pd.NA, index=frame.index, dtype="string"),
            "to_name": pd.Series(pd.NA, index=frame.index, dtype="string"),
            "from_country": pd.Series(pd.NA, index=frame.index, dtype="string"),
            "to_country": pd.Series(pd.NA, index=frame.index, dtype="string"),
            "channel": pd.Series(channel, index=frame.index, dtype="string"),
            "description": pd.Series(np.where(cash & ~outside_from & ~outside_to, "cash", None), dtype="string"),
            "txn_ref": pd.Series(pd.NA, index=frame.index, dtype="string"),
            "source_locator": locator,
            "sar": _numbers(frame, "isSAR"),
            "model": _numbers(frame, "modelType"),
        }
    )  # fmt: skip
    bad = errors.notna().to_numpy()
    raws = [
        f"step={s},type={t},amount={a},nameOrig={o},nameDest={d}"
        for s, t, a, o, d in zip(
            frame["step"][bad], frame["type"][bad], amount_text[bad], frame["nameOrig"][bad], frame["nameDest"][bad],
            strict=True,
        )
    ]  # fmt: skip
    rejects = reject(source, locator[bad].tolist(), errors[bad].tolist(), raws)
    notes = [f"dates from {start.date()} + step days; amounts in {currency}"]
    if rounded:
        notes.append(f"{rounded} amount(s) had more decimals than {currency} and were rounded (half to even)")
    return parsed[~bad].reset_index(drop=True), rejects, n, notes


def _shortest(value: object) -> str:
    """A float amount as the shortest decimal that reads back as it (``repr``), in fixed notation."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = repr(float(value))
    return format(Decimal(text), "f") if "e" in text or "E" in text else text


def _numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series(np.nan, index=frame.index)
    return pd.to_numeric(frame[column], errors="coerce")


def _accounts(ids: pd.Series, outside: pd.Series) -> pd.Series:
    text = ids.fillna(-1).astype("int64").map(lambda n: f"AMLG{n:07d}")
    return text.where(~outside, None).astype("string")
