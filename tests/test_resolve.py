"""Entity resolution: merges on strong keys only, recorded and reversible."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from finflow.ids import file_sha256, holder_party_id, org_party_id, person_party_id
from finflow.importers import brreg, generic_csv, kyc_accounts, leases, persons, remittance
from finflow.importers.base import Source
from finflow.model import conform
from finflow.resolve import MERGES_SCHEMA, apply_merges, find_merges, resolve_parties, undo_merge

KEY = b"importer-test-key"  # the case key, pinned so the tests can work out person ids
FIXTURES = Path(__file__).parent / "importers" / "fixtures" / "registry"
KARI = person_party_id("kari nordmann", "1980-02-29", KEY)
NORDLYS = org_party_id("923609016")

TRANSACTIONS = """date,amount,currency,from_account,from_name,to_account,to_name,description
2024-01-05,14500.00,NOK,8601.11.17947,KARI NORDMANN,1234.56.78903,Nordlys Bemanning,husleie
2024-02-05,14500.00,NOK,8601.11.17947,KARI NORDMANN,1234.56.78903,Nordlys Bemanning,husleie
"""


def _read(module, path: Path) -> dict[str, pd.DataFrame]:
    source = Source(str(path), path.name, file_sha256(str(path)), f"batch-{path.name}", key=KEY)
    return module.read(str(path), source).tables


def _combine(*results: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    out: dict[str, list[pd.DataFrame]] = {}
    for tables in results:
        for name, frame in tables.items():
            out.setdefault(name, []).append(frame)
    return {name: pd.concat(frames, ignore_index=True) for name, frames in out.items()}


@pytest.fixture()
def case(tmp_path) -> dict[str, pd.DataFrame]:
    txn = tmp_path / "statement.csv"
    txn.write_text(TRANSACTIONS, encoding="utf-8")
    return _combine(
        _read(generic_csv, txn),
        _read(kyc_accounts, FIXTURES / "accounts.csv"),
        _read(persons, FIXTURES / "persons.csv"),
        _read(leases, FIXTURES / "leases.csv"),
        _read(brreg, FIXTURES / "entity_923609016.json"),
        _read(brreg, FIXTURES / "roller_923609016.json"),
        _read(remittance, FIXTURES / "remittances.csv"),
    )


def test_sources_meet_on_strong_ids(case):
    """Registry, bank KYC, leases, persons and MTO data name one company and one person alike."""
    resolved, _ = resolve_parties(case)
    parties = resolved["parties"].set_index("party_id")
    assert parties.index.is_unique
    assert parties.loc[NORDLYS, "name"] == "Nordlys Bemanning AS"
    assert parties.loc[KARI, "birth_date"] == pd.Timestamp("1980-02-29")
    roles = resolved["company_roles"]
    assert ((roles["company_party_id"] == NORDLYS) & (roles["holder_party_id"] == KARI)).any()
    lease = resolved["leases"].set_index("lease_id")
    assert {NORDLYS, KARI} <= set(lease["landlord_party_id"]) | set(lease["tenant_party_id"])
    for name, frame in resolved.items():
        conform(name, frame)


def test_account_holder_replaces_transaction_placeholder(case):
    resolved, merges = resolve_parties(case)
    rule = merges[merges["rule"] == "account_holder"]
    assert set(rule["evidence"]) == {"account=86011117947", "account=12345678903"}
    kari_merge = rule[rule["evidence"] == "account=86011117947"]
    assert set(kari_merge["party_id"]) == {holder_party_id("86011117947"), KARI}
    assert kari_merge["target_party_id"].eq(KARI).all()
    txn_row = kari_merge[kari_merge["party_id"] == holder_party_id("86011117947")].iloc[0]
    assert (txn_row["source_file"], txn_row["source_locator"], txn_row["party_name"]) == (
        "statement.csv", "row 2", "KARI NORDMANN",
    )  # fmt: skip
    accounts = resolved["accounts"].set_index("account_id")
    assert accounts.loc["86011117947", "holder_party_id"] == KARI
    assert accounts.loc["12345678903", "holder_party_id"] == NORDLYS
    assert holder_party_id("86011117947") not in set(resolved["parties"]["party_id"])
    # the imported tables are untouched
    assert holder_party_id("86011117947") in set(case["parties"]["party_id"])


def test_works_on_stored_tables_where_the_holder_was_already_upgraded(case):
    """A store may already have put the strong holder on the account row (keeping one row per
    account) and typed every column as Arrow; the placeholder party is still joined."""
    stored = {name: conform(name, frame).to_pandas(types_mapper=pd.ArrowDtype) for name, frame in case.items()}
    accounts = stored["accounts"]
    upgraded = accounts["holder_party_id"].isin([holder_party_id("86011117947"), holder_party_id("12345678903")])
    stored["accounts"] = accounts[~upgraded].reset_index(drop=True)
    assert upgraded.sum() == 2
    resolved, merges = resolve_parties(stored)
    kari = merges[merges["evidence"] == "account=86011117947"]
    assert set(kari["party_id"]) == {holder_party_id("86011117947"), KARI}
    assert holder_party_id("86011117947") not in set(resolved["parties"]["party_id"])
    for name, frame in resolved.items():
        conform(name, frame)


def test_names_alone_never_merge(case):
    """Ola Hansen appears three times without a birth date: three parties stay three."""
    resolved, merges = resolve_parties(case)
    olas = resolved["parties"][resolved["parties"]["name"] == "Ola Hansen"]
    assert olas["party_id"].nunique() == 3
    assert not merges["party_id"].isin(olas["party_id"]).any()


def test_same_name_and_birth_date_merges_differently_derived_ids():
    parties = _parties(
        ("party-a", "person", "Kari Nordmann", "1980-02-29"),
        ("party-b", "person", "KARI  NORDMANN", "1980-02-29"),
        ("party-c", "person", "Kari Nordmann", "1981-02-28"),
    )
    resolved, merges = resolve_parties({"parties": parties})
    assert merges["rule"].eq("name_birth_date").all()
    assert set(merges["party_id"]) == {"party-a", "party-b"}
    assert merges["target_party_id"].unique().tolist() == ["party-a"]  # the smallest member id
    assert set(resolved["parties"]["party_id"]) == {"party-a", "party-c"}


def test_shared_id_number_merges_unless_birth_dates_conflict():
    parties = _parties(
        ("party-p1", "person", "Ion Popescu", "1995-07-14"),
        ("party-p2", "person", "I. Popescu", None),
        ("party-q1", "person", "Ana", "1990-01-01"),
        ("party-q2", "person", "Maria", "1991-01-01"),
    )
    identifiers = pd.DataFrame(
        {
            "party_id": ["party-p1", "party-p2", "party-q1", "party-q2", "party-p1", "party-q1"],
            "kind": ["id_number", "id_number", "id_number", "id_number", "phone", "phone"],
            "value": ["RO1", "RO1", "PL9", "PL9", "+40712345678", "+40712345678"],
        }
    )
    resolved, merges = resolve_parties({"parties": parties, "identifiers": identifiers})
    assert merges["evidence"].unique().tolist() == ["id_number=RO1"]  # PL9: different people; phones never
    ids = set(resolved["parties"]["party_id"])
    assert len(ids & {"party-p1", "party-p2"}) == 1
    assert {"party-q1", "party-q2"} <= ids
    merged = resolved["identifiers"]
    assert merged.loc[merged["value"] == "RO1", "party_id"].nunique() == 1


def test_same_org_number_under_different_ids():
    parties = _parties(
        ("holder-x", "unknown", "NORDLYS BEMANNING", None),
        (NORDLYS, "company", "Nordlys Bemanning AS", None),
    )
    parties["org_number"] = ["923609016", "923609016"]
    resolved, merges = resolve_parties({"parties": parties})
    assert merges["rule"].eq("org_number").all()
    assert resolved["parties"]["party_id"].tolist() == [NORDLYS]
    assert resolved["parties"]["kind"].tolist() == ["company"]


def test_undo_is_exact_and_sticks(case):
    _, merges = resolve_parties(case)
    merge_id = merges.loc[merges["evidence"] == "account=86011117947", "merge_id"].iloc[0]
    undone, merges2 = undo_merge(case, merges, merge_id)
    assert set(merges2.loc[merges2["merge_id"] == merge_id, "status"]) == {"undone"}
    assert set(merges2.loc[merges2["merge_id"] != merge_id, "status"]) == {"active"}
    assert undone["accounts"].set_index("account_id").loc["86011117947", "holder_party_id"] == holder_party_id(
        "86011117947"
    )
    assert holder_party_id("86011117947") in set(undone["parties"]["party_id"])
    # the other merge still holds
    assert undone["accounts"].set_index("account_id").loc["12345678903", "holder_party_id"] == NORDLYS
    # undoing everything gives the imported tables back, one row per party
    for mid in merges["merge_id"].unique():
        undone, merges2 = undo_merge(case, merges2, mid)
    nothing = apply_merges(case, merges2.iloc[0:0])
    assert undone["parties"].equals(nothing["parties"])
    # running again on the same data keeps the undone merges undone
    again, merges3 = resolve_parties(case, previous=merges2)
    assert set(merges3["status"]) == {"undone"}
    assert again["parties"].equals(undone["parties"])
    with pytest.raises(KeyError):
        undo_merge(case, merges, "merge-nope")


def test_deterministic_and_storable(case):
    first_tables, first = resolve_parties(case)
    second_tables, second = resolve_parties({k: v.iloc[::-1] for k, v in case.items()})
    assert first.equals(second)
    assert first["merge_id"].str.startswith("merge-").all()
    pa.Table.from_pandas(first, preserve_index=False).cast(MERGES_SCHEMA)
    assert set(first_tables["parties"]["party_id"]) == set(second_tables["parties"]["party_id"])


def test_nothing_to_merge():
    merges = find_merges({"parties": _parties(("party-a", "person", "A", None))})
    assert merges.empty and list(merges.columns)[:3] == ["merge_id", "rule", "evidence"]


def _parties(*rows: tuple[str, str, str, str | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "party_id": pd.Series([r[0] for r in rows], dtype="string"),
            "kind": pd.Series([r[1] for r in rows], dtype="string"),
            "name": pd.Series([r[2] for r in rows], dtype="string"),
            "birth_date": pd.to_datetime(pd.Series([r[3] for r in rows])).astype("datetime64[s]"),
            "org_number": pd.Series([None] * len(rows), dtype="string"),
            "country": pd.Series([None] * len(rows), dtype="string"),
            "source_file": "test",
            "source_sha256": "0" * 64,
            "source_locator": [f"row {i + 2}" for i in range(len(rows))],
            "batch_id": "b",
        }
    )
