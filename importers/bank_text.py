"""Vectorised reading of bank-statement text: amounts, dates, times, channels, account numbers.

Everything runs as pyarrow compute kernels over whole columns (RE2 regular expressions, so no
look-arounds), because pandas' string methods fall back to per-row Python for ``extract`` and
``find`` and a statement can have a million rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from finflow.arrowcol import arrow_text
from finflow.money import active_currencies, digits_to_minor, row_exponents
from finflow.normalize import normalize_accounts

from .bank_profiles import CHANNEL_KEYWORDS

__all__ = [
    "account_in_text",
    "arrow",
    "channel_from_text",
    "contains_any",
    "find_time",
    "name_in_text",
    "np_bool",
    "parse_dates",
    "parse_money",
    "series",
    "to_minor",
    "valid_bban",
    "valid_currency",
]

_NOT_ALNUM = "[^0-9A-Za-z]"
_ACCOUNT = r"\d{4}[. ]?\d{2}[. ]?\d{5}|[A-Z]{2}\d{2}[A-Z0-9]{11,30}"
_DATE_FORMATS = {  # date order -> (pattern, strptime format, where the day of month is written)
    "dmy": (
        (r"^\d{2}\.\d{2}\.\d{4}$", "%d.%m.%Y", 0),
        (r"^\d{2}-\d{2}-\d{4}$", "%d-%m-%Y", 0),
        (r"^\d{4}/\d{2}/\d{2}$", "%Y/%m/%d", 8),
        (r"^\d{4}-\d{2}-\d{2}$", "%Y-%m-%d", 8),
    ),
    "mdy": (
        (r"^\d{2}/\d{2}/\d{4}$", "%m/%d/%Y", 3),
        (r"^\d{4}-\d{2}-\d{2}$", "%Y-%m-%d", 8),
    ),
}
_NAME_TOKEN = r"\p{Lu}[\p{L}'.\-]*"
_NAME_RUN = rf"(?P<n>{_NAME_TOKEN}(?:[ ](?:{_NAME_TOKEN}|von|van|de|af|da|\d+)){{0,3}})(?:\s|$)"
#: Texts that name the counterparty after a fixed opening: a Vipps receipt ("Vipps Kari Olsen",
#: "Vipps*Kiwi"), a transfer ("Overføring til 1234.56.78903 Ola Nordmann husleie").
_OPENING_WORDS = "vipps|overføring|overforing|nettgiro|giro|straksbetaling|betaling|innbetaling"
_OPENING = r"^[^ *]+ *\*? *(?:(?:[Tt]il|[Ff]ra)(?: |$))? *"
_LEADING_ACCOUNT = r"^(?:[0-9]{4}[. ]?[0-9]{2}[. ]?[0-9]{5}|[A-Z]{2}[0-9]{2}[A-Z0-9]+)(?: +|$)"
_PARTICLES = ("von", "van", "de", "af", "da")
_MAX_NAME_WORDS = 4
_WHOLE_NAME = rf"^{_NAME_TOKEN}(?: {_NAME_TOKEN}){{1,3}}$"
_MAX_WHOLE_DIGITS = 15


def arrow(values: pd.Series) -> pa.Array:
    """A string column as a pyarrow array, nulls as empty strings."""
    return pc.fill_null(arrow_text(values).cast(pa.string()), "")


def series(array: pa.Array, index: pd.Index) -> pd.Series:
    """A pyarrow string array back as a pandas ``string`` column."""
    return pd.Series(pd.arrays.ArrowStringArray(array.cast(pa.large_string())), index=index)


def np_bool(array: pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(array, False).to_numpy(zero_copy_only=False), dtype=bool)


def contains_any(text: pa.Array, words: tuple[str, ...]) -> np.ndarray:
    """True where the lower-cased text contains any of ``words`` (lower-case, literal)."""
    pattern = "|".join(_re2_escape(w) for w in words)
    return np_bool(pc.match_substring_regex(text, pattern, ignore_case=True))


def _re2_escape(word: str) -> str:
    return "".join("\\" + c if c in r".^$*+?()[]{}|\\" else c for c in word)


def parse_money(text: pa.Array) -> tuple[np.ndarray, pa.Array, pa.Array]:
    """Bank number text → ``(negative, whole digits, fraction digits)``.

    Accepts a decimal comma or dot, space/NBSP/apostrophe thousands, a leading or trailing
    minus (also U+2212). When both ``,`` and ``.`` occur the last one is the decimal mark; a
    mark that occurs more than once is a thousands separator. Only literal (non-regex) kernels,
    as this runs on every amount column.
    """
    t = text
    for blank in (" ", "\u00a0", "\u202f", "'", "\t"):
        t = pc.replace_substring(t, blank, "")
    t = pc.replace_substring(t, "\u2212", "-")
    negative = np_bool(pc.or_(pc.starts_with(t, "-"), pc.ends_with(t, "-")))
    t = pc.utf8_trim(t, "+-")
    n_comma, n_dot = pc.count_substring(t, ","), pc.count_substring(t, ".")
    first_comma, first_dot = pc.find_substring(t, ","), pc.find_substring(t, ".")
    comma_decimal = pc.and_(pc.equal(n_comma, 1), pc.or_(pc.equal(n_dot, 0), pc.greater(first_comma, first_dot)))
    dot_decimal = pc.and_(pc.equal(n_dot, 1), pc.or_(pc.equal(n_comma, 0), pc.greater(first_dot, first_comma)))
    no_dots = pc.replace_substring(t, ".", "")
    no_commas = pc.replace_substring(t, ",", "")
    plain = pc.if_else(
        comma_decimal,
        pc.replace_substring(no_dots, ",", "."),
        pc.if_else(dot_decimal, no_commas, pc.replace_substring(no_dots, ",", "")),
    )
    halves = pc.split_pattern(pc.binary_join_element_wise(plain, ".", ""), ".", max_splits=1)
    whole = pc.list_element(halves, 0)
    frac = pc.utf8_rtrim(pc.list_element(halves, 1), ".")
    return negative, whole, frac


def to_minor(whole: pa.Array, frac: pa.Array, currency: pd.Series, label: str) -> tuple[np.ndarray, pd.Series]:
    """Minor units (0 where blank or invalid) and an error reason per row (null where fine)."""
    index = currency.index
    exps = row_exponents(currency, unknown=2)
    blank = np_bool(pc.and_(pc.equal(whole, ""), pc.equal(frac, "")))
    whole_ok = np_bool(pc.match_substring_regex(whole, rf"^\d{{0,{_MAX_WHOLE_DIGITS}}}$"))
    frac_ok = np_bool(pc.match_substring_regex(frac, r"^\d*$"))
    frac_len = pc.utf8_length(frac).to_numpy(zero_copy_only=False)
    too_precise = frac_len > exps
    too_long = np_bool(pc.greater(pc.utf8_length(whole), _MAX_WHOLE_DIGITS))
    valid = (
        ~blank & whole_ok & frac_ok & ~too_precise & (np_bool(pc.greater(pc.utf8_length(whole), 0)) | (frac_len > 0))
    )
    values = digits_to_minor(whole, frac, exps, valid)
    if (blank | valid).all():
        return values, pd.Series(pd.NA, index=index, dtype="string")
    error = np.full(len(values), None, dtype=object)
    error[~blank & ~valid] = f"{label} is not a number"
    error[~blank & too_long] = f"{label} is too large"
    error[~blank & whole_ok & frac_ok & too_precise] = f"{label} has more decimals than the currency"
    return values, pd.Series(error, index=index, dtype="string")


def parse_dates(text: pa.Array, order: str = "dmy") -> pd.Series:
    """Dates written ``dd.mm.yyyy``, ``dd-mm-yyyy``, ``yyyy/mm/dd`` or ``yyyy-mm-dd`` (any time after
    is ignored); with ``order="mdy"`` US-style ``m/d/yyyy`` (one-digit month and day allowed)."""
    token = pc.list_element(pc.split_pattern(pc.utf8_trim_whitespace(text), " ", max_splits=1), 0)
    if order == "mdy":  # 1/5/2026 -> 01/05/2026
        token = pc.replace_substring_regex(token, r"^(\d)/", r"0\1/")
        token = pc.replace_substring_regex(token, r"^(\d\d)/(\d)/", r"\1/0\2/")
    result = pa.nulls(len(text), pa.timestamp("s"))
    for pattern, fmt, day_at in _DATE_FORMATS[order]:
        fits = pc.match_substring_regex(token, pattern)
        if not pc.any(fits).as_py():
            continue
        candidate = pc.if_else(fits, token, None)
        parsed = pc.strptime(candidate, format=fmt, unit="s", error_is_null=True)
        # strptime rolls 31.02 over into March: a real date keeps the day of month it was written with
        written_day = pc.cast(pc.utf8_slice_codeunits(candidate, day_at, day_at + 2), pa.int64())
        real = pc.equal(pc.day(parsed), written_day)
        result = pc.coalesce(result, pc.if_else(real, parsed, None))
    return pd.Series(result.to_numpy(zero_copy_only=False)).astype("datetime64[s]")


def name_in_text(text: pa.Array, whole: bool = False) -> pa.Array:
    """The counterparty name a statement text gives after "Vipps" or "Overføring til <account>",
    else "" (with ``whole``, also a text that is nothing but a two- to four-word name).

    A name is a run of up to four capitalised words, so a message that starts with a capital
    right after the name is taken as part of it; the original text is always kept as well.
    """
    result = pa.array([""] * len(text), pa.string())
    opened = pc.fill_null(pc.match_substring_regex(text, f"^(?:{_OPENING_WORDS})(?:[ *]|$)", ignore_case=True), False)
    if pc.any(opened).as_py():  # simple literal-ish steps on those texts; one regex for all of it is slow
        rest = pc.replace_substring_regex(pc.filter(text, opened).cast(pa.string()), _OPENING, "")
        rest = pc.replace_substring_regex(rest, _LEADING_ACCOUNT, "")
        result = pc.replace_with_mask(result, opened, _leading_name(rest))
    if whole:
        alone = pc.fill_null(pc.match_substring_regex(pc.utf8_trim_whitespace(text), _WHOLE_NAME), False)
        kinds = "|".join(_re2_escape(w) for w, _ in CHANNEL_KEYWORDS)
        alone = pc.and_(alone, pc.invert(pc.match_substring_regex(text, f"^(?:{kinds})", ignore_case=True)))
        result = pc.if_else(pc.and_(pc.equal(result, ""), alone), pc.utf8_trim_whitespace(text), result)
    return pc.utf8_trim_whitespace(result.cast(pa.string()))


def _leading_name(text: pa.Array) -> pa.Array:
    """The run of up to four capitalised words a text starts with (digits and particles may
    follow the first word: "Kiwi 505 Storo", "Ludwig van Beethoven"), else ""."""
    words = pc.split_pattern(
        pc.binary_join_element_wise(text, " " * _MAX_NAME_WORDS, ""), " ", max_splits=_MAX_NAME_WORDS
    )
    name = pa.array([""] * len(text), pa.string())
    running = pa.array(np.ones(len(text), dtype=bool))
    for k in range(_MAX_NAME_WORDS):
        word = pc.utf8_rtrim(pc.list_element(words, k).cast(pa.string()), ",.;:")
        capital = pc.utf8_is_upper(pc.utf8_slice_codeunits(word, 0, 1))
        if k:
            capital = pc.or_(capital, pc.or_(pc.utf8_is_digit(word), pc.is_in(word, pa.array(_PARTICLES))))
        running = pc.and_(running, pc.fill_null(capital, False))
        grown = word if k == 0 else pc.binary_join_element_wise(name, word, " ")
        name = pc.if_else(running, grown, name)
    return name


def find_time(text: pa.Array, pattern: str) -> pa.Array:
    """``HH:MM`` from the first match of ``pattern`` (groups ``h`` and ``m``), else null."""
    found = pc.extract_regex(text, pattern)
    hours = pc.utf8_lpad(pc.fill_null(found.field("h"), ""), width=2, padding="0")
    joined = pc.binary_join_element_wise(hours, pc.fill_null(found.field("m"), ""), ":")
    return pc.if_else(pc.is_null(found), None, joined)


def channel_from_text(text: pa.Array) -> np.ndarray:
    """Channel of the keyword that occurs earliest in each text (None: no keyword).

    One RE2 alternation finds the leftmost keyword (the longest where two start at the same
    place), so names and messages later in the text cannot override the kind of booking the
    bank wrote first.
    """
    words = sorted({w for w, _ in CHANNEL_KEYWORDS}, key=len, reverse=True)
    found = pc.extract_regex(text, "(?i)(?P<k>" + "|".join(_re2_escape(w) for w in words) + ")")
    keyword = pc.fill_null(found.field("k"), "")
    mapping = dict(CHANNEL_KEYWORDS)
    encoded = pc.dictionary_encode(pc.if_else(pc.is_null(found), "", keyword))
    channels = np.array([mapping.get(w.lower()) for w in encoded.dictionary.to_pylist()], dtype=object)
    indices = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    return channels[indices] if len(indices) else np.array([], dtype=object)


_WEIGHTS = np.array([5, 4, 3, 2, 7, 6, 5, 4, 3, 2], dtype=np.int64)


def valid_bban(compact: pa.Array) -> np.ndarray:
    """MOD11 check of Norwegian 11-digit account numbers, vectorised (False for anything else)."""
    eleven = np_bool(pc.match_substring_regex(compact, r"^\d{11}$"))
    result = np.zeros(len(compact), dtype=bool)
    if not eleven.any():
        return result
    picked = pc.filter(compact, pa.array(eleven)).cast(pa.string())
    joined = "".join(picked.to_pylist()).encode("ascii")
    digits = (np.frombuffer(joined, dtype=np.uint8).reshape(-1, 11) - 48).astype(np.int64)
    remainder = (digits[:, :10] @ _WEIGHTS) % 11
    check = np.where(remainder == 0, 0, 11 - remainder)
    result[eleven] = (check != 10) & (check == digits[:, 10])
    return result


def account_in_text(text: pa.Array, own: str) -> pa.Array:
    """First account number (11 digits or IBAN) named in the text that is not ``own``, else ""."""
    first = pc.fill_null(
        pc.extract_regex(text, f"(?:^|{_NOT_ALNUM})(?P<a>{_ACCOUNT})(?:$|{_NOT_ALNUM})").field("a"), ""
    )
    ok = _usable_account(first, own)
    result = pc.if_else(pa.array(ok), first, "")
    retry = ~ok & ~np_bool(pc.equal(first, ""))  # the first number was the own account or invalid
    if retry.any():
        second = pc.extract_regex(
            pc.if_else(pa.array(retry), text, ""),
            f"(?:^|{_NOT_ALNUM})(?:{_ACCOUNT}){_NOT_ALNUM}(?:.*?{_NOT_ALNUM})?(?P<b>{_ACCOUNT})(?:$|{_NOT_ALNUM})",
        )
        candidate = pc.fill_null(second.field("b"), "")
        result = pc.if_else(pa.array(retry & _usable_account(candidate, own)), candidate, result)
    return result


def _usable_account(candidate: pa.Array, own: str) -> np.ndarray:
    """A valid Norwegian account or IBAN that is not the own account."""
    compact = pc.replace_substring(pc.replace_substring(candidate, ".", ""), " ", "")
    ok = valid_bban(compact)
    iban = np_bool(pc.match_substring_regex(compact, r"^[A-Z]{2}\d{2}"))
    if iban.any():
        norm = normalize_accounts(series(pc.filter(compact, pa.array(iban)), pd.RangeIndex(int(iban.sum()))))
        ok[iban] = norm["scheme"].isin(["no_bban", "iban"]).to_numpy(dtype=bool) & (norm["account_id"] != own).fillna(
            False
        ).to_numpy(dtype=bool)
    return ok & ~np_bool(pc.equal(compact, own))


def valid_currency(codes: pd.Series) -> np.ndarray:
    """True for active ISO 4217 codes (looked up once per distinct value)."""
    return codes.isin(active_currencies()).to_numpy(dtype=bool)
