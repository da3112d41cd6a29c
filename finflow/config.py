"""Detector configuration: one documented YAML file of defaults, overridable by the user.

``finflow/data/config.yaml`` holds every threshold with a comment saying what it means and where
it comes from. A user file (``--config``) overrides only the keys it names; an unknown key is an
error, so a typo never silently leaves a default in force.
"""

from __future__ import annotations

import copy
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

__all__ = ["ConfigError", "default_config", "load_config"]


class ConfigError(ValueError):
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
            merged[key] = value
    return merged


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
        config = _overlay(config, user, "")
    if overrides:
        config = _overlay(config, overrides, "")
    return config
