"""Rent and premises (catalogue §1.2, Operation Husløs): who pays for which flats.

B1: one payer paying rent for several premises at once (FinCEN FIN-2014-A008 "payment for
housing, lodging"; FIN-2020-A008 "facilitators rented the houses, apartments, and hotels").
A premises is a lease the payment matches (landlord's account and the lease's rent) or, without
lease records, a recurring rent-like payment (text ``husleie|leie|depositum``) to one recipient
of one amount. Premises networks link those payers through shared landlords and addresses;
third-party rent flags rent paid by someone who is not the tenant on the lease.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from finflow.casedata import CaseData
from finflow.detect.base import Detector, Finding, Subject
from finflow.detect.common import money_total, surname
from finflow.detect.util import (
    AccountInfo,
    account_info,
    account_subject,
    evidence,
    light_transactions,
    month_index,
    party_subject,
    text_matches,
)
from finflow.normalize import normalize_name

__all__ = ["PREMISES_NETWORK", "RENT_SEVERAL_PREMISES", "THIRD_PARTY_RENT", "rent_payments"]


def rent_payments(data: CaseData, info: AccountInfo, params: Mapping[str, Any]) -> pd.DataFrame:
    """Rent-like debits with a premises key: the lease address when matched, else recipient+amount."""
    tx = light_transactions(data)
    pay = tx[tx["from_account"].notna() & tx["to_account"].notna()]
    pay = pay[pay["amount_minor"].to_numpy() >= params["min_rent_minor"]]
    leases = data.leases[data.leases["landlord_party_id"].notna()]
    lease_rows = []
    for lease in leases.itertuples(index=False):
        for account in info.accounts_of(str(lease.landlord_party_id)):
            rent = int(lease.rent_minor) if not pd.isna(lease.rent_minor) else -1
            currency = str(lease.currency) if isinstance(lease.currency, str) else ""
            lease_rows.append((account, rent, currency, str(lease.lease_id), str(lease.premises_address_id),
                               lease.tenant_party_id))  # fmt: skip
    # a payment matches a lease's rent in the lease's currency: NOK 10 000 is not EUR 10 000
    columns = ["to_account", "amount_minor", "currency", "lease_id", "premises", "tenant"]
    lease_map = pd.DataFrame(lease_rows, columns=columns)
    pay = pay.assign(to_account=pay["to_account"].astype(str), from_account=pay["from_account"].astype(str))
    if len(lease_map):
        keys = ["to_account", "amount_minor", "currency"]
        pay = pay.merge(lease_map.drop_duplicates(keys), on=keys, how="left")
    else:
        pay = pay.assign(lease_id=pd.NA, premises=pd.NA, tenant=pd.NA)
    texty = text_matches(pay["description"], params["rent_pattern"])
    pay = pay[texty | pay["lease_id"].notna().to_numpy(dtype=bool)]
    fallback = "pay:" + pay["to_account"] + ":" + pay["amount_minor"].astype(str)
    pay = pay.assign(premises=pay["premises"].astype("string").fillna(fallback), month=month_index(pay["ts"]))
    # a premises without a lease must recur: paid in at least two months
    recurring = pay.groupby(["from_account", "premises"])["month"].transform("nunique") >= 2
    return pay[recurring.to_numpy(dtype=bool) | pay["lease_id"].notna().to_numpy(dtype=bool)]


def _several(pay: pd.DataFrame, params: Mapping[str, Any]) -> pd.DataFrame:
    per = pay.groupby(["from_account", "month"])["premises"].nunique()
    multi = per[per >= params["min_premises"]].reset_index()
    months = multi.groupby("from_account")["month"].nunique()
    return months[months >= params["min_overlap_months"]]


def detect_rent_several(data: CaseData, params: Mapping[str, Any]) -> list[Finding]:
    info = account_info(data)
    pay = rent_payments(data, info, params)
    if pay.empty:
        return []
    payers = _several(pay, params)
    findings = []
    for payer, n_months in payers.sort_index().items():
        rows = pay[pay["from_account"] == payer]
        premises = sorted(rows["premises"].unique())
        landlords = sorted(rows["to_account"].unique())
        private = info.is_person(payer)
        score = min(1.0, 0.35 + 0.12 * (len(premises) - 1) + 0.05 * int(n_months) + (0.15 if private else 0.0))
        findings.append(
            Finding(
                detector="rent_several_premises",
                subjects=[account_subject(info, payer, "controller")]
                + [account_subject(info, landlord, "unknown") for landlord in landlords]
                + [Subject("address", p, "unknown") for p in premises if not p.startswith("pay:")],
                score=score,
                summary=(
                    f"{'a private person ' if private else ''}paid rent for {len(premises)} premises to "
                    f"{len(landlords)} landlord(s), at least {params['min_premises']} at once "
                    f"in {int(n_months)} months, "
                    f"total {money_total(rows)}"
                ),
                parameters=dict(params),
                evidence_txn_ids=evidence(rows, params["max_evidence"]),
                evidence_records=[
                    {"table": "leases", "key": {"lease_id": x}} for x in sorted(rows["lease_id"].dropna().unique())
                ],
                metrics={"premises": len(premises), "landlords": len(landlords), "overlap_months": int(n_months)},
            )
        )
    return findings


def _per_value(values: pd.Series, func: Callable[[Any], Any]) -> pd.Series:
    """``func`` of each value, called once per distinct value (payers and tenants repeat monthly).

    A null value gets ``func(None)``.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[:-1] = [func(u) for u in uniques]
    mapped[-1] = func(None)  # code -1 (null) picks the last entry
    return pd.Series(mapped[codes], index=values.index, dtype=object)


def _third_party(pay: pd.DataFrame, info: AccountInfo, data: CaseData) -> pd.DataFrame:
    leased = pay[pay["tenant"].notna()]
    if leased.empty:
        return leased
    names = data.parties.drop_duplicates("party_id").set_index("party_id")["name"]
    tenant_name = _per_value(leased["tenant"].astype(str), lambda p: normalize_name(names.get(p)))
    payer_name = _per_value(leased["from_account"], lambda a: normalize_name(info.label(a)))
    payer_party = leased["from_account"].map(info.party).astype("string")
    # the payer is someone else only when we know who both are and they differ; an unknown
    # holder whose name is the tenant's is the tenant
    known = payer_party.notna() | (payer_name != "")
    same = (payer_party == leased["tenant"].astype("string")).fillna(False) | (payer_name == tenant_name)
    family = _per_value(leased["from_account"], lambda a: surname(info.label(a))) == _per_value(
        tenant_name, lambda n: n.split()[-1] if n else "?"
    )
    keep = known.to_numpy(dtype=bool) & ~same.to_numpy(dtype=bool) & ~family.to_numpy(dtype=bool)
    return leased[keep]


def _third_party_payers(pay: pd.DataFrame, info: AccountInfo, data: CaseData, params: Mapping[str, Any]) -> pd.Series:
    """(payer, lease) → months paid, for payers paying others' rent on enough leases."""
    third = _third_party(pay, info, data)
    if third.empty:
        return pd.Series(dtype="int64")
    months = third.groupby(["from_account", "lease_id"])["month"].nunique()
    months = months[months >= params["min_months"]]
    leases = months.groupby(level=0).size()
    keep = set(leases[leases >= params["min_leases"]].index)
    return months[months.index.get_level_values(0).isin(keep)]


def detect_third_party_rent(data: CaseData, params: Mapping[str, Any]) -> list[Finding]:
    info = account_info(data)
    pay = rent_payments(data, info, params)
    third = _third_party(pay, info, data)
    months = _third_party_payers(pay, info, data, params)
    findings = []
    for payer, group in months.groupby(level=0):
        leases = sorted(group.index.get_level_values(1))
        rows = third[(third["from_account"] == payer) & third["lease_id"].isin(leases)]
        tenants = sorted(rows["tenant"].astype(str).unique())
        findings.append(
            Finding(
                detector="third_party_rent",
                subjects=[account_subject(info, payer, "controller")]
                + [party_subject(data, t, "possible_victim") for t in tenants],
                score=min(1.0, 0.3 + 0.15 * len(leases) + 0.03 * int(group.max())),
                summary=(
                    f"paid the rent of {len(leases)} lease(s) whose tenant is someone else ({len(tenants)} tenant(s)), "
                    f"for up to {int(group.max())} months, "
                    f"total {money_total(rows)}"
                ),
                parameters=dict(params),
                evidence_txn_ids=evidence(rows, params["max_evidence"]),
                evidence_records=[{"table": "leases", "key": {"lease_id": x}} for x in leases],
                metrics={"leases": len(leases), "tenants": len(tenants)},
            )
        )
    return findings


def detect_premises_networks(data: CaseData, params: Mapping[str, Any]) -> list[Finding]:
    """Payers of several premises (or of others' rent) linked through landlords and addresses."""
    info = account_info(data)
    pay = rent_payments(data, info, params)
    if pay.empty:
        return []
    third = _third_party_payers(pay, info, data, params)
    flagged = set(_several(pay, params).index) | set(third.index.get_level_values(0))
    rows = pay[pay["from_account"].isin(flagged)]
    graph = nx.Graph()
    for r in rows[["from_account", "to_account", "premises"]].drop_duplicates().itertuples(index=False):
        graph.add_edge(("payer", r.from_account), ("landlord", r.to_account))
        graph.add_edge(("landlord", r.to_account), ("premises", r.premises))
        graph.add_edge(("payer", r.from_account), ("premises", r.premises))
    findings = []
    for component in sorted(nx.connected_components(graph), key=lambda c: sorted(c)):
        payers = sorted(n[1] for n in component if n[0] == "payer")
        premises = sorted(n[1] for n in component if n[0] == "premises")
        landlords = sorted(n[1] for n in component if n[0] == "landlord")
        if len(payers) < params["min_payers"] or len(premises) < params["min_premises_in_network"]:
            continue
        txn = rows[rows["from_account"].isin(payers)]
        findings.append(
            Finding(
                detector="premises_network",
                subjects=[account_subject(info, p, "controller") for p in payers]
                + [account_subject(info, landlord, "unknown") for landlord in landlords],
                score=min(1.0, 0.4 + 0.05 * len(premises) + 0.1 * len(payers)),
                summary=(
                    f"{len(payers)} payers of several premises share {len(landlords)} landlord(s) across "
                    f"{len(premises)} premises, total {money_total(txn)}"
                ),
                parameters=dict(params),
                evidence_txn_ids=evidence(txn, params["max_evidence"]),
                metrics={"payers": len(payers), "premises": len(premises), "landlords": len(landlords)},
            )
        )
    return findings


RENT_SEVERAL_PREMISES = Detector(
    name="rent_several_premises",
    title="One payer renting several premises at once (B1)",
    description=(
        "One person or company pays rent for two or more flats or rooms in the same months — as when a "
        "facilitator rents the premises where victims live or work."
    ),
    run=detect_rent_several,
    config_section="rent",
)
THIRD_PARTY_RENT = Detector(
    name="third_party_rent",
    title="Rent paid by a third party (B1)",
    description="Rent on a lease is paid, month after month, by someone who is neither the tenant nor family.",
    run=detect_third_party_rent,
    config_section="rent",
)
PREMISES_NETWORK = Detector(
    name="premises_network",
    title="Premises network (B1)",
    description=(
        "Several payers who each rent more than one premises, or pay others' rent, linked through the same "
        "landlords and addresses."
    ),
    run=detect_premises_networks,
    config_section="rent",
)
