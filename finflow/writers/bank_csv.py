"""Norwegian bank CSV exports of one account, as the banks write them (for the generator).

Each bank gets its own header, delimiter, quoting, number style and encoding; the style is
varied the way real files vary (BOM or none, cp1252 or UTF-8, "25 000,00" or "35.8"). Texts
start with the word that names the channel (Varekjøp, Vipps, Overføring …) and, where the
export has no counterparty column, name the counterparty's account, so the importer can read
both back.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import pandas as pd

from .statement import CHANNEL_WORDS, account_view, decimal_text, format_bban

__all__ = ["BANKS", "BankStyle", "choose_style", "write_bank_csv"]

BANKS: tuple[str, ...] = ("dnb", "dnb-motkonto", "sparebank1", "nordea", "sbanken")
#: Banks whose export has no counterparty-account column (the account goes into the text).
TEXT_ONLY: frozenset[str] = frozenset({"dnb", "sbanken"})

_SBANKEN_TYPES = {
    "card": "VISA VARE", "p2p": "VIPPS", "transfer": "OVFNETTB", "cash_deposit": "INNSKUDD AUTOMAT",
    "cash_withdrawal": "MINIBANK", "salary": "LØNN", "fee": "GEBYR", "remittance": "UTLANDSBETALING",
    "other": "DIVERSE",
}  # fmt: skip
_NORDEA_TYPES = {**CHANNEL_WORDS, "card": "Kortkjøp"}


@dataclass(frozen=True, slots=True)
class BankStyle:
    """How one file is written."""

    encoding: str = "utf-8"  # utf-8 | utf-8-sig | cp1252
    numbers: str = "comma"  # comma ("1234,50") | grouped ("1 234,50") | nbsp ("1 234,50") | dot ("1234.5")
    variant: str = ""  # nordea: "saldo" writes the Saldo variant
    pending: int = 0  # pending/reserved rows appended (not bookings)


def choose_style(bank: str, rng: random.Random) -> BankStyle:
    """A realistic style for ``bank``, drawn from what real exports are seen to do."""
    if bank == "dnb":
        return BankStyle(rng.choice(["utf-8", "cp1252"]), rng.choice(["grouped", "dot"]), pending=rng.randint(0, 2))
    if bank == "dnb-motkonto":
        encoding = rng.choice(["utf-8", "utf-8-sig"])
        return BankStyle(encoding, rng.choice(["grouped", "comma"]), pending=rng.randint(0, 1))
    if bank == "sparebank1":
        return BankStyle(rng.choice(["utf-8-sig", "utf-8"]), "comma", pending=0)
    if bank == "nordea":
        return BankStyle("utf-8", "comma", rng.choice(["", "saldo"]), pending=rng.randint(0, 1))
    return BankStyle(rng.choice(["cp1252", "utf-8"]), rng.choice(["comma", "nbsp"]))


def _numbers(amounts: pd.Series, currency: pd.Series, style: str) -> pd.Series:
    if style == "dot":
        return decimal_text(amounts, currency, mark=".", strip_zeros=True)
    group = {"grouped": " ", "nbsp": "\u00a0"}.get(style, "")
    return decimal_text(amounts, currency, mark=",", group=group)


def _clean(series: pd.Series) -> pd.Series:
    """Free text on one line, without tabs/newlines, and without the word banks use to mark
    a row as not booked (``reservert``), which would turn a booking into a pending row."""
    text = series.fillna("").astype("string").str.replace(r"[\r\n\t]+", " ", regex=True)
    return text.str.replace(r"(?i)reservert", "reserv.", regex=True).str.strip()


def _text(view: pd.DataFrame, with_account: bool, with_time: bool) -> pd.Series:
    """Statement text: channel word, [counterparty account], name, original description."""
    text = view["channel"].map(CHANNEL_WORDS).fillna("Diverse").astype("string")
    if with_account:
        account = format_bban(view["cp_account"]).fillna("")
        text = (text + " " + account).str.strip()
    for column in ("cp_name", "description"):
        part = _clean(view[column])
        text = (text + " " + part).str.strip()
    if with_time:
        timed = (view["channel"] == "card") & view["time"].notna()
        stamp = "Dato " + view["date"].dt.strftime("%d.%m") + " kl. " + view["time"].fillna("").str.replace(":", ".")
        text = text.where(~timed.to_numpy(dtype=bool), text + " " + stamp)
    return text


def _quote(series: pd.Series) -> pd.Series:
    return '"' + series.fillna("").astype("string").str.replace('"', '""', regex=False) + '"'


def write_bank_csv(txns: pd.DataFrame, account: str, bank: str, path: str, style: BankStyle | None = None) -> int:
    """Write ``account``'s statement as ``bank``'s CSV export; returns the number of rows written."""
    if bank not in BANKS:
        raise ValueError(f"unknown bank {bank!r}; known: {', '.join(BANKS)}")
    style = style or BankStyle()
    view = account_view(txns, account)
    if bank != "nordea" and not (view["currency"] == "NOK").all():
        raise ValueError(f"{bank} exports carry no currency column; account {account} has non-NOK rows")
    writer = {
        "dnb": _dnb, "dnb-motkonto": _dnb_motkonto, "sparebank1": _sparebank1, "nordea": _nordea,
        "sbanken": _sbanken,
    }[bank]  # fmt: skip
    lines, newline = writer(view, account, style)
    data = newline.join(lines)
    if not bank.startswith("dnb"):  # DNB files end without a newline after the last row
        data += newline
    encoding = style.encoding
    with open(path, "wb") as fh:
        fh.write(data.encode(encoding, errors="replace" if encoding == "cp1252" else "strict"))
    return len(view)


def _dnb(view: pd.DataFrame, account: str, style: BankStyle) -> tuple[list[str], str]:
    date = view["date"].dt.strftime("%d.%m.%Y")
    amount = _numbers(view["signed"].abs(), view["currency"], style.numbers)
    amount = amount if style.numbers == "dot" else _quote(amount)
    empty = '""'
    out = amount.where(~view["credit"], empty)
    inn = amount.where(view["credit"], empty)
    text = _quote(_text(view, with_account=True, with_time=True))
    rows = _quote(date) + ";" + text + ";" + _quote(date) + ";" + out + ";" + inn
    pending = [
        f'"{view["date"].max():%d.%m.%Y}";"Reservert transaksjon Varekjøp KIWI {i + 1}";"";"{99 + i},00";""'
        for i in range(style.pending if len(view) else 0)
    ]
    header = '"Dato";"Forklaring";"Rentedato";"Ut fra konto";"Inn på konto"'
    return [header, *rows.tolist(), *pending], "\r\n"


def _named_text(view: pd.DataFrame) -> pd.Series:
    """Texts as the newer DNB export writes them: the counterparty's name only in the text.

    A Vipps receipt is ``Vipps <Name>``; a transfer ``Overføring til|fra <account> <Name>
    <message>``; anything else the channel word, the name and the message.
    """
    word = view["channel"].map(CHANNEL_WORDS).fillna("Diverse").astype("string")
    name = _clean(view["cp_name"])
    message = _clean(view["description"])
    account = format_bban(view["cp_account"]).fillna("")
    direction = pd.Series(["fra" if c else "til" for c in view["credit"]], index=view.index, dtype="string")
    transfer = word + " " + direction + " " + account + " " + name + " " + message
    transfer = transfer.str.replace(r"\s+", " ", regex=True)
    plain = (word + " " + name + " " + message).str.replace(r"\s+", " ", regex=True)
    vipps = (word + " " + name).str.strip()
    channel = view["channel"]
    text = plain.where(channel != "transfer", transfer).where(channel != "p2p", vipps)
    return text.str.strip()


def _dnb_motkonto(view: pd.DataFrame, account: str, style: BankStyle) -> tuple[list[str], str]:
    date = _quote(view["date"].dt.strftime("%d.%m.%Y"))
    amount = _quote(_numbers(view["signed"], view["currency"], style.numbers))
    other = _quote(format_bban(view["cp_account"]).fillna(""))
    rows = date + ";" + _quote(_named_text(view)) + ";" + date + ";" + amount + ";" + other
    pending = [
        f'"{view["date"].max():%d.%m.%Y}";"Reservert transaksjon Varekjøp KIWI {i + 1}";"";"-{99 + i},00";""'
        for i in range(style.pending if len(view) else 0)
    ]
    header = '"Dato";"Forklaringstekst";"Rentedato";"Beløp";"Motkonto"'
    return [header, *rows.tolist(), *pending], "\r\n"


def _sparebank1(view: pd.DataFrame, account: str, style: BankStyle) -> tuple[list[str], str]:
    date = view["date"].dt.strftime("%d.%m.%Y")
    signed = _numbers(view["signed"], view["currency"], style.numbers)
    credit = view["credit"].to_numpy(dtype=bool)
    cp = view["cp_account"].fillna("")
    inn = signed.where(credit, "")
    out = signed.where(~credit, "")
    to_acct = cp.where(~credit, account)
    from_acct = cp.where(credit, account)
    text = _text(view, with_account=False, with_time=False)
    cols = [date, text, date, inn, out, to_acct, from_acct]
    rows = cols[0].pipe(_quote)
    for c in cols[1:]:
        rows = rows + ";" + _quote(c)
    header = "Dato;Beskrivelse;Rentedato;Inn;Ut;Til konto;Fra konto;"
    return [header, *(rows + ";").tolist()], "\r\n"


def _nordea(view: pd.DataFrame, account: str, style: BankStyle) -> tuple[list[str], str]:
    date = view["date"].dt.strftime("%Y/%m/%d")
    credit = view["credit"].to_numpy(dtype=bool)
    own = format_bban(pd.Series(account, index=view.index, dtype="string"))
    cp = format_bban(view["cp_account"]).fillna("")
    sender, receiver = cp.where(credit, own), own.where(credit, cp)
    amount = _numbers(view["signed"], view["currency"], "comma")
    name = _clean(view["cp_name"])
    title = _text(view, with_account=False, with_time=False)
    kind = view["channel"].map(_NORDEA_TYPES).fillna("Diverse").astype("string")
    if style.variant == "saldo":
        balance = _numbers(view.groupby("currency")["signed"].cumsum() + 1_000_000, view["currency"], "comma")
        header = "Bokføringsdato;Beløp;Avsender;Mottaker;Navn;Tittel;Saldo;Valuta"
        cols = [date, amount, sender, receiver, name, title, balance, view["currency"]]
        pending = [f"Reservert;-{250 + i},00;{own.iloc[0]};;KIWI;Varekjøp KIWI;;NOK" for i in range(style.pending)]
    else:
        header = "Bokføringsdato;Beløp;Avsender;Mottaker;Navn;Tittel;Valuta;Betalingstype"
        cols = [date, amount, sender, receiver, name, title, view["currency"], kind]
        pending = [
            f"Reservert;-{250 + i},00;{own.iloc[0]};;KIWI;Varekjøp KIWI;NOK;Kortkjøp" for i in range(style.pending)
        ]
    rows = cols[0].astype("string")
    for c in cols[1:]:
        c = c.astype("string").fillna("")
        needs_quotes = c.str.contains(r'[;"]', regex=True).fillna(False).astype(bool)
        rows = rows + ";" + c.where(~needs_quotes, _quote(c))
    return [header, *rows.tolist(), *(pending if len(view) else [])], "\n"


def _sbanken(view: pd.DataFrame, account: str, style: BankStyle) -> tuple[list[str], str]:
    date = view["date"].dt.strftime("%d.%m.%Y")
    credit = view["credit"].to_numpy(dtype=bool)
    amount = _numbers(view["signed"], view["currency"], style.numbers)
    kind = view["channel"].map(_SBANKEN_TYPES).fillna("DIVERSE").astype("string")
    ref = view["txn_ref"].fillna("").astype("string").str.replace(r"\s+", " ", regex=True)
    text = _text(view, with_account=True, with_time=False)
    cols = [date, date, ref, kind, text, amount.where(~credit, ""), amount.where(credit, "")]
    rows = cols[0]
    for c in cols[1:]:
        c = c.astype("string").fillna("")
        needs_quotes = c.str.contains(r'[\t"]', regex=True).fillna(False).astype(bool)
        rows = rows + "\t" + c.where(~needs_quotes, _quote(c))
    header = "\t".join(
        ["BOKFØRINGSDATO", "RENTEDATO", "ARKIVREFERANSE", "TYPE", "TEKST", "UT FRA KONTO", "INN PÅ KONTO"]
    )
    return [header, *rows.tolist()], "\r\n"
