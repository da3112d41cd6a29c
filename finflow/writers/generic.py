"""The generic transaction CSV (see ``importers/generic_csv.py``), written from canonical rows."""

from __future__ import annotations

import pandas as pd

from .statement import decimal_text

__all__ = ["generic_frame", "write_generic_csv"]


def generic_frame(txns: pd.DataFrame) -> pd.DataFrame:
    """Canonical transactions → the generic CSV's columns, as text."""
    return pd.DataFrame(
        {
            "date": pd.to_datetime(txns["booking_date"]).dt.strftime("%Y-%m-%d"),
            "time": txns["booking_time"],
            "amount": decimal_text(txns["amount_minor"], txns["currency"]),
            "currency": txns["currency"],
            "from_account": txns["from_account"],
            "from_name": txns["from_name"],
            "from_country": txns["from_country"],
            "to_account": txns["to_account"],
            "to_name": txns["to_name"],
            "to_country": txns["to_country"],
            "channel": txns["channel"],
            "description": txns["description"],
            "txn_ref": txns["txn_ref"],
        }
    ).astype("string")


def write_generic_csv(txns: pd.DataFrame, path: str, extra_lines: list[str] | None = None) -> None:
    """Write ``txns`` as a generic CSV; ``extra_lines`` (already CSV text) are appended verbatim."""
    text = generic_frame(txns).to_csv(index=False, lineterminator="\n", na_rep="")
    if extra_lines:
        text += "".join(line if line.endswith("\n") else line + "\n" for line in extra_lines)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
