"""Source and application of funds: classes, reconciliation, controllers against salaried people."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from finflow.analysis import analyse
from finflow.cli import main
from finflow.config import load_config
from finflow.funds import INFLOW_CLASSES, OUTFLOW_USES, SubjectNotFoundError, source_and_application
from tests.casebuilder import account, case_from_rows, write_generic_csv


def _accounts(entries: list) -> list[str]:
    return [a for a in (e.get("account") if isinstance(e, dict) else e for e in entries) if a]


def _assert_reconciles(result) -> None:
    for entry in result.currencies:
        for figures in [entry, *entry["months"]]:
            assert figures["explained_minor"] + figures["unexplained_minor"] == figures["inflow_minor"]
            assert sum(figures["inflow_by_class"].values()) == figures["inflow_minor"]
            assert sum(figures["outflow_by_use"].values()) == figures["outflow_minor"]
        assert sum(m["inflow_minor"] for m in entry["months"]) == entry["inflow_minor"]
        assert sum(m["outflow_minor"] for m in entry["months"]) == entry["outflow_minor"]


def test_controllers_mostly_unexplained_salaried_decoys_near_zero(generated) -> None:
    analysis, truth = generated
    controllers = [
        a for s in truth["scenarios"] for role in ("controller", "manager", "organiser")
        for a in _accounts(s["roles"].get(role, []))
    ]  # fmt: skip
    assert controllers
    for controller in controllers:
        result = source_and_application(analysis, controller)
        _assert_reconciles(result)
        assert result.unexplained_share("NOK") > 0.5, (controller, result.currencies)
    workers = [a for d in truth["decoys"] if d["type"] == "payroll_bureau" for a in _accounts(d["roles"]["worker"])]
    assert workers
    for worker in workers:
        result = source_and_application(analysis, worker)
        _assert_reconciles(result)
        nok = result.currencies[0]
        assert nok["inflow_by_class"]["salary_pension"] > 0
        assert nok["unexplained_share"] <= 0.05, (worker, nok["inflow_by_class"])


def test_every_ranked_subject_reconciles(generated) -> None:
    analysis, _ = generated
    subjects = analysis.ranking.suspects["subject_id"].head(15).tolist()
    assert subjects
    for subject in subjects:
        _assert_reconciles(source_and_application(analysis, subject))


def _hand_case(tmp_path: Path):
    me, employer, friend, victim, landlord = (account(n) for n in (1, 2, 3, 4, 5))
    rows = [
        {"date": "2026-01-25", "amount": "30000.00", "currency": "NOK", "from_account": employer,
         "from_name": "Bygg AS", "to_account": me, "to_name": "Kari Nordmann", "channel": "salary",
         "description": "Lønn januar"},
        {"date": "2026-02-20", "amount": "4000.00", "currency": "NOK", "from_account": account(6),
         "from_name": "NAV", "to_account": me, "to_name": "Kari Nordmann", "description": "NAV dagpenger"},
        {"date": "2026-02-03", "amount": "1000.00", "currency": "NOK", "from_account": friend,
         "from_name": "Per Hansen", "to_account": me, "to_name": "Kari Nordmann", "description": "Vipps"},
        {"date": "2026-02-04", "amount": "250.00", "currency": "EUR", "from_account": friend,
         "from_name": "Per Hansen", "to_account": me, "to_name": "Kari Nordmann", "description": "gave"},
        {"date": "2026-02-05", "amount": "500.00", "currency": "NOK", "from_account": None, "to_account": me,
         "to_name": "Kari Nordmann", "channel": "cash_deposit", "description": "Innskudd"},
        {"date": "2026-02-06", "amount": "8000.00", "currency": "NOK", "from_account": me, "to_account": landlord,
         "to_name": "Utleie AS", "description": "Husleie februar"},
        {"date": "2026-02-07", "amount": "300.00", "currency": "NOK", "from_account": me, "to_account": None,
         "channel": "cash_withdrawal", "description": "Minibank"},
        {"date": "2026-02-08", "amount": "2000.00", "currency": "NOK", "from_account": me,
         "to_account": "AL35202111090000000001234567", "to_country": "AL", "channel": "remittance",
         "description": "Utlandsbetaling"},
        {"date": "2026-02-09", "amount": "700.00", "currency": "NOK", "from_account": victim,
         "from_name": "Ola Olsen", "to_account": me, "description": "overføring"},
    ]  # fmt: skip
    data = case_from_rows(tmp_path, rows)
    return data, me, victim


def test_classes_and_currencies_on_a_hand_made_case(tmp_path: Path) -> None:
    data, me, victim = _hand_case(tmp_path)
    analysis = analyse(data, load_config(), findings=[])
    analysis.roles = {victim: "possible_victim"}  # listed in possible_victims.csv
    result = source_and_application(analysis, me)
    _assert_reconciles(result)
    by = {e["currency"]: e for e in result.currencies}
    assert set(by) == {"EUR", "NOK"}  # never added together
    nok = by["NOK"]
    assert nok["inflow_by_class"]["salary_pension"] == 3_000_000
    assert nok["inflow_by_class"]["public_benefits"] == 400_000
    assert nok["inflow_by_class"]["unknown"] == 100_000
    assert nok["inflow_by_class"]["cash_deposit"] == 50_000
    assert nok["inflow_by_class"]["flagged"] == 70_000
    assert nok["explained_minor"] == 3_400_000 and nok["unexplained_minor"] == 220_000
    assert nok["outflow_by_use"]["rent"] == 800_000
    assert nok["outflow_by_use"]["cash_withdrawal"] == 30_000
    assert nok["outflow_by_use"]["remittance_abroad"] == 200_000
    assert [m["month"] for m in nok["months"]] == ["2026-01", "2026-02"]
    assert nok["months"][0]["unexplained_minor"] == 0
    assert by["EUR"]["inflow_minor"] == 25_000 and by["EUR"]["unexplained_minor"] == 25_000
    assert set(nok["inflow_by_class"]) == set(INFLOW_CLASSES) and set(nok["outflow_by_use"]) == set(OUTFLOW_USES)


def test_explained_classes_come_from_the_configuration(tmp_path: Path) -> None:
    data, me, _ = _hand_case(tmp_path)
    config = load_config(overrides={"funds": {"explained_classes": ["salary_pension"]}})
    result = source_and_application(analyse(data, config, findings=[]), me)
    nok = next(e for e in result.currencies if e["currency"] == "NOK")
    assert nok["explained_minor"] == 3_000_000
    assert "salary_pension" in result.method and "public_benefits" not in result.method.split("Explained = ")[1]


def test_unknown_subject_is_one_clear_error(tmp_path: Path) -> None:
    data, _, _ = _hand_case(tmp_path)
    with pytest.raises(SubjectNotFoundError, match="no account, party id or holder name"):
        source_and_application(analyse(data, load_config(), findings=[]), "nobody at all")


def test_funds_command_json_keys(tmp_path: Path) -> None:
    me, employer = account(1), account(2)
    source = write_generic_csv(tmp_path / "tx.csv", [
        {"date": "2026-01-25", "amount": "100.00", "currency": "NOK", "from_account": employer, "to_account": me,
         "channel": "salary", "description": "Lønn"},
    ])  # fmt: skip
    runner = CliRunner()
    assert runner.invoke(main, ["import", str(source), "--case", str(tmp_path / "c")]).exit_code == 0
    result = runner.invoke(main, ["funds", me, "--case", str(tmp_path / "c"), "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    entry = doc["currencies"][0]
    assert {"inflow_minor", "explained_minor", "unexplained_minor", "currency"} <= set(entry)
    assert (entry["currency"], entry["inflow_minor"], entry["unexplained_minor"]) == ("NOK", 10_000, 0)
    table = runner.invoke(main, ["funds", me, "--case", str(tmp_path / "c")])
    assert table.exit_code == 0 and "NOK 100.00" in table.output and "method:" in table.output
    missing = runner.invoke(main, ["funds", "nobody", "--case", str(tmp_path / "c")])
    assert missing.exit_code != 0 and "Traceback" not in missing.output and len(missing.output.splitlines()) == 1
