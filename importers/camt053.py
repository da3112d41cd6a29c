"""ISO 20022 camt.053 bank-to-customer statements (versions .001.02 to .001.13).

The file is streamed with a hardened parser (no DTDs, no entity expansion, no external
resources, nesting depth capped) and each ``Ntry`` is discarded as soon as it is read, so memory
stays flat on large statements. Every ``Ntry`` is split into its ``TxDtls``: a payroll batch is
one entry with one detail per worker, and each worker becomes a transaction. Entries without
details count as one record. Parsing is namespace-agnostic within the camt.053 family.

Each statement's booked entries are checked against its balances (opening booked + entries =
closing booked); a statement that does not reconcile is reported in the notes, its rows are
still imported. Pending entries (``Sts`` PDNG) are kept out of the flows as rejects.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from functools import cache

import defusedxml.ElementTree as SafeET
import numpy as np
import pandas as pd
from defusedxml import DefusedXmlException

from finflow.money import is_currency, minor_units
from finflow.normalize import normalize_account

from .bank_csv import PENDING_REASON
from .bank_text import arrow, channel_from_text
from .base import ImportError_, ImportResult, Source, reject
from .transactions import finish_transactions

__all__ = ["DESCRIPTION", "FORMAT", "MAX_DEPTH", "PRIORITY", "read", "sniff"]

FORMAT = "camt053"
DESCRIPTION = "ISO 20022 camt.053 bank statement (XML, .001.02 … .001.13)"
PRIORITY = 10
MAX_DEPTH = 64  # camt.053 nests about 12 deep; anything far deeper is an attack or garbage
PROLOG_BYTES = 1 << 20
DEPTH_BLOCK_BYTES = 1 << 22

_NS_PREFIX = "urn:iso:std:iso:20022:tech:xsd:camt.053."
_AMOUNT = re.compile(r"\d{1,15}(?:\.\d{1,6})?")
_COLUMNS = (
    "booking_date", "booking_time", "amount_minor", "currency", "from_account", "to_account",
    "from_name", "to_name", "from_country", "to_country", "description", "txn_ref",
    "source_locator", "fmly", "sub", "purp", "own_country",
)  # fmt: skip
_CARD = {"POSD", "CCRD"}
_FEES = {"CHRG", "COMM", "FEES", "COME", "COMI"}
_NOT_BOOKED = {"PDNG": PENDING_REASON, "INFO": "information only (Sts INFO), not booked",
               "FUTR": "future entry (Sts FUTR), not booked"}  # fmt: skip


def sniff(head: bytes, name: str) -> bool:
    """An XML document in a camt.053 namespace, or with a ``BkToCstmrStmt`` element."""
    text = head[:65536].decode("utf-8", errors="replace")
    return text.lstrip("\ufeff \r\n\t").startswith("<") and (_NS_PREFIX in text or "<BkToCstmrStmt" in text)


@cache
def _paths(ns: str) -> dict[str, tuple[str, ...]]:
    """Element paths qualified with the document's namespace."""

    def q(path: str) -> tuple[str, ...]:
        return tuple(f"{{{ns}}}{p}" if ns else p for p in path.split("/"))

    names = {
        "Stmt": "Stmt", "Ntry": "Ntry", "Acct": "Acct", "Bal": "Bal", "Id": "Id",
        "BkToCstmrStmt": "BkToCstmrStmt", "Document": "Document",
        "iban": "Id/IBAN", "othr": "Id/Othr/Id", "ccy": "Ccy", "ownr": "Ownr/Nm",
        "ownr_pty": "Ownr/Pty/Nm", "svcr_bic": "Svcr/FinInstnId/BIC",
        "svcr_bicfi": "Svcr/FinInstnId/BICFI", "bal_cd": "Tp/CdOrPrtry/Cd", "Amt": "Amt",
        "CdtDbtInd": "CdtDbtInd", "Sts": "Sts", "StsCd": "Sts/Cd", "BookgDt": "BookgDt/Dt",
        "BookgDtTm": "BookgDt/DtTm", "AcctSvcrRef": "AcctSvcrRef", "NtryRef": "NtryRef",
        "AddtlNtryInf": "AddtlNtryInf", "TxDtls": "NtryDtls/TxDtls",
        "Domn": "BkTxCd/Domn/Cd", "Fmly": "BkTxCd/Domn/Fmly/Cd",
        "SubFmly": "BkTxCd/Domn/Fmly/SubFmlyCd", "TxAmt": "AmtDtls/TxAmt/Amt",
        "InstdAmt": "AmtDtls/InstdAmt/Amt", "Purp": "Purp/Cd", "Ustrd": "RmtInf/Ustrd",
        "KID": "RmtInf/Strd/CdtrRefInf/Ref", "AddtlTxInf": "AddtlTxInf",
        "E2E": "Refs/EndToEndId", "TxRef": "Refs/AcctSvcrRef", "RltdPties": "RltdPties",
        "RltdAgts": "RltdAgts",
    }  # fmt: skip
    paths = {k: q(v) for k, v in names.items()}
    for role in ("Dbtr", "Cdtr"):
        paths[f"{role}Nm"] = q(f"{role}/Nm")
        paths[f"{role}PtyNm"] = q(f"{role}/Pty/Nm")
        paths[f"{role}Ctry"] = q(f"{role}/PstlAdr/Ctry")
        paths[f"{role}PtyCtry"] = q(f"{role}/Pty/PstlAdr/Ctry")
        paths[f"{role}Iban"] = q(f"{role}Acct/Id/IBAN")
        paths[f"{role}Othr"] = q(f"{role}Acct/Id/Othr/Id")
        paths[f"{role}Bic"] = q(f"{role}Agt/FinInstnId/BIC")
        paths[f"{role}BicFi"] = q(f"{role}Agt/FinInstnId/BICFI")
    return paths


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
    unreadable: int = 0
    entries: int = 0


def _find(elem: ET.Element | None, steps: tuple[str, ...]) -> ET.Element | None:
    """Child-by-child lookup: each single-tag ``find`` runs in C, unlike an ElementPath path."""
    for step in steps:
        if elem is None:
            return None
        elem = elem.find(step)
    return elem


def _text(elem: ET.Element | None, steps: tuple[str, ...]) -> str:
    found = _find(elem, steps)
    text = found.text if found is not None else None
    return text.strip() if text else ""


def _findall(elem: ET.Element, steps: tuple[str, ...]) -> list[ET.Element]:
    parent = _find(elem, steps[:-1])
    return parent.findall(steps[-1]) if parent is not None else []


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


def _country(iban: str, ctry: str, bic: str) -> str | None:
    if iban[:2].isalpha():
        return iban[:2].upper()
    if re.fullmatch(r"[A-Za-z]{2}", ctry):
        return ctry.upper()
    if len(bic) >= 6 and bic[4:6].isalpha():
        return bic[4:6].upper()
    return None


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
    raise ImportError_(f"{source.name}: no root element in the first {PROLOG_BYTES} bytes")


def _check_depth(path: str, source: Source) -> None:
    """Refuse documents nested deeper than ``MAX_DEPTH``, before parsing them.

    Counts markup in the raw bytes with numpy: ``<x`` opens, ``</`` closes, and ``/>`` closes
    only inside an opening tag (after a ``<x`` with no ``>`` since), so ``/>`` in text or in a
    comment cannot hide nesting. Comments, processing instructions and declarations do not count.
    Markup-like text inside CDATA can only make the count larger.
    """
    depth = 0
    carry = b""
    in_open_tag = False  # state at the end of the previous block
    lt, slash, gt = ord("<"), ord("/"), ord(">")
    skip = np.array([ord("/"), ord("!"), ord("?")], dtype=np.uint8)
    with open(path, "rb") as fh:
        while True:
            block = fh.read(DEPTH_BLOCK_BYTES)
            data = carry + block
            if len(data) < 2:
                break
            b = np.frombuffer(data, dtype=np.uint8)
            here, after = b[:-1], b[1:]
            lt_at = np.flatnonzero(here == lt)  # only markup positions, not every byte
            gt_at = np.flatnonzero(here == gt)
            lt_opens = ~np.isin(after[lt_at], skip)
            slash_at = np.flatnonzero(here == slash)
            self_close = slash_at[after[slash_at] == gt]
            last_lt = np.searchsorted(lt_at, self_close) - 1
            last_gt = np.searchsorted(gt_at, self_close) - 1
            lt_pos = np.where(last_lt >= 0, lt_at[np.maximum(last_lt, 0)] if len(lt_at) else -1, -1)
            gt_pos = np.where(last_gt >= 0, gt_at[np.maximum(last_gt, 0)] if len(gt_at) else -1, -1)
            opened = np.where(last_lt >= 0, lt_opens[np.maximum(last_lt, 0)] if len(lt_at) else False, in_open_tag)
            inside = (gt_pos < lt_pos) | ((last_lt < 0) & (last_gt < 0))  # no ">" since the "<"
            counted = self_close[opened & inside]
            closes = np.concatenate([lt_at[after[lt_at] == slash], counted])
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


class _Reader:
    """Streams one file; collects rows, rejects and notes."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.rows: list[tuple] = []
        self.bad_loc: list[str] = []
        self.bad_reason: list[str] = []
        self.bad_raw: list[str] = []
        self.notes: list[str] = []
        self.rows_read = 0
        self.pending = 0
        self.p: dict[str, tuple[str, ...]] = {}

    def run(self, path: str) -> None:
        """Stream the file; only ``end`` events, so Python sees half as many events."""
        root_tag = _refuse_dtd(path, self.source)
        tags = {k: v[0] for k, v in self._root(root_tag).items() if len(v) == 1}
        _check_depth(path, self.source)
        ntry, acct, bal, stmt_tag = tags["Ntry"], tags["Acct"], tags["Bal"], tags["Stmt"]
        stmt: _Statement | None = None
        n_stmt = n_ntry = 0
        for _, elem in ET.iterparse(path, events=("end",)):
            tag = elem.tag
            if tag == ntry:
                stmt = stmt or self._statement(n_stmt + 1)
                n_ntry += 1
                self._entry(elem, stmt, f"Stmt[{stmt.number}]/Ntry[{n_ntry}]")
                elem.clear()
            elif tag == stmt_tag:
                n_stmt += 1
                stmt = stmt or self._statement(n_stmt)
                stmt.ident = _text(elem, (tags["Id"],))
                self._reconcile(stmt)
                elem.clear()  # drops the emptied entries too
                stmt, n_ntry = None, 0
            elif tag == acct:
                if stmt is None or (stmt.account is None and not stmt.entries):
                    stmt = stmt or self._statement(n_stmt + 1)
                    self._account(elem, stmt)
            elif tag == bal:
                stmt = stmt or self._statement(n_stmt + 1)
                self._balance(elem, stmt)
        if n_stmt == 0:
            raise ImportError_(f"{self.source.name}: the document has no statement (Stmt)")

    def _statement(self, number: int) -> _Statement:
        """A new statement; its account is the ``--account`` option until ``Acct`` names one."""
        stmt = _Statement(number)
        given = (self.source.options.get("account") or "").strip()
        if given:
            stmt.account = normalize_account(given).account_id
        return stmt

    def _root(self, tag: str) -> dict[str, tuple[str, ...]]:
        ns, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
        if local != "Document" or (ns and not ns.startswith(_NS_PREFIX)):
            raise ImportError_(
                f"{self.source.name}: not a camt.053 statement (root element {local!r}, namespace {ns!r})"
            )
        self.p = _paths(ns)
        return self.p

    def _account(self, elem: ET.Element, stmt: _Statement) -> None:
        p = self.p
        iban, othr = _text(elem, p["iban"]), _text(elem, p["othr"])
        given = (self.source.options.get("account") or "").strip()
        raw = iban or othr or given
        if raw:
            stmt.account = normalize_account(raw).account_id
        stmt.owner = _text(elem, p["ownr"]) or _text(elem, p["ownr_pty"]) or None
        bic = _text(elem, p["svcr_bic"]) or _text(elem, p["svcr_bicfi"])
        stmt.own_country = _country(iban, "", bic)
        stmt.currency = _text(elem, p["ccy"]) or None

    def _balance(self, elem: ET.Element, stmt: _Statement) -> None:
        p = self.p
        code = _text(elem, p["bal_cd"])
        amt = _find(elem, p["Amt"])
        if amt is None or code not in ("OPBD", "CLBD", "PRCD"):
            return
        currency = amt.get("Ccy", "")
        value = _minor((amt.text or "").strip(), currency)
        if isinstance(value, int):
            sign = -1 if _text(elem, p["CdtDbtInd"]) == "DBIT" else 1
            stmt.balances[code] = (sign * value, currency)

    def _entry(self, ntry: ET.Element, stmt: _Statement, loc: str) -> None:
        p = self.p
        details = _findall(ntry, p["TxDtls"])
        n = max(len(details), 1)
        self.rows_read += n
        stmt.entries += 1
        locs = [f"{loc}/TxDtls[{i + 1}]" for i in range(len(details))] or [loc]

        def refuse(reason: str) -> None:
            raw = ET.tostring(ntry, encoding="unicode")[:2000]
            self.bad_loc.extend(locs)
            self.bad_reason.extend([reason] * n)
            self.bad_raw.extend([raw] * n)

        status = _text(ntry, p["Sts"]) or _text(ntry, p["StsCd"])
        amt_el = _find(ntry, p["Amt"])
        currency = amt_el.get("Ccy", "").strip().upper() if amt_el is not None else ""
        entry_amount = _minor((amt_el.text or "").strip(), currency) if amt_el is not None else "Ntry/Amt is missing"
        side = _text(ntry, p["CdtDbtInd"])
        if status.upper() in _NOT_BOOKED:
            self.pending += n if status.upper() == "PDNG" else 0
            refuse(_NOT_BOOKED[status.upper()])
            return
        if isinstance(entry_amount, str):
            stmt.unreadable += 1
            refuse(f"Ntry/Amt: {entry_amount}")
            return
        if side not in ("CRDT", "DBIT"):
            stmt.unreadable += 1
            refuse(f"Ntry/CdtDbtInd is {side!r}, expected CRDT or DBIT")
            return
        stmt.booked[currency] = stmt.booked.get(currency, 0) + (entry_amount if side == "CRDT" else -entry_amount)
        if stmt.account is None:
            refuse("the statement names no account (Stmt/Acct/Id); pass --account")
            return
        date_tm = _text(ntry, p["BookgDtTm"])
        date = _text(ntry, p["BookgDt"]) or date_tm[:10]
        time = date_tm[11:16] if len(date_tm) >= 16 else None
        fmly, sub = _text(ntry, p["Fmly"]), _text(ntry, p["SubFmly"])
        entry_info = _text(ntry, p["AddtlNtryInf"])
        entry_ref = _text(ntry, p["AcctSvcrRef"]) or _text(ntry, p["NtryRef"])
        credit = side == "CRDT"
        own, owner = stmt.account, stmt.owner
        for i, tx in enumerate(details or [ntry]):
            is_tx = bool(details)
            amount: int | str = entry_amount
            tx_currency = currency
            if is_tx:
                amt = _find(tx, p["TxAmt"])
                if amt is None:
                    amt = _find(tx, p["InstdAmt"])
                if amt is not None:
                    tx_currency = amt.get("Ccy", "").strip().upper()
                    amount = _minor((amt.text or "").strip(), tx_currency)
                elif len(details) > 1:
                    amount = "TxDtls has no amount (AmtDtls/TxAmt or InstdAmt) in an entry with several details"
            if isinstance(amount, str) or amount <= 0:
                self.bad_loc.append(locs[i])
                self.bad_reason.append(amount if isinstance(amount, str) else "amount must be greater than zero")
                self.bad_raw.append(ET.tostring(tx, encoding="unicode")[:2000])
                continue
            role = "Dbtr" if credit else "Cdtr"
            parties = _find(tx, p["RltdPties"]) if is_tx else None
            agents = _find(tx, p["RltdAgts"]) if is_tx else None
            if parties is not None:
                name = _text(parties, p[f"{role}Nm"]) or _text(parties, p[f"{role}PtyNm"])
                iban = _text(parties, p[f"{role}Iban"])
                cp_account = iban or _text(parties, p[f"{role}Othr"])
                ctry = _text(parties, p[f"{role}Ctry"]) or _text(parties, p[f"{role}PtyCtry"])
            else:
                name = iban = cp_account = ctry = ""
            bic = ""
            if agents is not None:
                bic = _text(agents, p[f"{role}Bic"]) or _text(agents, p[f"{role}BicFi"])
            cp_country = _country(iban, ctry, bic) if cp_account or ctry or bic else None
            if is_tx:
                ustrd = [(u.text or "").strip() for u in _findall(tx, p["Ustrd"])]
                text = " ".join(u for u in ustrd if u) or _text(tx, p["AddtlTxInf"]) or entry_info
                e2e = _text(tx, p["E2E"])
                ref = (
                    (e2e if e2e and e2e != "NOTPROVIDED" else "")
                    or _text(tx, p["KID"])
                    or _text(tx, p["TxRef"])
                    or entry_ref
                )
                tx_fmly, tx_sub = _text(tx, p["Fmly"]) or fmly, _text(tx, p["SubFmly"]) or sub
                purp = _text(tx, p["Purp"])
            else:
                text, ref, tx_fmly, tx_sub, purp = entry_info, entry_ref, fmly, sub, ""
            cp = cp_account or None
            cp_name = name or None
            self.rows.append(
                (
                    date, time, amount, tx_currency,
                    cp if credit else own, own if credit else cp,
                    cp_name if credit else owner, owner if credit else cp_name,
                    cp_country if credit else None, None if credit else cp_country,
                    text or None, ref or None, locs[i], tx_fmly, tx_sub, purp, stmt.own_country,
                )
            )  # fmt: skip

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


def read(path: str, source: Source) -> ImportResult:
    reader = _Reader(source)
    try:
        reader.run(path)
    except DefusedXmlException as exc:
        raise ImportError_(
            f"{source.name}: refused: the XML declares a DTD or entities ({type(exc).__name__})"
        ) from None
    except ET.ParseError as exc:
        line, column = exc.position
        raise ImportError_(f"{source.name}: not well-formed XML at line {line}, column {column}") from None
    except (RecursionError, MemoryError):
        raise ImportError_(f"{source.name}: XML too deeply nested or too large; refused") from None
    frame = pd.DataFrame.from_records(reader.rows, columns=list(_COLUMNS))
    for column in _COLUMNS:
        if column != "amount_minor":
            frame[column] = frame[column].astype("string")
    frame["amount_minor"] = frame["amount_minor"].astype("int64")
    dates = pd.to_datetime(
        frame["booking_date"].where(frame["booking_date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}")),
        format="%Y-%m-%d",
        errors="coerce",
    )
    bad_date = dates.isna().to_numpy(dtype=bool)
    frame["booking_date"] = dates
    time_ok = frame["booking_time"].str.fullmatch(r"([01]\d|2[0-3]):[0-5]\d").fillna(False).astype(bool)
    frame["booking_time"] = frame["booking_time"].where(time_ok)
    frame["channel"] = _channels(frame)
    rejects = reject(source, reader.bad_loc, reader.bad_reason, reader.bad_raw)
    if bad_date.any():
        rejects = pd.concat(
            [
                rejects,
                reject(
                    source,
                    frame.loc[bad_date, "source_locator"].tolist(),
                    ["BookgDt: not a valid date (YYYY-MM-DD)"] * int(bad_date.sum()),
                    [""] * int(bad_date.sum()),
                ),
            ],
            ignore_index=True,
        )
    if reader.pending:
        reader.notes.append(f"{reader.pending} pending entry detail(s) (Sts PDNG) kept out of the flows")
    good = frame[~bad_date].drop(columns=["fmly", "sub", "purp", "own_country"])
    tables = finish_transactions(good, source)
    return ImportResult(FORMAT, reader.rows_read, tables, rejects, reader.notes)


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
