"""Why a file was or was not taken by each import format (``finflow formats --explain FILE``).

Formats are tried in detection order; the first that accepts the file is used. For the others
the line says why not: for bank exports the closest known header and its first missing column,
for the generic CSV the missing required columns, for camt.053 what the XML lacks. A format
without its own explanation says only that its first bytes did not match.
"""

from __future__ import annotations

import os

from . import registry
from .base import ImportError_

__all__ = ["explain_file"]


def explain_file(path: str) -> list[str]:
    """One line per format: ``FORMAT: used``, ``FORMAT: would also accept it`` or why not."""
    name = os.path.basename(path)
    with open(path, "rb") as fh:
        head = fh.read(registry.HEAD_BYTES)
    if not head.strip():
        raise ImportError_(f"{name}: the file is empty")
    lines, used = [], False
    for module in registry.adapters():
        if module.sniff(head, name):
            lines.append(f"{module.FORMAT}: {'accepted, but an earlier format is used' if used else 'used'}")
            used = True
            continue
        why = module.explain(head, name) if hasattr(module, "explain") else "its first bytes do not match"
        lines.append(f"{module.FORMAT}: not taken: {why}")
    if not used:
        lines.append("no format takes this file; `finflow profile new FILE` writes a profile for a bank export")
    return lines
