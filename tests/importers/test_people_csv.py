"""The people CSV adapters: KYC accounts, persons, leases, remittances."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finflow.ids import address_id, file_sha256, holder_party_id, org_party_id, person_party_id
from finflow.importers import kyc_accounts, leases, persons, remittance
from finflow.importers.base import ImportError_, Source
from finflow.importers.registry import detect
from finflow.model import conform

KEY = b"importer-test-key"  # the case key, pinned so the tests can work out person ids
FIXTURES = Path(__file__).parent / "fixtures" / "registry"
KARI = person_party_id("kari nordmann", "1980-02-29", KEY)
ION = person_party_id("ion popescu", "1995-07-14", KEY)
NORDLYS = org_party_id("923609016")
STORGATA_5B = address_id("storgate 5b, 0150, NO")

#: adapter → the table holding one row per loaded record
PRIMARY = {
    kyc_accounts: "accounts",
    persons: "parties",
    leases: "leases",
    remittance: "transactions",
}


def run(module, path: Path | str, name: str | None = None):
    path = str(path)
    source = Source(path, name or Path(path).name, file_sha256(path), "batch-1", key=KEY)
    return module.read(path, source)


def check_reconciles(module, result) -> None:
    loaded = len(result.tables[PRIMARY[module]])
    assert result.rows_read == loaded + len(result.rejects)
    for name, frame in result.tables.items():
        conform(name, frame)  # every table fits the model's schema
    conform("rejects", result.rejects)


def reasons(result) -> dict[str, str]:
    return dict(zip(result.rejects["source_locator"], result.rejects["reason"], strict=True))


# --- KYC accounts ------------------------------------------------------------------------------


def test_accounts_give_strong_holders():
    result = run(kyc_accounts, FIXTURES / "accounts.csv")
    check_reconciles(kyc_accounts, result)
    accounts = result.tables["accounts"].drop_duplicates("account_id").set_index("account_id")
    assert accounts.loc["12345678903", "holder_party_id"] == NORDLYS
    assert accounts.loc["86011117947", "holder_party_id"] == KARI  # IBAN and BBAN are one account
    assert accounts.loc["15030012345", "holder_party_id"] == holder_party_id("15030012345")
    parties = result.tables["parties"].set_index("party_id")
    assert parties.loc[NORDLYS, "org_number"] == "923609016"
    assert parties.loc[NORDLYS, "kind"] == "company"
    assert str(parties.loc[KARI, "birth_date"].iloc[0].date()) == "1980-02-29"


def test_accounts_reject_bad_rows_with_reasons():
    result = run(kyc_accounts, FIXTURES / "accounts.csv")
    got = reasons(result)
    assert got["row 5"] == "account already listed at row 2 with another holder"
    assert "MOD11" in got["row 7"]
    assert got["row 8"] == "holder_kind must be person or company"
    assert got["row 9"] == "account is empty"
    assert got["row 10"] == "holder_birth_date is not a valid YYYY-MM-DD date"
    assert got["row 11"] == "opened is not a valid YYYY-MM-DD date"
    assert result.rejects["source_file"].eq("accounts.csv").all()
    assert any("unresolved" in n for n in result.notes)


def test_missing_column_is_a_clear_error(tmp_path):
    path = tmp_path / "accounts.csv"
    path.write_text("account,holder_name,holder_kind\n1,2,3\n", encoding="utf-8")
    with pytest.raises(ImportError_, match=r"accounts.csv: row 1 \(header\) lacks column\(s\) holder_birth_date"):
        run(kyc_accounts, path)


# --- persons -----------------------------------------------------------------------------------


def test_persons_addresses_identifiers():
    result = run(persons, FIXTURES / "persons.csv")
    check_reconciles(persons, result)
    parties = result.tables["parties"]
    assert set(parties["party_id"]) == {KARI, ION, person_party_id("ana popescu", "1997-03-03", KEY)}
    assert parties.loc[parties["party_id"] == ION, "country"].eq("RO").all()
    links = result.tables["party_addresses"]
    kari = links[links["party_id"] == KARI].sort_values("valid_from")
    assert kari["kind"].eq("residence").all()
    assert [str(d.date()) for d in kari["valid_from"]] == ["2018-01-01", "2021-07-01"]
    assert str(kari["valid_to"].iloc[0].date()) == "2021-06-30" and pd.isna(kari["valid_to"].iloc[1])
    # three spellings of one address, and a postcode that lost its leading zero, meet
    at_5b = links[links["address_id"] == STORGATA_5B]
    assert len(set(at_5b["party_id"])) == 3
    ids = result.tables["identifiers"]
    assert set(ids.loc[ids["party_id"] == KARI, "value"]) == {"+4741234567"}
    assert set(ids.loc[(ids["party_id"] == ION) & (ids["kind"] == "id_number"), "value"]) == {"RO123456"}


def test_persons_rejects():
    got = reasons(run(persons, FIXTURES / "persons.csv"))
    assert got == {
        "row 7": "birth_date is empty (a person needs name and birth date)",
        "row 8": "birth_date is not a valid YYYY-MM-DD date",
        "row 9": "nationality is not a 2-letter country code",
        "row 10": "address_to is before address_from",
        "row 11": "phone has fewer than 5 digits",
    }


# --- leases ------------------------------------------------------------------------------------


def test_leases_rent_parties_premises():
    result = run(leases, FIXTURES / "leases.csv")
    check_reconciles(leases, result)
    table = result.tables["leases"].set_index("source_locator")
    first = table.loc["row 2"]
    assert first["rent_minor"] == 1_450_000 and first["currency"] == "NOK"
    assert first["tenant_party_id"] == KARI
    assert first["landlord_party_id"] == NORDLYS
    assert first["owner_party_id"] == org_party_id("972412112")
    assert first["premises_address_id"] == STORGATA_5B
    assert table.loc["row 3", "premises_address_id"] == address_id("trondheimsvei 2, 0560, NO")
    assert table.loc["row 3", "landlord_party_id"] == person_party_id("per utleier", "1960-04-04", KEY)
    # a tenant named without birth date is tied to its row, never to namesakes
    anon = table.loc["row 4", "tenant_party_id"]
    assert anon.startswith("party-") and anon not in (KARI, ION)
    again = run(leases, FIXTURES / "leases.csv")
    assert again.tables["leases"]["lease_id"].tolist() == result.tables["leases"]["lease_id"].tolist()


def test_leases_rejects():
    got = reasons(run(leases, FIXTURES / "leases.csv"))
    assert "landlord_org_number is not a valid organisation number" in got["row 5"]
    assert got["row 6"] == "neither tenant nor landlord is named"
    assert got["row 7"] == "monthly_rent: amount has more decimals than the currency"
    assert got["row 8"] == "end_date is before start_date"
    assert got["row 9"] == "lease_ref is empty"
    assert got["row 10"] == "monthly_rent given without currency"


# --- remittances -------------------------------------------------------------------------------


def _tag(name: str, key: str) -> str:
    """The pseudo-account tag, worked out here: HMAC-SHA-256 under the case key of name + key."""
    return hmac.new(KEY, f"{name}\x1f{key}".encode(), hashlib.sha256).hexdigest()[:20]


def test_remittances_meet_on_beneficiary():
    result = run(remittance, FIXTURES / "remittances.csv")
    check_reconciles(remittance, result)
    txns = result.tables["transactions"].set_index("txn_ref")
    assert txns["channel"].eq("remittance").all()
    assert txns.loc["MT-0001", "amount_minor"] == 750_000 and txns.loc["MT-0001", "currency"] == "NOK"
    assert txns.loc["MT-0001", "booking_time"] == "10:15"
    assert str(txns.loc["MT-0002", "booking_date"]) == "2024-03-03"
    beneficiary = "MTO:RO:maria ionescu|" + _tag("maria ionescu", "+40700000001")
    assert set(txns["to_account"]) == {beneficiary}  # three senders, one beneficiary
    assert txns["to_country"].eq("RO").all()
    assert txns.loc["MT-0001", "from_account"] == "MTO-SENDER:ion popescu|" + _tag("ion popescu", "1995-07-14")
    assert txns.loc["MT-0003", "from_account"] == "MTO-SENDER:ola hansen|" + _tag("ola hansen", "D1234567")
    # birth dates, id numbers and phones never show in an account id (every output shows those)
    shown = " ".join(result.tables["accounts"]["account_id"])
    for secret in ("1995-07-14", "D1234567", "+40700000001", "40700000001", "RO123456"):
        assert secret not in shown
    assert "payout 3050.00 RON" in txns.loc["MT-0001", "description"]
    assert "fee 150 NOK" in txns.loc["MT-0001", "description"]
    accounts = result.tables["accounts"].set_index("account_id")
    sender = "MTO-SENDER:ion popescu|" + _tag("ion popescu", "1995-07-14")
    assert accounts.loc[sender, "holder_party_id"] == ION
    assert accounts.loc[beneficiary, "holder_party_id"] == holder_party_id(beneficiary)
    ids = result.tables["identifiers"]
    assert {"+40712345678", "RO123456"} <= set(ids.loc[ids["party_id"] == ION, "value"])
    links = result.tables["party_addresses"]
    assert STORGATA_5B in set(links.loc[links["party_id"] == ION, "address_id"])
    assert set(result.tables["parties"]["party_id"]) >= {ION, holder_party_id(beneficiary)}
    # the sender's pseudo-account needs no placeholder holder: the sender is known
    assert holder_party_id(sender) not in set(result.tables["parties"]["party_id"])


def test_remittance_rejects():
    result = run(remittance, FIXTURES / "remittances.csv")
    got = reasons(result)
    assert got["row 5"] == "status cancelled: no money moved, kept out of flows"
    assert got["row 6"] == "receiver_country is not a 2-letter country code"
    assert got["row 7"] == "payout_time is before send_time"
    assert got["row 8"].startswith("send_time is not a valid")
    assert got["row 9"] == "send_amount: amount is not a positive decimal number"
    assert got["row 10"] == "mto_txn_id repeats row 2"
    assert got["row 11"].startswith("status is not one of")
    assert got["row 12"] == "payout_amount/payout_currency: unknown currency code"
    assert result.notes and "not executed" in result.notes[0]


def test_hostile_text_is_kept_as_data(tmp_path):
    header = ",".join(remittance.COLUMNS)
    evil = '"<script>alert(1)</script>"'
    row = f'M1,2024-01-01,"X"" MERGE (n) DETACH DELETE n //",,,,,,{evil},PL,,,,,10,EUR,,,,,paid'
    path = tmp_path / "mto.csv"
    path.write_text(header + "\n" + row + "\n", encoding="utf-8")
    result = run(remittance, path)
    txn = result.tables["transactions"].iloc[0]
    assert txn["to_name"] == "<script>alert(1)</script>"
    assert txn["from_name"] == 'X" MERGE (n) DETACH DELETE n //'


# --- detection and robustness ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "module"),
    [
        ("accounts.csv", kyc_accounts),
        ("persons.csv", persons),
        ("leases.csv", leases),
        ("remittances.csv", remittance),
    ],
)
def test_detected_by_sniffing(fixture, module):
    assert detect(str(FIXTURES / fixture), fixture) is module


@pytest.mark.parametrize(
    ("fixture", "module"),
    [("accounts.csv", kyc_accounts), ("persons.csv", persons), ("leases.csv", leases), ("remittances.csv", remittance)],
)
def test_same_file_same_tables(fixture, module):
    first, second = run(module, FIXTURES / fixture), run(module, FIXTURES / fixture)
    assert first.tables.keys() == second.tables.keys()
    for name in first.tables:
        assert first.tables[name].equals(second.tables[name]), name
    assert first.rejects.equals(second.rejects)


def test_sniffers_leave_other_files_alone():
    statement = b"date,amount,currency,from_account,to_account\n2024-01-01,1,NOK,1,2\n"
    camt = b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
    for module in (kyc_accounts, persons, leases, remittance):
        assert not module.sniff(statement, "s.csv")
        assert not module.sniff(camt, "s.xml")
        assert not module.sniff(b"\x00\x01binary", "s.bin")
    others = [kyc_accounts, persons, leases, remittance]
    for fixture, module in [("accounts.csv", kyc_accounts), ("persons.csv", persons), ("leases.csv", leases)]:
        head = (FIXTURES / fixture).read_bytes()
        assert [m for m in others if m.sniff(head, fixture)] == [module]


def _csv_text(header: tuple[str, ...], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


_SAMPLES = ["", "2024-01-05", "1980-02-30", "923609016", "923609017", "NOK", "XYZ", "12.5", "0"]
_SAMPLES += [
    "-1",
    "person",
    "company",
    "paid",
    "cancelled",
    "NO",
    "+47 41234567",
    "2024-01-05T25:00",
]
_cell = st.one_of(st.text(max_size=12), st.sampled_from(_SAMPLES))


@pytest.mark.parametrize("module", [kyc_accounts, persons, leases, remittance], ids=lambda m: m.FORMAT)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_rows_never_crash_and_reconcile(module, data, tmp_path):
    width = len(module.COLUMNS)
    rows = data.draw(st.lists(st.lists(_cell, min_size=width, max_size=width), max_size=6))
    path = tmp_path / "random.csv"
    path.write_text(_csv_text(module.COLUMNS, rows), encoding="utf-8")
    try:
        result = run(module, path)
    except ImportError_ as exc:  # e.g. a NUL byte: the whole file is refused, by name
        assert str(exc).startswith("random.csv: ")
        return
    assert result.rows_read == len(rows)
    check_reconciles(module, result)


@pytest.mark.parametrize("fixture", ["accounts.csv", "persons.csv", "leases.csv", "remittances.csv"])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_bytes_give_rejects_or_a_clear_error(fixture, data, tmp_path):
    module = {"accounts.csv": kyc_accounts, "persons.csv": persons, "leases.csv": leases,
              "remittances.csv": remittance}[fixture]  # fmt: skip
    original = (FIXTURES / fixture).read_bytes()
    position = data.draw(st.integers(0, len(original) - 1))
    junk = data.draw(st.binary(min_size=1, max_size=4))
    cut = data.draw(st.integers(0, 3))
    path = tmp_path / fixture
    path.write_bytes(original[:position] + junk + original[position + cut :])
    try:
        result = run(module, path)
    except ImportError_ as exc:
        assert str(exc).startswith(fixture)
        return
    check_reconciles(module, result)
