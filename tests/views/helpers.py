"""Reading back what a view wrote."""

from __future__ import annotations

import json
import re
from pathlib import Path

_DATA = re.compile(r'<script type="application/json" id="finflow-data">(.*?)</script>', re.DOTALL)


def payload(path: Path) -> dict:
    """The graph JSON embedded in a view."""
    match = _DATA.search(path.read_text(encoding="utf-8"))
    assert match, f"no data block in {path}"
    return json.loads(match.group(1))
