"""``finflow neo4j …`` commands: a thin shell over :mod:`finflow.neo4j`.

``neo4j_group`` holds ``load``, ``query``, ``findings`` and ``queries``; ``query_command`` is the
same ``query`` command, to be registered at the top level as well.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import neo4j
from neo4j import exceptions as neo4j_errors

from finflow.cli_options import case_option, config_option, out_option
from finflow.neo4j.connect import connect, redact_uri
from finflow.neo4j.findings import write_findings
from finflow.neo4j.library import QueryLibraryError, list_queries, load_query
from finflow.neo4j.load import DEFAULT_BATCH_SIZE, DEFAULT_WORKERS, count_rows, load_case
from finflow.neo4j.query import render, run_query
from finflow.neo4j.read import read_case
from finflow.terminal import clean, echo

__all__ = ["neo4j_group", "query_command"]


def connection_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--neo4j/--user/--password/--database``, from the environment when not given."""

    @click.option(
        "--neo4j",
        "uri",
        envvar="NEO4J_URI",
        default="bolt://localhost:7687",
        show_default=True,
        help="Bolt URI of the server [env NEO4J_URI].",
    )
    @click.option(
        "--user",
        envvar="NEO4J_USER",
        default="neo4j",
        show_default=True,
        help="User name [env NEO4J_USER].",
    )
    @click.option(
        "--password",
        envvar="NEO4J_PASSWORD",
        default=None,
        show_default=False,
        help="Password [env NEO4J_PASSWORD; prefer the variable: options show in process lists].",
    )
    @click.option(
        "--database",
        envvar="NEO4J_DATABASE",
        default=None,
        help="Database name (default: the server's default) [env NEO4J_DATABASE].",
    )
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper  # fmt: skip


def _driver(uri: str, user: str, password: str | None) -> neo4j.Driver:
    if password is None:
        raise click.ClickException("no Neo4j password: set NEO4J_PASSWORD or pass --password")
    return connect(uri, user, password)


def _neo4j_failure(exc: neo4j_errors.Neo4jError | neo4j_errors.DriverError) -> click.ClickException:
    text = (str(exc).strip() or type(exc).__name__).splitlines()[0]
    return click.ClickException(clean(f"Neo4j: {text}"))


@click.group("neo4j")
def neo4j_group() -> None:
    """Use Neo4j as the case's graph: load it, query it, write findings into it.

    Connection settings come from --neo4j/--user/--password or NEO4J_URI, NEO4J_USER and
    NEO4J_PASSWORD (see docs/neo4j.md for starting a server with docker compose).
    """


@neo4j_group.command("load")
@case_option("Case directory to load.", exists=True)
@click.option("--batch-size", default=DEFAULT_BATCH_SIZE, show_default=True, type=click.IntRange(1))
@click.option(
    "--workers",
    default=DEFAULT_WORKERS,
    show_default=True,
    type=click.IntRange(1),
    help="Batches written at the same time, each in its own transaction.",
)
@connection_options
def load_command(
    case_dir: str,
    batch_size: int,
    workers: int,
    uri: str,
    user: str,
    password: str | None,
    database: str | None,
) -> None:
    """Load the case into Neo4j.

    Safe to repeat: a second load, or one re-run after an interruption, completes the graph
    without duplicating anything.
    """
    from finflow.case import open_case

    data = open_case(case_dir).data()
    driver = _driver(uri, user, password)
    try:
        with click.progressbar(length=count_rows(data), label="Loading", file=None) as bar:
            report = load_case(
                driver, data, batch_size=batch_size, progress=bar.update, database=database, workers=workers
            )
    except (neo4j_errors.Neo4jError, neo4j_errors.DriverError) as exc:
        raise _neo4j_failure(exc) from None
    finally:
        driver.close()
    rate = report.total_rows / report.seconds if report.seconds else 0.0
    click.echo(
        f"Loaded {report.total_rows:,} rows in {report.batches:,} batches into {redact_uri(uri)} "
        f"in {report.seconds:.1f} s ({rate:,.0f} rows/s)"
    )
    for name, n in report.rows.items():
        if n:
            click.echo(f"  {name:<16} {n:>10,}")


def _parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{pair!r} is not key=value", param_hint="--param")
        params[key.strip()] = value
    return params


@click.command("query")
@click.argument("name")
@click.option(
    "--param",
    "-p",
    "pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="A query parameter (repeatable); see the query file's header.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@connection_options
def query_command(
    name: str,
    pairs: tuple[str, ...],
    fmt: str,
    uri: str,
    user: str,
    password: str | None,
    database: str | None,
) -> None:
    """Run the library query NAME (queries/NAME.cypher; `finflow neo4j queries` lists them)."""
    try:
        query = load_query(name)
        params = query.coerce(_parse_params(pairs))
        query.bind(params)
    except QueryLibraryError as exc:
        raise click.ClickException(clean(exc)) from None
    driver = _driver(uri, user, password)
    try:
        result = run_query(driver, name, params, database=database)
    except (neo4j_errors.Neo4jError, neo4j_errors.DriverError) as exc:
        raise _neo4j_failure(exc) from None
    finally:
        driver.close()
    echo(render(result, fmt), nl=False)


neo4j_group.add_command(query_command)


@neo4j_group.command("queries")
def queries_command() -> None:
    """List the library queries and what each answers."""
    for name in list_queries():
        query = load_query(name)
        params = ", ".join(f"{k}{'*' if k in query.required else ''}" for k in query.examples)
        click.echo(f"{name}  ({params or 'no parameters'})\n    {query.summary}")
    click.echo("(* required)")


@neo4j_group.command("findings")
@case_option("Case directory to run detectors on (with --source case).")
@config_option()
@click.option(
    "--run-id", default=None, help="Label of this run (default: derived from the findings)."
)
@click.option(
    "--source",
    type=click.Choice(["case", "neo4j"]),
    default="case",
    show_default=True,
    help="Analyse the embedded case, or the graph as it is in Neo4j (read back over Bolt).",
)
@out_option("Also write findings.json and findings.csv here.", default=None)
@connection_options
def findings_command(
    case_dir: str,
    config_path: str | None,
    run_id: str | None,
    source: str,
    out_dir: str | None,
    uri: str,
    user: str,
    password: str | None,
    database: str | None,
) -> None:
    """Run the detectors and write their findings into Neo4j, replacing the previous run's.

    Load the case first (`finflow neo4j load`) so evidence transactions can be linked.
    """
    from finflow.case import open_case
    from finflow.config import ConfigError, load_config
    from finflow.detect.registry import run_detectors
    from finflow.ids import content_id

    try:
        config = load_config(Path(config_path) if config_path else None)
    except ConfigError as exc:
        raise click.ClickException(clean(exc)) from None
    driver = _driver(uri, user, password)
    try:
        if source == "case" and not Path(case_dir).is_dir():
            raise click.ClickException(clean(f"no case at {case_dir} (import files first, or pass --case)"))
        data = read_case(driver, database=database) if source == "neo4j" else open_case(case_dir).data()
        findings = run_detectors(data, config)
        run = run_id or content_id("run", *sorted(f.finding_id for f in findings))
        report = write_findings(driver, findings, run, database=database)
    except (neo4j_errors.Neo4jError, neo4j_errors.DriverError) as exc:
        raise _neo4j_failure(exc) from None
    finally:
        driver.close()
    if out_dir:
        from finflow.findings_io import write_findings as write_findings_files

        for file in write_findings_files(Path(out_dir), data, findings, config):
            echo(f"wrote {file}")
    click.echo(
        f"Wrote {report.findings:,} findings (run {report.run_id}), replacing {report.replaced:,}; "
        f"linked {report.subjects_linked:,} subjects and {report.evidence_linked:,} evidence "
        "transactions"
    )
    if report.evidence_missing:
        click.echo(
            f"  warning: {report.evidence_missing:,} evidence transactions are not in the graph "
            "(load the case first)", err=True,
        )  # fmt: skip
