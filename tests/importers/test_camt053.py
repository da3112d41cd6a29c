"""camt.053 statements: v02 and v08, payroll batches split per worker, pending entries, balance
reconciliation, bad elements, hostile XML (entities, DTDs, deep nesting) and random corruption."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finflow.importers import bank_csv, camt053, registry
from finflow.importers.base import ImportError_, ImportResult, Source

FIXTURES = Path(__file__).parent / "fixtures" / "bank"
NS02 = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"


def load(path: Path | str, **options: str) -> ImportResult:
    path = str(path)
    name = Path(path).name
    module = registry.detect(path, name)
    assert module.FORMAT == camt053.FORMAT
    result = module.read(path, Source(path, name, "0" * 64, "batch-1", dict(options)))
    assert result.rows_read == len(result.tables["transactions"]) + len(result.rejects)
    return result


def txns(result: ImportResult) -> pd.DataFrame:
    return result.tables["transactions"].set_index("source_locator")


def doc(body: str, ns: str = NS02, prolog: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
        f'<Document xmlns="{ns}"><BkToCstmrStmt>{body}</BkToCstmrStmt></Document>'
    )


ACCT = "<Acct><Id><IBAN>NO6530001581763</IBAN></Id><Ccy>NOK</Ccy></Acct>"


def entry(amount: str = "10.00", side: str = "CRDT", extra: str = "") -> str:
    return (
        f'<Ntry><Amt Ccy="NOK">{amount}</Amt><CdtDbtInd>{side}</CdtDbtInd><Sts>BOOK</Sts>'
        f"<BookgDt><Dt>2026-04-02</Dt></BookgDt>{extra}</Ntry>"
    )


def test_v02_payroll_batch_is_split_into_one_transaction_per_worker() -> None:
    result = load(FIXTURES / "camt053_v02_97106825541.xml")
    t = txns(result)
    assert result.rows_read == 9  # 4 payroll details + 1 + fee entry + pending + 2 in February
    payroll = t.loc[[f"Stmt[1]/Ntry[1]/TxDtls[{i}]" for i in range(1, 5)]]
    assert payroll["amount_minor"].tolist() == [1_845_000, 1_845_000, 1_790_050, 2_100_000]
    assert payroll["to_account"].tolist() == ["30001581763", "60394140026", "05400759547", "18228611685"]
    assert payroll["to_name"].tolist() == ["Anna Kowalska", "Ion Popescu", "Maria Ionescu", "Petra Novak"]
    assert set(payroll["from_account"]) == {"97106825541"} and set(payroll["channel"]) == {"salary"}
    assert payroll["txn_ref"].iloc[0] == "LONN-2026-01-001"


def test_v02_counterparties_channels_times_and_pending() -> None:
    result = load(FIXTURES / "camt053_v02_97106825541.xml")
    t = txns(result)
    incoming = t.loc["Stmt[1]/Ntry[2]/TxDtls[1]"]  # single detail without AmtDtls: entry amount
    assert (incoming["amount_minor"], incoming["from_account"], incoming["to_account"]) == (
        1_250_000,
        "12540506319",
        "97106825541",
    )
    assert incoming["from_name"] == "Rask Renhold AS" and incoming["txn_ref"] == "1234567890"
    fee = t.loc["Stmt[1]/Ntry[3]"]  # an entry without details counts as one record
    assert (fee["channel"], fee["amount_minor"]) == ("fee", 73_500) and pd.isna(fee["to_account"])
    abroad = t.loc["Stmt[2]/Ntry[1]/TxDtls[1]"]
    assert (abroad["channel"], abroad["to_country"], abroad["booking_time"]) == ("remittance", "RO", "14:02")
    assert abroad["description"] == "Familie støtte"
    assert t.loc["Stmt[2]/Ntry[2]", "channel"] == "cash_withdrawal"
    pending = result.rejects.set_index("source_locator")
    assert pending.loc["Stmt[1]/Ntry[4]", "reason"] == bank_csv.PENDING_REASON
    assert any("pending" in n for n in result.notes)
    assert not any("does not reconcile" in n for n in result.notes)  # both statements balance


def test_v08_names_status_codes_and_unreconciled_statement_is_reported() -> None:
    result = load(FIXTURES / "camt053_v08_unreconciled.xml")
    t = txns(result)
    assert len(t) == 3 and t["from_name"].iloc[0] == "Ion Popescu"
    assert t["channel"].tolist() == ["transfer", "p2p", "cash_deposit"]
    assert pd.isna(t.loc["Stmt[1]/Ntry[3]", "from_account"])
    assert t.loc["Stmt[1]/Ntry[3]", "booking_time"] == "09:14"
    assert t.loc["Stmt[1]/Ntry[1]/TxDtls[1]", "description"] == "Leie rom 3 <mars>"
    note = next(n for n in result.notes if "does not reconcile" in n)
    assert "NDEA-12540506319-2026-03" in note and "difference -38900.00" in note
    # the two identical rent payments on one day stay two transactions
    assert t["txn_id"].nunique() == 3


def test_bad_elements_are_rejects_with_locator_and_reason() -> None:
    result = load(FIXTURES / "camt053_bad_rows.xml")
    reasons = result.rejects.set_index("source_locator")["reason"]
    assert "not a decimal number" in reasons["Stmt[1]/Ntry[1]"]
    assert reasons["Stmt[1]/Ntry[2]"].startswith("BookgDt: not a valid date")
    assert reasons["Stmt[1]/Ntry[3]/TxDtls[2]"].startswith("TxDtls has no amount")
    assert "XXQ" in reasons["Stmt[1]/Ntry[4]"]
    assert "SIDEWAYS" in reasons["Stmt[1]/Ntry[5]"]
    assert txns(result).index.tolist() == ["Stmt[1]/Ntry[3]/TxDtls[1]"]
    assert result.rows_read == 6


def test_statement_without_account_uses_the_account_option(tmp_path: Path) -> None:
    path = tmp_path / "camt.xml"
    text = doc(f"<Stmt><Id>S1</Id>{entry(extra='<AddtlNtryInf>Overføring</AddtlNtryInf>')}</Stmt>")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ImportError_, match=r"^camt\.xml: cannot tell whose account .*; pass --account") as error:
        load(path)
    assert "\n" not in str(error.value)
    assert txns(load(path, account="3000.15.81763"))["to_account"].tolist() == ["30001581763"]


def test_document_without_namespace_is_read(tmp_path: Path) -> None:
    path = tmp_path / "plain.xml"
    text = f"<Document><BkToCstmrStmt><Stmt>{ACCT}{entry()}</Stmt></BkToCstmrStmt></Document>"
    path.write_text(text, encoding="utf-8")
    result = camt053.read(str(path), Source(str(path), "plain.xml", "0", "b"))
    assert result.tables["transactions"]["amount_minor"].tolist() == [1000]


def test_only_the_first_child_of_a_name_in_the_camt_namespace_is_read(tmp_path: Path) -> None:
    other = '<Ntry><Amt xmlns="urn:other" Ccy="NOK">5.00</Amt><CdtDbtInd>CRDT</CdtDbtInd></Ntry>'
    twice = (
        '<Ntry><Amt Ccy="NOK">5.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><DtTm>x</DtTm></BookgDt>'
        "<BookgDt><Dt>2026-04-02</Dt></BookgDt></Ntry>"
    )
    party = '<RltdPties><Dbtr><Nm xmlns="urn:other">Skjult</Nm></Dbtr></RltdPties>'
    hidden = f"<NtryDtls><TxDtls>{party}</TxDtls></NtryDtls>"
    path = tmp_path / "camt.xml"
    path.write_text(doc(f"<Stmt>{ACCT}{other}{twice}{entry(extra=hidden)}</Stmt>"), encoding="utf-8")
    result = load(path)
    reasons = result.rejects.set_index("source_locator")["reason"]
    assert reasons["Stmt[1]/Ntry[1]"] == "Ntry/Amt: Ntry/Amt is missing"
    assert reasons["Stmt[1]/Ntry[2]"].startswith("BookgDt: not a valid date")  # the first BookgDt has no Dt
    assert pd.isna(txns(result).loc["Stmt[1]/Ntry[3]/TxDtls[1]", "from_name"])


def test_rows_do_not_depend_on_how_many_are_converted_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    whole = load(FIXTURES / "camt053_v02_97106825541.xml")
    monkeypatch.setattr(camt053, "CHUNK_ROWS", 2)
    chunked = load(FIXTURES / "camt053_v02_97106825541.xml")
    pd.testing.assert_frame_equal(chunked.tables["transactions"], whole.tables["transactions"])
    pd.testing.assert_frame_equal(chunked.rejects, whole.rejects)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (doc("", prolog='<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'), "DTD"),
        (doc("", prolog='<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'), "DTD"),
        (doc("<Stmt><Id>&x;</Id></Stmt>"), "not well-formed XML at line 1"),
        (doc("<Stmt>" + "<a>" * 5000 + "</a>" * 5000 + "</Stmt>"), "nested deeper than 64"),
        (doc("<Stmt>", ns=NS02), "not well-formed"),
        (doc(f"<Stmt>{ACCT}\n{entry()}\n{entry()}\n<Ntry><Amt>1</Amt></Ntri>\n</Stmt>"), "at line 4, column 20$"),
        ('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.02"/>', "not a camt.053 statement"),
        (doc(""), "no statement"),
        ("", "no root element|empty"),
        (doc("").replace('encoding="UTF-8"', 'encoding="TF-8"'), r"not UTF-8 XML \(unknown encoding: TF-8\)"),
    ],
    ids=[
        "billion-laughs",
        "external-entity",
        "undefined-entity",
        "deep",
        "truncated",
        "mismatched-tag",
        "camt052",
        "no-stmt",
        "empty",
        "unknown-encoding",
    ],
)
def test_hostile_or_broken_xml_is_refused_with_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "evil.xml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportError_, match=message) as info:
        camt053.read(str(path), Source(str(path), "evil.xml", "0", "b"))
    assert str(info.value).startswith("evil.xml: ")


def test_sniff_accepts_camt_and_declines_csv() -> None:
    assert camt053.sniff((FIXTURES / "camt053_v08_unreconciled.xml").read_bytes(), "x.xml")
    assert not camt053.sniff((FIXTURES / "dnb_12079939089.csv").read_bytes(), "x.csv")


_SEEDS = [(FIXTURES / n).read_bytes() for n in ("camt053_v02_97106825541.xml", "camt053_v08_unreconciled.xml")]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.sampled_from(_SEEDS),
    cuts=st.lists(st.tuples(st.integers(0, 6000), st.integers(0, 30), st.binary(max_size=10)), max_size=5),
)
def test_corrupted_statements_never_crash_and_counts_reconcile(tmp_path: Path, seed: bytes, cuts: list) -> None:
    data = bytearray(seed)
    for position, length, insert in cuts:
        at = position % len(data)
        data[at : at + length] = insert
    path = tmp_path / "fuzz.xml"
    path.write_bytes(bytes(data))
    try:
        result = camt053.read(str(path), Source(str(path), "fuzz.xml", "0", "b"))
    except ImportError_ as exc:
        assert str(exc).startswith("fuzz.xml: ")
        return
    assert result.rows_read == len(result.tables["transactions"]) + len(result.rejects)
    assert result.tables["transactions"]["amount_minor"].gt(0).all()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    amounts=st.lists(st.tuples(st.integers(1, 10**9), st.sampled_from(["CRDT", "DBIT"])), min_size=1, max_size=8),
    opening=st.integers(-(10**9), 10**9),
    error=st.integers(-3, 3),
)
def test_reconciliation_note_appears_exactly_when_balances_disagree(
    tmp_path: Path, amounts: list, opening: int, error: int
) -> None:
    def money(minor: int) -> str:
        return f"{abs(minor) // 100}.{abs(minor) % 100:02d}"

    def bal(code: str, minor: int) -> str:
        side = "DBIT" if minor < 0 else "CRDT"
        return (
            f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>"
            f'<Amt Ccy="NOK">{money(minor)}</Amt><CdtDbtInd>{side}</CdtDbtInd></Bal>'
        )

    closing = opening + sum(a if s == "CRDT" else -a for a, s in amounts) + error
    entries = "".join(entry(money(a), s) for a, s in amounts)
    path = tmp_path / "rec.xml"
    text = doc(f"<Stmt><Id>R1</Id>{ACCT}{bal('OPBD', opening)}{bal('CLBD', closing)}{entries}</Stmt>")
    path.write_text(text, encoding="utf-8")
    result = camt053.read(str(path), Source(str(path), "rec.xml", "0", "b"))
    unreconciled = [n for n in result.notes if "does not reconcile" in n]
    assert bool(unreconciled) == (error != 0)
    if error:
        sign = "-" if error < 0 else ""
        assert f"difference {sign}0.0{abs(error)}" in unreconciled[0]


@settings(max_examples=40, deadline=None)
@given(
    parts=st.lists(st.sampled_from(["<a>", "</a>", "<b/>", "/>", "<!-- /> -->", 'x="/>"', "<?p?>", "t"]), max_size=80),
    block=st.integers(2, 9),
)
def test_depth_check_gives_the_same_answer_whatever_the_block_size(parts: list[str], block: int) -> None:
    data = ("<r>" + "".join(parts) + "</r>").encode()
    source = Source("d.xml", "d.xml", "0", "b")

    def verdict(size: int) -> tuple[bool, int]:
        try:
            specials = camt053._check_depth(iter([data[i : i + size] for i in range(0, len(data), size)]), source)
        except ImportError_:
            return False, -1
        return True, specials

    whole, specials = verdict(len(data))
    assert verdict(block) == (whole, specials)
    if whole:  # comments and processing instructions counted, as a cut into statements needs
        assert specials == parts.count("<!-- /> -->") + parts.count("<?p?>")
    if parts.count("<a>") > camt053.MAX_DEPTH and "</a>" not in parts:
        assert not whole
