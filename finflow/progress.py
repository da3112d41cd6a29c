"""Counted progress for long steps: a bar in a terminal, nothing anywhere else.

The library reports steps through a :data:`Steps` callable — ``with steps("drawing views", 45)
as advance: ... advance()`` — and never prints. The command line passes :func:`terminal_steps`,
which draws a click progress bar on stderr only when stdout and stderr are terminals, so that
piped or captured output stays byte-for-byte the same from run to run.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import click

__all__ = ["Advance", "Steps", "no_steps", "terminal_steps", "wants_bars"]

Advance = Callable[..., None]  # advance(n=1)
Steps = Callable[[str, int], AbstractContextManager[Advance]]


@contextmanager
def no_steps(label: str, total: int) -> Iterator[Advance]:
    """Report nothing (the library default)."""
    yield lambda n=1: None


def wants_bars() -> bool:
    """Bars only for a person watching a terminal (never in pipes, files or CI logs)."""
    return sys.stdout.isatty() and sys.stderr.isatty()


@contextmanager
def terminal_steps(label: str, total: int) -> Iterator[Advance]:
    """A progress bar with counts (``12/45``) and an estimate, on stderr; silent off a terminal."""
    if total <= 0 or not wants_bars():
        yield lambda n=1: None
        return
    with click.progressbar(
        length=total, label=label, show_pos=True, show_eta=True, file=sys.stderr, width=30
    ) as bar:  # fmt: skip
        yield lambda n=1: bar.update(n)
