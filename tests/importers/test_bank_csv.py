"""Norwegian bank CSV exports: each bank's layout, encodings, number and date styles, pending
rows, own-account resolution, bad input, CSV bombs and random corruption."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finflow.importers import bank_csv, registry
from finflow.importers.base import ImportError_, ImportResult, Source

FIXTURES = Path(__file__).parent / "fixtures" / "bank"
DNB_HEADER = '"Dato";"Forklaring";"Rentedato";"Ut fra konto";"Inn på konto"'


def load(path: Path | str, **options: str) -> ImportResult:
    """Detect the format as the CLI does, then import."""
    path = str(path)
    name = os.path.basename(path)
    module = registry.detect(path, name)
    assert module.FORMAT == bank_csv.FORMAT
    result = module.read(path, Source(path, name, "0" * 64, "batch-1", dict(options)))
    assert_reconciles(result)
    return result


def assert_reconciles(result: ImportResult) -> None:
    assert result.rows_read == len(result.tables["transactions"]) + len(result.rejects)


def txns(result: ImportResult) -> pd.DataFrame:
    return result.tables["transactions"].set_index("source_locator")


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8", bom: bool = False) -> Path:
    path = tmp_path / name
    data = text.encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


# --- each bank's layout ---------------------------------------------------------------------


def test_dnb_export_with_pending_row_card_time_and_account_in_text() -> None:
    result = load(FIXTURES / "dnb_12079939089.csv")
    t = txns(result)
    assert result.rows_read == 9 and len(t) == 8
    card = t.loc["row 2"]
    assert (card["amount_minor"], card["booking_time"], card["channel"]) == (24990, "13:01", "card")
    assert card["from_account"] == "12079939089" and pd.isna(card["to_account"])
    incoming = t.loc["row 3"]  # "25 000,00" credit naming the payer's account in the text
    assert incoming["amount_minor"] == 2_500_000
    assert (incoming["from_account"], incoming["to_account"]) == ("15033395636", "12079939089")
    assert t.loc["row 5", "channel"] == "cash_deposit" and pd.isna(t.loc["row 5", "from_account"])
    assert t.loc["row 6", "channel"] == "cash_withdrawal" and pd.isna(t.loc["row 6", "to_account"])
    assert t.loc["row 7", "channel"] == "salary" and t.loc["row 7", "from_account"] == "97106825541"
    assert t.loc["row 8", "channel"] == "fee"
    assert t.loc["row 9", "to_account"] == "12540506319"
    assert t.loc["row 4", "channel"] == "p2p"
    assert str(t.loc["row 2", "booking_date"]) == "2026-01-02"
    pending = result.rejects.set_index("source_locator").loc["row 10"]
    assert pending["reason"] == bank_csv.PENDING_REASON
    assert any("pending/reserved" in n and "10" in n for n in result.notes)


def test_dnb_cp1252_with_dot_decimals_and_given_account() -> None:
    result = load(FIXTURES / "dnb_dot_cp1252.csv", account="3000.15.81763")
    t = txns(result)
    assert t["amount_minor"].tolist() == [1_002_720, 3_580, 10_030]
    assert "Ødegård" in t.loc["row 2", "description"]  # cp1252 decoded, not mangled
    assert t.loc["row 3", "booking_time"] == "07:45"
    assert (t["from_account"].fillna("") + t["to_account"].fillna("")).str.contains("30001581763").all()
    assert any("cp1252" in n and "--account" in n for n in result.notes)


def test_sparebank1_bom_trailing_delimiter_negative_out_and_account_columns() -> None:
    result = load(FIXTURES / "sparebank1_15033395636.csv")
    t = txns(result)
    assert len(t) == 6 and result.rejects.empty
    vipps = t.loc["row 2"]
    assert (vipps["from_account"], vipps["to_account"], vipps["channel"]) == ("12079939089", "15033395636", "p2p")
    rent = t.loc["row 4"]  # "-8500,00" in Ut
    assert (rent["amount_minor"], rent["from_account"], rent["to_account"]) == (850_000, "15033395636", "12540506319")
    assert t.loc["row 6", "channel"] == "cash_deposit" and pd.isna(t.loc["row 6", "from_account"])
    assert t.loc["row 7", "channel"] == "cash_withdrawal"


def test_nordea_signed_amount_slash_dates_status_word_and_own_account_from_columns() -> None:
    result = load(FIXTURES / "nordea_export.csv")  # no account number in the file name
    t = txns(result)
    assert any("60394140026" in n and "account columns" in n for n in result.notes)
    assert t.loc["row 2", "amount_minor"] == 55_076 and t.loc["row 2", "channel"] == "card"
    assert str(t.loc["row 3", "booking_date"]) == "2026-03-02"
    assert (t.loc["row 3", "from_account"], t.loc["row 3", "from_name"]) == ("97106825541", "Byggmester Vest AS")
    assert t.loc["row 5", "to_account"] == "RO78BTRL0000000123456789"
    assert t.loc["row 5", "to_country"] == "RO" and t.loc["row 5", "channel"] == "remittance"
    assert (t.loc["row 6", "currency"], t.loc["row 6", "amount_minor"]) == ("EUR", 12_050)
    assert result.rejects.set_index("source_locator").loc["row 7", "reason"] == bank_csv.PENDING_REASON


def test_nordea_saldo_variant_with_day_first_dates() -> None:
    t = txns(load(FIXTURES / "nordea_saldo_05400759547.csv"))
    assert [str(d) for d in t["booking_date"]] == ["2026-04-01", "2026-04-02"]
    assert t["amount_minor"].tolist() == [120_000, 1_790_050]
    assert t["channel"].tolist() == ["p2p", "salary"]


def test_sbanken_tab_cp1252_nbsp_thousands_and_archive_reference() -> None:
    result = load(FIXTURES / "sbanken_60394140026.txt")
    t = txns(result)
    assert t["amount_minor"].tolist() == [124_900, 200_000, 1_845_000, 50_000]
    assert t["channel"].tolist() == ["card", "transfer", "salary", "cash_withdrawal"]
    assert t.loc["row 3", "to_account"] == "15033395636"
    assert t.loc["row 4", "from_account"] == "97106825541"
    assert t["txn_ref"].tolist() == ["81234567", "81234568", "81234569", "81234570"]


def test_nynorsk_export_with_timestamps_status_and_both_accounts() -> None:
    result = load(FIXTURES / "vestland_nynorsk_05400759547.csv")
    t = txns(result)
    assert t["booking_time"].tolist() == ["08:15", "12:40"]
    assert (t.loc["row 2", "to_account"], t.loc["row 2", "to_name"]) == ("12540506319", "Utleie Sentrum AS")
    assert "KID 1234567890" in t.loc["row 3", "description"]
    assert result.rejects["reason"].tolist() == [bank_csv.PENDING_REASON]


# --- variants ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "bom"), [("utf-8", False), ("utf-8", True), ("cp1252", False)], ids=["utf8", "bom", "cp1252"]
)
def test_encodings_give_identical_transactions(tmp_path: Path, encoding: str, bom: bool) -> None:
    text = "\r\n".join(
        [
            DNB_HEADER,
            '"02.01.2026";"Overføring 1503.33.95636 Kåre Ødegård";"02.01.2026";"1 000,00";""',
            '"03.01.2026";"Varekjøp ÆØÅ kiosk Dato 02.01 kl. 09.30";"03.01.2026";"49,90";""',
        ]
    )
    result = load(write(tmp_path, "dnb_12079939089.csv", text, encoding, bom))
    reference = load(write(tmp_path / "..", "ref_12079939089.csv", text, "utf-8"))
    assert txns(result)["txn_id"].tolist() == txns(reference)["txn_id"].tolist()
    assert "Kåre Ødegård" in txns(result).loc["row 2", "description"]


@pytest.mark.parametrize(
    ("text", "minor"),
    [
        ('"25 000,00"', 2_500_000),
        ('"25\u00a0000,00"', 2_500_000),
        ("25000.5", 2_500_050),
        ('"25.000,00"', 2_500_000),
        ('"25,000.00"', 2_500_000),
        ('"25000"', 2_500_000),
        ('"1\u202f234,5"', 123_450),
    ],
)
def test_number_styles(tmp_path: Path, text: str, minor: int) -> None:
    csv = f'{DNB_HEADER}\r\n"02.01.2026";"Overføring 1503.33.95636";"02.01.2026";"";{text}'
    t = txns(load(write(tmp_path, "dnb_12079939089.csv", csv)))
    assert t["amount_minor"].tolist() == [minor]


@pytest.mark.parametrize("date", ["2026/01/31", "31.01.2026", "2026-01-31"])
def test_date_styles(tmp_path: Path, date: str) -> None:
    header = "Bokføringsdato;Beløp;Avsender;Mottaker;Navn;Tittel;Valuta;Betalingstype"
    csv = f"{header}\n{date};-1,00;6039.41.40026;;;x;NOK;Kortkjøp\n"
    t = txns(load(write(tmp_path, "nordea.csv", csv)))
    assert [str(d) for d in t["booking_date"]] == ["2026-01-31"]


def test_earliest_keyword_decides_channel_so_names_cannot_override_it(tmp_path: Path) -> None:
    csv = (
        f'{DNB_HEADER}\r\n"02.01.2026";"Overføring 1503.33.95636 Lønn og Vipps AS";"02.01.2026";"10,00";""\r\n'
        '"02.01.2026";"Ukjent tekst";"02.01.2026";"10,00";""'
    )
    t = txns(load(write(tmp_path, "dnb_12079939089.csv", csv)))
    assert t["channel"].tolist() == ["transfer", "other"]


def test_own_account_in_text_is_not_taken_for_the_counterparty(tmp_path: Path) -> None:
    csv = f'{DNB_HEADER}\r\n"02.01.2026";"Overføring 1207.99.39089 til 1503.33.95636";"02.01.2026";"10,00";""'
    t = txns(load(write(tmp_path, "dnb_12079939089.csv", csv)))
    assert t["to_account"].tolist() == ["15033395636"]


def test_hostile_text_is_kept_verbatim_as_data(tmp_path: Path) -> None:
    hostile = "Vipps <script>alert(1)</script> '); MATCH (n) DETACH DELETE n //"
    csv = f'{DNB_HEADER}\r\n"02.01.2026";"{hostile}";"02.01.2026";"1,00";""'
    t = txns(load(write(tmp_path, "dnb_12079939089.csv", csv)))
    assert t["description"].tolist() == [hostile]


def test_bank_can_be_forced_and_unknown_bank_is_an_error(tmp_path: Path) -> None:
    path = FIXTURES / "sparebank1_15033395636.csv"
    assert len(load(path, bank="sparebank1").tables["transactions"]) == 6
    with pytest.raises(ImportError_, match="unknown bank 'nobank'"):
        load(path, bank="nobank")


# --- own account --------------------------------------------------------------------------------


def test_missing_own_account_asks_for_account_option(tmp_path: Path) -> None:
    path = write(tmp_path, "export.csv", f'{DNB_HEADER}\r\n"02.01.2026";"Gebyr";"02.01.2026";"10,00";""')
    with pytest.raises(ImportError_, match=r"export\.csv: .*pass --account"):
        load(path)
    assert len(load(path, account="12079939089").tables["transactions"]) == 1


def test_invalid_number_in_file_name_is_not_taken(tmp_path: Path) -> None:
    path = write(tmp_path, "dnb_12345678901.csv", f'{DNB_HEADER}\r\n"02.01.2026";"Gebyr";"02.01.2026";"10,00";""')
    with pytest.raises(ImportError_, match="--account"):
        load(path)


# --- bad input ----------------------------------------------------------------------------------


def test_bad_rows_are_rejects_with_row_and_reason(tmp_path: Path) -> None:
    rows = [
        '"31.02.2026";"Gebyr";"";"10,00";""',
        '"";"Gebyr";"";"10,00";""',
        '"02.01.2026";"Gebyr";"";"ti kroner";""',
        '"02.01.2026";"Gebyr";"";"10,00";"5,00"',
        '"02.01.2026";"Gebyr";"";"";""',
        '"02.01.2026";"Gebyr";"";"10,001";""',
        '"02.01.2026";"Gebyr"',
        '"02.01.2026";"Gebyr";"";"10,00";""',
    ]
    result = load(write(tmp_path, "dnb_12079939089.csv", "\r\n".join([DNB_HEADER, *rows])))
    reasons = result.rejects.set_index("source_locator")["reason"]
    assert reasons["row 2"].startswith("Dato is not a date")
    assert reasons["row 3"] == "Dato is empty"
    assert reasons["row 4"] == "Ut fra konto is not a number"
    assert reasons["row 5"].startswith("both Inn på konto and Ut fra konto")
    assert reasons["row 6"] == "no amount (or zero)"
    assert reasons["row 7"] == "Ut fra konto has more decimals than the currency"
    assert reasons["row 8"] == "has 2 fields, the header has 5"
    assert txns(result).index.tolist() == ["row 9"]
    assert result.rows_read == 8


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02binary", "not a text file|not a known bank export"),
        (b"a;b;c\n1;2;3\n", "not a known bank export header"),
    ],
)
def test_unreadable_files_raise_clear_errors(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "x_12079939089.csv"
    path.write_bytes(content)
    with pytest.raises(ImportError_, match=message):
        bank_csv.read(str(path), Source(str(path), path.name, "0", "b"))


def test_csv_bomb_huge_line_is_refused(tmp_path: Path) -> None:
    line = '"02.01.2026";"' + "A" * (3 << 20) + '";"";"1,00";""'
    path = write(tmp_path, "dnb_12079939089.csv", f"{DNB_HEADER}\r\n{line}")
    with pytest.raises(ImportError_, match="longer than"):
        load(path)


def test_csv_bomb_million_columns_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "dnb_12079939089.csv", DNB_HEADER + ";" * 1_000_000 + "\r\n" + '"x"' * 3)
    with pytest.raises(ImportError_, match="not a recognised format"):
        registry.detect(str(path), path.name)  # too wide to be taken for a bank export
    with pytest.raises(ImportError_, match="1000005 columns; at most 256"):
        bank_csv.read(str(path), Source(str(path), path.name, "0", "b"))  # format forced


# --- property: corrupted input never crashes and always reconciles --------------------------------

_SEEDS = [
    (FIXTURES / name).read_bytes()
    for name in ("dnb_12079939089.csv", "sparebank1_15033395636.csv", "nordea_export.csv", "sbanken_60394140026.txt")
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.sampled_from(_SEEDS),
    cuts=st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 40), st.binary(max_size=12)), max_size=6),
)
def test_corrupted_exports_never_crash_and_counts_reconcile(tmp_path: Path, seed: bytes, cuts: list) -> None:
    data = bytearray(seed)
    header_end = data.find(b"\n") + 1
    for position, length, insert in cuts:  # corrupt the body, keep the header recognisable
        at = header_end + position % max(len(data) - header_end, 1)
        data[at : at + length] = insert
    path = tmp_path / "fuzz_12079939089.csv"
    path.write_bytes(bytes(data))
    try:
        result = bank_csv.read(str(path), Source(str(path), path.name, "0", "b", {"account": "12079939089"}))
    except ImportError_ as exc:
        assert path.name in str(exc)
        return
    assert_reconciles(result)
    assert result.tables["transactions"]["amount_minor"].gt(0).all()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.text(alphabet=st.sampled_from(list('0123456789;,."\r\n -abcæøåReservt\t\u00a0')), max_size=400))
def test_random_rows_under_a_valid_header_never_crash(tmp_path: Path, body: str) -> None:
    path = tmp_path / "dnb_12079939089.csv"
    path.write_text(DNB_HEADER + "\r\n" + body, encoding="utf-8")
    try:
        result = bank_csv.read(str(path), Source(str(path), path.name, "0", "b"))
    except ImportError_:
        return
    assert_reconciles(result)
