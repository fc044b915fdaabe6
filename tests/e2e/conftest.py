"""Fixtures for the real-browser tests: the app on a free loopback port and Debian's Chromium.

Without Chromium the tests are skipped with a message saying how to install
it, except under CI=true, where a missing browser is a failure.
"""

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.browser import chromium_path, launch, serve_app, wait_idle  # noqa: E402

ARTIFACTS = ROOT / "test-artifacts"
# classroom links are signed: the test server and this process share the key
os.environ.setdefault("SCRATCHNET_LINK_SECRET", "scratchnet browser tests")
INSTALL_HINT = "Chromium not found: install it with 'apt-get install -y chromium' (Debian) to run the browser tests"


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright; a skip without it, a failure under CI=true."""
    if chromium_path() is None:
        if os.environ.get("CI") == "true":
            pytest.fail(INSTALL_HINT)
        pytest.skip(INSTALL_HINT)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture(scope="session")
def app_url(browser):
    ARTIFACTS.mkdir(exist_ok=True)
    with serve_app(log_path=ARTIFACTS / "streamlit.log") as url:
        yield url


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def page(browser, app_url, request):
    """A fresh browser context (its own Streamlit session); a screenshot is saved if the test fails."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(20000)
    pg.base_url = app_url
    yield pg
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture
def open_app(page):
    """Open a path of the app and wait until Streamlit is idle."""

    def go(path: str = "/"):
        page.goto(page.base_url + path)
        page.wait_for_selector("h1", timeout=60000)  # every page has a title; the first run imports a lot
        wait_idle(page, timeout_ms=60000)
        return page

    return go
