"""`finflow account` and `finflow trace` take an account as written anywhere; the timeline it writes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from stdnum import iban

from finflow.accountid import AmbiguousIdError, UnknownIdError, fold, resolve_id
from finflow.cli import main
from finflow.flowindex import flow_index
from finflow.timeline import build_timeline, monthly
from tests.casebuilder import account, case_from_rows

BOSS, SHOP, VICTIM, OTHER = account(1), account(2), account(3), account(4)


def _dotted(number: str) -> str:
    return f"{number[:4]}.{number[4:6]}.{number[6:]}"


def _iban(number: str) -> str:
    check = iban.calc_check_digits("NO00" + number)
    compact = f"NO{check}{number}"
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def _unique_prefix(number: str) -> str:
    """The shortest prefix of ``number`` no other account of the case starts with (shorter than it)."""
    others = [a for a in (BOSS, SHOP, VICTIM, OTHER) if a != number]
    for k in range(1, len(number)):
        if not any(o.startswith(number[:k]) for o in others):
            assert k < len(number) - 1
            return number[:k]
    raise AssertionError("no unique prefix")


def _rows() -> list[dict]:
    rows = []
    for day in range(1, 29):
        rows.append({"date": f"2026-03-{day:02d}", "amount": "1500.00", "currency": "NOK", "from_account": VICTIM,
                     "from_name": "Ona Žukauskienė", "to_account": BOSS, "to_name": "Vytautas Žukauskas",
                     "channel": "p2p", "description": "<img src=x onerror=alert(1)>"})  # fmt: skip
    rows.append({"date": "2026-04-02", "amount": "30000.00", "currency": "NOK", "from_account": BOSS,
                 "from_name": "Vytautas Žukauskas", "to_account": SHOP, "to_name": "Kiosk Sentrum AS",
                 "channel": "transfer", "description": "faktura"})  # fmt: skip
    rows.append({"date": "2026-04-03", "amount": "200.00", "currency": "EUR", "from_account": BOSS,
                 "from_name": "Vytautas Žukauskas", "to_account": OTHER, "to_name": "Vytautas Jonaitis",
                 "channel": "transfer"})  # fmt: skip
    return rows


@pytest.fixture
def case(tmp_path: Path):
    return case_from_rows(tmp_path, _rows())


def test_every_written_form_resolves_to_the_same_account(case) -> None:
    forms = [BOSS, _dotted(BOSS), f"{BOSS[:4]} {BOSS[4:6]} {BOSS[6:]}", _iban(BOSS), "vytautas zukauskas",
             "Žukauskas", "ZUKAUSKAS", _unique_prefix(BOSS)]  # fmt: skip
    for form in forms:
        ref = resolve_id(case, form)
        assert ref.accounts == (BOSS,), form
    assert resolve_id(case, _dotted(BOSS)).matched == "account number"
    assert resolve_id(case, "zukauskas").matched == "name"
    assert fold("Žukauskienė") == "zukauskiene"


def test_ambiguous_and_unknown_ids_are_one_line_errors_naming_candidates(case) -> None:
    with pytest.raises(AmbiguousIdError) as info:
        resolve_id(case, "Vytautas")  # two holders share the first name
    message = str(info.value)
    assert "\n" not in message and "Žukauskas" in message and "Jonaitis" in message
    common = "".join(a for a, b, *_ in zip(BOSS, SHOP, VICTIM, OTHER, strict=True) if a == b)[:4]
    assert common and all(n.startswith(common) for n in (BOSS, SHOP, VICTIM, OTHER))
    with pytest.raises(AmbiguousIdError, match="matches 4 by prefix"):
        resolve_id(case, common)
    with pytest.raises(UnknownIdError, match="neither an account nor a party"):
        resolve_id(case, "nobody at all")


def test_timeline_rows_directions_and_monthly_totals_per_currency(case) -> None:
    timeline = build_timeline(case, resolve_id(case, BOSS))
    rows = timeline.rows
    assert len(rows) == 30 and rows["ts"].is_monotonic_increasing
    assert rows["direction"].value_counts().to_dict() == {"in": 28, "out": 2}
    month = monthly(rows).set_index(["month", "currency"])
    assert month.loc[("2026-03", "NOK"), "in_minor"] == 28 * 150000
    assert month.loc[("2026-04", "NOK"), "out_minor"] == 3000000
    assert month.loc[("2026-04", "EUR"), "out_minor"] == 20000  # never added to the kroner
    assert timeline.sources == ["tx.csv"]
    assert flow_index(case).accounts.set_index("account_id").at[BOSS, "txns_in"] == 28


def test_account_and_trace_commands_accept_the_dotted_and_iban_forms(case, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "out"
    shown = runner.invoke(main, ["account", _dotted(BOSS), "--case", str(tmp_path / "case"), "--out", str(out),
                                 "--limit", "5"])  # fmt: skip
    assert shown.exit_code == 0, shown.output
    assert "Vytautas Žukauskas" in shown.output and "2026-03  NOK" in shown.output
    assert "... 25 more transaction(s)" in shown.output
    assert (out / f"timeline-{BOSS}.html").is_file()
    traced = runner.invoke(main, ["trace", _iban(BOSS), "--currency", "NOK", "--case", str(tmp_path / "case"),
                                  "--out", str(tmp_path / "t")])  # fmt: skip
    assert traced.exit_code == 0, traced.output
    assert SHOP in traced.output
    ambiguous = runner.invoke(main, ["account", "Vytautas", "--case", str(tmp_path / "case"), "--out", str(out)])
    assert ambiguous.exit_code == 1 and "matches 2 by name" in ambiguous.output and "Traceback" not in ambiguous.output


def test_written_outputs_link_subject_and_finding_views_to_the_timeline(case, tmp_path: Path) -> None:
    from finflow.config import load_config
    from finflow.detect.base import Finding, Subject
    from finflow.outputs import write_outputs

    evidence = case.transactions.loc[case.transactions["to_account"] == BOSS, "txn_id"].astype(str).tolist()
    boss = Subject("account", BOSS, "controller", "Vytautas Žukauskas")
    finding = Finding(detector="collector", subjects=[boss], score=0.9, summary="received from 1 sender",
                      parameters={}, evidence_txn_ids=evidence)  # fmt: skip
    out = tmp_path / "o"
    write_outputs(out, case, [finding], load_config(None), case_name="t", sources=[])
    timeline = out / "views" / f"timeline-{BOSS}.html"
    assert timeline.is_file() and 'href="../report.html"' in timeline.read_text("utf-8")
    assert "collector" in timeline.read_text("utf-8")  # the finding is on its axis
    subject = (out / "views" / f"subject-{BOSS}.html").read_text("utf-8")
    assert f'href="timeline-{BOSS}.html"' in subject and 'href="../report.html"' in subject
    (finding_page,) = (out / "views").glob("finding-001-*.html")
    assert f'href="timeline-{BOSS}.html"' in finding_page.read_text("utf-8")
    assert f"views/timeline-{BOSS}.html" in (out / "report.html").read_text("utf-8")
