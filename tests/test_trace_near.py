"""Traces read only the rows reachable from their start, and give what a walk over the whole case gives."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_trace_cases import case, tx

import finflow.trace.events as events_module
import finflow.trace.paths as paths_module
import finflow.trace.proceeds as proceeds_module
from finflow.flowindex import flow_index
from finflow.trace import trace_paths, trace_proceeds
from finflow.trace.events import account_codes, load_events, near_rows

ACCOUNTS = ["A", "B", "C", "D", "E", "F"]


def _whole_case(data, seeds, depth, *, currency, start_date=None, end_date=None, min_amount_minor=0,
                home_country="NO", **_ignored):  # fmt: skip
    """The events of every transaction of the case (what the tracers used before)."""
    return load_events(
        data.transactions, currency=currency, start_date=start_date, end_date=end_date,
        min_amount_minor=min_amount_minor, home_country=home_country,
    )  # fmt: skip


_row = st.tuples(
    st.integers(1, 20),  # day of March
    st.integers(1, 500),  # amount
    st.sampled_from([*ACCOUNTS, None]),
    st.sampled_from([*ACCOUNTS, None, "X"]),  # X: abroad
    st.sampled_from(["NOK", "NOK", "NOK", "SEK"]),
    st.sampled_from([None, "09:00", "17:30"]),
)


def _case(rows):
    built = []
    for k, (day, amount, frm, to, currency, time) in enumerate(rows):
        country = "SE" if to == "X" else None
        built.append(
            tx(f"t{k:02d}", f"2024-03-{day:02d}", amount * 100, frm, to, time=time, to_country=country,
               currency=currency)
        )  # fmt: skip
    return case(built)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(_row, min_size=1, max_size=30), start=st.sampled_from(ACCOUNTS), hops=st.integers(1, 4),
       backward=st.booleans())  # fmt: skip
def test_paths_over_near_rows_equal_paths_over_whole_case(rows, start, hops, backward, monkeypatch) -> None:
    monkeypatch.setattr(events_module, "WHOLE_CASE_SHARE", 2.0)  # always the near rows
    data = _case(rows)
    direction = "backward" if backward else "forward"
    try:
        near = trace_paths(data, start, direction=direction, max_hops=hops, currency="NOK")
    except ValueError:
        return  # the start is not in this case: nothing to compare
    with monkeypatch.context() as patch:
        patch.setattr(paths_module, "near_events", _whole_case)
        whole = trace_paths(data, start, direction=direction, max_hops=hops, currency="NOK")
    pd.testing.assert_frame_equal(near.rows, whole.rows)
    assert near.notes == whole.notes


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(_row, min_size=1, max_size=30), pick=st.integers(0, 29), hops=st.integers(0, 4),
       method=st.sampled_from(["fifo", "lifo", "pro_rata", "libr"]))  # fmt: skip
def test_proceeds_over_near_rows_equal_proceeds_over_whole_case(rows, pick, hops, method, monkeypatch) -> None:
    monkeypatch.setattr(events_module, "WHOLE_CASE_SHARE", 2.0)  # always the near rows
    data = _case(rows)
    tainted = [f"t{pick % len(rows):02d}"]
    try:
        near = trace_proceeds(data, tainted, method=method, max_hops=hops, currency="NOK")
    except ValueError as exc:
        with monkeypatch.context() as patch, pytest.raises(ValueError, match=re.escape(str(exc))):
            patch.setattr(proceeds_module, "near_events", _whole_case)
            trace_proceeds(data, tainted, method=method, max_hops=hops, currency="NOK")
        return
    with monkeypatch.context() as patch:
        patch.setattr(proceeds_module, "near_events", _whole_case)
        whole = trace_proceeds(data, tainted, method=method, max_hops=hops, currency="NOK")
    pd.testing.assert_frame_equal(near.destinations, whole.destinations)
    pd.testing.assert_frame_equal(near.movements, whole.movements)
    assert near.traced == whole.traced
    assert near.notes == whole.notes


def test_near_rows_keep_only_what_the_start_can_reach() -> None:
    data = case(
        [
            tx("t1", "2024-03-01", 100, "A", "B"),
            tx("t2", "2024-03-02", 100, "B", "C"),
            tx("t3", "2024-03-03", 100, "C", "D"),
            tx("t4", "2024-03-04", 100, "E", "F"),  # unrelated
            tx("t5", "2024-03-05", 100, "F", "A"),  # into A: only a backward trace needs it
        ]
    )
    codes = account_codes(data.transactions)
    ids = data.transactions["txn_id"].to_numpy()
    assert list(ids[near_rows(codes, ["A"], 1)]) == ["t1", "t2"]
    assert list(ids[near_rows(codes, ["A"], 2)]) == ["t1", "t2", "t3"]
    assert list(ids[near_rows(codes, ["A"], 1, backward=True)]) == ["t4", "t5"]
    assert list(ids[near_rows(codes, ["B"], 0, both_sides=True)]) == ["t1", "t2"]
    assert list(ids[near_rows(codes, ["nobody"], 3)]) == []


def test_a_trace_reaching_most_of_the_case_shares_the_whole_cases_events() -> None:
    rows = [tx(f"t{k}", f"2024-03-{1 + k:02d}", 100, ACCOUNTS[k % 6], ACCOUNTS[(k + 1) % 6]) for k in range(12)]
    data = case(rows)
    first = trace_paths(data, "A", max_hops=6)
    second = trace_paths(data, "B", max_hops=6)
    assert len(first.rows) and len(second.rows)
    shared = [key for key in flow_index(data)._memo if key[0] == "trace events"]
    assert len(shared) == 1  # built once for both traces


def test_tainted_cash_to_cash_ends_in_cash_with_no_account_in_the_case():
    """A case whose only row has no account on either side (cash paid out as cash) still traces."""
    data = _case([(1, 1, None, None, "NOK", None)])
    result = trace_proceeds(data, ["t00"], method="fifo", max_hops=0, currency="NOK")
    assert result.traced == {"t00": 100}
    (row,) = result.destinations.to_dict("records")
    assert (row["kind"], row["node"], row["amount_minor"], row["txn_id"]) == ("cash", "cash", 100, "t00")
