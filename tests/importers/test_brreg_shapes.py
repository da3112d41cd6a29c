"""Brønnøysund responses as the API gives them: withheld head-counts, null and empty address
lines, deleted units, roles responses that do not name their company, and empty search pages."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from finflow.ids import file_sha256, org_party_id
from finflow.importers import brreg
from finflow.importers.base import Source
from finflow.model import conform

KEY = b"brreg-shapes-key"


def run(path: Path, **options: str):
    source = Source(str(path), path.name, file_sha256(str(path)), "b", dict(options), key=KEY)
    result = brreg.read(str(path), source)
    loaded = len(result.tables.get("companies", result.tables.get("company_roles", [])))
    assert result.rows_read == loaded + len(result.rejects)
    for name, frame in result.tables.items():
        conform(name, frame)
    return result


def write(tmp_path: Path, name: str, doc: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def entity(orgnr: str, name: str, **extra: object) -> dict:
    return {"organisasjonsnummer": orgnr, "navn": name, "organisasjonsform": {"kode": "AS"}, **extra}


def test_withheld_head_count_is_unknown_and_a_bad_one_still_rejected(tmp_path: Path) -> None:
    page = {"_embedded": {"enheter": [
        entity("923609016", "Nordlys Bemanning AS", harRegistrertAntallAnsatte=True),
        entity("972412112", "SLM Revisjon AS", harRegistrertAntallAnsatte=True, antallAnsatte=12),
        entity("910000047", "Feil AS", harRegistrertAntallAnsatte=True, antallAnsatte=-3),
    ]}, "page": {"totalElements": 3}}  # fmt: skip
    result = run(write(tmp_path, "side.json", page))
    companies = result.tables["companies"].set_index("source_locator")
    assert pd.isna(companies.loc["_embedded.enheter[0]", "employees"])
    assert companies.loc["_embedded.enheter[1]", "employees"] == 12
    assert list(result.rejects["source_locator"]) == ["_embedded.enheter[2]"]
    assert any("1 unit(s) with a withheld head-count" in n for n in result.notes)


def test_null_and_empty_address_lines_are_dropped(tmp_path: Path) -> None:
    doc = entity("923609016", "Nordlys Bemanning AS", forretningsadresse={
        "adresse": ["Tyvholmen 1", None, None, ""], "postnummer": "0250", "poststed": "OSLO", "landkode": "NO",
    })  # fmt: skip
    result = run(write(tmp_path, "enhet.json", doc))
    assert len(result.rejects) == 0
    assert result.tables["addresses"]["street"].tolist() == ["Tyvholmen 1"]


def test_deleted_units_are_imported_with_their_deletion_date(tmp_path: Path) -> None:
    bulk = [
        entity("923609016", "Nordlys Bemanning AS"),
        entity("912345678", "Gamle Vikar AS", slettedato="2019-06-30"),  # fails MOD11, as old numbers can
        entity("972412112", "SLM Revisjon AS", slettedato="2023-02-01"),
    ]
    result = run(write(tmp_path, "enheter.json", bulk))
    parties = result.tables["parties"].set_index("party_id")
    assert len(result.rejects) == 0 and len(parties) == 3
    assert parties.loc[org_party_id("912345678"), "name"] == "Gamle Vikar AS"
    note = next(n for n in result.notes if "deleted unit(s)" in n)
    assert note.startswith("2 deleted unit(s)") and "912345678 deleted 2019-06-30" in note
    assert "972412112 deleted 2023-02-01" in note
    deleted = result.tables["companies"].set_index("party_id")["deleted"]
    assert pd.isna(deleted[org_party_id("923609016")])  # not deleted: no date
    assert pd.Timestamp(deleted[org_party_id("912345678")]) == pd.Timestamp("2019-06-30")
    assert pd.Timestamp(deleted[org_party_id("972412112")]) == pd.Timestamp("2023-02-01")


def test_roles_response_says_where_its_org_number_came_from(tmp_path: Path) -> None:
    roles = {"rollegrupper": [{"type": {"kode": "DAGL"}, "roller": [
        {"type": {"kode": "DAGL"}, "person": {"navn": {"fornavn": "Kari", "etternavn": "Nordmann"},
                                              "fodselsdato": "1980-02-29"}, "fratraadt": False},
    ]}]}  # fmt: skip
    given = run(write(tmp_path, "roller.json", roles), org_number="923609016")
    assert given.tables["company_roles"]["company_party_id"].tolist() == [org_party_id("923609016")]
    assert any("organisation 923609016, taken from --orgnr" in n for n in given.notes)
    named = run(write(tmp_path, "923609016_roller.json", roles))
    assert any("organisation 923609016, taken from the file name" in n for n in named.notes)


def test_an_empty_search_page_imports_zero_records(tmp_path: Path) -> None:
    page = {"_links": {"self": {"href": "https://data.brreg.no/enhetsregisteret/api/enheter?navn=x"}},
            "page": {"size": 20, "totalElements": 0, "totalPages": 0, "number": 0}}  # fmt: skip
    result = run(write(tmp_path, "sok.json", page))
    assert result.rows_read == 0 and len(result.rejects) == 0 and len(result.tables["companies"]) == 0
