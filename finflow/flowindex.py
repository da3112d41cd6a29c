"""The case's money, indexed once per run and shared by everything that reads it.

Before this index, each view sorted, re-keyed and re-aggregated every transaction of the case, and
each evidence table searched the whole transactions table for a handful of ids. A
:class:`FlowIndex` does that work once per :class:`~finflow.casedata.CaseData`:

- ``rows(txn_ids, columns)``: transactions by id through one hash index, only the columns asked
  for (evidence tables, findings.json);
- ``sorted_transactions``: the transactions in time order (by booking date, then id);
- ``lookups``: per-account and per-party facts (holder, country, names, kinds);
- ``accounts``: the account table: holder, sources, counts, first and last date per account;
- ``case_graph(...)``: the drawable case graph, built once per set of findings and drawing mode.

:func:`flow_index` returns the case's index, building it on first use. It is not copied into a
per-currency view of the case (:meth:`CaseData.in_currency` starts afresh).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa

from finflow.casedata import CaseData

if TYPE_CHECKING:
    from finflow.detect.base import Finding
    from finflow.views.graph import CaseGraph

__all__ = ["FlowIndex", "Lookups", "flow_index", "take_rows"]

_ATTR = "_flow_index"
T = TypeVar("T")


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(pd.NA, index=frame.index, dtype="string")
    values = frame[column].astype("string").str.strip()
    return values.mask(values == "")


def _take_column(values: pd.Series, positions: np.ndarray) -> object:
    """``values.take(positions).array`` for ascending ``positions``, chunk by chunk when Arrow holds it.

    Taking from an Arrow array of several chunks joins the chunks first (every call, the whole
    column); taking from each chunk its own rows reads only those rows.
    """
    array = values.array
    if not hasattr(array, "__arrow_array__") or not hasattr(values.dtype, "__from_arrow__"):
        return values.take(positions).array
    chunked = array.__arrow_array__()
    if not isinstance(chunked, pa.ChunkedArray) or chunked.num_chunks <= 1:
        return values.take(positions).array
    bounds = np.cumsum([0, *(len(chunk) for chunk in chunked.chunks)])
    which = np.searchsorted(bounds, positions, side="right") - 1
    parts = [
        chunked.chunk(int(k)).take(pa.array(positions[which == k] - bounds[k], type=pa.int64()))
        for k in np.unique(which)
    ]
    return values.dtype.__from_arrow__(pa.chunked_array(parts, type=chunked.type))


def take_rows(frame: pd.DataFrame, positions: np.ndarray) -> pd.DataFrame:
    """``frame.take(positions)`` for ascending ``positions``, reading only those rows of each column."""
    columns = {name: _take_column(frame[name], positions) for name in frame.columns}
    return pd.DataFrame(columns, index=frame.index[positions], columns=frame.columns)


def _first_by(frame: pd.DataFrame, key: str, value: str) -> pd.Series:
    """``value`` by ``key`` (first row per key wins; missing values dropped)."""
    frame = frame.drop_duplicates(key)
    index = frame[key].astype("string").to_numpy()
    return pd.Series(_text(frame, value).to_numpy(), index=index, dtype="string").dropna()


@dataclass(frozen=True)
class Lookups:
    """Facts by id, each a string Series indexed by the id (missing facts absent)."""

    account_country: pd.Series
    holder_name: pd.Series
    holder_party: pd.Series
    party_name: pd.Series
    party_kind: pd.Series
    address_text: pd.Series


class FlowIndex:
    """Transactions, account facts and drawable graphs of one case, each built once on first use."""

    def __init__(self, data: CaseData) -> None:
        self.data = data
        self._graphs: dict[tuple, CaseGraph] = {}
        self._memo: dict[tuple, object] = {}

    def memo(self, key: tuple, build: Callable[[], T]) -> T:
        """``build()``, computed once per ``key`` for this case (for read-only results only)."""
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]  # type: ignore[return-value]

    @cached_property
    def _positions(self) -> pd.Index:
        ids = self.data.transactions["txn_id"].astype("string").to_numpy(dtype=object, na_value=None)
        return pd.Index(ids, dtype=object)

    def rows(self, txn_ids: Iterable[str], columns: Sequence[str] | None = None) -> pd.DataFrame:
        """The transactions with these ids (unknown ids skipped), in case order, without copies.

        With ``columns``, only those columns (in that order) are taken: an evidence table of a
        few rows then reads a few cells, not every column of the case.
        """
        tx = self.data.transactions
        if columns is not None:
            tx = tx[list(dict.fromkeys(columns))]
        wanted = pd.Index(sorted({str(t) for t in txn_ids}), dtype=object)
        if wanted.empty:
            return tx.iloc[0:0]
        positions = self._positions.get_indexer_for(wanted)
        positions = np.unique(positions[positions >= 0])
        return take_rows(tx, positions)

    @cached_property
    def _account_positions(self) -> tuple[pd.Index, np.ndarray, np.ndarray]:
        """Account ids, and for each the slice of ``positions`` holding its transactions' rows."""
        tx = self.data.transactions
        n = len(tx)
        accounts = pd.concat([_text(tx, "from_account"), _text(tx, "to_account")], ignore_index=True)
        rows = np.concatenate([np.arange(n), np.arange(n)])
        codes, uniques = pd.factorize(accounts)
        keep = codes >= 0
        codes, rows = codes[keep], rows[keep]
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
        return pd.Index(uniques.astype(object), dtype=object), rows[order], bounds

    def account_rows(self, account_ids: Iterable[str], columns: Sequence[str] | None = None) -> pd.DataFrame:
        """Every transaction into or out of these accounts, once each, by time then id
        (only ``columns``, when given, plus ``ts`` and ``txn_id``)."""
        index, positions, bounds = self._account_positions
        codes = index.get_indexer_for(pd.Index(sorted(set(account_ids)), dtype=object))
        parts = [positions[bounds[c] : bounds[c + 1]] for c in codes if c >= 0]
        rows = np.unique(np.concatenate(parts)) if parts else np.array([], dtype="int64")
        tx = self.data.transactions
        if columns is not None:
            tx = tx[list(dict.fromkeys(["ts", "txn_id", *columns]))]
        return take_rows(tx, rows).sort_values(["ts", "txn_id"], kind="stable")

    @cached_property
    def sorted_transactions(self) -> pd.DataFrame:
        """The transactions by booking date, then id, with their position in that order (``_order``)."""
        tx = self.data.transactions.sort_values(["booking_date", "txn_id"], kind="stable").reset_index(drop=True)
        tx["_order"] = np.arange(len(tx))
        return tx

    @cached_property
    def lookups(self) -> Lookups:
        data = self.data
        return Lookups(
            account_country=_first_by(data.accounts, "account_id", "country").str.upper(),
            holder_name=_first_by(data.accounts, "account_id", "holder_name"),
            holder_party=_first_by(data.accounts, "account_id", "holder_party_id"),
            party_name=_first_by(data.parties, "party_id", "name"),
            party_kind=_first_by(data.parties, "party_id", "kind"),
            address_text=_first_by(data.addresses, "address_id", "normalized"),
        )

    @cached_property
    def accounts(self) -> pd.DataFrame:
        """One row per account that holds or moves money: holder, sources, counts, first/last date.

        Columns: account_id, holder_name, holder_party_id, name_seen (the first name an extract gives
        for the account, by date), country, txns_in, txns_out, first, last,
        sources (the extract files that mention the account, sorted, ``; ``-joined).
        """
        tx = self.data.transactions
        sides = pd.concat(
            [
                pd.DataFrame({"account_id": _text(tx, "from_account"), "dir": "out", "date": tx["booking_date"],
                              "source": _text(tx, "source_file"), "name": _text(tx, "from_name")}),
                pd.DataFrame({"account_id": _text(tx, "to_account"), "dir": "in", "date": tx["booking_date"],
                              "source": _text(tx, "source_file"), "name": _text(tx, "to_name")}),
            ],
            ignore_index=True,
        ).dropna(subset=["account_id"])  # fmt: skip
        counts = sides.groupby(["account_id", "dir"]).size().unstack(fill_value=0)
        for column in ("in", "out"):
            if column not in counts.columns:
                counts[column] = 0
        span = sides.groupby("account_id")["date"].agg(["min", "max"])
        sources = (
            sides.dropna(subset=["source"]).drop_duplicates(["account_id", "source"])
            .sort_values(["account_id", "source"]).groupby("account_id")["source"].agg("; ".join)
        )  # fmt: skip
        named = sides.dropna(subset=["name"]).sort_values(["date", "account_id", "name"], kind="stable")
        seen = named.drop_duplicates("account_id").set_index("account_id")["name"]
        known = pd.Index(self.data.accounts["account_id"].astype("string").dropna().unique())
        ids = known.union(pd.Index(span.index)).sort_values()
        look = self.lookups
        table = pd.DataFrame({"account_id": pd.Series(ids, dtype="string")})
        keys = table["account_id"]
        table["holder_name"] = keys.map(look.holder_name).astype("string")
        table["holder_party_id"] = keys.map(look.holder_party).astype("string")
        table["name_seen"] = keys.map(seen).astype("string")
        table["country"] = keys.map(look.account_country).astype("string")
        table["txns_in"] = keys.map(counts["in"]).fillna(0).astype("int64")
        table["txns_out"] = keys.map(counts["out"]).fillna(0).astype("int64")
        table["first"] = keys.map(span["min"])
        table["last"] = keys.map(span["max"])
        table["sources"] = keys.map(sources).astype("string").fillna("")
        return table

    def case_graph(
        self,
        findings: Sequence[Finding],
        *,
        collapse_foreign: bool = True,
        home_country: str = "NO",
    ) -> CaseGraph:
        """The case graph of all transactions, built once per findings, drawing mode and home country.

        Callers that set ``centre`` must copy it first (``dataclasses.replace``): it is shared.
        """
        from finflow.views.graph import build_case_graph

        key = (tuple(f.finding_id for f in findings), collapse_foreign, home_country.upper())
        if key not in self._graphs:
            self._graphs[key] = build_case_graph(
                self.data, findings, home_country=home_country, collapse_foreign=collapse_foreign
            )
        return self._graphs[key]


def flow_index(data: CaseData) -> FlowIndex:
    """The case's :class:`FlowIndex`, built on first use and kept with the case data."""
    index = data.__dict__.get(_ATTR)
    if index is None:
        index = FlowIndex(data)
        setattr(data, _ATTR, index)
    return index
