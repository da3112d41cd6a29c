"""Reading ground truth: an AMLGentex-style ``truth.json`` or a labelled benchmark file."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from finflow.errors import FinflowError
from finflow.importers import amlworld, registry
from finflow.importers.base import ImportError_

__all__ = ["Truth", "TruthError", "load_truth"]


class TruthError(FinflowError, ValueError):
    """The truth file cannot be read or holds no labels; the message names the file."""


@dataclass(frozen=True)
class Truth:
    """Laundering accounts (per typology where known) and, where known, laundering transactions."""

    source: str
    roles: dict[str, frozenset[str]]
    accounts: frozenset[str]
    txn_ids: frozenset[str] | None = None
    normal: frozenset[str] | None = field(default=None)  # accounts known to be in no pattern

    @classmethod
    def from_document(cls, doc: dict, name: str) -> Truth:
        roles = doc.get("roles") or {}
        if not isinstance(roles, dict) or not all(isinstance(v, list) for v in roles.values()):
            raise TruthError(f"{name}: 'roles' must map each typology to a list of accounts")
        role_sets = {str(k): frozenset(str(a) for a in v) for k, v in sorted(roles.items())}
        accounts = frozenset(str(a) for a in doc.get("laundering_accounts") or []).union(*role_sets.values())
        if not accounts:
            raise TruthError(f"{name}: names no laundering accounts ('roles' or 'laundering_accounts')")
        txns = doc.get("laundering_txn_ids")
        normal = (doc.get("decoys") or {}).get("normal") if isinstance(doc.get("decoys"), dict) else None
        return cls(
            source=str(doc.get("source") or name),
            roles=role_sets,
            accounts=accounts,
            txn_ids=None if txns is None else frozenset(str(t) for t in txns),
            normal=None if normal is None else frozenset(str(a) for a in normal),
        )


def load_truth(path: str | Path) -> Truth:
    """The truth in ``path``: a JSON truth document, or a labelled file of a benchmark format."""
    path = Path(path)
    try:
        head = path.read_bytes()[: registry.HEAD_BYTES]
    except OSError as exc:
        raise TruthError(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        if head.lstrip().startswith(b"{"):
            try:
                doc = json.loads(path.read_text(encoding="utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise TruthError(f"{path.name}: not a valid truth JSON document ({exc})") from None
            return Truth.from_document(doc, path.name)
        if head.lstrip().startswith(b"BEGIN LAUNDERING ATTEMPT"):
            return Truth.from_document(amlworld.patterns_truth(str(path)), path.name)
        adapter = registry.detect(str(path), path.name)
        if not hasattr(adapter, "truth"):
            raise TruthError(f"{path.name}: {adapter.FORMAT} files carry no ground truth")
        return Truth.from_document(adapter.truth(str(path)), path.name)
    except ImportError_ as exc:
        raise TruthError(str(exc)) from None
