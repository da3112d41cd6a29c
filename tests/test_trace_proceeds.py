"""Proceeds tracing: the worked example, multi-hop, multi-source, edge rules, conservation."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_trace_cases import NOK, case, tx, worked_example

from finflow.trace import trace_proceeds
from finflow.trace.ledger import CLEAN, split_largest_remainder

# Worked example (domain notes §4): tainted in A (car dealer), B (abroad), left in the account.
WORKED = {
    "fifo": (15_000_00, 15_000_00, 0),
    "lifo": (25_000_00, 5_000_00, 0),
    "libr": (15_000_00, 10_000_00, 5_000_00),
    "pro_rata": (18_750_00, 8_437_50, 2_812_50),
}


@pytest.mark.parametrize("method", sorted(WORKED))
def test_worked_example_all_methods_exact(method: str) -> None:
    result = trace_proceeds(worked_example(), ["t2"], method=method)
    car, abroad, left = WORKED[method]
    assert result.amount_at("remaining", "CARDEALER") == car
    assert result.amount_at("foreign", "country:LT") == abroad
    assert result.amount_at("remaining", "MIX") == left
    assert result.traced == {"t2": 30_000 * NOK}
    assert car + abroad + left == 30_000 * NOK
    frame = result.to_frame()
    assert frame["amount_minor"].sum() == 30_000 * NOK
    assert set(frame["kind"]) <= {"remaining", "foreign"}


def test_method_note_names_method_and_parameters() -> None:
    result = trace_proceeds(worked_example(), {"victim": ["t2"]}, method="libr", max_hops=3, end_date="2024-12-31")
    note = result.method_note
    assert "LIBR" in note and "3 transfers" in note and "2024-12-31" in note
    assert "NOK 30 000.00" in note
    assert result.parameters["tainted"] == {"victim": ["t2"]}


def _mule_chain():
    return case(
        [
            tx("a1", "2024-03-01", 1_000_00, "VICTIM", "BOSS"),
            tx("a2", "2024-03-01", 500_00, "SALARY", "BOSS"),
            tx("a3", "2024-03-02", 1_200_00, "BOSS", "MULE1"),
            tx("a4", "2024-03-03", 1_200_00, "MULE1", "MULE2"),
            tx("a5", "2024-03-04", 700_00, "MULE2", None),  # cash withdrawal
            tx("a6", "2024-03-05", 500_00, "MULE2", "RO99", to_country="RO"),
        ]
    )


def test_multi_hop_follows_taint_to_cash_and_abroad() -> None:
    result = trace_proceeds(_mule_chain(), ["a1"], method="fifo")
    # BOSS: VICTIM 1 000 and SALARY 500 arrive the same day; a1 sorts first (txn_id).
    # a3 takes 1 000 taint + 200 clean; MULE1 passes on all of it; MULE2 withdraws 700 first.
    assert result.amount_at("cash", "cash") == 700_00
    assert result.amount_at("foreign", "country:RO") == 300_00
    assert result.amount_at("remaining", "BOSS") == 0
    edges = result.trail_edges()
    pairs = zip(edges["from_node"], edges["to_node"], strict=True)
    hops = dict(zip(pairs, edges["hop"], strict=True))
    assert hops[("VICTIM", "BOSS")] == 0
    assert hops[("BOSS", "MULE1")] == 1
    assert hops[("MULE1", "MULE2")] == 2
    assert hops[("MULE2", "cash")] == 3


def test_hop_limit_stops_following_and_still_conserves() -> None:
    result = trace_proceeds(_mule_chain(), ["a1"], method="fifo", max_hops=1)
    assert result.amount_at("beyond_max_hops", "MULE2") == 1_000_00
    assert result.amount_at("cash", "cash") == 0
    assert result.destinations["amount_minor"].sum() == 1_000_00
    assert result.trail_edges()["hop"].max() == 1


def test_multi_source_colours_stay_separate_pro_rata() -> None:
    data = case(
        [
            tx("v1", "2024-05-01", 3_000_00, "VICTIM1", "HUB"),
            tx("v2", "2024-05-02", 1_000_00, "VICTIM2", "HUB"),
            tx("v3", "2024-05-02", 500_00, "VICTIM1", "HUB"),
            tx("o1", "2024-05-03", 2_250_00, "HUB", "NEXT"),
            tx("o2", "2024-05-04", 2_250_00, "NEXT", None),
        ]
    )
    result = trace_proceeds(data, {"victim 1": ["v1", "v3"], "victim 2": ["v2"]}, method="pro_rata")
    # HUB holds 3 500 (victim 1) + 1 000 (victim 2); o1 takes half of each, NEXT withdraws it all.
    assert result.amount_at("cash", "cash", "victim 1") == 1_750_00
    assert result.amount_at("cash", "cash", "victim 2") == 500_00
    assert result.amount_at("remaining", "HUB", "victim 1") == 1_750_00
    assert result.amount_at("remaining", "HUB", "victim 2") == 500_00
    totals = result.totals().set_index("colour")
    assert totals.loc["victim 1", "traced_minor"] == 3_500_00
    assert totals.loc["victim 2", "cash_minor"] == 500_00


def test_each_txn_its_own_colour_by_default() -> None:
    data = case(
        [
            tx("v1", "2024-05-01", 100_00, "V1", "HUB"),
            tx("v2", "2024-05-02", 100_00, "V2", "HUB"),
            tx("o1", "2024-05-03", 100_00, "HUB", None),
        ]
    )
    result = trace_proceeds(data, ["v1", "v2"], method="lifo")
    assert result.amount_at("cash", "cash", "v2") == 100_00
    assert result.amount_at("remaining", "HUB", "v1") == 100_00


def test_same_day_without_time_may_pass_money_on() -> None:
    # txn ids sort the outflows before the inflows; the rule must still let them carry.
    data = case(
        [
            tx("z-in", "2024-06-01", 900_00, "VICTIM", "A"),
            tx("b-out", "2024-06-01", 900_00, "A", "B"),
            tx("a-out", "2024-06-01", 900_00, "B", None),
        ]
    )
    result = trace_proceeds(data, ["z-in"], method="fifo")
    assert result.amount_at("cash", "cash") == 900_00


def test_timed_outflow_before_timed_inflow_carries_nothing() -> None:
    data = case(
        [
            tx("in", "2024-06-01", 900_00, "VICTIM", "A", time="14:00"),
            tx("out", "2024-06-01", 900_00, "A", None, time="09:30"),
        ]
    )
    result = trace_proceeds(data, ["in"], method="lifo")
    assert result.amount_at("cash", "cash") == 0
    assert result.amount_at("remaining", "A") == 900_00


def test_unknown_opening_balance_is_clean_and_can_be_given() -> None:
    data = case(
        [
            tx("in", "2024-06-02", 400_00, "VICTIM", "A"),
            tx("out", "2024-06-03", 500_00, "A", None),
        ]
    )
    # Outflow exceeds the recorded balance: 100 comes from unrecorded (clean) funds.
    plain = trace_proceeds(data, ["in"], method="fifo")
    assert plain.amount_at("cash", "cash") == 400_00
    # A known opening balance of 1 000 sits before the proceeds: FIFO spends it first.
    opened = trace_proceeds(data, ["in"], method="fifo", opening_balances={"A": 1_000_00})
    assert opened.amount_at("cash", "cash") == 0
    assert opened.amount_at("remaining", "A") == 400_00
    assert "Opening balances given for A (NOK 1 000.00)" in opened.method_note


def test_libr_later_clean_deposit_does_not_replenish() -> None:
    data = case(
        [
            tx("t", "2024-01-01", 1_000_00, "VICTIM", "A"),
            tx("w", "2024-01-02", 800_00, "A", None),
            tx("c", "2024-01-03", 5_000_00, "SALARY", "A"),
        ]
    )
    result = trace_proceeds(data, ["t"], method="libr")
    assert result.amount_at("remaining", "A") == 200_00
    assert result.amount_at("cash", "cash") == 800_00


def test_window_and_currency_filter() -> None:
    data = case(
        [
            tx("t", "2024-01-10", 1_000_00, "VICTIM", "A"),
            tx("eur", "2024-01-11", 500_00, "A", None, currency="EUR"),
            tx("late", "2024-03-01", 1_000_00, "A", None),
        ]
    )
    windowed = trace_proceeds(data, ["t"], end_date="2024-02-01")
    assert windowed.amount_at("remaining", "A") == 1_000_00
    assert any("other currencies" in n for n in windowed.notes)
    assert trace_proceeds(data, ["t"]).amount_at("cash", "cash") == 1_000_00


@pytest.mark.parametrize(
    ("tainted", "kwargs", "message"),
    [
        (["nope"], {}, "not in the case"),
        (["t2"], {"method": "hifo"}, "unknown tracing method"),
        (["t2"], {"start_date": "2024-01-03"}, "outside the window"),
        (["t2"], {"currency": "EUR"}, "must all be in EUR"),
        ({"a": ["t2"], "b": ["t2"]}, {}, "two tainted sources"),
        ([], {}, "no tainted"),
        (["t2"], {"opening_balances": {"MIX": 10.5}}, "whole, non-negative"),
    ],
)
def test_bad_requests_get_clear_errors(tainted, kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        trace_proceeds(worked_example(), tainted, **kwargs)


def test_split_largest_remainder_exact_and_ties_to_clean() -> None:
    parts = [(CLEAN, 1), ((0, 0), 1), ((1, 0), 1)]
    assert split_largest_remainder(2, parts) == [(CLEAN, 1), ((0, 0), 1)]
    thirds = split_largest_remainder(100, [(CLEAN, 300), ((0, 1), 300), ((1, 1), 300)])
    assert thirds == [(CLEAN, 34), ((0, 1), 33), ((1, 1), 33)]


@given(
    st.integers(min_value=1, max_value=10**12),
    st.lists(st.integers(min_value=1, max_value=10**12), min_size=1, max_size=6),
)
def test_split_largest_remainder_sums_and_bounds(amount: int, sizes: list[int]) -> None:
    parts = [((k, 0), size) for k, size in enumerate(sizes)]
    got = dict(split_largest_remainder(amount, parts))
    assert sum(got.values()) == min(amount, sum(sizes))
    for key, size in parts:
        assert 0 <= got.get(key, 0) <= size


ACCOUNTS = ["A", "B", "C", "D"]
_txn = st.tuples(
    st.integers(min_value=0, max_value=9),  # day
    st.sampled_from([*ACCOUNTS, "V1", "V2", None]),  # from (None: cash deposit)
    st.sampled_from([*ACCOUNTS, None, "FOREIGN"]),  # to (None: cash, FOREIGN: abroad)
    st.integers(min_value=1, max_value=50_000),
    st.sampled_from([None, "08:00", "12:30"]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(_txn, min_size=1, max_size=30),
    st.sampled_from(["fifo", "lifo", "pro_rata", "libr"]),
    st.integers(min_value=0, max_value=4),
)
def test_conservation_on_random_cases(txns, method: str, max_hops: int) -> None:
    rows = []
    for k, (day, frm, to, amount, time) in enumerate(txns):
        foreign = to == "FOREIGN"
        rows.append(
            tx(
                f"r{k:03d}",
                f"2024-01-{day + 1:02d}",
                amount,
                frm,
                "SE01" if foreign else to,
                time=time,
                to_country="SE" if foreign else None,
            )
        )
    rows.append(tx("seed1", "2024-01-01", 70_000, "V1", "A"))
    rows.append(tx("seed2", "2024-01-03", 30_000, "V2", "B"))
    data = case(rows)
    result = trace_proceeds(data, {"v1": ["seed1"], "v2": ["seed2"]}, method=method, max_hops=max_hops)
    # Victims' accounts never receive anything, so every marked krone is traced.
    assert result.traced == {"v1": 70_000, "v2": 30_000}
    ended = result.destinations.groupby("colour")["amount_minor"].sum()
    assert int(ended["v1"]) == 70_000 and int(ended["v2"]) == 30_000
    assert (result.destinations["amount_minor"] > 0).all()
    # No transaction carries more taint than its amount.
    amounts = data.transactions.set_index("txn_id")["amount_minor"]
    carried = result.movements.groupby("txn_id")["amount_minor"].sum()
    assert (carried <= amounts.reindex(carried.index)).all()
    assert result.trail_edges()["hop"].max() <= max_hops
    # Deterministic: shuffled input rows, identical output.
    again = trace_proceeds(
        case(list(reversed(rows))), {"v1": ["seed1"], "v2": ["seed2"]}, method=method, max_hops=max_hops
    )
    assert again.to_frame().equals(result.to_frame())
    assert again.trail_edges().equals(result.trail_edges())


def test_marked_transfer_carrying_traced_money_keeps_its_colour() -> None:
    data = case(
        [
            tx("x", "2024-07-01", 600_00, "VICTIM", "A"),
            tx("y", "2024-07-02", 1_000_00, "A", "B"),  # also marked: 600 is already "x"
            tx("w", "2024-07-03", 1_000_00, "B", None),
        ]
    )
    result = trace_proceeds(data, {"first": ["x"], "second": ["y"]}, method="fifo")
    assert result.traced == {"first": 600_00, "second": 400_00}
    assert result.amount_at("cash", "cash", "first") == 600_00
    assert result.amount_at("cash", "cash", "second") == 400_00
    assert any("second" in note and "NOK 600.00" in note for note in result.notes)
