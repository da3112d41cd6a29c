"""Column look-ups whose type does not depend on what they found.

pandas 3 types the result of ``Series.map`` by the values it found: a look-up in an empty mapping
(a case without findings, without holder names, without countries) gives an all-null
``double[pyarrow]`` column, on which ``fillna("")`` or ``.str`` then fail. A look-up that must
give text or numbers goes through one of these, so the empty case is the same code path as the
full one.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

__all__ = ["lookup_number", "lookup_text"]


def lookup_text(keys: pd.Series, mapping: Mapping[str, object] | pd.Series, default: str | None = None) -> pd.Series:
    """``mapping[key]`` for each key as nullable text; ``default`` (or ``<NA>``) where absent."""
    found = keys.map(mapping).astype("string")
    return found if default is None else found.fillna(default)


def lookup_number(keys: pd.Series, mapping: Mapping[str, object] | pd.Series, default: float = 0) -> pd.Series:
    """``mapping[key]`` for each key as ``float64``; ``default`` where absent."""
    return keys.map(mapping).astype("float64").fillna(default)
