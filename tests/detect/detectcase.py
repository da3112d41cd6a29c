"""Small cases for detector tests, imported through the real importers and resolved.

Transactions go through the generic CSV importer; holders, persons, leases and Brønnøysund
records through their own importers; then parties are resolved on strong keys, exactly as a
case would be before analysis.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
from casebuilder import account, write_generic_csv

from finflow.case import open_case
from finflow.casedata import CaseData
from finflow.casekey import KEY_FILE
from finflow.config import load_config
from finflow.ids import org_party_id, person_party_id
from finflow.importers.kyc_accounts import COLUMNS as KYC_COLUMNS
from finflow.importers.leases import COLUMNS as LEASE_COLUMNS
from finflow.importers.persons import COLUMNS as PERSON_COLUMNS
from finflow.model import TABLES
from finflow.normalize import normalize_name
from finflow.resolve import resolve_parties

__all__ = ["CONFIG", "KEY", "START", "account", "build", "day", "org_id", "orgnr", "person_id", "txn"]

CONFIG = load_config()
#: The case key of every case :func:`build` makes, so tests can work out person ids themselves.
KEY = b"detectcase-test-key"
START = date(2026, 1, 5)


def day(n: int) -> str:
    """ISO date ``n`` days after the start of the test period."""
    return (START + timedelta(days=n)).isoformat()


def orgnr(n: int) -> str:
    """A valid (MOD11) Norwegian organisation number derived from ``n``."""
    base = 91_000_000 + n * 13
    while True:
        digits = f"{base:08d}"
        rem = sum(int(d) * w for d, w in zip(digits, (3, 2, 7, 6, 5, 4, 3, 2), strict=True)) % 11
        check = 0 if rem == 0 else 11 - rem
        if check != 10:
            return digits + str(check)
        base += 1


def org_id(n: int) -> str:
    return org_party_id(orgnr(n))


def person_id(name: str, birth: str) -> str:
    return person_party_id(normalize_name(name), birth, KEY)


_REF = [0]


def txn(when: int, amount: float, frm: str | None, to: str | None, channel: str = "transfer", text: str = "", *,
        time: str | None = None, from_name: str | None = None, to_name: str | None = None,
        to_country: str | None = None) -> dict:  # fmt: skip
    """One generic-CSV row (amount in whole NOK)."""
    _REF[0] += 1
    return {
        "date": day(when), "time": time, "amount": f"{amount:.2f}", "currency": "NOK",
        "from_account": frm, "from_name": from_name, "to_account": to, "to_name": to_name,
        "to_country": to_country, "channel": channel, "description": text, "txn_ref": f"r{_REF[0]}",
    }  # fmt: skip


def _csv(path: Path, columns: Iterable[str], rows: Iterable[Mapping[str, object]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return path


def build(
    tmp_path: Path,
    tx: Iterable[Mapping[str, object]] = (),
    *,
    holders: Iterable[Mapping[str, object]] = (),
    persons: Iterable[Mapping[str, object]] = (),
    leases: Iterable[Mapping[str, object]] = (),
    companies: Iterable[Mapping[str, object]] = (),
    roles: Mapping[str, list[tuple[str, str, str]]] | None = None,
) -> CaseData:
    """Write the given records as extract files, import them all and resolve parties.

    ``holders``: KYC rows (account, holder_name, holder_kind, holder_birth_date, holder_org_number).
    ``companies``: Brønnøysund entity documents. ``roles``: org number → [(role, name, birth date)].
    """
    files = []
    tx = list(tx)
    if tx:
        files.append(write_generic_csv(tmp_path / "tx.csv", tx))
    if holders := list(holders):
        files.append(_csv(tmp_path / "accounts.csv", KYC_COLUMNS, holders))
    if persons := list(persons):
        files.append(_csv(tmp_path / "persons.csv", PERSON_COLUMNS, persons))
    if leases := list(leases):
        files.append(_csv(tmp_path / "leases.csv", LEASE_COLUMNS, leases))
    if companies := list(companies):
        (tmp_path / "enheter.json").write_text(json.dumps(companies), encoding="utf-8")
        files.append(tmp_path / "enheter.json")
    if roles:
        wrapper = {
            org: {"rollegrupper": [{"type": {"kode": r}, "roller": [{"type": {"kode": r}, "person": {
                "fodselsdato": birth, "navn": {"fornavn": name.split()[0], "etternavn": name.split()[-1]}}}]}
                for r, name, birth in items]}
            for org, items in roles.items()
        }  # fmt: skip
        (tmp_path / "roller.json").write_text(json.dumps(wrapper), encoding="utf-8")
        files.append(tmp_path / "roller.json")
    (tmp_path / "case").mkdir(exist_ok=True)
    (tmp_path / "case" / KEY_FILE).write_bytes(KEY + b"\n")
    case = open_case(tmp_path / "case")
    for report in case.import_files(files):
        assert report.status == "imported", (report.file, report.error)
        assert report.rejected == 0, (report.file, report.notes)
    tables = {n: case.table(n).to_pandas(types_mapper=pd.ArrowDtype) for n in TABLES}
    resolved, _ = resolve_parties(tables)
    return CaseData.from_tables(resolved)


def person_holder(acc: str, name: str, birth: str) -> dict:
    return {"account": acc, "holder_name": name, "holder_kind": "person", "holder_birth_date": birth}


def company_holder(acc: str, name: str, n: int) -> dict:
    return {"account": acc, "holder_name": name, "holder_kind": "company", "holder_org_number": orgnr(n)}


def company(n: int, name: str, industry: str, employees: int | None, *, street: str = "Industriveien 1",
            founded: str = "2015-01-01") -> dict:  # fmt: skip
    """A Brønnøysund entity document."""
    doc = {
        "organisasjonsnummer": orgnr(n), "navn": name, "organisasjonsform": {"kode": "AS"},
        "naeringskode1": {"kode": industry}, "harRegistrertAntallAnsatte": employees is not None,
        "stiftelsesdato": founded,
        "forretningsadresse": {"landkode": "NO", "postnummer": "0150", "poststed": "OSLO", "adresse": [street]},
        "konkurs": False, "underAvvikling": False, "underTvangsavviklingEllerTvangsopplosning": False,
    }  # fmt: skip
    if employees is not None:
        doc["antallAnsatte"] = employees
    return doc
