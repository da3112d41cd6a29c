"""Carry the configuration's NOK thresholds to the currency a detector runs in.

Detectors run once per currency (:func:`finflow.detect.registry.run_detectors`) and never add or
convert amounts. Their amount settings (keys ending in ``_minor``) are written in NOK minor units;
for a run on EUR transactions they are restated in EUR minor units through the dated rate table
``finflow/data/threshold_rates.yaml``, rounded to two significant figures (a "round unit" to the
nearest 1-2-5 step, so that "round" stays round in the other currency). A setting already written
per currency (a mapping of ISO 4217 codes, as in ``typologies``) is used as it is.

Each finding's parameters then carry ``thresholds_currency`` and ``threshold_rate`` (rate, table
date and source), so an investigator reading "median at most EUR 430" can see where it came from.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

from finflow.money import is_currency, minor_units

__all__ = ["rate_table", "thresholds_for"]

_NOK_EXPONENT = 2


@cache
def rate_table() -> dict[str, Any]:
    """The shipped rate table: ``source``, ``as_of`` and ``nok_per_unit`` per currency."""
    text = files("finflow").joinpath("data/threshold_rates.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _two_figures(value: float) -> int:
    if value <= 0:
        return 0
    digits = 1 - math.floor(math.log10(value))
    return max(1, int(round(value, digits)))


def _nice_step(value: float) -> int:
    """The 1-2-5 step nearest to ``value`` (on a log scale): 8.3 -> 10, 3.4 -> 5, 140 -> 100."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    steps = [power, 2 * power, 5 * power, 10 * power]
    return int(min(steps, key=lambda s: abs(math.log(s / value))))


def _convert(nok_minor: Any, factor: float, key: str) -> Any:
    if isinstance(nok_minor, bool) or not isinstance(nok_minor, int | float):
        return nok_minor
    value = nok_minor * factor
    return _nice_step(value) if "round_unit" in key else _two_figures(value)


def _restate(params: Mapping[str, Any], factor: float) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, Mapping):
            out[key] = value if key.endswith("_minor") else _restate(value, factor)
        elif key.endswith("_minor") and isinstance(value, list):
            out[key] = [_convert(v, factor, key) for v in value]
        elif key.endswith("_minor"):
            out[key] = _convert(value, factor, key)
        else:
            out[key] = value
    return out


def thresholds_for(params: Mapping[str, Any], currency: str | None) -> dict[str, Any]:
    """A detector's parameters with its NOK amount settings restated in ``currency``.

    NOK (or a run with no transactions) gets the parameters unchanged. A currency the table does
    not list keeps the NOK figures and says so in ``threshold_rate``.
    """
    if currency is None or currency == "NOK":
        return dict(params)
    table = rate_table()
    rate = table["nok_per_unit"].get(currency)
    if rate is None or not is_currency(currency):
        return {**params, "thresholds_currency": "NOK", "threshold_rate": f"none: no rate for {currency} in the table"}
    factor = 10 ** (minor_units(currency) - _NOK_EXPONENT) / float(rate)
    restated = _restate(params, factor)
    if restated == dict(params):
        return restated  # every amount setting is already per currency (or there is none)
    restated["thresholds_currency"] = currency
    restated["threshold_rate"] = f"1 {currency} = {rate} NOK ({table['source']}; as of {table['as_of']})"
    return restated
