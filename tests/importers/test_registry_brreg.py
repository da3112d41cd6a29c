"""Brønnøysund entity and roles JSON."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finflow.ids import address_id, file_sha256, org_party_id, person_party_id
from finflow.importers import brreg
from finflow.importers.base import ImportError_, Source
from finflow.importers.registry import detect
from finflow.model import conform

KEY = b"importer-test-key"  # the case key, pinned so the tests can work out person ids
FIXTURES = Path(__file__).parent / "fixtures" / "registry"
NORDLYS = org_party_id("923609016")
KARI = person_party_id("kari nordmann", "1980-02-29", KEY)


def run(path: Path | str, name: str | None = None, **options: str):
    path = str(path)
    source = Source(path, name or Path(path).name, file_sha256(path), "batch-1", dict(options), key=KEY)
    return brreg.read(path, source)


def check_reconciles(result) -> None:
    loaded = len(result.tables["companies"]) if "companies" in result.tables else len(result.tables["company_roles"])
    assert result.rows_read == loaded + len(result.rejects)
    for name, frame in result.tables.items():
        conform(name, frame)
    conform("rejects", result.rejects)


def reasons(result) -> dict[str, str]:
    return dict(zip(result.rejects["source_locator"], result.rejects["reason"], strict=True))


def test_single_entity():
    result = run(FIXTURES / "entity_923609016.json")
    check_reconciles(result)
    party = result.tables["parties"].iloc[0]
    fields = ["party_id", "kind", "name", "org_number", "country"]
    assert party[fields].tolist() == [NORDLYS, "company", "Nordlys Bemanning AS", "923609016", "NO"]
    company = result.tables["companies"].iloc[0]
    assert company["org_form"] == "AS" and company["industry_code"] == "78.200"
    assert company["employees"] == 1 and str(company["founded"].date()) == "2021-02-01"
    assert pd.notna(company["bankrupt"]) and not bool(company["bankrupt"])
    assert pd.notna(company["in_liquidation"]) and not bool(company["in_liquidation"])
    assert company["source_locator"] == "$"
    links = result.tables["party_addresses"].set_index("kind")
    assert links.loc["business", "address_id"] == address_id("storgate 5b, 0150, NO")
    assert links.loc["postal", "address_id"] == address_id("postboks 12 sentrum, 0101, NO")
    ids = result.tables["identifiers"]
    assert set(zip(ids["kind"], ids["value"], strict=True)) == {
        ("phone", "+4722334455"),
        ("email", "post@nordlys.example"),
    }


def test_page_with_bad_entities():
    result = run(FIXTURES / "enheter_page.json")
    check_reconciles(result)
    assert result.tables["parties"]["org_number"].tolist() == ["972412112"]
    company = result.tables["companies"].iloc[0]
    assert pd.isna(company["employees"])  # 0 with harRegistrertAntallAnsatte false is "unknown", not 0
    assert result.tables["companies"]["source_locator"].tolist() == ["_embedded.enheter[0]"]
    got = reasons(result)
    assert got["_embedded.enheter[1]"].startswith("organisasjonsnummer is not a valid organisation number")
    assert got["_embedded.enheter[2]"] == "not a JSON object"
    assert got["_embedded.enheter[3]"] == "stiftelsesdato is not a valid YYYY-MM-DD date"
    assert got["_embedded.enheter[4]"] == "konkurs is not true or false"


def test_bulk_array_flags_and_gzip(tmp_path):
    packed = tmp_path / "enheter_alle.json.gz"
    packed.write_bytes(gzip.compress((FIXTURES / "enheter_bulk.json").read_bytes()))
    for path in (FIXTURES / "enheter_bulk.json", packed):
        result = run(path)
        check_reconciles(result)
        companies = result.tables["companies"].set_index("source_locator")
        assert bool(companies.loc["[0]", "bankrupt"]) is True
        assert companies.loc["[0]", "employees"] == 0  # registered as zero: a real 0
        assert bool(companies.loc["[1]", "in_liquidation"]) is True
        got = reasons(result)
        assert set(got) == {"[2]"}
        # registered but no count given: Brønnøysund withholds counts below 5, so it is unknown
        assert pd.isna(companies.loc["[3]", "employees"])
        assert any("1 unit(s) with a withheld head-count" in n for n in result.notes)
    assert detect(str(packed), packed.name) is brreg


def test_roles_single_document_org_number_from_file_name():
    result = run(FIXTURES / "roller_923609016.json")
    check_reconciles(result)
    roles = result.tables["company_roles"].set_index("source_locator")
    assert roles["company_party_id"].eq(NORDLYS).all()
    assert roles.loc["rollegrupper[0].roller[0]", "holder_party_id"] == KARI
    assert roles.loc["rollegrupper[0].roller[0]", "role"] == "DAGL"
    lede = roles.loc["rollegrupper[1].roller[0]"]
    assert lede["holder_party_id"] == person_party_id("ion popescu", "1995-07-14", KEY)  # foedselsdato variant
    assert bool(roles.loc["rollegrupper[1].roller[1]", "resigned"]) is True
    assert roles.loc["rollegrupper[1].roller[2]", "holder_party_id"] == org_party_id("972412112")
    parties = result.tables["parties"].set_index("party_id")
    assert parties.loc[org_party_id("972412112"), "name"] == "SLM REVISJON AS"
    assert NORDLYS not in parties.index  # the company's party comes from its entity document
    # a person without birth date gets an id of their own, not a namesake's
    ola = roles.loc["rollegrupper[1].roller[1]", "holder_party_id"]
    assert parties.loc[ola, "name"] == "Ola Hansen" and pd.isna(parties.loc[ola, "birth_date"])
    assert result.notes
    got = reasons(result)
    assert got["rollegrupper[1].roller[3]"] == "the role names neither a person nor an entity (enhet)"
    assert got["rollegrupper[1].roller[4]"] == "person.fodselsdato is not a valid YYYY-MM-DD date"
    assert got["rollegrupper[2]"] == "the role group has no roller array"


def test_roles_wrapper_keys_name_the_companies():
    result = run(FIXTURES / "roller_wrapper.json")
    check_reconciles(result)
    roles = result.tables["company_roles"]
    assert roles["source_locator"].tolist() == [
        '["923609016"].rollegrupper[0].roller[0]',
        '["910000004"].rollegrupper[0].roller[0]',
    ]
    assert roles["company_party_id"].tolist() == [NORDLYS, org_party_id("910000004")]
    got = reasons(result)
    assert got['["923609017"].rollegrupper[0].roller[0]'] == "the company's org number 923609017 is not valid (MOD11)"
    assert "enhet.organisasjonsnummer" in got['["910000004"].rollegrupper[0].roller[1]']


def test_roles_wrapper_with_a_broken_member(tmp_path):
    doc = json.loads((FIXTURES / "roller_wrapper.json").read_text(encoding="utf-8"))
    doc["910000012"] = None
    path = tmp_path / "roller_alle.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = run(path)
    check_reconciles(result)
    assert reasons(result)['["910000012"]'] == "not a roles document (an object with rollegrupper)"
    assert len(result.tables["company_roles"]) == 2


def test_roles_without_org_number_is_a_clear_error(tmp_path):
    path = tmp_path / "roller.json"
    path.write_bytes((FIXTURES / "roller_923609016.json").read_bytes())
    with pytest.raises(ImportError_, match=r"roller\.json: a roles document does not name its company"):
        run(path)
    assert len(run(path, org_number="923609016").tables["company_roles"]) == 4


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" * 100 + "]" * 100, "nested 100 levels deep"),
        ('{"organisasjonsnummer": "923609016", "navn": ', "not valid JSON"),
        ('{"hello": "world"}', "not a Brønnøysund document"),
        ("42", "neither an entity"),
        ('[{"organisasjonsnummer": NaN}]', "NaN is not valid JSON"),
        ("   ", "the file is empty"),
    ],
)
def test_bad_documents_are_refused_by_name(tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ImportError_, match=message) as info:
        run(path)
    assert str(info.value).startswith("bad.json: ")


def test_size_limit_applies_after_decompression(tmp_path):
    path = tmp_path / "bomb.json.gz"
    path.write_bytes(gzip.compress(b"[" + b" " * 5_000_000 + b"]"))
    assert path.stat().st_size < 20_000
    with pytest.raises(ImportError_, match=r"bomb\.json\.gz: larger than 1000000 bytes"):
        run(path, max_bytes="1000000")


def _brute_depth(text: str) -> int:
    depth = best = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            best = max(best, depth)
        elif ch in "]}":
            depth -= 1
    return best


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='ab"\\[]{}', max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(alphabet='k"\\[{', max_size=3), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None)
@given(value=_json, chunk=st.integers(1, 8))
def test_depth_scan_matches_a_plain_parser(value, chunk):
    text = json.dumps(value)
    old = brreg._CHUNK
    brreg._CHUNK = chunk  # tiny chunks exercise the state carried across chunk borders
    try:
        assert brreg._max_depth(text.encode()) == _brute_depth(text)
    finally:
        brreg._CHUNK = old


_entity = st.fixed_dictionaries(
    {},
    optional={
        "organisasjonsnummer": st.sampled_from(["923609016", "923609017", "12345", "", 923609016])
        | st.text(max_size=9),
        "navn": st.text(max_size=10) | st.integers(),
        "organisasjonsform": st.just({"kode": "AS"}) | st.text(max_size=3) | st.none(),
        "naeringskode1": st.dictionaries(st.sampled_from(["kode"]), st.text(max_size=6) | st.integers()),
        "harRegistrertAntallAnsatte": st.booleans() | st.none() | st.text(max_size=2),
        "antallAnsatte": st.integers(-3, 10**6) | st.text(max_size=3) | st.none() | st.booleans(),
        "stiftelsesdato": st.sampled_from(["2020-01-01", "2020-02-30", "yesterday"]) | st.integers(),
        "konkurs": st.booleans() | st.none() | st.integers(0, 1),
        "underAvvikling": st.booleans() | st.text(max_size=1),
        "forretningsadresse": st.none()
        | st.text(max_size=3)
        | st.fixed_dictionaries(
            {},
            optional={
                "adresse": st.lists(st.text(max_size=8) | st.integers(), max_size=2) | st.text(max_size=5),
                "postnummer": st.text(max_size=5),
                "landkode": st.sampled_from(["NO", "SE", "x", ""]) | st.integers(),
            },
        ),
    },
)
_role = st.fixed_dictionaries(
    {},
    optional={
        "type": st.just({"kode": "DAGL"}) | st.text(max_size=3) | st.dictionaries(st.just("kode"), st.integers()),
        "person": st.fixed_dictionaries(
            {},
            optional={
                "fodselsdato": st.sampled_from(["1980-01-01", "1980-02-30", ""]) | st.integers(),
                "navn": st.text(max_size=6)
                | st.dictionaries(
                    st.sampled_from(["fornavn", "etternavn", "mellomnavn"]),
                    st.text(max_size=5) | st.none(),
                ),
            },
        ),
        "enhet": st.dictionaries(
            st.sampled_from(["organisasjonsnummer", "navn"]),
            st.text(max_size=9) | st.lists(st.text(max_size=3)),
        ),
        "fratraadt": st.booleans() | st.text(max_size=1),
    },
) | st.text(max_size=3)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    doc=st.one_of(
        st.lists(_entity | st.integers(), max_size=5),
        st.lists(_entity, max_size=4).map(lambda es: {"_embedded": {"enheter": es}}),
        st.lists(_role, max_size=4).map(lambda rs: {"rollegrupper": [{"roller": rs}, "x"]}),
        st.dictionaries(
            st.sampled_from(["923609016", "923609017", "abc"]),
            st.lists(_role, max_size=3).map(lambda rs: {"rollegrupper": [{"roller": rs}]}),
            min_size=1,
        ),
    )
)
def test_random_documents_never_crash_and_reconcile(doc, tmp_path):
    path = tmp_path / "910000004_random.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    try:
        result = run(path)
    except ImportError_ as exc:
        assert str(exc).startswith("910000004_random.json: ")
        return
    check_reconciles(result)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_bytes_give_rejects_or_a_clear_error(data, tmp_path):
    name = data.draw(st.sampled_from(["entity_923609016.json", "enheter_page.json", "roller_wrapper.json"]))
    original = (FIXTURES / name).read_bytes()
    position = data.draw(st.integers(0, len(original) - 1))
    junk = data.draw(st.binary(min_size=1, max_size=3))
    path = tmp_path / name
    path.write_bytes(original[:position] + junk + original[position + data.draw(st.integers(0, 3)) :])
    try:
        result = run(path)
    except ImportError_ as exc:
        assert str(exc).startswith(name)
        return
    check_reconciles(result)


@pytest.mark.parametrize(
    "fixture",
    [
        "entity_923609016.json",
        "enheter_page.json",
        "enheter_bulk.json",
        "roller_923609016.json",
        "roller_wrapper.json",
    ],
)
def test_detected_by_sniffing(fixture):
    assert detect(str(FIXTURES / fixture), fixture) is brreg
