"""One role per subject, resolved from all the findings: the step between detectors and ranking.

Each detector suggests roles from one pattern; they can disagree (a swept victim's repeat clients
look like debt repayments to ``debt_repayments``, so it calls the victim a controller). This step
weighs every suggestion once, in a fixed order, and records which finding decided each role:

1. **Money taken means victim.** An account whose money is swept to X (``protective_detectors``:
   sweep, wage claw-back, begging collection) is X's possible victim, whatever another detector
   thinks. A finding that calls such a victim anything else is *overruled*: it decides no role
   for anyone (the victim's own clients are not its victims).
2. **Victims are never suspects.** A subject with victim and suspect suggestions is a possible
   victim unless its controller evidence outweighs its victim evidence (a victim turned recruiter).
   A private account flagged with no role of its own ("role unclear": cash deposits and no
   salary) that passes at least ``min_passed_share`` of the money leaving it to a controller is
   that controller's possible victim, like a swept one; so is a private account only a conduit
   finding calls facilitator when its money comes from at least ``min_earning_payers`` payers
   (earnings passed on, not a mule relaying one origin's money). Money is followed one hop: to a
   controller's second account, or through the private account most of it goes to (a relative's)
   when that account passes ``min_passed_share`` of what it received on to a controller.
3. **Family remittances are not a controller.** A foreign beneficiary (``remittance_detectors``)
   paid mostly by possible victims is where they send money home: context, not a controller.
4. **Context.** A subject named only as a counterparty (not the finding's subject, role
   ``unknown``: a landlord, a sender, a holder of a shared phone) is *context*, listed nowhere
   as a suspect, unless its own behaviour is flagged. A finding about a subject's own behaviour
   whose evidence on its accounts is only money received from suspects (the transfer office a
   controller sends through) says nothing of its own: it decides no role for it. Nor does a
   conduit finding for the origin it names when that origin sends the conduit under
   ``min_origin_share`` of its outgoing money (a customer paying a front company's invoices).
   A subject only ``corroborating_detectors`` flag (registry structure: many board roles) is
   context until another finding corroborates; so is one flagged only for a pattern ordinary
   households show too, within ``weak_alone`` (rent for several homes, remittances in pieces,
   money sent home).
   A private account a protective finding calls the taker, which passes at least
   ``min_intermediary_share`` of the money it receives from its possible victims on to one private
   person who is listed as a suspect, is an *intermediary* (facilitator); that person is the
   controller and the victims are his — unless the taker's own findings other than the taking
   (and not weak) call it a controller.
5. **Facilitators and sinks.** The advertising site a suspect pays (``advert_detectors``) is a
   *facilitator*; the account where a chain of two or more conduits (``chain_detectors``) sends
   the money on is the chain's *sink*.
6. **Shared identifiers.** An identifier a suspect shares with possible victims is reported as
   "controller holds victims' phone"; it counts as evidence for the suspect.

Subjects are keyed like the ranking keys them: an account with a known holder party is that party.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from finflow.casedata import CaseData
from finflow.config import load_config
from finflow.detect.base import Finding, Subject
from finflow.detect.util import AccountInfo, account_info, light_transactions

__all__ = [
    "RESOLVED_ROLES",
    "SUSPECT_ROLES",
    "Claim",
    "Key",
    "ResolvedRole",
    "RoleResolution",
    "resolve_roles",
    "subject_key",
]

#: Roles that put a subject in the suspects list (``sink``: where a mule chain's money leaves).
SUSPECT_ROLES: tuple[str, ...] = ("controller", "front", "facilitator", "sink", "unknown")
#: Every role the step can give: suspects, possible victims and context (named, not suspected).
RESOLVED_ROLES: tuple[str, ...] = (*SUSPECT_ROLES, "possible_victim", "context")

Key = tuple[str, str]
_RANKED_KINDS = ("account", "party")
_AS_TEXT = {"controller": "a controller", "front": "a front", "facilitator": "a facilitator",
            "unknown": "a flagged subject of unclear role"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Claim:
    """One finding's suggestion of a role for a subject."""

    finding: Finding
    role: str
    lead: bool  # the finding is about this subject (its own behaviour), not a counterparty
    weight: float = 1.0  # share of the finding's score the suggestion carries (derived roles: less)
    note: str | None = None  # why the role step added it (derived roles, shared identifiers)


@dataclass(frozen=True, slots=True)
class ResolvedRole:
    """The role a subject gets, the finding that decided it and a sentence saying why."""

    role: str
    finding_id: str | None
    basis: str


@dataclass
class RoleResolution:
    """Roles of every subject findings name, and what the step changed in the findings' reading."""

    roles: dict[Key, ResolvedRole]
    claims: dict[Key, list[Claim]]
    labels: dict[Key, str | None]
    named_accounts: dict[Key, set[str]]
    #: finding id -> why it decides no role (it calls a swept victim a suspect)
    overruled: dict[str, str] = field(default_factory=dict)
    #: finding id -> how the step reads it ("controller holds victims' phone …")
    notes: dict[str, str] = field(default_factory=dict)
    #: subject -> the possible victims it takes money from (by the protective findings)
    victims_of: dict[Key, set[Key]] = field(default_factory=dict)
    #: facilitators and sinks the step named from another subject's finding: (subject, claim)
    derived: list[tuple[Key, Claim]] = field(default_factory=list)
    #: possible victims found by where their money goes (rule 2b), with the sentence saying so
    passed_note: dict[Key, str] = field(default_factory=dict)
    #: intermediaries (rule 4b): taker -> the controller it passes the victims' money on to
    intermediaries: dict[Key, Key] = field(default_factory=dict)

    def role(self, key: Key) -> str:
        resolved = self.roles.get(key)
        return resolved.role if resolved else "context"

    def subject_role(self, subject: Subject, info: AccountInfo | None) -> str:
        """The resolved role of a finding's subject (identifiers and addresses keep theirs)."""
        if subject.kind not in _RANKED_KINDS:
            return subject.role
        return self.role(subject_key(subject, info))

    def supporting(self, key: Key) -> list[Claim]:
        """The claims that back the subject's resolved role (what its score is made of)."""
        role = self.role(key)
        out = []
        for claim in self.claims.get(key, []):
            if claim.finding.finding_id in self.overruled:
                continue
            if (role == "possible_victim" and claim.role == "possible_victim") or (
                role in SUSPECT_ROLES and claim.role in SUSPECT_ROLES and (claim.lead or claim.role != "unknown")
            ):
                out.append(claim)
        return out


def subject_key(subject: Subject, info: AccountInfo | None) -> Key:
    """(kind, id) of the subject a finding's subject stands for: an account folds into its holder."""
    if subject.kind == "account" and info is not None:
        party = info.party.get(subject.id)
        if isinstance(party, str):
            return "party", party
    return subject.kind, subject.id


def _label(resolution: RoleResolution, key: Key) -> str:
    return resolution.labels.get(key) or key[1]


def _combine(scores: Iterable[float]) -> float:
    remaining = 1.0
    for s in scores:
        remaining *= 1.0 - s
    return 1.0 - remaining


def _strength(claims: list[Claim], role: str, weights: Mapping[str, float], default: float) -> float:
    best: dict[str, float] = {}
    for c in claims:
        if c.role == role:
            s = min(1.0, float(weights.get(c.finding.detector, default)) * c.finding.score * c.weight)
            best[c.finding.detector] = max(best.get(c.finding.detector, 0.0), s)
    return _combine(best.values())


def _best(claims: list[Claim], role: str, weights: Mapping[str, float], default: float) -> Claim:
    """The claim that decides: the strongest weighted finding suggesting ``role``."""

    def strength(c: Claim) -> tuple[float, str]:
        return float(weights.get(c.finding.detector, default)) * c.finding.score * c.weight, c.finding.finding_id

    return max((c for c in claims if c.role == role), key=strength)


def _sentence(claim: Claim, what: str) -> str:
    text = claim.note or claim.finding.summary
    return f"{what} by {claim.finding.detector} ({claim.finding.finding_id}): {text}"


def resolve_roles(
    findings: list[Finding], data: CaseData | None = None, config: Mapping[str, Any] | None = None
) -> RoleResolution:
    """Resolve one role per subject named by ``findings`` (rules in the module docstring)."""
    config = config if config is not None else load_config()
    params = config["roles"]
    weights = config["subjects"]["weights"]
    default = float(config["subjects"]["default_weight"])
    info = account_info(data) if data is not None else None
    res = RoleResolution(roles={}, claims=defaultdict(list), labels={}, named_accounts=defaultdict(set))
    for finding in findings:
        for position, subject in enumerate(finding.subjects):
            if subject.kind not in _RANKED_KINDS:
                continue
            key = subject_key(subject, info)
            res.claims[key].append(Claim(finding, subject.role, lead=position == 0))
            if res.labels.get(key) is None:
                res.labels[key] = subject.label
            if subject.kind == "account":
                res.named_accounts[key].add(subject.id)

    # 1. money taken: the strongest protective finding naming a subject its victim decides
    protected: dict[Key, tuple[Finding, Key]] = {}
    for finding in findings:
        if finding.detector not in params["protective_detectors"] or finding.subjects[0].kind not in _RANKED_KINDS:
            continue
        taker = subject_key(finding.subjects[0], info)
        for subject in finding.subjects[1:]:
            key = subject_key(subject, info)
            if subject.role != "possible_victim" or key == taker:
                continue
            if key not in protected or finding.score > protected[key][0].score:
                protected[key] = (finding, taker)
    for key, (_source, taker) in protected.items():
        res.victims_of.setdefault(taker, set()).add(key)
    for finding in findings:
        lead = finding.subjects[0]
        if lead.kind not in _RANKED_KINDS or finding.detector in params["protective_detectors"]:
            continue
        key = subject_key(lead, info)
        if key in protected and lead.role != "possible_victim":
            source, taker = protected[key]
            res.overruled[finding.finding_id] = (
                f"overruled: it calls {_label(res, key)} {_AS_TEXT.get(lead.role, lead.role)}, but {source.detector} "
                f"({source.finding_id}) finds that account's money taken by {_label(res, taker)}"
            )

    # 2. + 4. each subject's role from the claims that stand
    demoted: dict[tuple[Key, str], str] = {}
    _resolve_all(res, protected, demoted, weights, default, _corroborates_only(params))
    # 2b. a private account flagged with no role of its own that hands its money to a controller
    if data is not None and info is not None:
        passed = _passes_to_controller(data, info, res, params)
        if passed:
            protected = {**protected, **passed}
            for key, (_source, taker) in passed.items():
                res.victims_of.setdefault(taker, set()).add(key)
            _resolve_all(res, protected, demoted, weights, default, _corroborates_only(params))
    # 3. family remittances of possible victims: context, unless something else makes it a suspect
    for finding in findings:
        if finding.detector not in params["remittance_detectors"] or finding.finding_id in res.overruled:
            continue
        senders = [subject_key(s, info) for s in finding.subjects[1:] if s.kind in _RANKED_KINDS]
        victims = [s for s in senders if res.role(s) == "possible_victim"]
        if senders and len(victims) >= params["min_victim_sender_share"] * len(senders):
            key = subject_key(finding.subjects[0], info)
            demoted[(key, finding.finding_id)] = (
                f"{len(victims)} of its {len(senders)} senders are possible victims: money sent home, "
                "not a controller's collection"
            )
    # 4. a subject flagged only for what it receives from suspects is their counterparty; the
    # origin a conduit finding names is a customer unless much of its money goes into the chain
    if data is not None and info is not None:
        demoted.update(_mere_payees(findings, data, info, res, params))
        demoted.update(_customer_origins(findings, data, info, res, params))
    if demoted:
        _resolve_all(res, protected, demoted, weights, default, _corroborates_only(params))
    # 4b. a private taker that passes the victims' money on to one listed private person: intermediary
    if data is not None and info is not None:
        _intermediaries(findings, data, info, res, params)
    # 5. facilitators and sinks named from the evidence of suspects' findings
    if data is not None and info is not None:
        derived = _advert_sites(findings, data, info, res, params) + _chain_sinks(findings, data, info, res, params)
        for key, claim, label in derived:
            if res.role(key) != "context":
                continue
            res.claims[key].append(claim)
            if res.labels.get(key) is None:
                res.labels[key] = label
            if key[0] == "account":
                res.named_accounts[key].add(key[1])
            res.roles[key] = ResolvedRole(claim.role, claim.finding.finding_id, _sentence(claim, claim.role))
            res.derived.append((key, claim))
    # 6. identifiers a suspect shares with possible victims
    for finding in findings:
        if finding.detector not in params["identifier_detectors"]:
            continue
        parties = [subject_key(s, info) for s in finding.subjects if s.kind in _RANKED_KINDS]
        suspects = [k for k in parties if res.role(k) in SUSPECT_ROLES and res.role(k) != "unknown"]
        victims = [k for k in parties if res.role(k) == "possible_victim"]
        if not suspects or not victims:
            continue
        what = finding.subjects[0].label or "identifier"
        holders = ", ".join(f"{_label(res, k)} ({res.role(k)})" for k in suspects)
        role = res.role(suspects[0])
        note = f"{role} holds victims' {what}: {holders} share(s) one {what} with {len(victims)} possible victim(s)"
        res.notes[finding.finding_id] = note
        for k in suspects:
            res.claims[k].append(Claim(finding, res.role(k), lead=True, note=note))
        for k in victims:
            res.claims[k].append(Claim(finding, "possible_victim", lead=True, note=note))
    res.claims = dict(res.claims)
    res.named_accounts = dict(res.named_accounts)
    return res


def _corroborates_only(params: Mapping[str, Any]) -> Callable[[Finding], bool]:
    """Whether a finding only corroborates: registry structure (``corroborating_detectors``), or a
    pattern ordinary people show too, within the limits of ``weak_alone`` (rent for several homes;
    remittances in pieces; money sent home). A subject only such findings flag is context."""
    detectors = set(params["corroborating_detectors"])
    weak: Mapping[str, Mapping[str, float]] = params["weak_alone"]

    def corroborates(finding: Finding) -> bool:
        if finding.detector in detectors:
            return True
        limits = weak.get(finding.detector)
        if limits is None:
            return False
        return all(
            isinstance(finding.metrics.get(m), int | float) and finding.metrics[m] <= v for m, v in limits.items()
        )

    return corroborates


def _resolve_all(
    res: RoleResolution,
    protected: Mapping[Key, tuple[Finding, Key]],
    demoted: Mapping[tuple[Key, str], str],
    weights: Mapping[str, float],
    default: float,
    corroborating: Callable[[Finding], bool] = lambda finding: False,
) -> None:
    for key, claims in res.claims.items():
        if key in protected:
            source, taker = protected[key]
            how = (
                res.passed_note[key]
                if key in res.passed_note
                else f"its money is taken by {_label(res, taker)} — {source.summary}"
            )
            res.roles[key] = ResolvedRole(
                "possible_victim",
                source.finding_id,
                f"possible victim by {source.detector} ({source.finding_id}): {how}",
            )
            continue
        standing = [
            c for c in claims
            if c.finding.finding_id not in res.overruled and (key, c.finding.finding_id) not in demoted
        ]  # fmt: skip
        victim = _strength(standing, "possible_victim", weights, default)
        controller = _strength(standing, "controller", weights, default)
        suspect_claims = [c for c in standing if c.role in SUSPECT_ROLES and (c.lead or c.role != "unknown")]
        if suspect_claims and all(corroborating(c.finding) for c in suspect_claims):
            claim = _strongest(suspect_claims)
            res.roles[key] = ResolvedRole(
                "context", claim.finding.finding_id,
                f"context: only {claim.finding.detector} ({claim.finding.finding_id}) flags it, a pattern that "
                "corroborates other findings but alone does not make a suspect",
            )  # fmt: skip
            continue
        if victim > 0 and controller <= victim:
            claim = _best(standing, "possible_victim", weights, default)
            res.roles[key] = ResolvedRole(
                "possible_victim", claim.finding.finding_id, _sentence(claim, "possible victim")
            )
        elif suspect_claims:
            role = max(
                {c.role for c in suspect_claims},
                key=lambda r: (_strength(suspect_claims, r, weights, default), -SUSPECT_ROLES.index(r)),
            )
            claim = _best(suspect_claims, role, weights, default)
            what = "flagged, role unclear," if role == "unknown" else role
            res.roles[key] = ResolvedRole(role, claim.finding.finding_id, _sentence(claim, what))
        else:
            reasons = [demoted[(key, c.finding.finding_id)] for c in claims if (key, c.finding.finding_id) in demoted]
            if reasons:
                claim = next(c for c in claims if (key, c.finding.finding_id) in demoted)
                basis = f"context by {claim.finding.detector} ({claim.finding.finding_id}): {reasons[0]}"
            elif standing:
                claim = _strongest(standing)
                basis = (
                    f"context: a counterparty in {claim.finding.detector} ({claim.finding.finding_id}), "
                    "own behaviour not flagged"
                )
            else:
                claim = claims[0]
                basis = (
                    f"context: named only by {claim.finding.detector} ({claim.finding.finding_id}), which is overruled"
                )
            res.roles[key] = ResolvedRole("context", claim.finding.finding_id, basis)


def _passes_to_controller(data, info, res, params) -> dict[Key, tuple[Finding, Key]]:
    """Private accounts flagged with no role of their own that pass most of their money to a controller."""
    unclear = [k for k, claims in res.claims.items() if all(c.role == "unknown" for c in claims)]
    accounts = {}
    for key in unclear:
        if res.role(key) != "unknown":
            continue
        for account in res.named_accounts.get(key, set()):
            if info.is_person(account):
                accounts[account] = key
    conduits = _earning_conduits(data, info, res, params)
    accounts.update({a: k for a, k in conduits.items() if a not in accounts})
    controllers = {}
    for key, resolved in res.roles.items():
        if resolved.role == "controller":
            held = info.accounts_of(key[1]) if key[0] == "party" else []
            for account in res.named_accounts.get(key, set()) | set(held):
                controllers[account] = key
    if not accounts or not controllers:
        return {}
    tx = light_transactions(data)
    feeders = _feeders(tx, controllers, params["min_passed_share"], exclude=set(accounts))
    controllers.update(feeders)
    out_tx = tx[tx["from_account"].isin(set(accounts))]
    out_tx = out_tx.assign(src=out_tx["from_account"].astype(str), dst=out_tx["to_account"].astype("string"))
    total = out_tx.groupby("src")["amount_minor"].sum()
    to_controller = out_tx[out_tx["dst"].isin(set(controllers))]
    per = to_controller.groupby(["src", "dst"])["amount_minor"].sum().reset_index()
    out: dict[Key, tuple[Finding, Key]] = {}
    for src, dst, amount in sorted(per.itertuples(index=False, name=None), key=lambda r: (r[0], -r[2], r[1])):
        key = accounts[src]
        share = amount / max(1, int(total.get(src, 0)))
        if key in out or share < params["min_passed_share"]:
            continue
        taker = controllers[str(dst)]
        if taker == key:
            continue
        source = _strongest(res.claims[key]).finding
        out[key] = (source, taker)
        res.passed_note[key] = (
            f"{_why_listed(src, conduits)}, "
            f"and {share:.0%} of the money leaving it goes to controller {_label(res, taker)}"
            + (f" (through account {dst}, which passes it on)" if str(dst) in feeders else "")
        )
    out.update(_followed_to_controller(tx, accounts, conduits, controllers, out, res, info, params))
    return out


def _strongest(claims):
    """The claim of the highest-scoring finding (ties by finding id, so the choice is stable)."""
    return max(claims, key=lambda c: (c.finding.score, c.finding.finding_id))


def _why_listed(account, conduits) -> str:
    return "its own earnings pass through it" if account in conduits else "flagged with no role of its own"


def _followed_to_controller(tx, accounts, conduits, controllers, done, res, info, params):
    """Rule 2b one hop on, money followed: the private account most of a candidate's money goes to
    (a controller's relative, say) passes at least ``min_passed_share`` of what it received from the
    candidate on to one controller, however much else it pays out."""
    share = float(params["min_passed_share"])
    moves = tx[tx["from_account"].notna() & tx["to_account"].notna()]
    moves = moves.assign(src=moves["from_account"].astype(str), dst=moves["to_account"].astype(str))
    pending = {a: k for a, k in accounts.items() if k not in done}
    leaving = moves[moves["src"].isin(set(pending))]
    total = leaving.groupby("src")["amount_minor"].sum()
    pairs = leaving.groupby(["src", "dst"])["amount_minor"].sum().reset_index()
    pairs = pairs.sort_values(["src", "amount_minor", "dst"], ascending=[True, False, True]).drop_duplicates("src")
    out: dict[Key, tuple[Finding, Key]] = {}
    for src, hop, amount in pairs.itertuples(index=False, name=None):
        key = pending[src]
        if key in out or hop in controllers or hop in accounts or not info.is_person(hop):
            continue
        if amount < share * int(total.get(src, 0)):
            continue
        onward = moves[(moves["src"] == hop) & moves["dst"].isin(set(controllers))]
        per: dict[Key, int] = defaultdict(int)
        for dst, paid in onward.groupby("dst")["amount_minor"].sum().items():
            per[controllers[str(dst)]] += int(paid)
        per.pop(key, None)
        if not per:
            continue
        taker, paid = max(per.items(), key=lambda kv: (kv[1], kv[0]))
        followed = min(paid, int(amount)) / int(amount)
        if followed < share:
            continue
        source = _strongest(res.claims[key]).finding
        out[key] = (source, taker)
        res.passed_note[key] = (
            f"{_why_listed(src, conduits)}, "
            f"and {int(amount) / max(1, int(total.get(src, 0))):.0%} of the money leaving it goes to account {hop} "
            f"({info.label(hop) or 'a private account'}), which passes {followed:.0%} of that on to controller "
            f"{_label(res, taker)}"
        )
    return out


def _feeders(tx: pd.DataFrame, controllers: Mapping[str, Key], share: float, exclude: set[str]) -> dict[str, Key]:
    """Accounts that pass at least ``share`` of the money leaving them to one controller's account:
    the controller's second account or an intermediary a sweep goes through, counted as the
    controller's own for the rule above (one hop, never further)."""
    outgoing = tx[tx["from_account"].notna() & tx["to_account"].notna()]
    outgoing = outgoing.assign(src=outgoing["from_account"].astype(str), dst=outgoing["to_account"].astype(str))
    outgoing = outgoing[~outgoing["src"].isin(set(controllers)) & ~outgoing["src"].isin(exclude)]
    total = outgoing.groupby("src")["amount_minor"].sum()
    to_controller = outgoing[outgoing["dst"].isin(set(controllers))]
    per = to_controller.groupby(["src", "dst"])["amount_minor"].sum().reset_index()
    per = per.assign(share=per["amount_minor"] / per["src"].map(total).clip(lower=1))
    per = per[per["share"] >= share].sort_values(["src", "share", "dst"], ascending=[True, False, True])
    return {src: controllers[dst] for src, dst in per.drop_duplicates("src")[["src", "dst"]].itertuples(index=False)}


def _earning_conduits(data, info, res, params) -> dict[str, Key]:
    """Private accounts a conduit finding (``chain_detectors``) alone calls facilitator, whose money
    comes from many payers (``min_earning_payers``): earnings passed on, as a victim's are, rather
    than a mule's relay of one origin's money. Account -> subject key."""
    chain = set(params["chain_detectors"])
    candidates: dict[str, Key] = {}
    for key, claims in res.claims.items():
        if res.role(key) != "facilitator":
            continue
        suspect = [c for c in claims if c.role != "unknown"]
        if not suspect or any(c.finding.detector not in chain for c in suspect):
            continue
        for account in res.named_accounts.get(key, set()):
            if info.is_person(account):
                candidates[account] = key
    if not candidates:
        return {}
    tx = light_transactions(data)
    incoming = tx[tx["to_account"].isin(set(candidates))]
    payers = incoming.groupby(incoming["to_account"].astype(str))["from_account"].nunique()
    return {a: k for a, k in candidates.items() if int(payers.get(a, 0)) >= params["min_earning_payers"]}


def _customer_origins(findings, data, info, res, params) -> dict[tuple[Key, str], str]:
    """(origin, finding) pairs where the named origin of a conduit sends it little of its money."""
    pairs = []
    for f in findings:
        if f.detector not in params["chain_detectors"] or f.finding_id in res.overruled:
            continue
        if f.subjects[0].kind != "account":
            continue
        for s in f.subjects[1:]:
            if s.kind == "account" and s.role == "controller":
                pairs.append((s.id, f.subjects[0].id, f))
    if not pairs:
        return {}
    tx = light_transactions(data)
    out_tx = tx[tx["from_account"].isin({o for o, _, _ in pairs})]
    src = out_tx["from_account"].astype(str)
    total = out_tx.groupby(src)["amount_minor"].sum()
    per = out_tx.groupby([src, out_tx["to_account"].astype("string")])["amount_minor"].sum()
    out = {}
    for origin, conduit, finding in pairs:
        share = int(per.get((origin, conduit), 0)) / max(1, int(total.get(origin, 0)))
        if share < params["min_origin_share"]:
            key = subject_key(Subject("account", origin), info)
            out[(key, finding.finding_id)] = (
                f"it supplies most of the conduit's money, but that is only {share:.0%} of what it pays out: "
                "a customer, not the chain's origin"
            )
    return out


def _mere_payees(findings, data, info, res, params) -> dict[tuple[Key, str], str]:
    """(subject, finding) pairs where the finding's only evidence is the subject being paid by suspects."""
    chosen = [
        f for f in findings
        if f.subjects[0].kind == "account" and f.evidence_txn_ids and f.finding_id not in res.overruled
        and f.detector not in params["protective_detectors"]
        and res.role(subject_key(f.subjects[0], info)) in SUSPECT_ROLES
    ]  # fmt: skip
    if not chosen:
        return {}
    rows = _evidence_rows(chosen, data)
    by_id = rows.set_index("txn_id")
    out = {}
    for finding in chosen:
        account = finding.subjects[0].id
        mine = by_id.reindex([t for t in finding.evidence_txn_ids if t in by_id.index])
        touching = mine[(mine["from_account"] == account) | (mine["to_account"] == account)]
        if touching.empty or (touching["from_account"] == account).any():
            continue
        payers = {subject_key(Subject("account", str(a)), info) for a in touching["from_account"].dropna().unique()}
        key = subject_key(finding.subjects[0], info)
        if len(touching["from_account"].dropna()) < len(touching) or not payers or key in payers:
            continue
        if all(res.role(p) in SUSPECT_ROLES and res.role(p) != "unknown" for p in payers):
            names = ", ".join(sorted(_label(res, p) for p in payers))
            out[(key, finding.finding_id)] = f"its only evidence is money it received from suspect(s) {names}"
    return out


def _evidence_rows(findings: list[Finding], data: CaseData) -> pd.DataFrame:
    ids = {t for f in findings for t in f.evidence_txn_ids}
    tx = light_transactions(data)
    return tx[tx["txn_id"].isin(ids)] if ids else tx.iloc[0:0]


def _advert_sites(findings, data, info, res, params) -> list[tuple[Key, Claim, str | None]]:
    """The advertising sites suspects pay: facilitators (the payee of the advert payments)."""
    chosen = [
        f for f in findings
        if f.detector in params["advert_detectors"] and f.finding_id not in res.overruled
        and res.role(subject_key(f.subjects[0], info)) in SUSPECT_ROLES
    ]  # fmt: skip
    if not chosen:
        return []
    rows = _evidence_rows(chosen, data)
    out = []
    for finding in chosen:
        payer = finding.subjects[0]
        mine = rows[rows["txn_id"].isin(set(finding.evidence_txn_ids)) & rows["to_account"].notna()]
        for site, g in mine.groupby(mine["to_account"].astype(str), sort=True):
            name = g["to_name"].dropna()
            label = str(name.iloc[0]) if len(name) else info.label(site)
            note = (
                f"advertising site paid {len(g)} time(s) by {payer.label or payer.id} "
                f"({res.role(subject_key(payer, info))})"
            )
            key = subject_key(Subject("account", site), info)
            out.append(
                (key, Claim(finding, "facilitator", lead=True, weight=params["derived_weight"], note=note), label)
            )
    return out


def _chain_sinks(findings, data, info, res, params) -> list[tuple[Key, Claim, str | None]]:
    """Where a chain of two or more conduits sends the money on: the chain's sink."""
    conduits = {
        f.subjects[0].id: f for f in findings
        if f.detector in params["chain_detectors"] and f.subjects[0].kind == "account"
        and f.finding_id not in res.overruled and res.role(subject_key(f.subjects[0], info)) in SUSPECT_ROLES
    }  # fmt: skip
    if len(conduits) < 2:
        return []
    rows = _evidence_rows(list(conduits.values()), data)
    moves = rows[rows["from_account"].isin(set(conduits)) & rows["to_account"].notna()]
    moves = moves.assign(src=moves["from_account"].astype(str), dst=moves["to_account"].astype(str))
    fed = set(moves.loc[moves["dst"].isin(set(conduits)), "dst"])
    exits = moves[moves["src"].isin(fed) & ~moves["dst"].isin(set(conduits))]
    out = []
    for src, g in exits.groupby("src", sort=True):
        per = g.groupby("dst")["amount_minor"].sum().sort_index()
        dst = str(per.idxmax())
        if res.role(subject_key(Subject("account", dst), info)) != "context":
            continue
        name = g.loc[g["dst"] == dst, "to_name"].dropna()
        label = str(name.iloc[0]) if len(name) else info.label(dst)
        country = g.loc[g["dst"] == dst, "to_country"].dropna()
        where = f" in {country.iloc[0]}" if len(country) else ""
        finding = conduits[src]
        note = (
            f"where a chain of conduits sends the money on{where}: {int((g['dst'] == dst).sum())} payment(s) "
            f"from {info.label(src) or src}, itself fed by another conduit"
        )
        key = subject_key(Subject("account", dst), info)
        out.append((key, Claim(finding, "sink", lead=True, weight=params["derived_weight"], note=note), label))
    return out


def _intermediaries(findings, data, info, res, params) -> None:
    """Rule 4b: a private taker passing most of its victims' money on to one listed private person."""
    threshold = float(params["min_intermediary_share"])
    weak = _corroborates_only(params)
    protective = set(params["protective_detectors"])
    candidates: dict[Key, list[Finding]] = defaultdict(list)
    for f in findings:
        if f.detector in protective and f.subjects[0].kind in _RANKED_KINDS and f.finding_id not in res.overruled:
            candidates[subject_key(f.subjects[0], info)].append(f)
    tx = None
    for taker, taking in sorted(candidates.items()):
        if res.role(taker) != "controller" or not res.victims_of.get(taker):
            continue
        own = [
            c for c in res.claims.get(taker, [])
            if c.lead and c.role == "controller" and c.finding.detector not in protective and not weak(c.finding)
        ]  # fmt: skip
        if own:
            continue
        held = _accounts_of(taker, res, info)
        if not held or not all(info.is_person(a) for a in held):
            continue
        victims = res.victims_of[taker]
        victim_accounts = set().union(*(_accounts_of(v, res, info) for v in victims))
        if tx is None:
            tx = light_transactions(data)
            tx = tx[tx["from_account"].notna() & tx["to_account"].notna()]
            tx = tx.assign(src=tx["from_account"].astype(str), dst=tx["to_account"].astype(str))
        received = int(tx.loc[tx["src"].isin(victim_accounts) & tx["dst"].isin(held), "amount_minor"].sum())
        if received <= 0:
            continue
        out = tx[tx["src"].isin(held) & ~tx["dst"].isin(held | victim_accounts)]
        per: dict[Key, int] = defaultdict(int)
        for dst, amount in out.groupby("dst")["amount_minor"].sum().items():
            if info.is_person(str(dst)):
                per[subject_key(Subject("account", str(dst)), info)] += int(amount)
        per.pop(taker, None)
        if not per:
            continue
        receiver, amount = max(per.items(), key=lambda kv: (kv[1], kv[0]))
        share = amount / received
        if share < threshold or res.role(receiver) not in SUSPECT_ROLES:
            continue
        source = max(taking, key=lambda f: (f.score, f.finding_id))
        names = f"{len(victims)} possible victim(s)"
        for key, accounts in ((taker, held), (receiver, _accounts_of(receiver, res, info))):
            if res.labels.get(key) is None:
                res.labels[key] = next((info.label(a) for a in sorted(accounts) if info.label(a)), None)
        as_taker = Claim(source, "facilitator", lead=True, note=(
            f"intermediary: passes {share:.0%} of the money it receives from {names} on to "
            f"{_label(res, receiver)}, who is the controller"
        ))  # fmt: skip
        as_receiver = Claim(source, "controller", lead=True, note=(
            f"{_label(res, taker)} passes {share:.0%} of the money it takes from {names} on to it: "
            "an intermediary between the victims and the controller"
        ))  # fmt: skip
        res.claims[taker].append(as_taker)
        res.claims[receiver].append(as_receiver)
        res.roles[taker] = ResolvedRole("facilitator", source.finding_id, _sentence(as_taker, "facilitator"))
        res.roles[receiver] = ResolvedRole("controller", source.finding_id, _sentence(as_receiver, "controller"))
        res.victims_of.setdefault(receiver, set()).update(res.victims_of.pop(taker))
        res.intermediaries[taker] = receiver


def _accounts_of(key: Key, res: RoleResolution, info: AccountInfo) -> set[str]:
    """Every account the case links to a subject (named by findings, or held by the party)."""
    held = set(res.named_accounts.get(key, set()))
    if key[0] == "party":
        held |= set(info.accounts_of(key[1]))
    elif key[0] == "account":
        held.add(key[1])
    return held
