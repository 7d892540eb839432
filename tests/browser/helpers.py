"""Helpers for the browser tests: the Streamlit server process, page readiness, charts, widgets.

Nothing here imports Playwright at module level: without it the fixtures skip instead of
the collection failing.

How a run is awaited:

- after ``page.goto`` the app's script state is ``initial`` until the first run starts, so
  ``wait_ready`` (script ``notRunning``, no skeleton or stale element, a title, every chart
  drawn) is enough;
- after an interaction the old page is still ``notRunning`` until the server answers, so
  ``rerun()`` first waits for the server's ``script_finished`` message on the page's
  websocket, then until the page has shown that run (its script state left ``notRunning``,
  counted by a MutationObserver), then for ``wait_ready``.

A chart's "signature" is what it shows: the texts (cell values, axis labels, title) and the
fill and geometry of every mark of its SVG, or the pixels of its canvas.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, WebSocket

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 1000}
TIMEOUT_MS = 30_000
SERVER_START_TIMEOUT_S = 60.0

CHART = "[data-testid='stVegaLiteChart']"
EXCEPTION = "[data-testid='stException']"
WARNING = "[data-testid='stAlertContentWarning']"
SIDEBAR = "[data-testid='stSidebar']"
GRID = "[data-testid='stDataFrame']"

# --- the server --------------------------------------------------------------------------------


class ServerURL(str):
    """The base URL of a running Streamlit server (a plain ``str``), with its log file."""

    log_path: Path

    def __new__(cls, url: str, log_path: Path) -> ServerURL:
        obj = super().__new__(cls, url)
        obj.log_path = log_path
        return obj

    def log(self, tail: int = 20_000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-tail:]
        except OSError as exc:
            return f"(server log unreadable: {exc})"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _health(url: str) -> str | None:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
            return resp.read().decode(errors="replace").strip()
    except (urllib.error.URLError, OSError):
        return None


@contextlib.contextmanager
def streamlit_server(timeout_s: float = SERVER_START_TIMEOUT_S) -> Iterator[ServerURL]:
    """``streamlit run app.py`` on a free loopback port; yields its URL once healthy."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    fd, name = tempfile.mkstemp(prefix="streamlit-e2e-", suffix=".log")
    log_path = Path(name)
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        # Others edit the sources while tests run: no watcher, no "source changed" prompt.
        "--server.fileWatcherType",
        "none",
    ]
    with os.fdopen(fd, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
    server = ServerURL(url, log_path)
    try:
        deadline = time.monotonic() + timeout_s
        while _health(url) != "ok":
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with code {proc.returncode}; its log:\n{server.log()}")
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"streamlit did not answer {url}/_stcore/health in {timeout_s:.0f} s; log:\n{server.log()}"
                )
            time.sleep(0.2)
        yield server
    finally:
        _stop(proc)
        with contextlib.suppress(OSError):
            log_path.unlink()


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # start_new_session: the group id is the pid
        proc.wait(timeout=10)


# --- pages -------------------------------------------------------------------------------------


@dataclass
class _Tracker:
    socket: WebSocket | None = None
    page_errors: list[str] = field(default_factory=list)


# window.__stBusy counts the times the app's script state left "notRunning" (running, rerun requested...).
_COUNT_RUNS_JS = """
window.__stBusy = 0;
document.addEventListener('DOMContentLoaded', () => {
  new MutationObserver(records => {
    for (const r of records) {
      if (r.target.getAttribute('data-test-script-state') !== 'notRunning') window.__stBusy += 1;
    }
  }).observe(document.body, {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});
});
"""

_trackers: weakref.WeakKeyDictionary[Any, _Tracker] = weakref.WeakKeyDictionary()


def _tracker(page: Page) -> _Tracker:
    return _trackers.setdefault(page, _Tracker())


def open_page(browser: Browser) -> tuple[BrowserContext, Page]:
    """A fresh context (its own cookies: a new Streamlit session) and a page watching its websocket."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(_COUNT_RUNS_JS)
    page = context.new_page()
    tracker = _tracker(page)

    def on_socket(ws: WebSocket) -> None:
        if ws.url.endswith("/_stcore/stream"):
            tracker.socket = ws

    page.on("websocket", on_socket)
    page.on("pageerror", lambda exc: tracker.page_errors.append(str(exc)))
    return context, page


def _run_ended(payload: Any) -> bool:
    """Is this websocket frame the server's ``script_finished`` of a run that was not interrupted?"""
    if not isinstance(payload, bytes | bytearray):
        return False
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    try:
        msg = ForwardMsg.FromString(bytes(payload))
    except Exception:
        return False
    return msg.WhichOneof("type") == "script_finished" and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN


_READY_JS = """
([minCharts, describe]) => {
  const app = document.querySelector("[data-testid='stApp']");
  const charts = [...document.querySelectorAll("[data-testid='stVegaLiteChart']")];
  const state = {
    script: app && app.getAttribute('data-test-script-state'),
    connection: app && app.getAttribute('data-test-connection-state'),
    skeletons: document.querySelectorAll("[data-testid='stSkeleton']").length,
    stale: document.querySelectorAll("[data-stale='true']").length,
    title: !!document.querySelector("[data-testid='stMain'] h1"),
    exception: document.querySelectorAll("[data-testid='stException']").length,
    charts: charts.length,
    drawn: charts.filter(c => c.querySelector('canvas, svg')).length,
  };
  if (describe) return state;
  const settled = state.script === 'notRunning' && state.connection === 'CONNECTED'
    && state.skeletons === 0 && state.stale === 0 && state.title;
  return settled && (state.exception > 0 || (state.charts >= minCharts && state.drawn === state.charts));
}
"""


def wait_ready(page: Page, *, timeout: float = TIMEOUT_MS, min_charts: int = 1) -> None:
    """Wait until the run is over and every chart is drawn; then fail on any exception element."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    try:
        page.wait_for_function(_READY_JS, arg=[min_charts, False], timeout=timeout, polling=50)
    except PlaywrightTimeoutError:
        state = page.evaluate(_READY_JS, [min_charts, True])
        raise AssertionError(f"page {page.url} not ready after {timeout / 1000:.0f} s: {state}") from None
    assert_no_exception(page)


def assert_no_exception(page: Page) -> None:
    exceptions = page.locator(EXCEPTION)
    assert exceptions.count() == 0, f"exception on {page.url}: {exceptions.all_inner_texts()}"
    errors = _tracker(page).page_errors
    assert not errors, f"uncaught errors in the page {page.url}: {errors}"


def goto(page: Page, url: str, *, min_charts: int = 1) -> None:
    page.goto(url)
    wait_ready(page, min_charts=min_charts)


@contextlib.contextmanager
def rerun(page: Page, *, timeout: float = TIMEOUT_MS, min_charts: int = 1) -> Iterator[None]:
    """Around a user action that reruns the script: wait for the server to finish that run, then for the page."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    ws = _tracker(page).socket
    assert ws is not None and not ws.is_closed(), "the page has no open Streamlit websocket"
    busy = page.evaluate("window.__stBusy")
    with ws.expect_event("framereceived", predicate=_run_ended, timeout=timeout):
        yield
    # The server is done, but the page may not have processed the run yet: wait until it has
    # at least shown it. React can batch a very short run's "running" away; then, after 3 s,
    # that render is long past and wait_ready alone is right.
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function("(n) => window.__stBusy > n", arg=busy, timeout=3_000, polling=50)
    wait_ready(page, timeout=timeout, min_charts=min_charts)


# --- what the page shows ----------------------------------------------------------------------

_SIGNATURE_JS = r"""
(el) => {
  const svg = el.querySelector('svg.marks') || el.querySelector('svg');
  if (svg) {
    const texts = [...svg.querySelectorAll('text')].map(t => t.textContent);
    const marks = [...svg.querySelectorAll('path, rect, image, line')]
      .map(m => [m.getAttribute('fill'), m.getAttribute('d'), m.getAttribute('href'), m.getAttribute('transform')]
        .map(v => (v || '').replace(/url\([^)]*\)/g, 'url()'))  // gradient ids count renders
        .join('|'));
    return JSON.stringify({texts, marks});
  }
  const canvas = el.querySelector('canvas');
  return canvas ? canvas.toDataURL() : '';
}
"""

_SIGNATURES_JS = f"""
() => [...document.querySelectorAll("[data-testid='stVegaLiteChart']")].map({_SIGNATURE_JS})
"""

_TITLE_JS = """
(el) => { const t = el.querySelector('svg .role-title text'); return t ? t.textContent : null; }
"""


def chart_count(page: Page) -> int:
    return page.locator(CHART).count()


def signatures(page: Page) -> list[str]:
    """What every chart on the page shows, in page order."""
    return page.evaluate(_SIGNATURES_JS)


def chart_titles(page: Page) -> list[str | None]:
    return page.locator(CHART).evaluate_all(f"els => els.map({_TITLE_JS})")


def chart_index(page: Page, title: str) -> int:
    titles = chart_titles(page)
    assert title in titles, f"no chart titled {title!r} on {page.url}: {titles}"
    return titles.index(title)


def signature(page: Page, index: int) -> str:
    return page.locator(CHART).nth(index).evaluate(_SIGNATURE_JS)


def wait_signature_change(page: Page, index: int, before: str, *, timeout: float = 10_000) -> str:
    """Chart ``index`` redraws asynchronously after a run: wait until it shows something else than ``before``."""
    page.wait_for_function(
        f"""([i, before]) => {{
            const el = document.querySelectorAll("[data-testid='stVegaLiteChart']")[i];
            return !!el && ({_SIGNATURE_JS})(el) !== before;
        }}""",
        arg=[index, before],
        timeout=timeout,
        polling=50,
    )
    return signature(page, index)


def wait_signature_equal(page: Page, index: int, expected: str, *, timeout: float = 10_000) -> None:
    """Wait until chart ``index`` shows ``expected`` (it may still be redrawing)."""
    page.wait_for_function(
        f"""([i, expected]) => {{
            const el = document.querySelectorAll("[data-testid='stVegaLiteChart']")[i];
            return !!el && ({_SIGNATURE_JS})(el) === expected;
        }}""",
        arg=[index, expected],
        timeout=timeout,
        polling=50,
    )


def wait_signatures_equal(page: Page, expected: list[str], *, timeout: float = 10_000) -> None:
    """Wait until the page's charts show exactly ``expected`` (a chart may still be redrawing)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    try:
        page.wait_for_function(
            f"(expected) => JSON.stringify(({_SIGNATURES_JS})()) === JSON.stringify(expected)",
            arg=expected,
            timeout=timeout,
            polling=50,
        )
    except PlaywrightTimeoutError:
        got = signatures(page)
        differ = [i for i, (a, b) in enumerate(zip(got, expected, strict=False)) if a != b]
        raise AssertionError(
            f"charts differ on {page.url}: {len(got)} charts vs {len(expected)} expected; differing indices {differ}; "
            f"titles {chart_titles(page)}"
        ) from None


def chart_numbers(sig: str, decimal_comma: bool = False) -> list[float]:
    """The numbers written in a chart (cell values, axis and legend ticks), from its signature; with
    ``decimal_comma``, as Portuguese and Spanish pages write them ("2,500")."""
    numbers = []
    for text in json.loads(sig).get("texts", []) if sig.startswith("{") else []:
        text = text.replace("\u2212", "-")
        if decimal_comma:
            text = text.replace(".", "").replace(",", ".")
        with contextlib.suppress(ValueError):
            numbers.append(float(text))
    return numbers


def title(page: Page) -> str:
    return page.locator("[data-testid='stMain'] h1").first.inner_text().strip()


def as_read(text: str) -> str:
    """Text as a reader sees it: without the invisible bidi isolates set around each argument of a message."""
    return text.replace("\u2068", "").replace("\u2069", "")


def warnings(page: Page) -> list[str]:
    return [as_read(t) for t in page.locator(WARNING).all_inner_texts()]


def query(page: Page) -> dict[str, str]:
    from urllib.parse import parse_qsl, urlsplit

    return dict(parse_qsl(urlsplit(page.url).query))


# --- widgets, found by their session-state key (the same in both languages) ---------------------


def key(name: str) -> str:
    """The element container of the widget with key ``name``."""
    return f".st-key-{name}"


def slider_value(page: Page, name: str) -> int:
    return int(page.locator(f"{key(name)} input[type='range']").input_value())


def slider_label(page: Page, name: str) -> str:
    """The number the slider shows on its thumb."""
    return page.locator(f"{key(name)} [data-testid='stSliderThumbValue']").inner_text().strip()


def press_slider(page: Page, name: str, key_name: str) -> None:
    """Focus the slider's thumb and press one key, as a keyboard user does; waits for the rerun."""
    thumb = page.locator(key(name)).get_by_role("slider")
    thumb.focus()
    with rerun(page):
        page.keyboard.press(key_name)


def radio_value(page: Page, name: str) -> str:
    checked = page.locator(f"{key(name)} input[type='radio']:checked")
    return checked.locator("xpath=ancestor::label[1]").inner_text().strip()


def number_value(page: Page, name: str) -> str:
    return page.locator(f"{key(name)} input[type='number']").input_value()


def selectbox_value(page: Page, name: str) -> str:
    return page.locator(f"{key(name)} [role='combobox']").input_value()


def widget_values(page: Page) -> dict[str, str]:
    """The sidebar's settings, and the head count where the page has the slider."""
    values = {
        "mode": radio_value(page, "w_mode"),
        "seed": number_value(page, "w_seed"),
        "lang": selectbox_value(page, "w_lang"),
    }
    if page.locator(key("w_heads")).count():
        values["heads"] = str(slider_value(page, "w_heads"))
    return values


def click_nav(page: Page, label: str) -> None:
    """Follow a sidebar navigation link (same session, unlike ``page.goto``)."""
    with rerun(page):
        page.locator(SIDEBAR).get_by_role("link", name=label).click()
