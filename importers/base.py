"""What every adapter receives and returns."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from finflow.errors import FinflowError

__all__ = ["ImportError_", "ImportResult", "Source", "reject"]


@dataclass(frozen=True, slots=True)
class Source:
    """The file being imported and the import batch it belongs to."""

    path: str
    name: str  # file name as recorded in provenance
    sha256: str
    batch_id: str
    options: dict[str, str] = field(default_factory=dict)  # e.g. {"account": "1234.56.78903"}
    #: The case's secret key (:func:`finflow.casekey.case_key`): ids derived from personal data
    #: (a person's name and birth date, phones, id numbers) are keyed with it. Adapters that make
    #: such ids refuse to run without it.
    key: bytes | None = field(default=None, repr=False)

    def provenance(self, locators: pd.Series | list[str]) -> dict[str, object]:
        """Provenance columns for rows located at ``locators``."""
        return {
            "source_file": self.name,
            "source_sha256": self.sha256,
            "source_locator": locators,
            "batch_id": self.batch_id,
        }


@dataclass(slots=True)
class ImportResult:
    """Canonical tables produced from one source, plus what could not be imported.

    ``rows_read`` counts the source's records (CSV data rows, camt entries' details …); every
    one of them ends up either in a table as a loaded record or in ``rejects``.
    ``notes`` are human-readable remarks for the user (e.g. pending rows kept out of flows).
    """

    format: str
    rows_read: int
    tables: dict[str, pd.DataFrame]
    rejects: pd.DataFrame
    notes: list[str] = field(default_factory=list)


class ImportError_(FinflowError):  # noqa: N801, N818 - avoid shadowing the builtin ImportError
    """A whole file cannot be imported (unreadable, wrong format, missing columns).

    The message names the file and the problem; the CLI prints it as one line.
    """


def reject(source: Source, locators: list[str], reasons: list[str], raws: list[str]) -> pd.DataFrame:
    """Build a rejects frame for rows of ``source``."""
    return pd.DataFrame(
        {
            "source_file": source.name,
            "source_sha256": source.sha256,
            "source_locator": pd.Series(locators, dtype="string"),
            "batch_id": source.batch_id,
            "reason": pd.Series(reasons, dtype="string"),
            "raw": pd.Series(raws, dtype="string"),
        }
    )
