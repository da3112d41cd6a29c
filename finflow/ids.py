"""Content-derived identifiers.

An id is a short, stable hash of the fields that make a record what it is, prefixed with the
record kind (``txn-…``, ``party-…``). The same content always gives the same id, so re-importing
a file, or importing the same fact from two sources, lands on the same row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import pandas as pd

__all__ = ["content_id", "content_ids", "file_sha256"]

_SEP = "\x1f"  # unit separator: cannot appear in normalised field values


def content_id(prefix: str, *parts: object) -> str:
    """``prefix-<20 hex>`` from the parts (None and NaN hash as empty)."""
    text = _SEP.join("" if p is None or (isinstance(p, float) and p != p) else str(p) for p in parts)
    return f"{prefix}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:20]}"


def content_ids(prefix: str, columns: Iterable[pd.Series]) -> pd.Series:
    """Vectorised :func:`content_id` over aligned columns (one id per row)."""
    cols = [c.astype("string").fillna("") for c in columns]
    joined = cols[0].str.cat(cols[1:], sep=_SEP) if len(cols) > 1 else cols[0]
    digests = [
        f"{prefix}-{hashlib.sha256(s.encode('utf-8')).hexdigest()[:20]}" for s in joined.tolist()
    ]
    return pd.Series(digests, index=cols[0].index, dtype="string")


def file_sha256(path: str) -> str:
    """SHA-256 of a file's bytes, streamed."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
