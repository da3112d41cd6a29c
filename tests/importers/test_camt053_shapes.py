"""camt.053 shapes seen in real statements: batch details with their own ``Amt`` and
``CdtDbtInd`` (.001.03 on), reversals (``RvslInd``), charges entries whose details carry transfer
codes, the ``AppHdr`` + ``Document`` envelope, and statements that name no account."""

from __future__ import annotations

from pathlib import Path

import pytest

from finflow.importers import camt053, registry
from finflow.importers.base import ImportError_, ImportResult, Source

NS04 = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.04"
OWN = "NO6530001581763"
ACCT = f"<Acct><Id><IBAN>{OWN}</IBAN></Id><Ccy>NOK</Ccy></Acct>"


def bal(code: str, amount: str, side: str = "CRDT") -> str:
    return (
        f'<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy="NOK">{amount}</Amt>'
        f"<CdtDbtInd>{side}</CdtDbtInd><Dt><Dt>2026-04-30</Dt></Dt></Bal>"
    )


def detail(amount: str, side: str, name: str, account: str, role: str = "Cdtr", codes: str = "") -> str:
    return (
        f'<TxDtls><Amt Ccy="NOK">{amount}</Amt><CdtDbtInd>{side}</CdtDbtInd>{codes}'
        f"<RltdPties><{role}><Nm>{name}</Nm></{role}><{role}Acct><Id><Othr><Id>{account}</Id></Othr></Id>"
        f"</{role}Acct></RltdPties></TxDtls>"
    )


def entry(amount: str, side: str, body: str = "", codes: str = "", extra: str = "") -> str:
    return (
        f'<Ntry><Amt Ccy="NOK">{amount}</Amt><CdtDbtInd>{side}</CdtDbtInd>{extra}<Sts><Cd>BOOK</Cd></Sts>'
        f"<BookgDt><Dt>2026-04-02</Dt></BookgDt>{codes}<NtryDtls>{body}</NtryDtls></Ntry>"
    )


def codes(family: str, sub: str) -> str:
    return f"<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>{family}</Cd><SubFmlyCd>{sub}</SubFmlyCd></Fmly></Domn></BkTxCd>"


def statement(entries: str, account: str = ACCT, opening: str = "100000.00", closing: str | None = None) -> str:
    balances = bal("OPBD", opening) + (bal("CLBD", closing) if closing else "")
    return f"<Stmt><Id>S-2026-04</Id>{account}{balances}{entries}</Stmt>"


def document(stmts: str, ns: str = NS04) -> str:
    return f'<Document xmlns="{ns}"><BkToCstmrStmt><GrpHdr><MsgId>M1</MsgId></GrpHdr>{stmts}</BkToCstmrStmt></Document>'


def write(tmp_path: Path, name: str, xml: str) -> Path:
    path = tmp_path / name
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>' + xml, encoding="utf-8")
    return path


def load(path: Path, **options: str) -> ImportResult:
    module = registry.detect(str(path), path.name)
    assert module.FORMAT == camt053.FORMAT
    result = module.read(str(path), Source(str(path), path.name, "0" * 64, "b", dict(options)))
    assert result.rows_read == len(result.tables["transactions"]) + len(result.rejects)
    return result


def payroll_batch() -> str:
    """A supplier/payroll batch: one debit entry, three details with only TxDtls/Amt."""
    workers = [("18450.00", "Anna Kowalska", "05400759547"), ("17900.50", "Ion Popescu", "60394140026"),
               ("21000.00", "Petra Novak", "18228611685")]  # fmt: skip
    body = "".join(detail(a, "DBIT", n, acct) for a, n, acct in workers)
    return entry("57350.50", "DBIT", body, codes("ICDT", "SALA"))


def test_batch_details_carry_their_own_amount_and_direction(tmp_path: Path) -> None:
    path = write(tmp_path, "batch.xml", document(statement(payroll_batch(), closing="42649.50")))
    result = load(path)
    t = result.tables["transactions"].set_index("source_locator")
    assert len(result.rejects) == 0 and len(t) == 3
    assert t["amount_minor"].tolist() == [1_845_000, 1_790_050, 2_100_000]
    assert sum(t["amount_minor"]) == 5_735_050  # the details sum to the entry
    assert set(t["from_account"]) == {"30001581763"}
    assert t["to_account"].tolist() == ["05400759547", "60394140026", "18228611685"]
    assert t["to_name"].tolist() == ["Anna Kowalska", "Ion Popescu", "Petra Novak"]
    assert not any("does not reconcile" in n for n in result.notes)


def test_a_detail_whose_direction_differs_from_its_entry_is_read_that_way(tmp_path: Path) -> None:
    body = detail("500.00", "DBIT", "Rask Renhold AS", "12540506319") + detail(
        "200.00", "CRDT", "Kari Olsen", "15033395636", role="Dbtr"
    )
    path = write(tmp_path, "mixed.xml", document(statement(entry("300.00", "DBIT", body))))
    t = load(path).tables["transactions"]
    assert t[["from_account", "to_account", "amount_minor"]].values.tolist() == [
        ["30001581763", "12540506319", 50_000],
        ["15033395636", "30001581763", 20_000],
    ]


def test_reversals_are_marked_and_kept_out_of_the_flows(tmp_path: Path) -> None:
    payment = entry("2500.00", "DBIT", detail("2500.00", "DBIT", "Ola Nordmann", "12079939089"), codes("ICDT", "DMCT"))
    returned = entry(
        "2500.00", "CRDT", detail("2500.00", "CRDT", "Ola Nordmann", "12079939089", role="Dbtr"),
        codes("ICDT", "RRTN"), extra="<RvslInd>true</RvslInd>",
    )  # fmt: skip
    path = write(tmp_path, "rvsl.xml", document(statement(payment + returned, closing="100000.00")))
    result = load(path)
    t = result.tables["transactions"]
    assert len(t) == 1 and t["amount_minor"].tolist() == [250_000] and t["to_account"].tolist() == ["12079939089"]
    rejected = result.rejects.set_index("source_locator")["reason"]
    assert rejected.to_dict() == {"Stmt[1]/Ntry[2]/TxDtls[1]": camt053.REVERSAL_REASON}
    assert any("1 reversal/return" in n for n in result.notes)
    assert not any("does not reconcile" in n for n in result.notes)  # the reversal is still booked


def test_charges_entry_with_transfer_codes_in_its_details_is_a_fee(tmp_path: Path) -> None:
    fee_detail = detail("75.00", "DBIT", "DNB Bank ASA", "81010230512", codes=codes("ICDT", "ESCT"))
    path = write(tmp_path, "fee.xml", document(statement(entry("75.00", "DBIT", fee_detail, codes("CHRG", "OTHR")))))
    t = load(path).tables["transactions"]
    assert t["channel"].tolist() == ["fee"] and t["amount_minor"].tolist() == [7_500]


def test_apphdr_envelope_is_read(tmp_path: Path) -> None:
    head = (
        '<AppHdr xmlns="urn:iso:std:iso:20022:tech:xsd:head.001.001.02"><Fr><FIId><FinInstnId>'
        "<BICFI>DNBANOKK</BICFI></FinInstnId></FIId></Fr><BizMsgIdr>B1</BizMsgIdr>"
        "<MsgDefIdr>camt.053.001.04</MsgDefIdr></AppHdr>"
    )
    xml = f"<message>{head}{document(statement(payroll_batch()))}</message>"
    result = load(write(tmp_path, "mx.xml", xml))
    assert result.tables["transactions"]["amount_minor"].sum() == 5_735_050


def test_statement_naming_no_account_is_refused_in_one_line_with_the_remedy(tmp_path: Path) -> None:
    path = write(tmp_path, "noacct.xml", document(statement(payroll_batch(), account="")))
    with pytest.raises(ImportError_) as error:
        load(path)
    message = str(error.value)
    assert message.startswith("noacct.xml: cannot tell whose account") and "pass --account" in message
    assert "\n" not in message
    given = load(path, account="3000.15.81763").tables["transactions"]
    assert set(given["from_account"]) == {"30001581763"}
    named = write(tmp_path, "camt053_30001581763.xml", document(statement(payroll_batch(), account="")))
    assert set(load(named).tables["transactions"]["from_account"]) == {"30001581763"}
