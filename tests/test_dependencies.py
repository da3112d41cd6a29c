"""The dependency files agree with pyproject.toml: CI's locked and oldest steps test what it declares."""

from __future__ import annotations

from pathlib import Path

from deps import declared, oldest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


def test_constraints_pin_every_dependency_within_its_declared_bounds():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.lower().replace("_", "-")] = version
    for spec in map(Requirement, declared()):
        name = spec.name.lower().replace("_", "-")
        assert name in pins, f"constraints.txt does not pin {spec.name}"
        assert spec.specifier.contains(pins[name]), f"constraints.txt: {spec.name}=={pins[name]} is outside {spec}"
    assert "finflow" not in pins


def test_every_dependency_declares_the_lower_bound_ci_tests():
    pins = dict(p.split("==") for p in oldest())
    assert set(pins) == {Requirement(s).name for s in declared()}
