"""Which files under an investigated folder finflow reads, and which it leaves alone (saying why).

Only regular files are read: opening a FIFO blocks until something writes to it, and a device
file (``/dev/zero``) never ends, so either would hang an import forever. Folders that finflow
itself writes — a case store, an output folder — are skipped too, so ``finflow investigate .``
does not try to import its own case and views.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from finflow.outfolder import MARKER

__all__ = ["Discovery", "discover", "finflow_folder", "not_regular"]

_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


def not_regular(path: str | Path) -> str | None:
    """``None`` for a regular file (or a link to one), else what it is, e.g. ``"a FIFO (named pipe)"``."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "missing (a link to nothing?)"
    except OSError as exc:
        return f"unreadable ({exc.strerror})"
    if stat.S_ISREG(mode):
        return None
    for test, kind in _KINDS:
        if test(mode):
            return kind
    return "not a regular file"


def finflow_folder(path: Path) -> str | None:
    """What finflow folder ``path`` is (``"a finflow case"``, ``"a finflow output folder"``), or ``None``."""
    if (path / MARKER).is_file():
        return "a finflow output folder"
    if (path / "CURRENT").is_file() and (path / "generations").is_dir():
        return "a finflow case"
    if (path / "manifest.json").is_file() and (path / "tables").is_dir():
        return "a finflow case"
    return None


@dataclass(slots=True)
class Discovery:
    """Files to import, in sorted order, and the paths left out with the reason."""

    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def discover(path: str | Path, skip: dict[str, str | Path] | None = None) -> Discovery:
    """Regular files under ``path`` (or ``path`` itself), hidden ones excluded.

    Folders in ``skip`` (``{"--case": case_dir, "--out": out_dir}``: this run's own) and
    folders finflow wrote are not entered; non-regular files are not opened. Both are listed
    in ``skipped`` with the reason.
    """
    root = Path(path)
    found = Discovery()
    if not root.exists():
        raise FileNotFoundError(2, "No such file or directory", str(path))
    if not root.is_dir():
        kind = not_regular(root)
        if kind is not None:
            found.skipped.append((root, f"{kind}, not a regular file"))
        else:
            found.files.append(root)
        return found
    avoid = {os.path.abspath(p): f"this run's {option} folder" for option, p in (skip or {}).items()}
    for directory, subdirs, names in os.walk(root):
        kept = []
        for name in sorted(d for d in subdirs if not d.startswith(".")):
            sub = Path(directory) / name
            why = avoid.get(os.path.abspath(sub)) or finflow_folder(sub)
            if why is None:
                kept.append(name)
            else:
                found.skipped.append((sub, why))
        subdirs[:] = kept
        for name in sorted(n for n in names if not n.startswith(".")):
            file = Path(directory) / name
            kind = not_regular(file)
            if kind is None:
                found.files.append(file)
            else:
                found.skipped.append((file, f"{kind}, not a regular file"))
    found.files.sort()
    found.skipped.sort()
    return found
