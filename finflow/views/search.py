"""Search keys for the views' "Find a node" box: case, accents and account formats ignored.

The page script applies the same folding to what the investigator types (view.js ``fold``):
``Zukauskas`` finds ``Žukauskas``, and ``4202.74.72332``, ``4202 74 72332`` or the IBAN
``NO93 4202 7472 332`` find account ``42027472332``. Letters that Unicode does not decompose
(ø, æ, ł, đ, ß) are mapped by the same small table on both sides.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["FOLD", "digits_of", "search_text"]

#: Letters without a Unicode decomposition, folded the same way in view.js.
FOLD = {"ø": "o", "æ": "ae", "ł": "l", "đ": "d", "ß": "ss", "ð": "d", "þ": "th", "œ": "oe", "ı": "i"}

_COMBINING = re.compile(r"[\u0300-\u036f]")


def search_text(text: str) -> str:
    """Lower case, accents stripped, spacing collapsed."""
    folded = _COMBINING.sub("", unicodedata.normalize("NFD", str(text).lower()))
    folded = "".join(FOLD.get(c, c) for c in folded)
    return " ".join(folded.split())


def digits_of(account_id: str) -> str:
    """The digits of an account number, as an IBAN's domestic part when it is one."""
    compact = re.sub(r"[\s.\-]", "", str(account_id))
    if re.fullmatch(r"[A-Za-z]{2}\d{2}[0-9A-Za-z]+", compact):
        compact = compact[4:]
    return compact if compact.isdigit() else ""
