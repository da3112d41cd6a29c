"""Item 3 of the trust issue: every failure reaches the user as one line naming the file, row or
setting, with a non-zero exit; a traceback only with ``finflow --debug``."""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

import pytest
from errcases import CSV_FIXTURES, QUIET, REGISTRY, invoke, one_line_failure, run_finflow, with_duplicate_column

import finflow.casestore
import finflow.ids
import finflow.safecsv
from finflow.case import open_case
from finflow.casestore import current_generation

GENERIC = CSV_FIXTURES["generic_csv"][0]


# --- duplicate header names -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(CSV_FIXTURES))
def test_a_header_naming_a_column_twice_is_one_line_in_every_csv_importer(tmp_path: Path, fmt: str) -> None:
    fixture, delimiter = CSV_FIXTURES[fmt]
    file = with_duplicate_column(fixture, tmp_path / fixture.name, delimiter)
    result = invoke("import", str(file), "--case", str(tmp_path / "case"), "--format", fmt)
    line = one_line_failure(result)
    assert line == "Error: 1 of 1 file(s) could not be imported"
    (skipped,) = [x for x in result.output.splitlines() if "skipped" in x]
    second = fixture.read_text(encoding="utf-8").splitlines()[0].split(delimiter)[1].strip('"')
    assert f"{fixture.name}: row 1 (header) names column {second!r} twice" in skipped
    assert open_case(tmp_path / "case").manifest == []  # nothing half-imported


# --- permission denied, no space left -------------------------------------------------------


def test_an_unreadable_input_file_is_one_line_naming_it(tmp_path: Path, monkeypatch) -> None:
    file = tmp_path / "tx.csv"
    shutil.copy(GENERIC, file)
    file.chmod(0)
    real_open = open

    def denied(path, *args, **kwargs):  # root reads a mode-000 file anyway: deny it as the OS would
        if Path(path) == file:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(finflow.ids, "open", denied, raising=False)
    result = invoke("import", str(file), "--case", str(tmp_path / "case"))
    one_line_failure(result)
    assert f"skipped  {file}: permission denied" in result.output


def test_a_case_folder_that_cannot_be_created_is_one_line_naming_it(tmp_path: Path, monkeypatch) -> None:
    case = tmp_path / "locked" / "case"
    real_mkdir = Path.mkdir

    def denied(self, *args, **kwargs):
        if self == case:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", denied)
    line = one_line_failure(invoke("import", str(GENERIC), "--case", str(case)))
    assert line == f"Error: {case}: permission denied"


def test_a_case_path_through_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("not a folder", encoding="utf-8")
    line = one_line_failure(invoke("import", str(GENERIC), "--case", str(tmp_path / "plain" / "case")))
    assert line == f"Error: {tmp_path / 'plain' / 'case'}: a part of the path is not a folder"


def _full_disk_write_table(table, where, **kwargs):
    """``pq.write_table`` on a full disk: the error pyarrow raises then (as when writing to /dev/full)."""
    Path(where).write_bytes(b"PAR1")  # a part was written before the disk filled
    raise OSError(errno.ENOSPC, "Error writing bytes to file. Detail: [errno 28] No space left on device")


def test_no_space_left_while_committing_is_one_line_and_the_case_stays_as_before(tmp_path: Path, monkeypatch) -> None:
    case = tmp_path / "case"
    first = tmp_path / "first.csv"
    shutil.copy(GENERIC, first)
    assert invoke("import", str(first), "--case", str(case)).exit_code == 0
    before = open_case(case).manifest
    second = tmp_path / "second.csv"
    second.write_text(GENERIC.read_text(encoding="utf-8").replace("2026-01-25", "2026-01-26"), encoding="utf-8")
    monkeypatch.setattr(finflow.casestore.pq, "write_table", _full_disk_write_table)
    line = one_line_failure(invoke("import", str(second), "--case", str(case)))
    assert line.startswith(f"Error: {case / 'generations'}") and line.endswith(".parquet: no space left on the device")
    monkeypatch.undo()
    assert open_case(case).manifest == before
    assert invoke("case", "check", "--case", str(case)).exit_code == 0
    assert invoke("import", str(second), "--case", str(case)).exit_code == 0  # space again: it imports
    assert [e["file"] for e in open_case(case).manifest] == ["first.csv", "second.csv"]


def test_no_space_left_while_writing_outputs_keeps_the_old_folder(tmp_path: Path, monkeypatch) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(GENERIC, inputs / "tx.csv")
    out = tmp_path / "out"
    args = ["investigate", str(inputs), "--case", str(tmp_path / "case"), "--out", str(out), *QUIET]
    assert invoke(*args).exit_code == 0
    before = sorted(p.name for p in out.iterdir())
    real_open = open

    def full(path, mode="r", *a, **kw):
        if "w" in mode:  # the disk is full: as Python reports it from a write, naming no file
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(path, mode, *a, **kw)

    monkeypatch.setattr(finflow.safecsv, "open", full, raising=False)
    line = one_line_failure(invoke(*args))
    assert line.endswith(": no space left on the device") and ".csv" in line
    assert sorted(p.name for p in out.iterdir()) == before
    assert not [p for p in tmp_path.iterdir() if "finflow-new" in p.name]  # the staging folder is gone


# --- a damaged case -----------------------------------------------------------------------------


def _imported_case(tmp_path: Path) -> Path:
    case = tmp_path / "case"
    assert invoke("import", str(GENERIC), "--case", str(case)).exit_code == 0
    return case


@pytest.mark.parametrize("command", [["investigate", str(GENERIC), *QUIET], ["import", str(REGISTRY / "persons.csv")]])
def test_a_truncated_manifest_is_one_line_naming_it_and_the_repair(tmp_path: Path, command: list[str]) -> None:
    case = _imported_case(tmp_path)
    manifest = current_generation(case).file("manifest.json")
    manifest.write_bytes(manifest.read_bytes()[:40])
    line = one_line_failure(invoke(*command, "--case", str(case)))
    assert line.startswith(f"Error: {manifest}: not valid JSON")
    assert "finflow case repair" in line


def test_a_truncated_table_is_one_line_naming_it(tmp_path: Path) -> None:
    case = _imported_case(tmp_path)
    table = current_generation(case).file("tables/transactions.parquet")
    table.write_bytes(table.read_bytes()[:-100])
    out = tmp_path / "out"
    line = one_line_failure(invoke("investigate", str(GENERIC), "--case", str(case), "--out", str(out), *QUIET))
    assert line.startswith(f"Error: {table}: ") and "finflow case repair" in line
    assert not out.exists()


def test_a_pointer_to_nothing_is_one_line(tmp_path: Path) -> None:
    case = _imported_case(tmp_path)
    (case / "CURRENT").write_text("000099\n", encoding="ascii")
    line = one_line_failure(invoke("merges", "list", "--case", str(case)))
    assert line.startswith(f"Error: {case / 'CURRENT'}: names generation 99, which does not exist")


# --- settings of the wrong kind or size -------------------------------------------------------


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("collector:\n  window_days: thirty\n", "setting collector.window_days must be a whole number, not 'thirty'"),
        ("collector:\n  window_days: 99999999999999999999\n",
         "setting collector.window_days = 99999999999999999999 is too large"),
        ("collector:\n  min_person_share: yes\n", "setting collector.min_person_share must be a number, not True"),
        ("night_p2p:\n  night_hours: [22, 6]\n", "setting night_p2p.night_hours[0] must be a text, not 22"),
        ("rent:\n  rent_pattern: '(husleie'\n", "setting rent.rent_pattern is not a valid regular expression"),
        ("collector: 5\n", "setting collector must be a mapping"),
        ("collector:\n  window_days: .nan\n", "setting collector.window_days must be a whole number, not nan"),
    ],
)  # fmt: skip
def test_a_config_value_of_the_wrong_kind_is_one_line_naming_the_setting(
    tmp_path: Path, yaml_text: str, message: str
) -> None:
    config = tmp_path / "settings.yaml"
    config.write_text(yaml_text, encoding="utf-8")
    case = tmp_path / "case"
    out = tmp_path / "out"
    result = invoke("investigate", str(GENERIC), "--case", str(case), "--out", str(out), "--config", str(config))
    line = one_line_failure(result)
    assert line.startswith(f"Error: {config}: {message}")
    assert not case.exists()  # refused before any work


def test_an_employee_count_beyond_64_bits_is_a_reject_not_a_crash(tmp_path: Path) -> None:
    entity = json.loads((REGISTRY / "entity_923609016.json").read_text(encoding="utf-8"))
    entity.update(antallAnsatte=99999999999999999999, harRegistrertAntallAnsatte=True)
    file = tmp_path / "entity_923609016.json"
    file.write_text(json.dumps(entity), encoding="utf-8")
    result = invoke("import", str(file), "--case", str(tmp_path / "case"))
    assert result.exit_code == 0, result.output
    assert "read 1 = loaded 0 + rejected 1 + duplicates 0 (ok)" in result.output
    (reason,) = open_case(tmp_path / "case").table("rejects").column("reason").to_pylist()
    assert reason.startswith("antallAnsatte 99999999999999999999 is more than 10,000,000")


@pytest.mark.parametrize(
    ("param", "message"),
    [
        (f"limit={10**24}", "parameter limit=" + repr(str(10**24)) + " is out of range"),
        ("limit=1e400", "is not a valid int"),
        ("limit=" + "9" * 5000, "is not a valid int"),
    ],
)
def test_a_query_parameter_beyond_64_bits_is_one_line_before_connecting(param: str, message: str) -> None:
    # the server named cannot exist: the parameter must be refused before any connection
    result = invoke("query", "money_trail_out", "-p", "start=x", "-p", param,
                    env={"NEO4J_URI": "bolt://192.0.2.1:7687", "NEO4J_PASSWORD": "x"})  # fmt: skip
    assert message in one_line_failure(result)


def test_a_query_parameter_beyond_64_bits_is_refused_by_the_library_too() -> None:
    from finflow.neo4j.library import QueryLibraryError, load_query

    query = load_query("money_trail_out")
    with pytest.raises(QueryLibraryError, match="out of range"):
        query.bind({"start": "x", "limit": 10**24})
    assert query.bind({"start": "x", "limit": 2**63 - 1})["limit"] == 2**63 - 1


@pytest.mark.parametrize(
    ("uri", "problem"),
    [
        ("bolt://localhost:99999", "the port must be a number from 1 to 65535"),
        ("bolt://localhost:0", "the port must be a number from 1 to 65535"),
        ("bolt://localhost:-1", "the port must be a number from 1 to 65535"),
        ("bolt://localhost:http", "the port must be a number from 1 to 65535"),
        ("http://localhost:7474", "the scheme must be one of bolt"),
        ("bolt://:7687", "names no host"),
    ],
)
def test_a_neo4j_uri_with_a_bad_port_is_one_line(uri: str, problem: str) -> None:
    line = one_line_failure(invoke("query", "case_overview", env={"NEO4J_URI": uri, "NEO4J_PASSWORD": "x"}))
    assert line.startswith(f"Error: Neo4j URI {uri!r}: {problem}")


def test_investigate_neo4j_with_a_bad_uri_fails_before_any_work(tmp_path: Path) -> None:
    case = tmp_path / "case"
    result = invoke("investigate", str(GENERIC), "--case", str(case), "--out", str(tmp_path / "o"), *QUIET, "--neo4j",
                    env={"NEO4J_URI": "neo4j://db:70000", "NEO4J_PASSWORD": "secret"})  # fmt: skip
    assert one_line_failure(result).startswith("Error: NEO4J_URI 'neo4j://db:70000': the port must be")
    assert not case.exists() and "importing" not in result.output


def test_investigate_neo4j_without_credentials_fails_before_any_work(tmp_path: Path) -> None:
    case = tmp_path / "case"
    result = invoke("investigate", str(GENERIC), "--case", str(case), "--out", str(tmp_path / "o"), *QUIET, "--neo4j",
                    env={"NEO4J_PASSWORD": None})  # fmt: skip
    assert "set NEO4J_PASSWORD" in one_line_failure(result)
    assert not case.exists() and "importing" not in result.output


# --- FIFOs, devices, and finflow's own folders ---------------------------------------------------

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")


@needs_fifo
def test_a_fifo_and_a_device_in_the_investigated_folder_are_skipped_and_named(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(GENERIC, inputs / "tx.csv")
    os.mkfifo(inputs / "pipe")
    os.symlink("/dev/zero", inputs / "zero")  # reading it would never end
    result = run_finflow("investigate", str(inputs), "--case", str(tmp_path / "case"), "--out", str(tmp_path / "o"),
                         *QUIET, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"skipped {inputs / 'pipe'}: a FIFO (named pipe), not a regular file" in result.stderr
    assert f"skipped {inputs / 'zero'}: a character device, not a regular file" in result.stderr
    assert "importing 1 file(s)" in result.stderr
    assert [e["file"] for e in open_case(tmp_path / "case").manifest] == ["tx.csv"]


@needs_fifo
def test_importing_a_fifo_by_name_is_one_line_not_a_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    result = run_finflow("import", str(tmp_path / "pipe"), "--case", str(tmp_path / "case"), timeout=60)
    assert result.returncode == 1
    assert "skipped  pipe: a FIFO (named pipe), not a regular file" in result.stderr
    assert "Traceback" not in result.stderr


def test_investigate_dot_skips_its_own_case_and_output_folders(tmp_path: Path) -> None:
    shutil.copy(GENERIC, tmp_path / "tx.csv")
    older = tmp_path / "older-case"  # another run's case, and another output folder
    earlier = run_finflow("investigate", "tx.csv", "--case", str(older), "--out", "older-out", *QUIET, cwd=tmp_path)
    assert earlier.returncode == 0, earlier.stderr
    first = run_finflow("investigate", ".", *QUIET, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    second = run_finflow("investigate", ".", *QUIET, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    for run in (first, second):
        assert "skipped older-case: a finflow case" in run.stderr
        assert "skipped older-out: a finflow output folder" in run.stderr
        assert "importing 1 file(s) from ." in run.stderr
        assert "skipped  " not in run.stderr and "not a recognised format" not in run.stderr
    assert "skipped case: this run's --case folder" in second.stderr
    assert "skipped graphs: this run's --out folder" in second.stderr


# --- --debug ------------------------------------------------------------------------------------


def test_only_debug_shows_the_traceback(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("not a folder", encoding="utf-8")
    args = ["import", str(GENERIC), "--case", str(tmp_path / "plain" / "case")]
    quiet = run_finflow(*args)
    assert quiet.returncode == 1
    line = f"Error: {tmp_path / 'plain' / 'case'}: a part of the path is not a folder"
    assert quiet.stderr.strip().splitlines() == [line]
    loud = run_finflow("--debug", *args)
    assert loud.returncode == 1
    assert "Traceback (most recent call last)" in loud.stderr and "NotADirectoryError" in loud.stderr


def test_an_adapter_bug_fails_its_file_in_one_line_and_the_others_still_import(tmp_path: Path, monkeypatch) -> None:
    from finflow.importers import persons

    def broken(path, source):
        raise KeyError("surprise")

    monkeypatch.setattr(persons, "read", broken)
    result = invoke("import", str(REGISTRY / "persons.csv"), str(GENERIC), "--case", str(tmp_path / "case"))
    assert one_line_failure(result) == "Error: 1 of 2 file(s) could not be imported"
    assert "skipped  persons.csv: internal error (KeyError: 'surprise'); run again with --debug" in result.output
    assert [e["file"] for e in open_case(tmp_path / "case").manifest] == ["transactions.csv"]
