"""Declarative descriptions of Norwegian bank CSV exports, read by :mod:`.bank_csv`.

No bank documents its export. Each profile records what independent parsers and fixtures agree
on (header, delimiter, amount columns); the engine is tolerant where the evidence is thin
(encoding, date style, number style, pending-row markers are detected per file, not assumed).
Header cells are compared by :func:`header_key`, which also matches headers whose non-ASCII
letters were lost to a wrong code page (``INN P? KONTO``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["CHANNEL_KEYWORDS", "PENDING_WORDS", "PROFILES", "BankProfile", "header_key", "match_profile"]


def header_key(cell: str) -> str:
    """Comparable form of a header cell: lower-case ASCII letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", cell.strip().strip('"').casefold())


@dataclass(frozen=True, slots=True)
class BankProfile:
    """One export layout. Column names are as the bank writes them; ``None`` = not in the export.

    Amounts are either one signed column (``amount``) or two columns (``amount_in`` /
    ``amount_out``), whatever sign the bank puts in them: a value in ``amount_out`` is a debit.
    ``from_account``/``to_account`` carry the payer's/payee's account where the export has them;
    ``from_name``/``to_name`` their names; ``name`` a counterparty name whatever the direction.
    """

    key: str  # short id, e.g. "dnb"
    bank: str  # display name
    signature: tuple[str, ...]  # header cells that must all be present (any order)
    delimiter: str
    date: str
    text: tuple[str, ...]  # joined with " " into the description
    amount: str | None = None
    amount_in: str | None = None
    amount_out: str | None = None
    from_account: str | None = None
    to_account: str | None = None
    from_name: str | None = None
    to_name: str | None = None
    name: str | None = None
    currency: str | None = None
    status: str | None = None  # a column whose value says booked / pending
    time: str | None = None  # a column holding a timestamp with HH:MM
    reference: str | None = None
    channel_text: tuple[str, ...] = ()  # extra columns searched for channel keywords

    def columns(self) -> set[str]:
        """Every column the profile reads (all must exist in a matching header)."""
        named = (
            self.date, self.amount, self.amount_in, self.amount_out, self.from_account,
            self.to_account, self.from_name, self.to_name, self.name, self.currency,
            self.status, self.time, self.reference, *self.text, *self.channel_text,
        )  # fmt: skip
        return {c for c in named if c}


PROFILES: tuple[BankProfile, ...] = (
    BankProfile(
        key="nynorsk_vestland",
        bank="Vestland savings bank (Nynorsk)",
        signature=(
            "Betalingstidspunkt",
            "Bokført dato",
            "Skildring",
            "Frå konto",
            "Til konto",
            "Beløp inn",
            "Beløp ut",
        ),
        delimiter=";",
        date="Bokført dato",
        text=("Skildring", "Melding/KID/Fakt.nr"),
        amount_in="Beløp inn",
        amount_out="Beløp ut",
        from_account="Frå konto",
        to_account="Til konto",
        from_name="Avsendar",
        to_name="Mottakarnamn",
        currency="Valuta",
        status="Status",
        time="Betalingstidspunkt",
        channel_text=("Type", "Undertype"),
    ),
    BankProfile(
        key="dnb",
        bank="DNB",
        signature=("Dato", "Forklaring", "Rentedato", "Ut fra konto", "Inn på konto"),
        delimiter=";",
        date="Dato",
        text=("Forklaring",),
        amount_in="Inn på konto",
        amount_out="Ut fra konto",
    ),
    BankProfile(
        key="dnb",
        bank="DNB",
        signature=("Dato", "Forklaring", "Rentedato", "Uttak fra konto", "Innskudd på konto"),
        delimiter=";",
        date="Dato",
        text=("Forklaring",),
        amount_in="Innskudd på konto",
        amount_out="Uttak fra konto",
    ),
    BankProfile(
        key="sparebank1",
        bank="SpareBank 1",
        signature=("Dato", "Beskrivelse", "Rentedato", "Inn", "Ut", "Til konto", "Fra konto"),
        delimiter=";",
        date="Dato",
        text=("Beskrivelse",),
        amount_in="Inn",
        amount_out="Ut",
        from_account="Fra konto",
        to_account="Til konto",
    ),
    BankProfile(
        key="nordea",
        bank="Nordea",
        signature=("Bokføringsdato", "Beløp", "Avsender", "Mottaker", "Navn", "Tittel", "Valuta"),
        delimiter=";",
        date="Bokføringsdato",
        text=("Tittel",),
        amount="Beløp",
        from_account="Avsender",
        to_account="Mottaker",
        name="Navn",
        currency="Valuta",
        channel_text=("Betalingstype",),
    ),
    BankProfile(
        key="sbanken",
        bank="Sbanken",
        signature=("BOKFØRINGSDATO", "RENTEDATO", "ARKIVREFERANSE", "TYPE", "TEKST", "UT FRA KONTO", "INN PÅ KONTO"),
        delimiter="\t",
        date="BOKFØRINGSDATO",
        text=("TEKST",),
        amount_in="INN PÅ KONTO",
        amount_out="UT FRA KONTO",
        reference="ARKIVREFERANSE",
        channel_text=("TYPE",),
    ),
)

#: Words that, in a date or status column or in the text, mark a row as not booked.
PENDING_WORDS: tuple[str, ...] = (
    "reservert", "reservasjon", "venter", "ikke bokført", "ikkje bokført", "ikke bokfort",
    "under behandling", "planlagt", "pending", "varaus",
)  # fmt: skip

#: Keyword → channel. The keyword found EARLIEST in the text decides (banks start texts with
#: the transaction kind; names later in the text must not override it).
CHANNEL_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("varekjøp", "card"),
    ("varekjop", "card"),
    ("visa", "card"),
    ("bankaxept", "card"),
    ("kortkjøp", "card"),
    ("vipps", "p2p"),
    ("kontantinnskudd", "cash_deposit"),
    ("innskudd automat", "cash_deposit"),
    ("innskot", "cash_deposit"),
    ("minibank", "cash_withdrawal"),
    ("kontantuttak", "cash_withdrawal"),
    ("uttak", "cash_withdrawal"),
    ("lønn", "salary"),
    ("gebyr", "fee"),
    ("utlandsbetaling", "remittance"),
    ("overføring", "transfer"),
    ("overforing", "transfer"),
    ("nettbank", "transfer"),
    ("ovfnettb", "transfer"),
    ("giro", "transfer"),
    ("straksbetaling", "transfer"),
    ("efaktura", "transfer"),
    ("diverse", "other"),
)


def match_profile(header: list[str]) -> BankProfile | None:
    """The first profile whose signature is contained in ``header`` (first listed wins)."""
    keys = {header_key(h) for h in header}
    for profile in PROFILES:
        if all(header_key(c) in keys for c in profile.signature):
            return profile
    return None
