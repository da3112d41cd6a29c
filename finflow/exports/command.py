"""``finflow export FORMAT --case CASE --out PATH``: the case for Aleph, Gephi, Excel or i2."""

from __future__ import annotations

import click

from finflow.cli_options import case_option, config_option
from finflow.config import ConfigError
from finflow.errors import FinflowError
from finflow.exports import FORMATS
from finflow.exports.context import load_export_case
from finflow.terminal import clean, echo

__all__ = ["export_command"]


def _writer(fmt: str):
    if fmt == "ftm":
        from finflow.exports.ftm import write_ftm

        return write_ftm, "entities"
    if fmt == "gexf":
        from finflow.exports.graphs import write_gexf

        return write_gexf, "edges"
    if fmt == "graphml":
        from finflow.exports.graphs import write_graphml

        return write_graphml, "edges"
    if fmt == "xlsx":
        from finflow.exports.xlsx import write_xlsx

        return write_xlsx, "evidence rows"
    from finflow.exports.i2 import write_i2

    return write_i2, "links"


@click.command("export")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(sorted(FORMATS)))
@case_option()
@click.option("--out", "out", required=True, type=click.Path(), help="File to write (for i2: a folder).")
@config_option()
@click.option(
    "--include-personal-ids", is_flag=True, help="Include birth dates, id numbers, phone numbers and e-mails."
)
@click.option("--show-dismissed", is_flag=True, help="Let dismissed findings count in the subjects' ranking.")
def export_command(
    fmt: str, case_dir: str, out: str, config_path: str | None, include_personal_ids: bool, show_dismissed: bool
) -> None:
    """Export the case as FORMAT for another tool.

    \b
    ftm      FollowTheMoney JSON lines (Aleph, OpenAleph); needs pip install 'finflow[ftm]'
    gexf     aggregated money graph for Gephi / Gephi Lite
    graphml  the same graph as GraphML (yEd, Cytoscape, networkx)
    xlsx     one Excel workbook (summary, suspects, victims, findings, evidence, sources, rejects)
    i2       entities.csv and links.csv for an Analyst's Notebook import specification (OUT is a folder)

    Findings are computed as `finflow investigate` does, with their reviews; see docs/exports.md.
    """
    write, noun = _writer(fmt)
    try:
        case = load_export_case(
            case_dir, config_path=config_path, include_personal_ids=include_personal_ids,
            show_dismissed=show_dismissed,
        )  # fmt: skip
        path, count = write(case, out)
    except (FinflowError, ConfigError) as exc:
        raise click.ClickException(clean(exc)) from None
    echo(f"wrote {path} ({count:,} {noun}, {len(case.findings):,} findings)")
