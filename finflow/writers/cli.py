"""``finflow multiformat``: a thin command over :func:`write_multiformat_case` (wired in by cli.py)."""

from __future__ import annotations

import click

from .multiformat import write_multiformat_case

__all__ = ["multiformat"]


@click.command("multiformat")
@click.argument("generic_case_dir", type=click.Path(exists=True, file_okay=False))
@click.argument("out_dir", type=click.Path(file_okay=False))
@click.option("--seed", type=int, default=0, show_default=True, help="Chooses accounts, formats and styles.")
@click.option("--share", type=float, default=0.4, show_default=True, help="Share of accounts given a statement.")
def multiformat(generic_case_dir: str, out_dir: str, seed: int, share: float) -> None:
    """Rewrite a generated case's transactions*.csv as bank CSV exports, camt.053 and generic CSV."""
    case = write_multiformat_case(generic_case_dir, out_dir, seed, share=share)
    for name, fmt in sorted(case.files.items()):
        click.echo(f"{fmt:<12} {name}")
    pairs = ", ".join(f"{a}↔{b}" for a, b in case.both_sides) or "none"
    click.echo(f"{len(case.files)} files from {case.rows_in} input rows; both statements written for: {pairs}")
