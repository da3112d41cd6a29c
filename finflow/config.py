"""Detector configuration: one documented YAML file of defaults, overridable by the user.

``finflow/data/config.yaml`` holds every threshold with a comment saying what it means and where
it comes from. A user file (``--config``) overrides only the keys it names; an unknown key is an
error, so a typo never silently leaves a default in force, and a value of another kind than the
default's (text for a number, a number beyond 64 bits, a pattern that is not a regular
expression) is an error naming the setting, before any work is done.
"""

from __future__ import annotations

import copy
import math
import re
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from finflow.errors import FinflowError

__all__ = ["ConfigError", "default_config", "load_config"]


class ConfigError(FinflowError, ValueError):
    """The user's configuration file is unreadable or names unknown settings."""


def default_config() -> dict[str, Any]:
    """The shipped defaults."""
    text = files("finflow").joinpath("data/config.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _overlay(base: dict[str, Any], override: dict[str, Any], where: str) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if key not in base:
            raise ConfigError(f"unknown setting {where}{key}; known: {', '.join(sorted(base))}")
        if isinstance(base[key], dict):
            if not isinstance(value, dict):
                raise ConfigError(f"setting {where}{key} must be a mapping")
            merged[key] = _overlay(base[key], value, f"{where}{key}.")
        else:
            _check_value(base[key], value, f"{where}{key}")
            merged[key] = value
    return merged


_INT64 = 2**63 - 1
_KINDS = {bool: "true or false", int: "a whole number", float: "a number", str: "a text", list: "a list"}


def _kind(value: Any) -> type:
    for kind in _KINDS:  # bool first: a bool is an int to Python, not to a user
        if isinstance(value, kind):
            return kind
    return type(value)


def _check_value(default: Any, value: Any, name: str) -> None:
    """Refuse ``value`` for setting ``name`` unless it is of the default's kind."""
    expected, actual = _kind(default), _kind(value)
    if expected is float and actual is int:
        actual = float
    if default is None or expected is actual:
        pass
    else:
        raise ConfigError(f"setting {name} must be {_KINDS.get(expected, expected.__name__)}, not {value!r:.60}")
    if actual is int and abs(value) > _INT64:
        raise ConfigError(f"setting {name} = {value} is too large (at most {_INT64})")
    if actual is float and not math.isfinite(value):
        raise ConfigError(f"setting {name} must be a finite number, not {value!r}")
    if actual is str and name.endswith("_pattern"):
        try:
            re.compile(value)
        except re.error as exc:
            raise ConfigError(f"setting {name} is not a valid regular expression ({exc})") from None
    if actual is list and default:
        for position, item in enumerate(value):
            _check_value(default[0], item, f"{name}[{position}]")


def load_config(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Defaults, overlaid with a YAML file and then with ``overrides``."""
    config = default_config()
    if path is not None:
        try:
            user = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"{path}: cannot read configuration ({exc})") from None
        if not isinstance(user, dict):
            raise ConfigError(f"{path}: configuration must be a mapping of sections")
        try:
            config = _overlay(config, user, "")
        except ConfigError as exc:
            raise ConfigError(f"{path}: {exc}") from None
    if overrides:
        config = _overlay(config, overrides, "")
    return config
