"""ISO 20022 camt.053 statements of one account (versions .001.02 and .001.08), for the generator.

One ``Stmt`` per calendar month with chained opening/closing booked balances. An employer's
salary debits of one day become ONE ``Ntry`` with a ``TxDtls`` per worker, as banks book payroll
batches. Channels are written as bank transaction codes (``BkTxCd``), with ``Purp`` SALA for
salaries; counterparties under ``RltdPties`` (IBAN, or ``Othr/Id`` for other identifiers).
"""

from __future__ import annotations

import random
import re
from xml.sax.saxutils import escape

import pandas as pd
from stdnum import iban as std_iban

from finflow.money import minor_units
from finflow.normalize import normalize_account

from .statement import CHANNEL_WORDS, account_view

__all__ = ["VERSIONS", "account_element", "write_camt053"]

VERSIONS = ("001.02", "001.08")
_NS = "urn:iso:std:iso:20022:tech:xsd:camt.053."
_CODES = {  # channel → (domain, family for credit, family for debit, subfamily)
    "transfer": ("PMNT", "RCDT", "ICDT", "DMCT"),
    "p2p": ("PMNT", "RCDT", "ICDT", "DMCT"),
    "card": ("PMNT", "CCRD", "CCRD", "POSD"),
    "cash_withdrawal": ("PMNT", "CCRD", "CCRD", "CWDL"),
    "cash_deposit": ("PMNT", "CNTR", "CNTR", "CDPT"),
    "salary": ("PMNT", "RCDT", "ICDT", "SALA"),
    "remittance": ("PMNT", "RCDT", "ICDT", "XBCT"),
    "fee": ("ACMT", "MDOP", "MDOP", "CHRG"),
    "other": ("PMNT", "OTHR", "OTHR", "OTHR"),
}
_BAD_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(value: object) -> str:
    """Text safe inside an XML element (escaped, no characters XML 1.0 forbids)."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return escape(_BAD_XML_CHARS.sub(" ", str(value)))


def account_element(account: str) -> str:
    """``<Id>`` content for an account: IBAN for Norwegian BBANs and IBANs, else ``Othr``."""
    number = normalize_account(account)
    if number.scheme == "no_bban":
        bban = number.account_id
        return f"<IBAN>NO{std_iban.calc_check_digits('NO00' + bban)}{bban}</IBAN>"
    if number.scheme == "iban":
        return f"<IBAN>{_x(number.account_id)}</IBAN>"
    return f"<Othr><Id>{_x(account)}</Id></Othr>"


def _party(role: str, name: object, country: object, v08: bool) -> str:
    inner = ""
    if _x(name):
        inner += f"<Nm>{_x(name)}</Nm>"
    if _x(country):
        inner += f"<PstlAdr><Ctry>{_x(country)}</Ctry></PstlAdr>"
    if not inner:
        return ""
    return f"<{role}><Pty>{inner}</Pty></{role}>" if v08 else f"<{role}>{inner}</{role}>"


def write_camt053(
    txns: pd.DataFrame,
    account: str,
    path: str,
    *,
    version: str = "001.02",
    opening_minor: int = 0,
    seed: int = 0,
    owner: str | None = None,
) -> int:
    """Write ``account``'s statement; returns the number of transactions written."""
    if version not in VERSIONS:
        raise ValueError(f"unsupported camt.053 version {version!r}; supported: {', '.join(VERSIONS)}")
    rng = random.Random(seed)
    v08 = version == "001.08"
    view = account_view(txns, account)
    currency = str(view["currency"].mode().iloc[0]) if len(view) else "NOK"
    owner = owner or (str(view["own_name"].dropna().mode().iloc[0]) if view["own_name"].notna().any() else "")
    bic_tag = "BICFI" if v08 else "BIC"
    months = view["date"].dt.to_period("M") if len(view) else pd.Series([], dtype="period[M]")
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<Document xmlns="{_NS}{version}"><BkToCstmrStmt>',
        f"<GrpHdr><MsgId>FINFLOW-{_x(account)}-{seed}</MsgId><CreDtTm>2026-01-01T06:00:00</CreDtTm></GrpHdr>",
    ]
    balance = opening_minor
    groups = list(view.groupby(months, sort=True)) if len(view) else [(pd.Period("2026-01", "M"), view)]
    for number, (month, rows) in enumerate(groups, start=1):
        start, end = month.start_time.date(), month.end_time.date()
        entries, total = _entries(rows, rng, v08)
        closing = balance + total
        parts.append(
            f"<Stmt><Id>{_x(account)}-{month}</Id><ElctrncSeqNb>{number}</ElctrncSeqNb>"
            f"<CreDtTm>{end}T23:59:00</CreDtTm><FrToDt><FrDtTm>{start}T00:00:00</FrDtTm>"
            f"<ToDtTm>{end}T23:59:59</ToDtTm></FrToDt>"
            f"<Acct><Id>{account_element(account)}</Id><Ccy>{currency}</Ccy>"
            + (f"<Ownr><Nm>{_x(owner)}</Nm></Ownr>" if owner else "")
            + f"<Svcr><FinInstnId><{bic_tag}>DNBANOKKXXX</{bic_tag}></FinInstnId></Svcr></Acct>"
            + _balance("OPBD", balance, currency, start)
            + _balance("CLBD", closing, currency, end)
            + f"<TxsSummry><TtlNtries><NbOfNtries>{len(entries)}</NbOfNtries></TtlNtries></TxsSummry>"
        )
        parts.extend(entries)
        parts.append("</Stmt>")
        balance = closing
    parts.append("</BkToCstmrStmt></Document>\n")
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("\n".join(parts))
    return len(view)


def _balance(code: str, amount: int, currency: str, day: object) -> str:
    text = _amount(abs(amount), currency)
    side = "DBIT" if amount < 0 else "CRDT"
    return (
        f'<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy="{currency}">{text}</Amt>'
        f"<CdtDbtInd>{side}</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>"
    )


def _entries(rows: pd.DataFrame, rng: random.Random, v08: bool) -> tuple[list[str], int]:
    """``Ntry`` elements for one month's rows and their signed total in the account currency."""
    groups: dict[object, list] = {}
    for row in rows.itertuples(index=False):
        payroll = row.channel == "salary" and not row.credit
        key = ("pay", row.date, row.currency) if payroll else len(groups)
        groups.setdefault(key, []).append(row)
    entries: list[str] = []
    total = 0
    status = "<Sts><Cd>BOOK</Cd></Sts>" if v08 else "<Sts>BOOK</Sts>"
    for n, group in enumerate(groups.values(), start=1):
        first = group[0]
        credit = bool(first.credit)
        ccy = first.currency
        amount = sum(abs(r.signed) for r in group)
        total += amount if credit else -amount
        domain, fam_in, fam_out, sub = _CODES.get(str(first.channel), _CODES["other"])
        codes = (
            f"<BkTxCd><Domn><Cd>{domain}</Cd><Fmly><Cd>{fam_in if credit else fam_out}</Cd>"
            f"<SubFmlyCd>{sub}</SubFmlyCd></Fmly></Domn></BkTxCd>"
        )
        date, time = first.date.strftime("%Y-%m-%d"), first.time
        single_time = isinstance(time, str) and len(group) == 1
        booking = f"<DtTm>{date}T{time}:00</DtTm>" if single_time else f"<Dt>{date}</Dt>"
        details = "".join(_detail(row, ccy, credit, v08, rng, len(group)) for row in group)
        info = f"Lønn {len(group)} mottakere" if len(group) > 1 else _words(first)
        entries.append(
            f'<Ntry><NtryRef>{n}</NtryRef><Amt Ccy="{ccy}">{_amount(amount, ccy)}</Amt>'
            f"<CdtDbtInd>{'CRDT' if credit else 'DBIT'}</CdtDbtInd>{status}"
            f"<BookgDt>{booking}</BookgDt><ValDt><Dt>{date}</Dt></ValDt>"
            f"<AcctSvcrRef>{rng.randrange(10**9, 10**10)}</AcctSvcrRef>{codes}"
            f"<NtryDtls>{details}</NtryDtls><AddtlNtryInf>{_x(info)}</AddtlNtryInf></Ntry>"
        )
    return entries, total


def _amount(minor: int, currency: str) -> str:
    exp = minor_units(currency)
    whole, frac = divmod(abs(minor), 10**exp)
    return f"{'-' if minor < 0 else ''}{whole}" + (f".{frac:0{exp}d}" if exp else "")


def _words(row: object) -> str:
    word = CHANNEL_WORDS.get(str(row.channel), "Diverse")
    name = row.cp_name
    return f"{word} {name}" if isinstance(name, str) and name else word


def _detail(row: object, ccy: str, credit: bool, v08: bool, rng: random.Random, n: int) -> str:
    role = "Dbtr" if credit else "Cdtr"
    text = CHANNEL_WORDS.get(str(row.channel), "Diverse")
    if isinstance(row.description, str) and row.description:
        text += " " + row.description
    if n > 1 or rng.random() < 0.8:
        tag = "TxAmt" if rng.random() < 0.7 else "InstdAmt"
        amount = f'<AmtDtls><{tag}><Amt Ccy="{ccy}">{_amount(abs(row.signed), ccy)}</Amt></{tag}></AmtDtls>'
    else:
        amount = ""  # a single detail may leave the amount to the entry
    ref = row.txn_ref if isinstance(row.txn_ref, str) and row.txn_ref else "NOTPROVIDED"
    parties = _party(role, row.cp_name, row.cp_country, v08)
    if isinstance(row.cp_account, str) and row.cp_account:
        parties += f"<{role}Acct><Id>{account_element(row.cp_account)}</Id></{role}Acct>"
    purpose = "<Purp><Cd>SALA</Cd></Purp>" if row.channel == "salary" else ""
    return (
        f"<TxDtls><Refs><EndToEndId>{_x(ref)}</EndToEndId></Refs>{amount}"
        + (f"<RltdPties>{parties}</RltdPties>" if parties else "")
        + f"{purpose}<RmtInf><Ustrd>{_x(text)}</Ustrd></RmtInf></TxDtls>"
    )
