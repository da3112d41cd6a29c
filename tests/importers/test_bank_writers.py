"""Writers of bank formats and the multi-format case: importing what they write must give back
exactly the transactions of the generic CSV they came from (ids, dates, amounts, currencies,
accounts, channels), with transfers between two written statements de-duplicated by id."""

from __future__ import annotations

import csv
import hashlib
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finflow.importers import bank_csv, camt053, registry
from finflow.importers.base import ImportResult, Source
from finflow.writers.bank_csv import BankStyle, write_bank_csv
from finflow.writers.camt053 import write_camt053
from finflow.writers.cli import multiformat
from finflow.writers.multiformat import FORMATS, REGISTRY_EXTRACTS, read_generic_case, write_multiformat_case

GENERIC_CASE = Path(__file__).parent / "fixtures" / "bank" / "generic_case"
COMPARED = ["txn_id", "booking_date", "amount_minor", "currency", "from_account", "to_account", "channel"]
EMPLOYER = "97106825541"
ACCOUNTS = [
    "15033395636", "12079939089", "30001581763", "60394140026", EMPLOYER,
    "12540506319", "05400759547", "18228611685", "RO78BTRL0000000123456789", "WU-778812",
]  # fmt: skip


def import_file(path: Path) -> tuple[str, ImportResult]:
    module = registry.detect(str(path), path.name)
    result = module.read(str(path), Source(str(path), path.name, "0" * 64, "b"))
    assert result.rows_read == len(result.tables["transactions"]) + len(result.rejects)
    return module.FORMAT, result


def import_dir(directory: Path, pattern: str = "*") -> tuple[pd.DataFrame, dict[str, ImportResult]]:
    """All files' transactions, de-duplicated by id as the case store does."""
    copied = set(REGISTRY_EXTRACTS)  # registry and people extracts copied beside the statements
    results = {p.name: import_file(p)[1] for p in sorted(directory.glob(pattern)) if p.name not in copied}
    frames = [r.tables["transactions"] for r in results.values()]
    return pd.concat(frames, ignore_index=True), results


def canonical(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.drop_duplicates("txn_id")[COMPARED].sort_values("txn_id").reset_index(drop=True)
    return out.astype("string").fillna("")


def assert_same_transactions(generic_dir: Path, out_dir: Path) -> pd.DataFrame:
    reference, _ = import_dir(generic_dir, "transactions*.csv")
    written, _ = import_dir(out_dir)
    pd.testing.assert_frame_equal(canonical(written), canonical(reference))
    return written


@pytest.mark.parametrize("seed", [1, 4, 6])
def test_multiformat_case_imports_to_exactly_the_generic_transactions(tmp_path: Path, seed: int) -> None:
    case = write_multiformat_case(str(GENERIC_CASE), str(tmp_path), seed)
    written = assert_same_transactions(GENERIC_CASE, tmp_path)
    # transfers between two written statements arrive twice, under one id
    assert case.both_sides and written["txn_id"].duplicated().any()
    pair = case.both_sides[0]
    between = written[(written["from_account"] == pair[0]) & (written["to_account"] == pair[1])]
    assert between["source_file"].nunique() == 2
    assert all(str(a) in name for name, a in case.accounts.items())


def test_multiformat_uses_every_format_across_seeds_and_loses_nothing(tmp_path: Path) -> None:
    used = set()
    for seed in (1, 2, 3, 4, 5, 6, 7):
        case = write_multiformat_case(str(GENERIC_CASE), str(tmp_path / str(seed)), seed)
        used |= {name.split("_")[0] for name in case.files}
        used |= {f"camt053.001.{name[-6:-4]}" for name in case.files if name.startswith("camt053")}
    assert {"dnb", "dnb-motkonto", "sparebank1", "nordea", "sbanken", "camt053.001.02", "camt053.001.08"} <= used
    assert set(FORMATS) <= used
    # the input row the generic importer rejects is carried into the remainder, not dropped
    _, results = import_dir(tmp_path / "1", "transactions_generic_rest.csv")
    assert results["transactions_generic_rest.csv"].rejects["raw"].str.contains("bad date").any()


def test_multiformat_is_deterministic(tmp_path: Path) -> None:
    def digest(directory: Path) -> dict[str, str]:
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}

    write_multiformat_case(str(GENERIC_CASE), str(tmp_path / "a"), 11)
    write_multiformat_case(str(GENERIC_CASE), str(tmp_path / "b"), 11)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")


@pytest.fixture(scope="module")
def generic() -> pd.DataFrame:
    return read_generic_case(str(GENERIC_CASE))[0]


def test_camt_writer_groups_payroll_into_one_entry_and_balances(tmp_path: Path, generic: pd.DataFrame) -> None:
    path = tmp_path / f"camt053_{EMPLOYER}.xml"
    write_camt053(generic, EMPLOYER, str(path), version="001.08", opening_minor=-50_000)
    root = ET.parse(path).getroot()
    ns = {"c": "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"}
    statements = root.findall(".//c:Stmt", ns)
    assert len(statements) == 3  # January to March
    payroll = [e for e in root.iterfind(".//c:Ntry", ns) if len(e.findall(".//c:TxDtls", ns)) > 1]
    assert len(payroll) == 3 and all(len(e.findall(".//c:TxDtls", ns)) == 4 for e in payroll)
    assert root.find(".//c:RltdPties/c:Cdtr/c:Pty/c:Nm", ns) is not None  # v08 party shape
    _, result = import_file(path)
    assert not [n for n in result.notes if "reconcile" in n]
    employer = generic[(generic["from_account"] == EMPLOYER) | (generic["to_account"] == EMPLOYER)]
    assert sorted(result.tables["transactions"]["txn_id"]) == sorted(employer["txn_id"])


@pytest.mark.parametrize(
    ("bank", "style"),
    [
        ("dnb", BankStyle("cp1252", "grouped", pending=2)),
        ("dnb", BankStyle("utf-8", "dot")),
        ("dnb-motkonto", BankStyle("utf-8-sig", "grouped", pending=1)),
        ("sparebank1", BankStyle("utf-8-sig", "comma")),
        ("nordea", BankStyle("utf-8", "comma", "saldo", pending=1)),
        ("sbanken", BankStyle("cp1252", "nbsp")),
    ],
)
def test_bank_writers_round_trip(tmp_path: Path, generic: pd.DataFrame, bank: str, style: BankStyle) -> None:
    account = "30001581763"  # salaries, rent paid, Vipps: NOK only
    path = tmp_path / f"{bank}_{account}.csv"
    written = write_bank_csv(generic, account, bank, str(path), style)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") == (style.encoding == "utf-8-sig")
    fmt, result = import_file(path)
    assert fmt == bank_csv.FORMAT
    assert len(result.tables["transactions"]) == written
    assert (result.rejects["reason"] == bank_csv.PENDING_REASON).sum() == style.pending
    mine = generic[(generic["from_account"] == account) | (generic["to_account"] == account)]
    pd.testing.assert_frame_equal(canonical(result.tables["transactions"]), canonical(mine))


@pytest.mark.parametrize(("account", "channel"), [("18228611685", "p2p"), ("60394140026", "transfer")])
def test_newer_dnb_export_names_counterparties_only_in_the_text(
    tmp_path: Path, generic: pd.DataFrame, account: str, channel: str
) -> None:
    """Vipps receipts and transfers name the other side in the text; the import takes the name
    (and the Motkonto account) back, and keeps the text as written."""
    path = tmp_path / f"dnb-motkonto_{account}.csv"
    write_bank_csv(generic, account, "dnb-motkonto", str(path))
    _, result = import_file(path)
    got = result.tables["transactions"]
    mine = generic[
        (generic["from_account"] == account).fillna(False) ^ (generic["to_account"] == account).fillna(False)
    ]
    joined = got.merge(mine, on="txn_id", suffixes=("", "_generic"))
    assert len(joined) == len(mine) == len(got)
    credit = joined["to_account"] == account
    name = joined["from_name"].where(credit, joined["to_name"])
    expected = joined["from_name_generic"].where(credit, joined["to_name_generic"])
    rows = (joined["channel"] == channel).to_numpy()
    assert (
        rows.sum() >= 3
        and joined.loc[rows, "description"].str.startswith("Vipps " if channel == "p2p" else "Overføring ").all()
    )
    if channel == "p2p":  # "Vipps Ola Hansen"
        assert name[rows].tolist() == expected[rows].tolist()
    else:  # the message follows the name; a capitalised first word is read as part of it
        assert all(n.startswith(e) for n, e in zip(name[rows], expected[rows], strict=True))
        assert set(name[rows]) >= {"Anna Kowalska Husleie", "Utleie Sentrum AS Leie"}


def test_text_only_bank_refuses_foreign_currency(tmp_path: Path, generic: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="non-NOK"):
        write_bank_csv(generic, "42020987027", "dnb", str(tmp_path / "x.csv"))


# --- property: random transaction sets survive the multi-format round trip ------------------------

_CHANNELS = ["transfer", "card", "p2p", "salary", "fee", "remittance", "other", "cash_deposit", "cash_withdrawal"]
_NAMES = ["Kari Nordmann", "Ion Popescu", 'Bygg; "Vest" AS', "<b>Ola</b>", "Åse Ærø", ""]
_WORDS = ["Husleie", "Faktura", "Lån", "x;y", 'si "hei"', "Vipps", "Lønn", "reservert bord", ""]


@st.composite
def generic_rows(draw: st.DrawFn) -> list[list[str]]:
    rows = []
    for _ in range(draw(st.integers(1, 25))):
        channel = draw(st.sampled_from(_CHANNELS))
        source = draw(st.sampled_from(ACCOUNTS))
        target = draw(st.sampled_from([a for a in ACCOUNTS if a != source]))
        if channel == "cash_deposit":
            source = ""
        elif channel == "cash_withdrawal":
            target = ""
        elif draw(st.booleans()) and draw(st.booleans()):
            target = ""  # counterparty unknown
        day = pd.Timestamp("2026-01-01") + pd.Timedelta(days=draw(st.integers(0, 80)))
        minor = draw(st.integers(1, 10**8))
        time = draw(st.sampled_from(["", "08:05", "23:59"]))
        currency = draw(st.sampled_from(["NOK", "NOK", "NOK", "EUR"]))
        rows.append([
            day.strftime("%Y-%m-%d"), time, f"{minor // 100}.{minor % 100:02d}", currency,
            source, draw(st.sampled_from(_NAMES)), "", target, draw(st.sampled_from(_NAMES)), "",
            channel, draw(st.sampled_from(_WORDS)), "",
        ])  # fmt: skip
        if draw(st.integers(0, 9)) == 0:
            rows.append(list(rows[-1]))  # two identical payments stay two transactions
    return rows


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=generic_rows(), seed=st.integers(0, 1000))
def test_random_cases_round_trip_through_all_formats(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]], seed: int
) -> None:
    base = tmp_path_factory.mktemp("case")
    (base / "in").mkdir()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
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
    )
    writer.writerows(rows)
    (base / "in" / "transactions.csv").write_text(buffer.getvalue(), encoding="utf-8")
    write_multiformat_case(str(base / "in"), str(base / "out"), seed, share=0.8)
    assert_same_transactions(base / "in", base / "out")


def test_camt_module_is_registered_before_generic_formats() -> None:
    order = [m.FORMAT for m in registry.adapters()]
    assert order.index(camt053.FORMAT) < order.index("generic_csv")
    assert order.index(bank_csv.FORMAT) < order.index("generic_csv")


def test_multiformat_command_lists_the_files_it_wrote(tmp_path: Path) -> None:
    outcome = CliRunner().invoke(multiformat, [str(GENERIC_CASE), str(tmp_path / "out"), "--seed", "3"])
    assert outcome.exit_code == 0, outcome.output
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert all(name in outcome.output for name in written)
    assert "both statements written for: 12079939089↔18228611685" in outcome.output


def test_generated_case_round_trips_through_all_formats(tmp_path: Path) -> None:
    """The real generator's output: every transaction comes back, transfers de-duplicated."""
    from finflow.synth import generate

    generate(seed=3, size=1000, out_dir=str(tmp_path / "case"))
    case = write_multiformat_case(str(tmp_path / "case"), str(tmp_path / "out"), seed=3)
    assert {"camt053", "no_bank_csv", "generic_csv"} <= set(case.files.values())
    written = assert_same_transactions(tmp_path / "case", tmp_path / "out")
    assert written["txn_id"].duplicated().any()
