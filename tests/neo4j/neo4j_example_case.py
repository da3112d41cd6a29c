"""A small hand-built case whose graph answers are known by heart (synthetic people only).

Story: Ola Hansen controls Nordlys Massasje AS. Maria and Ana (Romanian nationals sharing a
residence and a phone) get cash deposited on their accounts and pass it on to Ola, who sends
money to Romania, pays rent for two flats to Kari Berg, and takes cash out. Kari forwards money
to a Swedish account. One payment message carries markup and Cypher to prove it stays inert.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from finflow.casedata import CaseData
from finflow.detect.base import Finding, Subject
from finflow.model import conform

OLA, MARIA, ANA, KARI = "party-ola", "party-maria", "party-ana", "party-kari"
NORDLYS, FJORD = "party-nordlys", "party-fjord"
ACC_OLA, ACC_MARIA, ACC_ANA, ACC_KARI, ACC_NORDLYS = (
    "15030000001",
    "15030000002",
    "15030000003",
    "15030000004",
    "15030000005",
)
ACC_RO = "RO49AAAA1B31007593840000"  # appears only in transactions
ACC_SE = "SE4550000000058398257466"  # appears only in transactions
HOSTILE = "<script>alert(1)</script>'}) MATCH (n) DETACH DELETE n //"


def _prov(n: int, file: str = "bank.csv") -> dict[str, list[str]]:
    return {
        "source_file": [file] * n,
        "source_sha256": ["ab" * 32] * n,
        "source_locator": [f"row {i + 2}" for i in range(n)],
        "batch_id": ["batch-1"] * n,
    }


def _table(name: str, columns: dict[str, list]) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    frame = pd.DataFrame({**columns, **_prov(n, f"{name}.csv")})
    return conform(name, frame).to_pandas(types_mapper=pd.ArrowDtype)


def _d(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


# txn id, date, time, amount øre, currency, from, to, channel, description, to_country
TRANSACTIONS = [
    (
        "txn-01",
        "2024-01-05",
        "10:15",
        500_000,
        "NOK",
        None,
        ACC_MARIA,
        "cash_deposit",
        "Innskudd",
        None,
    ),
    ("txn-02", "2024-01-06", None, 400_000, "NOK", None, ACC_ANA, "cash_deposit", "Innskudd", None),
    (
        "txn-03",
        "2024-01-07",
        "09:00",
        450_000,
        "NOK",
        ACC_MARIA,
        ACC_OLA,
        "transfer",
        HOSTILE,
        None,
    ),
    ("txn-04", "2024-01-08", None, 380_000, "NOK", ACC_ANA, ACC_OLA, "transfer", "Til Ola", None),
    ("txn-05", "2024-01-09", None, 200_000, "NOK", ACC_NORDLYS, ACC_OLA, "transfer", "Lønn", None),
    ("txn-06", "2024-01-10", None, 900_000, "NOK", ACC_OLA, ACC_RO, "remittance", "Familie", "RO"),
    (
        "txn-07",
        "2024-01-03",
        None,
        1_200_000,
        "NOK",
        ACC_OLA,
        ACC_KARI,
        "transfer",
        "Husleie jan",
        None,
    ),
    (
        "txn-08",
        "2024-01-11",
        None,
        1_200_000,
        "NOK",
        ACC_OLA,
        ACC_KARI,
        "transfer",
        "Husleie feb",
        None,
    ),
    (
        "txn-09",
        "2024-01-12",
        "23:50",
        100_000,
        "NOK",
        ACC_OLA,
        None,
        "cash_withdrawal",
        "Minibank",
        None,
    ),
    (
        "txn-10",
        "2024-01-12",
        None,
        700_000,
        "SEK",
        ACC_KARI,
        ACC_SE,
        "transfer",
        "Overføring",
        "SE",
    ),
    (
        "txn-11",
        "2024-01-15",
        None,
        300_000,
        "NOK",
        None,
        ACC_MARIA,
        "cash_deposit",
        "Innskudd",
        None,
    ),
]


def build_case() -> CaseData:
    """The example case as CaseData (same dtypes as the model's empty tables)."""
    t = list(zip(*TRANSACTIONS, strict=True))
    transactions = _table(
        "transactions",
        {
            "txn_id": list(t[0]),
            "booking_date": [_d(x) for x in t[1]],
            "booking_time": list(t[2]),
            "amount_minor": list(t[3]),
            "currency": list(t[4]),
            "from_account": list(t[5]),
            "to_account": list(t[6]),
            "from_name": [None] * len(t[0]),
            "to_name": ["Ion Popescu" if x == ACC_RO else None for x in t[6]],
            "from_country": [None] * len(t[0]),
            "to_country": list(t[9]),
            "channel": list(t[7]),
            "description": list(t[8]),
            "txn_ref": [f"ref-{i}" for i in range(len(t[0]))],
        },
    )
    parties = _table(
        "parties",
        {
            "party_id": [OLA, MARIA, ANA, KARI, NORDLYS, FJORD],
            "kind": ["person", "person", "person", "person", "company", "company"],
            "name": [
                "Ola Hansen",
                "Maria Popescu",
                "Ana Ionescu",
                "Kari Berg",
                "Nordlys Massasje AS",
                "Fjord Bygg AS",
            ],
            "birth_date": [_d("1980-02-01"), _d("1999-07-14"), _d("2001-03-30"), None, None, None],
            "org_number": [None, None, None, None, "999000001", "999000002"],
            "country": ["NO", "RO", "RO", "NO", "NO", "NO"],
        },
    )
    accounts = _table(
        "accounts",
        {
            "account_id": [ACC_OLA, ACC_MARIA, ACC_ANA, ACC_KARI, ACC_NORDLYS],
            "scheme": ["no_bban"] * 5,
            "validated": [True] * 5,
            "country": ["NO"] * 5,
            "holder_party_id": [OLA, MARIA, ANA, KARI, NORDLYS],
            "holder_name": [
                "Ola Hansen",
                "Maria Popescu",
                "Ana Ionescu",
                "Kari Berg",
                "Nordlys Massasje AS",
            ],
        },
    )
    addresses = _table(
        "addresses",
        {
            "address_id": ["addr-1", "addr-2", "addr-3", "addr-4", "addr-5", "addr-6"],
            "street": [
                "Storgata 1",
                "Storgata 3",
                "Industriveien 5",
                "Bjørkeveien 2",
                "Solveien 9",
                "Havnegata 4",
            ],
            "postcode": ["0155", "0155", "0661", "0581", "1337", "0150"],
            "city": ["Oslo", "Oslo", "Oslo", "Oslo", "Sandvika", "Oslo"],
            "country": ["NO"] * 6,
            "normalized": [
                "storgata 1 0155 oslo",
                "storgata 3 0155 oslo",
                "industriveien 5 0661 oslo",
                "bjørkeveien 2 0581 oslo",
                "solveien 9 1337 sandvika",
                "havnegata 4 0150 oslo",
            ],
        },
    )
    party_addresses = _table(
        "party_addresses",
        {
            "party_id": [MARIA, ANA, FJORD, OLA, NORDLYS, KARI],
            "address_id": ["addr-4", "addr-4", "addr-4", "addr-5", "addr-3", "addr-6"],
            "kind": ["residence", "residence", "business", "residence", "business", None],
            "valid_from": [_d("2023-09-01"), _d("2023-10-01"), None, None, None, None],
            "valid_to": [None] * 6,
        },
    )
    identifiers = _table(
        "identifiers",
        {
            "identifier_id": ["ident-phone-1", "ident-phone-1", "ident-email-1"],
            "party_id": [MARIA, ANA, OLA],
            "kind": ["phone", "phone", "email"],
            "value": ["+4790000001", "+4790000001", "ola@example.org"],
        },
    )
    company_roles = _table(
        "company_roles",
        {
            "company_party_id": [NORDLYS, NORDLYS, FJORD, FJORD],
            "holder_party_id": [OLA, MARIA, OLA, ANA],
            "role": ["LEDE", "DAGL", "MEDL", "DAGL"],
            "resigned": [False, False, True, False],
        },
    )
    companies = _table(
        "companies",
        {
            "party_id": [NORDLYS, FJORD],
            "org_form": ["AS", "AS"],
            "industry_code": ["96.040", "41.200"],
            "employees": [0, None],
            "founded": [_d("2023-05-01"), _d("2019-11-20")],
            "bankrupt": [False, None],
            "in_liquidation": [False, False],
            "deleted": [None, _d("2024-05-01")],
        },
    )
    leases = _table(
        "leases",
        {
            "lease_id": ["lease-1", "lease-2", "lease-3"],
            "tenant_party_id": [OLA, OLA, NORDLYS],
            "landlord_party_id": [KARI, KARI, KARI],
            "owner_party_id": [KARI, None, KARI],
            "premises_address_id": ["addr-1", "addr-2", "addr-3"],
            "rent_minor": [1_200_000, 900_000, 2_000_000],
            "currency": ["NOK", "NOK", "NOK"],
            "start_date": [_d("2023-12-01"), _d("2024-01-01"), None],
            "end_date": [None, None, None],
        },
    )
    sightings = _table("sightings", {"table": ["transactions"], "record_id": ["txn-03"]})
    rejects = _table(
        "rejects",
        {"reason": ["amount is not a number"], "raw": ["05.01.2024;Innskudd;;x"]},
    )
    return CaseData(
        transactions=transactions,
        parties=parties,
        accounts=accounts,
        addresses=addresses,
        party_addresses=party_addresses,
        identifiers=identifiers,
        company_roles=company_roles,
        companies=companies,
        leases=leases,
        sightings=sightings,
        rejects=rejects,
    )


def build_collector_case(victims: int = 8) -> CaseData:
    """A controller's account collecting small payments from many unrelated persons and passing
    most of them on within hours — what the collector detector exists to find."""
    names = [
        "Ioana Marin",
        "Elena Dobre",
        "Andreea Stan",
        "Mihaela Radu",
        "Daniela Ilie",
        "Cristina Neagu",
        "Alina Voicu",
        "Roxana Tudor",
        "Bianca Lazar",
        "Simona Pop",
    ]
    boss = "party-boss"
    acc_boss = "16020000000"
    party_ids = [f"party-v{i}" for i in range(victims)]
    accounts = [f"1602000{i + 1:04d}" for i in range(victims)]
    rows: list[tuple] = []
    for i, account in enumerate(accounts):
        day = dt.date(2024, 3, 1) + dt.timedelta(days=i)
        rows.append((f"c-{i:02d}", day, "22:10", 350_000 + 10_000 * i, account, acc_boss,
                     names[i], "Ola Boss", "transfer", None))  # fmt: skip
        rows.append((f"f-{i:02d}", day, "23:40", 320_000 + 10_000 * i, acc_boss, ACC_RO,
                     "Ola Boss", "Ion Popescu", "remittance", "RO"))  # fmt: skip
    rows.append(("w-00", dt.date(2024, 3, 20), "12:00", 50_000, acc_boss, None,
                 "Ola Boss", None, "cash_withdrawal", None))  # fmt: skip
    t = list(zip(*rows, strict=True))
    n = len(rows)
    transactions = _table(
        "transactions",
        {
            "txn_id": list(t[0]),
            "booking_date": list(t[1]),
            "booking_time": list(t[2]),
            "amount_minor": list(t[3]),
            "currency": ["NOK"] * n,
            "from_account": list(t[4]),
            "to_account": list(t[5]),
            "from_name": list(t[6]),
            "to_name": list(t[7]),
            "from_country": [None] * n,
            "to_country": list(t[9]),
            "channel": list(t[8]),
            "description": ["Vipps"] * n,
            "txn_ref": [None] * n,
        },
    )
    parties = _table(
        "parties",
        {
            "party_id": [boss, *party_ids],
            "kind": ["person"] * (victims + 1),
            "name": ["Ola Boss", *names[:victims]],
            "birth_date": [None] * (victims + 1),
            "org_number": [None] * (victims + 1),
            "country": ["NO", *["RO"] * victims],
        },
    )
    accounts_table = _table(
        "accounts",
        {
            "account_id": [acc_boss, *accounts],
            "scheme": ["no_bban"] * (victims + 1),
            "validated": [True] * (victims + 1),
            "country": ["NO"] * (victims + 1),
            "holder_party_id": [boss, *party_ids],
            "holder_name": ["Ola Boss", *names[:victims]],
        },
    )
    return CaseData(transactions=transactions, parties=parties, accounts=accounts_table)


def example_findings() -> list[Finding]:
    """Two findings about Ola: a collector account and rent for two premises."""
    collector = Finding(
        detector="collector",
        subjects=[
            Subject("account", ACC_OLA, "controller", "Ola Hansen"),
            Subject("party", OLA, "controller"),
        ],
        score=0.9,
        summary="Collects from 3 senders",
        parameters={"min_distinct_senders": 3, "window_days": 30},
        evidence_txn_ids=["txn-05", "txn-03", "txn-04"],
        metrics={"senders": 3},
    )
    rent = Finding(
        detector="rent_multiple",
        subjects=[Subject("party", OLA, "facilitator"), Subject("address", "addr-1", "unknown")],
        score=0.6,
        summary="Pays rent for 2 premises",
        parameters={"min_premises": 2},
        evidence_txn_ids=["txn-07", "txn-08", "txn-missing"],
        evidence_records=[{"table": "leases", "key": {"lease_id": "lease-1"}}],
    )
    return [collector, rent]
