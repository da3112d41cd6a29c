"""Writing one self-contained, offline, escaped HTML file.

Why not pyvis's own template: it links Bootstrap from a CDN even in ``in_line`` mode, its Jinja
environment does not autoescape (the heading and select-menu ids go into the page raw) and it
swaps tooltips for an ``innerHTML`` popup when a title contains ``href``. Here the page comes from
our own template with autoescape on; the graph travels as JSON inside a non-executed
``<script type="application/json">`` block with ``< > &`` and U+2028/9 escaped; vis-network's
JavaScript and CSS are inlined from the installed pyvis package; and a Content-Security-Policy
allows only the page's own scripts (by hash) and no network access at all.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

__all__ = ["render_template", "safe_json", "script_hash", "vis_assets", "write_text"]

_JSON_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def safe_json(value: Any) -> str:
    """JSON that cannot end or open markup inside a ``<script>`` block (stable key order)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    for char, escape in _JSON_ESCAPES.items():
        text = text.replace(char, escape)
    return text


def script_hash(source: str) -> str:
    """CSP source expression allowing exactly this inline script."""
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


@cache
def vis_assets() -> tuple[str, str]:
    """vis-network's JavaScript and CSS as shipped inside the installed pyvis package."""
    # Locate the package without importing it (importing pyvis pulls in IPython: seconds).
    spec = importlib.util.find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pyvis is not installed; it supplies vis-network's JavaScript")
    lib = Path(spec.submodule_search_locations[0]) / "lib" / "vis-9.1.2"
    js = (lib / "vis-network.min.js").read_text(encoding="utf-8")
    css = (lib / "vis-network.css").read_text(encoding="utf-8")
    # Inlined verbatim, so they must not be able to close their own element.
    if "</script" in js.lower() or "<!--" in js or "</style" in css.lower():
        raise RuntimeError("vis-network asset contains markup that would break inlining")
    return js, css


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("finflow.views", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def static_text(name: str) -> str:
    """A static file (script or stylesheet) shipped beside the templates."""
    return (resources.files("finflow.views") / "templates" / name).read_text(encoding="utf-8")


def render_template(name: str, **context: Any) -> str:
    """Render one of our templates (autoescaped)."""
    return _environment().get_template(name).render(**context)


def write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 with ``\\n`` line ends (same text, same bytes on every platform)."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(text.encode("utf-8"))
    return out
