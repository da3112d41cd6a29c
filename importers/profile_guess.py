"""A first import profile for an unfamiliar bank export, guessed from its header.

``finflow profile new FILE`` writes it; the user checks and edits it (column -> field, date
order, decimal mark, sign convention, pending marker, own account) and imports with
``finflow import --profile``. Guesses are by the words banks put in their headers, in Norwegian
and English; what cannot be guessed is left out and said in a comment, so the strict check
names it when the profile is used before it is finished.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import yaml

from .bank_csv import decode_export

__all__ = ["guess_profile"]

#: field -> header words (compared on lower-cased cells), first field that claims a column wins
_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("counterparty_account", ("motkonto", "counterparty account", "motpart")),
    ("from_account", ("fra konto", "frå konto", "from account", "avsenderkonto", "debtor account")),
    ("to_account", ("til konto", "to account", "mottakerkonto", "creditor account")),
    ("amount_in", ("inn på konto", "innskudd", "beløp inn", "inn", "credit", "kredit", "deposit", "money in")),
    ("amount_out", ("ut fra konto", "ut av konto", "uttak", "beløp ut", "ut", "debit", "withdrawal", "money out")),
    ("amount", ("beløp", "belop", "amount", "sum", "value")),
    ("date", ("bokført dato", "bokføringsdato", "booking date", "bookdate", "dato", "date")),
    ("from_name", ("avsender", "avsendar", "payer", "debtor")),
    ("to_name", ("mottakernavn", "mottakarnamn", "mottaker", "payee", "creditor", "beneficiary")),
    ("name", ("navn", "name", "counterparty")),
    ("currency", ("valuta", "currency", "ccy")),
    ("status", ("status", "state")),
    ("reference", ("arkivreferanse", "referanse", "reference", "ref")),
    ("text", ("forklaring", "beskrivelse", "skildring", "tekst", "text", "description", "tittel", "melding",
              "message", "details")),
)  # fmt: skip
_DELIMITERS = (";", "\t", ",", "|")


def _field_for(cell: str) -> str | None:
    low = cell.strip().casefold()
    for field, words in _WORDS:
        if low in words:
            return field
    for field, words in _WORDS:  # then as a word inside a longer header
        if any(re.search(rf"(?<![a-zæøå]){re.escape(w)}(?![a-zæøå])", low) for w in words if len(w) > 3):
            return field
    if re.search(r"dato|date|dag$|day$", low):  # Bokføringsdato, TransactionDate, Bokføringsdag
        return "date"
    return None


def guess_profile(path: str) -> str:
    """YAML text of a profile guessed from ``path``'s header and first rows."""
    data = Path(path).read_bytes()[: 1 << 16]
    text, encoding = decode_export(data[3:] if data.startswith(b"\xef\xbb\xbf") else data)
    lines = [line for line in text.splitlines() if line.strip()][:20]
    if not lines:
        raise ValueError(f"{Path(path).name}: the file is empty")
    delimiter = max(_DELIMITERS, key=lambda d: lines[0].count(d))
    rows = list(csv.reader(lines, delimiter=delimiter))
    header = [c.strip() for c in rows[0]]
    chosen: dict[str, object] = {}
    texts: list[str] = []
    unread: list[str] = []
    for cell in header:
        field = _field_for(cell) if cell else None
        if field == "text":
            texts.append(cell)
        elif field and field not in chosen:
            chosen[field] = cell
        elif cell:
            unread.append(cell)
    if "amount" in chosen and "amount_in" in chosen and "amount_out" in chosen:
        unread.append(str(chosen.pop("amount")))
    stem = re.sub(r"[^a-z0-9]+", "_", Path(path).stem.casefold()).strip("_") or "my_bank"
    profile: dict[str, object] = {
        "key": stem,
        "bank": f"{Path(path).stem} export",
        "signature": [c for c in header if c],
        "delimiter": delimiter,
    }
    for field in ("date", "amount", "amount_in", "amount_out", "from_account", "to_account", "counterparty_account",
                  "from_name", "to_name", "name", "currency", "status", "reference"):  # fmt: skip
        if field in chosen:
            profile[field] = chosen[field]
    profile["text"] = texts or ["EDIT: the column with the payment text"]
    profile["date_order"] = _date_order(rows[1:], header, chosen.get("date"))
    decimal = _decimal(rows[1:], header, [chosen.get(f) for f in ("amount", "amount_in", "amount_out")])
    if decimal:
        profile["decimal"] = decimal
    notes = [
        f"# finflow import profile guessed from {Path(path).name} ({encoding}). Check every line, then:",
        "#   finflow import --profile THIS_FILE --case CASE FILE",
        "# Keys: date (the booking date column), text (columns joined into the description), amount (one",
        "# signed column) or amount_in + amount_out, from_account/to_account (payer/payee) or",
        "# counterparty_account (the other side, whatever the direction), from_name/to_name/name,",
        "# currency, status (a column saying Reservert/pending), date_order (dmy|mdy), decimal ('.'|','),",
        "# channel (default channel, e.g. card), own_account (the statement's own account), encoding",
        "# (e.g. cp1252, latin-1 or utf-8: read the whole file strictly so; without it each line is read",
        "# as UTF-8, else as cp1252).",
    ]
    if "date" not in chosen:
        notes.append("# EDIT: no date column was recognised; name it in 'date'.")
    if not any(f in chosen for f in ("amount", "amount_in")):
        notes.append("# EDIT: no amount column was recognised; add 'amount' or 'amount_in' + 'amount_out'.")
    if unread:
        notes.append(f"# Columns not read: {', '.join(unread)}")
    body = yaml.safe_dump(profile, allow_unicode=True, sort_keys=False, width=120)
    return "\n".join(notes) + "\n" + body


def _cells(rows: list[list[str]], header: list[str], column: object) -> list[str]:
    if not isinstance(column, str) or column not in header:
        return []
    at = header.index(column)
    return [r[at].strip() for r in rows if len(r) > at and r[at].strip()]


def _date_order(rows: list[list[str]], header: list[str], column: object) -> str:
    """``mdy`` when slash dates have a second part above 12 (1/31/2026), else ``dmy``."""
    for value in _cells(rows, header, column):
        parts = re.match(r"^(\d{1,2})/(\d{1,2})/\d{4}", value)
        if parts and int(parts.group(2)) > 12:
            return "mdy"
    return "dmy"


def _decimal(rows: list[list[str]], header: list[str], columns: list[object]) -> str | None:
    """The decimal mark when the amounts show it unambiguously (both marks in one number)."""
    for column in columns:
        for value in _cells(rows, header, column):
            if "," in value and "." in value:
                return "." if value.rfind(".") > value.rfind(",") else ","
    return None
