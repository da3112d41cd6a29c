"""The ``finflow`` command: a thin shell over the library (see each command's module)."""

from __future__ import annotations

import sys
import time

import click

from finflow import __version__
from finflow.case import ImportReport, open_case
from finflow.case_cli import case_group
from finflow.cli_options import case_option, config_option, out_option, wait_option
from finflow.config import ConfigError
from finflow.errors import FinflowError
from finflow.evaluation.command import evaluate
from finflow.findings_io import findings_table
from finflow.importers import registry
from finflow.investigate import Investigation, InvestigationError, investigate
from finflow.neo4j.command import neo4j_group, query_command
from finflow.outputs import OutputSettings
from finflow.synth.command import synth
from finflow.terminal import clean, echo
from finflow.trace.command import trace
from finflow.views.brief import CaseCounts
from finflow.writers.cli import multiformat

CASE_OPTION = case_option()


def _echo_report(report: ImportReport) -> None:
    """One line per source: counts that reconcile, or the reason it was skipped."""
    if report.status == "failed":
        echo(f"  skipped  {report.error}", err=True)
        return
    check = "ok" if report.reconciles else "MISMATCH"
    echo(
        f"  {report.status:<16} {report.file} [{report.format}]: read {report.rows_read:,} = "
        f"loaded {report.loaded:,} + rejected {report.rejected:,} + duplicates {report.duplicates:,} ({check})"
    )
    for note in report.notes:
        echo(f"      note: {note}")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="finflow")
def main() -> None:
    """finflow — follow the money in human-trafficking investigations.

    Import bank, transfer and registry extracts into a case, find the patterns that expose
    controllers and identify victims, and show them as offline views and a report.
    """


@main.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@CASE_OPTION
@click.option(
    "--format", "format_", default=None, help="Format name instead of auto-detection (see `finflow formats`)."
)
@click.option("--account", default=None, help="Account number of a bank statement whose export does not name it.")
@wait_option()
def import_command(
    files: tuple[str, ...], case_dir: str, format_: str | None, account: str | None, wait: float | None
) -> None:
    """Import FILES into the case; importing the same file again changes nothing."""
    case = open_case(case_dir, wait=wait)
    options = {"account": account} if account else {}
    try:
        reports = case.import_files(files, format=format_, options=options, on_report=_echo_report)
    except FinflowError as exc:
        raise click.ClickException(clean(exc)) from None
    failed = [r for r in reports if r.status == "failed"]
    if failed:
        raise click.ClickException(f"{len(failed)} of {len(reports)} file(s) could not be imported")


@main.command("formats")
def formats_command() -> None:
    """List the import formats finflow recognises."""
    for module in registry.adapters():
        click.echo(f"{module.FORMAT:<16} {getattr(module, 'DESCRIPTION', '')}")


@main.command("investigate")
@click.argument("path", type=click.Path(exists=True))
@CASE_OPTION
@out_option("Folder for findings, views and the report.")
@config_option()
@click.option("--account", default=None, help="Account number for bank statements that do not name it.")
@click.option("--top", default=25, show_default=True, help="Findings shown in the terminal table.")
@click.option(
    "--subject-views", default=10, show_default=True, help="Views for the top suspects (and as many victims)."
)
@click.option("--finding-views", default=25, show_default=True, help="Views drawn for the top findings.")
@click.option("--traces", default=3, show_default=True, help="Forward trails from the top controllers' accounts.")
@click.option("--node-budget", default=1500, show_default=True, help="Most nodes drawn in one view.")
@click.option(
    "--include-personal-ids", is_flag=True, help="Show birth dates, id numbers and phone numbers in views and report."
)
@click.option(
    "--neo4j",
    "to_neo4j",
    is_flag=True,
    help="Also load the case and its findings into Neo4j (NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD).",
)
@wait_option()
def investigate_command(
    path: str,
    case_dir: str,
    out_dir: str,
    config_path: str | None,
    account: str | None,
    top: int,
    subject_views: int,
    finding_views: int,
    traces: int,
    node_budget: int,
    include_personal_ids: bool,
    to_neo4j: bool,
    wait: float | None,
) -> None:
    """Import everything under PATH, run the detectors, and write findings and views.

    Writes findings.json, findings.csv and the views into --out; prints a ranked table.
    """
    started = time.monotonic()

    def progress(message: str) -> None:
        echo(f"[{time.monotonic() - started:6.1f}s] {message}", err=True)

    try:
        result = investigate(
            path, case_dir=case_dir, out_dir=out_dir, config_path=config_path,
            options={"account": account} if account else None, progress=progress, on_report=_echo_report, wait=wait,
            settings=OutputSettings(
                subject_views=subject_views, finding_views=finding_views, traces=traces,
                node_budget=node_budget, include_personal_ids=include_personal_ids,
            ),
        )  # fmt: skip
    except (InvestigationError, ConfigError, FinflowError) as exc:
        raise click.ClickException(clean(exc)) from None
    click.echo("")
    echo(findings_table(result.findings, limit=top))
    if result.subjects is not None:
        counts = CaseCounts.of(result.findings, result.subjects.suspects, result.subjects.victims)
        click.echo(f"\n{counts.sentence()}: see report.html, subjects.csv and possible_victims.csv")
    click.echo("")
    for _name, file in sorted(result.outputs.items()):
        echo(f"wrote {file}")
    if to_neo4j:
        _publish(result)


def _publish(result: Investigation) -> None:
    """Load the investigated case and its findings into the Neo4j named by the environment."""
    import os

    from neo4j import exceptions as neo4j_errors

    from finflow.neo4j.connect import redact_uri
    from finflow.neo4j.publish import Neo4jTarget, publish

    password = os.environ.get("NEO4J_PASSWORD")
    if not password:
        raise click.ClickException("--neo4j: set NEO4J_PASSWORD (and NEO4J_URI, NEO4J_USER) first")
    uri = os.environ.get("NEO4J_URI", "bolt://localhost:7687")
    target = Neo4jTarget(uri, os.environ.get("NEO4J_USER", "neo4j"), password, os.environ.get("NEO4J_DATABASE"))
    try:
        loaded, written = publish(target, result.data, result.findings)
    except (neo4j_errors.Neo4jError, neo4j_errors.DriverError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise click.ClickException(clean(f"Neo4j: {first}")) from None
    click.echo(f"loaded {loaded.total_rows:,} rows and {written.findings:,} findings into {redact_uri(uri)}")


@main.group("merges")
def merges_group() -> None:
    """Parties joined on strong keys (org number, name + birth date, id number, KYC holder)."""


@merges_group.command("list")
@CASE_OPTION
def merges_list(case_dir: str) -> None:
    """List the merges with their rule, evidence, members and status."""
    merges = open_case(case_dir).merges()
    if merges.empty:
        click.echo("no merges")
        return
    for merge_id, group in merges.groupby("merge_id", sort=True):
        first = group.iloc[0]
        members = ", ".join(f"{n or '?'} ({p})" for n, p in zip(group["party_name"], group["party_id"], strict=True))
        echo(f"{merge_id} [{first['status']}] {first['rule']} {first['evidence']}: {members}")


@merges_group.command("undo")
@click.argument("merge_id")
@CASE_OPTION
@wait_option()
def merges_undo(merge_id: str, case_dir: str, wait: float | None) -> None:
    """Undo one merge; it stays undone when more files are imported."""
    try:
        open_case(case_dir, wait=wait).undo_merge(merge_id)
    except KeyError as exc:
        raise click.ClickException(clean(exc.args[0])) from None
    except FinflowError as exc:
        raise click.ClickException(clean(exc)) from None
    echo(f"undone {merge_id}")


main.add_command(synth)
main.add_command(trace)
main.add_command(multiformat)
main.add_command(neo4j_group)
main.add_command(query_command)
main.add_command(case_group)
main.add_command(evaluate)


def run() -> None:  # pragma: no cover - console entry point
    main(prog_name="finflow")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
