"""Time-respecting path tracing: order in time, flow caps, hops, filters, party starts."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_trace_cases import case, tx

from finflow.trace import trace_paths


def _chain():
    return case(
        [
            tx("p1", "2024-02-01", 1000, "S", "A"),
            tx("p2", "2024-02-02", 600, "A", "B"),
            tx("p3", "2024-02-02", 800, "A", "C"),
            tx("p4", "2024-02-03", 600, "B", None),
            tx("p5", "2024-01-15", 500, "C", "X"),  # before money reached C: not a trail
            tx("p6", "2024-02-04", 300, "C", "SE1", to_country="SE"),
            tx("p7", "2024-02-01", 200, "Z", "A"),  # not from the trail: does not raise the cap
        ],
        holders={"S": "party-boss", "S2": "party-boss", "A": "party-mule"},
    )


def _carried(result) -> dict[tuple[str, int], int]:
    frame = result.to_frame()
    return {(t, h): a for t, h, a in zip(frame["txn_id"], frame["hop"], frame["amount_minor"], strict=True)}


def test_forward_respects_time_and_caps_by_what_arrived() -> None:
    result = trace_paths(_chain(), "S")
    assert _carried(result) == {
        ("p1", 1): 1000,
        ("p2", 2): 600,
        ("p3", 2): 400,  # A got 1 000 from the trail and already passed on 600
        ("p4", 3): 600,
        ("p6", 3): 300,
    }
    edges = result.trail_edges()
    assert list(edges.columns) == [
        "from_node", "to_node", "amount_minor", "currency", "txn_count", "first_date", "last_date", "hop",
    ]  # fmt: skip
    assert ("B", "cash") in set(zip(edges["from_node"], edges["to_node"], strict=True))
    assert ("C", "country:SE") in set(zip(edges["from_node"], edges["to_node"], strict=True))


def test_backward_finds_funding_inflows_before_the_outflow() -> None:
    result = trace_paths(_chain(), "B", direction="backward")
    carried = _carried(result)
    assert carried[("p2", 1)] == 600
    assert carried[("p1", 2)] + carried[("p7", 2)] == 600
    assert "backward" in result.method_note


def test_max_hops_and_min_amount_and_window() -> None:
    assert set(_carried(trace_paths(_chain(), "S", max_hops=2))) == {("p1", 1), ("p2", 2), ("p3", 2)}
    small_cut = _carried(trace_paths(_chain(), "S", min_amount_minor=700))
    assert set(small_cut) == {("p1", 1), ("p3", 2)}
    late = _carried(trace_paths(_chain(), "S", start_date="2024-02-02"))
    assert late == {}  # S's only outflow is before the window


def test_party_start_uses_all_its_accounts() -> None:
    data = case(
        [
            tx("x1", "2024-03-01", 100, "S", "A"),
            tx("x2", "2024-03-01", 50, "S2", "B"),
        ],
        holders={"S": "party-boss", "S2": "party-boss"},
    )
    result = trace_paths(data, "party-boss")
    assert result.start_accounts == ["S", "S2"]
    assert set(result.to_frame()["txn_id"]) == {"x1", "x2"}


def test_unknown_start_and_bad_direction_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="neither an account nor a party"):
        trace_paths(_chain(), "nobody")
    with pytest.raises(ValueError, match="direction"):
        trace_paths(_chain(), "S", direction="sideways")


def test_same_day_untimed_chain_continues_but_earlier_time_does_not() -> None:
    untimed = case([tx("b", "2024-04-01", 100, "S", "A"), tx("a", "2024-04-01", 100, "A", "B")])
    assert _carried(trace_paths(untimed, "S")) == {("b", 1): 100, ("a", 2): 100}
    timed = case(
        [
            tx("b", "2024-04-01", 100, "S", "A", time="15:00"),
            tx("a", "2024-04-01", 100, "A", "B", time="09:00"),
        ]
    )
    assert _carried(trace_paths(timed, "S")) == {("b", 1): 100}
    mixed = case(
        [
            tx("b", "2024-04-01", 100, "S", "A", time="15:00"),
            tx("a", "2024-04-01", 100, "A", "B"),  # no time: may be later the same day
        ]
    )
    assert _carried(trace_paths(mixed, "S")) == {("b", 1): 100, ("a", 2): 100}


def test_round_trip_back_to_start_is_not_counted_twice() -> None:
    data = case(
        [
            tx("o", "2024-04-01", 100, "S", "A"),
            tx("r", "2024-04-02", 100, "A", "S"),
            tx("o2", "2024-04-03", 100, "S", "B"),
        ]
    )
    carried = _carried(trace_paths(data, "S"))
    assert carried == {("o", 1): 100, ("r", 2): 100, ("o2", 1): 100}


_edge = st.tuples(
    st.integers(min_value=0, max_value=6),
    st.sampled_from(["S", "A", "B", "C"]),
    st.sampled_from(["A", "B", "C", "S", None]),
    st.integers(min_value=1, max_value=1000),
    st.sampled_from([None, "10:00", "18:00"]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_edge, min_size=1, max_size=25), st.integers(min_value=1, max_value=4))
def test_trails_never_carry_more_than_arrived(edges, max_hops: int) -> None:
    rows = [
        tx(f"e{k:02d}", f"2024-05-{day + 1:02d}", amount, frm, to, time=time)
        for k, (day, frm, to, amount, time) in enumerate(edges)
    ]
    rows.append(tx("seed", "2024-05-01", 500, "S", "A"))
    result = trace_paths(case(rows), "S", max_hops=max_hops)
    frame = result.to_frame()
    assert (frame["amount_minor"] > 0).all()
    assert (frame["amount_minor"] <= frame["txn_amount_minor"]).all()
    assert frame["hop"].between(1, max_hops).all()
    assert (frame.groupby("txn_id")["amount_minor"].sum() <= frame.groupby("txn_id")["txn_amount_minor"].first()).all()
    # Per account other than the start: carried out at hop h+1 ≤ carried in at hops ≤ h.
    for account in ["A", "B", "C"]:
        inflow = frame[(frame["to_node"] == account) & (frame["hop"] < max_hops)]
        outflow = frame[frame["from_node"] == account]
        assert outflow["amount_minor"].sum() <= inflow["amount_minor"].sum()


def test_same_day_back_and_forth_is_ordered_deterministically() -> None:
    # A→B and B→A on the same day without times contradict each other; the earliest by
    # (date, time, txn_id) goes first, so "ab" carries the trail and "ba" carries it back.
    rows = [
        tx("s", "2024-04-01", 100, "S", "A"),
        tx("ab", "2024-04-02", 100, "A", "B"),
        tx("ba", "2024-04-02", 100, "B", "A"),
        tx("out", "2024-04-03", 100, "A", None),
    ]
    first = trace_paths(case(rows), "S").to_frame()
    again = trace_paths(case(list(reversed(rows))), "S").to_frame()
    assert first.equals(again)
    carried = dict(zip(zip(first["txn_id"], first["hop"], strict=True), first["amount_minor"], strict=True))
    assert carried == {("s", 1): 100, ("ab", 2): 100, ("ba", 3): 100, ("out", 4): 100}
