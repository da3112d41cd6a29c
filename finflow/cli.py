"""The ``finflow`` command: a thin shell over the library (see each command's module)."""

from __future__ import annotations

import os
import sys
import time
from typing import TYPE_CHECKING

import click

from finflow import __version__
from finflow.account_command import account
from finflow.case import ImportReport, open_case
from finflow.case_cli import case_group
from finflow.casework_cli import coverage_command, funds_command, requests_command
from finflow.cli_options import case_option, config_option, out_option, wait_option
from finflow.config import ConfigError
from finflow.errors import DEBUG_ENV, FinflowError, debugging, one_line
from finflow.evaluation.command import evaluate
from finflow.exports.command import export_command
from finflow.findings_io import findings_table
from finflow.importers import registry
from finflow.importers.base import ImportError_
from finflow.importers.explain import explain_file
from finflow.importers.profile_files import load_profile
from finflow.investigate import Investigation, InvestigationError, investigate
from finflow.neo4j.command import neo4j_group, query_command
from finflow.outputs import OutputSettings
from finflow.profile_cli import profile_group
from finflow.progress import terminal_steps
from finflow.reviews import STATUSES, add_review, read_reviews
from finflow.synth.command import synth
from finflow.terminal import clean, echo
from finflow.trace.command import trace
from finflow.writers.cli import multiformat

if TYPE_CHECKING:
    from finflow.neo4j.publish import Neo4jTarget

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


class ErrorBoundary(click.Group):
    """The one place a failure meets the user: one line naming the file, row or setting, exit 1.

    Click's own usage errors pass through as they are; everything else becomes the line of
    :func:`finflow.errors.one_line`. ``--debug`` (or ``FINFLOW_DEBUG=1``) keeps the traceback.
    """

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:
            if debugging():
                raise
            raise click.ClickException(clean(one_line(exc))) from None


def _set_debug(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    if value:
        os.environ[DEBUG_ENV] = "1"  # library code re-raises what it would report in one line
    return value


@click.group(cls=ErrorBoundary, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="finflow")
@click.option(
    "--debug",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_set_debug,
    help="Show the full traceback of a failure instead of one line.",
)
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
@click.option(
    "--profile", "profile", default=None, type=click.Path(exists=True, dir_okay=False),
    help="Read the bank export with this import profile (YAML; see `finflow profile new`).",
)  # fmt: skip
@click.option("--orgnr", default=None, help="Organisation number of a Brønnøysund roles response (it names none).")
@wait_option()
def import_command(
    files: tuple[str, ...], case_dir: str, format_: str | None, account: str | None, profile: str | None,
    orgnr: str | None, wait: float | None,
) -> None:  # fmt: skip
    """Import FILES into the case; importing the same file again changes nothing."""
    options = {"account": account} if account else {}
    if orgnr:
        options["org_number"] = orgnr
    if profile:
        try:
            load_profile(profile)  # a bad profile stops here, in one line, before the case is touched
        except ImportError_ as exc:
            raise click.ClickException(clean(str(exc))) from None
        options["profile"] = profile
        format_ = format_ or "no_bank_csv"
    case = open_case(case_dir, wait=wait)
    try:
        reports = case.import_files(files, format=format_, options=options, on_report=_echo_report)
    except FinflowError as exc:
        raise click.ClickException(clean(exc)) from None
    failed = [r for r in reports if r.status == "failed"]
    if failed:
        raise click.ClickException(f"{len(failed)} of {len(reports)} file(s) could not be imported")


@main.command("formats")
@click.option(
    "--explain", "explain", default=None, type=click.Path(exists=True, dir_okay=False),
    help="Say, per format, why FILE was or was not taken (closest header, first mismatch).",
)  # fmt: skip
def formats_command(explain: str | None) -> None:
    """List the import formats finflow recognises."""
    if explain:
        try:
            lines = explain_file(explain)
        except ImportError_ as exc:
            raise click.ClickException(clean(str(exc))) from None
        for line in lines:
            echo(line)
        return
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
@click.option("--show-dismissed", is_flag=True, help="Let dismissed findings count in the subjects' ranking as well.")
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
    show_dismissed: bool,
    to_neo4j: bool,
    wait: float | None,
) -> None:
    """Import everything under PATH, run the detectors, and write findings and views.

    Writes findings.json, findings.csv and the views into --out; prints a ranked table.
    """
    target = _neo4j_target() if to_neo4j else None  # before any work: a missing password fails now
    started = time.monotonic()

    def progress(message: str) -> None:
        echo(f"[{time.monotonic() - started:6.1f}s] {message}", err=True)

    try:
        result = investigate(
            path, case_dir=case_dir, out_dir=out_dir, config_path=config_path,
            options={"account": account} if account else None, progress=progress, on_report=_echo_report, wait=wait,
            steps=terminal_steps,
            settings=OutputSettings(
                subject_views=subject_views, finding_views=finding_views, traces=traces,
                node_budget=node_budget, include_personal_ids=include_personal_ids, show_dismissed=show_dismissed,
            ),
        )  # fmt: skip
    except (InvestigationError, ConfigError, FinflowError) as exc:
        raise click.ClickException(clean(exc)) from None
    click.echo("")
    if result.changes is not None:
        for line in result.changes.lines():
            echo(f"Since the previous run: {line}")
        click.echo("")
    echo(findings_table(result.findings, limit=top, reviews=result.reviews))
    if result.subjects is not None and len(result.subjects.suspects):
        click.echo("\nsubjects to look at first (roles weighed over all findings; see subjects.csv):")
        for row in result.subjects.suspects.head(min(top, 10)).itertuples(index=False):
            label = row.label if isinstance(row.label, str) and row.label else row.subject_id
            echo(f"{row.rank:3d}  {row.score:6.2f}  {row.role:12s} {label}")
    if result.subjects is not None and len(result.subjects.victims):
        victims = len(result.subjects.victims)
        click.echo(f"\n{victims} possible victim(s), for protection, not suspicion: see possible_victims.csv")
    click.echo("")
    for _name, file in sorted(result.outputs.items()):
        echo(f"wrote {file}")
    if target is not None:
        _publish(result, target)


def _neo4j_target() -> Neo4jTarget:
    """The Neo4j named by the environment, checked (credentials, URI, a connection) before any work."""
    from finflow.neo4j.connect import check_uri, connect
    from finflow.neo4j.publish import Neo4jTarget

    password = os.environ.get("NEO4J_PASSWORD")
    if not password:
        raise click.ClickException("--neo4j: set NEO4J_PASSWORD (and NEO4J_URI, NEO4J_USER) first")
    uri = os.environ.get("NEO4J_URI", "bolt://localhost:7687")
    check_uri(uri)
    target = Neo4jTarget(uri, os.environ.get("NEO4J_USER", "neo4j"), password, os.environ.get("NEO4J_DATABASE"))
    connect(target.uri, target.user, target.password).close()  # reachable, and the credentials work
    return target


def _publish(result: Investigation, target: Neo4jTarget) -> None:
    """Load the investigated case and its findings into the Neo4j checked by :func:`_neo4j_target`."""
    from neo4j import exceptions as neo4j_errors

    from finflow.neo4j.connect import redact_uri
    from finflow.neo4j.publish import publish

    uri = target.uri
    try:
        loaded, written = publish(target, result.data, result.findings, reviews=result.reviews)
    except (neo4j_errors.Neo4jError, neo4j_errors.DriverError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise click.ClickException(clean(f"Neo4j: {first}")) from None
    click.echo(f"loaded {loaded.total_rows:,} rows and {written.findings:,} findings into {redact_uri(uri)}")


@main.command("review")
@click.argument("finding_id")
@click.option(
    "--status", type=click.Choice(STATUSES), default=None, help="What you concluded (required unless listing)."
)
@click.option("--note", default="", help="Why: the bank letter, the interview, the document checked.")
@click.option("--by", "by", default=None, help="Who reviewed (default: the login name).")
@click.option(
    "--neo4j", "to_neo4j", is_flag=True, help="Also write the review to the Finding node in Neo4j (NEO4J_* variables)."
)
@CASE_OPTION
@wait_option()
def review_command(
    finding_id: str, status: str | None, note: str, by: str | None, to_neo4j: bool, case_dir: str, wait: float | None
) -> None:
    """Record a review of FINDING_ID (open, confirmed, dismissed); `finflow review list` shows them.

    Reviews are kept in the case as an append-only history and apply again after re-imports and
    re-runs; a finding whose evidence changed since is shown as "changed since review".
    """
    if finding_id == "list":
        _list_reviews(case_dir)
        return
    if status is None:
        raise click.ClickException("--status open|confirmed|dismissed is required")
    import getpass

    try:
        who = by if by is not None else getpass.getuser()
    except (KeyError, OSError):
        who = ""
    try:
        review = add_review(case_dir, finding_id, status, note, who, wait=wait)
    except FinflowError as exc:
        raise click.ClickException(clean(exc)) from None
    echo(f"{review.finding_id}: {review.status} by {review.by or '?'} at {review.at}")
    if to_neo4j:
        _publish_review(review)


def _publish_review(review) -> None:
    """Set the review on the Finding node (parameters only; the node exists after investigate --neo4j)."""
    import os

    from neo4j import exceptions as neo4j_errors

    from finflow.neo4j.connect import connect, redact_uri
    from finflow.neo4j.findings import REVIEW_UPDATE

    password = os.environ.get("NEO4J_PASSWORD")
    if not password:
        raise click.ClickException("--neo4j: set NEO4J_PASSWORD (and NEO4J_URI, NEO4J_USER) first")
    uri = os.environ.get("NEO4J_URI", "bolt://localhost:7687")
    try:
        driver = connect(uri, os.environ.get("NEO4J_USER", "neo4j"), password)
        try:
            with driver.session(database=os.environ.get("NEO4J_DATABASE")) as session:
                record = session.run(
                    REVIEW_UPDATE, finding_id=review.finding_id, status=review.status, note=review.note,
                    by=review.by, at=review.at,
                ).single()  # fmt: skip
        finally:
            driver.close()
    except (neo4j_errors.Neo4jError, neo4j_errors.DriverError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise click.ClickException(clean(f"Neo4j: {first}")) from None
    if not record or not record["updated"]:
        raise click.ClickException(
            f"{review.finding_id}: recorded in the case, but no such Finding in {redact_uri(uri)} "
            "(run `finflow investigate --neo4j` first)"
        )
    click.echo(f"wrote the review to its Finding node in {redact_uri(uri)}")


def _list_reviews(case_dir: str) -> None:
    try:
        reviews = read_reviews(case_dir)
    except FinflowError as exc:
        raise click.ClickException(clean(exc)) from None
    if not reviews:
        click.echo("no reviews")
        return
    for r in reviews:
        echo(f"{r.at}  {r.finding_id}  {r.status:<9}  by {r.by or '?'}  {r.detector}: {r.subject} | {r.note}")


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
main.add_command(account)
main.add_command(multiformat)
main.add_command(profile_group)
main.add_command(neo4j_group)
main.add_command(query_command)
main.add_command(case_group)
main.add_command(evaluate)
main.add_command(coverage_command)
main.add_command(requests_command)
main.add_command(funds_command)
main.add_command(export_command)


def run() -> None:  # pragma: no cover - console entry point
    main(prog_name="finflow")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
