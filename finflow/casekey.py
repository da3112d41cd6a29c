"""The case's secret key: what keeps ids derived from personal data from giving that data away.

A person's party id comes from their normalised name and birth date, so the same person meets
across sources. Hashed without a secret, anyone holding ``subjects.csv`` and a name could try every
birth date of a century (36,500 hashes, well under a second) and read the birth date back from the
id. finflow therefore derives such ids (persons, identifiers such as phones and id numbers, the
money-transfer pseudo-accounts built from them) with HMAC-SHA-256 under a random key kept in the
case, ``case.key``:

- created on the first import (32 random bytes, as hex), written once and atomically — written
  beside its final name, then linked into place, so two processes never create two keys and a
  crash never leaves half a key — and never changed by finflow;
- the same case and key give the same ids, so re-runs stay byte-identical;
- ``FINFLOW_CASE_KEY`` pins the key (tests, reproducible runs): a new case stores the pinned key;
  a case whose ``case.key`` differs refuses to work rather than mix ids of two keys.

Back the key up with the case. Deleted, it is replaced by a new one on the next import, and
every person imported from then on gets a new id (records already in the case keep theirs).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from finflow.errors import FinflowError

__all__ = ["ENV_VAR", "KEY_FILE", "CaseKeyError", "case_key"]

KEY_FILE = "case.key"
ENV_VAR = "FINFLOW_CASE_KEY"


class CaseKeyError(FinflowError, ValueError):
    """The case key is unreadable, empty, or differs from the pinned one; the message says which."""


def _read(path: Path) -> bytes:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseKeyError(f"{path}: cannot read the case key ({exc}); restore it from the case's backup") from None
    if not text:
        raise CaseKeyError(f"{path}: the case key is empty; restore it from the case's backup")
    return text.encode("utf-8")


def _fsync_dir(directory: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _create_once(path: Path, text: str) -> None:
    """Put ``text`` at ``path`` unless a key is already there (whoever links first wins)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)  # atomic, and fails when the key exists: never overwrites one
        except FileExistsError:
            return
        except OSError:  # a file system without hard links: exclusive create, then write
            with contextlib.suppress(FileExistsError):
                out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(out, "w", encoding="utf-8") as fh:
                    fh.write(text + "\n")
                    fh.flush()
                    os.fsync(fh.fileno())
        _fsync_dir(path.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def case_key(case_dir: str | Path) -> bytes:
    """The key of the case at ``case_dir``, created (once) if the case has none yet."""
    path = Path(case_dir) / KEY_FILE
    pinned = os.environ.get(ENV_VAR, "").strip()
    if not path.exists():
        _create_once(path, pinned or secrets.token_hex(32))
    key = _read(path)
    if pinned and key != pinned.encode("utf-8"):
        raise CaseKeyError(
            f"{path}: this case's key differs from {ENV_VAR}; unset {ENV_VAR} or use the key the case was made with"
        )
    return key
