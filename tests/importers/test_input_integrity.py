"""Item 4 of the trust issue: nothing an importer reads is silently lost or changed.

Mixed-encoding bank exports decode line by line; camt.053 entries in another namespace are
rejected by name; a NUL byte is refused wherever it is; the size cap applies to a field even
when it spans lines; records already in the case count as duplicates.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from finflow.case import open_case
from finflow.ids import file_sha256
from finflow.importers import bank_csv, camt053, registry
from finflow.importers.base import ImportError_, Source
from finflow.importers.csvutil import MAX_FIELD_BYTES, decode_rows, read_records

FIXTURES = Path(__file__).parent / "fixtures"
KEY = b"integrity-test-key"
DNB_HEADER = '"Dato";"Forklaring";"Rentedato";"Ut fra konto";"Inn på konto"'
NS02 = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"
NS08 = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"

#: format -> a real file of it, for the checks every CSV importer must pass
CSV_FILES = {
    "generic_csv": FIXTURES / "bank" / "generic_case" / "transactions.csv",
    "no_bank_csv": FIXTURES / "bank" / "dnb_12079939089.csv",
    "kyc_accounts": FIXTURES / "registry" / "accounts.csv",
    "persons": FIXTURES / "registry" / "persons.csv",
    "leases": FIXTURES / "registry" / "leases.csv",
    "remittance": FIXTURES / "registry" / "remittances.csv",
}


def read(fmt: str, path: Path, **options: str):
    source = Source(str(path), path.name, file_sha256(str(path)), "batch-1", dict(options), key=KEY)
    return registry.by_format(fmt).read(str(path), source)


# --- mixed encodings -----------------------------------------------------------------------------


def test_a_bank_export_mixing_utf8_and_cp1252_lines_decodes_each_line(tmp_path: Path) -> None:
    lines = [
        DNB_HEADER.encode("utf-8"),
        '"02.01.2026";"Overføring Kåre Ødegård";"02.01.2026";"1 000,00";""'.encode(),
        '"03.01.2026";"Varekjøp Bjørn Ås kiosk";"03.01.2026";"49,90";""'.encode("cp1252"),
        '"04.01.2026";"Vipps Åse Ærlig";"04.01.2026";"10,00";""'.encode(),
    ]
    path = tmp_path / "dnb_12079939089.csv"
    path.write_bytes(b"\r\n".join(lines) + b"\r\n")
    result = read("no_bank_csv", path)
    text = dict(zip(result.tables["transactions"]["source_locator"], result.tables["transactions"]["description"],
                    strict=True))  # fmt: skip
    assert "Kåre Ødegård" in text["row 2"]
    assert "Bjørn Ås" in text["row 3"]
    assert "Åse Ærlig" in text["row 4"]
    assert not any("Ã" in t or "\ufffd" in t for t in text.values())  # nothing garbled
    assert any("utf-8, with 1 line(s) in cp1252: 3" in note for note in result.notes)


def test_decoding_by_line_keeps_every_byte_and_names_the_legacy_lines() -> None:
    pure = "Bjørn;Ås\r\nKåre;Ø\r\n".encode("cp1252")
    assert decode_rows(pure) == ("Bjørn;Ås\r\nKåre;Ø\r\n".encode(), "cp1252")
    mixed = "a;ø\n".encode() + b"b;\x81\xf8\n"  # 0x81 is undefined in cp1252: read as Latin-1
    text, encoding = decode_rows(mixed)
    assert text.decode("utf-8") == "a;ø\nb;\x81ø\n"
    assert encoding == "utf-8, with 1 line(s) in cp1252: 2"
    assert decode_rows(b"\xef\xbb\xbfa;b\n") == (b"a;b\n", "utf-8-sig")


# --- camt.053 entries in another namespace -----------------------------------------------------------

ACCT = "<Acct><Id><IBAN>NO6530001581763</IBAN></Id><Ccy>NOK</Ccy></Acct>"


def _entry(amount: str, ns: str | None = None, details: int = 0) -> str:
    xmlns = "" if ns is None else f' xmlns="{ns}"'
    dtls = "<NtryDtls>" + "<TxDtls><Refs><EndToEndId>x</EndToEndId></Refs></TxDtls>" * details + "</NtryDtls>"
    return (
        f'<Ntry{xmlns}><Amt Ccy="NOK">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>'
        f"<BookgDt><Dt>2026-04-02</Dt></BookgDt>{dtls if details else ''}</Ntry>"
    )


def test_camt_entries_in_another_namespace_are_rejected_by_name_never_dropped(tmp_path: Path) -> None:
    body = ACCT + _entry("10.00") + _entry("20.00", NS08, details=2) + _entry("30.00", "") + _entry("40.00", "urn:x")
    path = tmp_path / "camt.xml"
    path.write_text(
        f'<?xml version="1.0" encoding="UTF-8"?><Document xmlns="{NS02}"><BkToCstmrStmt><Stmt>{body}</Stmt>'
        "</BkToCstmrStmt></Document>",
        encoding="utf-8",
    )
    result = camt053.read(str(path), Source(str(path), path.name, "0" * 64, "b"))
    assert result.rows_read == 1 + 2 + 1 + 1
    assert result.tables["transactions"]["amount_minor"].tolist() == [1000]
    reasons = dict(zip(result.rejects["source_locator"], result.rejects["reason"], strict=True))
    assert reasons == {
        "Stmt[1]/Ntry[2]/TxDtls[1]": f"Ntry is in namespace {NS08!r}, not the document's {NS02!r}; not read",
        "Stmt[1]/Ntry[2]/TxDtls[2]": f"Ntry is in namespace {NS08!r}, not the document's {NS02!r}; not read",
        "Stmt[1]/Ntry[3]": f"Ntry is in namespace 'no namespace', not the document's {NS02!r}; not read",
        "Stmt[1]/Ntry[4]": f"Ntry is in namespace 'urn:x', not the document's {NS02!r}; not read",
    }


# --- NUL bytes anywhere ----------------------------------------------------------------------------


def _grown_past_64k(fixture: Path) -> tuple[bytes, int]:
    """The fixture with its data rows repeated until the file passes 64 KiB; and its line count."""
    data = fixture.read_bytes()
    newline = b"\r\n" if b"\r\n" in data else b"\n"
    header, _, body = data.partition(newline)
    body = body.rstrip(b"\r\n") + newline
    grown = header + newline + body * (70_000 // len(body) + 1)
    return grown, grown.count(b"\n")


@pytest.mark.parametrize("fmt", sorted(CSV_FILES))
def test_a_nul_byte_past_the_first_64_kib_is_refused_as_in_the_first(tmp_path: Path, fmt: str) -> None:
    fixture = CSV_FILES[fmt]
    data, lines = _grown_past_64k(fixture)
    for at, line in ((data.index(b"\n") + 3, 2), (len(data) - 4, lines)):
        path = tmp_path / fixture.name
        path.write_bytes(data[:at] + b"\x00" + data[at + 1 :])
        assert at < 65536 or fmt == registry.detect(str(path), path.name).FORMAT or fmt == "no_bank_csv"
        with pytest.raises(ImportError_, match=rf"^{path.name}: not a text file \(line {line} contains a NUL byte\)$"):
            read(fmt, path)


# --- the field size cap ------------------------------------------------------------------------------


def _generic(rows: list[str]) -> bytes:
    return ("date,amount,currency,from_account,to_account,description\n" + "\n".join(rows) + "\n").encode()


SOURCE = Source("x.csv", "x.csv", "0" * 64, "batch")


@pytest.mark.parametrize("malformed", [False, True], ids=["fast path", "slow path"])
def test_the_size_cap_applies_to_a_quoted_field_spanning_many_short_lines(malformed: bool) -> None:
    huge = '"' + "short line\n" * (MAX_FIELD_BYTES // 11 + 10) + '"'
    rows = ["2026-01-01,1,NOK,a,b,ok", *(["2026-01-02,2,NOK,a"] if malformed else []), f"2026-01-03,3,NOK,a,b,{huge}"]
    with pytest.raises(ImportError_, match=rf"^x.csv: row {3 + malformed}, column 'description': a field is longer"):
        read_records(_generic(rows), SOURCE)


@pytest.mark.parametrize("malformed", [False, True], ids=["fast path", "slow path"])
def test_a_long_multiline_field_under_the_cap_is_read_whole(malformed: bool) -> None:
    text = "short line\n" * (MAX_FIELD_BYTES // 11 - 10)  # far beyond the csv module's 128 KiB default
    rows = ["2026-01-01,1,NOK,a,b,ok", *(["2026-01-02,2,NOK,a"] if malformed else []), f'2026-01-03,3,NOK,a,b,"{text}"']
    records = read_records(_generic(rows), SOURCE)
    assert records.frame["description"].tolist() == ["ok", text]
    assert records.rows_read == 2 + malformed
    assert records.frame["source_locator"].tolist() == ["row 2", f"row {3 + malformed}"]


# --- duplicate header names are refused before any row is read -----------------------------------


def test_header_names_compare_as_finflow_matches_them() -> None:
    with pytest.raises(ImportError_, match=r"names column 'Amount' twice \(columns 2 and 4\)"):
        read_records(b"date,amount,currency,Amount\n1,2,3,4\n", SOURCE)
    assert read_records(b"Account,x,Account\n1,2,3\n", SOURCE, unique_names=False).rows_read == 1


def test_amlworld_with_its_two_account_columns_still_reads(tmp_path: Path) -> None:
    header = "Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,Amount Paid,"
    header += "Payment Currency,Payment Format,Is Laundering"
    row = "2022/09/01 00:20,010,8000EBD30,010,8000EBD31,100.00,US Dollar,100.00,US Dollar,Reinvestment,0"
    path = tmp_path / "HI-Small_Trans.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    assert registry.detect(str(path), path.name).FORMAT == "amlworld"
    assert len(read("amlworld", path).tables["transactions"]) == 1


# --- records already in the case ------------------------------------------------------------------


def test_records_already_in_the_case_count_as_duplicates_not_loaded(tmp_path: Path) -> None:
    case = open_case(tmp_path / "case")
    first = FIXTURES / "bank" / "generic_case" / "transactions.csv"
    (report,) = case.import_files([first])
    assert report.loaded == report.rows_read - report.rejected > 0 and report.duplicates == 0
    again = tmp_path / "same_rows_other_file.csv"  # other bytes, the same records, one new row
    lines = first.read_text(encoding="utf-8").splitlines()
    new_row = "2026-02-27,,77.00,NOK,97106825541,Byggmester Vest AS,,30001581763,Anna Kowalska,,,new,"
    again.write_text("\n".join([lines[0], *reversed(lines[1:]), new_row]) + "\n", encoding="utf-8")
    before = len(case.table("transactions"))
    (second,) = case.import_files([again])
    assert second.status == "imported" and second.reconciles
    assert (second.rows_read, second.loaded, second.rejected, second.duplicates) == (
        report.rows_read + 1, 1, report.rejected, report.loaded
    )  # fmt: skip
    assert len(case.table("transactions")) == before + 1
    sightings = case.table("sightings").to_pandas()
    assert (sightings["source_file"] == again.name).sum() >= report.loaded  # their provenance is kept


def test_a_renamed_copy_adds_nothing(tmp_path: Path) -> None:
    case = open_case(tmp_path / "case")
    original = FIXTURES / "bank" / "dnb_12079939089.csv"
    copy = tmp_path / "copy_12079939089.csv"
    shutil.copy(original, copy)
    (first,) = case.import_files([original])
    tables = {name: case.table(name) for name in ("transactions", "accounts", "parties", "rejects")}
    (second,) = case.import_files([copy])
    assert second.status == "already imported" and second.duplicates == first.rows_read
    assert all(case.table(name).equals(table) for name, table in tables.items())


def test_bank_reader_still_refuses_binary(tmp_path: Path) -> None:
    path = tmp_path / "x_12079939089.csv"
    path.write_bytes(DNB_HEADER.encode() + b"\r\n" + b"\x00" * 10)
    with pytest.raises(ImportError_, match=r"line 2 contains a NUL byte"):
        bank_csv.read(str(path), Source(str(path), path.name, "0", "b"))
