"""Source and application of funds: where a subject's money came from and where it went.

Every inflow to the subject's accounts gets one source class and every outflow one use, by the
first matching rule of ``funds`` in finflow/data/config.yaml (method: docs/funds.md). Per
currency, never mixed, in integer minor units: the inflow by class, the outflow by use, per
month and in total, and the inflow that ordinary income (``explained_classes``) does not
explain. ``explained + unexplained = inflow`` holds for every currency and every month.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from finflow.analysis import Analysis
from finflow.detect.util import AccountInfo
from finflow.errors import FinflowError
from finflow.money import format_minor
from finflow.normalize import normalize_account

__all__ = [
    "INFLOW_CLASSES",
    "OUTFLOW_USES",
    "FundsResult",
    "SubjectNotFoundError",
    "funds_table",
    "listed_accounts",
    "resolve_subject",
    "source_and_application",
]

INFLOW_CLASSES = (
    "salary_pension", "public_benefits", "lease_rent", "own_accounts", "family", "flagged", "cash_deposit",
    "unknown",
)  # fmt: skip
OUTFLOW_USES = ("living_costs", "rent", "remittance_abroad", "to_flagged", "cash_withdrawal", "own_accounts", "other")

METHOD = (
    "Every credit to the subject's accounts is given the first matching class: from the subject's own "
    "accounts; from an account of a listed suspect or possible victim (flagged); salary or pension "
    "(channel salary or a payroll word); public benefits (a public payer's word); rent under a registered "
    "lease naming the subject as landlord or owner (paid by its tenant, or of exactly its registered rent, "
    "within its dates); cash deposit; family (same surname or registered address); else unknown. "
    "Explained = {explained}; unexplained = inflow - explained, per currency. "
    "Only the periods the case holds statements or transactions for are counted (see finflow coverage)."
)


class SubjectNotFoundError(FinflowError):
    """The subject named on the command line is not in the case (or is ambiguous)."""


@dataclass
class FundsResult:
    """Inflows and outflows of one subject, per currency (see :meth:`to_dict`)."""

    subject: str
    label: str
    accounts: list[str]
    explained_classes: list[str]
    currencies: list[dict[str, Any]] = field(default_factory=list)

    @property
    def method(self) -> str:
        return METHOD.format(explained=" + ".join(self.explained_classes))

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject, "label": self.label, "accounts": self.accounts,
            "explained_classes": self.explained_classes, "method": self.method, "currencies": self.currencies,
        }  # fmt: skip

    def unexplained_share(self, currency: str) -> float:
        for entry in self.currencies:
            if entry["currency"] == currency:
                return entry["unexplained_share"]
        return 0.0


def _words(words: Iterable[str]) -> re.Pattern[str] | None:
    words = [w for w in words if w]
    if not words:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w.casefold()) for w in words) + r")(?!\w)")


def _matches(pattern: re.Pattern[str] | None, texts: pd.Series) -> np.ndarray:
    if pattern is None:
        return np.zeros(len(texts), dtype=bool)
    return texts.str.contains(pattern, regex=True).fillna(False).to_numpy(dtype=bool)


def resolve_subject(analysis: Analysis, subject: str) -> tuple[str, str, list[str]]:
    """(subject id, label, accounts) for an account number, a party id or a holder's exact name."""
    info = AccountInfo(analysis.data)
    known = set(info.frame.index.astype(str))
    text = subject.strip()
    account = normalize_account(text).account_id if text else ""
    if account in known:
        return account, info.label(account) or account, [account]
    if text in set(analysis.data.parties["party_id"].astype(str)):
        accounts = info.accounts_of(text)
        if not accounts:
            raise SubjectNotFoundError(f"party {text} holds no account in the case")
        names = analysis.data.parties.loc[analysis.data.parties["party_id"] == text, "name"].dropna()
        return text, str(names.iloc[0]) if len(names) else text, accounts
    folded = text.casefold()
    held = [a for a in sorted(known) if (info.label(a) or "").casefold() == folded]
    parties = {info.party.get(a) for a in held}
    if held and len(parties) == 1:
        party = next(iter(parties))
        accounts = info.accounts_of(party) if party else held
        return party or held[0], info.label(held[0]) or text, accounts or held
    if held:
        raise SubjectNotFoundError(
            f"{text!r} names {len(held)} accounts of different holders ({', '.join(held[:5])}); give an account"
        )
    raise SubjectNotFoundError(f"{text!r} is no account, party id or holder name in the case")


def _family(analysis: Analysis, accounts: list[str], config: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(surnames, party ids at the subject's residence addresses) of the subject's holders."""
    info = AccountInfo(analysis.data)
    surnames, parties = set(), set()
    own_parties = {info.party.get(a) for a in accounts} - {None}
    if config.get("family_by_surname", True):
        for account in accounts:
            name = info.label(account)
            if name and info.is_person(account) and len(name.split()) > 1:
                surnames.add(name.split()[-1].casefold())
    if config.get("family_by_address", True) and own_parties:
        links = analysis.data.party_addresses
        residence = links[(links["kind"].astype("string") == "residence").fillna(False)]
        homes = set(residence.loc[residence["party_id"].isin(own_parties), "address_id"])
        parties = set(residence.loc[residence["address_id"].isin(homes), "party_id"].astype(str)) - own_parties
    return surnames, parties


def _landlords(analysis: Analysis) -> set[str]:
    leases = analysis.data.leases
    return set(leases["landlord_party_id"].dropna().astype(str)) | set(leases["owner_party_id"].dropna().astype(str))


def _tenants(analysis: Analysis, own_parties: set[str]) -> pd.DataFrame:
    """Leases whose landlord or owner is one of ``own_parties``: tenant party and lease dates."""
    leases = analysis.data.leases
    mine = leases["landlord_party_id"].isin(own_parties) | leases["owner_party_id"].isin(own_parties)
    columns = ["tenant_party_id", "rent_minor", "currency", "start_date", "end_date"]
    return leases.loc[mine.fillna(False).to_numpy(dtype=bool), columns]


def _lease_rent(analysis: Analysis, own_parties: set[str], cp_party: pd.Series, frame: pd.DataFrame) -> np.ndarray:
    """Credits within the dates of a registered lease of the subject's, paid by its tenant or of
    exactly its registered rent (rent a relative or an employer pays for the tenant)."""
    out = np.zeros(len(cp_party), dtype=bool)
    leases = _tenants(analysis, own_parties)
    if leases.empty:
        return out
    when = pd.to_datetime(frame["booking_date"]).to_numpy()
    amount = frame["amount_minor"].to_numpy(dtype="int64")
    currency = frame["currency"].astype("string").to_numpy(dtype=object)
    for tenant, rent, rent_ccy, start, end in leases.itertuples(index=False, name=None):
        hit = (cp_party == tenant).to_numpy(dtype=bool, copy=True)
        if pd.notna(rent) and pd.notna(rent_ccy):
            hit |= (amount == int(rent)) & (currency == str(rent_ccy))
        if pd.notna(start):
            hit &= when >= pd.Timestamp(start).to_datetime64()
        if pd.notna(end):
            hit &= when <= pd.Timestamp(end).to_datetime64()
        out |= hit
    return out


def listed_accounts(analysis: Analysis) -> set[str]:
    """Accounts of the subjects listed as suspects or possible victims: "flagged" for the funds.

    Not every account a finding names: a landlord, a client or a transfer office a finding names
    as its counterparty is context, and money from or to it says nothing about the subject (a
    salaried tenant who pays a landlord a suspect also pays is not spending on the ring)."""
    return set(analysis.roles)


def _classify(analysis: Analysis, accounts: list[str], config: dict[str, Any]) -> pd.DataFrame:
    """The subject's transactions, one row each, with direction, counterparty, class or use."""
    tx = analysis.data.transactions
    mine = set(accounts)
    into = tx["to_account"].isin(mine).fillna(False).to_numpy(dtype=bool)
    out_of = tx["from_account"].isin(mine).fillna(False).to_numpy(dtype=bool)
    own_both = into & out_of
    frame = tx[into | out_of].copy()
    credit = into[into | out_of]
    frame["direction"] = np.where(credit, "in", "out")
    cp = frame["from_account"].where(credit, frame["to_account"]).astype("string")
    cp_name = frame["from_name"].where(credit, frame["to_name"]).astype("string")
    info = AccountInfo(analysis.data)
    cp_label = pd.Series([info.label(a) if isinstance(a, str) else None for a in cp], index=frame.index, dtype="string")
    cp_name = cp_name.fillna(cp_label)
    texts = (frame["description"].astype("string").fillna("") + " " + cp_name.fillna("")).str.casefold()
    channel = frame["channel"].astype("string").fillna("")
    own_parties = {info.party.get(a) for a in accounts} - {None}
    cp_party = pd.Series([info.party.get(a) if isinstance(a, str) else None for a in cp], index=frame.index)
    own = (own_both[into | out_of]) | cp.isin(mine).fillna(False).to_numpy(dtype=bool)
    own |= cp_party.isin(own_parties).to_numpy(dtype=bool) & cp_party.notna().to_numpy(dtype=bool)
    flagged = cp.isin(listed_accounts(analysis) - mine).fillna(False).to_numpy(dtype=bool)
    salary = (channel == "salary").to_numpy(dtype=bool) | _matches(_words(config.get("salary_words", [])), texts)
    benefits = _matches(_words(config.get("benefit_words", [])), texts)
    surnames, relatives = _family(analysis, accounts, config)
    surname_of = cp_name.fillna("").str.split().str[-1].astype("string").fillna("").str.casefold()
    person = pd.Series([info.is_person(a) if isinstance(a, str) else False for a in cp], index=frame.index)
    family = (surname_of.isin(surnames).to_numpy(dtype=bool) & person.to_numpy(dtype=bool)) | cp_party.isin(
        relatives
    ).to_numpy(dtype=bool)
    no_cp = cp.isna().to_numpy()
    lease_rent = _lease_rent(analysis, own_parties, cp_party, frame)
    cash_in = (channel == "cash_deposit").to_numpy(dtype=bool) | no_cp
    inflow = np.select(
        [own, flagged, salary, benefits, lease_rent & credit, cash_in, family],
        ["own_accounts", "flagged", "salary_pension", "public_benefits", "lease_rent", "cash_deposit", "family"],
        default="unknown",
    )
    home = config.get("home_country", "NO")
    if not isinstance(home, str):  # YAML reads an unquoted NO as false
        raise FinflowError('funds.home_country: give the country code in quotes, e.g. "NO"')
    transfer_abroad = (frame["to_country"].astype("string").fillna(home) != home).to_numpy(dtype=bool)
    abroad = (channel == "remittance").to_numpy(dtype=bool) | (transfer_abroad & (channel != "card").to_numpy(bool))
    rent = _matches(_words(config.get("rent_words", [])), texts) | cp_party.isin(_landlords(analysis)).to_numpy(bool)
    living = channel.isin(list(config.get("living_channels", []))).to_numpy(dtype=bool) | _matches(
        _words(config.get("living_words", [])), texts
    )
    outflow = np.select(
        [own, flagged, (channel == "cash_withdrawal").to_numpy(dtype=bool) | no_cp, abroad, rent, living],
        ["own_accounts", "to_flagged", "cash_withdrawal", "remittance_abroad", "rent", "living_costs"],
        default="other",
    )
    frame["class"] = np.where(credit, inflow, outflow)
    frame["counterparty"] = cp
    frame["month"] = pd.to_datetime(frame["booking_date"]).dt.strftime("%Y-%m")
    return frame


def _sums(rows: pd.DataFrame, names: Iterable[str]) -> dict[str, int]:
    totals = rows.groupby("class")["amount_minor"].sum() if len(rows) else pd.Series(dtype="int64")
    return {name: int(totals.get(name, 0)) for name in names}


def _figures(rows: pd.DataFrame, explained: list[str]) -> dict[str, Any]:
    ins, outs = rows[rows["direction"] == "in"], rows[rows["direction"] == "out"]
    by_class = _sums(ins, INFLOW_CLASSES)
    inflow = int(ins["amount_minor"].sum())
    explained_minor = sum(by_class[c] for c in explained if c in by_class)
    return {
        "inflow_minor": inflow, "explained_minor": explained_minor, "unexplained_minor": inflow - explained_minor,
        "unexplained_share": round((inflow - explained_minor) / inflow, 4) if inflow else 0.0,
        "inflow_by_class": by_class, "outflow_minor": int(outs["amount_minor"].sum()),
        "outflow_by_use": _sums(outs, OUTFLOW_USES),
    }  # fmt: skip


def source_and_application(analysis: Analysis, subject: str, config: dict[str, Any] | None = None) -> FundsResult:
    """Funds of ``subject`` (an account number, party id or holder name) in the analysed case."""
    settings = (config if config is not None else analysis.config).get("funds", {})
    subject_id, label, accounts = resolve_subject(analysis, subject)
    explained = [c for c in settings.get("explained_classes", []) if c in INFLOW_CLASSES]
    rows = _classify(analysis, accounts, settings)
    result = FundsResult(subject_id, label, accounts, explained)
    for currency, group in rows.groupby(rows["currency"].astype(str), sort=True):
        entry = {"currency": currency, **_figures(group, explained)}
        entry["months"] = [
            {"month": month, **_figures(part, explained)} for month, part in group.groupby("month", sort=True)
        ]
        result.currencies.append(entry)
    return result


def funds_table(result: FundsResult) -> str:
    """The result as plain text: totals per currency, then each class and use, then per month."""
    lines = [f"Source and application of funds: {result.label} ({result.subject})",
             f"accounts: {', '.join(result.accounts)}"]  # fmt: skip
    if not result.currencies:
        lines.append("no transactions touch these accounts in the case")
    for entry in result.currencies:
        ccy = entry["currency"]

        def money(value: int, ccy: str = ccy) -> str:
            return format_minor(value, ccy)

        lines.append("")
        lines.append(
            f"{ccy}: inflow {money(entry['inflow_minor'])} = explained {money(entry['explained_minor'])} + "
            f"unexplained {money(entry['unexplained_minor'])} ({entry['unexplained_share']:.0%} unexplained)"
        )
        lines.append("  inflow by source:")
        lines += [f"    {name:<18} {money(value):>20}" for name, value in entry["inflow_by_class"].items() if value]
        lines.append(f"  outflow {money(entry['outflow_minor'])} by use:")
        lines += [f"    {name:<18} {money(value):>20}" for name, value in entry["outflow_by_use"].items() if value]
        lines.append("  per month:   inflow   explained   unexplained   outflow")
        for month in entry["months"]:
            lines.append(
                f"    {month['month']}  {money(month['inflow_minor'])}  {money(month['explained_minor'])}  "
                f"{money(month['unexplained_minor'])}  {money(month['outflow_minor'])}"
            )
    lines += ["", f"method: {result.method}"]
    return "\n".join(lines)
