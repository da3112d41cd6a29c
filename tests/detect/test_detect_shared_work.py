"""Work detectors share (per-currency views, caches, per-value mapping) never changes a finding.

The byte-for-byte comparison of two code versions on generated 20k and 200k cases is
``benchmarks/bench_detection_cpu.py --findings-out``; these tests pin the invariants that make
sharing safe on every run.
"""

from __future__ import annotations

import copy

import pandas as pd
import pyarrow as pa
import pytest

from finflow.case import open_case
from finflow.casedata import CaseData
from finflow.config import load_config
from finflow.detect.registry import detectors, run_detector, run_detectors
from finflow.detect.rent import _per_value
from finflow.model import TABLES
from finflow.resolve import resolve_parties
from finflow.synth import generate


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> CaseData:
    root = tmp_path_factory.mktemp("shared")
    generate(5, 6000, root / "in")
    case = open_case(root / "case")
    files = sorted(p for p in (root / "in").iterdir() if p.is_file() and p.name != "ground_truth.json")
    for report in case.import_files(files):
        assert report.status != "failed", report
    tables = {n: case.table(n).to_pandas(types_mapper=pd.ArrowDtype) for n in TABLES}
    resolved, _ = resolve_parties(tables)
    # every fourth transaction in EUR: detectors then run once per currency, on per-currency views
    tx = resolved["transactions"]
    tx["currency"] = tx["currency"].where(pd.Series(range(len(tx)), index=tx.index) % 4 != 0, "EUR")
    return CaseData.from_tables(resolved)


def _doc(findings) -> list[dict]:
    return sorted((f.to_dict() for f in findings), key=lambda d: (d["detector"], d["finding_id"]))


def test_one_detector_at_a_time_finds_what_the_whole_run_finds(generated):
    """Detectors run one by one on one case (sharing its views and caches) give exactly the findings
    of each detector run on a fresh copy of the case (nothing shared), and of run_detectors."""
    assert len(generated.currencies()) > 1, "the generated case should hold several currencies"
    config = load_config()
    shared = copy.copy(generated)
    one_by_one = [f for d in detectors() for f in run_detector(d, shared, config[d.section])]
    fresh = [f for d in detectors() for f in run_detector(d, copy.deepcopy(generated), config[d.section])]
    assert one_by_one, "the generated case should raise findings"
    assert _doc(one_by_one) == _doc(fresh)
    assert _doc(one_by_one) == _doc(run_detectors(copy.deepcopy(generated), config))


def test_per_value_mapping_equals_mapping_each_row():
    values = pd.Series(["a", None, "b", "a", "c", None, "b"], dtype=pd.ArrowDtype(pa.string()))
    calls: list[object] = []

    def func(v):
        calls.append(v)
        return f"<{v}>" if isinstance(v, str) else "none"

    mapped = _per_value(values, func)
    assert mapped.tolist() == ["<a>", "none", "<b>", "<a>", "<c>", "none", "<b>"]
    assert mapped.index.equals(values.index)
    assert len(calls) == 4  # a, b, c once each, and one call for the nulls
