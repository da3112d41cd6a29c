"""Portable source: every text file finflow opens names its encoding, and no path or call is POSIX-only.

Without ``encoding=`` Python reads and writes text in the locale's encoding: UTF-8 on most Linux
machines, cp1252 on a Norwegian Windows machine, where "Løvås" written by one would be garbled by
the other. ruff's PLW1514 (enabled in pyproject.toml) catches ``open()`` and ``Path(...)`` calls;
this test also catches ``path.read_text()`` on any expression and text-mode subprocess pipes.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(
    p for folder in ("finflow", "importers", "queries", "tests", "benchmarks") for p in (ROOT / folder).rglob("*.py")
)
_MODE = re.compile(r"^[rwxabt+U]+$")
_SUBPROCESS = {"run", "Popen", "check_output", "check_call", "call"}


def _literal(node: ast.AST | None) -> object:
    return node.value if isinstance(node, ast.Constant) else None


def _keyword(call: ast.Call, name: str) -> ast.AST | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _positional(call: ast.Call, index: int) -> ast.AST | None:
    return call.args[index] if len(call.args) > index else None


def _text_open_without_encoding(call: ast.Call) -> str | None:
    """What is wrong with ``call``, if it opens text without naming an encoding."""
    func = call.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
    has_encoding = _keyword(call, "encoding") is not None
    if name in ("read_text", "write_text"):  # Path.read_text(encoding), Path.write_text(data, encoding)
        position = 0 if name == "read_text" else 1
        return None if has_encoding or _positional(call, position) is not None else f"{name}() without encoding"
    if name in ("open", "fdopen"):
        if isinstance(func, ast.Attribute) and getattr(func.value, "id", "") == "os" and name == "open":
            return None  # os.open(path, flags): a file descriptor, no text mode
        modes = [_keyword(call, "mode"), *call.args[:2]]
        mode = next((m for m in map(_literal, modes) if isinstance(m, str) and _MODE.match(m)), "r")
        if "b" in mode or has_encoding:
            return None
        if isinstance(func, ast.Name) and _positional(call, 3) is not None:  # open(f, m, buffering, encoding)
            return None
        return f"{name}() in text mode {mode!r} without encoding"
    if name in _SUBPROCESS and isinstance(func, ast.Attribute) and getattr(func.value, "id", "") == "subprocess":
        text = any(_literal(_keyword(call, k)) is True for k in ("text", "universal_newlines"))
        return f"subprocess.{name}(text=True) without encoding" if text and not has_encoding else None
    return None


def _offences(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and (problem := _text_open_without_encoding(node)):
            found.append(f"{path.relative_to(ROOT).as_posix()}:{node.lineno}: {problem}")
    return found


def test_the_check_sees_what_it_should():
    def check(source: str) -> str | None:
        (statement,) = ast.parse(source).body
        assert isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)
        return _text_open_without_encoding(statement.value)

    assert check("open(p)") and check("open(p, 'w')") and check("p.open()") and check("p.open('a')")
    assert check("(tmp / 'x').read_text()") and check("p.write_text(s)")
    assert check("subprocess.run(cmd, text=True)") and check("subprocess.Popen(cmd, universal_newlines=True)")
    assert not check("open(p, 'rb')") and not check("p.open('wb')") and not check("open(p, encoding='utf-8')")
    assert not check("p.read_text('utf-8')") and not check("p.write_text(s, 'utf-8')")
    assert not check("p.read_bytes()") and not check("subprocess.run(cmd, text=True, encoding='utf-8')")
    assert not check("subprocess.run(cmd, capture_output=True)")
    assert not check("os.open(p, os.O_RDONLY)") and check("os.fdopen(fd, 'w')")


def test_sources_are_found():
    names = {p.relative_to(ROOT).as_posix() for p in SOURCES}
    assert {"finflow/cli.py", "importers/camt053.py", "tests/test_portability.py"} <= names


def test_every_text_open_names_its_encoding():
    assert [offence for path in SOURCES for offence in _offences(path)] == []


def test_no_posix_only_calls_or_hand_joined_paths():
    """Calls that do not exist on Windows, and paths glued together with "/" or os.sep."""
    posix_only = re.compile(
        r"\bos\.(fork|getuid|geteuid|getpgid|setsid|killpg|symlink|mkfifo|chown)\(|\bsignal\.SIG(KILL|HUP|USR1|ALRM)\b"
        r"|\bimport (fcntl|pwd|grp|termios|resource)\b|get_context\(\"fork\"\)|os\.sep\s*\+|\+\s*os\.sep|\"/\"\.join\("
    )
    found = []
    for path in SOURCES:
        if path.parts[len(ROOT.parts)] not in ("finflow", "importers", "queries"):
            continue  # tests and benchmarks run on Linux (CI, the benchmark machine); finflow anywhere
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if posix_only.search(line) and "windows-ok" not in line:
                found.append(f"{path.relative_to(ROOT).as_posix()}:{number}: {line.strip()}")
    assert found == []
