"""Text for the terminal with the control characters taken out: extract text must not drive it.

A holder name such as ``"\\x1b]52;c;…\\x07"`` (OSC 52: write the clipboard) or ``"\\x1b[2J"`` (clear
the screen) would act on the investigator's terminal if printed as it is; a carriage return could
overwrite the start of a line with something else. :func:`clean` removes

- escape sequences whole: CSI (``ESC [`` … final byte), OSC (``ESC ]`` … BEL or ``ESC \\``),
  DCS/SOS/PM/APC strings, their 8-bit C1 forms, and any other ``ESC`` + character;
- every other C0 and C1 control character and DEL, except newline (a tab becomes a space);
- Unicode bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069), which can make a
  line read differently from what it contains.

Printable text, æøå and other scripts included, is left exactly as it is. :func:`echo` is
``click.echo`` through :func:`clean`: every message built from data (names, file names, payment
text, findings tables, error messages) goes through it.
"""

from __future__ import annotations

import re
from typing import Any

import click

__all__ = ["clean", "echo"]

_ESC_SEQUENCE = re.compile(
    r"""
      (?:\x1b\]|\x9d) [^\x07\x1b\x9c]* (?:\x07|\x1b\\|\x9c)?          # OSC … BEL / ST
    | (?:\x1b[PX^_]|[\x90\x98\x9e\x9f]) [^\x1b\x9c]* (?:\x1b\\|\x9c)?  # DCS, SOS, PM, APC … ST
    | (?:\x1b\[|\x9b) [\x30-\x3f]* [\x20-\x2f]* [\x40-\x7e]?          # CSI … final byte
    | \x1b [\x20-\x2f]* [\x30-\x7e]?                                 # any other escape
    """,
    re.VERBOSE,
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(text: object) -> str:
    """``text`` as a string without escape sequences or control characters (newlines kept)."""
    value = text if isinstance(text, str) else str(text)
    if value.isprintable():
        return value
    value = _ESC_SEQUENCE.sub("", value).replace("\t", " ")
    return _CONTROLS.sub("", value)


def echo(message: object = "", *, err: bool = False, nl: bool = True, **kwargs: Any) -> None:
    """``click.echo`` of ``message`` through :func:`clean`."""
    click.echo(clean(message), err=err, nl=nl, **kwargs)
