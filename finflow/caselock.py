"""The case lock: one writer at a time, and a waiting writer learns who holds the case.

Writers (an import, undoing a merge, ``finflow case repair``) take the lock file ``case/lock``
with :mod:`filelock` (``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows; the operating
system releases it when its process dies, even by ``kill -9``). After acquiring, the writer
records itself in ``case/lock.owner`` (pid, host, command, since when) so that a second writer,
which waits at most ``wait`` seconds, can say which process holds the case. Readers never lock:
they read one committed generation (see :mod:`finflow.casestore`).
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from pathlib import Path
from types import TracebackType

from filelock import FileLock, Timeout

from finflow.durable import replace
from finflow.errors import FinflowError

__all__ = ["DEFAULT_WAIT", "LOCK_FILE", "OWNER_FILE", "WAIT_ENV", "CaseLock", "CaseLockedError", "lock_holder"]

LOCK_FILE = "lock"
OWNER_FILE = "lock.owner"
#: Seconds a writer waits for another writer to finish (``--wait``, or this environment variable).
DEFAULT_WAIT = 60.0
WAIT_ENV = "FINFLOW_CASE_WAIT"

#: Locks this process holds, by case directory: a writer that calls another writer (repair
#: committing through :class:`finflow.case.Case`) must not wait for itself.
_held: dict[tuple[int, str], list] = {}


class CaseLockedError(FinflowError):
    """Another process is writing the case and did not finish within the wait."""


def lock_wait(wait: float | None) -> float:
    """The wait in seconds: ``wait`` if given, else ``FINFLOW_CASE_WAIT``, else 60."""
    if wait is not None:
        return max(float(wait), 0.0)
    text = os.environ.get(WAIT_ENV, "").strip()
    try:
        return max(float(text), 0.0) if text else DEFAULT_WAIT
    except ValueError:
        raise FinflowError(f"{WAIT_ENV}={text!r}: expected a number of seconds") from None


def _command() -> str:
    """The command line of this process, as a user would recognise it (``finflow import a.csv``)."""
    argv = list(sys.argv) or ["python"]
    argv[0] = Path(argv[0]).name or argv[0]
    text = " ".join(argv)
    return text if len(text) <= 200 else text[:199] + "…"


def lock_holder(case_dir: str | Path) -> dict | None:
    """What the owner file says about the process holding the case (``None`` if it says nothing)."""
    try:
        owner = json.loads((Path(case_dir) / OWNER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return owner if isinstance(owner, dict) else None


def _printable(value: object) -> str:
    return "".join(c if c.isprintable() else "?" for c in str(value))


def describe_holder(owner: dict | None) -> str:
    """``pid 4242 on host lab-1 (`finflow import big.csv`) since 2026-03-02T14:05:11Z``."""
    if not owner:
        return "a process that has not yet recorded itself in lock.owner"
    return _printable(
        f"pid {owner.get('pid', '?')} on host {owner.get('host', '?')} "
        f"(`{owner.get('command', '?')}`) since {owner.get('since', '?')}"
    )


class CaseLock:
    """``with CaseLock(case_dir, wait):`` — hold the case's writer lock, or raise :class:`CaseLockedError`."""

    def __init__(self, case_dir: str | Path, wait: float | None = None) -> None:
        self.case_dir = Path(case_dir)
        self.wait = lock_wait(wait)
        self._key = (os.getpid(), os.path.abspath(self.case_dir))

    def __enter__(self) -> CaseLock:
        held = _held.get(self._key)
        if held is not None:
            held[1] += 1
            return self
        self.case_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.case_dir / LOCK_FILE), timeout=self.wait)
        try:
            lock.acquire()
        except Timeout:
            raise CaseLockedError(
                f"{self.case_dir}: another finflow process is writing this case — "
                f"{describe_holder(lock_holder(self.case_dir))}; gave up after {self.wait:g} s "
                f"(--wait SECONDS waits longer)"
            ) from None
        _held[self._key] = [lock, 1]
        self._record_owner()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        held = _held[self._key]
        held[1] -= 1
        if held[1]:
            return
        del _held[self._key]
        try:  # before releasing: once released, the file may already describe the next writer
            (self.case_dir / OWNER_FILE).unlink(missing_ok=True)
        finally:
            held[0].release()

    def _record_owner(self) -> None:
        owner = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "command": _command(),
            "since": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        tmp = self.case_dir / f"{OWNER_FILE}.tmp"
        tmp.write_text(json.dumps(owner, ensure_ascii=False) + "\n", encoding="utf-8")
        replace(tmp, self.case_dir / OWNER_FILE)
