"""What a detector is and what it returns.

A detector is a small module in :mod:`finflow.detect` that defines one :class:`Detector`:
a name, a plain-language description an investigator understands, the name of its parameter
section in the configuration (defaults in ``finflow/data/config.yaml``), and a function from the
case (:class:`finflow.casedata.CaseData`) and its parameters to a list of :class:`Finding`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from finflow.ids import content_id

__all__ = ["NO_FINDINGS", "ROLES", "Detector", "Finding", "Subject"]

#: What the terminal, the report and the overview say when no detector flags anything.
NO_FINDINGS = "No findings at these settings."

#: The role a pattern suggests for a subject. A possible victim is a case for protection.
ROLES: tuple[str, ...] = ("possible_victim", "controller", "facilitator", "front", "unknown")

#: Entity kinds a subject can be.
SUBJECT_KINDS: tuple[str, ...] = ("account", "party", "address", "identifier")


@dataclass(frozen=True, slots=True)
class Subject:
    """An entity a finding is about, and the role the pattern suggests for it."""

    kind: str  # account | party | address | identifier
    id: str
    role: str = "unknown"
    label: str | None = None  # display name (holder name, address text)


@dataclass(slots=True)
class Finding:
    """One flag: who, why (with numbers), how strongly, and the evidence behind it.

    ``evidence_txn_ids`` name rows of the transactions table (whose provenance columns give file
    and row); ``evidence_records`` name other records as ``{"table": ..., "key": {...}}``.
    """

    detector: str
    subjects: list[Subject]
    score: float
    summary: str
    parameters: dict[str, Any]
    evidence_txn_ids: list[str] = field(default_factory=list)
    evidence_records: list[dict[str, Any]] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"{self.detector}: score {self.score} outside [0, 1]")
        for subject in self.subjects:
            if subject.role not in ROLES:
                raise ValueError(f"{self.detector}: unknown role {subject.role!r}")
        self.evidence_txn_ids = sorted(set(self.evidence_txn_ids))
        self.score = round(float(self.score), 4)

    @property
    def finding_id(self) -> str:
        """Stable id from detector, subjects and evidence (same case + settings, same id)."""
        return content_id(
            "finding",
            self.detector,
            *(f"{s.kind}:{s.id}:{s.role}" for s in self.subjects),
            *self.evidence_txn_ids,
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["finding_id"] = self.finding_id
        return data


@dataclass(frozen=True, slots=True)
class Detector:
    """A named, documented detector."""

    name: str
    title: str
    description: str
    run: Callable[[Any, Mapping[str, Any]], list[Finding]]
    config_section: str | None = None  # defaults to ``name``
    #: Whether the detector reads transaction amounts, and so runs once per currency (see
    #: :func:`finflow.detect.registry.run_detectors`); registry-only detectors run once.
    per_currency: bool = True

    @property
    def section(self) -> str:
        return self.config_section or self.name
