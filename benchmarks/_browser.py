"""What the browser benchmarks share: the e2e helpers (imported by path), in-page timing, the server's /proc.

``tests/browser/helpers.py`` already starts a server (free loopback port, health wait,
teardown), opens pages and waits for runs; it is loaded here by its path, so nothing moves.

In-page timing (``BENCH_JS``, an init script): every time the DOM changes or a canvas is
painted, the page checks the issue's "drawn" condition — Streamlit's script state
``notRunning`` and every ``stVegaLiteChart`` holding its canvas or svg (plus: connected, no
skeleton, no stale element, a title, the expected number of charts, or at least one when
that number is -1) — and stamps ``performance.now()`` when it becomes true.
``performance.now()`` counts from the start of the navigation, so a page load is timed from
navigation start with no polling error. A key or mouse press starts an interaction; with
``afterKey`` the condition then also needs a new script run, and with ``repaint`` every chart
painted after the press (an svg chart when the DOM inside it changes, a canvas when Vega
restores its context). ``lastPaintAt`` is the last chart paint seen. The page also stamps the
first websocket message it sent after the press, the first and last messages of the run it
received and when the script state turned ``notRunning``: the time splits into server +
network, Streamlit's React render, and Vega's drawing. Message times are when the page's
main thread handled them, so a busy page shows them late.

Server figures come from /proc (psutil is not installed): VmRSS/VmHWM, utime + stime.
"""

from __future__ import annotations

import contextlib
import importlib.util
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _load_helpers():
    path = ROOT / "tests" / "browser" / "helpers.py"
    spec = importlib.util.spec_from_file_location("browser_helpers", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["browser_helpers"] = module
    spec.loader.exec_module(module)
    return module


H = _load_helpers()

CHROMIUM = os.environ.get("CHROMIUM_PATH") or H.DEFAULT_CHROMIUM

WORDS = (
    "the cat sat on a mat while dog ran to big red house and small bird sang in green tree "
    "under blue sky near old river with cold water"
).split()


def sentence(n_words: int = 512, seed: int = 512) -> str:
    """A fixed sentence of ``n_words`` words drawn from a small word list with a seeded generator."""
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(n_words))


def mh_charts(heads: int) -> int:
    """Charts on /multi-head in paper mode with random weights: a weights map and an output per head, the
    concatenation, the output (the heads' analysis is off until asked for)."""
    return 2 * heads + 2


# --- in-page timing ----------------------------------------------------------------------------

BENCH_JS = r"""
(() => {
  const CHART = "[data-testid='stVegaLiteChart']";
  const B = window.__bench = {
    want: {charts: 1, afterKey: false, repaint: false}, ready: false, readyAt: null, runEndAt: null, sawRunning: false,
    keyAt: null, sendAt: null, busyAtKey: 0, lastMsgAt: null, firstMsgAt: null, msgBytes: 0, lastPaint: 0,
  };
  const restore = CanvasRenderingContext2D.prototype.restore;
  CanvasRenderingContext2D.prototype.restore = function () {
    const t = performance.now();
    if (this.canvas) this.canvas.__paintAt = t;
    B.lastPaint = t;
    schedule();
    return restore.call(this);
  };
  const WS = window.WebSocket;
  window.WebSocket = class extends WS {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        const t = performance.now();
        if (B.firstMsgAt === null) B.firstMsgAt = t;
        B.lastMsgAt = t;
        B.msgBytes += e.data.byteLength ?? e.data.size ?? e.data.length ?? 0;
      });
    }
    send(data) {
      if (B.sendAt === null) B.sendAt = performance.now();
      return super.send(data);
    }
  };
  function predicate() {
    const app = document.querySelector("[data-testid='stApp']");
    if (!app) return false;
    const script = app.getAttribute('data-test-script-state');
    if (script !== 'notRunning') B.sawRunning = true;
    else if (B.sawRunning && B.runEndAt === null) B.runEndAt = performance.now();
    if (script !== 'notRunning' || app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
    if (document.querySelector("[data-testid='stSkeleton'], [data-stale='true']")) return false;
    if (!document.querySelector("[data-testid='stMain'] h1")) return false;
    if (document.querySelector("[data-testid='stException']")) return true;
    const charts = document.querySelectorAll(CHART);
    if (B.want.charts >= 0 ? charts.length !== B.want.charts : charts.length === 0) return false;
    for (const c of charts) {
      const el = c.querySelector('canvas, svg');
      if (!el) return false;
      if (B.want.repaint && !(Math.max(el.__paintAt || 0, c.__paintAt || 0) > B.keyAt)) return false;
    }
    if (B.want.afterKey && !(window.__stBusy > B.busyAtKey)) return false;
    return true;
  }
  let scheduled = false;
  function check() {
    scheduled = false;
    const ok = predicate();
    if (ok && !B.ready) B.readyAt = performance.now();
    B.ready = ok;
  }
  function schedule() {
    if (!scheduled) { scheduled = true; queueMicrotask(check); }
  }
  // A key press or a mouse press starts an interaction: the time origin of what follows.
  function mark() {
    B.keyAt = performance.now();
    B.busyAtKey = window.__stBusy || 0;
    B.ready = false; B.readyAt = null; B.runEndAt = null; B.sawRunning = false;
    B.lastMsgAt = null; B.firstMsgAt = null; B.msgBytes = 0; B.sendAt = null;
  }
  // Resolves once "drawn" holds and no chart has been painted for quietMs (a promise: no polling
  // from the driver, which on a busy machine would itself cost the page CPU).
  window.__benchSettled = (quietMs, timeoutMs) => new Promise((resolve, reject) => {
    const t0 = performance.now();
    const tick = () => {
      const now = performance.now();
      if (B.ready && now - Math.max(B.lastPaint, B.readyAt) >= quietMs) {
        resolve({...B, now});
      } else if (now - t0 > timeoutMs) {
        reject(new Error(`not drawn after ${Math.round(timeoutMs / 1000)} s`));
      } else {
        setTimeout(tick, 25);
      }
    };
    tick();
  });
  document.addEventListener('keydown', mark, true);
  document.addEventListener('mousedown', mark, true);
  // An svg chart is painted when the DOM inside it changes; a canvas when Vega restores its context (above).
  new MutationObserver((records) => {
    const t = performance.now();
    let last = null;
    for (const r of records) {
      const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      if (!el || el === last) continue;
      last = el;
      const chart = el.closest(CHART);
      if (chart) { chart.__paintAt = t; B.lastPaint = t; }
    }
    schedule();
  }).observe(document, {subtree: true, childList: true, attributes: true});
})();
"""

_TIMES_JS = """
() => {
  const B = window.__bench, nav = performance.getEntriesByType('navigation')[0];
  return {readyAt: B.readyAt, sendAt: B.sendAt, runEndAt: B.runEndAt, keyAt: B.keyAt, lastMsgAt: B.lastMsgAt,
          firstMsgAt: B.firstMsgAt, msgBytes: B.msgBytes, lastPaintAt: B.lastPaint,
          htmlAt: nav ? nav.responseEnd : null, domAt: nav ? nav.domContentLoadedEventEnd : null};
}
"""


def install(context) -> None:
    context.add_init_script(script=BENCH_JS)


def want(page, charts: int, after_key: bool = False) -> None:
    """What "drawn" means next: ``charts`` charts (-1: at least one); with ``after_key``, after a new
    script run that followed the next key or mouse press, with every chart painted after it."""
    page.evaluate("w => { window.__bench.want = w; }", {"charts": charts, "afterKey": after_key, "repaint": after_key})


def wait_drawn(page, timeout_ms: float = 60_000, settle_ms: int = 400) -> dict:
    """Wait for the in-page "drawn" stamp, let late paints land, check it still holds; the page's times (ms)."""
    page.wait_for_function("() => window.__bench && window.__bench.ready", timeout=timeout_ms, polling=20)
    page.wait_for_timeout(settle_ms)
    page.wait_for_function("() => window.__bench.ready", timeout=timeout_ms, polling=20)
    return page.evaluate(_TIMES_JS)


class FrameMeter:
    """Bytes of the websocket frames the page receives on Streamlit's stream, via Playwright."""

    def __init__(self, page):
        self.frames: list[tuple[float, int, bool]] = []  # (perf_counter, bytes, is script_finished)
        page.on("websocket", self._on_socket)

    def _on_socket(self, ws) -> None:
        if ws.url.endswith("/_stcore/stream"):
            ws.on("framereceived", self._on_frame)

    def _on_frame(self, payload) -> None:
        size = len(payload) if isinstance(payload, bytes | bytearray) else len(str(payload).encode())
        self.frames.append((time.perf_counter(), size, H._run_ended(payload)))

    def mark(self) -> int:
        return len(self.frames)

    def bytes_since(self, mark: int) -> int:
        """Bytes from frame ``mark`` up to and including the next script_finished."""
        total = 0
        for _, size, finished in self.frames[mark:]:
            total += size
            if finished:
                break
        return total


# --- the server process, from /proc ------------------------------------------------------------


def server_pid(url: str) -> int:
    """The pid of the ``streamlit run`` started for ``url`` (its port is unique on this machine)."""
    port = url.rsplit(":", 1)[1]
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"streamlit" in b" ".join(args) and b"--server.port" in args:
            i = args.index(b"--server.port")
            if i + 1 < len(args) and args[i + 1] == port.encode():
                return int(entry.name)
    raise RuntimeError(f"no streamlit process serves port {port}")


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS (now) and VmHWM (peak) of ``pid`` in KiB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0])
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` (all its threads) in seconds."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def p95(xs):
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[max(0, math.ceil(0.95 * len(s)) - 1)]  # nearest rank


def cpu_by_kind() -> dict[str, float]:
    """CPU seconds of this machine's processes by kind (Chromium by --type, streamlit, playwright driver, others)."""
    out: dict[str, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        cpu = (int(fields[11]) + int(fields[12])) / tick
        cmd = b" ".join(args)
        words = cmd.split()  # Chromium rewrites its children's command line into one string
        if words and b"chrom" in words[0]:
            kind = next((w.decode().split("=", 1)[1] for w in words if w.startswith(b"--type=")), "browser")
            kind = f"chromium {kind}"
        elif b"streamlit" in cmd:
            kind = "streamlit"
        elif b"playwright" in cmd or b"node" in args[0]:
            kind = "playwright driver"
        elif b"python" in args[0]:
            kind = "python (other)"
        else:
            kind = "other"
        out[kind] = out.get(kind, 0.0) + cpu
    return out


REFERENCE_APP = '''"""The reference: Streamlit with a title and one 2 x 2 Altair heatmap on a second page, /chart."""
import os
import sys

import altair as alt
import pandas as pd
import streamlit as st

if os.environ.get("REFERENCE_NODELAY") == "1":  # the app's fix for Streamlit's sockets (ui/sockets.py)
    sys.path.insert(0, os.environ["REFERENCE_ROOT"])
    from ui.sockets import enable_tcp_nodelay

    st.cache_resource(enable_tcp_nodelay)()  # once per process, as the app does at its import


def chart():
    st.title("Reference")
    df = pd.DataFrame({"x": [0, 1, 0, 1], "y": [0, 0, 1, 1], "v": [0.1, 0.4, 0.6, 0.9]})
    st.altair_chart(alt.Chart(df).mark_rect().encode(x="x:O", y="y:O", color="v:Q"), width="content")


st.navigation([st.Page(lambda: st.title("Home"), title="Home", default=True), st.Page(chart, url_path="chart")]).run()
'''


@contextlib.contextmanager
def reference_server(nodelay: bool = True):
    """``streamlit run`` of REFERENCE_APP (from a temporary folder) on a free port, like H.streamlit_server;
    with ``nodelay`` it applies the app's socket fix at its first script run, as the app does."""
    with tempfile.TemporaryDirectory(prefix="streamlit-reference-") as folder:
        (Path(folder) / "reference.py").write_text(REFERENCE_APP)
        port = H.free_port()
        url = f"http://127.0.0.1:{port}"
        log = open(Path(folder) / "log.txt", "wb")  # closed in the finally below
        cmd = [sys.executable, "-m", "streamlit", "run", "reference.py", "--server.port", str(port)]
        cmd += ["--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"]
        env = {**os.environ, "REFERENCE_NODELAY": "1" if nodelay else "0", "REFERENCE_ROOT": str(ROOT)}
        proc = subprocess.Popen(
            cmd, cwd=folder, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True, env=env
        )
        try:
            deadline = time.monotonic() + H.SERVER_START_TIMEOUT_S
            while H._health(url) != "ok":
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the reference server did not start: {(Path(folder) / 'log.txt').read_text()}")
                time.sleep(0.2)
            yield url
        finally:
            H._stop(proc)
            log.close()
