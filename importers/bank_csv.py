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
import os
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
from .csvutil import MAX_LINE_BYTES, decode_named, decode_rows, read_records
from .profile_files import check_columns, load_profile
from .transactions import finish_transactions

__all__ = [
    "DESCRIPTION",
    "FOOTER_REASON",
    "FORMAT",
    "PENDING_REASON",
    "PRIORITY",
    "decode_export",
    "explain",
    "read",
    "sniff",
]  # fmt: skip

FORMAT = "no_bank_csv"
DESCRIPTION = "Norwegian bank CSV export (DNB, SpareBank 1, Nordea, Sbanken, Nynorsk savings bank)"
PRIORITY = 20
PENDING_REASON = "pending/reserved, not booked"
FOOTER_REASON = "balance line (saldo) after the rows, not a transaction"

_ACCOUNT_IN_NAME = re.compile(r"(?<!\d)(\d{4}\.?\d{2}\.?\d{5})(?!\d)")
_DATE_HELP = {"dmy": "dd.mm.yyyy, dd-mm-yyyy, yyyy/mm/dd or yyyy-mm-dd", "mdy": "m/d/yyyy or yyyy-mm-dd"}
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


def _find_profile(first_line: str, profiles: tuple[BankProfile, ...] = PROFILES) -> BankProfile | None:
    """The profile whose header is ``first_line``, else a header-less one whose rows it fits."""
    for delimiter in (";", "\t", ","):
        same = tuple(p for p in profiles if p.delimiter == delimiter)
        profile = match_profile(_header_cells(first_line, delimiter), same)
        if profile is not None:
            return profile
    for profile in profiles:
        if profile.headerless and _fits_headerless(first_line, profile):
            return profile
    return None


def _fits_headerless(line: str, profile: BankProfile) -> bool:
    """A first line that is a data row of a header-less layout: its field count, a date where the
    date goes and a number where the amount goes."""
    cells = _header_cells(line, profile.delimiter)
    if len(cells) != len(profile.signature):
        return False
    row = dict(zip(profile.signature, cells, strict=True))
    date = pa.array([row.get(profile.date, "")])
    if bt.parse_dates(date, profile.date_order).isna().iloc[0]:
        return False
    amount = row.get(profile.amount or profile.amount_in or "", "").replace(" ", "")
    return re.fullmatch(r"[-+\u2212]?\d[\d.,]*-?", amount) is not None


def sniff(head: bytes, name: str) -> bool:
    """A header line matching one of the bank profiles."""
    if b"\x00" in head:
        return False
    text, _ = decode_export(head[:8192])
    first = text.split("\n", 1)[0].rstrip("\r")
    return len(first) < 4096 and _find_profile(first) is not None


def explain(head: bytes, name: str) -> str:
    """The known layout whose header is closest to the file's first line, and what it lacks."""
    text, _ = decode_export(head[:8192])
    first = text.split("\n", 1)[0].rstrip("\r")[:4096]
    best: tuple[int, BankProfile, str] | None = None
    for profile in PROFILES:
        if profile.headerless:
            continue
        keys = {header_key(c) for c in _header_cells(first, profile.delimiter)}
        missing = [c for c in profile.signature if header_key(c) not in keys]
        found = len(profile.signature) - len(missing)
        if missing and (best is None or found > best[0]):
            best = (found, profile, missing[0])
    if best is None:
        return "no known bank layout"
    found, profile, missing = best
    shown = {"\t": "tab"}.get(profile.delimiter, profile.delimiter)
    return (
        f"closest header: {profile.bank} ({found} of {len(profile.signature)} columns, delimiter {shown!r}); "
        f"first missing column {missing!r}"
    )


def read(path: str, source: Source) -> ImportResult:
    with open(path, "rb") as fh:
        data = fh.read()
    if not data.strip():
        raise ImportError_(f"{source.name}: the file is empty")
    path_given = source.options.get("profile")
    user = load_profile(path_given) if path_given else None
    payload, encoding = _decode(data, user, source)
    lines, first = _first_lines(payload, source)
    profile = _given_profile(source, first[:65536], user) or _find_profile(first[:65536])
    if profile is None:
        raise ImportError_(
            f"{source.name}: row 1 (header) is not a known bank export header "
            f"(known: {', '.join(sorted({p.bank for p in PROFILES}))}); "
            "`finflow formats --explain FILE` says why, `finflow profile new FILE` writes a profile for it"
        )
    if profile.encoding and user is None:  # a built-in layout that fixes its encoding
        payload, encoding = _decode(data, profile, source)
        lines, first = _first_lines(payload, source)
    if profile.headerless:  # a header line from the profile; locators are moved back by one below
        names = profile.delimiter.join(profile.signature).encode()
        payload = names + (b"\r\n" if lines[0].endswith(b"\r") else b"\n") + payload
    else:
        payload = _drop_trailing_delimiter(payload, lines, profile.delimiter)
    records = read_records(payload, source, delimiter=profile.delimiter)
    if profile.headerless:
        records.frame["source_locator"] = _shift_rows(records.frame["source_locator"])
        records.rejects["source_locator"] = _shift_rows(records.rejects["source_locator"])
    records.rejects["reason"] = _footer_reasons(records.rejects, profile)
    frame = records.frame
    balance_at = balance_position(list(frame.columns))
    columns = _column_map(frame, profile, source)
    own, own_from = _own_account(source, frame, columns, profile)
    parsed, errors, pending = _parse(frame, columns, profile, own, source)
    notes = [f"{profile.bank} export ({encoding}); own account {own} from {own_from}"]
    if source.options.get("profile"):
        notes[0] += f"; read with profile {os.path.basename(source.options['profile'])}"
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


def _decode(data: bytes, profile: BankProfile | None, source: Source) -> tuple[bytes, str]:
    """The export as UTF-8 bytes and the encoding read: the profile's ``encoding`` when it names
    one (strictly), else detected per line (:func:`.csvutil.decode_rows`)."""
    if profile is None or not profile.encoding:
        return _as_utf8(data)
    path = source.options.get("profile")
    where = f"profile {os.path.basename(path)}" if path else f"built-in profile {profile.key}"
    payload, encoding = decode_named(data, profile.encoding, source.name, where)
    return payload, f"{encoding}, as the profile says"


def _first_lines(payload: bytes, source: Source) -> tuple[list[bytes], str]:
    """The first lines (split at most twice) and the header line as text; a NUL byte is refused."""
    nul = payload.find(b"\x00")
    if nul >= 0:
        line = payload.count(b"\n", 0, nul) + 1
        raise ImportError_(f"{source.name}: not a text file (line {line} contains a NUL byte)")
    lines = payload[: 2 * MAX_LINE_BYTES].split(b"\n", 2)
    return lines, lines[0].decode("utf-8", errors="replace").rstrip("\r")


def _given_profile(source: Source, first_line: str, user: BankProfile | None = None) -> BankProfile | None:
    """The profile the user chose: a profile file (``--profile``, loaded as ``user``) or a
    built-in bank (``bank``)."""
    path = source.options.get("profile")
    if user is not None and path:
        if not user.headerless:
            header = _header_cells(first_line, user.delimiter)
            check_columns(user, header, f"{source.name} with profile {os.path.basename(path)}")
        return user
    wanted = source.options.get("bank")
    if not wanted:
        return None
    chosen = tuple(p for p in PROFILES if p.key == wanted.lower())
    if not chosen:
        known = ", ".join(sorted({p.key for p in PROFILES}))
        raise ImportError_(f"{source.name}: unknown bank {wanted!r}; known banks: {known}")
    return _find_profile(first_line, chosen) or chosen[0]


def _shift_rows(locators: pd.Series) -> pd.Series:
    """``row N`` -> ``row N-1``: a header-less file's first line is its row 1."""
    if not len(locators):
        return locators
    numbers = locators.str.removeprefix("row ").astype("int64") - 1
    return ("row " + numbers.astype("string")).astype("string")


def _footer_reasons(rejects: pd.DataFrame, profile: BankProfile) -> pd.Series:
    """Malformed lines that are the export's balance lines (``Saldo …``) say so."""
    reasons = rejects["reason"]
    if not profile.footer_words or not len(rejects):
        return reasons
    footer = rejects["raw"].fillna("").str.lower().str.contains("|".join(map(re.escape, profile.footer_words)))
    return reasons.mask(footer.fillna(False).astype(bool), FOOTER_REASON)


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
    if profile.own_account:
        return normalize_account(profile.own_account).account_id, "the profile"
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
    if p.fallback_date:
        date_text = pc.if_else(pc.equal(date_text, ""), col(p.fallback_date), date_text)
    pending = bt.contains_any(date_text, PENDING_WORDS) | bt.contains_any(col(p.status), PENDING_WORDS)
    pending |= bt.contains_any(text, ("reservert",))
    if p.footer_words:  # "Saldo …" lines after the rows: no date, and the word in any cell
        undated = bt.np_bool(pc.equal(date_text, ""))
        if undated.any():
            cells = [c for c in frame.columns if c != "source_locator"]
            joined = frame.loc[undated, cells].fillna("").astype("string").agg(" ".join, axis=1)
            footer = np.zeros(len(frame), dtype=bool)
            footer[undated] = bt.contains_any(bt.arrow(joined.astype("string")), p.footer_words)
            fail(footer, FOOTER_REASON)

    dates = bt.parse_dates(date_text, p.date_order)
    dates.index = index
    fail(bt.np_bool(pc.equal(date_text, "")), f"{p.date} is empty")
    fail(dates.isna().to_numpy(), f"{p.date} is not a date ({_DATE_HELP[p.date_order]})")
    currency = _col(frame, columns, p.currency).str.upper().replace("", source.options.get("currency", "NOK"))
    known_currency = bt.valid_currency(currency)
    fail(~known_currency, "currency is not an ISO 4217 code")
    safe_currency = currency.where(known_currency, "NOK")
    if p.amount:
        signed = _signed(_marked(col(p.amount), p.decimal), safe_currency, p.amount, fail, p.decimal)
    else:
        inn = _signed(_marked(col(p.amount_in), p.decimal), safe_currency, str(p.amount_in), fail, p.decimal)
        out = _signed(_marked(col(p.amount_out), p.decimal), safe_currency, str(p.amount_out), fail, p.decimal)
        fail((inn != 0) & (out != 0), f"both {p.amount_in} and {p.amount_out} hold an amount")
        signed = inn - np.abs(out)
    fail(signed == 0, "no amount (or zero)")
    credit = signed > 0

    channel_text = text
    for extra in p.channel_text:
        channel_text = pc.binary_join_element_wise(col(extra), channel_text, " ")
    channel = bt.channel_from_text(channel_text)
    if p.channel_values:
        named = pc.utf8_lower(col(p.channel_column))
        for value, mapped in p.channel_values:
            channel = np.where(bt.np_bool(pc.equal(named, value)), mapped, channel)

    if p.counterparty_account:
        cp_account = col(p.counterparty_account)
    else:
        cp_account = pc.if_else(pa.array(credit), col(p.from_account), col(p.to_account))
    cp_norm = normalize_accounts(bt.series(cp_account, index))["account_id"]
    cp_account = pc.if_else(pa.array((cp_norm == own).fillna(False).to_numpy(dtype=bool)), "", cp_account)
    from_name = col(p.from_name) if p.from_name else col(p.name)
    to_name = col(p.to_name) if p.to_name else col(p.name)
    cp_name = pc.if_else(pa.array(credit), from_name, to_name)
    if p.name_from_text != "off":
        cp_name = _names_from_text(cp_name, text, p.name_from_text == "whole")
    need = bt.np_bool(pc.equal(cp_account, ""))
    if need.any():
        found = bt.account_in_text(pc.if_else(pa.array(need), text, ""), own)
        cp_account = pc.if_else(pa.array(need), found, cp_account)
    has_cp = ~bt.np_bool(pc.equal(cp_account, ""))
    default = np.where(has_cp, "transfer", "other") if p.channel is None else p.channel
    channel = np.where(pd.isna(channel), default, channel)

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


def _marked(text: pa.Array, decimal: str | None) -> pa.Array:
    """With a known decimal mark, the other mark is a thousands separator: drop it."""
    if decimal == ".":
        return pc.replace_substring(text, ",", "")
    if decimal == ",":
        return pc.replace_substring(text, ".", "")
    return text


def _names_from_text(names: pa.Array, text: pa.Array, whole: bool) -> pa.Array:
    """The export's name, else the one its text gives (only rows without a name are searched)."""
    need = pc.equal(names, "")
    if not pc.any(need).as_py():
        return names
    found = bt.name_in_text(pc.filter(text, need), whole)
    return pc.replace_with_mask(names.cast(pa.string()), need, found.cast(pa.string()))


def _signed(text: pa.Array, currency: pd.Series, label: str, fail: object, decimal: str | None = None) -> np.ndarray:
    """Signed minor units of one amount column (0 where blank); records errors via ``fail``.

    Only the filled cells are parsed: with separate in/out columns each is half blank.
    """
    present = ~bt.np_bool(pc.equal(text, ""))
    signed = np.zeros(len(text), dtype=np.int64)
    if not present.any():
        return signed
    negative, whole, frac = bt.parse_money(pc.filter(text, pa.array(present)))
    if decimal:  # the mark is known, so "-112.000" is 112 kroner: zeros past the currency's are dropped
        frac = pc.utf8_rtrim(frac, "0")
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
