"""FollowTheMoney export: the case as FtM entities, one JSON object per line (Aleph, OpenAleph, ftm).

Entities are built with the ``followthemoney`` library (``pip install 'finflow[ftm]'``):

- each party as ``Person``, ``Company`` or ``LegalEntity`` (a company deleted from the register
  with its ``dissolutionDate``); each account as ``BankAccount``, its
  holder linked by an ``Ownership`` (role "account holder"); registry roles as ``Directorship``
  (or ``Ownership`` for proprietors and partners); addresses as ``Address``;
- each transaction as a ``Payment`` (payer, payerAccount, beneficiary, beneficiaryAccount,
  amount as exact decimal text, currency, date, purpose);
- each source file as a ``Document`` (fileName; its SHA-256 in ``summary`` and ``keywords``,
  as FtM's ``contentHash`` is a SHA-1); every entity names its
  source file in ``proof`` and its row in ``recordId`` (intervals) or ``notes`` (things);
- each finding as a ``Note`` on its subjects (FtM's annotation): detector, score, summary,
  suggested role, evidence count and the review status and note.

Entity ids are derived from finflow's ids (``make_id("finflow", kind, id)``), so the same case
exports the same ids and a re-export updates entities in Aleph instead of duplicating them.
Transactions are converted and written one at a time: memory does not grow with the number of
payments beyond the case tables themselves.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pandas as pd

from finflow.company_status import deleted_companies
from finflow.errors import FinflowError
from finflow.exports.context import ExportCase, decimal_text

__all__ = ["write_ftm"]

#: Registry roles that mean owning the company (sole proprietor, partners); others are Directorships.
OWNER_ROLES = frozenset({"INNH", "DTPR", "DTSO", "KOMP", "EIER", "owner", "shareholder"})
_CHUNK = 50_000


def _model() -> Any:
    try:
        from followthemoney import model
    except ImportError:
        raise FinflowError("export ftm needs the followthemoney library: pip install 'finflow[ftm]'") from None
    return model


def _text(value: Any) -> str | None:
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    text = str(value)
    return text or None


def _date(value: Any) -> str | None:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    try:
        return pd.Timestamp(value).date().isoformat()
    except (ValueError, TypeError):
        return None


class _Writer:
    """Builds proxies and writes each as one line as soon as it is complete."""

    def __init__(self, model: Any, fh: IO[str]) -> None:
        self.model = model
        self.fh = fh
        self.count = 0
        self.documents: dict[str, str] = {}

    def make(self, schema: str, kind: str, key: str) -> Any:
        proxy = self.model.make_entity(schema)
        proxy.make_id("finflow", kind, key)
        return proxy

    def eid(self, kind: str, key: str) -> str:
        return self.model.make_entity("Thing").make_id("finflow", kind, key)

    def source(self, proxy: Any, row: Any, interval: bool = False) -> None:
        """Name the source file (a Document) and the row the record came from."""
        sha = _text(getattr(row, "source_sha256", None))
        file = _text(getattr(row, "source_file", None)) or ""
        locator = _text(getattr(row, "source_locator", None)) or ""
        if sha and sha in self.documents:
            proxy.add("proof", self.documents[sha], cleaned=True)
        where = f"{file}:{locator}" if locator else file
        if where:
            proxy.add("recordId" if interval else "notes", f"source {where}" if not interval else where)

    def emit(self, proxy: Any) -> None:
        self.fh.write(json.dumps(proxy.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
        self.count += 1


def _rows(frame: pd.DataFrame) -> Iterator[Any]:
    """Rows as named tuples, a chunk at a time (no per-row frame, no whole-table copy)."""
    for start in range(0, len(frame), _CHUNK):
        yield from frame.iloc[start : start + _CHUNK].itertuples(index=False)


def write_ftm(case: ExportCase, out: str | Path) -> tuple[Path, int]:
    """Write the case as FtM JSON lines to ``out``; returns the path and the number of entities."""
    model = _model()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        writer = _Writer(model, fh)
        _write_all(case, writer)
        count = writer.count
    os.replace(tmp, out)
    return out, count


def _write_all(case: ExportCase, w: _Writer) -> None:
    data = case.data
    for source in sorted(case.sources, key=lambda s: str(s.get("sha256"))):
        doc = w.make("Document", "source", str(source.get("sha256")))
        doc.add("fileName", Path(str(source.get("file", ""))).name or "source")
        doc.add("title", str(source.get("file", "")))
        # FtM's contentHash is a SHA-1 (Aleph's archive key); finflow identifies files by SHA-256
        doc.add("summary", f"SHA-256 {source.get('sha256', '')}")
        doc.add("keywords", f"sha256:{source.get('sha256', '')}")
        doc.add("publisher", "finflow")
        w.documents[str(source.get("sha256"))] = doc.id
        w.emit(doc)
    party_ids = _parties(case, w)
    address_ids = _addresses(case, w)
    holders = _accounts(case, w, party_ids)
    _roles(case, w, party_ids)
    for row in _rows(data.party_addresses):
        pid, aid = str(row.party_id), str(row.address_id)
        if pid in party_ids and aid in address_ids:
            link = w.make("UnknownLink", "party_address", f"{pid}|{aid}|{_text(row.kind) or ''}")
            link.add("subject", party_ids[pid])
            link.add("object", address_ids[aid])
            link.add("role", _text(row.kind) or "address")
            w.source(link, row, interval=True)
            w.emit(link)
    _payments(case, w, holders)
    _notes(case, w, party_ids, address_ids)


def _parties(case: ExportCase, w: _Writer) -> dict[str, str]:
    data = case.data
    idents: dict[str, list[tuple[str, str]]] = {}
    if case.include_personal_ids:
        for pid, kind, value in zip(
            data.identifiers["party_id"], data.identifiers["kind"], data.identifiers["value"], strict=True
        ):
            idents.setdefault(str(pid), []).append((str(kind), str(value)))
    ids: dict[str, str] = {}
    deleted = deleted_companies(data)
    for row in _rows(data.parties.drop_duplicates("party_id")):
        pid = str(row.party_id)
        name = _text(row.name)
        schema = {"person": "Person", "company": "Company"}.get(str(row.kind), "LegalEntity")
        proxy = w.make(schema, "party", pid)
        proxy.add("name", name or pid)
        country = _text(row.country)
        if country:
            proxy.add("nationality" if schema == "Person" else "country", country.lower())
        if _text(row.org_number):
            proxy.add("registrationNumber", str(row.org_number))
        if pid in deleted:  # deleted from the register (Brønnøysund slettedato)
            proxy.add("dissolutionDate", deleted[pid])
        if schema == "Person" and case.include_personal_ids:
            proxy.add("birthDate", _date(row.birth_date))
        for kind, value in sorted(idents.get(pid, [])):
            prop = {"phone": "phone", "email": "email", "id_number": "idNumber"}.get(kind)
            if prop:
                proxy.add(prop, value, quiet=True)
        w.source(proxy, row)
        w.emit(proxy)
        ids[pid] = proxy.id
    return ids


def _addresses(case: ExportCase, w: _Writer) -> dict[str, str]:
    ids = {}
    for row in _rows(case.data.addresses.drop_duplicates("address_id")):
        proxy = w.make("Address", "address", str(row.address_id))
        parts = [_text(row.street), " ".join(p for p in (_text(row.postcode), _text(row.city)) if p)]
        proxy.add("full", ", ".join(p for p in parts if p) or str(row.normalized))
        proxy.add("street", _text(row.street))
        proxy.add("postalCode", _text(row.postcode))
        proxy.add("city", _text(row.city))
        proxy.add("country", (_text(row.country) or "").lower() or None, quiet=True)
        w.source(proxy, row)
        w.emit(proxy)
        ids[str(row.address_id)] = proxy.id
    return ids


def _accounts(case: ExportCase, w: _Writer, party_ids: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Per account id: (BankAccount entity id, holder entity id)."""
    holders: dict[str, tuple[str, str]] = {}
    for row in _rows(case.data.accounts.drop_duplicates("account_id")):
        aid = str(row.account_id)
        account = w.make("BankAccount", "account", aid)
        account.add("accountNumber", aid)
        if str(row.scheme) == "iban":
            account.add("iban", aid, quiet=True)
        account.add("country", (_text(row.country) or "").lower() or None, quiet=True)
        account.add("name", _text(row.holder_name) or aid)
        w.source(account, row)
        w.emit(account)
        holder = party_ids.get(str(row.holder_party_id)) if _text(row.holder_party_id) else None
        if holder is None:  # no known holder party: a named stand-in, so payments have a payer
            stand_in = w.make("LegalEntity", "holder", aid)
            stand_in.add("name", _text(row.holder_name) or f"holder of account {aid}")
            stand_in.add("description", "holder as named on the account; not matched to a known party")
            w.source(stand_in, row)
            w.emit(stand_in)
            holder = stand_in.id
        own = w.make("Ownership", "account_holder", aid)
        own.add("owner", holder)
        own.add("asset", account.id)
        own.add("role", "account holder")
        w.source(own, row, interval=True)
        w.emit(own)
        holders[aid] = (account.id, holder)
    return holders


def _roles(case: ExportCase, w: _Writer, party_ids: dict[str, str]) -> None:
    for row in _rows(case.data.company_roles):
        company, holder = party_ids.get(str(row.company_party_id)), party_ids.get(str(row.holder_party_id))
        if company is None or holder is None:
            continue
        role = str(row.role)
        key = f"{row.company_party_id}|{row.holder_party_id}|{role}"
        if role in OWNER_ROLES:
            proxy = w.make("Ownership", "role", key)
            proxy.add("owner", holder)
            proxy.add("asset", company)
        else:
            proxy = w.make("Directorship", "role", key)
            proxy.add("director", holder)
            proxy.add("organization", company)
        proxy.add("role", role)
        if bool(row.resigned):
            proxy.add("status", "resigned")
        w.source(proxy, row, interval=True)
        w.emit(proxy)


def _side(w: _Writer, holders: dict[str, tuple[str, str]], account: str | None) -> tuple[str | None, str]:
    """(account entity id, party entity id) of one side; cash is one "cash" entity."""
    if account is None:
        return None, w.eid("cash", "cash")
    if account not in holders:  # an account only seen in transactions
        proxy = w.make("BankAccount", "account", account)
        proxy.add("accountNumber", account)
        w.emit(proxy)
        stand_in = w.make("LegalEntity", "holder", account)
        stand_in.add("name", f"holder of account {account}")
        w.emit(stand_in)
        holders[account] = (proxy.id, stand_in.id)
    return holders[account]


def _payments(case: ExportCase, w: _Writer, holders: dict[str, tuple[str, str]]) -> None:
    tx = case.data.transactions
    if tx["from_account"].isna().any() or tx["to_account"].isna().any():
        cash = w.make("LegalEntity", "cash", "cash")
        cash.add("name", "cash")
        cash.add("description", "the cash side of deposits and withdrawals")
        w.emit(cash)
    columns = [
        "txn_id", "booking_date", "amount_minor", "currency", "from_account", "to_account", "description",
        "txn_ref", "channel", "source_file", "source_sha256", "source_locator",
    ]  # fmt: skip
    for row in _rows(tx[columns]):
        payment = w.make("Payment", "txn", str(row.txn_id))
        payer_account, payer = _side(w, holders, _text(row.from_account))
        payee_account, payee = _side(w, holders, _text(row.to_account))
        # values finflow already holds in FtM's form (entity ids, ISO dates, decimal text, ISO 4217
        # codes) skip the library's cleaning, the export's main cost; the tests check every line
        # against the model, cleaned again
        payment.add("payer", payer, cleaned=True)
        payment.add("payerAccount", payer_account, cleaned=True)
        payment.add("beneficiary", payee, cleaned=True)
        payment.add("beneficiaryAccount", payee_account, cleaned=True)
        payment.add("amount", decimal_text(int(row.amount_minor), str(row.currency)), cleaned=True)
        payment.add("currency", str(row.currency), cleaned=True)
        payment.add("date", _date(row.booking_date), cleaned=True)
        payment.add("purpose", _text(row.description))
        payment.add("transactionNumber", _text(row.txn_ref))
        payment.add("programme", _text(row.channel))
        w.source(payment, row, interval=True)
        w.emit(payment)


def _notes(case: ExportCase, w: _Writer, party_ids: dict[str, str], address_ids: dict[str, str]) -> None:
    for rank, finding in enumerate(case.findings, start=1):
        note = w.make("Note", "finding", finding.finding_id)
        for subject in finding.subjects:
            if subject.kind == "account":
                note.add("entity", w.eid("account", subject.id))
            elif subject.kind == "party" and subject.id in party_ids:
                note.add("entity", party_ids[subject.id])
            elif subject.kind == "address" and subject.id in address_ids:
                note.add("entity", address_ids[subject.id])
        if not note.get("entity"):
            continue
        review = case.reviews.get(finding.finding_id)
        roles = "; ".join(f"{s.label or s.id}: {s.role}" for s in finding.subjects)
        note.add("name", f"finflow finding {rank}: {finding.detector} (score {finding.score:.2f})")
        note.add("summary", finding.summary)
        note.add(
            "description",
            f"{finding.summary} Suggested roles: {roles}. Evidence: {len(finding.evidence_txn_ids)} "
            f"transaction(s). {review.sentence() if review else 'Review: not reviewed (open).'} "
            f"finflow finding id {finding.finding_id}.",
        )
        note.add("keywords", ["finflow", finding.detector, f"review:{case.review_label(finding.finding_id)}"])
        note.add("publisher", "finflow")
        w.emit(note)
