"""``finflow synth``: the command-line face of :func:`finflow.synth.generate`."""

from __future__ import annotations

import click

from finflow.synth.build import MAX_SIZE, MIN_SIZE, generate, parse_size

__all__ = ["synth"]


class _Size(click.ParamType):
    name = "size"

    def convert(self, value, param, ctx):  # type: ignore[no-untyped-def]
        try:
            size = parse_size(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
        if not MIN_SIZE <= size <= MAX_SIZE:
            self.fail(f"{value!r} is outside {MIN_SIZE}..{MAX_SIZE:_}", param, ctx)
        return size


@click.command("synth")
@click.option("--seed", type=click.IntRange(min=0), required=True, help="Random seed.")
@click.option(
    "--size",
    type=_Size(),
    default="10k",
    show_default=True,
    help="Approximate number of transactions: 1000, 10k, 100k, 1M, 10M.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    required=True,
    help="Folder to write the case files to (created if missing).",
)
def synth(seed: int, size: int, out_dir: str) -> None:
    """Generate a synthetic case with planted trafficking patterns and innocent decoys.

    The same seed and size always give byte-identical files. No real personal data.
    """
    summary = generate(seed, size, out_dir)
    click.echo(
        f"wrote {summary.transactions:,} transactions "
        f"({summary.period_start} .. {summary.period_end}), {summary.accounts:,} accounts, "
        f"{summary.persons:,} register rows, {summary.companies:,} companies, "
        f"{summary.leases:,} leases to {summary.out_dir}"
    )
    planted = ", ".join(f"{k} {v}" for k, v in summary.scenarios.items())
    decoys = ", ".join(f"{k} {v}" for k, v in summary.decoys.items())
    click.echo(f"planted: {planted}")
    click.echo(f"decoys: {decoys}")
