"""``finflow trace``: the command-line face of :func:`trace_paths` and :func:`trace_proceeds`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
import pandas as pd

from finflow.accountid import resolve_id
from finflow.casedata import CaseData
from finflow.cli_options import case_option, out_option
from finflow.money import format_minor, is_currency, parse_amounts
from finflow.terminal import clean, echo
from finflow.trace.ledger import METHODS
from finflow.trace.paths import default_currency, trace_paths
from finflow.trace.proceeds import tainted_from, trace_proceeds
from finflow.views import trail_view
from finflow.views.labels import holder_labels

__all__ = ["load_case_data", "trace"]


def load_case_data(case_dir: str) -> CaseData:
    """The case's tables; a missing case is a usage error, not a traceback."""
    from finflow.case import case_exists, open_case

    path = Path(case_dir)
    if not case_exists(path):
        raise click.ClickException(clean(f"no case at {case_dir} (import files first, or pass --case)"))
    return open_case(path).data()


def _printable(value: object) -> str:
    """Text from extracts, safe for a terminal (:func:`finflow.terminal.clean`); nulls as ''."""
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else clean(value)


def _table(frame: pd.DataFrame, columns: list[str], currency: str, limit: int) -> str:
    """A plain fixed-width table with exact amounts."""
    shown = frame.head(limit)
    header = [*columns, "amount"]
    lines = [header]
    for _, row in shown.iterrows():
        cells = []
        for column in columns:
            value = row[column]
            cells.append(value.date().isoformat() if isinstance(value, pd.Timestamp) else _printable(value))
        cells.append(format_minor(int(row["amount_minor"]), currency))
        lines.append(cells)
    widths = [max(len(line[k]) for line in lines) for k in range(len(header))]
    text = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) for line in lines]
    if len(frame) > limit:
        text.append(f"... {len(frame) - limit} more row(s) in trace.csv")
    return "\n".join(text)


def _minor(amount: str, currency: str) -> int:
    parsed, error = parse_amounts(pd.Series([amount]), pd.Series([currency]))
    if pd.notna(error.iloc[0]):
        raise click.BadParameter(f"{amount!r}: {error.iloc[0]}", param_hint="--min-amount")
    return int(parsed.iloc[0])


@click.command("trace")
@click.argument("start")
@click.option("--backward", is_flag=True, help="Trace where the money came from instead.")
@click.option(
    "--max-hops",
    default=4,
    show_default=True,
    type=click.IntRange(min=1, max=20),
    help="Transfers to follow from the start.",
)
@click.option(
    "--from", "start_date", type=click.DateTime(["%Y-%m-%d"]), default=None, help="First booking date (YYYY-MM-DD)."
)
@click.option(
    "--to", "end_date", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Last booking date (YYYY-MM-DD)."
)
@click.option("--min-amount", default=None, help="Ignore smaller transactions, e.g. 100.00.")
@click.option("--currency", default=None, help="Currency to trace (default: the start's usual one).")
@click.option("--proceeds", is_flag=True, help="Trace tainted inflows by a tracing convention.")
@click.option(
    "--tainted-from",
    "tainted_senders",
    multiple=True,
    metavar="ACCOUNT",
    help="Mark every transfer from ACCOUNT into the start as tainted (repeatable).",
)
@click.option(
    "--method",
    type=click.Choice(sorted(METHODS)),
    default="fifo",
    show_default=True,
    help="Tracing convention for --proceeds.",
)
@case_option()
@out_option("Folder for trace.json, trace.csv and trail.html.")
@click.option("--top", default=40, show_default=True, help="Rows shown in the terminal table.")
def trace(
    start: str,
    backward: bool,
    max_hops: int,
    start_date: dt.datetime | None,
    end_date: dt.datetime | None,
    min_amount: str | None,
    currency: str | None,
    proceeds: bool,
    tainted_senders: tuple[str, ...],
    method: str,
    case_dir: str,
    out_dir: str,
    top: int,
) -> None:
    """Follow the money from START over time-respecting trails.

    START is an account or its holder as written anywhere: account number (4202.74.72332,
    4202 74 72332), IBAN, party id, holder name, or an unambiguous prefix of one of them.

    With --proceeds, trace the transfers from each --tainted-from account into START through
    commingled accounts by --method (fifo, lifo, pro_rata, libr), each source its own colour.
    Writes trace.json and trace.csv into --out and prints a table.
    """
    if currency is not None and not is_currency(currency):
        raise click.BadParameter(f"{currency!r} is not an ISO 4217 currency code", param_hint="--currency")
    if proceeds and backward:
        raise click.UsageError("--proceeds traces forward from the tainted inflows; drop --backward")
    if proceeds and not tainted_senders:
        raise click.UsageError("--proceeds needs at least one --tainted-from ACCOUNT")
    if tainted_senders and not proceeds:
        raise click.UsageError("--tainted-from only applies with --proceeds")
    data = load_case_data(case_dir)
    try:
        ref = resolve_id(data, start)
        if ref.matched != "id":
            echo(f"{start} is {ref.label} ({ref.kind} {ref.id}, by {ref.matched})", err=True)
        start = ref.id
        start_accounts = list(ref.accounts)
        direction = "backward" if backward else "forward"
        if proceeds:
            colours = tainted_from(data, tainted_senders, receivers=start_accounts)
            result = trace_proceeds(
                data, colours, method=method, max_hops=max_hops, start_date=start_date,
                end_date=end_date, currency=currency,
            )  # fmt: skip
            table = result.to_frame()
            columns = ["colour", "kind", "node"]
        else:
            chosen = currency or default_currency(data, start_accounts, direction)
            minimum = _minor(min_amount, chosen) if min_amount else 0
            result = trace_paths(
                data, start, direction=direction, max_hops=max_hops, start_date=start_date,
                end_date=end_date, min_amount_minor=minimum, currency=chosen,
            )  # fmt: skip
            table = result.to_frame()
            columns = ["hop", "booking_date", "from_node", "to_node"]
    except ValueError as exc:
        raise click.ClickException(clean(exc)) from None
    if min_amount and proceeds:
        click.echo("note: --min-amount does not apply to --proceeds (every krone is allocated)", err=True)
    echo(result.method_note)
    click.echo("")
    echo(_table(table, columns, result.currency, top) if len(table) else "nothing traced")
    for note in result.notes:
        echo(f"note: {note}")
    for file in result.write(out_dir):
        echo(f"wrote {file}")
    trail = Path(out_dir) / "trail.html"
    trail_view(
        result.trail_edges(), trail, title=f"Trail from {start}", method_note=result.method_note,
        labels=holder_labels(data),
    )  # fmt: skip
    echo(f"wrote {trail}")


if __name__ == "__main__":  # pragma: no cover - `python -m finflow.trace.command` before wiring
    trace()
