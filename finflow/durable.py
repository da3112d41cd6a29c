"""Durable file operations for the case store, and the hook that lets tests crash it on purpose.

A file is durable once its bytes and its directory entry are on disk: :func:`fsync_file` after
writing it, :func:`fsync_dir` after creating, renaming or removing entries in a directory
(Windows cannot open a directory for ``fsync``; NTFS journals its metadata, so that step is
skipped there). :func:`replace` is ``os.replace`` that retries briefly when Windows refuses to
replace a file another process has open for a moment.

Fault injection: with ``FINFLOW_STORE_KILL_AFTER=N`` in the environment, the process kills
itself (``SIGKILL``, no clean-up of any kind) right after its N-th durable step, naming the step
on stderr. The fault tests use it to stop ``finflow import`` after every file the store writes.
"""

from __future__ import annotations

import hashlib
import os
import signal
import time
from pathlib import Path

from finflow.errors import naming

__all__ = ["KILL_AFTER_ENV", "fsync_dir", "fsync_file", "replace", "step_done", "write_durably"]

KILL_AFTER_ENV = "FINFLOW_STORE_KILL_AFTER"

_steps = {"pid": 0, "count": 0}


def step_done(what: str) -> None:
    """Count one durable step; die here if ``FINFLOW_STORE_KILL_AFTER`` names this step."""
    if _steps["pid"] != os.getpid():  # a forked child counts its own steps
        _steps.update(pid=os.getpid(), count=0)
    _steps["count"] += 1
    limit = os.environ.get(KILL_AFTER_ENV, "")
    if limit.isdigit() and int(limit) == _steps["count"]:
        os.write(2, f"finflow: killed after durable step {_steps['count']}: {what}\n".encode())
        if hasattr(signal, "SIGKILL"):
            os.kill(os.getpid(), signal.SIGKILL)  # windows-ok: guarded by hasattr
        os._exit(137)


def fsync_file(path: Path, *, digest: bool = False) -> str | None:
    """Flush ``path`` to disk; with ``digest``, return its SHA-256 (read back in the same pass)."""
    sha = hashlib.sha256() if digest else None
    with open(path, "r+b") as fh:
        if sha is not None:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                sha.update(chunk)
        os.fsync(fh.fileno())
    return sha.hexdigest() if sha is not None else None


def fsync_dir(path: Path) -> None:
    """Flush a directory's entries (new, renamed or removed files) to disk, where the OS allows it."""
    if os.name == "nt":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot fsync a directory; their metadata is synchronous
        pass
    finally:
        os.close(fd)


def replace(source: Path, target: Path, attempts: int = 20) -> None:
    """``os.replace``, retried for up to a second when Windows reports the target busy."""
    for attempt in range(attempts):
        try:
            os.replace(source, target)
            return
        except PermissionError:
            if os.name != "nt" or attempt == attempts - 1:
                raise
            time.sleep(0.05)


def write_durably(path: Path, data: bytes) -> None:
    """Write ``path`` as a whole: a temporary file beside it, flushed, then renamed over it."""
    tmp = path.with_name(f".{path.name}.tmp")
    with naming(path):
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        replace(tmp, path)
    fsync_dir(path.parent)
