"""Helpers for the laundering-shape tests: payments in any currency, settings with overrides."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

from detectcase import CONFIG, txn

from finflow.casedata import CaseData
from finflow.detect.base import Finding

__all__ = ["fresh", "pay", "run", "settings"]


def pay(when: int, amount: float, frm: str, to: str, currency: str = "NOK", channel: str = "transfer") -> dict:
    """One transfer of ``amount`` whole units of ``currency`` on day ``when``."""
    row = txn(when, amount, frm, to, channel)
    row["currency"] = currency
    return row


def fresh(tmp_path: Path, name: str) -> Path:
    """A new directory for one of several cases in a test."""
    path = tmp_path / name
    path.mkdir()
    return path


def settings(**overrides: Any) -> dict[str, Any]:
    """The shipped ``typologies`` settings; ``fan__window_days=2`` sets ``fan.window_days``."""
    params = copy.deepcopy(CONFIG["typologies"])
    for key, value in overrides.items():
        *path, last = key.split("__")
        target = params
        for part in path:
            target = target[part]
        assert last in target, f"unknown setting {key}"
        target[last] = value
    return params


def run(detect: Callable[[CaseData, dict], list[Finding]], data: CaseData, **overrides: Any) -> list[Finding]:
    """Run a detector with the shipped settings, ``overrides`` applied; no finding may name a victim."""
    findings = detect(data, settings(**overrides))
    for finding in findings:
        assert all(s.role != "possible_victim" for s in finding.subjects), finding.summary
    return findings
