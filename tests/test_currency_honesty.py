"""Money never mixes currencies: totals, shares and summaries are per currency; sums cannot overflow."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from casebuilder import account, case_from_rows

from finflow.casedata import CaseData
from finflow.config import load_config
from finflow.detect.base import Finding, Subject
from finflow.detect.common import money_total, totals_minor
from finflow.detect.registry import run_detectors
from finflow.detect.util import currency_of
from finflow.graph import flows, money_weights
from finflow.investigate import InvestigationError, investigate
from finflow.money import INT64_MAX, MoneyOverflowError, check_totals_fit, format_totals, main_currency
from finflow.networks import subject_context
from finflow.views.graph import build_case_graph

PAYER, ROMANIA = account(1), "RO49AAAA1B31007593840000"


def _mixed_remittances() -> list[dict]:
    """The issue's case: NOK 797 394 and EUR 14 000 sent to Romania in one month, more EUR transfers."""
    nok = ["159478.80"] * 5  # 5 x 159 478.80 = 797 394.00
    eur = ["2000.00"] * 7  # 7 x 2 000 = 14 000.00
    rows = []
    for i, (amount, currency) in enumerate([*((a, "NOK") for a in nok), *((a, "EUR") for a in eur)]):
        rows.append({
            "date": f"2026-03-{i + 2:02d}", "amount": amount, "currency": currency, "from_account": PAYER,
            "from_name": "Per Olsen", "to_account": ROMANIA, "to_name": "Ion Pop", "to_country": "RO",
            "channel": "remittance", "txn_ref": f"r{i}",
        })  # fmt: skip
    return rows


# -- the helpers -----------------------------------------------------------------------------------
def test_a_total_is_one_figure_per_currency():
    rows = pd.DataFrame({"amount_minor": [79_739_400, 1_400_000, 1], "currency": ["NOK", "EUR", "EUR"]})
    assert totals_minor(rows) == {"EUR": 1_400_001, "NOK": 79_739_400}
    assert money_total(rows) == "NOK 797 394 + EUR 14 000.01"
    assert format_totals({"SEK": 5, "EUR": 100, "NOK": 200}) == "NOK 2.00 + EUR 1.00 + SEK 0.05"
    assert money_total(rows.iloc[0:0]) == "NOK 0"


def test_totals_are_exact_beyond_int64():
    big = pd.DataFrame({"amount_minor": [INT64_MAX, INT64_MAX], "currency": ["NOK", "NOK"]})
    assert totals_minor(big) == {"NOK": 2 * INT64_MAX}  # Python integers: no wrap-around


def test_one_currency_or_an_error_never_the_most_common_one():
    assert currency_of(pd.DataFrame({"currency": ["EUR", "EUR"]})) == "EUR"
    with pytest.raises(ValueError, match="2 currencies"):
        currency_of(pd.DataFrame({"currency": ["NOK", "EUR", "EUR"]}))


def test_main_currency_by_count_ties_by_code():
    assert main_currency(pd.Series(["EUR", "NOK", "NOK"])) == "NOK"
    assert main_currency(pd.Series(["NOK", "EUR"])) == "EUR"
    assert main_currency(pd.Series([], dtype="string")) == "NOK"


def test_amounts_that_could_overflow_a_sum_are_refused():
    check_totals_fit(np.array([INT64_MAX // 2, INT64_MAX // 2]))  # fits exactly
    with pytest.raises(MoneyOverflowError, match="more than the 9,223,372,036,854,775,807"):
        check_totals_fit(np.array([INT64_MAX // 2 + 1, INT64_MAX // 2 + 1]))
    tx = pd.DataFrame({
        "txn_id": ["a", "b"], "booking_date": pd.to_datetime(["2026-01-01"] * 2), "booking_time": [None, None],
        "amount_minor": [INT64_MAX - 1, 2], "currency": ["NOK", "NOK"],
    })  # fmt: skip
    with pytest.raises(MoneyOverflowError):
        CaseData(transactions=tx)


def test_investigate_refuses_overflowing_amounts_in_one_line(tmp_path):
    big = "999999999999999.999"  # the largest KWD amount an import accepts
    rows = [{"date": "2026-01-01", "amount": big, "currency": "KWD", "from_account": account(1),
             "to_account": account(2), "txn_ref": f"r{i}"} for i in range(10)]  # fmt: skip
    from casebuilder import write_generic_csv

    (tmp_path / "in").mkdir()
    write_generic_csv(tmp_path / "in" / "big.csv", rows)
    with pytest.raises(InvestigationError, match=r"add up to .* minor units"):
        investigate(tmp_path / "in", case_dir=tmp_path / "case", out_dir=tmp_path / "out")


# -- detectors -------------------------------------------------------------------------------------
def test_detectors_run_per_currency_and_say_so(tmp_path):
    data = case_from_rows(tmp_path, _mixed_remittances())
    corridor = [f for f in run_detectors(data, names=["corridor_outflows"])]
    summaries = sorted(f.summary for f in corridor)
    assert not any("811 394" in s for s in summaries)  # the mixed sum the issue saw
    assert any("5 transfers to RO" in s and re.search(r"total NOK 797 394(?![ \d])", s) for s in summaries), summaries
    assert any("7 transfers to RO" in s and re.search(r"total EUR 14 000(?![ \d])", s) for s in summaries), summaries
    by_id = data.transactions.set_index("txn_id")["currency"]
    for finding in corridor:  # each finding's evidence is in one currency
        assert len({by_id[t] for t in finding.evidence_txn_ids}) == 1


def test_every_summary_amount_is_in_one_currency(tmp_path):
    data = case_from_rows(tmp_path, _mixed_remittances())
    findings = run_detectors(data)
    assert findings
    nok_total, eur_total = "797 394", "14 000"
    for finding in findings:
        for currency, figure in re.findall(r"\b([A-Z]{3}) (\d[\d ]*)", finding.summary):
            if figure.strip() in (nok_total,):
                assert currency == "NOK", finding.summary
            if figure.strip() in (eur_total,):
                assert currency == "EUR", finding.summary


def test_a_one_currency_case_runs_exactly_as_before(tmp_path):
    data = case_from_rows(tmp_path, [r for r in _mixed_remittances() if r["currency"] == "NOK"])
    assert data.currencies() == ["NOK"]
    direct = load_config()["remittance"]
    from finflow.detect.remittance import detect_corridor_outflows

    expected = [f.to_dict() for f in detect_corridor_outflows(data, direct)]
    assert [f.to_dict() for f in run_detectors(data, names=["corridor_outflows"])] == expected


# -- graphs and views ------------------------------------------------------------------------------
def _two_currency_case(tmp_path) -> CaseData:
    a, b, c = account(31), account(32), account(33)
    rows = [
        {"date": "2026-01-01", "amount": "100.00", "currency": "NOK", "from_account": a, "to_account": b},
        {"date": "2026-01-02", "amount": "100.00", "currency": "NOK", "from_account": a, "to_account": b},
        {"date": "2026-01-03", "amount": "5000.00", "currency": "EUR", "from_account": a, "to_account": b},
        {"date": "2026-01-04", "amount": "9000.00", "currency": "EUR", "from_account": b, "to_account": c},
    ]
    names = {a: "Ola A", b: "Kari B", c: "Per C"}
    for row in rows:
        row.update(from_name=names[row["from_account"]], to_name=names[row["to_account"]])
    return case_from_rows(tmp_path, rows)


def test_graph_weights_are_money_in_the_main_currency(tmp_path):
    data = _two_currency_case(tmp_path)
    agg = flows(data)
    assert main_currency(data.transactions["currency"]) == "EUR"  # 2 EUR and 2 NOK transactions: code order
    weights = money_weights(agg, "NOK").set_index(["from_node", "to_node"])["weight"]
    a, b, c = account(31), account(32), account(33)
    assert weights[(a, b)] == 20_000  # NOK only, not NOK 200 + EUR 5 000 as one number
    assert weights[(b, c)] == 1  # connected, but no NOK to weigh it by
    context = subject_context(data, [a, b]).set_index("account")
    assert context.loc[b, "currency"] == "EUR" and context.loc[b, "inflow_minor"] == 500_000


def test_views_draw_widths_and_volumes_in_one_currency(tmp_path):
    data = _two_currency_case(tmp_path)
    marked = Finding("test", [Subject("account", account(32), "controller")], 0.5, "a test finding", {})
    graph = build_case_graph(data, [marked], collapse_foreign=False)
    money = graph.edges[graph.edges["relation"] == "money"].set_index(["source", "target"])
    a, b = f"account:{account(31)}", f"account:{account(32)}"
    assert money.loc[(a, b), "amount"] == 500_000  # EUR 5 000 (main currency), not 500 000 + 20 000
    assert money.loc[(a, b), "txn_count"] == 3
    per_currency = graph.flows.set_index(["source", "target", "currency"])["amount"]
    assert per_currency[(a, b, "NOK")] == 20_000 and per_currency[(a, b, "EUR")] == 500_000
