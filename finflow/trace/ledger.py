"""Per-account lot ledgers: which funds an outflow is deemed to carry, by tracing convention.

A ledger holds lots keyed by ``(colour, hop)``; the clean key is :data:`CLEAN`. ``withdraw``
returns the parts an outflow takes, summing exactly to the outflow. When an outflow exceeds
what the ledger holds (the account's opening balance before the window is unknown), the
shortfall is taken from unrecorded funds and reported as clean.

All amounts are integers in minor units. Proportional splits use largest-remainder rounding:
each part gets the floor of its exact share, and the minor units left over go one each to the
parts with the largest remainders (ties: the clean part first, then by key), so the parts sum
exactly to the whole and taint is never rounded up at the expense of clean funds.
"""

from __future__ import annotations

from collections import deque

__all__ = ["CLEAN", "METHODS", "Key", "Ledger", "make_ledger", "split_largest_remainder"]

Key = tuple[int, int]  # (colour index, hop); colour -1 is clean
CLEAN: Key = (-1, 0)

#: Method name → plain-language description for the case file.
METHODS: dict[str, str] = {
    "fifo": "FIFO (first in, first out; the rule in Clayton's Case): an outflow takes the "
    "oldest funds in the account first",
    "lifo": "LIFO (last in, first out): an outflow takes the newest funds in the account first",
    "pro_rata": "pro rata rolling charge: every outflow carries each source in its share of the balance at that moment",
    "libr": "LIBR (lowest intermediate balance rule): clean funds leave first, tainted funds "
    "leave only when no clean funds remain, and later clean deposits do not replenish taint",
}


def split_largest_remainder(amount: int, parts: list[tuple[Key, int]]) -> list[tuple[Key, int]]:
    """Split ``amount`` in proportion to ``parts`` (positive ints), summing exactly to it."""
    total = sum(a for _, a in parts)
    if amount >= total:
        return list(parts)
    shares: list[list] = []
    given = 0
    for key, a in parts:
        q, r = divmod(a * amount, total)
        shares.append([key, q, r])
        given += q
    left = amount - given
    if left:
        ranked = sorted(range(len(shares)), key=lambda i: (-shares[i][2], shares[i][0]))
        for i in ranked[:left]:
            shares[i][1] += 1
    return [(key, q) for key, q, _ in shares if q]


class Ledger:
    """Base: a clean-only fast path shared by all methods."""

    __slots__ = ()

    def deposit(self, key: Key, amount: int) -> None:
        raise NotImplementedError

    def withdraw(self, amount: int) -> list[tuple[Key, int]]:
        raise NotImplementedError

    def tainted(self) -> dict[Key, int]:
        """The tainted amounts still in the account, by key."""
        raise NotImplementedError

    def is_clean(self) -> bool:
        """True when no tainted funds remain (the account can go back to a plain balance)."""
        raise NotImplementedError

    def total(self) -> int:
        """Everything the ledger holds, clean and tainted."""
        raise NotImplementedError


class _QueueLedger(Ledger):
    """FIFO or LIFO: an ordered queue of lots; adjacent lots of one key are merged."""

    __slots__ = ("lifo", "lots", "taint")

    def __init__(self, lifo: bool) -> None:
        self.lots: deque[list] = deque()
        self.lifo = lifo
        self.taint = 0

    def deposit(self, key: Key, amount: int) -> None:
        if amount <= 0:
            return
        if key != CLEAN:
            self.taint += amount
        if self.lots and self.lots[-1][0] == key:
            self.lots[-1][1] += amount
        else:
            self.lots.append([key, amount])

    def withdraw(self, amount: int) -> list[tuple[Key, int]]:
        taken: dict[Key, int] = {}
        lots = self.lots
        while amount > 0 and lots:
            lot = lots[-1] if self.lifo else lots[0]
            part = min(lot[1], amount)
            taken[lot[0]] = taken.get(lot[0], 0) + part
            if lot[0] != CLEAN:
                self.taint -= part
            lot[1] -= part
            amount -= part
            if lot[1] == 0:
                if self.lifo:
                    lots.pop()
                else:
                    lots.popleft()
        if amount > 0:
            taken[CLEAN] = taken.get(CLEAN, 0) + amount
        return list(taken.items())

    def tainted(self) -> dict[Key, int]:
        out: dict[Key, int] = {}
        for key, amount in self.lots:
            if key != CLEAN:
                out[key] = out.get(key, 0) + amount
        return out

    def is_clean(self) -> bool:
        return self.taint == 0

    def total(self) -> int:
        return sum(amount for _, amount in self.lots)


class _ProRataLedger(Ledger):
    """Rolling charge: balances by key; each outflow split in proportion."""

    __slots__ = ("held",)

    def __init__(self) -> None:
        self.held: dict[Key, int] = {}

    def deposit(self, key: Key, amount: int) -> None:
        if amount > 0:
            self.held[key] = self.held.get(key, 0) + amount

    def withdraw(self, amount: int) -> list[tuple[Key, int]]:
        held = self.held
        if len(held) == 1 and CLEAN in held:  # clean-only fast path
            have = held[CLEAN]
            if amount < have:
                held[CLEAN] = have - amount
            else:
                del held[CLEAN]
            return [(CLEAN, amount)]
        parts = sorted(held.items())
        total = sum(a for _, a in parts)
        taken = split_largest_remainder(min(amount, total), parts)
        for key, a in taken:
            left = held[key] - a
            if left:
                held[key] = left
            else:
                del held[key]
        if amount > total:
            taken = _add(taken, CLEAN, amount - total)
        return taken

    def tainted(self) -> dict[Key, int]:
        return {k: a for k, a in self.held.items() if k != CLEAN}

    def is_clean(self) -> bool:
        return not self.held or (len(self.held) == 1 and CLEAN in self.held)

    def total(self) -> int:
        return sum(self.held.values())


class _LibrLedger(Ledger):
    """Lowest intermediate balance: clean first; taint (pro rata among sources) only after."""

    __slots__ = ("clean", "taint")

    def __init__(self) -> None:
        self.clean = 0
        self.taint: dict[Key, int] = {}

    def deposit(self, key: Key, amount: int) -> None:
        if amount <= 0:
            return
        if key == CLEAN:
            self.clean += amount
        else:
            self.taint[key] = self.taint.get(key, 0) + amount

    def withdraw(self, amount: int) -> list[tuple[Key, int]]:
        from_clean = min(self.clean, amount)
        self.clean -= from_clean
        rest = amount - from_clean
        taken: list[tuple[Key, int]] = [(CLEAN, from_clean)] if from_clean else []
        if rest and self.taint:
            parts = sorted(self.taint.items())
            total = sum(a for _, a in parts)
            got = split_largest_remainder(min(rest, total), parts)
            for key, a in got:
                left = self.taint[key] - a
                if left:
                    self.taint[key] = left
                else:
                    del self.taint[key]
                rest -= a
            taken.extend(got)
        if rest:
            taken = _add(taken, CLEAN, rest)
        return taken

    def tainted(self) -> dict[Key, int]:
        return dict(self.taint)

    def is_clean(self) -> bool:
        return not self.taint

    def total(self) -> int:
        return self.clean + sum(self.taint.values())


def _add(parts: list[tuple[Key, int]], key: Key, amount: int) -> list[tuple[Key, int]]:
    out = dict(parts)
    out[key] = out.get(key, 0) + amount
    return list(out.items())


def make_ledger(method: str) -> Ledger:
    """A fresh, empty ledger for ``method`` (one of :data:`METHODS`)."""
    if method == "fifo":
        return _QueueLedger(lifo=False)
    if method == "lifo":
        return _QueueLedger(lifo=True)
    if method == "pro_rata":
        return _ProRataLedger()
    if method == "libr":
        return _LibrLedger()
    raise ValueError(f"unknown tracing method {method!r}; choose one of {sorted(METHODS)}")
