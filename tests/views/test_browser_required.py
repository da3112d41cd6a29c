"""FINFLOW_REQUIRE_BROWSER=1 turns a missing browser into a failure, not a skip."""

import pytest

from .conftest import _unavailable


def test_missing_browser_skips_locally(monkeypatch):
    monkeypatch.delenv("FINFLOW_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception):
        _unavailable("no chromium")


def test_missing_browser_fails_when_required(monkeypatch):
    monkeypatch.setenv("FINFLOW_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="browser required"):
        _unavailable("no chromium")
