"""The synthetic world: people, companies, addresses and accounts, held column-wise.

Scenario and background code add entities here and refer to them by index; the writers turn the
columns into the register, KYC and Brønnøysund extracts. Everything is drawn from the one
generator passed in, so the same seed builds the same world.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from finflow.synth.numbers import NumberPool, person_numbers
from finflow.synth.refdata import (
    BANKS,
    FOREIGN_NAMES,
    NO_FIRST_F,
    NO_FIRST_M,
    NO_LAST,
    PLACES,
    STREETS,
)

__all__ = ["Role", "World"]

#: A company role: (code, person index) — codes DAGL, LEDE, MEDL, INNH.
Role = tuple[str, int]


def _female_form(surname: str, nationality: str) -> str:
    """Surnames that change with gender (Bulgarian -ov/-ev, Polish -ski/-cki)."""
    if nationality == "BG" and surname.endswith(("ov", "ev")):
        return surname + "a"
    if nationality == "PL" and surname.endswith(("ski", "cki")):
        return surname[:-1] + "a"
    return surname


@dataclass
class World:
    """Entities by index. Accounts point at persons, companies or foreign holders."""

    rng: np.random.Generator
    start: date
    end: date
    pool: NumberPool = field(init=False)
    # addresses
    addr_street: list[str] = field(default_factory=list)
    addr_place: list[int] = field(default_factory=list)
    # persons
    p_first: list[str] = field(default_factory=list)
    p_last: list[str] = field(default_factory=list)
    p_sex: list[str] = field(default_factory=list)
    p_birth: list[date] = field(default_factory=list)
    p_nat: list[str] = field(default_factory=list)
    p_idnr: list[str] = field(default_factory=list)
    p_phone: list[str] = field(default_factory=list)
    p_homes: list[list[tuple[int, date, date | None]]] = field(default_factory=list)
    p_register: list[bool] = field(default_factory=list)
    p_account: list[int] = field(default_factory=list)
    # companies
    c_name: list[str] = field(default_factory=list)
    c_orgnr: list[str] = field(default_factory=list)
    c_form: list[str] = field(default_factory=list)
    c_nace: list[str] = field(default_factory=list)
    c_employees: list[int | None] = field(default_factory=list)
    c_founded: list[date] = field(default_factory=list)
    c_addr: list[int] = field(default_factory=list)
    c_roles: list[list[Role]] = field(default_factory=list)
    c_account: list[int] = field(default_factory=list)
    c_country: list[str] = field(default_factory=list)
    # foreign holders (beneficiaries abroad, foreign merchants)
    f_name: list[str] = field(default_factory=list)
    f_country: list[str] = field(default_factory=list)
    # accounts
    a_number: list[str] = field(default_factory=list)
    a_kind: list[str] = field(default_factory=list)  # person | company | foreign
    a_holder: list[int] = field(default_factory=list)
    a_bank: list[str] = field(default_factory=list)
    a_opened: list[date | None] = field(default_factory=list)
    # leases: (premises address, owner, landlord, tenant, rent øre, start, end); parties are
    # ("p", person) or ("c", company)
    leases: list[tuple[int, tuple[str, int], tuple[str, int], tuple[str, int], int, date, date | None]] = field(
        default_factory=list
    )

    def __post_init__(self) -> None:
        self.pool = NumberPool(self.rng)

    # ---- addresses -------------------------------------------------------------------------
    def add_addresses(self, n: int, place: int | None = None) -> list[int]:
        """``n`` new street addresses (in ``place`` when given, else anywhere)."""
        places = np.full(n, place) if place is not None else self.rng.integers(0, len(PLACES), n)
        streets = self.rng.integers(0, len(STREETS), n)
        numbers = self.rng.integers(1, 120, n)
        letters = self.rng.random(n)
        first = len(self.addr_street)
        for s, num, let, pl in zip(streets.tolist(), numbers.tolist(), letters.tolist(), places.tolist(), strict=True):
            suffix = "B" if let < 0.1 else ("A" if let < 0.2 else "")
            self.addr_street.append(f"{STREETS[s]} {num}{suffix}")
            self.addr_place.append(int(pl))
        return list(range(first, first + n))

    def address_text(self, addr: int) -> str:
        postcode, city, _, _ = PLACES[self.addr_place[addr]]
        return f"{self.addr_street[addr]}, {postcode} {city}"

    # ---- persons ---------------------------------------------------------------------------
    def add_persons(
        self,
        n: int,
        nationality: str | list[str] = "NO",
        sex: str | None = None,
        age: tuple[int, int] = (18, 80),
        homes: list[int] | int | None = None,
        home_from: date | None = None,
        register: bool = True,
        surname: str | None = None,
    ) -> list[int]:
        """Add ``n`` persons with names, birth dates, person numbers, phones and a home."""
        rng = self.rng
        nats = [nationality] * n if isinstance(nationality, str) else list(nationality)
        sexes = [sex] * n if sex else ["F" if x else "M" for x in (rng.random(n) < 0.5).tolist()]
        ages_days = rng.integers(age[0] * 365 + 30, age[1] * 365 + 300, n)
        births = [self.end - timedelta(days=int(d)) for d in ages_days.tolist()]
        if homes is None:
            home_list = self.add_addresses(n)
        elif isinstance(homes, int):
            home_list = [homes] * n
        else:
            home_list = list(homes)
        draws = rng.random((n, 4))
        idnrs = person_numbers(rng, births, np.array([x != "NO" for x in nats]))
        phones = rng.integers(0, 10_000_000, n)
        first = len(self.p_first)
        for i in range(n):
            nat = nats[i]
            if nat == "NO" or nat not in FOREIGN_NAMES:
                f_names = NO_FIRST_F if sexes[i] == "F" else NO_FIRST_M
                l_names = NO_LAST
            else:
                fem, mal, l_names = FOREIGN_NAMES[nat]
                f_names = fem if sexes[i] == "F" else mal
            self.p_first.append(f_names[int(draws[i, 0] * len(f_names))])
            last = surname or l_names[int(draws[i, 1] * len(l_names))]
            self.p_last.append(_female_form(last, nat) if sexes[i] == "F" else last)
            self.p_sex.append(sexes[i])
            self.p_birth.append(births[i])
            self.p_nat.append(nat)
            self.p_idnr.append(idnrs[i])
            lead = "9" if draws[i, 2] < 0.5 else "4"
            digits = f"{lead}{int(phones[i]):07d}"
            self.p_phone.append(f"+47 {digits[:3]} {digits[3:5]} {digits[5:]}")
            moved_in = home_from or (self.start - timedelta(days=int(30 + draws[i, 3] * 3000)))
            self.p_homes.append([(home_list[i], moved_in, None)])
            self.p_register.append(register)
            self.p_account.append(-1)
        return list(range(first, first + n))

    def person_name(self, p: int) -> str:
        return f"{self.p_first[p]} {self.p_last[p]}"

    def move(self, p: int, new_home: int, when: date) -> None:
        """Record that person ``p`` moved to ``new_home`` on ``when``."""
        addr, since, _ = self.p_homes[p][-1]
        when = max(when, since + timedelta(days=1))  # a register period never ends before it starts
        self.p_homes[p][-1] = (addr, since, when - timedelta(days=1))
        self.p_homes[p].append((new_home, when, None))

    # ---- companies -------------------------------------------------------------------------
    def add_company(
        self,
        name: str,
        form: str,
        nace: str,
        employees: int | None,
        founded: date,
        addr: int | None = None,
        roles: list[Role] | None = None,
        country: str = "NO",
        orgnr: str | None = None,
    ) -> int:
        """Add one company; returns its index."""
        self.c_name.append(name)
        self.c_orgnr.append(orgnr or self.pool.orgnr(1)[0])
        self.c_form.append(form)
        self.c_nace.append(nace)
        self.c_employees.append(employees)
        self.c_founded.append(founded)
        self.c_addr.append(addr if addr is not None else self.add_addresses(1)[0])
        self.c_roles.append(list(roles or []))
        self.c_account.append(-1)
        self.c_country.append(country)
        return len(self.c_name) - 1

    # ---- accounts --------------------------------------------------------------------------
    def _append_account(self, number: str, kind: str, holder: int, bank: str, opened: date | None):
        self.a_number.append(number)
        self.a_kind.append(kind)
        self.a_holder.append(holder)
        self.a_bank.append(bank)
        self.a_opened.append(opened)
        return len(self.a_number) - 1

    def open_accounts(
        self, kind: str, holders: list[int], opened: date | None = None, bank: int | None = None
    ) -> list[int]:
        """Open one Norwegian account per holder (``kind`` person or company)."""
        n = len(holders)
        if bank is None:
            numbers, banks = self.pool.kontonr_bulk(n, [b[0] for b in BANKS])
        else:
            numbers = self.pool.kontonr(np.array([BANKS[bank][0]] * n))
            banks = [bank] * n
        ages = self.rng.integers(60, 6000, n)
        out = []
        for i, holder in enumerate(holders):
            when = opened or (self.start - timedelta(days=int(ages[i])))
            acc = self._append_account(numbers[i], kind, holder, BANKS[banks[i]][1], when)
            owner = self.p_account if kind == "person" else self.c_account
            if owner[holder] < 0:
                owner[holder] = acc
            out.append(acc)
        return out

    def add_foreign_account(self, name: str, country: str) -> int:
        """An account abroad (valid IBAN) held by a named foreign party."""
        self.f_name.append(name)
        self.f_country.append(country)
        number = self.pool.iban(country)
        return self._append_account(number, "foreign", len(self.f_name) - 1, "", None)

    def account_name(self, acc: int) -> str:
        kind, holder = self.a_kind[acc], self.a_holder[acc]
        if kind == "person":
            return self.person_name(holder)
        if kind == "company":
            return self.c_name[holder]
        return self.f_name[holder]

    def account_country(self, acc: int) -> str:
        kind, holder = self.a_kind[acc], self.a_holder[acc]
        if kind == "foreign":
            return self.f_country[holder]
        if kind == "company":
            return self.c_country[holder]
        return "NO"

    def add_lease(
        self,
        premises: int,
        owner: tuple[str, int],
        landlord: tuple[str, int],
        tenant: tuple[str, int],
        rent_ore: int,
        start: date,
        end: date | None = None,
    ) -> None:
        self.leases.append((premises, owner, landlord, tenant, rent_ore, start, end))
