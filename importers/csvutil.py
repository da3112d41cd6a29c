"""Reading delimited text safely and fast, keeping every row accounted for.

The fast path parses with pyarrow. Only when some records are malformed (wrong number of
fields, blank lines) does a second pass with the standard ``csv`` module find exactly which
records they were, so each valid record keeps its row number (the header is row 1, as in a
spreadsheet) and each malformed one becomes a reject with its row and reason.

Limits guard against CSV bombs: a header with too many columns, a line longer than
``MAX_LINE_BYTES`` or a field longer than ``MAX_FIELD_BYTES`` (a quoted field may span many
short lines) is refused as a whole with a clear error naming the row. A NUL byte anywhere in
the file means it is not text; a header naming one column twice is refused, because which of
the two columns a value came from could not be told.

Exports of old banking software mix encodings: :func:`decode_rows` decodes each line on its own
(UTF-8 where it is valid, else the legacy code page), so one cp1252 row does not garble every
name in a UTF-8 file.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .base import ImportError_, Source, reject

__all__ = [
    "MAX_COLUMNS",
    "MAX_FIELD_BYTES",
    "MAX_LINE_BYTES",
    "CsvRecords",
    "decode_head",
    "decode_named",
    "decode_rows",
    "is_utf8",
    "read_records",
]

MAX_COLUMNS = 256
MAX_LINE_BYTES = 1 << 20  # 1 MiB: no honest statement line is longer
MAX_FIELD_BYTES = MAX_LINE_BYTES  # nor any field, even one spanning lines


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
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise ImportError_(f"{source.name}: not a text file (line {line} contains a NUL byte)")
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


def decode_rows(data: bytes, legacy: str = "cp1252") -> tuple[bytes, str]:
    """``data`` as UTF-8 bytes (BOM dropped) and a description of the encoding it was in.

    Lines that are valid UTF-8 stay as they are; any other line is decoded from ``legacy``
    (bytes that code page leaves undefined are read as Latin-1, so no line is lost). Line
    breaks cannot be part of a multi-byte character in either encoding, so deciding per
    physical line is safe even inside a quoted field.
    """
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    utf8 = "utf-8-sig" if body is not data else "utf-8"
    if is_utf8(body):
        return body, utf8
    if _UTF8_SEQUENCE.search(body) is None:  # no UTF-8 character anywhere: all legacy, decode at once
        return _legacy(body, legacy).encode("utf-8"), legacy
    lines = body.split(b"\n")
    legacy_rows: list[int] = []
    unicode_rows = 0
    for number, line in enumerate(lines):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            legacy_rows.append(number)
            continue
        if not line.isascii():
            unicode_rows += 1
    for number in legacy_rows:
        lines[number] = _legacy(lines[number], legacy).encode("utf-8")
    if not unicode_rows:
        return b"\n".join(lines), legacy
    shown = ", ".join(str(n + 1) for n in legacy_rows[:10]) + (" …" if len(legacy_rows) > 10 else "")
    return b"\n".join(lines), f"{utf8}, with {len(legacy_rows)} line(s) in {legacy}: {shown}"


def decode_named(data: bytes, encoding: str, name: str, where: str) -> tuple[bytes, str]:
    """``data`` as UTF-8 bytes, read in the ``encoding`` a profile names (``where``: the profile).

    Strict, unlike :func:`decode_rows`: a byte the encoding does not define is an error naming
    its row, and so is a file that is plainly UTF-8 when a legacy code page is named (reading it
    as cp1252 would turn every "æ" into "Ã¦" and keep names from matching across sources).
    """
    utf8 = encoding in ("utf-8", "utf-8-sig")
    bom = data.startswith(b"\xef\xbb\xbf")
    if utf8:
        body = data[3:] if bom else data
        if not is_utf8(body):
            line = _bad_line(body, "utf-8")
            raise ImportError_(f"{name}: row {line} is not valid UTF-8 text, but {where} says 'encoding: {encoding}'")
        return body, "utf-8-sig" if bom else "utf-8"
    if bom:
        raise ImportError_(
            f"{name}: the file starts with a UTF-8 byte-order mark, but {where} says 'encoding: {encoding}'; "
            "write utf-8 there or remove the key"
        )
    unicode = _UTF8_SEQUENCE.search(data)
    if unicode is not None and _single_byte(encoding) and is_utf8(data):
        line = data[: unicode.start()].count(b"\n") + 1
        raise ImportError_(
            f"{name}: row {line} is UTF-8 text, but {where} says 'encoding: {encoding}'; "
            "write utf-8 there or remove the key"
        )
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportError_(
            f"{name}: row {line} is not valid {encoding} text (byte 0x{data[exc.start]:02x}); "
            f"check 'encoding' in {where}"
        ) from None
    return text.lstrip("\ufeff").encode("utf-8"), encoding


def _single_byte(encoding: str) -> bool:
    """A code page with one character per byte (cp1252, latin-1), not UTF-16 or a multi-byte codec."""
    try:
        return len(bytes(range(256)).decode(encoding, errors="replace")) == 256
    except (LookupError, UnicodeError):
        return False


def _bad_line(data: bytes, encoding: str) -> int:
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        return data[: exc.start].count(b"\n") + 1
    return 1


#: A multi-byte UTF-8 character (lead byte, then continuation bytes); legacy text rarely has one.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")


def _legacy(data: bytes, encoding: str) -> str:
    """``data`` in the legacy code page; bytes it leaves undefined are read as Latin-1."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _unique_header(header: list[str], source: Source, header_row: int) -> None:
    """Refuse a header naming one column twice (names compared as finflow matches them)."""
    seen: dict[str, int] = {}
    for position, name in enumerate(header, start=1):
        key = name.casefold()
        if key in seen:
            raise ImportError_(
                f"{source.name}: row {header_row} (header) names column {name!r} twice "
                f"(columns {seen[key]} and {position}); rename or remove one"
            )
        seen[key] = position


def _overlong_field(table: pa.Table) -> tuple[int, int] | None:
    """(record index, column) of the first field longer than ``MAX_FIELD_BYTES``, if any."""
    found: tuple[int, int] | None = None
    for position, column in enumerate(table.columns):
        if len(column) == 0:
            continue
        lengths = pc.binary_length(column)
        if (pc.max(lengths).as_py() or 0) <= MAX_FIELD_BYTES:
            continue
        index = pc.index(pc.greater(lengths, MAX_FIELD_BYTES), True).as_py()
        if found is None or index < found[0]:
            found = (index, position)
    return found


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
    unique_names: bool = True,
) -> CsvRecords:
    """Parse ``data`` (a whole delimited file, header first) into string columns.

    ``skip_rows`` lines before the header are ignored (some exports have a preamble); row
    numbers still count them. ``unique_names=False`` accepts a header naming a column twice,
    for formats whose columns are taken by position.
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
    if unique_names:
        _unique_header(header, source, skip_rows + 1)
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
    if bad:
        records = _slow_path(data, source, header, delimiter, skip_rows, frame)
    else:
        first_row = skip_rows + 2
        numbers = pa.array(np.arange(first_row, first_row + len(frame)), pa.int64()).cast(pa.large_string())
        row, nothing = pa.scalar("row ", pa.large_string()), pa.scalar("", pa.large_string())
        locators = pc.binary_join_element_wise(row, numbers, nothing)
        frame["source_locator"] = pd.Series(pd.arrays.ArrowStringArray(locators), dtype="string")
        records = CsvRecords(frame, reject(source, [], [], []), rows_read=len(frame))
    overlong = _overlong_field(table)
    if overlong is not None:
        index, column = overlong
        raise ImportError_(
            f"{source.name}: {records.frame['source_locator'].iloc[index]}, column {header[column]!r}: "
            f"a field is longer than {MAX_FIELD_BYTES} bytes"
        )
    return records


def _nth_line(data: bytes, n: int) -> str:
    lines = data.split(b"\n", n + 1)
    return lines[n].decode("utf-8").rstrip("\r") if len(lines) > n else ""


def _slow_path(
    data: bytes, source: Source, header: list[str], delimiter: str, skip_rows: int, frame: pd.DataFrame
) -> CsvRecords:
    """Find which records were malformed, with their row numbers."""
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(data) + 1))  # fields are capped afterwards, with their row
    try:
        return _find_malformed(data, source, header, delimiter, skip_rows, frame)
    finally:
        csv.field_size_limit(limit)


def _find_malformed(
    data: bytes, source: Source, header: list[str], delimiter: str, skip_rows: int, frame: pd.DataFrame
) -> CsvRecords:
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
