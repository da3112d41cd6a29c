"""Account- and transaction-level scores of findings against a :class:`Truth`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from finflow.casedata import CaseData
from finflow.detect.util import AccountInfo
from finflow.evaluation.truth import Truth

__all__ = ["Score", "flagged_transactions", "named_accounts", "score"]


def _subjects(finding: Any) -> Iterable[tuple[str, str]]:
    """(kind, id) of a finding's subjects, from a :class:`Finding` or its JSON form."""
    subjects = finding["subjects"] if isinstance(finding, Mapping) else finding.subjects
    for s in subjects:
        yield (s["kind"], s["id"]) if isinstance(s, Mapping) else (s.kind, s.id)


def named_accounts(findings: Iterable[Any], data: CaseData | None = None) -> set[str]:
    """Accounts findings name as subjects; a party subject names the accounts it holds (given ``data``)."""
    info = AccountInfo(data) if data is not None else None
    named: set[str] = set()
    for finding in findings:
        for kind, sid in _subjects(finding):
            if kind == "account":
                named.add(str(sid))
            elif kind == "party" and info is not None:
                named.update(info.accounts_of(str(sid)))
    return named


def flagged_transactions(findings: Iterable[Any]) -> set[str]:
    """Transaction ids findings cite as evidence."""
    out: set[str] = set()
    for finding in findings:
        ids = finding["evidence_txn_ids"] if isinstance(finding, Mapping) else finding.evidence_txn_ids
        out.update(str(t) for t in ids)
    return out


def _f1(precision: float, recall: float) -> float:
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


@dataclass(frozen=True)
class Score:
    """Recall per typology, account precision / recall / F1 and, where known, transaction scores."""

    named: int
    correct: int
    laundering: int
    per_typology: dict[str, tuple[int, int]]  # typology -> (named, accounts)
    txn: tuple[int, int, int] | None = field(default=None)  # (flagged, correct, laundering)

    @property
    def precision(self) -> float:
        return self.correct / self.named if self.named else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.laundering if self.laundering else 0.0

    @property
    def f1(self) -> float:
        return _f1(self.precision, self.recall)

    def typology_recall(self, typology: str) -> float:
        found, total = self.per_typology[typology]
        return found / total if total else 0.0

    @property
    def macro_recall(self) -> float:
        """Mean recall over the typologies (0 when the truth names none)."""
        if not self.per_typology:
            return 0.0
        return sum(self.typology_recall(t) for t in self.per_typology) / len(self.per_typology)

    @property
    def txn_precision(self) -> float | None:
        return None if self.txn is None else (self.txn[1] / self.txn[0] if self.txn[0] else 0.0)

    @property
    def txn_recall(self) -> float | None:
        return None if self.txn is None else (self.txn[1] / self.txn[2] if self.txn[2] else 0.0)

    @property
    def txn_f1(self) -> float | None:
        if self.txn is None:
            return None
        return _f1(self.txn_precision or 0.0, self.txn_recall or 0.0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "named_accounts": self.named,
            "correct_accounts": self.correct,
            "laundering_accounts": self.laundering,
            "account_precision": round(self.precision, 4),
            "account_recall": round(self.recall, 4),
            "account_f1": round(self.f1, 4),
            "macro_recall": round(self.macro_recall, 4),
            "typologies": {
                t: {"named": n, "accounts": total, "recall": round(self.typology_recall(t), 4)}
                for t, (n, total) in self.per_typology.items()
            },
            "transactions": None
            if self.txn is None
            else {
                "flagged": self.txn[0],
                "correct": self.txn[1],
                "laundering": self.txn[2],
                "precision": round(self.txn_precision or 0.0, 4),
                "recall": round(self.txn_recall or 0.0, 4),
                "f1": round(self.txn_f1 or 0.0, 4),
            },
        }

    def table(self) -> str:
        """Plain-text report for the terminal."""
        lines = [f"{'typology':<16} {'named':>6} {'of':>6} {'recall':>7}"] if self.per_typology else []
        for typology, (found, total) in self.per_typology.items():
            lines.append(f"{typology:<16} {found:>6} {total:>6} {self.typology_recall(typology):>7.2f}")
        if self.per_typology:
            lines.append(f"{'macro recall':<30} {self.macro_recall:>7.2f}")
        lines.append(
            f"accounts: {self.named} named, {self.correct} in laundering (of {self.laundering}): "
            f"precision {self.precision:.2f}, recall {self.recall:.2f}, F1 {self.f1:.2f}"
        )
        if self.txn is not None:
            lines.append(
                f"transactions: {self.txn[0]} cited as evidence, {self.txn[1]} laundering (of {self.txn[2]}): "
                f"precision {self.txn_precision:.2f}, recall {self.txn_recall:.2f}, F1 {self.txn_f1:.2f}"
            )
        return "\n".join(lines)


def score(named: set[str], truth: Truth, flagged: set[str] | None = None) -> Score:
    """Score named accounts (and cited transactions) against ``truth``."""
    per = {t: (len(accounts & named), len(accounts)) for t, accounts in truth.roles.items()}
    txn = None
    if truth.txn_ids is not None and flagged is not None:
        txn = (len(flagged), len(flagged & truth.txn_ids), len(truth.txn_ids))
    return Score(len(named), len(named & truth.accounts), len(truth.accounts), per, txn)
