"""investigate's output folder is replaced whole, and only when finflow wrote it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

from finflow import outfolder
from finflow.cli import main
from finflow.investigate import investigate
from finflow.outfolder import MARKER, OutputFolder, OutputFolderError
from finflow.outputs import OutputSettings
from finflow.synth import generate


def _write(folder: OutputFolder, files: dict[str, str]) -> None:
    with folder.staging() as staging:
        for name, text in files.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).write_text(text, encoding="utf-8")


def _tree(path) -> dict[str, str]:
    return {p.relative_to(path).as_posix(): p.read_text(encoding="utf-8") for p in path.rglob("*") if p.is_file()}


def _dead_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, encoding="utf-8"
    )
    return int(done.stdout)


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two renames"])
def test_a_new_run_replaces_the_whole_folder(tmp_path, monkeypatch, exchange):
    if not exchange:
        monkeypatch.setattr(outfolder, "_exchange", lambda first, second: False)
    target = tmp_path / "out"
    _write(OutputFolder(target), {"report.html": "one", "views/finding-001.html": "old view"})
    assert MARKER in os.listdir(target)
    _write(OutputFolder(target), {"report.html": "two", "views/finding-002.html": "new view"})
    tree = _tree(target)
    assert tree.pop(MARKER).startswith("This folder was written by finflow")
    assert tree == {"report.html": "two", "views/finding-002.html": "new view"}
    assert sorted(os.listdir(tmp_path)) == ["out"]  # nothing left beside it


def test_a_failed_run_leaves_the_old_folder_as_it_was(tmp_path):
    target = tmp_path / "out"
    _write(OutputFolder(target), {"report.html": "one"})
    before = _tree(target)
    with pytest.raises(RuntimeError), OutputFolder(target).staging() as staging:
        (staging / "report.html").write_text("half", encoding="utf-8")
        raise RuntimeError("a view failed")
    assert _tree(target) == before and sorted(os.listdir(tmp_path)) == ["out"]


def test_a_folder_holding_only_gitkeep_is_replaced_and_keeps_it(tmp_path):
    target = tmp_path / "graphs"
    target.mkdir()
    (target / ".gitkeep").write_text("", encoding="utf-8")
    _write(OutputFolder(target), {"report.html": "r"})
    assert sorted(os.listdir(target)) == [".finflow-output", ".gitkeep", "report.html"]


def test_foreign_folders_are_refused_and_left_alone(tmp_path, monkeypatch):
    documents = tmp_path / "Documents"
    documents.mkdir()
    (documents / "thesis.docx").write_text("years of work", encoding="utf-8")
    with pytest.raises(OutputFolderError, match=r"holds 1 file\(s\) finflow did not write \(thesis.docx\)"):
        OutputFolder(documents)
    monkeypatch.chdir(documents)
    with pytest.raises(OutputFolderError, match="is the current folder or holds it"):
        OutputFolder(".")
    with pytest.raises(OutputFolderError, match="is the current folder or holds it"):
        OutputFolder(tmp_path)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "case").mkdir()
    with pytest.raises(OutputFolderError, match="holds empty/case, which finflow must not replace"):
        OutputFolder("empty", protect=["empty/case"])
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(OutputFolderError, match="exists and is not a folder"):
        OutputFolder("file")
    assert (documents / "thesis.docx").read_text(encoding="utf-8") == "years of work"


def test_a_folder_set_aside_by_a_crash_between_two_renames_is_put_back(tmp_path):
    target = tmp_path / "out"
    pid = _dead_pid()
    old = tmp_path / f".out.finflow-old-{pid}"
    new = tmp_path / f".out.finflow-new-{pid}"
    old.mkdir()
    (old / "report.html").write_text("old", encoding="utf-8")
    (old / MARKER).write_text("", encoding="utf-8")
    new.mkdir()
    (new / "report.html").write_text("new, maybe half", encoding="utf-8")
    OutputFolder(target)
    assert (target / "report.html").read_text(encoding="utf-8") == "old"
    assert sorted(os.listdir(tmp_path)) == ["out"]


def test_a_process_killed_while_writing_leaves_the_old_folder(tmp_path):
    target = tmp_path / "out"
    _write(OutputFolder(target), {"report.html": "old"})
    script = textwrap.dedent(
        f"""
        import os, signal
        from finflow.outfolder import OutputFolder
        with OutputFolder({str(target)!r}).staging() as staging:
            (staging / "report.html").write_text("half of the new", encoding="utf-8")
            os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, check=False)
    assert done.returncode == -9
    assert (target / "report.html").read_text(encoding="utf-8") == "old"
    _write(OutputFolder(target), {"report.html": "new"})  # the next run clears the killed one's folder
    assert sorted(os.listdir(tmp_path)) == ["out"] and (target / "report.html").read_text(encoding="utf-8") == "new"


def test_investigate_refuses_a_foreign_out_folder_before_any_work(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "tx.csv").write_text("date,amount,currency\n", encoding="utf-8")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep", encoding="utf-8")
    args = ["investigate", str(tmp_path / "in"), "--case", str(tmp_path / "case"), "--out", str(mine)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    (line,) = [line for line in result.output.splitlines() if line]
    assert line.startswith(f"Error: --out {mine}: holds 1 file(s) finflow did not write (notes.txt)")
    assert not (tmp_path / "case").exists() and os.listdir(mine) == ["notes.txt"]


def test_investigate_swaps_in_a_complete_folder(tmp_path):
    generate(5, 500, tmp_path / "in")
    out = tmp_path / "out"
    out.mkdir()
    (out / MARKER).write_text("", encoding="utf-8")
    (out / "views").mkdir()
    (out / "views" / "finding-099-stale.html").write_text("from an earlier run", encoding="utf-8")
    settings = OutputSettings(subject_views=1, finding_views=1, traces=0)
    result = investigate(tmp_path / "in", case_dir=tmp_path / "case", out_dir=out, settings=settings)
    assert not (out / "views" / "finding-099-stale.html").exists()
    assert (out / MARKER).is_file() and (out / "report.html").is_file() and (out / "findings.json").is_file()
    assert all(path.parent in (out, out / "views") and path.is_file() for path in result.outputs.values())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case", "in", "out"]


def test_a_folder_someone_filled_meanwhile_is_not_replaced(tmp_path):
    target = tmp_path / "out"
    folder = OutputFolder(target)
    with pytest.raises(OutputFolderError, match="the new outputs are in"), folder.staging() as staging:
        (staging / "report.html").write_text("new", encoding="utf-8")
        target.mkdir()
        (target / "theirs.txt").write_text("not finflow's", encoding="utf-8")
    assert os.listdir(target) == ["theirs.txt"]
    (kept,) = [p for p in tmp_path.iterdir() if p.name.startswith(".out.finflow-new-")]
    assert (kept / "report.html").read_text(encoding="utf-8") == "new"
