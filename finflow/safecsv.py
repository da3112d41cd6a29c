"""The one CSV writer for every file finflow writes for people to open (findings, subjects, rejects, traces).

Extract text is hostile: a payee named ``=HYPERLINK("http://…")`` or ``@SUM(…)`` would run as a
formula when an investigator opens the file in Excel or LibreOffice. So:

- **text** cells that start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return get a
  leading ``'`` (the spreadsheet convention for "this is text"; OWASP's advice for CSV injection).
  That includes text that merely looks like a number, such as a phone ``+4712345678``: in a text
  column it stays text, and Excel shows it without turning it into ``4712345678``;
- **numbers** — Python ``int``/``float``/``Decimal`` values and pandas numeric columns (amounts
  in minor units, counts, scores) — are written unchanged, so a negative amount stays a number
  that sums in a spreadsheet;
- files are UTF-8 **with a byte-order mark**, so Excel in a Norwegian locale shows æøå instead of
  mojibake (other tools, Python's ``csv`` with ``encoding="utf-8-sig"`` and pandas, read it too);
- ``\\n`` line endings, minimal quoting, nulls as empty cells, and no wall-clock anything: the same
  rows give the same bytes;
- the file is written beside its final name and renamed into place, so a reader never sees half.

The synthetic generator's bank-format writers (:mod:`finflow.synth`, :mod:`finflow.writers`)
imitate banks' own exports, encodings included, and do not use this module.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from finflow.errors import naming

__all__ = ["FORMULA_TRIGGERS", "csv_text", "defuse", "defuse_frame", "frame_text", "write_csv", "write_rows"]

#: First characters that make a spreadsheet read a cell as a formula (or strip it into one).
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

_BOM = "\ufeff"
_NUMBERS = (int, float, Decimal, np.integer, np.floating)


def defuse(value: Any) -> Any:
    """``value`` made safe for one spreadsheet cell: text that could run gets a leading ``'``.

    Numbers (and booleans) are returned unchanged; ``None`` and NA become ``""``.
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, (bool, np.bool_, *_NUMBERS)):
        if isinstance(value, float | np.floating) and value != value:
            return ""
        return value
    text = value if isinstance(value, str) else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def defuse_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text columns are defused; numeric and boolean columns untouched."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        if pd.api.types.is_datetime64_any_dtype(values):
            continue
        if pd.api.types.is_string_dtype(values) and values.dtype != object:  # all text: vectorised
            text = values.astype("string")
            risky = text.str.slice(0, 1).isin(FORMULA_TRIGGERS).fillna(False).astype(bool)
            out[column] = text.mask(risky, "'" + text)
            continue
        out[column] = pd.Series([defuse(v) for v in values.tolist()], index=values.index, dtype=object)
    return out


def _replace_atomically(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with naming(path):
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    return path


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]], *, bom: bool = True) -> str:
    """CSV text of ``header`` and ``rows``, every cell through :func:`defuse`.

    ``bom=False`` for text piped to another program (a terminal, ``| cut``), where a byte-order
    mark would be an odd first character; files keep it.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([defuse(h) for h in header])
    for row in rows:
        writer.writerow([defuse(v) for v in row])
    return (_BOM if bom else "") + buffer.getvalue()


def write_rows(path: str | Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    """Write ``header`` and ``rows`` to ``path`` as a safe CSV (see the module docstring)."""
    return _replace_atomically(Path(path), csv_text(header, rows))


def frame_text(frame: pd.DataFrame) -> str:
    """Safe CSV text of ``frame`` (no index), byte-order mark included (see the module docstring)."""
    return _BOM + defuse_frame(frame).to_csv(index=False, lineterminator="\n", na_rep="")


def write_csv(path: str | Path, frame: pd.DataFrame) -> Path:
    """Write ``frame`` (no index) to ``path`` as a safe CSV (see the module docstring)."""
    return _replace_atomically(Path(path), frame_text(frame))
