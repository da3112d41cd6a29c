"""Pandas columns as single Arrow arrays: the form the vectorised parsers and hashers work on.

Importers and the case loader move whole columns into Arrow compute kernels; these two helpers
are the one place that conversion (and its chunk and string-type details) is written.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

__all__ = ["arrow_array", "arrow_text"]


def arrow_array(values: pd.Series) -> pa.Array:
    """The column as one contiguous Arrow array (nulls stay null)."""
    array = pa.array(values, from_pandas=True)
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def arrow_text(values: pd.Series) -> pa.Array:
    """The column as ``large_string`` Arrow text, written as pandas writes it (nulls stay null)."""
    return arrow_array(values.astype("string")).cast(pa.large_string())
