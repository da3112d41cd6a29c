"""Declarative descriptions of Norwegian bank CSV exports, read by :mod:`.bank_csv`.

No bank documents its export. Each profile records what independent parsers and fixtures agree
on (header, delimiter, amount columns); the engine is tolerant where the evidence is thin
(encoding, date style, number style, pending-row markers are detected per file, not assumed).
Header cells are compared by :func:`header_key`, which also matches headers whose non-ASCII
letters were lost to a wrong code page (``INN P? KONTO``).
"""

from __future__ import annotations

from .profile_files import BankProfile, builtin_profiles, header_key

__all__ = ["CHANNEL_KEYWORDS", "PENDING_WORDS", "PROFILES", "BankProfile", "header_key", "match_profile"]


#: The built-in layouts, from the YAML files shipped in ``finflow/importers/profiles/``.
PROFILES: tuple[BankProfile, ...] = builtin_profiles()

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
    ("innbetaling", "transfer"),
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


def match_profile(header: list[str], profiles: tuple[BankProfile, ...] = PROFILES) -> BankProfile | None:
    """The first profile whose signature is contained in ``header`` (first listed wins)."""
    keys = {header_key(h) for h in header}
    for profile in profiles:
        if not profile.headerless and all(header_key(c) in keys for c in profile.signature):
            return profile
    return None
