"""Small helpers shared by detectors: money text, surnames, FIFO forwarding.

Money text never adds currencies: :func:`money_total` gives one total per currency
(``NOK 797 394 + EUR 14 000``). Detectors run on one currency at a time
(:func:`finflow.detect.registry.run_detectors`), so a finding's figures are in one currency.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

import numpy as np
import pandas as pd

from finflow.money import format_minor, format_totals, totals_by_currency
from finflow.normalize import normalize_name

__all__ = ["fifo_forwarded", "money_total", "nok", "surname", "totals_minor"]


def surname(name: object) -> str:
    """Last token of the normalised name ('' when unknown): a weak family link, never a merge."""
    tokens = normalize_name(name if isinstance(name, str) else None).split()
    return tokens[-1] if tokens else ""


def nok(amount_minor: float | int, currency: str = "NOK") -> str:
    """One amount in ``currency`` as text for explanations, e.g. ``NOK 1 200`` (``.00`` dropped).

    One amount, one currency: a total of transactions is :func:`money_total`.
    """
    text = format_minor(round(amount_minor), currency)
    return text[:-3] if text.endswith(".00") else text


def totals_minor(rows: pd.DataFrame) -> dict[str, int]:
    """Exact total of ``rows`` (``amount_minor``, ``currency``) per currency, Python integers."""
    return totals_by_currency(rows["amount_minor"], rows["currency"])


def money_total(rows: pd.DataFrame) -> str:
    """The total of ``rows`` per currency as text, e.g. ``NOK 797 394 + EUR 14 000``; never one mixed sum."""
    return format_totals(totals_minor(rows), whole=True, empty="NOK 0")


def fifo_forwarded(
    in_ts: np.ndarray,
    in_amount: np.ndarray,
    out_ts: np.ndarray,
    out_amount: np.ndarray,
    within: np.timedelta64,
    *,
    newest_first: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """How much of each inflow left the account within ``within``, first in first out.

    Returns ``(forwarded_per_inflow, forwarded_per_outflow_in_time)``. Inflows and outflows at
    the same timestamp: the inflow is taken to arrive first. With ``newest_first`` each outflow
    takes the newest money first (last in, first out): a conduit that keeps a small fee from
    every pass would otherwise have each outflow charged with old residue and look slower than
    it is.
    """
    forwarded = [0] * len(in_ts)
    out_in_time = [0] * len(out_ts)
    lots: deque[list[int]] = deque()  # [inflow index, remaining], oldest first
    take_from = -1 if newest_first else 0
    order = np.argsort(out_ts, kind="stable")
    # the loop below is plain Python: on Python integers it runs several times faster than on
    # numpy scalars, so timestamps become integer counts of one common unit (exact, no rounding)
    in_ts, out_ts, within = _as_integers(np.asarray(in_ts), np.asarray(out_ts), within)
    in_amount = np.asarray(in_amount).tolist()
    out_amount = np.asarray(out_amount).tolist()
    i = 0
    for j in order.tolist():
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
    return np.array(forwarded, dtype=np.int64), np.array(out_in_time, dtype=np.int64)


def _as_integers(in_ts: np.ndarray, out_ts: np.ndarray, within: object) -> tuple[list, list, object]:
    """Timestamps and the time limit as Python integers in their finest common unit.

    Anything but missing-free datetime64 timestamps with a timedelta64 limit is returned as
    Python values unchanged (comparisons then behave exactly as on the numpy values).
    """
    limit = np.asarray(within)
    datetimes = in_ts.dtype.kind == "M" and out_ts.dtype.kind == "M" and limit.dtype.kind == "m"
    if datetimes and not (np.isnat(in_ts).any() or np.isnat(out_ts).any() or np.isnat(limit)):
        step = np.result_type(
            (in_ts[:0] - in_ts[:0]).dtype, (out_ts[:0] - out_ts[:0]).dtype, limit.dtype
        )  # the finest timedelta unit of the three
        unit = np.datetime_data(step)[0]
        return (
            in_ts.astype(f"datetime64[{unit}]").astype(np.int64).tolist(),
            out_ts.astype(f"datetime64[{unit}]").astype(np.int64).tolist(),
            int(limit.astype(step).astype(np.int64)),
        )
    return list(in_ts), list(out_ts), within


def ordered(frame: pd.DataFrame, columns: Sequence[str] = ("ts", "txn_id")) -> pd.DataFrame:
    """Rows in time order with a stable tie-break, so results never depend on input order."""
    return frame.sort_values(list(columns), kind="stable")
