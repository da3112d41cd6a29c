"""``finflow account ID``: one account's (or holder's) money over time, in the terminal and as HTML."""

from __future__ import annotations

import json
from pathlib import Path

import click

from finflow.accountid import resolve_id
from finflow.cli_options import case_option, out_option
from finflow.detect.base import Finding, Subject
from finflow.errors import FinflowError
from finflow.terminal import clean, echo
from finflow.timeline import build_timeline, timeline_text
from finflow.trace.command import load_case_data
from finflow.views.timeline import write_timeline

__all__ = ["account", "load_findings", "timeline_name"]


def timeline_name(subject_id: str) -> str:
    """File name of a subject's timeline (the same in ``investigate`` output and here)."""
    return "timeline-" + "".join(c if c.isalnum() or c in "-_" else "_" for c in subject_id)[:80] + ".html"


def load_findings(path: Path) -> list[Finding]:
    """Findings from a findings.json written by ``finflow investigate``."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return [
            Finding(
                detector=item["detector"],
                subjects=[Subject(**s) for s in item["subjects"]],
                score=item["score"],
                summary=item["summary"],
                parameters=item.get("parameters", {}),
                evidence_txn_ids=item.get("evidence_txn_ids", []),
            )
            for item in doc["findings"]
        ]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise FinflowError(f"{path}: not a findings.json written by finflow investigate ({exc})") from None


@click.command("account")
@click.argument("account_id", metavar="ID")
@case_option()
@out_option("Folder for the timeline HTML.")
@click.option(
    "--findings", "findings_path", default=None, type=click.Path(dir_okay=False),
    help="findings.json to mark on the time axis (default: OUT/findings.json when it exists).",
)  # fmt: skip
@click.option(
    "--limit", default=100, show_default=True, type=click.IntRange(min=0), help="Transactions printed."
)
@click.option("--all", "show_all", is_flag=True, help="Print every transaction.")
def account(
    account_id: str, case_dir: str, out_dir: str, findings_path: str | None, limit: int, show_all: bool
) -> None:
    """Show one account's money over time and write its timeline HTML.

    ID is the account or its holder as written anywhere: account number (4202.74.72332,
    4202 74 72332), IBAN, party id, holder name, or an unambiguous prefix of one of them.
    Prints holder, sources, monthly in/out per currency and the transactions in time order.
    """
    data = load_case_data(case_dir)
    try:
        ref = resolve_id(data, account_id)
        path = Path(findings_path) if findings_path else Path(out_dir) / "findings.json"
        findings = load_findings(path) if (findings_path or path.is_file()) else []
    except FinflowError as exc:
        raise click.ClickException(clean(exc)) from None
    timeline = build_timeline(data, ref, findings)
    echo(timeline_text(timeline, limit=None if show_all else limit))
    report = Path(out_dir) / "report.html"
    links = {"Case report": "report.html"} if report.is_file() else None
    written = write_timeline(timeline, Path(out_dir) / timeline_name(ref.id), back_links=links)
    echo(f"\nwrote {written}")
