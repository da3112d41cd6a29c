"""finflow installs without symlinks: importers/ and queries/ are mapped into the package.

The wheel is built the way ``pip install .`` builds it, installed into a folder of its own and
run from outside the repository, so nothing can come from the source tree by accident.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import finflow
import finflow.importers
from finflow.neo4j.library import list_queries, queries_dir

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = (
    "date,amount,currency,from_account,from_name,to_account,to_name,channel\n"
    "2026-03-02,1200.00,NOK,12030000003,Per Olsen,86011117947,Kari Hansen,p2p\n"
)


def _run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, encoding="utf-8", timeout=600, **kwargs)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel pip builds from a clean copy of the sources (in an isolated build environment).

    A copy, because setuptools packs whatever an earlier build left in ``build/``.
    """
    source, out = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("wheel")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    for folder in ("finflow", "importers", "queries"):
        shutil.copytree(ROOT / folder, source / folder, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    done = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(source))
    assert done.returncode == 0, done.stderr
    (built,) = out.glob("finflow-*.whl")
    return built


def _source_files() -> set[str]:
    """What the wheel must carry, as paths inside the installed package."""
    wanted = {p.relative_to(ROOT).as_posix() for p in (ROOT / "finflow").rglob("*") if p.is_file()}
    wanted = {w for w in wanted if "__pycache__" not in w and not w.endswith(".pyc")}
    wanted |= {f"finflow/importers/{p.name}" for p in (ROOT / "importers").glob("*.py")}
    wanted |= {f"finflow/importers/profiles/{p.name}" for p in (ROOT / "importers" / "profiles").glob("*.yaml")}
    wanted |= {f"finflow/queries/{p.name}" for p in (ROOT / "queries").iterdir() if p.suffix in (".py", ".cypher")}
    return wanted


def test_the_source_tree_has_no_symlinks():
    tracked = ("finflow", "importers", "queries", "tests", "docs", "benchmarks", "graphs")
    links = [p for folder in tracked for p in (ROOT / folder).rglob("*") if p.is_symlink()]
    assert links == []


def test_wheel_carries_every_module_query_and_data_file_and_no_symlink(wheel):
    with zipfile.ZipFile(wheel) as archive:
        infos = archive.infolist()
    names = {i.filename for i in infos}
    package = {n for n in names if not n.startswith("finflow-0")}  # without the .dist-info folder
    assert package == _source_files()
    assert {"finflow/importers/camt053.py", "finflow/queries/money_trail_out.cypher"} <= package
    assert not any(n.startswith(("importers/", "queries/")) for n in names), "top-level packages leaked"
    assert [i.filename for i in infos if stat.S_ISLNK(i.external_attr >> 16)] == []


def test_installed_wheel_imports_loads_queries_and_investigates(wheel, tmp_path):
    site = tmp_path / "site"
    done = _run(sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(site), str(wheel))
    assert done.returncode == 0, done.stderr
    assert not any(p.is_symlink() for p in site.rglob("*"))
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "example.csv").write_text(EXAMPLE, encoding="utf-8")
    probe = (
        "import json, finflow, finflow.importers.camt053 as camt\n"
        "from finflow.neo4j.library import list_queries, load_query, queries_dir\n"
        "print(json.dumps({'finflow': finflow.__file__, 'camt': camt.__file__, 'queries': str(queries_dir()),\n"
        "    'names': list_queries(), 'params': sorted(load_query('money_trail_out').examples)}))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("FINFLOW_QUERIES", None)
    found = _run(sys.executable, "-c", probe, cwd=tmp_path, env=env)
    assert found.returncode == 0, found.stderr
    paths = json.loads(found.stdout)
    for key in ("finflow", "camt", "queries"):
        assert Path(paths[key]).is_relative_to(site), (key, paths[key])
    assert paths["names"] == sorted(p.stem for p in (ROOT / "queries").glob("*.cypher") if p.stem != "schema")
    assert "start" in paths["params"]
    run = _run(
        sys.executable, "-c", "from finflow.cli import main; main()", "investigate", "in", "--case", "c", "--out", "o",
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "o" / "report.html").is_file() and (tmp_path / "o" / "overview.html").is_file()


def test_this_environment_finds_importers_and_queries_where_it_was_installed_from():
    """An editable install (tests/run.sh) maps the top-level folders; a regular one has copies."""
    importers_dir = Path(finflow.importers.__file__).parent
    if Path(finflow.__file__).is_relative_to(ROOT):  # editable, or run from the source tree
        assert importers_dir == ROOT / "importers"
        assert queries_dir() == ROOT / "queries"
    else:
        assert importers_dir == Path(finflow.__file__).parent / "importers"
        assert queries_dir() == Path(finflow.__file__).parent / "queries"
    assert "money_trail_out" in list_queries() and (queries_dir() / "schema.cypher").is_file()

