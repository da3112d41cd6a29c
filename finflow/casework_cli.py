"""``finflow coverage``, ``finflow requests`` and ``finflow funds``: thin commands over
:mod:`finflow.coverage`, :mod:`finflow.requests` and :mod:`finflow.funds` (wired in by cli.py)."""

from __future__ import annotations

import json

import click

from finflow.cli_options import case_option, config_option, out_option
from finflow.config import ConfigError, load_config
from finflow.errors import FinflowError
from finflow.terminal import clean, echo
from finflow.trace.command import load_case_data

__all__ = ["coverage_command", "funds_command", "requests_command"]


@click.command("coverage")
@case_option(exists=True)
@out_option("Folder for coverage.csv, coverage_gaps.csv, coverage_overlaps.csv and balance_breaks.csv.")
def coverage_command(case_dir: str, out_dir: str) -> None:
    """Which periods each account's statements cover: gaps, overlaps and balance breaks."""
    from finflow.coverage import compute_coverage, write_coverage

    coverage = compute_coverage(load_case_data(case_dir))
    for note in coverage.notes:
        echo(note)
    if coverage.period:
        echo(f"case period {coverage.period[0]} to {coverage.period[1]}")
    for row in coverage.accounts.itertuples(index=False):
        echo(
            f"{row.account}  {row.holder or '?'}  {row.bank}  covered {row.covered}  "
            f"{row.gaps} gap(s), {row.overlaps} overlap(s), {row.balance_breaks} balance break(s)"
        )
    for row in coverage.breaks.itertuples(index=False):
        echo(f"  balance break {row.account} {row.currency}: {row.explanation}")
    for name, path in write_coverage(coverage, out_dir).items():
        echo(f"wrote {path}" if name else "")


@click.command("requests")
@case_option(exists=True)
@out_option("Folder for requests.csv.")
@config_option()
@click.option("--top", default=30, show_default=True, help="Requests printed in the terminal.")
def requests_command(case_dir: str, out_dir: str, config_path: str | None, top: int) -> None:
    """The next data requests: counterparty accounts without a statement, ranked, grouped by bank."""
    from finflow.analysis import analyse
    from finflow.requests import compute_requests, write_requests

    try:
        config = load_config(config_path)
        analysis = analyse(load_case_data(case_dir), config)
        requests = compute_requests(analysis, config)
    except (ConfigError, FinflowError) as exc:
        raise click.ClickException(clean(exc)) from None
    for line in requests.intro:
        echo(line)
    for row in requests.table.head(top).itertuples(index=False):
        echo(f"{row.rank:>3}. {row.bank_label}: {row.account} ({row.holder or '?'}), {row.period_start} to "
             f"{row.period_end}: {row.reason}")  # fmt: skip
    echo(f"wrote {write_requests(requests, out_dir)}")


@click.command("funds")
@click.argument("subject")
@case_option(exists=True)
@config_option()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def funds_command(subject: str, case_dir: str, config_path: str | None, fmt: str) -> None:
    """Source and application of funds of SUBJECT (an account number, or a party id or name)."""
    from finflow.analysis import analyse
    from finflow.funds import funds_table, source_and_application

    try:
        config = load_config(config_path)
        analysis = analyse(load_case_data(case_dir), config)
        result = source_and_application(analysis, subject, config)
    except (ConfigError, FinflowError) as exc:
        raise click.ClickException(clean(exc)) from None
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=True, sort_keys=True))
    else:
        echo(funds_table(result))
