"""Valid-by-construction identifiers: account numbers, IBANs, organisation and person numbers.

Every number is drawn at random and given its correct check digit(s) (MOD11 for Norwegian
account, organisation and person numbers, ISO 7064 mod 97 for IBANs), so importers see numbers
that pass validation exactly like real ones. Draws are vectorised and never repeat a number
already handed out.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from finflow.synth.refdata import IBAN_COUNTRIES

__all__ = ["NumberPool", "iban_check_digits", "mod11_check", "person_numbers"]

_KONTO_W = np.array([5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
_ORG_W = np.array([3, 2, 7, 6, 5, 4, 3, 2])
_FNR_W1 = np.array([3, 7, 6, 1, 8, 9, 4, 5, 2])
_FNR_W2 = np.array([5, 4, 3, 2, 7, 6, 5, 4, 3, 2])


def mod11_check(digits: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """MOD11 check digit per row of ``digits`` (10 where no valid digit exists)."""
    remainder = (digits * weights).sum(axis=1) % 11
    return np.where(remainder == 0, 0, 11 - remainder)


def _join(digits: np.ndarray) -> list[str]:
    return ["".join(map(str, row)) for row in digits.tolist()]


def iban_check_digits(country: str, bban: str) -> str:
    """The two ISO 13616 check digits for ``country`` + ``bban``."""
    rearranged = bban + country + "00"
    numeric = "".join(str(int(ch, 36)) for ch in rearranged)
    return f"{98 - int(numeric) % 97:02d}"


class NumberPool:
    """Hands out unique account numbers, organisation numbers and IBANs from one generator."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self._used: set[str] = set()

    def _unique(self, candidates: list[str], n: int) -> list[str]:
        out: list[str] = []
        for value in candidates:
            if value not in self._used:
                self._used.add(value)
                out.append(value)
                if len(out) == n:
                    break
        return out

    def kontonr(self, prefixes: np.ndarray) -> list[str]:
        """One valid 11-digit account number per 4-digit bank prefix in ``prefixes``."""
        out: list[str] = []
        for prefix in prefixes.tolist():
            while True:
                body = self.rng.integers(0, 10, size=(8, 6))
                head = np.array([int(c) for c in prefix])
                digits = np.hstack([np.tile(head, (8, 1)), body])
                check = mod11_check(digits, _KONTO_W)
                ok = check < 10
                got = self._unique(_join(np.hstack([digits[ok], check[ok, None]])), 1)
                if got:
                    out.extend(got)
                    break
        return out

    def kontonr_bulk(self, n: int, prefixes: list[str]) -> tuple[list[str], list[int]]:
        """``n`` valid account numbers with random banks; returns numbers and bank indexes."""
        numbers: list[str] = []
        banks: list[int] = []
        heads = np.array([[int(c) for c in p] for p in prefixes])
        while len(numbers) < n:
            m = int((n - len(numbers)) * 1.2) + 16
            bank = self.rng.integers(0, len(prefixes), size=m)
            digits = np.hstack([heads[bank], self.rng.integers(0, 10, size=(m, 6))])
            check = mod11_check(digits, _KONTO_W)
            ok = check < 10
            texts = _join(np.hstack([digits[ok], check[ok, None]]))
            for text, b in zip(texts, bank[ok].tolist(), strict=True):
                if text not in self._used and len(numbers) < n:
                    self._used.add(text)
                    numbers.append(text)
                    banks.append(b)
        return numbers, banks

    def orgnr(self, n: int) -> list[str]:
        """``n`` valid 9-digit organisation numbers (starting 8 or 9, like real ones)."""
        out: list[str] = []
        while len(out) < n:
            m = (n - len(out)) * 2 + 8
            digits = np.hstack([self.rng.integers(8, 10, size=(m, 1)), self.rng.integers(0, 10, size=(m, 7))])
            check = mod11_check(digits, _ORG_W)
            ok = check < 10
            out.extend(self._unique(_join(np.hstack([digits[ok], check[ok, None]])), n - len(out)))
        return out

    def iban(self, country: str) -> str:
        """A valid IBAN for ``country`` (one of :data:`IBAN_COUNTRIES`)."""
        while True:
            parts = []
            for kind, count in IBAN_COUNTRIES[country]:
                if kind == "a":
                    parts.append("".join(chr(65 + int(x)) for x in self.rng.integers(0, 26, count)))
                else:
                    parts.append("".join(str(int(x)) for x in self.rng.integers(0, 10, count)))
            bban = "".join(parts)
            value = f"{country}{iban_check_digits(country, bban)}{bban}"
            if self._unique([value], 1):
                return value


def person_numbers(rng: np.random.Generator, births: list[date], d_number: np.ndarray) -> list[str]:
    """Valid 11-digit fødselsnummer (or D-number where ``d_number``) for the birth dates."""
    n = len(births)
    if n == 0:
        return []
    day = np.array([b.day for b in births]) + np.where(d_number, 40, 0)
    month = np.array([b.month for b in births])
    year = np.array([b.year for b in births])
    lo = np.where(year >= 2000, 500, 0)
    base = np.stack([day // 10, day % 10, month // 10, month % 10, (year % 100) // 10, year % 10], axis=1)
    result = np.zeros((n, 11), dtype=np.int64)
    todo = np.ones(n, dtype=bool)
    while todo.any():
        idx = np.flatnonzero(todo)
        individual = lo[idx] + rng.integers(0, 500, size=idx.size)
        ind_digits = np.stack([individual // 100, (individual // 10) % 10, individual % 10], axis=1)
        nine = np.hstack([base[idx], ind_digits])
        k1 = mod11_check(nine, _FNR_W1)
        ten = np.hstack([nine, np.minimum(k1, 9)[:, None]])
        k2 = mod11_check(ten, _FNR_W2)
        ok = (k1 < 10) & (k2 < 10)
        result[idx[ok]] = np.hstack([ten[ok], k2[ok, None]])
        todo[idx[ok]] = False
    return _join(result)
