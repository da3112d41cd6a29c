"""The shared delimited-text reader: row numbers, line limits and records ``csv`` cannot split."""

from __future__ import annotations

import pytest

from finflow.importers.base import ImportError_, Source
from finflow.importers.csvutil import MAX_LINE_BYTES, read_records

SOURCE = Source("x.csv", "x.csv", "0" * 64, "batch")


def test_rows_are_numbered_as_in_a_spreadsheet() -> None:
    records = read_records(b"a,b\n1,2\n3,4\n", SOURCE)
    assert records.frame["source_locator"].tolist() == ["row 2", "row 3"]
    assert records.frame["a"].tolist() == ["1", "3"]


def test_a_line_over_the_limit_anywhere_is_refused() -> None:
    short = b"a,b\n" + b"1,2\n" * 1000
    assert read_records(short, SOURCE).rows_read == 1000
    for where in (0, 500, 999):
        lines = [b"1,2"] * 1000
        lines[where] = b"1," + b"x" * (MAX_LINE_BYTES + 1)
        with pytest.raises(ImportError_, match="longer than"):
            read_records(b"a,b\n" + b"\n".join(lines) + b"\n", SOURCE)


def test_a_line_just_under_the_limit_is_read() -> None:
    data = b"a,b\n1," + b"x" * (MAX_LINE_BYTES - 3) + b"\n"
    assert read_records(data, SOURCE).frame["b"].str.len().tolist() == [MAX_LINE_BYTES - 3]


def test_a_stray_carriage_return_in_the_header_is_a_clear_error() -> None:
    with pytest.raises(ImportError_, match=r"x.csv: row 1 \(header\) cannot be read"):
        read_records(b"\ra,b\n1,2\n", SOURCE)
