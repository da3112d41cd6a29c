"""The CLI: documented commands, one-line errors, exit codes."""

from __future__ import annotations

from pathlib import Path

from casebuilder import account, write_generic_csv
from click.testing import CliRunner

from finflow.cli import main


def _row(day: str) -> dict:
    return {"date": day, "amount": "1", "currency": "NOK", "from_account": account(1), "to_account": account(2)}


README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_command_is_documented_in_readme():
    for name in main.commands:
        assert f"finflow {name}" in README, f"command {name!r} missing from README.md"


def test_readme_states_the_two_newcomer_commands():
    assert "finflow investigate example" in README
    assert "bash tests/run.sh" in README


def test_investigate_missing_path_fails_with_one_line(tmp_path):
    result = CliRunner().invoke(main, ["investigate", str(tmp_path / "nowhere")])
    assert result.exit_code != 0
    assert "does not exist" in result.output
    assert "Traceback" not in result.output


def test_investigate_with_nothing_importable_fails_with_one_line(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "notes.txt").write_text("nothing to see", encoding="utf-8")
    result = CliRunner().invoke(main, ["investigate", str(tmp_path / "in"), "--case", str(tmp_path / "c")])
    assert result.exit_code == 1
    assert "no transactions could be imported" in result.output
    assert "notes.txt: not a recognised format" in result.output
    assert "Traceback" not in result.output


def test_import_prints_reconciled_counts_and_fails_on_unreadable(tmp_path):
    good = write_generic_csv(
        tmp_path / "good.csv",
        [_row("2026-01-01"), _row("2026-13-01")],
    )
    runner = CliRunner()
    result = runner.invoke(main, ["import", str(good), "--case", str(tmp_path / "c")])
    assert result.exit_code == 0, result.output
    assert "read 2 = loaded 1 + rejected 1 + duplicates 0 (ok)" in result.output
    again = runner.invoke(main, ["import", str(good), "--case", str(tmp_path / "c")])
    assert "already imported" in again.output and "duplicates 2" in again.output
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"\x00\x01\x02")
    failed = runner.invoke(main, ["import", str(bad), "--case", str(tmp_path / "c")])
    assert failed.exit_code == 1 and "bad.bin: not a recognised format" in failed.output


def test_bad_config_is_a_one_line_error(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("collector:\n  min_distinct_sendrs: 3\n", encoding="utf-8")
    (tmp_path / "in").mkdir()
    write_generic_csv(
        tmp_path / "in" / "t.csv",
        [_row("2026-01-01")],
    )
    result = CliRunner().invoke(main, ["investigate", str(tmp_path / "in"), "--config", str(cfg)])
    assert result.exit_code == 1
    assert "unknown setting collector.min_distinct_sendrs" in result.output
