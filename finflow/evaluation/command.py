"""``finflow evaluate``: score a case's findings against ground truth (see :mod:`finflow.evaluation`)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from finflow.cli_options import case_option, config_option
from finflow.config import ConfigError, load_config
from finflow.evaluation.scoring import flagged_transactions, named_accounts, score
from finflow.evaluation.truth import TruthError, load_truth

__all__ = ["evaluate"]


def _findings_file(path: str) -> list[dict]:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise click.ClickException(f"{path}: not a findings.json file ({exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("findings"), list):
        raise click.ClickException(f"{path}: not a findings.json file (no 'findings' list)")
    return doc["findings"]


@click.command("evaluate")
@click.argument("truth_path", metavar="TRUTH", type=click.Path(exists=True, dir_okay=False))
@case_option("Case directory: its findings are computed unless --findings is given.")
@click.option(
    "--findings", "findings_path", default=None, type=click.Path(exists=True, dir_okay=False),
    help="A findings.json written by `finflow investigate` (instead of running the detectors).",
)  # fmt: skip
@config_option()
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def evaluate(truth_path: str, case_dir: str, findings_path: str | None, config_path: str | None, as_json: bool) -> None:
    """Score findings against TRUTH: a truth.json, or a labelled AMLworld or AMLGentex file.

    Prints recall per typology (where the truth names typologies), account precision, recall
    and F1 and, where the truth lists laundering transactions, the same for the transactions
    the findings cite as evidence.
    """
    try:
        truth = load_truth(truth_path)
    except TruthError as exc:
        raise click.ClickException(str(exc)) from None
    from finflow.case import case_exists, open_case

    data = None
    if case_exists(case_dir):
        data = open_case(case_dir).data()
    if findings_path is not None:
        findings = _findings_file(findings_path)
    elif data is None:
        raise click.ClickException(f"no case at {case_dir} (import files first, or pass --case or --findings)")
    else:
        from finflow.detect.registry import run_detectors

        try:
            config = load_config(config_path)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
        findings = run_detectors(data, config)
    result = score(named_accounts(findings, data), truth, flagged_transactions(findings))
    if as_json:
        click.echo(json.dumps({"truth": truth.source, **result.to_dict()}, indent=2, sort_keys=True))
    else:
        click.echo(f"truth: {truth.source}, {len(findings)} finding(s)")
        click.echo(result.table())
