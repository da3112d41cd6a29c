"""Reading delimited text safely and fast, keeping every row accounted for.

The fast path parses with pyarrow. Only when some records are malformed (wrong number of
fields, blank lines) does a second pass with the standard ``csv`` module find exactly which
records they were, so each valid record keeps its row number (the header is row 1, as in a
spreadsheet) and each malformed one becomes a reject with its row and reason.

Limits guard against CSV bombs: a header with too many columns or a line longer than
``MAX_LINE_BYTES`` is refused as a whole with a clear error, before any parsing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .base import ImportError_, Source, reject

__all__ = ["MAX_COLUMNS", "MAX_LINE_BYTES", "CsvRecords", "decode_head", "is_utf8", "read_records"]

MAX_COLUMNS = 256
MAX_LINE_BYTES = 1 << 20  # 1 MiB: no honest statement line is longer


@dataclass(slots=True)
class CsvRecords:
    """Valid records as string columns (plus ``source_locator``), and the malformed ones."""

    frame: pd.DataFrame
    rejects: pd.DataFrame
    rows_read: int


def decode_head(head: bytes, encodings: tuple[str, ...] = ("utf-8-sig",)) -> str | None:
    """The first bytes of a file as text in the first encoding that fits, or None (binary)."""
    if b"\x00" in head:
        return None
    for encoding in encodings:
        try:
            return head.decode(encoding)
        except UnicodeDecodeError as exc:
            # a multi-byte character cut at the end of the sample is fine
            if exc.start >= len(head) - 3:
                return head[: exc.start].decode(encoding)
    return None


def _check_shape(data: bytes, source: Source, delimiter: str) -> None:
    if not data.strip():
        raise ImportError_(f"{source.name}: the file is empty")
    if b"\x00" in data[:65536]:
        raise ImportError_(f"{source.name}: not a text file (contains NUL bytes)")
    first_end = data.find(b"\n")
    header_len = len(data) if first_end < 0 else first_end
    if header_len > MAX_LINE_BYTES:
        raise ImportError_(f"{source.name}: row 1 (header) is longer than {MAX_LINE_BYTES} bytes")
    columns = data[:header_len].count(delimiter.encode()) + 1
    if columns > MAX_COLUMNS:
        raise ImportError_(f"{source.name}: row 1 (header) has {columns} columns; at most {MAX_COLUMNS} are accepted")
    if _longest_line(data) > MAX_LINE_BYTES:
        raise ImportError_(f"{source.name}: a line is longer than {MAX_LINE_BYTES} bytes")


def _longest_line(data: bytes) -> int:
    """Length of the longest line if it may exceed ``MAX_LINE_BYTES``, else a lower bound.

    A line longer than the limit covers a whole aligned block of half the limit, so only blocks
    without a newline need measuring: a 100 MB statement is checked by ``memchr`` in milliseconds.
    """
    block = MAX_LINE_BYTES // 2
    longest = 0
    for start in range(0, len(data), block):
        if data.find(b"\n", start, start + block) >= 0:
            continue
        line_start = data.rfind(b"\n", 0, start) + 1
        line_end = data.find(b"\n", start)
        longest = max(longest, (len(data) if line_end < 0 else line_end) - line_start)
    return longest


def is_utf8(data: bytes) -> bool:
    """UTF-8 validity checked by Arrow on the bytes in place (a decode would copy them all)."""
    offsets = pa.array([0, len(data)], pa.int64()).buffers()[1]
    whole = pa.LargeBinaryArray.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(data)])
    try:
        whole.cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def read_records(
    data: bytes,
    source: Source,
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
    skip_rows: int = 0,
) -> CsvRecords:
    """Parse ``data`` (a whole delimited file, header first) into string columns.

    ``skip_rows`` lines before the header are ignored (some exports have a preamble); row
    numbers still count them.
    """
    _check_shape(data, source, delimiter)
    if encoding.lower().replace("_", "-") in ("utf-8", "utf-8-sig") and data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if encoding.lower().replace("_", "-") not in ("utf-8", "utf-8-sig"):
        data = data.decode(encoding, errors="strict").encode("utf-8")
    elif not is_utf8(data):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise ImportError_(f"{source.name}: row {line} is not valid UTF-8 text") from None
    bad: list[str] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        bad.append(row.text)
        return "skip"

    try:
        header = next(csv.reader(io.StringIO(_nth_line(data, skip_rows)), delimiter=delimiter))
    except StopIteration:
        raise ImportError_(f"{source.name}: the file has no header row") from None
    except csv.Error as exc:
        raise ImportError_(f"{source.name}: row {skip_rows + 1} (header) cannot be read ({exc})") from None
    header = [h.strip() for h in header]
    names = [f"c{i}" for i in range(len(header))]
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=skip_rows + 1, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                newlines_in_values=True,
                ignore_empty_lines=False,
                invalid_row_handler=on_invalid,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise ImportError_(f"{source.name}: cannot be read as delimited text ({exc})") from None
    frame = table.to_pandas(types_mapper=pd.ArrowDtype).astype("string")
    frame.columns = header
    first_row = skip_rows + 2
    if not bad:
        numbers = pa.array(np.arange(first_row, first_row + len(frame)), pa.int64()).cast(pa.large_string())
        row, nothing = pa.scalar("row ", pa.large_string()), pa.scalar("", pa.large_string())
        locators = pc.binary_join_element_wise(row, numbers, nothing)
        frame["source_locator"] = pd.Series(pd.arrays.ArrowStringArray(locators), dtype="string")
        return CsvRecords(frame, reject(source, [], [], []), rows_read=len(frame))
    return _slow_path(data, source, header, delimiter, skip_rows, frame)


def _nth_line(data: bytes, n: int) -> str:
    lines = data.split(b"\n", n + 1)
    return lines[n].decode("utf-8").rstrip("\r") if len(lines) > n else ""


def _slow_path(
    data: bytes, source: Source, header: list[str], delimiter: str, skip_rows: int, frame: pd.DataFrame
) -> CsvRecords:
    """Find which records were malformed, with their row numbers."""
    text = io.StringIO(data.decode("utf-8"), newline="")
    for _ in range(skip_rows):
        text.readline()
    reader = csv.reader(text, delimiter=delimiter)
    next(reader)
    good_rows: list[str] = []
    bad_loc: list[str] = []
    bad_reason: list[str] = []
    bad_raw: list[str] = []
    row_number = skip_rows + 1
    for record in _records(reader, source, row_number):
        row_number += 1
        if len(record) == len(header):
            good_rows.append(f"row {row_number}")
        else:
            bad_loc.append(f"row {row_number}")
            reason = (
                "empty row"
                if not record or record == [""]
                else f"has {len(record)} fields, the header has {len(header)}"
            )
            bad_reason.append(reason)
            bad_raw.append(delimiter.join(record)[:2000])
    if len(good_rows) != len(frame):
        raise ImportError_(
            f"{source.name}: inconsistent quoting; cannot tell rows apart reliably "
            f"({len(frame)} vs {len(good_rows)} well-formed rows)"
        )
    frame["source_locator"] = pd.Series(good_rows, dtype="string")
    rejects = reject(source, bad_loc, bad_reason, bad_raw)
    return CsvRecords(frame, rejects, rows_read=len(frame) + len(rejects))


def _records(reader: Iterator[list[str]], source: Source, header_row: int) -> Iterator[list[str]]:
    """The reader's records; a record the ``csv`` module cannot split fails with its row."""
    row = header_row
    while True:
        row += 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportError_(f"{source.name}: row {row} cannot be read ({exc})") from None
        yield record
