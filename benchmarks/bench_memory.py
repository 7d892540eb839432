"""Server memory and draw time of the widest 512-token pages, each against a default-width reference.

    python benchmarks/bench_memory.py                    # 12 widest pages, each after its reference
    python benchmarks/bench_memory.py --quick            # 4 widest pages; peak RSS above --max-rss-mb fails
    python benchmarks/bench_memory.py --check            # exit 1 if a target fails
    python benchmarks/bench_memory.py --max-rss-mb 500   # the peak bound (default 700 MB)

One ``streamlit run app.py`` (tests/browser/helpers.py) and one headless Chromium (Debian's,
``/usr/bin/chromium`` or ``$CHROMIUM_PATH``). Pages are opened one after another, each in a new
browser context: a new Streamlit session, as a visitor who opens a shared link.

The widest page: ``preset=random&dim=128&heads=16&ffn=4096&sentence=<512 words>`` (the largest
width, head count and feed-forward width a link accepts), on /self-attention, /multi-head and
/feed-forward, in ``mode=paper`` and ``mode=tutorial``, with ``seed=1`` and ``seed=2``: 12
distinct views. ``--quick`` takes /multi-head and /feed-forward in both modes with seed 1: 4.
The words come from ``_browser.sentence(512)``.

The reference: the default-width 512-token page, ``preset=random&sentence=<the same words>`` with
the default dim, heads and ffn, on the same path, in the same mode and with the same seed, opened
right before each widest page. Why one before each, with the widest page's seed: the server
caches a pass per (mode, sentence, width, heads, ffn, seed) whatever the page path, so the second
and third path of a (mode, seed) may find the pass computed; with the same seed the reference
meets the caches in the same state as its widest page (both computed, or both found), and both
share the same moment's machine noise. Order: path, then mode, then seed.

Before the pages, one default visit (``/<path>`` with no parameters) per path: the first visit
of a fresh server imports the libraries; "RSS after the first default visit" is read after it.

A page's time runs from navigation start until the script has finished and every chart
holds its canvas or svg (at least one chart, no skeleton or stale element), stamped in the page
(benchmarks/_browser.py); "last msg" is when the last websocket message of the run arrived
(the server's share). Errors, which make the exit code 1 whatever the flags: an exception
element, an error element (``st.error``), a link notice (a URL value clamped or ignored: the
page would not be the view asked for), an uncaught page error, or no drawn page within
``--timeout`` seconds (widest pages) or ``--ref-timeout`` (references and default visits).

Server memory, from /proc/<pid>/status: a background thread reads VmRSS and VmHWM (the
kernel's peak) every ``--sample-ms`` (50); peak RSS = max of the samples and the final VmHWM.
Per page: RSS once drawn, and the highest sample while it loaded. If RSS passes
``--abort-rss-mb`` (6144) the sampler kills the server (this script started it), the run stops
and prints what it saw, with exit code 1.

Then one visitor's heaviest actions (issue 16), each in a new context, bounded by ``--action-timeout``:
the widest training a link can ask for (``preset=random&dim=128&heads=16&weights=trained&steps=5000
&train_ffn=1`` on 512 distinct words w0..w511) on /multi-head, and on /train pressing Train (not in
``--quick``); the largest download (the widest 512-token /multi-head, the sidebar's "Save charts,
numbers or this session", then the zip of every matrix and a PNG); and the largest upload (a scenario
file of just under 1 MB: 1,024 words of width 128, the largest table a file may hold). For these a
refusal with a message is a result, not an error; an exception element, the generic "Something went
wrong", or an action still running at its bound is an error.

Targets (the issue): peak RSS <= 700 MB over the widest pages and actions (issue 16; goal 500 MB), and each widest page
drawn in <= 3x the time of its reference. ``--check``: exit 1 if one fails. ``--quick``: exit 1 if
the peak passes ``--max-rss-mb`` (a CI bound; times on a shared CI machine are only printed).
The machine is shared: the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote_plus

from _browser import CHROMIUM, H, install, loadavg, memory_kib, sentence, server_pid, wait_drawn, want

TARGET_RATIO = 3.0
TARGET_RSS_MB = 700.0
GOAL_RSS_MB = 500.0
PATHS = ("self-attention", "multi-head", "feed-forward")
QUICK_PATHS = ("multi-head", "feed-forward")
MODES = ("paper", "tutorial")
SEEDS = (1, 2)
WIDEST = "dim=128&heads=16&ffn=4096"
WORDS = quote_plus(sentence(512))
# What makes a page an error besides an exception: st.error, and a link notice (st.warning).
ERROR_SELECTOR = f"{H.EXCEPTION}, [data-testid='stAlertContentError'], {H.WARNING}"
_DRAWN_OR_ERROR_JS = "(sel) => (window.__bench && window.__bench.ready) || !!document.querySelector(sel)"


class Aborted(Exception):
    """The server's RSS passed the abort bound and the sampler killed it."""


class RssSampler(threading.Thread):
    """Reads the server's VmRSS and VmHWM every ``every_s``; kills it past ``abort_kib``."""

    def __init__(self, pid: int, every_s: float, abort_kib: int):
        super().__init__(daemon=True)
        self.pid, self.every_s, self.abort_kib = pid, every_s, abort_kib
        self.samples: list[int] = []  # VmRSS, KiB
        self.hwm = 0  # the last VmHWM read, KiB
        self.aborted_at: int | None = None
        self._stop_event = threading.Event()

    def run(self) -> None:
        while True:
            try:
                mem = memory_kib(self.pid)
            except OSError:  # the server is gone
                return
            self.samples.append(mem["VmRSS"])
            self.hwm = max(self.hwm, mem["VmHWM"])
            if mem["VmRSS"] > self.abort_kib:
                self.aborted_at = mem["VmRSS"]
                os.kill(self.pid, signal.SIGKILL)  # our own server: spare the shared machine
                return
            if self._stop_event.wait(self.every_s):
                return

    def stop(self) -> None:
        self._stop_event.set()
        self.join()

    def mark(self) -> int:
        return len(self.samples)

    def peak_since(self, mark: int) -> int:
        return max(self.samples[mark:], default=0)

    def peak(self) -> int:
        return max([*self.samples, self.hwm])


@dataclass
class Visit:
    label: str
    url: str
    times: dict = field(default_factory=dict)  # ms from navigation start (_browser._TIMES_JS)
    charts: int = 0
    rss_after: int = 0  # KiB, once drawn
    rss_peak: int = 0  # KiB, the highest sample while it loaded
    error: str | None = None

    @property
    def drawn(self) -> float:
        return self.times.get("readyAt") or float("nan")


def _page_error(page) -> str | None:
    found = page.locator(ERROR_SELECTOR)
    if found.count():
        return f"error element: {' | '.join(t.strip()[:200] for t in found.all_inner_texts())}"
    errors = H._tracker(page).page_errors
    return f"uncaught page error: {errors}" if errors else None


def visit(browser, sampler: RssSampler, label: str, url: str, timeout_s: float) -> Visit:
    """Open ``url`` in a new context, wait until drawn (or an error shows); times, charts, the server's RSS."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    out = Visit(label, url)
    context, page = H.open_page(browser)
    install(context)
    mark = sampler.mark()
    try:
        page.goto(url, wait_until="commit")
        want(page, -1)
        deadline = time.monotonic() + timeout_s
        while True:  # in slices, to notice an abort while the server is busy
            if sampler.aborted_at is not None:
                raise Aborted(label)
            left = deadline - time.monotonic()
            try:
                page.wait_for_function(
                    _DRAWN_OR_ERROR_JS, arg=ERROR_SELECTOR, timeout=max(1, min(2.0, left) * 1000), polling=50
                )
                break
            except PlaywrightTimeoutError:
                if left <= 2.0:
                    state = page.evaluate(H._READY_JS, [1, True])
                    out.error = f"not drawn within {timeout_s:.0f} s: {state}"
                    return out
        out.error = _page_error(page)
        if out.error is None:
            out.times = wait_drawn(page, timeout_ms=max(1000.0, (deadline - time.monotonic()) * 1000))
            out.error = _page_error(page)
        out.charts = H.chart_count(page)
        out.rss_after = memory_kib(sampler.pid)["VmRSS"]
    except PlaywrightTimeoutError as exc:
        out.error = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    except OSError as exc:  # /proc of a server that died
        out.error = f"server gone: {exc}"
    finally:
        out.rss_peak = sampler.peak_since(mark)
        context.close()
    if sampler.aborted_at is not None:
        raise Aborted(label)
    return out


# --- one visitor's heaviest actions ----------------------------------------------------------

HOSTILE_WORDS = quote_plus(" ".join(f"w{i}" for i in range(512)))
WIDEST_TRAINING = "preset=random&dim=128&heads=16&weights=trained&steps=5000&train_ffn=1&seed=1"
SAVE_TOGGLE = "Save charts, numbers or this session"  # share.toggle
GENERIC = "Something went wrong"  # error.unexpected
UPLOAD_INPUT = f"{H.SIDEBAR} [data-testid='stFileUploaderDropzoneInput']"
# Settled: the script not running, a title, every chart drawn (none needed: a refusal has none).
_SETTLED_JS = """
() => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
  if (!document.querySelector("[data-testid='stMain'] h1")) return false;
  if (document.querySelector("[data-testid='stSkeleton'], [data-stale='true']")) return false;
  return [...document.querySelectorAll("[data-testid='stVegaLiteChart']")].every(c => c.querySelector('canvas, svg'));
}
"""


def largest_scenario(limit: int = 1_000_000) -> bytes:
    """A valid scenario file just under ``limit`` bytes: 1,024 words of width 128 (the most a table holds)."""
    import json
    import random

    rng = random.Random(16)
    words = [f"w{i}" for i in range(1024)]
    digits = 4
    while True:
        vectors = [[round(rng.uniform(-1, 1), digits) for _ in range(128)] for _ in words]
        data = json.dumps(
            {
                "app": "attention-explorer",
                "version": 1,
                "settings": {"preset": "random", "dim": "128", "heads": "16", "sentence": " ".join(words[:512])},
                "vocabulary": {"words": words, "vectors": vectors},
            }
        ).encode()
        if len(data) <= limit or digits == 1:
            return data
        digits -= 1


def _settle(page, timeout_s: float) -> None:
    page.wait_for_function(_SETTLED_JS, timeout=timeout_s * 1000, polling=100)


def _action_error(page) -> str | None:
    if page.locator(H.EXCEPTION).count():
        return f"exception element: {page.locator(H.EXCEPTION).first.inner_text()[:200]}"
    generic = [t for t in page.locator("[data-testid='stAlert']").all_inner_texts() if GENERIC in t]
    if generic:
        return f"generic error: {generic[0][:200]}"
    errors = H._tracker(page).page_errors
    return f"uncaught page error: {errors}" if errors else None


def _said(page) -> str:
    alerts = [t.strip().replace("\n", " ")[:90] for t in page.locator("[data-testid='stAlert']").all_inner_texts()]
    return f"{H.chart_count(page)} charts" + (f"; says: {'; '.join(alerts[:2])}" if alerts else "")


def _save_panel(page, timeout_s: float) -> None:
    page.locator(H.SIDEBAR).get_by_text(SAVE_TOGGLE).click()
    page.wait_for_timeout(300)
    _settle(page, timeout_s)


def action(browser, sampler: RssSampler, label: str, url: str, timeout_s: float, what: str = "") -> Visit:
    """Open ``url`` in a new context and do ``what`` there ("train", "download", "upload" or nothing);
    the outcome goes in ``times["said"]``, the server's RSS while it ran in ``rss_peak``."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    out = Visit(label, url)
    context, page = H.open_page(browser)
    mark = sampler.mark()
    t0 = time.perf_counter()
    try:
        page.set_default_timeout(timeout_s * 1000)
        page.goto(url, wait_until="commit")
        _settle(page, timeout_s)
        said = []
        if what == "train":
            button = page.get_by_role("button", name="Train", exact=True)
            if button.count():
                button.click()
                page.wait_for_timeout(500)
                _settle(page, timeout_s)
            else:
                said.append("no Train button")
        elif what == "download":
            _save_panel(page, timeout_s)
            for name in ("All matrices (zip)", "PNG"):
                button = page.locator(H.SIDEBAR).get_by_role("button", name=name)
                if not button.count() or button.first.is_disabled():
                    said.append(f"{name}: not offered")
                    continue
                t1 = time.perf_counter()
                with page.expect_download(timeout=timeout_s * 1000) as info:
                    button.first.click()
                size = Path(info.value.path()).stat().st_size
                said.append(f"{name}: {size / 1e6:.1f} MB in {time.perf_counter() - t1:.1f} s")
        elif what == "upload":
            _save_panel(page, timeout_s)
            data = largest_scenario()
            page.locator(UPLOAD_INPUT).set_input_files(
                files=[{"name": "scenario.json", "mimeType": "application/json", "buffer": data}]
            )
            page.wait_for_timeout(500)
            _settle(page, timeout_s)
            said.append(f"{len(data) / 1e6:.2f} MB sent")
        out.error = _action_error(page)
        said.append(_said(page))
        out.times = {"said": ", ".join(said), "seconds": time.perf_counter() - t0}
        out.charts = H.chart_count(page)
        out.rss_after = memory_kib(sampler.pid)["VmRSS"]
    except PlaywrightTimeoutError:
        out.error = f"still running after {timeout_s:.0f} s"
    except OSError as exc:
        out.error = f"server gone: {exc}"
    finally:
        out.rss_peak = sampler.peak_since(mark)
        context.close()
    if sampler.aborted_at is not None:
        raise Aborted(label)
    return out


def heavy_actions(quick: bool) -> list[tuple[str, str, str]]:
    """(label, path and query, what to do) of one visitor's heaviest actions."""
    out = [("widest training /multi-head", f"/multi-head?{WIDEST_TRAINING}&sentence={HOSTILE_WORDS}", "")]
    if not quick:
        out.append(("widest training /train", f"/train?{WIDEST_TRAINING}&sentence={HOSTILE_WORDS}", "train"))
    out.append(("largest download", f"/multi-head?preset=random&{WIDEST}&sentence={HOSTILE_WORDS}", "download"))
    out.append(("largest upload", "/multi-head", "upload"))
    return out


def views(quick: bool) -> list[tuple[str, str, int]]:
    paths, seeds = (QUICK_PATHS, SEEDS[:1]) if quick else (PATHS, SEEDS)
    return [(path, mode, seed) for path in paths for mode in MODES for seed in seeds]


def mb(kib: float) -> str:
    return f"{kib / 1024:,.0f} MB"


def ms(v: float) -> str:
    return f"{v:,.0f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="4 widest pages; exit 1 if the peak passes --max-rss-mb")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target fails")
    parser.add_argument("--max-rss-mb", type=float, default=TARGET_RSS_MB, help="the peak RSS bound, MB")
    parser.add_argument("--abort-rss-mb", type=float, default=6144.0, help="kill the server and stop past this, MB")
    parser.add_argument("--timeout", type=float, default=120.0, help="s for a widest page to be drawn")
    parser.add_argument("--ref-timeout", type=float, default=60.0, help="s for a reference or default page")
    parser.add_argument("--sample-ms", type=float, default=50.0, help="RSS sampling period")
    parser.add_argument("--action-timeout", type=float, default=None, help="s for a heavy action (60; --quick 30)")
    parser.add_argument("--no-actions", action="store_true", help="only the widest pages, not the heavy actions")
    args = parser.parse_args()
    action_s = args.action_timeout if args.action_timeout is not None else (30.0 if args.quick else 60.0)

    from playwright.sync_api import sync_playwright

    plan = views(args.quick)
    print(f"load average before: {loadavg()}; {os.cpu_count()} CPUs")
    pairs: list[tuple[tuple[str, str, int], Visit, Visit | None]] = []
    warmups: list[Visit] = []
    acted: list[Visit] = []
    aborted: str | None = None
    t_start = time.perf_counter()
    with H.streamlit_server() as server, sync_playwright() as pw:
        pid = server_pid(server)
        rss_start = memory_kib(pid)["VmRSS"]
        sampler = RssSampler(pid, args.sample_ms / 1000, int(args.abort_rss_mb * 1024))
        sampler.start()
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=H.LAUNCH_ARGS, headless=True)
        version = browser.version
        try:
            for path in dict.fromkeys(p for p, _, _ in plan):
                warmups.append(visit(browser, sampler, f"default /{path}", f"{server}/{path}", args.ref_timeout))
            for path, mode, seed in plan:
                common = f"preset=random&mode={mode}&seed={seed}"
                ref = visit(
                    browser, sampler, "reference", f"{server}/{path}?{common}&sentence={WORDS}", args.ref_timeout
                )
                pairs.append(((path, mode, seed), ref, None))
                wide = visit(
                    browser, sampler, "widest", f"{server}/{path}?{common}&{WIDEST}&sentence={WORDS}", args.timeout
                )
                pairs[-1] = ((path, mode, seed), ref, wide)
                print(
                    f"  /{path} {mode} seed {seed}: reference {ms(ref.drawn)}, widest {ms(wide.drawn)}, "
                    f"RSS {mb(wide.rss_after)} (peak {mb(sampler.peak())})",
                    flush=True,
                )
            for label, target, what in () if args.no_actions else heavy_actions(args.quick):
                done = action(browser, sampler, label, f"{server}{target}", action_s, what)
                acted.append(done)
                print(f"  {label}: {done.error or done.times.get('said')}, peak {mb(sampler.peak())}", flush=True)
        except Aborted as exc:
            aborted = str(exc)
        finally:
            browser.close()
            sampler.stop()
        try:
            end = memory_kib(pid)
            hwm_end, rss_end = end["VmHWM"], end["VmRSS"]
        except OSError:  # killed past --abort-rss-mb
            hwm_end, rss_end = sampler.hwm, None
        peak_kib = max(sampler.peak(), hwm_end)
    wall = time.perf_counter() - t_start
    print(f"load average after:  {loadavg()}")

    print(f"\nChromium {version}; widest = {WIDEST}, 512 tokens; reference = default width, same path, mode and seed")
    head = f"{'page':<16} {'mode':<9} {'seed':>4} {'charts':>6} {'reference':>10} {'widest':>10} {'× ref':>6}"
    print(f"{head} {'target':>6} {'':>4} {'RSS after':>10} {'peak while':>10}")
    errors = [f"{v.label} {v.url[:120]}: {v.error}" for v in warmups if v.error]
    slow = False
    for (path, mode, seed), ref, wide in pairs:
        errors += [f"{v.label} /{path} {mode} seed {seed}: {v.error}" for v in (ref, wide) if v and v.error]
        if wide is None:
            print(f"/{path:<15} {mode:<9} {seed:>4} {'':>6} {ms(ref.drawn):>10} {'aborted':>10}")
            continue
        ratio = wide.drawn / ref.drawn
        ok = ratio <= TARGET_RATIO  # NaN (an error) is not ok
        slow |= not ok
        row = f"/{path:<15} {mode:<9} {seed:>4} {wide.charts:>6} {ms(ref.drawn):>10} {ms(wide.drawn):>10} {ratio:>6.2f}"
        print(
            f"{row} {TARGET_RATIO:>5.1f}× {'PASS' if ok else 'FAIL':>4} {mb(wide.rss_after):>10} {mb(wide.rss_peak):>10}"
        )

    if acted:
        print(f"\none visitor's heaviest actions (each at most {action_s:.0f} s):")
        print(f"{'action':<30} {'time':>8} {'RSS after':>10} {'peak while':>10}  outcome")
        for v in acted:
            seconds = v.times.get("seconds", float("nan"))
            outcome = v.error or v.times.get("said", "")
            print(f"{v.label:<30} {seconds:>6.1f} s {mb(v.rss_after):>10} {mb(v.rss_peak):>10}  {outcome}")
        errors += [f"{v.label}: {v.error}" for v in acted if v.error]

    peak_mb = peak_kib / 1024
    rss_ok = peak_mb <= args.max_rss_mb
    print(f"\n{'server RSS at start':<52} {mb(rss_start):>10}")
    if warmups:
        first = f"  after the first default visit ({warmups[0].label.removeprefix('default ')})"
        print(f"{first:<52} {mb(warmups[0].rss_after):>10}")
        print(f"{'  after one default visit per path':<52} {mb(warmups[-1].rss_after):>10}")
    print(f"{'  at the end':<52} {mb(rss_end) if rss_end is not None else 'killed':>10}")
    n = len(sampler.samples)
    verdict = "PASS" if rss_ok else "FAIL"
    bound = f"{args.max_rss_mb:,.0f} MB (goal {GOAL_RSS_MB:,.0f})"
    print(
        f"{f'peak RSS (max of {n} samples every {args.sample_ms:.0f} ms, VmHWM)':<52} {mb(peak_kib):>10}  {bound}  {verdict}"
    )
    print(f"{'  VmHWM at the end (the kernel peak)':<52} {mb(hwm_end):>10}")
    print(f"{'wall time of the run':<52} {wall:>9.0f} s")

    print(
        "\nwhere the widest pages' time goes (ms from navigation start: last websocket message, run shown done, drawn):"
    )
    for (path, mode, seed), _ref, wide in pairs:
        if wide is not None and wide.times:
            t = wide.times
            print(
                f"  /{path:<15} {mode:<9} seed {seed}: last msg {t['lastMsgAt'] or 0:,.0f}, "
                f"run done {t['runEndAt'] or 0:,.0f}, drawn {t['readyAt']:,.0f}, last paint {t['lastPaintAt']:,.0f}"
            )
    if aborted:
        print(f"\nABORTED during {aborted}: server RSS {mb(sampler.aborted_at)} > {args.abort_rss_mb:,.0f} MB")
    if errors:
        print("\nerrors:")
        for e in errors:
            print(f"  {e}")
    if aborted or errors:
        return 1
    if args.quick and not rss_ok:
        return 1
    return 1 if args.check and (slow or not rss_ok) else 0


if __name__ == "__main__":
    sys.exit(main())
