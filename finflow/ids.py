"""Content-derived identifiers.

An id is a short, stable hash of the fields that make a record what it is, prefixed with the
record kind (``txn-…``, ``party-…``). The same content always gives the same id, so re-importing
a file, or importing the same fact from two sources, lands on the same row.
"""

from __future__ import annotations

import hashlib
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
    "org_party_id",
    "person_party_id",
]

ID_SEPARATOR = "\x1f"  # unit separator: cannot appear in normalised field values


def content_id(prefix: str, *parts: object) -> str:
    """``prefix-<20 hex>`` from the parts (None and NaN hash as empty)."""
    text = ID_SEPARATOR.join("" if p is None or (isinstance(p, float) and p != p) else str(p) for p in parts)
    return f"{prefix}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:20]}"


def content_ids(prefix: str, columns: Iterable[pd.Series]) -> pd.Series:
    """Vectorised :func:`content_id` over aligned columns (one id per row).

    The columns are joined by Arrow's kernel; only the hashing runs per row.
    """
    cols = list(columns)
    arrays = [pc.fill_null(arrow_text(c), "") for c in cols]
    joined = (
        pc.binary_join_element_wise(*arrays, pa.scalar(ID_SEPARATOR, pa.large_string()))
        if len(arrays) > 1
        else arrays[0]
    )
    return hash_ids(prefix, joined, cols[0].index)


def hash_ids(prefix: str, joined: pa.Array, index: pd.Index) -> pd.Series:
    """``prefix-<20 hex>`` per row of already joined Arrow text (null hashes as empty).

    Hashing is the one step that must run per row; it reads the UTF-8 bytes straight from Arrow.
    """
    sha = hashlib.sha256
    texts = pc.fill_null(joined, "").cast(pa.large_binary()).to_pylist()
    digests = pa.array([f"{prefix}-{sha(text).hexdigest()[:20]}" for text in texts], pa.large_string())
    return pd.Series(pd.arrays.ArrowStringArray(digests), index=index)


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


def person_party_id(normalized_name: str, birth_date: str) -> str:
    """A person's party id from a strong key: normalised name + birth date (YYYY-MM-DD)."""
    return content_id("party", "person", normalized_name, birth_date)


def holder_party_id(account_id: str) -> str:
    """An unresolved holder: "whoever holds this account", until a strong key links a party."""
    return content_id("holder", account_id)


def address_id(normalized_address: str) -> str:
    """An address id from its normalised text."""
    return content_id("addr", normalized_address)
