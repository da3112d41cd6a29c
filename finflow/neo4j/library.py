"""The query library on disk: ``queries/*.cypher`` files, their headers and parameters.

Each file starts with a ``//`` comment header saying what it answers, describing each parameter
on a line ``//   name  text`` (``(required)`` in the text makes it required) and giving an
example value for each as a Neo4j Browser line ``// :param name => value;``. Parameters that are
not required default to their example value.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import finflow.queries
from finflow.errors import FinflowError

__all__ = [
    "QueryFile",
    "QueryLibraryError",
    "list_queries",
    "load_query",
    "queries_dir",
    "statements",
]

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_PARAM = re.compile(r"^:param\s+([A-Za-z_]\w*)\s*=>\s*(.+?)\s*;\s*$")
_DESCRIBED = re.compile(r"^\s+([A-Za-z_]\w*)\s{2,}(.*)$")
_NOT_QUERIES = {"schema"}


class QueryLibraryError(FinflowError, ValueError):
    """A query name, file or parameter is wrong; the message says which and how."""


@dataclass(frozen=True)
class QueryFile:
    """One library query: its text, what it answers, and its parameters."""

    name: str
    path: Path
    text: str
    summary: str
    examples: dict[str, Any] = field(default_factory=dict)
    required: frozenset[str] = frozenset()

    def bind(self, given: dict[str, Any]) -> dict[str, Any]:
        """Parameters for a run: ``given`` over the defaults, checked against the header."""
        unknown = sorted(set(given) - set(self.examples))
        if unknown:
            raise QueryLibraryError(
                f"query {self.name!r} has no parameter {', '.join(unknown)} "
                f"(it takes: {', '.join(sorted(self.examples)) or 'none'})"
            )
        missing = sorted(self.required - set(given))
        if missing:
            hints = ", ".join(f"{m} (e.g. {self.examples[m]!r})" for m in missing)
            raise QueryLibraryError(f"query {self.name!r} needs parameter {hints}")
        for key, value in given.items():
            if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**63:
                raise QueryLibraryError(
                    f"query {self.name!r}: parameter {key}={value} is out of range (Neo4j integers are 64-bit)"
                )
        bound = {k: v for k, v in self.examples.items() if k not in self.required}
        bound.update(given)
        return bound

    def coerce(self, raw: dict[str, str]) -> dict[str, Any]:
        """Turn ``k=v`` strings from the command line into the example values' types."""
        out: dict[str, Any] = {}
        for key, text in raw.items():
            if key not in self.examples:
                out[key] = text  # bind() reports it with the list of known names
                continue
            example = self.examples[key]
            try:
                if isinstance(example, bool):
                    if text.lower() not in {"true", "false"}:
                        raise ValueError(text)
                    out[key] = text.lower() == "true"
                elif isinstance(example, int):
                    out[key] = int(text)
                elif isinstance(example, float):
                    out[key] = float(text)
                    if not math.isfinite(out[key]):
                        raise ValueError(text)
                else:
                    out[key] = text
            except ValueError:
                kind = type(example).__name__
                raise QueryLibraryError(
                    f"query {self.name!r}: parameter {key}={text[:40]!r} is not a valid {kind}"
                ) from None
            value = out[key]
            if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**63:
                raise QueryLibraryError(
                    f"query {self.name!r}: parameter {key}={text[:40]!r} is out of range "
                    "(Neo4j integers are 64-bit: -9223372036854775808 to 9223372036854775807)"
                )
        return out


def queries_dir() -> Path:
    """Where the ``.cypher`` files are: ``$FINFLOW_QUERIES``, else those shipped with finflow.

    The repository's top-level ``queries/`` is installed as the package ``finflow.queries``, so an
    installed finflow carries the same files an analyst pastes into the Browser.
    """
    env = os.environ.get("FINFLOW_QUERIES")
    if env:
        return Path(env)
    return Path(finflow.queries.__file__).parent


def list_queries(directory: Path | None = None) -> list[str]:
    """Names of the library queries (``schema.cypher`` is not a query)."""
    folder = directory or queries_dir()
    return sorted(p.stem for p in folder.glob("*.cypher") if p.stem not in _NOT_QUERIES)


def load_query(name: str, directory: Path | None = None) -> QueryFile:
    """Read and parse one library query by name."""
    folder = directory or queries_dir()
    if not _NAME.match(name) or name in _NOT_QUERIES:
        raise QueryLibraryError(f"no query named {name!r}")
    path = folder / f"{name}.cypher"
    if not path.is_file():
        known = ", ".join(list_queries(folder))
        raise QueryLibraryError(f"no query named {name!r} in {folder} (known: {known})")
    return _parse(name, path, path.stat().st_mtime_ns)


@cache
def _parse(name: str, path: Path, _mtime: int) -> QueryFile:
    text = path.read_text(encoding="utf-8")
    header: list[str] = []
    for line in text.splitlines():
        if not line.startswith("//"):
            break
        header.append(line[2:].removeprefix(" ") if line.startswith("// ") else line[2:])
    summary_lines: list[str] = []
    for line in header:
        if not line.strip():
            break
        summary_lines.append(line.strip())
    examples: dict[str, Any] = {}
    required: set[str] = set()
    for line in header:
        param = _PARAM.match(line.strip())
        if param:
            examples[param.group(1)] = _literal(param.group(2), path)
            continue
        described = _DESCRIBED.match(line)
        if described and "(required)" in described.group(2):
            required.add(described.group(1))
    undeclared = required - set(examples)
    if undeclared:
        raise QueryLibraryError(f"{path}: required {sorted(undeclared)} without a :param example")
    return QueryFile(name, path, text, " ".join(summary_lines), examples, frozenset(required))


def _literal(text: str, path: Path) -> Any:
    """A Cypher literal from a ``:param`` line: integer, float, boolean, or quoted string."""
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.\d*", text):
        return float(text)
    if text in {"true", "false"}:
        return text == "true"
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    raise QueryLibraryError(f"{path}: unsupported :param value {text!r}")


def statements(text: str) -> list[str]:
    """Split a script such as ``schema.cypher`` into statements (``//`` comments dropped)."""
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
    return [s.strip() for s in body.split(";") if s.strip()]
