"""Transactions as integer-coded columns, and the ground truth that names the planted ones.

Rows refer to accounts by index into :class:`finflow.synth.world.World` and to texts by index
into one interned string table, so a month of ten million rows stays a few numpy arrays. A row's
``tag`` points at the scenario or decoy that planted it (-1 for ordinary activity); the writer
turns tags into ``txn_ref`` lists once the rows are sorted and numbered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from finflow.model import CHANNELS

__all__ = ["CH", "COLUMNS", "CURRENCIES", "NO_TIME", "Ledger", "Strings", "Truth"]

CH: dict[str, int] = {name: i for i, name in enumerate(CHANNELS)}
CURRENCIES: tuple[str, ...] = ("NOK", "EUR")
NO_TIME = -1

#: Column name -> dtype of a ledger block.
COLUMNS: dict[str, type] = {
    "day": np.int32,  # days since the period's first day
    "minute": np.int16,  # minute of day, or NO_TIME
    "amount": np.int64,  # minor units
    "currency": np.int8,  # index into CURRENCIES
    "src": np.int32,  # account index, -1 for a cash deposit
    "dst": np.int32,  # account index, -1 for a cash withdrawal
    "channel": np.int8,  # index into CHANNELS
    "desc": np.int32,  # index into the string table
    "dst_country": np.int32,  # string index overriding the payee country (MTO payout), or -1
    "tag": np.int32,  # ground-truth entry, or -1
}


class Strings:
    """An interned string table shared by all ledger blocks."""

    def __init__(self) -> None:
        self.values: list[str] = []
        self._index: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        idx = self._index.get(text)
        if idx is None:
            idx = self._index[text] = len(self.values)
            self.values.append(text)
        return idx

    def many(self, texts: list[str]) -> np.ndarray:
        return np.fromiter((self(t) for t in texts), dtype=np.int32, count=len(texts))


class Ledger:
    """Row-by-row accumulation for planted scenarios (small), turned into columns at the end."""

    def __init__(self, strings: Strings) -> None:
        self.strings = strings
        self._rows: list[tuple[int, ...]] = []

    def add(
        self,
        day: int,
        minute: int,
        amount_ore: int,
        src: int,
        dst: int,
        channel: str,
        desc: str,
        tag: int,
        currency: str = "NOK",
        dst_country: str | None = None,
    ) -> None:
        if amount_ore <= 0:
            return
        self._rows.append(
            (
                day,
                minute,
                amount_ore,
                CURRENCIES.index(currency),
                src,
                dst,
                CH[channel],
                self.strings(desc),
                self.strings(dst_country) if dst_country else -1,
                tag,
            )
        )

    def __len__(self) -> int:
        return len(self._rows)

    def columns(self, n_days: int) -> dict[str, np.ndarray]:
        """Column arrays of the rows whose day falls in the period."""
        if not self._rows:
            return {k: np.zeros(0, dtype=t) for k, t in COLUMNS.items()}
        data = np.array(self._rows, dtype=np.int64)
        keep = (data[:, 0] >= 0) & (data[:, 0] < n_days)
        data = data[keep]
        return {k: data[:, i].astype(t) for i, (k, t) in enumerate(COLUMNS.items())}


@dataclass
class Entry:
    """One scenario or decoy in the ground truth."""

    id: str
    type: str
    decoy: bool
    roles: dict[str, list[Any]] = field(default_factory=dict)
    accounts: list[str] = field(default_factory=list)
    counterparty_accounts: list[str] = field(default_factory=list)
    persons: list[dict[str, str]] = field(default_factory=list)
    companies: list[str] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)
    txn_refs: list[str] = field(default_factory=list)


class Truth:
    """The answer key: what was planted, who is in it, and which rows."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self._counts: dict[str, int] = {}

    def new(self, type_: str, decoy: bool = False) -> tuple[int, Entry]:
        """Register a new scenario (or decoy) of ``type_``; returns its tag and entry."""
        key = f"decoy-{type_}" if decoy else type_
        self._counts[key] = self._counts.get(key, 0) + 1
        entry = Entry(id=f"{key}-{self._counts[key]}", type=type_, decoy=decoy)
        self.entries.append(entry)
        return len(self.entries) - 1, entry
