"""Shared helpers for the app tests: running pages with AppTest and reading their charts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from ui.screens import SCREENS

ROOT = Path(__file__).resolve().parent.parent
PAGES = {url or "home": path for path, url, _, _ in SCREENS}


def run_app(script: str = "app.py", **params) -> AppTest:
    """A fresh session of ``script`` (app.py or a page file alone), URL query parameters set."""
    at = AppTest.from_file(str(ROOT / script), default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = str(value)
    at.run()
    return at


def charts(at: AppTest) -> list:
    return list(at.get("vega_lite_chart"))


def chart_spec(chart) -> dict:
    return json.loads(chart.proto.spec)


def chart_frame(chart) -> pd.DataFrame:
    """The first dataset a chart ships to the browser (Arrow), as a DataFrame."""
    datasets = chart.proto.datasets
    raw = datasets[0].data.data if datasets else chart.proto.data.data
    return pa.ipc.open_stream(raw).read_all().to_pandas()


def chart_titled(at: AppTest, title: str):
    """The first chart whose title starts with ``title``: a test picks a chart by what it shows, not by
    where it is on the page."""
    titles = chart_titles(at)
    found = [c for c, t in zip(charts(at), titles, strict=True) if isinstance(t, str) and t.startswith(title)]
    assert found, f"no chart titled {title!r}: {titles}"
    return found[0]


def chart_titles(at: AppTest) -> list[str]:
    out = []
    for c in charts(at):
        title = chart_spec(c).get("title")
        out.append(title.get("text") if isinstance(title, dict) else title)
    return out


def plain(text: str) -> str:
    """A message as a reader sees it: no Markdown escapes, no bidi isolates (U+2068, U+2069) around arguments."""
    return re.sub(r"\\(.)", r"\1", text).replace("\u2068", "").replace("\u2069", "")


def assert_clean(at: AppTest) -> None:
    """No exception element and no error box on the page."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


@pytest.fixture
def app():
    return run_app


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded generator for a test's random inputs (the chart tests'; a module may define its own)."""
    return np.random.default_rng(20240611)


# --- CI: browser tests must run --------------------------------------------------------------
# Locally, browser tests skip when Chromium or Playwright is missing. With CI=true a skipped
# (or absent) browser test fails the run, so a missing install step cannot pass unnoticed.

_BROWSER = {"ran": 0, "skipped": 0}


def _in_ci() -> bool:
    import os

    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_runtest_logreport(report):
    if "browser" not in report.keywords:
        return
    if report.skipped:
        _BROWSER["skipped"] += 1
    elif report.when == "call":
        _BROWSER["ran"] += 1


def pytest_sessionfinish(session, exitstatus):
    if not _in_ci() or session.config.option.collectonly:
        return
    selected_browser = any("browser" in item.keywords for item in session.items)
    full_run = not session.config.option.keyword and not session.config.option.markexpr
    if _BROWSER["skipped"] or (full_run and not selected_browser) or (selected_browser and not _BROWSER["ran"]):
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(
                f"CI=true: browser tests must run, but {_BROWSER['skipped']} were skipped and {_BROWSER['ran']} ran",
                red=True,
            )
        session.exitstatus = 1
