"""One writer per output file: transactions CSV, KYC, register, leases, Brønnøysund JSON, truth.

Rows are written in a fixed order (sorted by content, not by creation) so that nothing in the
files reveals which records a scenario created together, and the same world gives the same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from finflow.model import CHANNELS
from finflow.synth.ledger import CURRENCIES, Strings, Truth
from finflow.synth.refdata import COUNTRY_NAMES, NACE, ORG_FORMS, PLACES
from finflow.synth.world import World

__all__ = [
    "TXN_COLUMNS",
    "TransactionWriter",
    "write_accounts",
    "write_brreg",
    "write_leases",
    "write_persons",
    "write_truth",
]

TXN_COLUMNS = [
    "date",
    "time",
    "amount",
    "currency",
    "from_account",
    "from_name",
    "from_country",
    "to_account",
    "to_name",
    "to_country",
    "channel",
    "description",
    "txn_ref",
]
_CSV = {"index": False, "lineterminator": "\n", "quoting": csv.QUOTE_MINIMAL, "encoding": "utf-8"}
_SUB_CHUNK = 250_000


def _escape(text: str) -> str:
    """One CSV field, quoted only when needed (RFC 4180)."""
    if any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _with_blank(values: list[str]) -> np.ndarray:
    """Object array whose index -1 is the empty string."""
    return np.array([*values, ""], dtype=object)


class TransactionWriter:
    """Numbers sorted month blocks, writes them as CSV and collects each tag's ``txn_ref`` list."""

    def __init__(self, out_dir: Path, world: World, strings: Strings, seed: int, n_days: int, split: bool) -> None:
        self.out_dir = out_dir
        self.strings = strings
        self.seed = seed
        self.split = split
        self.files: list[Path] = []
        self.count = 0
        self.tag_refs: dict[int, list[int]] = {}
        self.numbers = _with_blank(world.a_number)
        accounts = range(len(world.a_number))
        self.names = _with_blank([_escape(world.account_name(a)) for a in accounts])
        self.countries = _with_blank([world.account_country(a) for a in accounts])
        self._escaped: list[str] = []
        self.dates = _with_blank([date.fromordinal(world.start.toordinal() + d).isoformat() for d in range(n_days)])
        self.times = _with_blank([f"{m // 60:02d}:{m % 60:02d}" for m in range(1440)])
        self.channels = np.array(CHANNELS, dtype=object)
        self.currencies = np.array(CURRENCIES, dtype=object)
        if not split:
            self._open(self.out_dir / "transactions.csv")

    def _open(self, path: Path) -> None:
        self.files.append(path)
        path.write_text(",".join(TXN_COLUMNS) + "\n", encoding="utf-8")

    def write_block(self, cols: dict[str, np.ndarray]) -> None:
        """Sort one block (a calendar month) by date and time, number it and append it."""
        order = np.argsort(cols["day"].astype(np.int64) * 1441 + cols["minute"] + 1, kind="stable")
        cols = {k: v[order] for k, v in cols.items()}
        if self.split:
            self._open(self.out_dir / f"transactions-{len(self.files) + 1:04d}.csv")
        total = cols["day"].size
        for lo in range(0, total, _SUB_CHUNK):
            part = {k: v[lo : lo + _SUB_CHUNK] for k, v in cols.items()}
            self._write_rows(part, self.count)
            self.count += part["day"].size
        tags = cols["tag"]
        for i in np.flatnonzero(tags >= 0).tolist():
            self.tag_refs.setdefault(int(tags[i]), []).append(self.count - total + i)

    def _write_rows(self, c: dict[str, np.ndarray], first: int) -> None:
        n = c["day"].size
        texts = self._texts()
        amount = c["amount"]
        amount_text = pd.Series(amount // 100).astype(str) + "." + pd.Series(amount % 100).astype(str).str.zfill(2)
        to_country = self.countries[c["dst"]]
        override = c["dst_country"] >= 0
        to_country[override] = texts[c["dst_country"][override]]
        refs = f"S{self.seed}-" + pd.Series(np.arange(first, first + n)).astype(str).str.zfill(9)
        columns = [
            self.dates[c["day"]],
            self.times[c["minute"]],
            amount_text.to_numpy(dtype=object),
            self.currencies[c["currency"]],
            self.numbers[c["src"]],
            self.names[c["src"]],
            self.countries[c["src"]],
            self.numbers[c["dst"]],
            self.names[c["dst"]],
            to_country,
            self.channels[c["channel"]],
            texts[c["desc"]],
            refs.to_numpy(dtype=object),
        ]
        lines = map(",".join, zip(*(col.tolist() for col in columns), strict=True))
        with open(self.files[-1], "a", encoding="utf-8", newline="") as fh:
            fh.write("\n".join(lines) + "\n")

    def _texts(self) -> np.ndarray:
        """The string table, CSV-escaped (extended as the table grows)."""
        values = self.strings.values
        self._escaped.extend(_escape(v) for v in values[len(self._escaped) :])
        return np.array(self._escaped, dtype=object)

    def ref(self, number: int) -> str:
        return f"S{self.seed}-{number:09d}"


def _write_frame(path: Path, rows: list[dict[str, Any]], columns: list[str], sort: list[str]) -> int:
    frame = pd.DataFrame(rows, columns=columns).fillna("")
    frame = frame.sort_values(sort, kind="stable") if len(frame) else frame
    frame.to_csv(path, **_CSV)
    return len(frame)


def write_accounts(path: Path, world: World) -> int:
    """KYC extract: one row per Norwegian account (foreign accounts are not in Norwegian KYC)."""
    rows = []
    for a, number in enumerate(world.a_number):
        kind, holder = world.a_kind[a], world.a_holder[a]
        if kind == "foreign":
            continue
        person = kind == "person"
        rows.append(
            {
                "account": number,
                "holder_name": world.account_name(a),
                "holder_kind": kind,
                "holder_birth_date": world.p_birth[holder].isoformat() if person else "",
                "holder_org_number": "" if person else world.c_orgnr[holder],
                "bank": world.a_bank[a],
                "opened": world.a_opened[a].isoformat() if world.a_opened[a] else "",
            }
        )
    columns = [
        "account",
        "holder_name",
        "holder_kind",
        "holder_birth_date",
        "holder_org_number",
        "bank",
        "opened",
    ]
    return _write_frame(path, rows, columns, ["account"])


def write_persons(path: Path, world: World) -> int:
    """Population-register extract: one row per person and address period."""
    rows = []
    for p in range(len(world.p_first)):
        if not world.p_register[p]:
            continue
        for addr, since, until in world.p_homes[p]:
            postcode, city, _, _ = PLACES[world.addr_place[addr]]
            rows.append(
                {
                    "name": world.person_name(p),
                    "birth_date": world.p_birth[p].isoformat(),
                    "nationality": world.p_nat[p],
                    "id_number": world.p_idnr[p],
                    "phone": world.p_phone[p],
                    "street": world.addr_street[addr],
                    "postcode": postcode,
                    "city": city,
                    "country": "NO",
                    "address_from": since.isoformat(),
                    "address_to": until.isoformat() if until else "",
                }
            )
    columns = [
        "name",
        "birth_date",
        "nationality",
        "id_number",
        "phone",
        "street",
        "postcode",
        "city",
        "country",
        "address_from",
        "address_to",
    ]
    return _write_frame(path, rows, columns, ["name", "birth_date", "address_from"])


def _party(world: World, party: tuple[str, int]) -> tuple[str, str, str]:
    kind, idx = party
    if kind == "c":
        return world.c_name[idx], world.c_orgnr[idx], ""
    return world.person_name(idx), "", world.p_birth[idx].isoformat()


def write_leases(path: Path, world: World, seed: int) -> int:
    """Lease register extract: premises, owner, landlord, tenant, rent and term."""
    rows = []
    for premises, owner, landlord, tenant, rent, start, end in world.leases:
        postcode, city, _, _ = PLACES[world.addr_place[premises]]
        o, lnd, t = _party(world, owner), _party(world, landlord), _party(world, tenant)
        key = "|".join([str(seed), world.addr_street[premises], postcode, *t, start.isoformat()])
        rows.append(
            {
                "lease_ref": "L-" + hashlib.sha256(key.encode()).hexdigest()[:12],
                "premises_street": world.addr_street[premises],
                "premises_postcode": postcode,
                "premises_city": city,
                "owner_name": o[0],
                "owner_org_number": o[1],
                "owner_birth_date": o[2],
                "landlord_name": lnd[0],
                "landlord_org_number": lnd[1],
                "landlord_birth_date": lnd[2],
                "tenant_name": t[0],
                "tenant_org_number": t[1],
                "tenant_birth_date": t[2],
                "monthly_rent": f"{rent // 100}.{rent % 100:02d}",
                "currency": "NOK",
                "start_date": start.isoformat(),
                "end_date": end.isoformat() if end else "",
            }
        )
    columns = [
        "lease_ref",
        "premises_street",
        "premises_postcode",
        "premises_city",
        "owner_name",
        "owner_org_number",
        "owner_birth_date",
        "landlord_name",
        "landlord_org_number",
        "landlord_birth_date",
        "tenant_name",
        "tenant_org_number",
        "tenant_birth_date",
        "monthly_rent",
        "currency",
        "start_date",
        "end_date",
    ]
    return _write_frame(path, rows, columns, ["lease_ref"])


_ROLE_TEXT = {
    "DAGL": "Daglig leder",
    "LEDE": "Styrets leder",
    "MEDL": "Styremedlem",
    "INNH": "Innehaver",
}
_GROUP = {
    "DAGL": ("DAGL", "Daglig leder/ adm.direktør"),
    "LEDE": ("STYR", "Styre"),
    "MEDL": ("STYR", "Styre"),
    "INNH": ("INNH", "Innehaver"),
}


def _address(world: World, addr: int) -> dict[str, Any]:
    postcode, city, kommunenr, kommune = PLACES[world.addr_place[addr]]
    return {
        "land": COUNTRY_NAMES["NO"],
        "landkode": "NO",
        "postnummer": postcode,
        "poststed": city,
        "adresse": [world.addr_street[addr]],
        "kommune": kommune,
        "kommunenummer": kommunenr,
    }


def write_brreg(enheter_path: Path, roller_path: Path, world: World) -> int:
    """Enhetsregisteret entities (a JSON array) and roles (orgnr → roles document)."""
    order = sorted(range(len(world.c_name)), key=lambda c: world.c_orgnr[c])
    enheter, roller = [], {}
    for c in order:
        nace = NACE[world.c_nace[c]]
        employees = world.c_employees[c]
        founded: date = world.c_founded[c]
        entity: dict[str, Any] = {
            "organisasjonsnummer": world.c_orgnr[c],
            "navn": world.c_name[c].upper(),
            "organisasjonsform": {
                "kode": world.c_form[c],
                "beskrivelse": ORG_FORMS[world.c_form[c]],
            },
            "registreringsdatoEnhetsregisteret": founded.isoformat(),
            "registrertIMvaregisteret": world.c_form[c] not in ("ORGL", "FLI"),
            "naeringskode1": {"kode": nace[0], "beskrivelse": nace[1]},
            "antallAnsatte": employees or 0,
            "harRegistrertAntallAnsatte": employees is not None,
            "forretningsadresse": _address(world, world.c_addr[c]),
            "stiftelsesdato": founded.isoformat(),
            "konkurs": False,
            "underAvvikling": False,
            "underTvangsavviklingEllerTvangsopplosning": False,
            "maalform": "Bokmål",
        }
        enheter.append(entity)
        groups: dict[str, dict[str, Any]] = {}
        for code, person in world.c_roles[c]:
            gcode, gtext = _GROUP[code]
            group = groups.setdefault(
                gcode,
                {
                    "type": {"kode": gcode, "beskrivelse": gtext},
                    "sistEndret": founded.isoformat(),
                    "roller": [],
                },
            )
            group["roller"].append(
                {
                    "type": {"kode": code, "beskrivelse": _ROLE_TEXT[code]},
                    "person": {
                        "fodselsdato": world.p_birth[person].isoformat(),
                        "navn": {
                            "fornavn": world.p_first[person],
                            "etternavn": world.p_last[person],
                        },
                        "erDoed": False,
                    },
                    "fratraadt": False,
                    "avregistrert": False,
                }
            )
        roller[world.c_orgnr[c]] = {"rollegrupper": list(groups.values())}
    enheter_path.write_text(json.dumps(enheter, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    roller_path.write_text(json.dumps(roller, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return len(enheter)


def write_truth(path: Path, truth: Truth, writer: TransactionWriter, header: dict[str, Any]) -> None:
    """The answer key (see docs/synth.md for every key)."""
    scenarios, decoys = [], []
    for tag, entry in enumerate(truth.entries):
        refs = [writer.ref(n) for n in sorted(writer.tag_refs.get(tag, []))]
        item: dict[str, Any] = {
            "id": entry.id,
            "type": entry.type,
            "roles": entry.roles,
            "accounts": entry.accounts,
            "counterparty_accounts": entry.counterparty_accounts,
            "persons": entry.persons,
            "companies": entry.companies,
            "parameters": entry.parameters,
            "txn_refs": refs,
        }
        (decoys if entry.decoy else scenarios).append(item)
    collectors = [a for s in scenarios for a in s["roles"].get("collector_accounts", [])]
    doc = {**header, "collector_accounts": collectors, "scenarios": scenarios, "decoys": decoys}
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
