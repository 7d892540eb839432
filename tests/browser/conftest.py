"""Fixtures for the end-to-end tests: a Streamlit server, headless Chromium (Debian's), pages.

Playwright's own browser download does not work here: Chromium is launched from
``/usr/bin/chromium`` (or ``$CHROMIUM_PATH``). Without it, or without Playwright, every
browser test is skipped (the root conftest decides what a skip means in CI).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import DEFAULT_CHROMIUM, LAUNCH_ARGS, ServerURL, open_page, streamlit_server


@pytest.fixture(scope="session")
def chromium_path() -> str:
    pytest.importorskip("playwright.sync_api", reason="playwright for Python is not installed")
    path = os.environ.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM
    if not Path(path).is_file() or not os.access(path, os.X_OK):
        pytest.skip(f"no Chromium executable at {path} (set CHROMIUM_PATH, or apt-get install chromium)")
    return path


def _start(label: str) -> Iterator[ServerURL]:
    try:
        cm = streamlit_server()
        server = cm.__enter__()
    except RuntimeError as exc:
        pytest.fail(f"{label}: {exc}", pytrace=False)
    try:
        yield server
    finally:
        cm.__exit__(None, None, None)


@pytest.fixture(scope="session")
def server() -> Iterator[ServerURL]:
    """One ``streamlit run app.py`` for the whole session; yields its base URL."""
    yield from _start("streamlit server")


@pytest.fixture
def cold_server() -> Iterator[ServerURL]:
    """A fresh server process that no session has visited yet."""
    yield from _start("cold streamlit server")


@pytest.fixture(scope="session")
def browser(chromium_path: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, args=LAUNCH_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context, page = open_page(browser)
    yield page
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test carries the log of the server it talked to."""
    report = yield
    if report.failed:
        for name in ("server", "cold_server"):
            server = getattr(item, "funcargs", {}).get(name)
            if isinstance(server, ServerURL):
                report.sections.append((f"{name} log ({server})", server.log()))
    return report
