"""Finding the adapter for a file: by ``--format`` name, or by sniffing its first bytes.

Adapters are the modules of this package that define ``FORMAT``, ``sniff`` and ``read``; they
are tried in ``PRIORITY`` order (lower first), so specific formats are tried before generic ones.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from types import ModuleType

from .base import ImportError_

__all__ = ["HEAD_BYTES", "adapters", "by_format", "detect"]

HEAD_BYTES = 65536


@cache
def adapters() -> tuple[ModuleType, ...]:
    """All adapter modules, in detection order."""
    package = importlib.import_module(__package__ or "finflow.importers")
    found = []
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        if all(hasattr(module, attr) for attr in ("FORMAT", "sniff", "read")):
            found.append(module)
    return tuple(sorted(found, key=lambda m: (getattr(m, "PRIORITY", 50), m.FORMAT)))


def by_format(name: str) -> ModuleType:
    """The adapter called ``name``; the error lists the known ones."""
    for module in adapters():
        if name == module.FORMAT:
            return module
    known = ", ".join(m.FORMAT for m in adapters())
    raise ImportError_(f"unknown format {name!r}; known formats: {known}")


def detect(path: str, display_name: str) -> ModuleType:
    """The first adapter whose ``sniff`` accepts the file; the error names the formats tried."""
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    if not head.strip():
        raise ImportError_(f"{display_name}: the file is empty")
    for module in adapters():
        if module.sniff(head, display_name):
            return module
    tried = ", ".join(m.FORMAT for m in adapters())
    raise ImportError_(f"{display_name}: not a recognised format (tried: {tried})")
