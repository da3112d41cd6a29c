"""``finflow profile``: import profiles for bank exports finflow does not know."""

from __future__ import annotations

from pathlib import Path

import click

from finflow.importers.base import ImportError_
from finflow.importers.profile_files import load_profile
from finflow.importers.profile_guess import guess_profile
from finflow.terminal import clean, echo

__all__ = ["profile_group"]


@click.group("profile")
def profile_group() -> None:
    """Write and check import profiles (YAML) for unfamiliar bank exports."""


@profile_group.command("new")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "out", default=None, help="Profile file to write (default: FILE's name + .profile.yaml).")
@click.option("--force", is_flag=True, help="Replace an existing profile file.")
def new_command(file: str, out: str | None, force: bool) -> None:
    """Guess a profile from FILE's header; edit it, then `finflow import --profile`."""
    target = Path(out) if out else Path(file).with_suffix(".profile.yaml")
    if target.exists() and not force:
        raise click.ClickException(f"{clean(str(target))} exists; pass --force to replace it")
    try:
        text = guess_profile(file)
    except (OSError, ValueError) as exc:
        raise click.ClickException(clean(str(exc))) from None
    target.write_text(text, encoding="utf-8")
    echo(f"wrote {target}; check it, then: finflow import --profile {target} --case CASE {file}")


@profile_group.command("check")
@click.argument("profile", type=click.Path(exists=True, dir_okay=False))
def check_command(profile: str) -> None:
    """Check PROFILE strictly (unknown keys, wrong values) without importing."""
    try:
        loaded = load_profile(profile)
    except ImportError_ as exc:
        raise click.ClickException(clean(str(exc))) from None
    echo(f"{Path(profile).name}: ok ({loaded.bank}, {len(loaded.columns())} columns read)")
