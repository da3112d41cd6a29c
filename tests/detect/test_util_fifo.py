"""FIFO forwarding on integer timestamps gives exactly what the loop over numpy values gave."""

from __future__ import annotations

from collections import deque

import numpy as np
import pytest

from finflow.detect.common import fifo_forwarded


def _reference(in_ts, in_amount, out_ts, out_amount, within, *, newest_first=False):
    """The straightforward loop over numpy scalars (the implementation before integer timestamps)."""
    forwarded = np.zeros(len(in_ts), dtype=np.int64)
    out_in_time = np.zeros(len(out_ts), dtype=np.int64)
    lots: deque[list[int]] = deque()
    take_from = -1 if newest_first else 0
    i = 0
    for j in np.argsort(out_ts, kind="stable"):
        while i < len(in_ts) and in_ts[i] <= out_ts[j]:
            lots.append([i, int(in_amount[i])])
            i += 1
        need = int(out_amount[j])
        while need and lots:
            lot = lots[take_from]
            take = min(need, lot[1])
            if out_ts[j] - in_ts[lot[0]] <= within:
                forwarded[lot[0]] += take
                out_in_time[j] += take
            lot[1] -= take
            need -= take
            if lot[1] == 0:
                lots.pop() if newest_first else lots.popleft()
    return forwarded, out_in_time


def _flows(rng, n_in, n_out, unit):
    start = np.datetime64("2026-01-01T00:00:00").astype(f"datetime64[{unit}]")
    steps = {"D": 60, "s": 60 * 86400}[unit]
    in_ts = np.sort(start + rng.integers(0, steps, n_in).astype(f"timedelta64[{unit}]"))
    out_ts = start + rng.integers(0, steps, n_out).astype(f"timedelta64[{unit}]")  # unsorted, with ties
    return in_ts, rng.integers(1, 20, n_in) * 500, out_ts, rng.integers(1, 30, n_out) * 500


@pytest.mark.parametrize("newest_first", [False, True])
@pytest.mark.parametrize(
    ("unit", "within"),
    [
        ("s", np.timedelta64(36, "h")),
        ("s", np.timedelta64(2, "D")),
        ("D", np.timedelta64(3, "D")),
        ("D", np.timedelta64(30, "h")),
    ],
)
def test_fifo_forwarded_equals_the_numpy_loop(unit, within, newest_first):
    rng = np.random.default_rng(7)
    for n_in, n_out in ((0, 5), (5, 0), (40, 60), (200, 80)):
        args = _flows(rng, n_in, n_out, unit)
        got = fifo_forwarded(*args, within, newest_first=newest_first)
        expected = _reference(*args, within, newest_first=newest_first)
        for g, e in zip(got, expected, strict=True):
            assert g.dtype == np.int64 and g.tolist() == e.tolist()


def test_fifo_forwarded_with_different_units_on_each_side_and_an_edge_of_the_limit():
    in_ts = np.array(["2026-01-01"], dtype="datetime64[D]")
    out_ts = np.array(["2026-01-02T00:00:00", "2026-01-02T00:00:01"], dtype="datetime64[s]")
    # 1 000 in; 600 out exactly one day later (in time), 400 one second past the limit
    forwarded, out_in_time = fifo_forwarded(
        in_ts, np.array([1000]), out_ts, np.array([600, 400]), np.timedelta64(1, "D")
    )
    assert forwarded.tolist() == [600] and out_in_time.tolist() == [600, 0]
    expected = _reference(in_ts, np.array([1000]), out_ts, np.array([600, 400]), np.timedelta64(1, "D"))
    assert [a.tolist() for a in expected] == [[600], [600, 0]]


def test_fifo_forwarded_with_a_missing_timestamp_keeps_the_numpy_comparisons():
    in_ts = np.array(["2026-01-01", "NaT"], dtype="datetime64[s]")
    out_ts = np.array(["2026-01-01T05:00:00"], dtype="datetime64[s]")
    args = (in_ts, np.array([100, 100]), out_ts, np.array([150]), np.timedelta64(1, "D"))
    got, expected = fifo_forwarded(*args), _reference(*args)
    assert [a.tolist() for a in got] == [a.tolist() for a in expected]
