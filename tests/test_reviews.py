"""Reviewed findings persist in the case, show in every output, and survive re-imports and re-runs."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from dataclasses import replace

import pytest
from casebuilder import account, write_generic_csv
from click.testing import CliRunner

from finflow.cli import main
from finflow.detect.base import Finding
from finflow.investigate import investigate
from finflow.outputs import OutputSettings
from finflow.reviews import REVIEWS_FILE, add_review, evidence_hash, read_reviews, review_states
from finflow.synth import generate

FEW_VIEWS = OutputSettings(subject_views=1, finding_views=3)
SCRIPT_NOTE = "<script>alert(1)</script> checked against the bank letter \x1b[31m"


def _run(root, settings=FEW_VIEWS, out="out"):
    return investigate(root / "in", case_dir=root / "case", out_dir=root / out, settings=settings)


def _doc(root, out="out"):
    return {f["finding_id"]: f for f in json.loads((root / out / "findings.json").read_text("utf-8"))["findings"]}


@pytest.fixture
def generated(tmp_path):
    generate(7, 1000, tmp_path / "in")
    return tmp_path


def _suspect_finding(result):
    """A finding whose first subject is a ranked suspect (so dismissing it can move a rank)."""
    ranked = set(result.subjects.suspects["finding_ids"].str.split(",").explode())
    return next(f for f in result.findings if f.finding_id in ranked and f.subjects[0].role != "possible_victim")


def test_dismissed_finding_stays_dismissed_after_reimport_and_rerun(generated):
    first = _run(generated)
    finding = _suspect_finding(first)
    add_review(generated / "case", finding.finding_id, "dismissed", SCRIPT_NOTE, "Kari")
    # the same files imported again (nothing new) and the detectors run again
    second = _run(generated)
    assert all(r.status != "imported" for r in second.reports), "the re-import should add nothing"
    item = _doc(generated)[finding.finding_id]
    assert item["review"]["status"] == "dismissed"
    assert item["review"]["changed_since_review"] is False
    assert item["review"]["by"] == "Kari" and item["review"]["note"] == SCRIPT_NOTE
    # dismissed: no longer raises its subjects' rank
    ranked = ",".join(second.subjects.suspects["finding_ids"]) + "," + ",".join(second.subjects.victims["finding_ids"])
    assert finding.finding_id in ",".join(first.subjects.suspects["finding_ids"])
    assert finding.finding_id not in ranked
    # ... unless asked to show dismissed findings anyway
    shown = _run(generated, settings=replace(FEW_VIEWS, show_dismissed=True), out="out-all")
    assert finding.finding_id in ",".join(shown.subjects.suspects["finding_ids"])
    # the report shows the status and note, escaped
    html = (generated / "out" / "report.html").read_text("utf-8")
    md = (generated / "out" / "report.md").read_text("utf-8")
    assert "[dismissed]" in html and "<script>alert(1)" not in html and "&lt;script&gt;" in html
    assert "Review: dismissed by Kari" in md
    csv_text = (generated / "out" / "findings.csv").read_text("utf-8-sig")
    assert "dismissed" in csv_text


def test_changed_evidence_is_flagged(generated):
    result = _run(generated)
    finding = next(f for f in result.findings if len(f.evidence_txn_ids) >= 2)
    add_review(generated / "case", finding.finding_id, "confirmed", "seen", "Ola")
    reviews = read_reviews(generated / "case")
    same = review_states(reviews, [finding], result.data)[finding.finding_id]
    assert same.status == "confirmed" and not same.changed_since_review
    # the same pattern about the same subjects on other evidence: a new id, the review still applies
    narrower = Finding(
        finding.detector, finding.subjects, finding.score, finding.summary, finding.parameters,
        finding.evidence_txn_ids[1:], finding.evidence_records, finding.metrics,
    )  # fmt: skip
    assert narrower.finding_id != finding.finding_id
    state = review_states(reviews, [narrower], result.data)[narrower.finding_id]
    assert state.status == "confirmed" and state.changed_since_review
    assert state.label == "confirmed (changed since review)"
    # the same evidence ids whose transactions changed (a corrected amount in a new extract)
    data = result.data
    altered = data.transactions.copy()
    row = altered.index[altered["txn_id"] == finding.evidence_txn_ids[0]][0]
    altered.loc[row, "amount_minor"] = int(altered.loc[row, "amount_minor"]) + 1
    changed_data = replace(data, transactions=altered)
    assert evidence_hash(changed_data, finding) != evidence_hash(data, finding)
    assert review_states(reviews, [finding], changed_data)[finding.finding_id].changed_since_review
    # an unrelated finding has no review
    other = next(f for f in result.findings if f.finding_id != finding.finding_id)
    assert other.finding_id not in review_states(reviews, [other], data)


def test_history_is_append_only_and_latest_wins(generated):
    result = _run(generated)
    fid = result.findings[0].finding_id
    add_review(generated / "case", fid, "dismissed", "first look", "A", now="2026-01-01T00:00:00Z")
    add_review(generated / "case", fid, "open", "new bank letter", "B", now="2026-01-02T00:00:00Z")
    history = read_reviews(generated / "case")
    assert [(r.status, r.by) for r in history] == [("dismissed", "A"), ("open", "B")]
    state = review_states(history, result.findings, result.data)[fid]
    assert state.status == "open" and len(state.history) == 2
    _run(generated)
    item = _doc(generated)[fid]
    assert item["review"]["status"] == "open" and [h["status"] for h in item["review"]["history"]] == [
        "dismissed", "open"
    ]  # fmt: skip


def test_review_cli_errors_and_list(generated):
    runner = CliRunner()
    result = runner.invoke(main, ["review", "finding-0000", "--status", "dismissed", "--case", str(generated / "c")])
    assert result.exit_code == 1 and "run `finflow investigate`" in result.output and "Traceback" not in result.output
    run = _run(generated)
    fid = run.findings[0].finding_id
    case = str(generated / "case")
    result = runner.invoke(main, ["review", "finding-nope", "--status", "confirmed", "--case", case])
    assert result.exit_code == 1 and "not a finding of the last run" in result.output
    result = runner.invoke(main, ["review", fid, "--case", case])
    assert result.exit_code == 1 and "--status" in result.output
    result = runner.invoke(
        main, ["review", fid, "--status", "confirmed", "--note", SCRIPT_NOTE, "--by", "Eva", "--case", case]
    )
    assert result.exit_code == 0, result.output
    listed = runner.invoke(main, ["review", "list", "--case", case])
    assert fid in listed.output and "confirmed" in listed.output and "Eva" in listed.output
    assert "\x1b" not in listed.output, "extract or note text must not reach the terminal with control characters"


def test_concurrent_reviews_and_investigate_lose_nothing(generated):
    """Reviews written by two processes while a third runs investigate: every one is kept."""
    first = _run(generated)
    ids = [f.finding_id for f in first.findings[:6]]
    assert len(ids) >= 4
    case, cmd = str(generated / "case"), [sys.executable, "-m", "finflow.cli"]
    investigating = subprocess.Popen(
        [*cmd, "investigate", str(generated / "in"), "--case", case, "--out", str(generated / "out2"),
         "--subject-views", "0", "--finding-views", "0", "--traces", "0", "--wait", "120"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    writers = []
    for half in (ids[0::2], ids[1::2]):
        script = " && ".join(
            shlex.join(
                [*cmd, "review", fid, "--status", "dismissed", "--note", f"n-{fid}", "--case", case, "--wait", "120"]
            )
            for fid in half
        )
        writers.append(subprocess.Popen(script, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
    for process in [*writers, investigating]:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err.decode()
    kept = read_reviews(case)
    assert sorted(r.finding_id for r in kept) == sorted(ids)
    assert {r.note for r in kept} == {f"n-{fid}" for fid in ids}
    lines = (generated / "case" / REVIEWS_FILE).read_text("utf-8").splitlines()
    assert len(lines) == len(ids) and all(json.loads(line)["status"] == "dismissed" for line in lines)


def test_investigate_says_what_changed_since_the_previous_run(generated):
    first = _run(generated)
    assert first.changes is not None and first.changes.first_run
    again = _run(generated)
    assert again.changes.lines() == ["Nothing changed since the previous run: same sources, findings and ranks."]
    # a new statement: one account paid by many distinct senders at night (new money, new sources)
    payee = account(900)
    rows = [
        {"date": f"2026-05-{day:02d}", "time": "02:30", "amount": "500", "currency": "NOK",
         "from_account": account(1000 + i), "from_name": f"Sender {i}", "to_account": payee, "to_name": "New Payee",
         "description": "vipps"}
        for i, day in enumerate(range(1, 29))
    ]  # fmt: skip
    write_generic_csv(generated / "in" / "new-statement.csv", rows)
    third = _run(generated)
    changes = third.changes
    assert changes.new_sources == ["new-statement.csv"] or any("new-statement.csv" in s for s in changes.new_sources)
    md = (generated / "out" / "report.md").read_text("utf-8")
    top = md.split("\n## ")[1]
    assert top.startswith("Since the previous run") and "new source" in top
    new_ids = {f.finding_id for f in third.findings} - {f.finding_id for f in again.findings}
    assert len(changes.new_findings) == len(new_ids)
    assert all(any(fid in line for line in changes.new_findings) for fid in new_ids)
    gone = {f.finding_id for f in again.findings} - {f.finding_id for f in third.findings}
    assert len(changes.gone_findings) == len(gone)
