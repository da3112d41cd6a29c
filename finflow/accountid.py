"""An account or holder as an investigator writes it: one resolver for ``account`` and ``trace``.

Accepted, in this order (the first form that matches wins):

1. an account id exactly as the case stores it, or a party id;
2. an account number in any notation — ``4202.74.72332``, ``4202 74 72332``, ``NO93 4202 7472 332``
   (an IBAN) — normalised as on import (:func:`finflow.normalize.normalize_account`);
3. a holder's name, compared without case, accents or punctuation (``zukauskas`` finds
   ``Žukauskas``) — the whole name, or a prefix of it or of one of its words;
4. an unambiguous prefix of an account number (separators ignored) or of a party id.

Several candidates for one text is an error that lists them, never a guess.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import pandas as pd

from finflow.casedata import CaseData
from finflow.errors import FinflowError
from finflow.flowindex import flow_index
from finflow.normalize import normalize_account, normalize_name

__all__ = ["AccountRef", "AmbiguousIdError", "UnknownIdError", "fold", "resolve_id"]

_LISTED = 8


class UnknownIdError(FinflowError, ValueError):
    """No account, party or holder of the case matches the text."""


class AmbiguousIdError(FinflowError, ValueError):
    """Several accounts or holders match the text; the message lists them."""


@dataclass(frozen=True)
class AccountRef:
    """What an id resolved to: one account, or one party with the accounts it holds."""

    kind: str  # "account" | "party"
    id: str
    accounts: tuple[str, ...]
    label: str
    matched: str  # how the text matched: "id", "account number", "name", "prefix"


def fold(text: str | None) -> str:
    """Text for matching names: no case, no accents, no punctuation, single spaces."""
    decomposed = unicodedata.normalize("NFKD", normalize_name(text or ""))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _compact(text: str) -> str:
    return "".join(c for c in text if c not in " .-").upper()


def _holders(data: CaseData) -> pd.DataFrame:
    """One row per account: account_id, party (holder party or ``""``), label (the holder's name, else
    the first name an extract gives for the account, else ``""``)."""
    index = flow_index(data)
    return index.memo(("account holders",), lambda: _holder_table(index.accounts))


def _holder_table(table: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": table["account_id"].astype(str).to_numpy(),
            "party": table["holder_party_id"].fillna("").astype(str).to_numpy(),
            "label": table["holder_name"].fillna(table["name_seen"]).fillna("").astype(str).to_numpy(),
        }
    )


def _ref_for_accounts(holders: pd.DataFrame, mask: pd.Series, matched: str, text: str) -> AccountRef:
    """One party (all its accounts) or one account from the matching rows, else an ambiguity error."""
    rows = holders[mask]
    parties = sorted(set(rows["party"]) - {""})
    unheld = rows[rows["party"] == ""]
    if len(parties) == 1 and unheld.empty:
        party = parties[0]
        accounts = tuple(sorted(holders.loc[holders["party"] == party, "account_id"]))
        label = next((lab for lab in rows["label"] if lab), party)
        return AccountRef("party", party, accounts, label, matched)
    if not parties and len(unheld) == 1:
        account, label = unheld["account_id"].iloc[0], unheld["label"].iloc[0]
        return AccountRef("account", account, (account,), label or account, matched)
    held = rows[rows["party"] != ""].drop_duplicates("party")
    candidates = [f"{lab or '?'} (party {p})" for p, lab in zip(held["party"], held["label"], strict=True)]
    candidates += [f"{lab or '?'} (account {a})" for a, lab in zip(unheld["account_id"], unheld["label"], strict=True)]
    _ambiguous(text, matched, candidates)
    raise AssertionError("unreachable")


def _ambiguous(text: str, matched: str, candidates: list[str]) -> None:
    shown = "; ".join(sorted(candidates)[:_LISTED])
    more = f"; and {len(candidates) - _LISTED} more" if len(candidates) > _LISTED else ""
    raise AmbiguousIdError(f"{text!r} matches {len(candidates)} by {matched}: {shown}{more}; give more of it")


def resolve_id(data: CaseData, text: str) -> AccountRef:
    """The account or party ``text`` names in this case (see the module docstring for the forms)."""
    given = str(text).strip()
    if not given:
        raise UnknownIdError("empty id: give an account number, IBAN, party id or holder name")
    holders = _holders(data)
    ids = holders["account_id"]
    if (ids == given).any():
        return _account(holders, given, "id")
    if (holders["party"] == given).any() or _is_party(data, given):
        return _party(data, holders, given, "id")
    normal = normalize_account(given).account_id
    if normal != given and (ids == normal).any():
        return _account(holders, normal, "account number")

    folded = fold(given)
    if folded:
        names = holders["label"].map(fold)
        exact = names == folded
        if exact.any():
            return _ref_for_accounts(holders, exact, "name", given)
        party_names = _party_names(data)
        hit = party_names[party_names == folded]
        if len(hit) == 1:
            return _party(data, holders, hit.index[0], "name")
        words = names.map(lambda n: n.split())
        partial = names.str.startswith(folded) | words.map(lambda ws: any(w.startswith(folded) for w in ws))
        if partial.any():
            return _ref_for_accounts(holders, partial, "name", given)

    compact = _compact(given)
    if compact:
        by_number = ids.map(_compact).str.startswith(compact)
        parties = sorted({p for p in holders["party"] if p and p.upper().startswith(given.upper())})
        if by_number.sum() == 1 and not parties:
            return _account(holders, ids[by_number].iloc[0], "prefix")
        if parties and not by_number.any() and len(parties) == 1:
            return _party(data, holders, parties[0], "prefix")
        if by_number.any() or parties:
            candidates = [f"account {a}" for a in ids[by_number]] + [f"party {p}" for p in parties]
            _ambiguous(given, "prefix", candidates)
    raise UnknownIdError(
        f"{given!r} is neither an account nor a party of this case "
        "(tried account id and number in any notation, IBAN, party id, holder name, prefix)"
    )


def _account(holders: pd.DataFrame, account_id: str, matched: str) -> AccountRef:
    row = holders[holders["account_id"] == account_id].iloc[0]
    return AccountRef("account", account_id, (account_id,), row["label"] or account_id, matched)


def _is_party(data: CaseData, party_id: str) -> bool:
    return bool((data.parties["party_id"].astype("string") == party_id).any())


def _party_names(data: CaseData) -> pd.Series:
    parties = data.parties.dropna(subset=["name"]).drop_duplicates("party_id")
    return pd.Series(
        [fold(n) for n in parties["name"].astype(str)], index=parties["party_id"].astype(str).to_numpy(), dtype=object
    )


def _party(data: CaseData, holders: pd.DataFrame, party_id: str, matched: str) -> AccountRef:
    accounts = tuple(sorted(holders.loc[holders["party"] == party_id, "account_id"]))
    if not accounts:
        raise UnknownIdError(f"{party_id!r} is a party of this case but holds no account in it")
    names = flow_index(data).lookups.party_name
    label = str(names.get(party_id, "")) or next((lab for lab in holders.loc[holders["party"] == party_id, "label"]
                                                  if lab), party_id)  # fmt: skip
    return AccountRef("party", party_id, accounts, label, matched)
