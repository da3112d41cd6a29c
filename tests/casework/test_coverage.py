"""Statement coverage on generated extracts: gaps, overlaps and balance breaks with their amounts."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from finflow.case import open_case
from finflow.cli import main
from finflow.coverage import compute_coverage
from finflow.writers.bank_csv import BankStyle, write_bank_csv
from finflow.writers.multiformat import read_generic_case

from .conftest import statements_of


def _camt_with_months(extracts: Path, least: int) -> tuple[Path, list[str]]:
    """The first camt.053 file (by name) with at least ``least`` monthly statements."""
    for path in sorted(extracts.glob("camt053_*.xml")):
        found = statements_of(path.read_text(encoding="utf-8"))
        if len(found) >= least:
            return path, found
    raise AssertionError("the generated case has no camt.053 file with enough statements")


def _coverage(tmp_path: Path, name: str, files: list[Path]):
    case = open_case(tmp_path / name)
    reports = case.import_files(files)
    assert all(r.status == "imported" for r in reports), [r.error for r in reports]
    return compute_coverage(case.data())


def _gaps(coverage) -> set[tuple[str, str, str]]:
    return {(g.account, g.gap_start, g.gap_end) for g in coverage.gaps.itertuples(index=False)}


def _period(stmt: str) -> tuple[dt.date, dt.date]:
    return (
        dt.date.fromisoformat(stmt.split("<FrDtTm>")[1][:10]),
        dt.date.fromisoformat(stmt.split("<ToDtTm>")[1][:10]),
    )


def _between_neighbours(extracts: Path) -> tuple[Path, list[str], int]:
    """A camt.053 file and a statement whose neighbours end and start the days around it."""
    day = dt.timedelta(days=1)
    for path in sorted(extracts.glob("camt053_*.xml")):
        found = statements_of(path.read_text(encoding="utf-8"))
        for i in range(1, len(found) - 1):
            (_, before), (start, end), (after, _) = (_period(found[k]) for k in (i - 1, i, i + 1))
            if before + day == start and end + day == after:
                return path, found, i
    raise AssertionError("no camt.053 file of the generated case has three consecutive monthly statements")


def test_a_month_removed_from_one_export_is_exactly_that_gap(extracts: Path, tmp_path: Path) -> None:
    path, stmts, at = _between_neighbours(extracts)
    removed = stmts[at]
    cut = tmp_path / path.name
    cut.write_text(path.read_text(encoding="utf-8").replace(removed, ""), encoding="utf-8")
    others = [p for p in sorted(extracts.glob("*.csv")) if p.name.startswith(("dnb_", "nordea_"))][:6]
    whole = _coverage(tmp_path, "whole", [path, *others])
    holed = _coverage(tmp_path, "holed", [cut, *others])
    month = removed.split("<FrDtTm>")[1][:10], removed.split("<ToDtTm>")[1][:10]
    account = whole.accounts.loc[whole.accounts["statements"] == len(stmts), "account"].iloc[0]
    assert _gaps(holed) - _gaps(whole) == {(account, *month)}
    assert _gaps(whole) - _gaps(holed) == set()
    row = holed.gaps[(holed.gaps["account"] == account) & (holed.gaps["gap_start"] == month[0])].iloc[0]
    start, end = dt.date.fromisoformat(month[0]), dt.date.fromisoformat(month[1])
    assert row["days"] == (end - start).days + 1 and row["where"] == "between statements"


def test_a_broken_balance_chain_is_reported_with_its_amounts(extracts: Path, tmp_path: Path) -> None:
    path, stmts = _camt_with_months(extracts, 3)
    text = path.read_text(encoding="utf-8")
    target = stmts[1]
    # the bank's opening and closing of the middle statement both 100.00 higher: the statement
    # reconciles on its own, but it no longer follows from the one before, nor leads to the next
    moved = target
    for code in ("OPBD", "CLBD"):
        head = f"<Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy=\""
        at = moved.index(head) + len(head)
        ccy_end = moved.index('">', at)
        amount_end = moved.index("</Amt>", ccy_end)
        value = moved[ccy_end + 2 : amount_end]
        side_at = moved.index("<CdtDbtInd>", amount_end) + len("<CdtDbtInd>")
        signed = round(float(value) * 100) * (-1 if moved[side_at : side_at + 4] == "DBIT" else 1) + 10_000
        moved = (
            moved[: ccy_end + 2] + f"{abs(signed) // 100}.{abs(signed) % 100:02d}" + moved[amount_end:side_at]
            + ("DBIT" if signed < 0 else "CRDT") + moved[side_at + 4 :]
        )  # fmt: skip
    broken = tmp_path / path.name
    broken.write_text(text.replace(target, moved), encoding="utf-8")
    coverage = _coverage(tmp_path, "broken", [broken])
    intact = _coverage(tmp_path, "intact", [path])
    assert intact.breaks.empty and intact.accounts["balance_checks"].iloc[0] > 0
    between = coverage.breaks[coverage.breaks["kind"] == "between statements"].sort_values("date")
    assert len(between) == 2, coverage.breaks
    first, second = between.iloc[0], between.iloc[1]
    assert first["difference_minor"] == 10_000 and second["difference_minor"] == -10_000
    assert first["found_minor"] - first["expected_minor"] == 10_000
    assert "closing balance" in first["explanation"] and "opens with" in first["explanation"]
    assert coverage.breaks[coverage.breaks["kind"] == "within statement"].empty


def test_rows_cut_from_a_running_balance_export_show_as_gap_and_break(extracts: Path, tmp_path: Path) -> None:
    txns, _ = read_generic_case(str(extracts.parent / "gen"))
    counts = pd.concat([txns["from_account"], txns["to_account"]]).value_counts()

    def rows_of(account: str) -> pd.DataFrame:
        return txns[(txns["from_account"] == account) | (txns["to_account"] == account)]

    account = next(
        a for a in counts.index
        if str(a).isdigit() and len(str(a)) == 11 and set(rows_of(a)["currency"]) == {"NOK"}
        and pd.to_datetime(rows_of(a)["booking_date"]).dt.to_period("M").nunique() >= 3
    )  # fmt: skip
    mine = rows_of(account)
    months = pd.to_datetime(mine["booking_date"]).dt.to_period("M")
    middle = sorted(months.unique())[len(months.unique()) // 2]
    kept = mine[(months != middle).to_numpy()]
    path = tmp_path / f"nordea_{account}.csv"
    write_bank_csv(mine, account, "nordea", str(path), BankStyle(variant="saldo"))
    prefix = middle.strftime("%Y/%m/")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if not line.startswith(prefix)), encoding="utf-8")
    coverage = _coverage(tmp_path, "saldo", [path])
    gaps = coverage.gaps[coverage.gaps["where"] == "between statements"]
    assert len(gaps) == 1
    gap = gaps.iloc[0]
    dates = pd.to_datetime(kept["booking_date"]).dt.date
    day = dt.timedelta(days=1)
    assert gap["gap_start"] == (max(d for d in dates if d < middle.start_time.date()) + day).isoformat()
    assert gap["gap_end"] == (min(d for d in dates if d > middle.end_time.date()) - day).isoformat()
    assert gap["balance_across"] == "break"
    removed = mine[(months == middle).to_numpy()]
    net = int(removed["amount_minor"].where(removed["to_account"] == account, -removed["amount_minor"]).sum())
    assert coverage.breaks["difference_minor"].tolist() == [net]


def test_coverage_command_writes_csvs(extracts: Path, tmp_path: Path) -> None:
    path, _ = _camt_with_months(extracts, 2)
    shutil.copy(path, tmp_path / path.name)
    runner = CliRunner()
    assert runner.invoke(main, ["import", str(tmp_path / path.name), "--case", str(tmp_path / "c")]).exit_code == 0
    result = runner.invoke(main, ["coverage", "--case", str(tmp_path / "c"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "out" / "coverage.csv", encoding="utf-8-sig", dtype=str)
    assert table["statements"].astype(int).iloc[0] >= 2
    assert (tmp_path / "out" / "coverage_gaps.csv").read_text(encoding="utf-8-sig").startswith(
        "account,gap_start,gap_end"
    )


def test_two_statements_of_one_period_are_an_overlap(extracts: Path, tmp_path: Path) -> None:
    path, _ = _camt_with_months(extracts, 2)
    account = path.name.split("_")[1]
    txns, _ = read_generic_case(str(extracts.parent / "gen"))
    export = tmp_path / f"dnb_{account}.csv"
    write_bank_csv(txns, account, "dnb", str(export))
    coverage = _coverage(tmp_path, "both", [path, export])
    overlaps = coverage.overlaps[coverage.overlaps["account"] == account]
    assert len(overlaps) >= 1
    assert all(o.overlap_start <= o.overlap_end for o in overlaps.itertuples(index=False))
    assert {"dnb_" in o.statement or "dnb_" in o.other_statement for o in overlaps.itertuples(index=False)} == {True}
