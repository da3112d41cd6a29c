"""The errors finflow raises for its users, and the one line every other failure becomes.

Library code raises a subclass of :class:`FinflowError` when the user can act on the message
(a locked or damaged case, an output folder finflow will not replace); the command line prints
the message as it is, without a traceback. :func:`one_line` turns any other exception that
reaches the command line into one line too — a full disk or a denied permission names the
file — so a user never meets a traceback unless they ask for it with ``finflow --debug``.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["DEBUG_ENV", "FinflowError", "debugging", "naming", "one_line", "os_error_line"]

#: Set (to ``1``) by ``finflow --debug``: failures keep their traceback.
DEBUG_ENV = "FINFLOW_DEBUG"


class FinflowError(Exception):
    """A failure the user can act on; ``str(error)`` is one line naming the file or setting."""


def debugging() -> bool:
    """Whether the user asked for tracebacks (``finflow --debug`` or ``FINFLOW_DEBUG=1``)."""
    return os.environ.get(DEBUG_ENV, "") not in ("", "0")


@contextmanager
def naming(path: str | os.PathLike) -> Iterator[None]:
    """Give a failed write the file it was writing: a full disk reported by a library
    (``[errno 28] Error writing bytes to file``) names no file, and the user needs to know which."""
    try:
        yield
    except OSError as exc:
        if exc.filename is not None or isinstance(exc, FinflowError):
            raise
        raise OSError(exc.errno, exc.strerror or _first_line(str(exc)), os.fspath(path)) from exc


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else ""


_OS_REASONS = {
    errno.ENOSPC: "no space left on the device",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EROFS: "the file system is read-only",
    errno.EDQUOT: "disk quota exceeded",
    errno.ENOENT: "no such file or directory",
    errno.EISDIR: "is a folder, not a file",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EMFILE: "too many open files",
    errno.ENAMETOOLONG: "the name is too long",
    errno.EIO: "input/output error (the disk or network share failed)",
}


def os_error_line(exc: OSError, what: str | os.PathLike | None = None) -> str:
    """One line for a failed file operation: the file (``what`` when the error names none) and why."""
    reason = _OS_REASONS.get(exc.errno or -1) or exc.strerror or _first_line(str(exc)) or type(exc).__name__
    file = exc.filename if exc.filename is not None else what
    if file is None:
        return reason
    if exc.filename2 is not None:
        return f"{os.fsdecode(file)} -> {os.fsdecode(exc.filename2)}: {reason}"
    return f"{os.fsdecode(file)}: {reason}"


def one_line(exc: BaseException) -> str:
    """The message a user sees for ``exc``: one line, naming the file or setting where known."""
    if isinstance(exc, OSError) and not isinstance(exc, FinflowError):
        return os_error_line(exc)
    if isinstance(exc, MemoryError):
        return "out of memory; close other programs or import fewer files at once"
    if isinstance(exc, FinflowError):
        return _first_line(str(exc)) or type(exc).__name__
    detail = _first_line(str(exc))
    return (
        f"internal error ({type(exc).__name__}{': ' + detail if detail else ''}); "
        "run again with --debug for the traceback and please report it"
    )
