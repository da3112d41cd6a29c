"""End to end on generated cases: every planted collector is flagged, no decoy is."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from finflow.investigate import investigate
from finflow.outputs import OutputSettings
from finflow.synth import generate

SEEDS = range(1, 11)
FEW_VIEWS = OutputSettings(subject_views=1, finding_views=2)


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_collectors_flagged_and_decoys_spared(tmp_path, seed):
    """Every ring is named by some finding through one of its collecting accounts; no decoy is a collector.

    Which detector finds a ring, and through which of its accounts, is the detection benchmark's
    business (``benchmarks/bench_detection.py``): the generator varies how rings hold their money.
    """
    generate(seed, 4000, tmp_path / "in")
    truth = json.loads((tmp_path / "in" / "ground_truth.json").read_text(encoding="utf-8"))
    result = investigate(tmp_path / "in", case_dir=tmp_path / "case", out_dir=tmp_path / "out", settings=FEW_VIEWS)
    named = {s.id for f in result.findings for s in f.subjects}
    flagged = {s.id for f in result.findings if f.detector == "collector" for s in f.subjects}
    rings = [sc["roles"]["collector_accounts"] for sc in truth["scenarios"] if sc["roles"].get("collector_accounts")]
    decoy_accounts = {a for d in truth["decoys"] for a in d["accounts"]}
    assert rings, "the generator planted no collector account"
    missed = [ring for ring in rings if not set(ring) & named]
    assert not missed, f"rings no finding names: {missed}"
    assert not flagged & decoy_accounts, f"decoys flagged: {sorted(flagged & decoy_accounts)}"
    for report in result.reports:
        assert report.status != "imported" or report.reconciles, report


def test_outputs_are_byte_identical_across_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    monkeypatch.setenv("FINFLOW_CASE_KEY", "the-same-key-for-both-cases")  # person ids are keyed per case
    generate(3, 2000, tmp_path / "in")
    outputs = []
    for run in ("a", "b"):
        investigate(
            tmp_path / "in", case_dir=tmp_path / run / "case", out_dir=tmp_path / run / "out", settings=FEW_VIEWS
        )
        files = sorted(p for p in (tmp_path / run).rglob("*") if p.is_file())
        outputs.append({p.relative_to(tmp_path / run).as_posix(): p.read_bytes() for p in files})
    assert outputs[0].keys() == outputs[1].keys()
    assert outputs[0] == outputs[1]


def _bench_module():
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_investigate.py"
    spec = importlib.util.spec_from_file_location("bench_investigate", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_stages_are_the_stages_investigate_reports(tmp_path):
    """bench_investigate.py cuts its per-stage table at investigate's own messages: each must appear, in order."""
    bench = _bench_module()
    generate(5, 3000, tmp_path / "in")
    messages: list[str] = []
    investigate(tmp_path / "in", case_dir=tmp_path / "case", out_dir=tmp_path / "out", settings=FEW_VIEWS,
                progress=messages.append)  # fmt: skip
    pending, opened = list(bench.STAGES), []
    for message in messages:
        i = bench.stage_of(message, pending)
        if i is not None:
            assert i == 0 or pending[0][0] == "traces", f"{message!r} skipped the stages {pending[:i]}"
            opened.append(pending[i][0])
            del pending[: i + 1]
    traced = any(m.startswith("tracing the money") for m in messages)
    expected = [name for name, _ in bench.STAGES if name != "traces" or traced]
    assert opened == expected, messages
