"""Norwegian bank CSV exports (DNB, SpareBank 1, Nordea, Sbanken, a Nynorsk savings-bank export).

One engine reads every layout described in :mod:`.bank_profiles`. A bank export is ONE
account's statement: the holder's own account comes from ``source.options["account"]`` (CLI
``--account``), else an 11-digit account number in the file name, else the export's own account
columns (Nordea ``Avsender``/``Mottaker``). Rows are turned into payer → payee transactions:
a credit runs counterparty → own account, a debit own account → counterparty.

The counterparty account comes from the export's account columns, else from an account number
(11 digits or an IBAN) named in the text. When none is known it stays null, and then this row's
transaction id cannot equal the id the counterparty's own statement gives the same payment (ids
need both accounts): such a payment may appear twice in a case built from both statements.

Pending/reserved rows are not bookings: they are kept out of the flows, counted as rejects with
reason ``pending/reserved, not booked`` and summarised in the notes.
"""

from __future__ import annotations

import csv
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from finflow.normalize import normalize_account, normalize_accounts

from . import bank_text as bt
from .bank_balance import balance_position, export_statements
from .bank_profiles import (
    PENDING_WORDS,
    PROFILES,
    BankProfile,
    header_key,
    match_profile,
)
from .base import ImportError_, ImportResult, Source, reject
from .csvutil import MAX_LINE_BYTES, decode_rows, read_records
from .transactions import finish_transactions

__all__ = [
    "DESCRIPTION",
    "FORMAT",
    "PENDING_REASON",
    "PRIORITY",
    "decode_export",
    "read",
    "sniff",
]  # fmt: skip

FORMAT = "no_bank_csv"
DESCRIPTION = "Norwegian bank CSV export (DNB, SpareBank 1, Nordea, Sbanken, Nynorsk savings bank)"
PRIORITY = 20
PENDING_REASON = "pending/reserved, not booked"

_ACCOUNT_IN_NAME = re.compile(r"(?<!\d)(\d{4}\.?\d{2}\.?\d{5})(?!\d)")
_TIME_IN_TEXT = r"[Kk]l\.?\s?(?P<h>[01]?\d|2[0-3])[.:](?P<m>[0-5]\d)(?:$|\D)"
_TIME_IN_STAMP = r"(?:^|[\sT])(?P<h>[01]?\d|2[0-3])[.:](?P<m>[0-5]\d)(?:$|\D)"


def decode_export(data: bytes) -> tuple[str, str]:
    """``(text, encoding)``: UTF-8 with or without BOM, else cp1252 (the legacy exports)."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _header_cells(first_line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([first_line], delimiter=delimiter))
    except (StopIteration, csv.Error):
        return []


def _find_profile(first_line: str) -> BankProfile | None:
    for delimiter in (";", "\t"):
        profile = match_profile(_header_cells(first_line, delimiter))
        if profile is not None and profile.delimiter == delimiter:
            return profile
    return None


def sniff(head: bytes, name: str) -> bool:
    """A header line matching one of the bank profiles."""
    if b"\x00" in head:
        return False
    text, _ = decode_export(head[:8192])
    first = text.split("\n", 1)[0].rstrip("\r")
    return len(first) < 4096 and _find_profile(first) is not None


def read(path: str, source: Source) -> ImportResult:
    with open(path, "rb") as fh:
        data = fh.read()
    if not data.strip():
        raise ImportError_(f"{source.name}: the file is empty")
    payload, encoding = _as_utf8(data)
    nul = payload.find(b"\x00")
    if nul >= 0:
        line = payload.count(b"\n", 0, nul) + 1
        raise ImportError_(f"{source.name}: not a text file (line {line} contains a NUL byte)")
    lines = payload[: 2 * MAX_LINE_BYTES].split(b"\n", 2)
    first = lines[0].decode("utf-8", errors="replace").rstrip("\r")
    profile = _forced_profile(source) or _find_profile(first[:65536])
    if profile is None:
        raise ImportError_(
            f"{source.name}: row 1 (header) is not a known bank export header "
            f"(known: {', '.join(sorted({p.bank for p in PROFILES}))})"
        )
    payload = _drop_trailing_delimiter(payload, lines, profile.delimiter)
    records = read_records(payload, source, delimiter=profile.delimiter)
    frame = records.frame
    balance_at = balance_position(list(frame.columns))
    columns = _column_map(frame, profile, source)
    own, own_from = _own_account(source, frame, columns, profile)
    parsed, errors, pending = _parse(frame, columns, profile, own, source)
    notes = [f"{profile.bank} export ({encoding}); own account {own} from {own_from}"]
    bad = errors.notna() | pending
    reasons = errors.mask(pending, PENDING_REASON)
    rejects = pd.concat(
        [
            records.rejects,
            reject(source, frame.loc[bad, "source_locator"].tolist(), reasons[bad].tolist(), _raw(frame[bad], profile)),
        ],
        ignore_index=True,
    )
    if pending.any():
        rows = frame.loc[pending, "source_locator"].str.removeprefix("row ").tolist()
        shown = ", ".join(rows[:20]) + (" …" if len(rows) > 20 else "")
        notes.append(f"{int(pending.sum())} pending/reserved row(s) kept out of the flows (rows {shown})")
    good = parsed[~bad.to_numpy()]
    unknown = int((good["from_account"].isna() & good["to_account"].isna()).sum()) if len(good) else 0
    missing_cp = (
        int(
            (good["from_account"].isna() & (good["channel"] != "cash_deposit")).sum()
            + (good["to_account"].isna() & (good["channel"] != "cash_withdrawal")).sum()
        )
        - unknown
    )
    if missing_cp:
        notes.append(
            f"{missing_cp} row(s) name no counterparty account; their ids cannot match the "
            "counterparty's own statement of the same payment"
        )
    tables = finish_transactions(good, source)
    balance_text = frame.loc[~bad.to_numpy(), f"__c{balance_at}"] if balance_at is not None else None
    tables["statements"] = export_statements(good, own, balance_text, source)
    if len(tables["statements"]) > 1:
        notes.append(
            f"the running balance breaks {len(tables['statements']) - 1} time(s): rows may be missing "
            "(see finflow coverage)"
        )
    return ImportResult(FORMAT, records.rows_read, tables, rejects, notes)


def _forced_profile(source: Source) -> BankProfile | None:
    wanted = source.options.get("bank")
    if not wanted:
        return None
    for profile in PROFILES:
        if profile.key == wanted.lower():
            return profile
    known = ", ".join(sorted({p.key for p in PROFILES}))
    raise ImportError_(f"{source.name}: unknown bank {wanted!r}; known banks: {known}")


def _as_utf8(data: bytes) -> tuple[bytes, str]:
    """The export as UTF-8 bytes (no BOM) and the encoding it was written in.

    UTF-8 exports pass through as they are (checked in place); legacy ones, and exports that
    mix UTF-8 and cp1252 lines, are decoded line by line (:func:`.csvutil.decode_rows`).
    """
    return decode_rows(data)


def _drop_trailing_delimiter(payload: bytes, lines: list[bytes], delimiter: str) -> bytes:
    """SpareBank 1 headers end with ``;``; drop it when the data rows do not have it too."""
    header = lines[0].rstrip(b"\r")
    if not header.endswith(delimiter.encode()) or len(lines) < 2:
        return payload
    n_header = len(_header_cells(header.decode("utf-8", errors="replace"), delimiter))
    row = lines[1].rstrip(b"\r").decode("utf-8", errors="replace")
    if row and len(_header_cells(row, delimiter)) == n_header - 1:
        return header[: -len(delimiter.encode())] + payload[len(header) :]
    return payload


def _column_map(frame: pd.DataFrame, profile: BankProfile, source: Source) -> dict[str, str]:
    """Profile column name → the frame's column (first occurrence of the header key)."""
    by_key: dict[str, str] = {}
    for position, column in enumerate(frame.columns):
        if column == "source_locator":
            continue
        by_key.setdefault(header_key(column), f"__c{position}")
    frame.columns = ["source_locator" if c == "source_locator" else f"__c{i}" for i, c in enumerate(frame.columns)]
    wanted = {c: by_key.get(header_key(c)) for c in profile.columns()}
    missing = [c for c in profile.signature if header_key(c) not in by_key]
    if missing:
        raise ImportError_(f"{source.name}: row 1 (header) lacks column(s) {', '.join(missing)}")
    return {c: v for c, v in wanted.items() if v is not None}


def _col(frame: pd.DataFrame, columns: dict[str, str], name: str | None) -> pd.Series:
    if name is None or name not in columns:
        return pd.Series("", index=frame.index, dtype="string")
    return frame[columns[name]].fillna("").str.strip()


def _own_account(source: Source, frame: pd.DataFrame, columns: dict[str, str], profile: BankProfile) -> tuple[str, str]:
    given = (source.options.get("account") or "").strip()
    if given:
        return normalize_account(given).account_id, "--account"
    for match in _ACCOUNT_IN_NAME.finditer(source.name):
        number = normalize_account(match.group(1))
        if number.scheme == "no_bban":
            return number.account_id, "the file name"
    if profile.from_account and profile.to_account and len(frame):
        both = pd.concat([_col(frame, columns, profile.from_account), _col(frame, columns, profile.to_account)])
        both = both[both != ""]
        if len(both):
            ids = normalize_accounts(both)["account_id"]
            counts = ids.value_counts()
            best = str(counts.index[0])
            rows_with = (
                (normalize_accounts(_col(frame, columns, profile.from_account))["account_id"] == best)
                | (normalize_accounts(_col(frame, columns, profile.to_account))["account_id"] == best)
            ).sum()
            if rows_with * 2 > len(frame):
                return best, "the export's account columns"
    raise ImportError_(
        f"{source.name}: cannot tell whose account this {profile.bank} export is; "
        "pass --account with the account number (or put the 11-digit number in the file name)"
    )


def _parse(
    frame: pd.DataFrame, columns: dict[str, str], p: BankProfile, own: str, source: Source
) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Parse all rows at once: parsed rows, first error per row, and the pending mask."""
    index = frame.index
    errors = pd.Series(pd.NA, index=index, dtype="string")

    def fail(mask: np.ndarray, reason: str) -> None:
        nonlocal errors
        errors = errors.mask(errors.isna().to_numpy() & mask, reason)

    def col(name: str | None) -> pa.Array:
        return bt.arrow(_col(frame, columns, name))

    text = col(p.text[0])
    for extra in p.text[1:]:
        text = pc.utf8_trim_whitespace(pc.binary_join_element_wise(text, col(extra), " "))
    date_text = col(p.date)
    pending = bt.contains_any(date_text, PENDING_WORDS) | bt.contains_any(col(p.status), PENDING_WORDS)
    pending |= bt.contains_any(text, ("reservert",))

    dates = bt.parse_dates(date_text)
    dates.index = index
    fail(bt.np_bool(pc.equal(date_text, "")), f"{p.date} is empty")
    fail(dates.isna().to_numpy(), f"{p.date} is not a date (dd.mm.yyyy, yyyy/mm/dd or yyyy-mm-dd)")
    currency = _col(frame, columns, p.currency).str.upper().replace("", source.options.get("currency", "NOK"))
    known_currency = bt.valid_currency(currency)
    fail(~known_currency, "currency is not an ISO 4217 code")
    safe_currency = currency.where(known_currency, "NOK")
    if p.amount:
        signed = _signed(col(p.amount), safe_currency, p.amount, fail)
    else:
        inn = _signed(col(p.amount_in), safe_currency, str(p.amount_in), fail)
        out = _signed(col(p.amount_out), safe_currency, str(p.amount_out), fail)
        fail((inn != 0) & (out != 0), f"both {p.amount_in} and {p.amount_out} hold an amount")
        signed = inn - np.abs(out)
    fail(signed == 0, "no amount (or zero)")
    credit = signed > 0

    channel_text = text
    for extra in p.channel_text:
        channel_text = pc.binary_join_element_wise(col(extra), channel_text, " ")
    channel = bt.channel_from_text(channel_text)

    cp_account = pc.if_else(pa.array(credit), col(p.from_account), col(p.to_account))
    cp_norm = normalize_accounts(bt.series(cp_account, index))["account_id"]
    cp_account = pc.if_else(pa.array((cp_norm == own).fillna(False).to_numpy(dtype=bool)), "", cp_account)
    from_name = col(p.from_name) if p.from_name else col(p.name)
    to_name = col(p.to_name) if p.to_name else col(p.name)
    cp_name = pc.if_else(pa.array(credit), from_name, to_name)
    need = bt.np_bool(pc.equal(cp_account, ""))
    if need.any():
        found = bt.account_in_text(pc.if_else(pa.array(need), text, ""), own)
        cp_account = pc.if_else(pa.array(need), found, cp_account)
    has_cp = ~bt.np_bool(pc.equal(cp_account, ""))
    channel = np.where(pd.isna(channel), np.where(has_cp, "transfer", "other"), channel)

    booking_time = pc.coalesce(bt.find_time(col(p.time), _TIME_IN_STAMP), bt.find_time(text, _TIME_IN_TEXT))
    own_series = pd.Series(own, index=index, dtype="string")
    cp = _null_blank(bt.series(cp_account, index))
    cp_name = _null_blank(bt.series(cp_name, index))
    parsed = pd.DataFrame(
        {
            "booking_date": dates,
            "booking_time": bt.series(pc.fill_null(booking_time, ""), index).replace("", pd.NA),
            "amount_minor": pd.Series(np.abs(signed), index=index, dtype="int64"),
            "currency": currency,
            "from_account": cp.where(credit, own_series),
            "to_account": own_series.where(credit, cp),
            "from_name": cp_name.where(credit, pd.NA),
            "to_name": cp_name.where(~credit, pd.NA),
            "from_country": pd.Series(pd.NA, index=index, dtype="string"),
            "to_country": pd.Series(pd.NA, index=index, dtype="string"),
            "channel": pd.Series(channel, index=index, dtype="string"),
            "description": _null_blank(bt.series(text, index)),
            "txn_ref": _null_blank(bt.series(col(p.reference), index)),
            "source_locator": frame["source_locator"],
        }
    )
    return parsed, errors, pd.Series(pending, index=index)


def _signed(text: pa.Array, currency: pd.Series, label: str, fail: object) -> np.ndarray:
    """Signed minor units of one amount column (0 where blank); records errors via ``fail``.

    Only the filled cells are parsed: with separate in/out columns each is half blank.
    """
    present = ~bt.np_bool(pc.equal(text, ""))
    signed = np.zeros(len(text), dtype=np.int64)
    if not present.any():
        return signed
    negative, whole, frac = bt.parse_money(pc.filter(text, pa.array(present)))
    values, error = bt.to_minor(whole, frac, currency[present], label)
    for reason in error.dropna().unique():
        mask = np.zeros(len(text), dtype=bool)
        mask[present] = (error == reason).fillna(False).to_numpy(dtype=bool)
        fail(mask, str(reason))
    signed[present] = np.where(negative, -values, values)
    return signed


def _null_blank(values: pd.Series) -> pd.Series:
    return values.mask(values == "")


def _raw(frame: pd.DataFrame, profile: BankProfile) -> list[str]:
    if not len(frame):
        return []
    cols = [c for c in frame.columns if c != "source_locator"]
    return frame[cols].fillna("").astype("string").agg(profile.delimiter.join, axis=1).str.slice(0, 2000).tolist()
