"""Options that several commands share, declared once so they read and behave the same."""

from __future__ import annotations

import click

__all__ = ["case_option", "config_option", "out_option", "wait_option"]


def case_option(help: str = "Case directory (the embedded store).", *, exists: bool = False):
    """``--case DIR`` (default ``./case``)."""
    return click.option(
        "--case", "case_dir", default="case", show_default=True,
        type=click.Path(file_okay=False, exists=exists), help=help,
    )  # fmt: skip


def out_option(help: str, default: str | None = "graphs"):
    """``--out DIR`` for written files."""
    return click.option(
        "--out", "out_dir", default=default, show_default=default is not None,
        type=click.Path(file_okay=False), help=help,
    )  # fmt: skip


def config_option():
    """``--config FILE``: YAML overriding detector settings."""
    return click.option(
        "--config", "config_path", default=None, type=click.Path(exists=True, dir_okay=False),
        help="YAML file overriding detector settings (see finflow/data/config.yaml).",
    )  # fmt: skip


def wait_option():
    """``--wait SECONDS``: how long a writer waits for another writer to finish with the case."""
    return click.option(
        "--wait", "wait", default=None, type=click.FloatRange(min=0), metavar="SECONDS",
        help="Wait at most this long for another finflow process writing the case (default 60, or FINFLOW_CASE_WAIT).",
    )  # fmt: skip
