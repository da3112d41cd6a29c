"""Headless Chromium for the view tests (see the project's browser notes).

A missing browser skips the browser tests locally but FAILS them when
``FINFLOW_REQUIRE_BROWSER=1`` (CI sets it), so CI cannot go green without running them.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("FINFLOW_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("FINFLOW_CHROMEDRIVER", "/usr/bin/chromedriver")

FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--window-size=1400,1000",
]


def _unavailable(reason: str) -> None:
    if os.environ.get("FINFLOW_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser required (FINFLOW_REQUIRE_BROWSER=1) but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One Chromium for the session, with a fresh profile, console and network logs on."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:  # pragma: no cover - depends on the environment
        _unavailable("selenium is not installed")
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        _unavailable(f"{CHROMIUM} or {CHROMEDRIVER} not found")
    profile = tempfile.mkdtemp(prefix="finflow-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    try:
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    except Exception as exc:
        shutil.rmtree(profile, ignore_errors=True)
        _unavailable(f"Chromium did not start: {exc}")
    driver.set_page_load_timeout(60)
    driver.get("about:blank")  # let the start-up pages finish before any log is read
    driver.get_log("browser")
    driver.get_log("performance")
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


class Page:
    """A loaded view or report: its drawn graph, console and requests."""

    def __init__(self, driver: object, path: Path) -> None:
        self.driver = driver
        driver.get_log("browser")  # drop entries from earlier pages
        driver.get_log("performance")
        driver.get(path.resolve().as_uri())

    def wait_ready(self, timeout: float = 30.0) -> None:
        from selenium.webdriver.support.ui import WebDriverWait

        WebDriverWait(self.driver, timeout).until(
            lambda d: d.execute_script("return !!(window.finflow && window.finflow.ready)")
        )

    def js(self, script: str) -> object:
        return self.driver.execute_script(script)

    def console(self) -> list[dict]:
        return self.driver.get_log("browser")

    def requested_urls(self) -> list[str]:
        urls = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.requestWillBeSent":
                urls.append(message["params"]["request"]["url"])
        return urls

    def alert_open(self) -> bool:
        from selenium.common.exceptions import NoAlertPresentException

        try:
            self.driver.switch_to.alert  # noqa: B018 - raises when there is none
        except NoAlertPresentException:
            return False
        return True


@pytest.fixture
def open_page(browser: object):
    def _open(path: Path) -> Page:
        return Page(browser, path)

    return _open
