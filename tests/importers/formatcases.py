"""One payment written in each transaction format, so edge cases can be checked in all of them.

A payment is ``(date, amount text, currency, payer account, payee account)``; each builder
returns the file name and bytes of a file holding the payments, in that format's own layout.
The bank export is the statement of ``OWN``, the camt.053 statement is ``OWN``'s too: payments
from ``OWN`` are debits there, payments to it credits.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.parquet as pq

OWN = "12079939089"  # a valid Norwegian account (MOD11)
OTHER = "15033395636"  # another valid one
BAD_CHECK_DIGIT = "12079939088"  # 11 digits, MOD11 fails: kept, unvalidated, scheme "other"


@dataclass(frozen=True, slots=True)
class Payment:
    date: str = "2026-01-25"
    amount: str = "100.00"
    currency: str = "NOK"
    payer: str = OTHER
    payee: str = OWN


def generic(payments: list[Payment]) -> tuple[str, bytes]:
    lines = ["date,amount,currency,from_account,to_account,description"]
    lines += [f"{p.date},{p.amount},{p.currency},{p.payer},{p.payee},payment" for p in payments]
    return "payments.csv", ("\n".join(lines) + "\n").encode()


def dnb(payments: list[Payment]) -> tuple[str, bytes]:
    """A DNB export of ``OWN``: the counterparty account is named in the text, amounts use ``,``."""
    lines = ['"Dato";"Forklaring";"Rentedato";"Ut fra konto";"Inn på konto"']
    for p in payments:
        year, month, day = p.date.split("-")
        date = f"{day}.{month}.{year}"
        amount = p.amount.replace(".", ",")
        if p.payer == OWN:
            lines.append(f'"{date}";"Overføring {p.payee}";"{date}";"{amount}";""')
        else:
            lines.append(f'"{date}";"Overføring {p.payer}";"{date}";"";"{amount}"')
    return f"dnb_{OWN}.csv", ("\r\n".join(lines) + "\r\n").encode()


def nordea(payments: list[Payment]) -> tuple[str, bytes]:
    """A Nordea export of ``OWN``: both accounts in columns, a signed amount, a currency column."""
    lines = ["Bokføringsdato;Beløp;Avsender;Mottaker;Navn;Tittel;Valuta;Betalingstype"]
    for p in payments:
        amount = p.amount.replace(".", ",")
        signed = amount if p.payer != OWN or amount.startswith("-") else f"-{amount}"
        lines.append(f"{p.date.replace('-', '/')};{signed};{p.payer};{p.payee};Navn;Overføring;{p.currency};Overføring")
    return "nordea_export.csv", ("\n".join(lines) + "\n").encode()


def _camt_account(number: str) -> str:
    return f"<Id><IBAN>{number}</IBAN></Id>" if number[:2].isalpha() else f"<Id><Othr><Id>{number}</Id></Othr></Id>"


def camt(payments: list[Payment]) -> tuple[str, bytes]:
    """A camt.053.001.02 statement of ``OWN``; each payment one entry with one detail."""
    entries = []
    for p in payments:
        debit = p.payer == OWN
        party = (
            f"<Cdtr><Nm>Payee</Nm></Cdtr><CdtrAcct>{_camt_account(p.payee)}</CdtrAcct>"
            if debit
            else f"<Dbtr><Nm>Payer</Nm></Dbtr><DbtrAcct>{_camt_account(p.payer)}</DbtrAcct>"
        )
        entries.append(
            f'<Ntry><Amt Ccy="{p.currency}">{p.amount}</Amt><CdtDbtInd>{"DBIT" if debit else "CRDT"}</CdtDbtInd>'
            f"<Sts>BOOK</Sts><BookgDt><Dt>{p.date}</Dt></BookgDt>"
            f"<NtryDtls><TxDtls><RltdPties>{party}</RltdPties></TxDtls></NtryDtls></Ntry>"
        )
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Id>s1</Id>'
        f"<Acct><Id><Othr><Id>{OWN}</Id></Othr></Id></Acct>{''.join(entries)}</Stmt></BkToCstmrStmt></Document>"
    )
    return "statement.xml", text.encode()


_AMLWORLD_CURRENCY = {"USD": "US Dollar", "EUR": "Euro", "NOK": "Norwegian Krone"}


def amlworld(payments: list[Payment]) -> tuple[str, bytes]:
    lines = [
        "Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,Amount Paid,"
        "Payment Currency,Payment Format,Is Laundering"
    ]
    for p in payments:
        cur = _AMLWORLD_CURRENCY.get(p.currency, p.currency)
        lines.append(
            f"{p.date.replace('-', '/')} 10:00,001,{p.payer},002,{p.payee},{p.amount},{cur},{p.amount},{cur},Wire,0"
        )
    return "HI-Small_Trans.csv", ("\n".join(lines) + "\n").encode()


def remittance(payments: list[Payment]) -> tuple[str, bytes]:
    header = (
        "mto_txn_id,send_time,sender_name,sender_birth_date,sender_id_number,sender_address,sender_phone,"
        "send_agent,receiver_name,receiver_country,receiver_city,receiver_phone,payout_time,payout_agent,"
        "send_amount,send_currency,payout_amount,payout_currency,fee,fee_currency,status"
    )
    lines = [header]
    for n, p in enumerate(payments):
        lines.append(
            f"MT-{n:04d},{p.date}T10:00,Ion Popescu,1995-07-14,,,,AG-1,Maria Ionescu,RO,Bucuresti,,,,"
            f"{p.amount},{p.currency},,,0,,paid"
        )
    return "remittances.csv", ("\n".join(lines) + "\n").encode()


def amlgentex(payments: list[Payment]) -> tuple[str, bytes]:
    """AMLGentex logs carry float amounts and integer accounts; dates are steps from 2023-01-01."""
    import datetime as dt

    start = dt.date(2023, 1, 1)
    steps = [(dt.date.fromisoformat(p.date) - start).days for p in payments]
    table = pa.table({
        "step": pa.array(steps, pa.int64()), "type": pa.array(["TRANSFER"] * len(payments)),
        "amount": pa.array([float(p.amount) for p in payments], pa.float64()),
        "nameOrig": pa.array([int(p.payer) for p in payments], pa.int64()),
        "nameDest": pa.array([int(p.payee) for p in payments], pa.int64()),
    })  # fmt: skip
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return "tx_log.parquet", sink.getvalue()


BUILDERS: dict[str, Callable[[list[Payment]], tuple[str, bytes]]] = {
    "generic_csv": generic,
    "no_bank_csv": dnb,
    "no_bank_csv (Nordea)": nordea,
    "camt053": camt,
    "amlworld": amlworld,
    "remittance": remittance,
    "amlgentex": amlgentex,
}
