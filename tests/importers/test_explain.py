"""``finflow formats --explain FILE``: per format, why a file was or was not taken."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from finflow.cli import main
from finflow.importers.explain import explain_file
from tests.writers import bank_exports as w


def test_a_near_miss_bank_header_names_the_closest_layout_and_first_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "dnb.csv"  # the newer DNB header with another name for the counterparty account
    header = '"Dato";"Forklaringstekst";"Rentedato";"Beløp";"Kontonr"\n'
    path.write_text(header + '"01.01.2026";"x";"";"1,00";""\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["formats", "--explain", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    bank = next(line for line in lines if line.startswith("no_bank_csv:"))
    assert bank == (
        "no_bank_csv: not taken: closest header: DNB (4 of 5 columns, delimiter ';'); first missing column 'Motkonto'"
    )
    assert "generic_csv: not taken: the comma-separated header lacks date, amount, currency" in lines
    assert "camt053: not taken: not XML" in lines
    assert lines[-1].startswith("no format takes this file")


def test_a_recognised_file_says_which_format_is_used(tmp_path: Path) -> None:
    path = w.write_sparebanken_sor(tmp_path / "sor.txt", [("02.01.2026", "Varekjøp", "1,00", "")])
    lines = explain_file(str(path))
    assert "no_bank_csv: used" in lines
    assert not any(line.startswith("no format") for line in lines)
