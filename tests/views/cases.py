"""Small hand-made cases for the view and report tests (synthetic people, synthetic money)."""

from __future__ import annotations

import pandas as pd

from finflow.casedata import CaseData
from finflow.detect.base import Finding, Subject

HOSTILE_IMG = '<img src=x onerror="window.__pwned=1;alert(1)">'
HOSTILE_NAME = "Ola Nordmann</script><script>window.__pwned=2</script>"
HOSTILE_LINK = '<a href="javascript:window.__pwned=3;alert(1)">x</a>'
BIRTH_DATE = "1987-06-05"
ID_NUMBER = "05068712345"

VICTIM_A = "12345678903"
VICTIM_B = "12345678911"
BOSS = "98765432109"
LANDLORD = "11112222333"
FOREIGN = "RO49AAAA1B31007593840000"


def _prov(n: int, file: str = "bank.csv") -> dict[str, list[str]]:
    return {
        "source_file": [file] * n,
        "source_sha256": ["ab" * 32] * n,
        "source_locator": [str(i + 2) for i in range(n)],
        "batch_id": ["batch-1"] * n,
    }


def hostile_case() -> CaseData:
    """Two possible victims pay a controller, who pays rent and sends money abroad; cash in/out.

    Names and payment messages carry hostile markup that must only ever show as text.
    """
    rows = [
        # txn_id, date, amount, cur, from, to, from_name, to_name, from_cc, to_cc, channel, text
        (
            "t01",
            "2024-01-02",
            250000,
            "NOK",
            VICTIM_A,
            BOSS,
            HOSTILE_NAME,
            "Boss AS",
            "NO",
            "NO",
            "transfer",
            HOSTILE_IMG,
        ),
        (
            "t02",
            "2024-01-09",
            250000,
            "NOK",
            VICTIM_A,
            BOSS,
            HOSTILE_NAME,
            "Boss AS",
            "NO",
            "NO",
            "transfer",
            "husleie",
        ),
        (
            "t03",
            "2024-01-03",
            180050,
            "NOK",
            VICTIM_B,
            BOSS,
            "Kari Nordmann",
            "Boss AS",
            "NO",
            "NO",
            "transfer",
            HOSTILE_LINK,
        ),
        (
            "t04",
            "2024-01-10",
            400000,
            "NOK",
            BOSS,
            LANDLORD,
            "Boss AS",
            "Utleier AS",
            "NO",
            "NO",
            "transfer",
            "rent",
        ),
        (
            "t05",
            "2024-01-11",
            150000,
            "NOK",
            BOSS,
            FOREIGN,
            "Boss AS",
            "Ion Popescu",
            "NO",
            "RO",
            "remittance",
            "family",
        ),
        (
            "t06",
            "2024-01-12",
            9999,
            "EUR",
            BOSS,
            FOREIGN,
            "Boss AS",
            "Ion Popescu",
            "NO",
            "RO",
            "remittance",
            "family",
        ),
        (
            "t07",
            "2024-01-05",
            4990000,
            "NOK",
            None,
            BOSS,
            None,
            "Boss AS",
            None,
            "NO",
            "cash_deposit",
            "innskudd",
        ),
        (
            "t08",
            "2024-01-06",
            2000000,
            "NOK",
            BOSS,
            None,
            "Boss AS",
            None,
            "NO",
            None,
            "cash_withdrawal",
            None,
        ),
    ]
    cols = [
        "txn_id",
        "booking_date",
        "amount_minor",
        "currency",
        "from_account",
        "to_account",
        "from_name",
        "to_name",
        "from_country",
        "to_country",
        "channel",
        "description",
    ]
    tx = pd.DataFrame(rows, columns=cols)
    tx["booking_date"] = pd.to_datetime(tx["booking_date"])
    tx["booking_time"] = None
    tx["txn_ref"] = None
    for key, values in _prov(len(tx)).items():
        tx[key] = values
    parties = pd.DataFrame(
        {
            "party_id": ["party-victim-a", "party-boss", "party-landlord"],
            "kind": ["person", "company", "company"],
            "name": [HOSTILE_NAME, "Boss AS", "Utleier AS"],
            "birth_date": pd.to_datetime([BIRTH_DATE, None, None]),
            "org_number": [None, "123456785", "987654325"],
            "country": ["NO", "NO", "NO"],
            **_prov(3, "roles.json"),
        }
    )
    accounts = pd.DataFrame(
        {
            "account_id": [VICTIM_A, VICTIM_B, BOSS, LANDLORD, FOREIGN],
            "scheme": ["no_bban"] * 4 + ["iban"],
            "validated": [True] * 5,
            "country": ["NO", "NO", "NO", "NO", "RO"],
            "holder_party_id": ["party-victim-a", None, "party-boss", "party-landlord", None],
            "holder_name": [HOSTILE_NAME, "Kari Nordmann", "Boss AS", "Utleier AS", "Ion Popescu"],
            **_prov(5),
        }
    )
    identifiers = pd.DataFrame(
        {
            "identifier_id": ["ident-1"],
            "party_id": ["party-victim-a"],
            "kind": ["id_number"],
            "value": [ID_NUMBER],
            **_prov(1, "kyc.csv"),
        }
    )
    return CaseData(transactions=tx, parties=parties, accounts=accounts, identifiers=identifiers)


def hostile_findings() -> list[Finding]:
    return [
        Finding(
            detector="hub_collector",
            subjects=[
                Subject("account", BOSS, "controller", "Boss AS"),
                Subject("account", VICTIM_A, "possible_victim", HOSTILE_NAME),
                Subject("account", VICTIM_B, "possible_victim", "Kari Nordmann"),
            ],
            score=0.9,
            summary=f"2 senders pay one collector; e.g. {HOSTILE_IMG}",
            parameters={"n_distinct_senders": 2},
            evidence_txn_ids=["t01", "t02", "t03"],
        ),
        Finding(
            detector="cash_structuring",
            subjects=[Subject("party", "party-boss", "controller", "Boss AS")],
            score=0.6,
            summary="cash deposit just below threshold",
            parameters={"threshold_nok": 50000},
            evidence_txn_ids=["t07"],
        ),
    ]


def synthetic_case(n_accounts: int, n_txns: int, *, seed: int = 1) -> CaseData:
    """A random case made with numpy: accounts paying each other, some cash, some abroad."""
    import numpy as np

    rng = np.random.default_rng(seed)
    ids = np.array([f"{7000000000 + i:011d}" for i in range(n_accounts)])
    src = rng.integers(0, n_accounts, n_txns)
    dst = (src + rng.integers(1, n_accounts, n_txns)) % n_accounts
    kind = rng.random(n_txns)
    from_acct = pd.Series(ids[src], dtype="string").mask(kind < 0.03)
    to_acct = pd.Series(ids[dst], dtype="string").mask((kind >= 0.03) & (kind < 0.06))
    channel = np.select([kind < 0.03, kind < 0.06], ["cash_deposit", "cash_withdrawal"], "transfer")
    to_country = np.where((kind >= 0.06) & (kind < 0.09), "PL", "NO")
    tx = pd.DataFrame(
        {
            "txn_id": [f"t{i:08d}" for i in range(n_txns)],
            "booking_date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, n_txns), unit="D"),
            "booking_time": None,
            "amount_minor": rng.integers(100, 5_000_000, n_txns),
            "currency": "NOK",
            "from_account": from_acct,
            "to_account": to_acct,
            "from_name": [f"Person {i}" for i in src],
            "to_name": [f"Person {i}" for i in dst],
            "from_country": "NO",
            "to_country": to_country,
            "channel": channel,
            "description": [f"payment {i % 97}" for i in range(n_txns)],
            "txn_ref": None,
            **_prov(n_txns),
        }
    )
    holders = np.arange(0, n_accounts, 3)
    accounts = pd.DataFrame(
        {
            "account_id": ids,
            "scheme": "no_bban",
            "validated": True,
            "country": "NO",
            "holder_party_id": pd.Series([None] * n_accounts, dtype="string"),
            "holder_name": [f"Person {i}" for i in range(n_accounts)],
            **_prov(n_accounts),
        }
    )
    accounts.loc[holders, "holder_party_id"] = [f"party-{i}" for i in holders]
    parties = pd.DataFrame(
        {
            "party_id": [f"party-{i}" for i in holders],
            "kind": "person",
            "name": [f"Person {i}" for i in holders],
            "birth_date": pd.NaT,
            "org_number": None,
            "country": "NO",
            **_prov(len(holders), "kyc.csv"),
        }
    )
    return CaseData(transactions=tx, parties=parties, accounts=accounts)


def synthetic_findings(case: CaseData, n_flagged: int) -> list[Finding]:
    """One finding per flagged account: every 7th account, alternating controller/victim."""
    ids = case.accounts["account_id"].tolist()[::7][:n_flagged]
    return [
        Finding(
            detector="synthetic",
            subjects=[Subject("account", a, "controller" if i % 2 else "possible_victim")],
            score=0.5 + (i % 5) / 10,
            summary=f"synthetic flag {i}",
            parameters={},
        )
        for i, a in enumerate(ids)
    ]


def trail_frame() -> pd.DataFrame:
    """A tracer's trail frame: victim → boss → cash / abroad / a hostile-named node."""
    return pd.DataFrame(
        {
            "from_node": [VICTIM_A, BOSS, BOSS, BOSS, BOSS],
            "to_node": [BOSS, "cash", "country:RO", "country:RO", HOSTILE_NAME],
            "amount_minor": [500000, 200000, 150000, 9999, 1],
            "currency": ["NOK", "NOK", "NOK", "EUR", "NOK"],
            "txn_count": [2, 1, 1, 1, 1],
            "first_date": pd.to_datetime(["2024-01-02", "2024-01-06", "2024-01-11", "2024-01-12", "2024-01-13"]),
            "last_date": pd.to_datetime(["2024-01-09", "2024-01-06", "2024-01-11", "2024-01-12", "2024-01-13"]),
            "hop": [1, 2, 2, 2, 2],
        }
    )


SHA = "ab" * 32


def rejects(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_file": ["bank.csv"] * n,
            "source_sha256": [SHA] * n,
            "source_locator": [str(i + 2) for i in range(n)],
            "batch_id": ["batch-1"] * n,
            "reason": [f"bad amount in row {i + 2}" for i in range(n)],
            "raw": [HOSTILE_LINK] * n,
        }
    )


def report_args(**overrides):
    args = {
        "case_name": "Operasjon <Test>",
        "sources": [
            {
                "file": "bank.csv",
                "sha256": SHA,
                "format": "bank_csv",
                "rows_read": 13,
                "loaded": 8,
                "rejected": 4,
                "duplicates": 1,
                "imported_at": "2024-02-01T10:00Z",
            },
            {
                "file": "roles.json",
                "sha256": "cd" * 32,
                "format": "brreg_roles",
                "rows_read": 3,
                "loaded": 3,
                "rejected": 0,
                "duplicates": 0,
                "imported_at": "2024-02-01T10:01Z",
            },
        ],
        "rejects": rejects(4),
        "findings": hostile_findings(),
        "subjects": pd.DataFrame(
            {
                "subject": [HOSTILE_NAME, "Boss AS", "Kari Nordmann"],
                "role": ["controller", "controller", "possible_victim"],
                "score": [0.9, 0.6, 0.9],
                "volume_minor": [500000, 9000000, 180050],
                "currency": ["NOK", "NOK", "NOK"],
                "birth_date": [BIRTH_DATE, None, None],
            }
        ),
        "networks": [
            {
                "network_id": "network-1",
                "members": ["a", "b"],
                "flagged": ["a"],
                "flows_minor": {"NOK": 123456, "EUR": 5},
                "txn_count": 3,
                "finding_ids": ["finding-x"],
                "detectors": ["hub_collector"],
            }
        ],
        "traces": [
            {
                "title": "Trace from victim",
                "method_note": "FIFO",
                "edges": [{"from_node": "a", "to_node": "cash", "amount_minor": 100}],
            }
        ],
        "views": {"Overview": "views/overview.html", "Finding 1": "views/finding 1.html"},
        "data": hostile_case(),
    }
    args.update(overrides)
    return args
