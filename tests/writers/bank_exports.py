"""Bank CSV exports in the layouts of ``shared/domain/formats-in-the-wild.md``, with their quirks.

Each writer takes plain rows (dicts) and writes the bytes a bank would: its header, delimiter,
quoting, number and date style, encoding and line ends, and the extras real files carry (saldo
lines after the rows, multi-line quoted messages, reserved rows). The rows are the test's own.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "SDC_HEADER",
    "write_bank_norwegian",
    "write_dnb_2014",
    "write_dnb_mastercard",
    "write_dnb_motkonto",
    "write_headerless_savings",
    "write_nordea",
    "write_sdc",
    "write_sparebanken_sor",
]

SDC_HEADER = (
    "Utført dato", "Bokført dato", "Rentedato", "Beskrivelse", "Type", "Undertype", "Fra konto", "Avsender",
    "Til konto", "Mottakernavn", "Beløp inn", "Beløp ut", "Valuta", "Status", "Melding/KID/Fakt.nr",
)  # fmt: skip


def _quote(value: str, delimiter: str) -> str:
    if any(c in value for c in (delimiter, '"', "\n", "\r")):
        return '"' + value.replace('"', '""') + '"'
    return value


def _lines(rows: list[list[str]], delimiter: str, quote_all: bool = False) -> list[str]:
    if quote_all:
        return [delimiter.join('"' + c.replace('"', '""') + '"' for c in row) for row in rows]
    return [delimiter.join(_quote(c, delimiter) for c in row) for row in rows]


def _write(path: Path, lines: list[str], encoding: str = "utf-8", newline: str = "\n", end: bool = True) -> Path:
    text = newline.join(lines) + (newline if end else "")
    path.write_bytes(text.encode(encoding))
    return path


def write_sdc(path: Path, rows: list[dict[str, str]], *, comma: bool = False, saldo: tuple[str, ...] = ()) -> Path:
    """SDC Bokmål (Handelsbanken NO, BN Bank): ``;`` (or ``,`` with an empty column after
    Rentedato), signed amounts with ``.`` decimals, ``Status``, saldo lines after the rows."""
    header = list(SDC_HEADER)
    delimiter = "," if comma else ";"
    if comma:
        header.insert(3, "")
    out = []
    for row in rows:
        cells = [row.get(h, "") for h in SDC_HEADER]
        if comma:
            cells.insert(3, "")
        out.append(cells)
    lines = [delimiter.join(header), *_lines(out, delimiter)]
    width = len(header)
    for text in saldo:  # "Saldo" lines: either a full-width row with only a text, or one short line
        lines.append(text if delimiter in text else delimiter * 3 + text + delimiter * (width - 4))
    return _write(path, lines)


def write_dnb_motkonto(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    """Newer DNB: ``"Dato";"Forklaringstekst";"Rentedato";"Beløp";"Motkonto"`` (date, text, amount, account)."""
    body = [[d, text, d, amount, account] for d, text, amount, account in rows]
    header = '"Dato";"Forklaringstekst";"Rentedato";"Beløp";"Motkonto"'
    return _write(path, [header, *_lines(body, ";", quote_all=True)], newline="\r\n", end=False)


def write_dnb_2014(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    """DNB 2014: ``"Dato";"Forklaring";"Rentedato";"Uttak";"Innskudd"`` (date, text, out, in)."""
    body = [[d, text, d, out, inn] for d, text, out, inn in rows]
    header = '"Dato";"Forklaring";"Rentedato";"Uttak";"Innskudd"'
    return _write(path, [header, *_lines(body, ";", quote_all=True)], encoding="cp1252", newline="\r\n")


def write_dnb_mastercard(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    """DNB Mastercard: ``Dato;Beløpet gjelder;Inn;Ut`` (date, merchant city country, in, out)."""
    return _write(path, ["Dato;Beløpet gjelder;Inn;Ut", *_lines([list(r) for r in rows], ";")])


def write_sparebanken_sor(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    """Sparebanken Sør (2014): tab-delimited, cp1252 (date, text, out, in)."""
    header = "Dato\tForklaring\tUt av konto\tInn på konto"
    return _write(path, [header, *_lines([list(r) for r in rows], "\t")], encoding="cp1252", newline="\r\n")


def write_headerless_savings(path: Path, rows: list[tuple[str, str, str, str, str]]) -> Path:
    """Older savings bank: no header, ``"dd-mm-yyyy";"dd-mm-yyyy";"text";"amount";"balance"``, ISO-8859-1."""
    return _write(path, _lines([list(r) for r in rows], ";", quote_all=True), encoding="iso-8859-1", newline="\r\n")


def write_bank_norwegian(path: Path, rows: list[dict[str, str]]) -> Path:
    """Bank Norwegian card export: ``,``, US ``M/D/YYYY`` dates."""
    header = [
        "TransactionDate", "Text", "Type", "Currency Amount", "Currency Rate", "Currency", "Amount",
        "Merchant Area", "Merchant Category", "BookDate", "ValueDate",
    ]  # fmt: skip
    body = [[row.get(h, "") for h in header] for row in rows]
    return _write(path, [",".join(header), *_lines(body, ",")])


def write_nordea(path: Path, rows: list[tuple[str, str, str, str, str, str, str]]) -> Path:
    """Nordea NO with ``Betalingstype`` (date, amount, from, to, name, title, type)."""
    header = "Bokføringsdato;Beløp;Avsender;Mottaker;Navn;Tittel;Valuta;Betalingstype"
    body = [[d, a, f, t, n, title, "NOK", kind] for d, a, f, t, n, title, kind in rows]
    return _write(path, [header, *_lines(body, ";")])
