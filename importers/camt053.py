"""ISO 20022 camt.053 bank-to-customer statements (versions .001.02 to .001.13).

The file is streamed with lxml's ``iterparse``, hardened: a DTD is refused before parsing (so no
entity can be declared or expanded), nothing is fetched from the network and nesting depth is
capped. The parser reports only the ends of ``Stmt``, ``Acct``, ``Bal`` and ``Ntry``, so Python
sees one event per entry rather than one per element, and an entry's fields are read through
compiled child paths that lxml follows in C (the first child of a name at each step, as
ElementTree's ``find`` picks it). Each ``Ntry`` is dropped as soon as it is read and rows move
into Arrow columns in chunks, so memory stays flat on large statements. Every ``Ntry`` is split
into its ``TxDtls``: a payroll batch is one entry with one detail per worker, and each worker
becomes a transaction. Entries without details count as one record. Parsing is namespace-agnostic
within the camt.053 family.

Each statement's booked entries are checked against its balances (opening booked + entries =
closing booked); a statement that does not reconcile is reported in the notes, its rows are
still imported. Pending entries (``Sts`` PDNG) are kept out of the flows as rejects.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cache

import defusedxml.ElementTree as SafeET
import numpy as np
import pandas as pd
import pyarrow as pa
from defusedxml import DefusedXmlException
from lxml import etree
from lxml.objectify import ObjectPath

from finflow.money import is_currency, minor_units
from finflow.normalize import normalize_account

from .bank_csv import PENDING_REASON
from .bank_text import arrow, channel_from_text
from .base import ImportError_, ImportResult, Source, reject
from .camt053_parts import Part, Spliced, plan_parts
from .statements import statement_frame
from .transactions import finish_transactions

__all__ = ["DESCRIPTION", "FORMAT", "MAX_DEPTH", "PRIORITY", "REVERSAL_REASON", "explain", "read", "sniff"]

FORMAT = "camt053"
DESCRIPTION = "ISO 20022 camt.053 bank statement (XML, .001.02 … .001.13)"
PRIORITY = 10
MAX_DEPTH = 64  # camt.053 nests about 12 deep; anything far deeper is an attack or garbage
PROLOG_BYTES = 1 << 20
DEPTH_BLOCK_BYTES = 1 << 22
CHUNK_ROWS = 1 << 14  # rows moved into Arrow columns at a time, while their strings are still in cache
# Files this large are read in runs of whole statements, one process per core: below it, starting
# a process (about 0.5 s) costs more than it saves.
PARALLEL_MIN_BYTES = 64 << 20

_NS_PREFIX = "urn:iso:std:iso:20022:tech:xsd:camt.053."
_AMOUNT = re.compile(r"\d{1,15}(?:\.\d{1,6})?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_COLUMNS = (
    "booking_date", "booking_time", "amount_minor", "currency", "from_account", "to_account",
    "from_name", "to_name", "from_country", "to_country", "description", "txn_ref",
    "source_locator", "fmly", "sub", "purp", "own_country",
)  # fmt: skip
_CARD = {"POSD", "CCRD"}
_FEES = {"CHRG", "COMM", "FEES", "COME", "COMI"}
REVERSAL_REASON = "reversal/return of an earlier payment (RvslInd), not a new payment"
_ACCOUNT_IN_NAME = re.compile(r"(?<!\d)(\d{4}\.?\d{2}\.?\d{5})(?!\d)")
_NS_IN_HEAD = re.compile(rb"""xmlns(?::[\w.\-]+)?\s*=\s*["'](urn:iso:std:iso:20022:tech:xsd:camt\.053\.[^"']+)["']""")
_NOT_BOOKED = {"PDNG": PENDING_REASON, "INFO": "information only (Sts INFO), not booked",
               "FUTR": "future entry (Sts FUTR), not booked"}  # fmt: skip
# Belt and braces behind the DTD refusal; comments and processing instructions are dropped so
# that children and text are what ElementTree would have built.
_HARDENED = {
    "resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False,
    "remove_comments": True, "remove_pis": True,
}  # fmt: skip
# Child paths read below ``Stmt``, ``Acct``, ``Bal``, ``Ntry`` and ``TxDtls``: "A/B" is the first
# ``A`` child's first ``B`` child, as ElementTree's ``find`` steps through them.
_PATHS = (
    "Id", "Id/IBAN", "Id/Othr/Id", "Ccy", "FrToDt/FrDtTm", "FrToDt/ToDtTm", "Ownr/Nm", "Ownr/Pty/Nm",
    "Svcr/FinInstnId/BIC",
    "Svcr/FinInstnId/BICFI", "Tp/CdOrPrtry/Cd", "Amt", "CdtDbtInd", "Sts", "Sts/Cd", "BookgDt/Dt",
    "BookgDt/DtTm", "AcctSvcrRef", "NtryRef", "RvslInd", "AddtlNtryInf", "BkTxCd/Domn/Fmly/Cd",
    "BkTxCd/Domn/Fmly/SubFmlyCd", "NtryDtls", "AmtDtls/TxAmt/Amt", "AmtDtls/InstdAmt/Amt", "RmtInf",
    "RmtInf/Strd/CdtrRefInf/Ref", "AddtlTxInf", "Refs/EndToEndId", "Refs/AcctSvcrRef", "Purp/Cd",
    *(
        path.format(role=role)
        for role in ("Dbtr", "Cdtr")
        for path in (
            "RltdPties/{role}/Nm", "RltdPties/{role}/Pty/Nm", "RltdPties/{role}/PstlAdr/Ctry",
            "RltdPties/{role}/Pty/PstlAdr/Ctry", "RltdPties/{role}Acct/Id/IBAN",
            "RltdPties/{role}Acct/Id/Othr/Id", "RltdAgts/{role}Agt/FinInstnId/BIC",
            "RltdAgts/{role}Agt/FinInstnId/BICFI",
        )
    ),
)  # fmt: skip

Element = etree._Element  # lxml's element type, for annotations


def sniff(head: bytes, name: str) -> bool:
    """An XML document in a camt.053 namespace, or with a ``BkToCstmrStmt`` element."""
    text = head[:65536].decode("utf-8", errors="replace")
    return text.lstrip("\ufeff \r\n\t").startswith("<") and (_NS_PREFIX in text or "<BkToCstmrStmt" in text)


def explain(head: bytes, name: str) -> str:
    """What the first bytes lack to be a camt.053 statement."""
    text = head[:65536].decode("utf-8", errors="replace").lstrip("\ufeff \r\n\t")
    if not text.startswith("<"):
        return "not XML"
    return f"XML without a camt.053 namespace ({_NS_PREFIX}…) or a BkToCstmrStmt element"


@cache
def _paths(ns: str) -> dict[str, ObjectPath]:
    """``_PATHS`` compiled for the document's namespace, keyed by path.

    lxml's ``ObjectPath`` follows a path in C, taking the first child of a name at each step, so
    reading an entry does not pay for a Python-level walk over lxml's element proxies. Every
    step names its namespace; ``{}`` (no namespace) matches only un-namespaced elements, as
    ElementTree does.
    """
    return {path: ObjectPath("." + ".".join(f"{{{ns}}}{step}" for step in path.split("/"))) for path in _PATHS}


def _text(elem: Element, path: ObjectPath) -> str:
    """Stripped text of the element at ``path``, "" when it is missing or empty."""
    found = path(elem, None)
    text = found.text if found is not None else None
    return text.strip() if text else ""


def _real_date(text: str) -> bool:
    """``YYYY-MM-DD`` naming a day that exists."""
    if not _DATE.fullmatch(text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _children(elem: Element | None, tag: str) -> list[Element]:
    """All children named ``tag``, as ElementTree's ``findall`` with one step."""
    return [child for child in elem if child.tag == tag] if elem is not None else []


@dataclass(slots=True)
class _Statement:
    number: int
    ident: str = ""
    account: str | None = None
    owner: str | None = None
    own_country: str | None = None
    currency: str | None = None
    balances: dict[str, tuple[int, str]] = field(default_factory=dict)
    booked: dict[str, int] = field(default_factory=dict)  # currency → signed sum of booked entries
    credits: dict[str, int] = field(default_factory=dict)  # currency → booked in
    debits: dict[str, int] = field(default_factory=dict)  # currency → booked out (positive)
    unreadable: int = 0
    entries: int = 0
    first_date: str = ""  # earliest and latest booking date (YYYY-MM-DD) of its entries
    last_date: str = ""


def _minor(text: str, currency: str) -> int | str:
    """Decimal text → minor units, or an error reason."""
    if not is_currency(currency):
        return f"currency {currency!r} is not an ISO 4217 code"
    if not _AMOUNT.fullmatch(text):
        return f"amount {text[:40]!r} is not a decimal number"
    whole, _, frac = text.partition(".")
    exp = minor_units(currency)
    if len(frac.rstrip("0")) > exp:
        return f"amount {text} has more decimals than {currency}"
    frac = frac.rstrip("0").ljust(exp, "0")
    return int(whole) * 10**exp + (int(frac) if frac else 0)


def _amount(amt: Element) -> tuple[str, str]:
    """Text and upper-cased currency of an ``Amt`` element, as ``_minor`` takes them."""
    return (amt.text or "").strip(), amt.get("Ccy", "").strip().upper()


def _country(iban: str, ctry: str, bic: str) -> str | None:
    if iban[:2].isalpha():
        return iban[:2].upper()
    if re.fullmatch(r"[A-Za-z]{2}", ctry):
        return ctry.upper()
    if len(bic) >= 6 and bic[4:6].isalpha():
        return bic[4:6].upper()
    return None


def _raw(elem: Element) -> str:
    """The element as ElementTree serialises it (``ns0:`` prefixes), as reject records always showed it."""
    copy = ET.fromstring(etree.tostring(elem, with_tail=False))
    copy.tail = elem.tail
    return ET.tostring(copy, encoding="unicode")[:2000]


class _RootSeenError(Exception):
    """Raised by the prolog check once the root element starts."""

    def __init__(self, tag: str) -> None:
        self.tag = tag


class _StopAtRoot:
    def start(self, tag: str, attrib: dict[str, str]) -> None:
        raise _RootSeenError(tag)

    def end(self, tag: str) -> None:  # pragma: no cover - never reached
        return None

    def data(self, data: str) -> None:
        return None

    def close(self) -> None:
        return None


class _Discard:
    """Parser target that keeps nothing, for checking a document only."""


def _refuse_dtd(path: str, source: Source) -> str:
    """Refuse any DTD before the root element, using defusedxml's hardened parser.

    Without a DTD no entity can be declared, so nothing can expand (no "billion laughs") and
    nothing external can be fetched; the fast C parser then reads the body safely.
    """
    with open(path, "rb") as fh:
        head = fh.read(PROLOG_BYTES)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:4096]:
        raise ImportError_(f"{source.name}: not UTF-8 XML (camt.053 files are UTF-8)")
    parser = SafeET.XMLParser(target=_StopAtRoot(), forbid_dtd=True)
    try:
        parser.feed(head)
    except _RootSeenError as seen:
        return seen.tag
    except LookupError as exc:  # the XML declaration names an encoding Python does not know
        raise ImportError_(f"{source.name}: not UTF-8 XML ({exc})") from None
    raise ImportError_(f"{source.name}: no root element in the first {PROLOG_BYTES} bytes")


def _document_tag(path: str, root: str) -> str:
    """The ``Document`` element's tag: the root's, or inside an envelope (``AppHdr`` + ``Document``
    wrapped in e.g. ``<message>``) the one in the camt.053 namespace the head declares."""
    local = root.rpartition("}")[2]
    if local == "Document":
        return root
    with open(path, "rb") as fh:
        head = fh.read(PROLOG_BYTES)
    found = _NS_IN_HEAD.search(head)
    if found is None or b"Document" not in head:
        return root  # refused by the root check, naming what was found
    return "{" + found.group(1).decode("ascii") + "}Document"


def _check_depth(blocks: Iterator[bytes], source: Source) -> int:
    """Refuse documents nested deeper than ``MAX_DEPTH``, before parsing them.

    Returns how many comments, CDATA sections, declarations and processing instructions
    (``<!``, ``<?``) the document has, which a cut into runs of statements must not cross.

    Counts markup in the raw bytes with numpy: ``<x`` opens, ``</`` closes, and ``/>`` closes
    only inside an opening tag (after a ``<x`` with no ``>`` since), so ``/>`` in text or in a
    comment cannot hide nesting. Comments, processing instructions and declarations do not count.
    Markup-like text inside CDATA can only make the count larger.
    """
    depth = specials = 0
    carry = b""
    in_open_tag = False  # state at the end of the previous block
    lt, slash, gt = ord("<"), ord("/"), ord(">")
    skip = np.array([ord("/"), ord("!"), ord("?")], dtype=np.uint8)
    while True:
        block = next(blocks, b"")
        data = carry + block
        if len(data) < 2:
            break
        b = np.frombuffer(data, dtype=np.uint8)
        here, after = b[:-1], b[1:]
        lt_at = np.flatnonzero(here == lt)  # only markup positions, not every byte
        gt_at = np.flatnonzero(here == gt)
        marks = after[lt_at]  # the byte after each "<"
        lt_opens = ~np.isin(marks, skip)
        specials += int(np.count_nonzero(marks != slash)) - int(np.count_nonzero(lt_opens))
        slash_at = np.flatnonzero(here == slash)
        self_close = slash_at[after[slash_at] == gt]
        last_lt = np.searchsorted(lt_at, self_close) - 1
        last_gt = np.searchsorted(gt_at, self_close) - 1
        lt_pos = np.where(last_lt >= 0, lt_at[np.maximum(last_lt, 0)] if len(lt_at) else -1, -1)
        gt_pos = np.where(last_gt >= 0, gt_at[np.maximum(last_gt, 0)] if len(gt_at) else -1, -1)
        opened = np.where(last_lt >= 0, lt_opens[np.maximum(last_lt, 0)] if len(lt_at) else False, in_open_tag)
        inside = (gt_pos < lt_pos) | ((last_lt < 0) & (last_gt < 0))  # no ">" since the "<"
        counted = self_close[opened & inside]
        closes = np.concatenate([lt_at[marks == slash], counted])
        opens = lt_at[lt_opens]
        positions = np.concatenate([opens, closes])
        steps = np.concatenate([np.ones(len(opens), np.int64), -np.ones(len(closes), np.int64)])
        running = np.cumsum(steps[np.argsort(positions, kind="stable")]) + depth
        if len(running) and int(running.max()) > MAX_DEPTH:
            raise ImportError_(f"{source.name}: XML nested deeper than {MAX_DEPTH} levels; refused")
        depth = int(running[-1]) if len(running) else depth
        if len(lt_at):
            in_open_tag = bool(lt_opens[-1]) and not (len(gt_at) and gt_at[-1] > lt_at[-1])
        elif len(gt_at):
            in_open_tag = False
        carry = data[-1:]
        if not block:
            break
    return specials


@dataclass(slots=True)
class _Entry:
    """What an entry's details inherit from it."""

    stmt: _Statement
    credit: bool
    amount: int
    text: str  # amount text and currency as written, to spot a detail that repeats them
    currency: str
    date: str
    time: str | None
    fmly: str
    sub: str
    info: str
    ref: str


def _drop(ntry: Element) -> None:
    """Empty a read entry and remove the one before it, so a statement's entries do not pile up."""
    ntry.clear()
    previous = ntry.getprevious()
    if previous is not None and previous.tag == ntry.tag:
        ntry.getparent().remove(previous)


@dataclass(slots=True)
class _Collected:
    """Rows, rejects and notes read from a file or from a run of its statements."""

    rows: pa.Table  # rows with a valid booking date, channel added, as ``_rows_table`` gives them
    bad_dates: list[str]  # locators of rows whose booking date is not a date
    bad_loc: list[str]
    bad_reason: list[str]
    bad_raw: list[str]
    notes: list[str]
    rows_read: int
    pending: int
    statements: int
    reversals: int = 0
    periods: list[tuple] = field(default_factory=list)  # one per Stmt, see ``_Reader._period``

    @classmethod
    def merge(cls, parts: list[_Collected]) -> _Collected:
        """Runs of statements joined in file order, as one pass over the file would have read them."""
        return cls(
            pa.concat_tables([part.rows for part in parts]),
            [loc for part in parts for loc in part.bad_dates],
            [loc for part in parts for loc in part.bad_loc],
            [reason for part in parts for reason in part.bad_reason],
            [raw for part in parts for raw in part.bad_raw],
            [note for part in parts for note in part.notes],
            sum(part.rows_read for part in parts),
            sum(part.pending for part in parts),
            sum(part.statements for part in parts),
            sum(part.reversals for part in parts),
            [period for part in parts for period in part.periods],
        )


class _Reader:
    """Streams one file; collects rows, rejects and notes."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.rows: list[tuple] = []  # rows not yet moved into ``chunks``
        self.chunks: list[list[pa.Array]] = [[] for _ in _COLUMNS]
        self.bad_loc: list[str] = []
        self.bad_reason: list[str] = []
        self.bad_raw: list[str] = []
        self.notes: list[str] = []
        self.rows_read = 0
        self.pending = 0
        self.reversals = 0
        self.statements = 0
        self.periods: list[tuple] = []
        self.p: dict[str, ObjectPath] = {}
        self.tag: dict[str, str] = {}

    def run(self, path: str) -> None:
        """Read the whole file in one pass."""
        self.root(_document_tag(path, _refuse_dtd(path, self.source)))
        with open(path, "rb") as fh:
            _check_depth(iter(lambda: fh.read(DEPTH_BLOCK_BYTES), b""), self.source)
        self.parse(path)

    def parse(self, stream: str | Spliced, first_statement: int = 0) -> None:
        """Stream a document; the parser reports only the ends of the four elements read here.

        ``first_statement`` is how many statements of the file come before this document's,
        so that locators number statements as in the whole file.
        """
        ntry, acct, bal, stmt_tag = (self.tag[name] for name in ("Ntry", "Acct", "Bal", "Stmt"))
        stmt: _Statement | None = None
        n_stmt = first_statement
        n_ntry = 0
        tags = (ntry, acct, bal, stmt_tag, "{*}Ntry")  # an entry in any namespace, so none is dropped unseen
        for _, elem in etree.iterparse(stream, events=("end",), tag=tags, **_HARDENED):
            tag = elem.tag
            if tag == ntry:
                stmt = stmt or self._statement(n_stmt + 1)
                n_ntry += 1
                self._entry(elem, stmt, f"Stmt[{stmt.number}]/Ntry[{n_ntry}]")
                _drop(elem)
                if len(self.rows) >= CHUNK_ROWS:
                    self._flush()
            elif etree.QName(elem).localname == "Ntry":
                stmt = stmt or self._statement(n_stmt + 1)
                n_ntry += 1
                self._foreign_entry(elem, f"Stmt[{stmt.number}]/Ntry[{n_ntry}]")
                _drop(elem)
            elif tag == stmt_tag:
                n_stmt += 1
                stmt = stmt or self._statement(n_stmt)
                stmt.ident = _text(elem, self.p["Id"])
                self._reconcile(stmt)
                self._period(elem, stmt)
                elem.clear()  # drops the last emptied entry too
                stmt, n_ntry = None, 0
            elif tag == acct:
                if stmt is None or (stmt.account is None and not stmt.entries):
                    stmt = stmt or self._statement(n_stmt + 1)
                    self._account(elem, stmt)
            elif tag == bal:
                stmt = stmt or self._statement(n_stmt + 1)
                self._balance(elem, stmt)
        self.statements = n_stmt - first_statement
        if n_stmt == 0:
            raise ImportError_(f"{self.source.name}: the document has no statement (Stmt)")
        self._flush()

    def collected(self) -> _Collected:
        """What was read, as tables and lists that can be merged or sent between processes."""
        rows, bad_dates = _rows_table(self.chunks)
        return _Collected(
            rows, bad_dates, self.bad_loc, self.bad_reason, self.bad_raw, self.notes, self.rows_read, self.pending,
            self.statements, self.reversals, self.periods,
        )  # fmt: skip

    def _flush(self) -> None:
        """Move the pending rows into Arrow column chunks.

        Done every ``CHUNK_ROWS`` rows: converting a million rows' strings at the end means a
        cache miss for nearly every one of them, and costs more than parsing them did.
        """
        if not self.rows:
            return
        for chunks, name, values in zip(self.chunks, _COLUMNS, zip(*self.rows, strict=False), strict=True):
            chunks.append(pa.array(values, type=pa.int64() if name == "amount_minor" else pa.large_string()))
        self.rows = []

    def _statement(self, number: int) -> _Statement:
        """A new statement; its account is the ``--account`` option until ``Acct`` names one."""
        stmt = _Statement(number)
        given = (self.source.options.get("account") or "").strip()
        if given:
            stmt.account = normalize_account(given).account_id
        else:
            for match in _ACCOUNT_IN_NAME.finditer(self.source.name):
                number_in_name = normalize_account(match.group(1))
                if number_in_name.scheme == "no_bban":
                    stmt.account = number_in_name.account_id
                    break
        return stmt

    def root(self, tag: str) -> None:
        """Check the root element and compile the paths for its namespace."""
        ns, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
        if local != "Document" or (ns and not ns.startswith(_NS_PREFIX)):
            raise ImportError_(
                f"{self.source.name}: not a camt.053 statement (root element {local!r}, namespace {ns!r})"
            )
        self.p = _paths(ns)
        self.tag = {
            name: f"{{{ns}}}{name}" if ns else name for name in ("Stmt", "Ntry", "Acct", "Bal", "TxDtls", "Ustrd")
        }

    def _account(self, elem: Element, stmt: _Statement) -> None:
        p = self.p
        iban, othr = _text(elem, p["Id/IBAN"]), _text(elem, p["Id/Othr/Id"])
        given = (self.source.options.get("account") or "").strip()
        raw = iban or othr or given or (stmt.account or "")
        if raw:
            stmt.account = normalize_account(raw).account_id
        stmt.owner = _text(elem, p["Ownr/Nm"]) or _text(elem, p["Ownr/Pty/Nm"]) or None
        bic = _text(elem, p["Svcr/FinInstnId/BIC"]) or _text(elem, p["Svcr/FinInstnId/BICFI"])
        stmt.own_country = _country(iban, "", bic)
        stmt.currency = _text(elem, p["Ccy"]) or None

    def _balance(self, elem: Element, stmt: _Statement) -> None:
        p = self.p
        code = _text(elem, p["Tp/CdOrPrtry/Cd"])
        amt = p["Amt"](elem, None)
        if amt is None or code not in ("OPBD", "CLBD", "PRCD"):
            return
        currency = amt.get("Ccy", "")
        value = _minor((amt.text or "").strip(), currency)
        if isinstance(value, int):
            sign = -1 if _text(elem, p["CdtDbtInd"]) == "DBIT" else 1
            stmt.balances[code] = (sign * value, currency)

    def _foreign_entry(self, ntry: Element, loc: str) -> None:
        """An entry in another namespace than the document's: its paths cannot be trusted, so it
        is counted and rejected with the namespace named, never silently dropped."""
        details = [e for e in ntry.iter("{*}TxDtls") if e.getparent() is not None and e.getparent().getparent() is ntry]
        locs = [f"{loc}/TxDtls[{i + 1}]" for i in range(len(details))] or [loc]
        self.rows_read += len(locs)
        found = etree.QName(ntry).namespace or "no namespace"
        wanted = etree.QName(self.tag["Ntry"]).namespace or "no namespace"
        self._refuse(ntry, locs, f"Ntry is in namespace {found!r}, not the document's {wanted!r}; not read")

    def _refuse(self, elem: Element, locs: list[str], reason: str) -> None:
        """Reject the rows of an entry (all its details) or of one detail for one reason."""
        raw = _raw(elem)
        self.bad_loc.extend(locs)
        self.bad_reason.extend([reason] * len(locs))
        self.bad_raw.extend([raw] * len(locs))

    def _entry(self, ntry: Element, stmt: _Statement, loc: str) -> None:
        p = self.p
        details = _children(p["NtryDtls"](ntry, None), self.tag["TxDtls"])
        self.rows_read += max(len(details), 1)
        stmt.entries += 1
        locs = [f"{loc}/TxDtls[{i + 1}]" for i in range(len(details))] or [loc]
        status = (_text(ntry, p["Sts"]) or _text(ntry, p["Sts/Cd"])).upper()
        amt_el = p["Amt"](ntry, None)
        text, currency = _amount(amt_el) if amt_el is not None else ("", "")
        entry_amount = _minor(text, currency) if amt_el is not None else "Ntry/Amt is missing"
        side = _text(ntry, p["CdtDbtInd"])
        if status in _NOT_BOOKED:
            self.pending += len(locs) if status == "PDNG" else 0
            self._refuse(ntry, locs, _NOT_BOOKED[status])
            return
        if isinstance(entry_amount, str):
            stmt.unreadable += 1
            self._refuse(ntry, locs, f"Ntry/Amt: {entry_amount}")
            return
        if side not in ("CRDT", "DBIT"):
            stmt.unreadable += 1
            self._refuse(ntry, locs, f"Ntry/CdtDbtInd is {side!r}, expected CRDT or DBIT")
            return
        stmt.booked[currency] = stmt.booked.get(currency, 0) + (entry_amount if side == "CRDT" else -entry_amount)
        flows = stmt.credits if side == "CRDT" else stmt.debits
        flows[currency] = flows.get(currency, 0) + entry_amount
        if stmt.account is None:
            raise ImportError_(
                f"{self.source.name}: cannot tell whose account this camt.053 statement is (Stmt[{stmt.number}] "
                "names no Acct/Id); pass --account with the account number (or put the 11-digit number in the "
                "file name)"
            )
        if _text(ntry, p["RvslInd"]).lower() in ("true", "1"):
            self.reversals += len(locs)
            self._refuse(ntry, locs, REVERSAL_REASON)
            return
        date_tm = _text(ntry, p["BookgDt/DtTm"])
        entry = _Entry(
            stmt=stmt,
            credit=side == "CRDT",
            amount=entry_amount,
            text=text,
            currency=currency,
            date=_text(ntry, p["BookgDt/Dt"]) or date_tm[:10],
            time=date_tm[11:16] if len(date_tm) >= 16 else None,
            fmly=_text(ntry, p["BkTxCd/Domn/Fmly/Cd"]),
            sub=_text(ntry, p["BkTxCd/Domn/Fmly/SubFmlyCd"]),
            info=_text(ntry, p["AddtlNtryInf"]),
            ref=_text(ntry, p["AcctSvcrRef"]) or _text(ntry, p["NtryRef"]),
        )
        if _real_date(entry.date):
            stmt.first_date = min(stmt.first_date or entry.date, entry.date)
            stmt.last_date = max(stmt.last_date, entry.date)
        if not details and entry_amount <= 0:
            self._refuse(ntry, locs, "amount must be greater than zero")
        elif not details:
            remittance = (entry.info, entry.ref, entry.fmly, entry.sub, "")
            self._row(entry, entry_amount, currency, ("", "", None), remittance, loc)
        for tx, tx_loc in zip(details, locs, strict=False):
            self._detail(tx, entry, tx_loc, several=len(details) > 1)

    def _detail(self, tx: Element, entry: _Entry, loc: str, *, several: bool) -> None:
        """One ``TxDtls`` as a row, or a reject when its amount is unusable."""
        p = self.p
        amt = p["AmtDtls/TxAmt/Amt"](tx, None)
        if amt is None:
            amt = p["AmtDtls/InstdAmt/Amt"](tx, None)
        if amt is None:  # from .001.03 on a detail may carry its own Amt and CdtDbtInd
            amt = p["Amt"](tx, None)
        side = _text(tx, p["CdtDbtInd"])
        if side in ("CRDT", "DBIT") and (side == "CRDT") != entry.credit:
            entry = replace(entry, credit=side == "CRDT")
        amount: int | str = entry.amount
        currency = entry.currency
        if amt is not None:
            text, currency = _amount(amt)
            if (text, currency) != (entry.text, entry.currency):  # else it is the entry's, already parsed
                amount = _minor(text, currency)
        elif several:
            amount = "TxDtls has no amount (Amt, AmtDtls/TxAmt or InstdAmt) in an entry with several details"
        if isinstance(amount, str) or amount <= 0:
            self._refuse(tx, [loc], amount if isinstance(amount, str) else "amount must be greater than zero")
            return
        party = self._counterparty(tx, "Dbtr" if entry.credit else "Cdtr")
        self._row(entry, amount, currency, party, self._remittance(tx, entry), loc)

    def _counterparty(self, tx: Element, role: str) -> tuple[str, str, str | None]:
        """Name, account and country of the other side of a detail (``RltdPties``, ``RltdAgts``)."""
        p = self.p
        name = _text(tx, p[f"RltdPties/{role}/Nm"]) or _text(tx, p[f"RltdPties/{role}/Pty/Nm"])
        iban = _text(tx, p[f"RltdPties/{role}Acct/Id/IBAN"])
        account = iban or _text(tx, p[f"RltdPties/{role}Acct/Id/Othr/Id"])
        ctry = _text(tx, p[f"RltdPties/{role}/PstlAdr/Ctry"]) or _text(tx, p[f"RltdPties/{role}/Pty/PstlAdr/Ctry"])
        bic = _text(tx, p[f"RltdAgts/{role}Agt/FinInstnId/BIC"]) or _text(tx, p[f"RltdAgts/{role}Agt/FinInstnId/BICFI"])
        return name, account, _country(iban, ctry, bic) if account or ctry or bic else None

    def _remittance(self, tx: Element, entry: _Entry) -> tuple[str, str, str, str, str]:
        """Description, reference, family, sub-family and purpose of a detail, else of its entry."""
        p = self.p
        ustrd = [(u.text or "").strip() for u in _children(p["RmtInf"](tx, None), self.tag["Ustrd"])]
        text = " ".join([u for u in ustrd if u]) or _text(tx, p["AddtlTxInf"]) or entry.info
        e2e = _text(tx, p["Refs/EndToEndId"])
        ref = (
            (e2e if e2e and e2e != "NOTPROVIDED" else "")
            or _text(tx, p["RmtInf/Strd/CdtrRefInf/Ref"])
            or _text(tx, p["Refs/AcctSvcrRef"])
            or entry.ref
        )
        fmly = _text(tx, p["BkTxCd/Domn/Fmly/Cd"]) or entry.fmly
        sub = _text(tx, p["BkTxCd/Domn/Fmly/SubFmlyCd"]) or entry.sub
        if entry.fmly in _FEES or entry.sub in _FEES:  # a charges entry whose details carry transfer codes
            fmly, sub = entry.fmly, entry.sub
        return text, ref, fmly, sub, _text(tx, p["Purp/Cd"])

    def _row(
        self,
        entry: _Entry,
        amount: int,
        currency: str,
        party: tuple[str, str, str | None],
        remittance: tuple[str, str, str, str, str],
        loc: str,
    ) -> None:
        """Append one transaction row, own account on the side the entry's direction puts it."""
        name, account, country = party
        text, ref, fmly, sub, purp = remittance
        stmt, credit = entry.stmt, entry.credit
        own, owner, cp, cp_name = stmt.account, stmt.owner, account or None, name or None
        self.rows.append(
            (
                entry.date, entry.time, amount, currency,
                cp if credit else own, own if credit else cp,
                cp_name if credit else owner, owner if credit else cp_name,
                country if credit else None, None if credit else country,
                text or None, ref or None, loc, fmly, sub, purp, stmt.own_country,
            )
        )  # fmt: skip

    def _period(self, elem: Element, stmt: _Statement) -> None:
        """Keep what the statement says of its period and balances (for finflow.coverage).

        The period is ``FrToDt`` where the bank states it, else the first to last booking date
        of its entries; a statement with neither, or naming no account, is not kept.
        """
        start = _text(elem, self.p["FrToDt/FrDtTm"])[:10]
        end = _text(elem, self.p["FrToDt/ToDtTm"])[:10]
        basis = "declared"
        if not (_real_date(start) and _real_date(end) and start <= end):
            start, end, basis = stmt.first_date, stmt.last_date, "entries"
        if not stmt.account or not start:
            return
        opening = stmt.balances.get("OPBD") or stmt.balances.get("PRCD")
        closing = stmt.balances.get("CLBD")
        currency = (closing or opening or (stmt.currency, ""))[1] or stmt.currency
        if currency is None and len(stmt.booked) == 1:
            currency = next(iter(stmt.booked))
        balanced = bool(currency) and not stmt.unreadable and not set(stmt.booked) - {currency}
        self.periods.append(
            (
                f"Stmt[{stmt.number}]", stmt.account, stmt.ident or None, start, end, basis, currency,
                opening[0] if balanced and opening and opening[1] == currency else None,
                closing[0] if balanced and closing and closing[1] == currency else None,
                stmt.credits.get(currency, 0) if balanced else None,
                stmt.debits.get(currency, 0) if balanced else None,
                stmt.entries,
            )
        )

    def _reconcile(self, stmt: _Statement) -> None:
        label = f"statement {stmt.ident or '(no Id)'} (Stmt[{stmt.number}])"
        opening = stmt.balances.get("OPBD") or stmt.balances.get("PRCD")
        closing = stmt.balances.get("CLBD")
        if opening is None or closing is None:
            self.notes.append(f"{label}: no opening/closing booked balance; not reconciled")
            return
        currency = closing[1]
        if stmt.unreadable or set(stmt.booked) - {currency}:
            self.notes.append(f"{label}: entries unreadable or in other currencies; not reconciled")
            return
        expected = opening[0] + stmt.booked.get(currency, 0)
        if expected != closing[0]:
            exp = minor_units(currency) if is_currency(currency) else 2
            diff = closing[0] - expected

            def fmt(v: int) -> str:
                return f"{'-' if v < 0 else ''}{abs(v) // 10**exp}.{abs(v) % 10**exp:0{exp}d}"

            self.notes.append(
                f"{label} does not reconcile: opening {fmt(opening[0])} + entries "
                f"{fmt(stmt.booked.get(currency, 0))} = {fmt(expected)} {currency}, but closing balance "
                f"is {fmt(closing[0])} (difference {fmt(diff)})"
            )


def _cores() -> int:
    """Cores this process may run on (its affinity, not the machine's count, where known)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _read_part(path: str, source: Source, root: str, part: Part) -> _Collected:
    """One run of statements, framed by the file's head and tail, read as its own document."""
    reader = _Reader(source)
    reader.root(root)
    with Spliced(path, part.segments) as stream:
        if _check_depth(stream.blocks(DEPTH_BLOCK_BYTES), source) > part.declarations:
            raise ValueError("a comment, CDATA section or processing instruction: tags cannot be found by bytes")
    with Spliced(path, part.segments) as stream:
        reader.parse(stream, part.first_statement)
    if reader.statements != part.statements:  # the tags were not what their bytes suggested
        raise ValueError(f"expected {part.statements} statements, read {reader.statements}")
    return reader.collected()


def _read_parallel(path: str, source: Source) -> _Collected | None:
    """Read runs of whole statements in parallel processes; None where the file is not cut.

    Any failure in a run (malformed XML, a refusal, a tag that was not what it looked like, a
    worker that died) returns None: the caller then reads the whole file in one pass, which gives
    the same rows for a good file and the authoritative error for a bad one.
    """
    cores = _cores()
    if cores < 2 or os.path.getsize(path) < PARALLEL_MIN_BYTES:
        return None
    root = _document_tag(path, _refuse_dtd(path, source))
    _Reader(source).root(root)  # a wrong root is refused here, once
    parts = plan_parts(path, cores)
    if parts is None:
        return None
    try:
        with ProcessPoolExecutor(len(parts) - 1, mp_context=multiprocessing.get_context("spawn")) as pool:
            others = [pool.submit(_read_part, path, source, root, part) for part in parts[1:]]
            first = _read_part(path, source, root, parts[0])  # this process reads a run too
            return _Collected.merge([first, *(future.result() for future in others)])
    except Exception:  # the one-pass read reports the real problem
        return None


def _read_collected(path: str, source: Source) -> _Collected:
    collected = _read_parallel(path, source)
    if collected is not None:
        return collected
    reader = _Reader(source)
    reader.run(path)
    return reader.collected()


def read(path: str, source: Source) -> ImportResult:
    try:
        collected = _read_collected(path, source)
    except DefusedXmlException as exc:
        raise ImportError_(
            f"{source.name}: refused: the XML declares a DTD or entities ({type(exc).__name__})"
        ) from None
    except (ET.ParseError, etree.XMLSyntaxError) as exc:
        line, column = _position(exc, path)
        raise ImportError_(f"{source.name}: not well-formed XML at line {line}, column {column}") from None
    except (RecursionError, MemoryError):
        raise ImportError_(f"{source.name}: XML too deeply nested or too large; refused") from None
    return _result(collected, source)


def _result(collected: _Collected, source: Source) -> ImportResult:
    """Canonical tables, rejects and notes of what was read."""
    rejects = reject(source, collected.bad_loc, collected.bad_reason, collected.bad_raw)
    if collected.bad_dates:
        count = len(collected.bad_dates)
        undated = reject(source, collected.bad_dates, ["BookgDt: not a valid date (YYYY-MM-DD)"] * count, [""] * count)
        rejects = pd.concat([rejects, undated], ignore_index=True)
    notes = list(collected.notes)
    if collected.pending:
        notes.append(f"{collected.pending} pending entry detail(s) (Sts PDNG) kept out of the flows")
    if collected.reversals:
        notes.append(
            f"{collected.reversals} reversal/return entry detail(s) (RvslInd) kept out of the flows: "
            "each undoes an earlier payment, it is not a new one"
        )
    tables = finish_transactions(_table_frame(collected.rows), source)
    tables["statements"] = statement_frame(collected.periods, source)
    return ImportResult(FORMAT, collected.rows_read, tables, rejects, notes)


def _rows_table(chunks: list[list[pa.Array]]) -> tuple[pa.Table, list[str]]:
    """Rows with a valid booking date, as a table, and the locators of those without one.

    Dates and times are checked and the channel derived here, where a run of statements is
    read, so that parallel runs share the work.
    """
    frame = _frame(chunks)
    dates = pd.to_datetime(
        frame["booking_date"].where(frame["booking_date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}")),
        format="%Y-%m-%d",
        errors="coerce",
    )
    bad_date = dates.isna().to_numpy(dtype=bool)
    frame["booking_date"] = dates.astype("datetime64[s]")  # one unit in every run, whatever pandas infers
    time_ok = frame["booking_time"].str.fullmatch(r"([01]\d|2[0-3]):[0-5]\d").fillna(False).astype(bool)
    frame["booking_time"] = frame["booking_time"].where(time_ok)
    frame["channel"] = _channels(frame).astype(pd.StringDtype("pyarrow"))
    bad_dates = frame.loc[bad_date, "source_locator"].tolist()
    good = frame[~bad_date].drop(columns=["fmly", "sub", "purp", "own_country"])
    return pa.Table.from_pandas(good, preserve_index=False).replace_schema_metadata(None), bad_dates


def _table_frame(rows: pa.Table) -> pd.DataFrame:
    """The rows as ``finish_transactions`` takes them: text as Arrow-backed ``string`` columns."""
    frame = rows.to_pandas(types_mapper={pa.large_string(): pd.StringDtype("pyarrow")}.get)
    frame["channel"] = frame["channel"].astype("string")
    return frame


def _frame(chunks: list[list[pa.Array]]) -> pd.DataFrame:
    """The rows as a frame: amounts as int64, text as Arrow-backed ``string`` columns."""
    data = {}
    for name, column in zip(_COLUMNS, chunks, strict=True):
        if name == "amount_minor":
            data[name] = pd.Series(pa.chunked_array(column, type=pa.int64()).to_numpy(), dtype="int64")
        else:
            array = pa.chunked_array(column, type=pa.large_string()).combine_chunks()
            data[name] = pd.Series(pd.arrays.ArrowStringArray(array))
    return pd.DataFrame(data)


def _position(exc: ET.ParseError | etree.XMLSyntaxError, path: str) -> tuple[int, int]:
    """Line and column of a parse error as ElementTree's parser reports them, as messages always gave.

    Only a malformed file is parsed a second time. Where that parser finds nothing, lxml's place
    is taken from its error log (its exception says (0, 0) for an undefined entity).
    """
    if isinstance(exc, ET.ParseError):
        return exc.position
    parser = ET.XMLParser(target=_Discard())
    try:
        with open(path, "rb") as fh:
            while block := fh.read(1 << 16):
                parser.feed(block)
        parser.close()
    except ET.ParseError as stdlib:
        return stdlib.position
    last = exc.error_log.last_error
    return (last.line, last.column) if last is not None else exc.position


def _channels(frame: pd.DataFrame) -> pd.Series:
    """Channel from the bank transaction code and purpose, else from keywords in the text."""
    if frame.empty:
        return pd.Series([], dtype="string")
    fmly, sub, purp = frame["fmly"].fillna(""), frame["sub"].fillna(""), frame["purp"].fillna("")
    credit_cp = frame["from_country"].fillna(frame["to_country"])
    home = frame["own_country"].fillna("NO")
    foreign = (credit_cp.notna() & (credit_cp != home)).fillna(False).to_numpy(dtype=bool)
    has_cp = (frame["from_account"].notna() & frame["to_account"].notna()).to_numpy(dtype=bool)
    keyword = channel_from_text(arrow(frame["description"]))
    conditions = [
        ((purp == "SALA") | (sub == "SALA")).to_numpy(dtype=bool),
        (sub == "CWDL").to_numpy(dtype=bool),
        (sub == "CDPT").to_numpy(dtype=bool),
        (sub.isin(_CARD) | (fmly == "CCRD")).to_numpy(dtype=bool),
        (sub.isin(_FEES) | fmly.isin(_FEES)).to_numpy(dtype=bool),
        (sub == "XBCT").to_numpy(dtype=bool) & foreign,
        keyword != None,  # noqa: E711 - elementwise comparison on an object array
        has_cp,
    ]
    choices = ["salary", "cash_withdrawal", "cash_deposit", "card", "fee", "remittance", keyword, "transfer"]
    channel = pd.Series(np.select(conditions, choices, default="other"), index=frame.index, dtype="string")
    return channel
