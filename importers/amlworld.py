"""IBM AMLworld / AMLSim-style transactions (``HI-Small_Trans.csv`` and its siblings).

Columns: ``Timestamp`` (``YYYY/MM/DD HH:MM``), ``From Bank``, ``Account``, ``To Bank``,
``Account`` (the header repeats the name), ``Amount Received``, ``Receiving Currency``,
``Amount Paid``, ``Payment Currency``, ``Payment Format``, and optionally ``Is Laundering``
(1 = laundering) — Altman et al. 2023. There is no transaction id; finflow's content ids apply.

- Accounts are ``bank/account`` (``10/8000EBD30``; leading zeros of the bank code dropped), so
  the same account number at two banks stays two accounts.
- The amount is what the payer paid, in the payment currency; when the payee received another
  amount or currency (a conversion), the description says so (``received EUR 92.10``).
- Currency names map to ISO 4217 (``US Dollar`` → USD, ``Euro`` → EUR …). Bitcoin has no ISO
  code: such rows are rejected with that reason, never guessed into a currency.
- Amounts are exact decimals; an amount with more decimals than its currency (yen with cents)
  is rounded half to even to the minor unit, and the import notes how many were.
- ``Payment Format`` becomes the channel (ACH, wire, reinvestment → transfer; credit card →
  card; cheque, cash → other) and is kept in the description.
- ``Is Laundering`` is not imported: :func:`truth` reads it (and ``*_Patterns.txt`` files, which
  also name the typology) for ``finflow evaluate``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from .base import ImportError_, ImportResult, Source, reject
from .csvutil import decode_head, read_records
from .labelled import TRUTH_SOURCE, amounts_to_minor, truth_document
from .transactions import finish_transactions

__all__ = ["CURRENCIES", "DESCRIPTION", "FORMAT", "PRIORITY", "patterns_truth", "read", "sniff", "truth"]

FORMAT = "amlworld"
DESCRIPTION = "IBM AMLworld / AMLSim transactions CSV (Timestamp, From Bank, Account, …, Is Laundering)"
PRIORITY = 40

COLUMNS = (
    "timestamp", "from_bank", "from_account", "to_bank", "to_account", "amount_received",
    "receiving_currency", "amount_paid", "payment_currency", "payment_format",
)  # fmt: skip
_HEADER = [
    "timestamp", "from bank", "account", "to bank", "account", "amount received", "receiving currency",
    "amount paid", "payment currency", "payment format",
]  # fmt: skip
LABEL = "is laundering"

#: AMLworld's currency names and their ISO 4217 codes (Bitcoin has none).
CURRENCIES = {
    "us dollar": "USD", "euro": "EUR", "yuan": "CNY", "yen": "JPY", "uk pound": "GBP", "rupee": "INR",
    "ruble": "RUB", "australian dollar": "AUD", "canadian dollar": "CAD", "swiss franc": "CHF",
    "mexican peso": "MXN", "brazil real": "BRL", "shekel": "ILS", "saudi riyal": "SAR",
}  # fmt: skip
_NO_ISO = {"bitcoin"}
_CHANNELS = {
    "ach": "transfer", "wire": "transfer", "reinvestment": "transfer", "credit card": "card",
    "cheque": "other", "cash": "other", "bitcoin": "other",
}  # fmt: skip
_TYPOLOGIES = {
    "FAN-OUT": "fan_out", "FAN-IN": "fan_in", "CYCLE": "cycle", "GATHER-SCATTER": "gather_scatter",
    "SCATTER-GATHER": "scatter_gather", "RANDOM": "random", "BIPARTITE": "bipartite", "STACK": "stack",
}  # fmt: skip
_BEGIN = re.compile(r"^BEGIN LAUNDERING ATTEMPT - ([A-Z-]+)")


def _header(text: str) -> list[str]:
    first = text.splitlines()[0] if text else ""
    return [c.strip().strip('"').lower() for c in first.split(",")]


def sniff(head: bytes, name: str) -> bool:
    """The AMLworld header: its ten columns in order, optionally followed by ``Is Laundering``."""
    text = decode_head(head)
    if text is None:
        return False
    header = _header(text)
    return header[: len(_HEADER)] == _HEADER and header[len(_HEADER) :] in ([], [LABEL])


def read(path: str, source: Source) -> ImportResult:
    parsed, rejects, rows_read, notes = _parse(path, source)
    tables = finish_transactions(parsed.drop(columns=["label"]), source)
    return ImportResult(FORMAT, rows_read, tables, rejects, notes)


def truth(path: str) -> dict:
    """The truth document of a labelled file: transactions with ``Is Laundering`` = 1."""
    if Path(path).read_bytes()[:4096].lstrip().startswith(b"BEGIN LAUNDERING ATTEMPT"):
        return patterns_truth(path)
    parsed, _, _, _ = _parse(path, TRUTH_SOURCE)
    if parsed["label"].isna().all():
        raise ImportError_(f"{Path(path).name}: has no 'Is Laundering' column, so no ground truth")
    ids = finish_transactions(parsed.drop(columns=["label"]), TRUTH_SOURCE)["transactions"]["txn_id"]
    bad = parsed["label"].eq("1").fillna(False).to_numpy(dtype=bool)
    return truth_document(Path(path).name, ids[bad], parsed["from_account"][bad], parsed["to_account"][bad])


def patterns_truth(path: str) -> dict:
    """The truth document of an AMLworld ``*_Patterns.txt``: its attempts' rows, by typology."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    rows, kinds, current = [], [], None
    for number, line in enumerate(lines, start=1):
        match = _BEGIN.match(line)
        if match:
            current = _TYPOLOGIES.get(match.group(1))
            if current is None:
                raise ImportError_(f"{Path(path).name}: line {number}: unknown laundering attempt {match.group(1)!r}")
        elif line.startswith("END LAUNDERING ATTEMPT"):
            current = None
        elif line.strip() and current is not None:
            rows.append(line)
            kinds.append(current)
    if not rows:
        raise ImportError_(f"{Path(path).name}: no laundering attempts found")
    body = (",".join(h.title() for h in [*_HEADER, LABEL]) + "\n" + "\n".join(rows) + "\n").encode("utf-8")
    parsed, _, _, _ = _parse_bytes(body, TRUTH_SOURCE)
    ids = finish_transactions(parsed.drop(columns=["label"]), TRUTH_SOURCE)["transactions"]["txn_id"]
    line = parsed["source_locator"].str.removeprefix("row ").astype(int)  # body line 2 is rows[0]
    typology = pd.Series([kinds[n - 2] for n in line], index=parsed.index)
    return truth_document(Path(path).name, ids, parsed["from_account"], parsed["to_account"], typology)


def _parse(path: str, source: Source) -> tuple[pd.DataFrame, pd.DataFrame, int, list[str]]:
    with open(path, "rb") as fh:
        return _parse_bytes(fh.read(), source)


def _parse_bytes(data: bytes, source: Source) -> tuple[pd.DataFrame, pd.DataFrame, int, list[str]]:
    records = read_records(data, source, delimiter=",", unique_names=False)  # two "Account" columns
    frame = records.frame
    header = [str(c).lower() for c in frame.columns if c != "source_locator"]
    if header[: len(_HEADER)] != _HEADER or header[len(_HEADER) :] not in ([], [LABEL]):
        raise ImportError_(
            f"{source.name}: row 1 (header) is not the AMLworld header; expected: "
            f"{', '.join(h.title() for h in _HEADER)}[, Is Laundering]"
        )
    locators = frame["source_locator"]
    frame = frame.drop(columns=["source_locator"])
    frame.columns = [*COLUMNS, "label"][: frame.shape[1]]
    frame = frame.apply(lambda c: c.str.strip())
    if "label" not in frame.columns:
        frame["label"] = pd.Series(pd.NA, index=frame.index, dtype="string")
    frame["source_locator"] = locators
    parsed, errors, rounded = _rows(frame)
    bad = errors.notna().to_numpy()
    raws = []
    if bad.any():
        raws = frame.loc[bad, list(COLUMNS)].fillna("").agg(",".join, axis=1).str.slice(0, 2000).tolist()
    rejects = pd.concat(
        [records.rejects, reject(source, frame.loc[bad, "source_locator"].tolist(), errors[bad].tolist(), raws)],
        ignore_index=True,
    )
    notes = []
    if rounded:
        notes.append(f"{rounded} amount(s) had more decimals than their currency and were rounded (half to even)")
    return parsed[~bad].reset_index(drop=True), rejects, records.rows_read, notes


def _rows(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series, int]:
    errors = pd.Series(pd.NA, index=frame.index, dtype="string")

    def fail(mask: pd.Series, reason: str) -> None:
        nonlocal errors
        errors = errors.mask(errors.isna() & mask.fillna(False).astype(bool), reason)

    stamp = frame["timestamp"].str.extract(r"^(\d{4})/(\d{2})/(\d{2}) (\d{2}:\d{2})$")
    dates = pd.to_datetime(stamp[0] + "-" + stamp[1] + "-" + stamp[2], format="%Y-%m-%d", errors="coerce")
    clock = stamp[3].str.fullmatch(r"([01]\d|2[0-3]):[0-5]\d").fillna(False)
    fail(dates.isna() | ~clock, "Timestamp is not YYYY/MM/DD HH:MM")
    paid_cur = _currency(frame["payment_currency"], fail, "Payment Currency")
    paid, paid_error, rounded = amounts_to_minor(frame["amount_paid"], paid_cur.fillna(""))
    errors = errors.fillna(paid_error.map(lambda e: None if pd.isna(e) else f"Amount Paid: {e}").astype("string"))
    for side in ("from", "to"):
        fail(frame[f"{side}_account"].fillna("") == "", f"{side.title()} Account is empty")
    fail(~frame["label"].isin(["0", "1"]) & frame["label"].notna(), "Is Laundering is not 0 or 1")
    payment = frame["payment_format"].str.lower()
    # what the payee received, when it differs, is told in the description (never parsed as money)
    got_cur = frame["receiving_currency"].str.lower().map(CURRENCIES).fillna(frame["receiving_currency"])
    converted = (got_cur != paid_cur.fillna("")) | (frame["amount_received"] != frame["amount_paid"])
    received = frame["payment_format"] + "; received " + got_cur + " " + frame["amount_received"]
    description = frame["payment_format"].where(~converted.fillna(False), received)
    parsed = pd.DataFrame(
        {
            "booking_date": dates,
            "booking_time": stamp[3].astype("string"),
            "amount_minor": paid,
            "currency": paid_cur,
            "from_account": _account(frame["from_bank"], frame["from_account"]),
            "to_account": _account(frame["to_bank"], frame["to_account"]),
            "from_name": pd.Series(pd.NA, index=frame.index, dtype="string"),
            "to_name": pd.Series(pd.NA, index=frame.index, dtype="string"),
            "from_country": pd.Series(pd.NA, index=frame.index, dtype="string"),
            "to_country": pd.Series(pd.NA, index=frame.index, dtype="string"),
            "channel": payment.map(_CHANNELS).fillna("other").astype("string"),
            "description": description.astype("string"),
            "txn_ref": pd.Series(pd.NA, index=frame.index, dtype="string"),
            "source_locator": frame["source_locator"],
            "label": frame["label"],
        }
    )
    return parsed, errors, rounded


def _currency(names: pd.Series, fail: Callable[[pd.Series, str], None], column: str) -> pd.Series:
    """ISO codes for AMLworld currency names (or codes); Bitcoin and unknown names fail."""
    lower = names.str.lower()
    code = lower.map(CURRENCIES)
    iso = names.str.upper().where(names.str.fullmatch(r"[A-Za-z]{3}").fillna(False))
    code = code.fillna(iso.where(~iso.isin(["BTC", "XBT"])))
    fail(lower.isin(_NO_ISO) | names.str.upper().isin(["BTC", "XBT"]), f"{column} Bitcoin has no ISO 4217 code")
    fail(code.isna(), f"{column} is not a known currency")
    return code.astype("string")


def _account(bank: pd.Series, number: pd.Series) -> pd.Series:
    digits = bank.str.fullmatch(r"\d+").fillna(False)
    code = bank.where(~digits, bank.str.lstrip("0").replace("", "0"))
    return (code + "/" + number).astype("string")
