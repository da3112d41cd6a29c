"""Normalising identifiers: account numbers, IBANs, organisation numbers, names, countries.

Validation uses python-stdnum (MOD11 for Norwegian account and organisation numbers, mod-97 for
IBANs). A Norwegian IBAN is reduced to its 11-digit account number, so ``1234.56.78903``,
``12345678903`` and ``NO.. 1234 5678 903`` meet as one account. Anything else is kept verbatim
(trimmed) and marked unvalidated rather than rejected: it is what the bank wrote — up to
:data:`MAX_ACCOUNT_ID_CHARS` characters. No account identifier is longer; a longer text (hostile
or garbled) is cut and ends with a hash of the whole, so distinct texts stay distinct while the
id stays short enough to index (Neo4j refuses keys over about 8 KB), draw and read.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from stdnum import iban as std_iban
from stdnum.no import kontonr, orgnr

from finflow.arrowcol import arrow_text

__all__ = [
    "MAX_ACCOUNT_ID_CHARS",
    "AccountNumber",
    "guess_party_kind",
    "is_country_code",
    "normalize_account",
    "normalize_accounts",
    "normalize_name",
    "normalize_orgnr",
]

_SEPARATORS = re.compile(r"[\s.\-]")
_IBAN_SHAPE = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_COMPANY_SUFFIX = re.compile(
    r"\b(AS|ASA|ANS|DA|SA|ENK|NUF|BA|SE|KS|LTD|LIMITED|GMBH|AB|OY|APS|SRL|SP\.? Z ?O\.?O\.?|INC|LLC|BV|NV)\.?$",
    re.IGNORECASE,
)


#: Longest account id kept as written (an IBAN has at most 34 characters).
MAX_ACCOUNT_ID_CHARS = 100


def _bounded(text: str) -> str:
    """``text``, or its first 60 characters, ``…`` and 20 hex of its SHA-256 when it is too long."""
    if len(text) <= MAX_ACCOUNT_ID_CHARS:
        return text
    return f"{text[:60]}…{hashlib.sha256(text.encode('utf-8')).hexdigest()[:20]}"


@dataclass(frozen=True, slots=True)
class AccountNumber:
    """A normalised account identifier."""

    account_id: str
    scheme: str  # no_bban | iban | other
    validated: bool
    country: str | None


@lru_cache(maxsize=1_000_000)
def normalize_account(raw: str) -> AccountNumber:
    """Normalise one account identifier (see module docstring)."""
    text = raw.strip()
    compact = _SEPARATORS.sub("", text).upper()
    if compact.isdigit() and len(compact) == 11 and kontonr.is_valid(compact):
        return AccountNumber(compact, "no_bban", True, "NO")
    if _IBAN_SHAPE.match(compact) and std_iban.is_valid(compact):
        if compact.startswith("NO") and kontonr.is_valid(compact[4:]):
            return AccountNumber(compact[4:], "no_bban", True, "NO")
        return AccountNumber(compact, "iban", True, compact[:2])
    return AccountNumber(_bounded(text), "other", False, None)


def normalize_accounts(values: pd.Series) -> pd.DataFrame:
    """Vectorised :func:`normalize_account`: normalises each distinct value once.

    Returns a frame aligned to ``values`` with ``account_id``, ``scheme``, ``country`` (text)
    and ``validated`` (boolean); null or blank inputs give null ``account_id``. The distinct
    values come from Arrow's dictionary encoding, so a million rows cost one pass.
    """
    stripped = pc.utf8_trim_whitespace(arrow_text(values))
    encoded = pc.dictionary_encode(pc.if_else(pc.equal(stripped, ""), pa.scalar(None, pa.large_string()), stripped))
    rows = [normalize_account(v) for v in encoded.dictionary.to_pylist()]
    indices = encoded.indices

    def column(items: list[object], kind: pa.DataType) -> pd.Series:
        taken = pa.array(items, type=kind).take(indices)
        return pd.Series(pd.arrays.ArrowExtensionArray(taken), index=values.index)

    return pd.DataFrame(
        {
            "account_id": column([r.account_id for r in rows], pa.large_string()).astype("string"),
            "scheme": column([r.scheme for r in rows], pa.large_string()).astype("string"),
            "validated": column([r.validated for r in rows], pa.bool_()).astype("boolean"),
            "country": column([r.country for r in rows], pa.large_string()).astype("string"),
        },
        index=values.index,
    )


def normalize_orgnr(raw: str) -> str | None:
    """9-digit organisation number if MOD11-valid, else None."""
    compact = re.sub(r"\D", "", raw or "")
    return compact if orgnr.is_valid(compact) else None


def normalize_name(name: str | None) -> str:
    """Key for comparing names: NFKC, casefolded, single spaces, no punctuation."""
    if not name:
        return ""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def is_country_code(code: str) -> bool:
    """True for a syntactically valid ISO 3166-1 alpha-2 code."""
    return bool(_COUNTRY.match(code))


def guess_party_kind(name: str | None) -> str:
    """``company`` when the name ends with a legal-form suffix (AS, ASA, Ltd …), else ``person``."""
    if not name or not name.strip():
        return "unknown"
    return "company" if _COMPANY_SUFFIX.search(name.strip()) else "person"
