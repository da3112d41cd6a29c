"""Import profiles as YAML files: the built-in bank layouts and the ones users write.

A profile says which header a bank export has and which column holds what (date, text,
amounts, accounts, names, status …), plus the conventions finflow cannot always detect (date
order, decimal mark, pending marker, default channel). The layouts finflow knows are such
files, shipped in ``finflow/importers/profiles/``; ``finflow profile new FILE`` writes one
guessed from an unfamiliar export, which the user edits and passes with ``--profile``. One
mechanism, checked strictly: an unknown key, a wrong type or a column the file does not have
is a one-line error naming the profile and the key.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from finflow.model import CHANNELS

from .base import ImportError_

__all__ = ["BankProfile", "builtin_profiles", "check_columns", "header_key", "load_profile", "profile_from_mapping"]


def header_key(cell: str) -> str:
    """Comparable form of a header cell: lower-case ASCII letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", cell.strip().strip('"').casefold())


@dataclass(frozen=True, slots=True)
class BankProfile:
    """One export layout. Column names are as the bank writes them; ``None`` = not in the export.

    Amounts are either one signed column (``amount``) or two columns (``amount_in`` /
    ``amount_out``), whatever sign the bank puts in them: a value in ``amount_out`` is a debit.
    ``from_account``/``to_account`` carry the payer's/payee's account where the export has them,
    ``counterparty_account`` the other side's account whatever the direction (DNB ``Motkonto``);
    ``from_name``/``to_name`` their names; ``name`` a counterparty name whatever the direction.
    Profiles are YAML files (:mod:`.profile_files`); the keys are these fields.
    """

    key: str  # short id, e.g. "dnb"
    bank: str  # display name
    signature: tuple[str, ...]  # header cells that must all be present (any order)
    delimiter: str
    date: str
    text: tuple[str, ...]  # joined with " " into the description
    amount: str | None = None
    amount_in: str | None = None
    amount_out: str | None = None
    from_account: str | None = None
    to_account: str | None = None
    counterparty_account: str | None = None
    from_name: str | None = None
    to_name: str | None = None
    name: str | None = None
    currency: str | None = None
    status: str | None = None  # a column whose value says booked / pending
    time: str | None = None  # a column holding a timestamp with HH:MM
    reference: str | None = None
    channel_text: tuple[str, ...] = ()  # extra columns searched for channel keywords
    fallback_date: str | None = None  # read where ``date`` is empty (a booking not yet dated)
    date_order: str = "dmy"  # dmy: 31.01.2026 / 31-01-2026 (and ISO); mdy: 1/31/2026
    decimal: str | None = None  # "." or ",": the decimal mark, when the bank always writes one
    channel: str | None = None  # channel of rows no keyword places (a card account: "card")
    channel_column: str | None = None  # a column whose exact values name the channel
    channel_values: tuple[tuple[str, str], ...] = ()  # value of ``channel_column`` -> channel
    name_from_text: str = "patterns"  # patterns | whole (also a text that is only a name) | off
    headerless: bool = False  # the file has no header row; ``signature`` names its columns
    footer_words: tuple[str, ...] = ()  # rows without a date holding one of these are not bookings
    own_account: str | None = None  # a fixed own account (a user profile for one statement)
    encoding: str | None = None  # the file's encoding (cp1252, latin-1, utf-8); None: detected per line

    def columns(self) -> set[str]:
        """Every column the profile reads (all must exist in a matching header)."""
        named = (
            self.date, self.amount, self.amount_in, self.amount_out, self.from_account,
            self.to_account, self.counterparty_account, self.from_name, self.to_name, self.name,
            self.currency, self.status, self.time, self.reference, self.fallback_date,
            self.channel_column, *self.text, *self.channel_text,
        )  # fmt: skip
        return {c for c in named if c}


_TUPLES = {"signature", "text", "channel_text", "footer_words"}
_CHOICES = {
    "date_order": ("dmy", "mdy"),
    "decimal": (".", ","),
    "name_from_text": ("patterns", "whole", "off"),
    "delimiter": (";", ",", "\t", "|"),
    "channel": CHANNELS,
}


def profile_from_mapping(data: object, where: str) -> BankProfile:
    """A profile from parsed YAML, checked strictly (``where`` names the file in errors)."""
    if not isinstance(data, dict):
        raise ImportError_(f"{where}: a profile is a mapping of keys to values")
    known = {f.name: f for f in fields(BankProfile)}
    unknown = [str(k) for k in data if k not in known]
    if unknown:
        raise ImportError_(f"{where}: unknown key {unknown[0]!r}; known keys: {', '.join(known)}")
    missing = [name for name in ("key", "bank", "signature", "delimiter", "date", "text") if name not in data]
    if missing:
        raise ImportError_(f"{where}: key {missing[0]!r} is required")
    values: dict[str, object] = {}
    for name, value in data.items():
        values[name] = _value(name, value, where)
    profile = BankProfile(**values)  # type: ignore[arg-type]
    if not profile.amount and not (profile.amount_in and profile.amount_out):
        raise ImportError_(f"{where}: give 'amount' (one signed column) or both 'amount_in' and 'amount_out'")
    if profile.channel_values and not profile.channel_column:
        raise ImportError_(f"{where}: 'channel_values' needs 'channel_column'")
    return profile


def _value(name: str, value: object, where: str) -> object:
    if name == "channel_values":
        if not isinstance(value, dict):
            raise ImportError_(f"{where}: 'channel_values' maps column values to channels")
        pairs = []
        for text, channel in value.items():
            if channel not in CHANNELS:
                raise ImportError_(f"{where}: channel_values {text!r}: {channel!r} is not one of {', '.join(CHANNELS)}")
            pairs.append((str(text).casefold(), str(channel)))
        return tuple(pairs)
    if name == "headerless":
        if not isinstance(value, bool):
            raise ImportError_(f"{where}: 'headerless' is true or false")
        return value
    if name in _TUPLES:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items or not all(isinstance(i, str) and i for i in items):
            raise ImportError_(f"{where}: {name!r} is a column name or a list of them")
        return tuple(items)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and name == "own_account":
        raise ImportError_(f"{where}: write 'own_account' in quotes; as a number it loses its leading zeros")
    if not isinstance(value, str) or not value:
        raise ImportError_(f"{where}: {name!r} must be text")
    if name == "encoding":
        return _encoding(value, where)
    choices = _CHOICES.get(name)
    if choices and value not in choices:
        raise ImportError_(f"{where}: {name!r} is {value!r}; expected one of {', '.join(map(repr, choices))}")
    return value


def _encoding(value: str, where: str) -> str:
    """The Python codec name of a text encoding (``latin-1`` -> ``iso8859-1``); anything else is an error."""
    try:
        info = codecs.lookup(value)
    except LookupError:
        info = None
    # codecs also knows byte-to-byte transforms (base64, zlib, rot13): they decode no text
    if info is None or not getattr(info, "_is_text_encoding", True):
        raise ImportError_(
            f"{where}: 'encoding' is {value!r}, which is not a text encoding Python knows "
            "(for example utf-8, cp1252, latin-1)"
        )
    return info.name


def load_profile(path: str) -> BankProfile:
    """A user's profile file, checked strictly."""
    name = Path(path).name
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportError_(f"{name}: cannot read the profile ({exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise ImportError_(f"{name}: not valid YAML{at}") from None
    return profile_from_mapping(data, name)


def check_columns(profile: BankProfile, header: list[str], where: str) -> None:
    """Every column the profile names must be in the file's header (one-line error otherwise)."""
    keys = {header_key(h) for h in header}
    for column in sorted(profile.columns() | set(profile.signature)):
        if header_key(column) not in keys:
            raise ImportError_(f"{where}: the profile names column {column!r}, which is not in the file's header")


@cache
def builtin_profiles() -> tuple[BankProfile, ...]:
    """The profiles shipped with finflow, in file-name order (their signatures do not overlap)."""
    folder = resources.files(__package__ or "finflow.importers") / "profiles"
    out = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            data = yaml.safe_load(entry.read_text(encoding="utf-8"))
            out.append(profile_from_mapping(data, f"built-in profile {entry.name}"))
    return tuple(out)
