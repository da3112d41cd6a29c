"""Large camt.053 files are read in runs of whole statements, in parallel: the runs must give
exactly what one pass over the file gives, and a file whose tags cannot be trusted by their bytes
must be read in one pass."""

from __future__ import annotations

import itertools
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finflow.importers import camt053
from finflow.importers.base import ImportError_, ImportResult, Source
from finflow.importers.camt053_parts import Part, plan_parts

NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"
HEAD = (
    f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{NS}"><BkToCstmrStmt>\n'
    "<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-05-01T06:00:00</CreDtTm></GrpHdr>\n"
)
TAIL = "</BkToCstmrStmt></Document>\n"
ACCT = "<Acct><Id><IBAN>NO6530001581763</IBAN></Id><Ownr><Nm>Ola Hansen</Nm></Ownr><Ccy>NOK</Ccy></Acct>"


def bal(code: str, minor: int) -> str:
    side = "DBIT" if minor < 0 else "CRDT"
    return (
        f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>"
        f'<Amt Ccy="NOK">{abs(minor) // 100}.{abs(minor) % 100:02d}</Amt><CdtDbtInd>{side}</CdtDbtInd></Bal>'
    )


def entry(amount: str, side: str = "CRDT", *, status: str = "BOOK", day: str = "2026-04-02", details: str = "") -> str:
    return (
        f'<Ntry><Amt Ccy="NOK">{amount}</Amt><CdtDbtInd>{side}</CdtDbtInd><Sts>{status}</Sts>'
        f"<BookgDt><Dt>{day}</Dt></BookgDt><AcctSvcrRef>R{amount}</AcctSvcrRef>{details}</Ntry>"
    )


def worker(name: str, iban: str, amount: str) -> str:
    return (
        f'<TxDtls><AmtDtls><TxAmt><Amt Ccy="NOK">{amount}</Amt></TxAmt></AmtDtls><RltdPties><Cdtr><Nm>{name}</Nm>'
        f"</Cdtr><CdtrAcct><Id><IBAN>{iban}</IBAN></Id></CdtrAcct></RltdPties><Purp><Cd>SALA</Cd></Purp></TxDtls>"
    )


def statements() -> list[str]:
    """Statements that exercise what the reader reports: rows, rejects, notes and their order."""
    payroll = entry(
        "300.00",
        "DBIT",
        details="<NtryDtls>"
        + worker("Anna Nowak", "NO9386011117947", "100.00")
        + worker("Piotr Nowak", "PL61109010140000071219812874", "200.00")
        + "</NtryDtls>",
    )
    return [
        f"<Stmt><Id>S1</Id>{ACCT}{bal('OPBD', 0)}{bal('CLBD', 1500)}{entry('10.00')}{entry('5.00')}</Stmt>",
        f"<Stmt><Id>S2</Id>{ACCT}{bal('OPBD', 1500)}{bal('CLBD', -28500)}{payroll}"
        f"{entry('7.00', status='PDNG')}</Stmt>",
        f"<Stmt><Id>S3</Id>{ACCT}{bal('OPBD', 0)}{bal('CLBD', 999)}{entry('1,00')}"
        f"{entry('2.00', day='2026-13-01')}</Stmt>",
        f"<Stmt><Id>S4</Id>{ACCT}{bal('OPBD', 0)}{entry('3.00', status='INFO')}</Stmt>",  # information only
        f"<Stmt><Id>S5</Id>{ACCT}{bal('OPBD', 0)}{bal('CLBD', 400)}{entry('4.00')}{entry('9.00', 'DBIT')}</Stmt>",
        f"<Stmt><Id>S6</Id>{ACCT}{entry('6.00')}</Stmt>",
    ]


def document(parts: list[str] | None = None, between: str = "\n") -> str:
    return HEAD + between.join(parts if parts is not None else statements()) + "\n" + TAIL


def source(path: Path) -> Source:
    return Source(str(path), path.name, "0" * 64, "batch-1")


def assert_same(one: ImportResult, other: ImportResult) -> None:
    assert (one.format, one.rows_read, one.notes) == (other.format, other.rows_read, other.notes)
    pd.testing.assert_frame_equal(one.rejects, other.rejects)
    assert one.tables.keys() == other.tables.keys()
    for name in one.tables:
        pd.testing.assert_frame_equal(one.tables[name], other.tables[name], check_exact=True)


def one_pass(path: Path) -> ImportResult:
    reader = camt053._Reader(source(path))
    reader.run(str(path))
    return camt053._result(reader.collected(), source(path))


def in_runs(path: Path, parts: list[Part]) -> ImportResult | None:
    """The runs read one after another in this process, or None where one of them fails."""
    src = source(path)
    try:
        root = camt053._refuse_dtd(str(path), src)
        runs = [camt053._read_part(str(path), src, root, part) for part in parts]
    except Exception:
        return None
    return camt053._result(camt053._Collected.merge(runs), src)


def test_plan_cuts_between_statements_and_every_byte_is_read(tmp_path: Path) -> None:
    path = tmp_path / "camt.xml"
    path.write_text(document(), encoding="utf-8")
    size = path.stat().st_size
    parts = plan_parts(str(path), 3)
    assert parts is not None and len(parts) == 3
    assert sum(part.statements for part in parts) == 6
    assert [part.first_statement for part in parts] == [0, parts[0].statements, 6 - parts[2].statements]
    runs = [part.segments[1] for part in parts]
    assert runs[0][0] == len(HEAD) and all(a[1] == b[0] for a, b in itertools.pairwise(runs))
    assert all(part.segments[0] == (0, len(HEAD)) and part.segments[2] == (runs[-1][1], size) for part in parts)
    text = path.read_bytes()
    assert all(text[start:].startswith(b"<Stmt>") for start, _ in runs)
    assert text[runs[-1][1] :] == b"\n" + TAIL.encode()


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda d: d.replace("<Stmt><Id>S3", '<Stmt xml:lang="no"><Id>S3'), "a Stmt tag with attributes"),
        (lambda d: d.replace("<MsgId>M1</MsgId>", "<MsgId>M1</MsgId><Ntry/>"), "an entry in the head"),
        (lambda d: d.replace(TAIL, "<Bal/>" + TAIL), "a balance in the tail"),
        (lambda d: d.replace('encoding="UTF-8"', 'encoding="UTF-16"'), "an encoding that is not ASCII-compatible"),
        (lambda d: d.replace("<Stmt>", "<c:Stmt>", 1).replace("</Stmt>", "</c:Stmt>", 1), "two prefixes"),
        (lambda d: HEAD + "".join(statements()[:1]) + TAIL, "a single statement"),
        (lambda d: d.replace("</Stmt>\n<Stmt>", "</Stmt>x<Stmt>"), "text between every two statements"),
    ],
)
def test_plan_declines_files_whose_tags_cannot_be_trusted_by_their_bytes(tmp_path: Path, change, why: str) -> None:
    path = tmp_path / "camt.xml"
    path.write_text(change(document()), encoding="utf-8")
    assert plan_parts(str(path), 2) is None, why


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.replace("<Id>S5</Id>", "<Id>S5</Id><!-- </Stmt><Stmt> -->"),
        lambda d: d.replace("<Id>S2</Id>", "<Id>S2</Id><?pi x?>"),
        lambda d: d.replace("<Id>S6</Id>", "<Id><![CDATA[S6]]></Id>"),
    ],
)
def test_a_run_holding_comments_cdata_or_instructions_is_not_trusted(tmp_path: Path, change) -> None:
    path = tmp_path / "camt.xml"
    path.write_text(change(document()), encoding="utf-8")
    parts = plan_parts(str(path), 2)
    assert parts is not None
    assert in_runs(path, parts) is None  # so the file is read in one pass


@pytest.mark.parametrize("count", [2, 3, 6])
def test_runs_read_exactly_what_one_pass_reads(tmp_path: Path, count: int) -> None:
    path = tmp_path / "camt.xml"
    path.write_text(document(), encoding="utf-8")
    parts = plan_parts(str(path), count)
    assert parts is not None and 2 <= len(parts) <= count  # cuts fall between statements of unequal size
    whole = one_pass(path)
    assert_same(in_runs(path, parts), whole)
    assert whole.rejects["source_locator"].tolist() == [  # numbered as in the file, undated rows last
        "Stmt[2]/Ntry[2]", "Stmt[3]/Ntry[1]", "Stmt[4]/Ntry[1]", "Stmt[3]/Ntry[2]",
    ]  # fmt: skip
    assert any(note.startswith("statement S5 (Stmt[5]) does not reconcile") for note in whole.notes)
    assert len(whole.tables["transactions"]) == 7


def test_read_uses_parallel_processes_on_large_files_and_gives_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "camt.xml"
    path.write_text(document(), encoding="utf-8")
    whole = camt053.read(str(path), source(path))  # below the size threshold: one pass
    monkeypatch.setattr(camt053, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(camt053, "_cores", lambda: 2)
    assert camt053._read_parallel(str(path), source(path)) is not None  # really taken
    assert_same(camt053.read(str(path), source(path)), whole)


def test_a_malformed_run_gives_the_error_of_the_whole_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "camt.xml"
    path.write_text(document().replace("<Id>S5</Id>", "<Id>S5</Idx>"), encoding="utf-8")
    with pytest.raises(ImportError_) as sequential:
        camt053.read(str(path), source(path))
    monkeypatch.setattr(camt053, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(camt053, "_cores", lambda: 2)
    with pytest.raises(ImportError_) as parallel:
        camt053.read(str(path), source(path))
    assert str(parallel.value) == str(sequential.value)
    assert "not well-formed XML at line" in str(parallel.value)


TOKENS = ["<Stmt>", "</Stmt>", "<Ntry>", "</Ntry>", "<!-- x -->", "<?p?>", "<Acct/>", "\n", "x", "<", ">", "/", ""]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    edits=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 8), st.sampled_from(TOKENS)), max_size=4),
    count=st.integers(2, 4),
)
def test_whenever_every_run_reads_the_whole_file_reads_the_same(
    tmp_path: Path, edits: list[tuple[int, int, str]], count: int
) -> None:
    """Corrupt a good file anywhere: if the runs all read, one pass must read and agree with them."""
    data = bytearray(document().encode())
    for position, length, insert in edits:
        at = position % len(data)
        data[at : at + length] = insert.encode()
    path = tmp_path / "fuzz.xml"
    path.write_bytes(bytes(data))
    parts = plan_parts(str(path), count)
    runs = in_runs(path, parts) if parts else None
    if runs is not None:
        assert_same(runs, one_pass(path))
