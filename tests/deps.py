"""finflow's declared dependencies, read from pyproject.toml, for the install scripts.

    python tests/deps.py declared   # every requirement, as declared (with the test and fast extras)
    python tests/deps.py oldest     # each pinned to its declared lower bound: "name==X"

tests/run.sh installs ``oldest`` for CI's oldest-versions step; tests/update-constraints.sh
installs ``declared`` (at their newest) before freezing constraints.txt.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
EXTRAS = ("test", "fast")
_LOWER = re.compile(r"([A-Za-z0-9_.-]+)\s*(?:>=|==)\s*([0-9][^,;\s]*)")


def declared() -> list[str]:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    return project["dependencies"] + [s for extra in EXTRAS for s in project["optional-dependencies"][extra]]


def oldest() -> list[str]:
    """``name==lower bound`` for each requirement; one without a lower bound is an error."""
    pins = []
    for spec in declared():
        match = _LOWER.fullmatch(spec)
        if not match:
            raise SystemExit(f"pyproject.toml: {spec!r} declares no single lower bound (name>=X or name==X)")
        pins.append(f"{match[1]}=={match[2]}")
    return pins


if __name__ == "__main__":
    if sys.argv[1:] not in (["declared"], ["oldest"]):
        raise SystemExit(__doc__)
    print("\n".join(declared() if sys.argv[1] == "declared" else oldest()))
