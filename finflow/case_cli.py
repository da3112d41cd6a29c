"""``finflow case check`` and ``finflow case repair``: the case store's own health (finflow.casecheck)."""

from __future__ import annotations

import click

from finflow.casecheck import check_case, repair_case
from finflow.cli_options import case_option, wait_option
from finflow.errors import FinflowError

__all__ = ["case_group"]


@click.group("case")
def case_group() -> None:
    """Check a case store, and restore the last complete state of a damaged one."""


@case_group.command("check")
@case_option()
def check_command(case_dir: str) -> None:
    """Verify the case: pointer, files and their digests, table schemas, manifest against tables,
    sightings and merges. One line per problem; exit status 1 if there is any."""
    report = check_case(case_dir)
    for problem in report.problems:
        click.echo(problem)
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(report.summary, err=not report.ok)
    if not report.ok:
        raise click.exceptions.Exit(1)


@case_group.command("repair")
@case_option()
@wait_option()
def repair_command(case_dir: str, wait: float | None) -> None:
    """Restore the last complete state when the current one is damaged, saying what it did."""
    try:
        report = repair_case(case_dir, wait=wait)
    except FinflowError as exc:
        raise click.ClickException(str(exc)) from None
    for action in report.actions or ["nothing to repair"]:
        click.echo(action)
    if not report.ok:
        for problem in report.problems:
            click.echo(problem, err=True)
        raise click.ClickException(f"{len(report.problems)} problem(s) remain in {case_dir}")
