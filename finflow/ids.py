"""Content-derived identifiers.

An id is a short, stable hash of the fields that make a record what it is, prefixed with the
record kind (``txn-…``, ``party-…``). The same content always gives the same id, so re-importing
a file, or importing the same fact from two sources, lands on the same row.

Ids derived from personal data — a person's name and birth date, a phone or id-document number —
are keyed: HMAC-SHA-256 under the case's secret key (:mod:`finflow.casekey`) instead of a plain
hash, so an id in ``subjects.csv`` cannot be reversed by hashing every birth date of a century.
Organisation numbers (public registry data), account numbers and addresses are shown in the
outputs anyway; their ids stay plain hashes.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from finflow.arrowcol import arrow_text

__all__ = [
    "ID_SEPARATOR",
    "address_id",
    "content_id",
    "content_ids",
    "file_sha256",
    "hash_ids",
    "holder_party_id",
    "identifier_id",
    "keyed_ids",
    "org_party_id",
    "person_party_id",
]

ID_SEPARATOR = "\x1f"  # unit separator: cannot appear in normalised field values


def _require(key: bytes | None) -> bytes:
    if not key:
        raise ValueError("ids derived from personal data need the case key (finflow.casekey.case_key)")
    return key


def _digest(text: bytes, key: bytes | None) -> str:
    if key is None:
        return hashlib.sha256(text).hexdigest()[:20]
    return hmac.digest(key, text, "sha256").hex()[:20]


def content_id(prefix: str, *parts: object, key: bytes | None = None) -> str:
    """``prefix-<20 hex>`` from the parts (None and NaN hash as empty); keyed when ``key`` is given."""
    text = ID_SEPARATOR.join("" if p is None or (isinstance(p, float) and p != p) else str(p) for p in parts)
    return f"{prefix}-{_digest(text.encode('utf-8'), key)}"


def _joined(columns: list[pd.Series]) -> pa.Array:
    arrays = [pc.fill_null(arrow_text(c), "") for c in columns]
    if len(arrays) == 1:
        return arrays[0]
    return pc.binary_join_element_wise(*arrays, pa.scalar(ID_SEPARATOR, pa.large_string()))


def content_ids(prefix: str, columns: Iterable[pd.Series]) -> pd.Series:
    """Vectorised :func:`content_id` over aligned columns (one id per row).

    The columns are joined by Arrow's kernel; only the hashing runs per row.
    """
    cols = list(columns)
    return hash_ids(prefix, _joined(cols), cols[0].index)


def keyed_ids(prefix: str, columns: Iterable[pd.Series], key: bytes | None) -> pd.Series:
    """:func:`content_ids` under the case key (HMAC-SHA-256), for ids derived from personal data.

    The key is required as soon as there is a row to hash.
    """
    cols = list(columns)
    if len(cols[0]) == 0:
        return pd.Series(pd.array([], dtype="string"), index=cols[0].index)
    return hash_ids(prefix, _joined(cols), cols[0].index, key=_require(key))


def hash_ids(prefix: str, joined: pa.Array, index: pd.Index, *, key: bytes | None = None) -> pd.Series:
    """``prefix-<20 hex>`` per row of already joined Arrow text (null hashes as empty).

    Hashing is the one step that must run per row; it reads the UTF-8 bytes straight from Arrow.
    With ``key`` the hash is HMAC-SHA-256 under that key.
    """
    texts = pc.fill_null(joined, "").cast(pa.large_binary()).to_pylist()
    if key is None:
        sha = hashlib.sha256
        ids = [f"{prefix}-{sha(text).hexdigest()[:20]}" for text in texts]
    else:
        mac = hmac.digest
        ids = [f"{prefix}-{mac(key, text, 'sha256').hex()[:20]}" for text in texts]
    return pd.Series(pd.arrays.ArrowStringArray(pa.array(ids, pa.large_string())), index=index)


def file_sha256(path: str) -> str:
    """SHA-256 of a file's bytes, streamed."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def org_party_id(org_number: str) -> str:
    """A company's party id: from its organisation number alone, so registry and bank data meet."""
    return content_id("party", "org", org_number)


def person_party_id(normalized_name: str, birth_date: str, key: bytes | None) -> str:
    """A person's party id from a strong key: normalised name + birth date (YYYY-MM-DD), keyed."""
    return content_id("party", "person", normalized_name, birth_date, key=_require(key))


def identifier_id(kind: str, value: str, key: bytes | None) -> str:
    """An identifier's id (a phone, id-document number, e-mail: ``kind`` + normalised value), keyed."""
    return content_id("ident", kind, value, key=_require(key))


def holder_party_id(account_id: str) -> str:
    """An unresolved holder: "whoever holds this account", until a strong key links a party."""
    return content_id("holder", account_id)


def address_id(normalized_address: str) -> str:
    """An address id from its normalised text."""
    return content_id("addr", normalized_address)
