"""Cut a large camt.053 file into runs of whole statements that parse on their own.

Banks deliver a statement per day or per month, so a year's export holds hundreds or twelve
``Stmt`` elements side by side. Each run of statements, framed by the file's own head (XML
declaration, ``Document`` and ``BkToCstmrStmt`` start tags, group header) and tail (the closing
tags), is a complete document that reads exactly as those statements read in the whole file: the
reader keeps no state across a statement end. Parsing the runs in separate processes uses every
core.

The cut is made only where it is safe to find tags by their bytes, and is otherwise declined
(the file is then read in one pass): no comments, CDATA sections or processing instructions
(where ``<Stmt>`` could be text), an ASCII-compatible encoding, ``Stmt`` tags written plainly
(``<Stmt>``, ``</p:Stmt>``) with one prefix, never nested, only whitespace between the
statements cut apart, and nothing the reader reacts to (``Ntry``, ``Acct``, ``Bal``) in the head
or tail. If the file is malformed anyway, a run fails to parse and the caller reads the whole
file instead, so errors are always reported from the whole file.
"""

from __future__ import annotations

import itertools
import mmap
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["Part", "Spliced", "plan_parts"]

_TAG_BEFORE = re.compile(rb"<(/?)((?:[A-Za-z_][\w.\-]*:)?)\Z")
_ENCODING = re.compile(rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._\-]+)["']""")
_DECLARATION = re.compile(rb"(?:\xef\xbb\xbf)?<\?xml[ \t\r\n?]")
_PLAIN_ENCODINGS = {b"utf-8", b"utf8", b"us-ascii", b"ascii"}
_READ_TAGS = (b"Ntry", b"Acct", b"Bal")  # what the reader acts on besides Stmt
_NAME_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-:")
_WHITESPACE = b" \t\r\n"


@dataclass(frozen=True, slots=True)
class Part:
    """Byte ranges that together form one document, and which statements it holds."""

    segments: tuple[tuple[int, int], ...]  # head, a run of statements, tail
    first_statement: int  # statements in the file before this run
    statements: int
    declarations: int  # "<?" and "<!" markup allowed in the document: the XML declaration, if any


class Spliced:
    """A read-only stream over several byte ranges of one file, as if they were one file."""

    def __init__(self, path: str, segments: tuple[tuple[int, int], ...]) -> None:
        self._file = open(path, "rb")  # noqa: SIM115 - closed by close() / the context manager
        self._todo = [segment for segment in segments if segment[1] > segment[0]]

    def read(self, size: int = -1) -> bytes:
        while self._todo:
            start, end = self._todo[0]
            self._file.seek(start)
            data = self._file.read(end - start if size is None or size < 0 else min(size, end - start))
            if not data:  # the file shrank under us; the parse fails and the caller falls back
                self._todo.clear()
                break
            if start + len(data) >= end:
                self._todo.pop(0)
            else:
                self._todo[0] = (start + len(data), end)
            return data
        return b""

    def blocks(self, size: int) -> Iterator[bytes]:
        """The stream in blocks of at most ``size`` bytes."""
        while block := self.read(size):
            yield block

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Spliced:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True, slots=True)
class _Tag:
    start: int  # offset of "<"
    end: int  # offset after ">"
    closing: bool
    prefix: bytes


def _stmt_tags(data: mmap.mmap) -> list[_Tag] | None:
    """Every ``Stmt`` start and end tag, or None when one is written in a form not cut at."""
    tags: list[_Tag] = []
    at = data.find(b"Stmt")
    while at != -1:
        after = data[at + 4 : at + 5]
        before = _TAG_BEFORE.search(data[max(0, at - 64) : at])
        if before is not None and after and after[0] not in _NAME_BYTES:
            if after != b">":  # attributes, whitespace or self-closing: not worth the risk
                return None
            closing, prefix = before.group(1) == b"/", before.group(2)
            tags.append(_Tag(at - len(before.group(0)), at + 5, closing, prefix))
        at = data.find(b"Stmt", at + 4)
    return tags


def _statements(tags: list[_Tag]) -> list[tuple[int, int]] | None:
    """(start, end) of each statement, or None unless the tags pair up flat with one prefix."""
    if len(tags) % 2 or len({tag.prefix for tag in tags}) > 1:
        return None
    spans = []
    for opening, closing in zip(tags[::2], tags[1::2], strict=True):
        if opening.closing or not closing.closing:
            return None
        spans.append((opening.start, closing.end))
    return spans


def _cuttable(data: mmap.mmap, first: int, last: int) -> bool:
    """True when the encoding is ASCII-compatible and the head and tail hold nothing the reader acts on.

    Comments, CDATA and processing instructions are looked for by the reader of each run, which
    scans its bytes anyway (``Part.declarations``); scanning the whole file here would cost a
    second pass.
    """
    encoding = _ENCODING.match(data[:512])
    if encoding is not None and encoding.group(1).lower() not in _PLAIN_ENCODINGS:
        return False
    return not any(data.find(name, 0, first) != -1 or data.find(name, last) != -1 for name in _READ_TAGS)


def plan_parts(path: str, parts: int) -> list[Part] | None:
    """Split ``path`` into up to ``parts`` runs of statements of about equal size, or None."""
    if parts < 2:
        return None
    with open(path, "rb") as fh:
        if os.fstat(fh.fileno()).st_size == 0:
            return None
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
            tags = _stmt_tags(data)
            spans = _statements(tags) if tags else None
            if not spans or len(spans) < 2 or not _cuttable(data, spans[0][0], spans[-1][1]):
                return None
            cuts = [i for i in range(1, len(spans)) if not data[spans[i - 1][1] : spans[i][0]].strip(_WHITESPACE)]
            size = len(data)
            declarations = 1 if _DECLARATION.match(data[:16]) else 0
    first, last = spans[0][0], spans[-1][1]
    chosen: list[int] = []
    for k in range(1, parts):
        target = first + (last - first) * k // parts
        best = min(cuts, key=lambda i: abs(spans[i][0] - target), default=None)
        if best is not None and (not chosen or best > chosen[-1]):
            chosen.append(best)
    if not chosen:
        return None
    bounds = [0, *chosen, len(spans)]
    head, tail = (0, first), (last, size)
    return [
        Part(
            (head, (spans[lo][0], spans[hi][0] if hi < len(spans) else last), tail),
            first_statement=lo,
            statements=hi - lo,
            declarations=declarations,
        )
        for lo, hi in itertools.pairwise(bounds)
    ]
