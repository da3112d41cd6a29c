"""Writing an output folder whole: build the new folder beside the old one, then swap it in.

``finflow investigate`` writes findings, views and the report into a staging folder next to
``--out`` and only then puts it in place, so views of an earlier run never linger next to new
ones, and a crash leaves the old folder or the new one, never a mix. On Linux the swap is one
atomic ``renameat2(RENAME_EXCHANGE)``; elsewhere it is two renames, and a folder left aside by a
crash between them is put back by the next run.

Replacing a folder deletes what is in it, so finflow replaces only a folder that does not exist,
is empty (a ``.gitkeep`` aside), or carries the marker file ``.finflow-output`` that finflow
puts in every output folder it writes. Anything else — ``--out .``, ``--out ~/Documents`` — is
refused with one line before any work is done.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from finflow.errors import FinflowError, naming

__all__ = ["MARKER", "OutputFolder", "OutputFolderError"]

MARKER = ".finflow-output"
_MARKER_TEXT = "This folder was written by finflow; finflow replaces it as a whole on the next run.\n"
#: Files that keep an otherwise empty folder in version control; carried over to the new folder.
PLACEHOLDERS = frozenset({".gitkeep"})


class OutputFolderError(FinflowError):
    """The output folder cannot be written or replaced (one line naming it)."""


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


class OutputFolder:
    """The folder ``target``, to be replaced by a complete new one (see the module docstring).

    ``protect`` lists paths the folder must not contain (the case, the investigated input).
    The constructor refuses an unsafe target at once, so a run fails before its analysis.
    """

    def __init__(self, target: str | Path, protect: Iterable[str | Path] = ()) -> None:
        self.target = Path(target)
        self._protect = [Path(p) for p in protect]
        self._staging: Path | None = None
        self._restore_interrupted_swap()
        self._check()

    def _aside(self, kind: str) -> Path:
        return self.target.parent / f".{self.target.name}.finflow-{kind}-{os.getpid()}"

    def _check(self) -> None:
        target = self.target
        absolute = Path(os.path.abspath(target))
        if _inside(Path(os.getcwd()), absolute):
            raise OutputFolderError(f"--out {target}: is the current folder or holds it; choose a folder of its own")
        for path in self._protect:
            if _inside(Path(os.path.abspath(path)), absolute):
                raise OutputFolderError(f"--out {target}: holds {path}, which finflow must not replace")
        if not target.exists():
            return
        if not target.is_dir() or target.is_symlink():
            raise OutputFolderError(f"--out {target}: exists and is not a folder")
        names = sorted(os.listdir(target))
        if MARKER in names or set(names) <= PLACEHOLDERS:
            return
        shown = ", ".join(names[:3]) + (" …" if len(names) > 3 else "")
        raise OutputFolderError(
            f"--out {target}: holds {len(names)} file(s) finflow did not write ({shown}); "
            "finflow replaces its output folder as a whole, so choose a new or empty folder"
        )

    def _restore_interrupted_swap(self) -> None:
        """Put back a folder that a crash left aside between the two renames of a swap."""
        parent = self.target.parent
        if not parent.is_dir():
            return
        old_prefix, new_prefix = f".{self.target.name}.finflow-old-", f".{self.target.name}.finflow-new-"
        leftovers = sorted(p for p in parent.iterdir() if p.name.startswith((old_prefix, new_prefix)))
        for path in leftovers:
            if not _pid_alive(path.name.rsplit("-", 1)[-1]):
                if path.name.startswith(old_prefix) and not self.target.exists():
                    path.rename(self.target)
                else:
                    shutil.rmtree(path, ignore_errors=True)

    @contextmanager
    def staging(self) -> Iterator[Path]:
        """A fresh folder to write into; on leaving the ``with`` block it replaces the target.

        If the block raises, the target is left as it was and the staging folder removed.
        """
        staging = self._aside("new")
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir(parents=True)
        (staging / MARKER).write_text(_MARKER_TEXT, encoding="utf-8")
        for name in PLACEHOLDERS:
            if (self.target / name).is_file():
                shutil.copy2(self.target / name, staging / name)
        self._staging = staging
        try:
            with naming(staging):
                yield staging
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        self._swap(staging)

    def final(self, path: Path) -> Path:
        """Where a file written into the staging folder is once the swap is done."""
        if self._staging is None:
            return path
        return self.target / Path(path).relative_to(self._staging)

    def _swap(self, staging: Path) -> None:
        target = self.target
        try:
            self._check()  # again: something else may have written there meanwhile
        except OutputFolderError as exc:
            raise OutputFolderError(f"{exc}; the new outputs are in {staging}") from None
        try:
            if not target.exists():
                os.rename(staging, target)
            elif _exchange(staging, target):
                shutil.rmtree(staging)  # now holds the old outputs
            else:
                old = self._aside("old")
                os.rename(target, old)
                os.rename(staging, target)
                shutil.rmtree(old, ignore_errors=True)
        except OSError as exc:
            raise OutputFolderError(
                f"--out {target}: could not put the new outputs in place ({exc.strerror or exc}); they are in {staging}"
            ) from None


def _pid_alive(text: str) -> bool:
    """Whether the process that named a staging folder may still be writing it."""
    if not text.isdigit():
        return False
    pid = int(text)
    if pid == os.getpid():
        return False
    if os.name == "nt":
        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x00100000, False, pid)  # SYNCHRONIZE
        if not handle:
            return False
        kernel32.CloseHandle(handle)
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2``); ``False`` where that is not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    done = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
    if done == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: this file system cannot exchange
        return False
    raise OSError(errno, os.strerror(errno), str(second))
