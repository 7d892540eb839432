"""A GIL-stall ticker for benchmarks: how long the server's Python threads could not run.

``benchmarks/bench_room.py --hostile`` starts the server with ``ATTN_GIL_TICKER=<path>``;
``start_from_env()`` then starts a daemon thread that sleeps ``PERIOD_S`` in a loop. It is
called by ``process.configure()`` at the first script run, and by the benchmark's own
``sitecustomize`` as the server's interpreter starts (so that the ticker also sees the
server's start-up); whichever comes first starts it, once per process. A wake-up later than that means the thread could not get
the GIL (or a core): the longest such gap is what every session's script and websocket waited
too. Without the variable nothing starts.

The file holds one line, rewritten when the maximum grows and every ``FLUSH_S`` seconds:
``<longest gap, ms> <ticks> <gaps over 100 ms> <gaps over 1 s> <unix time of the longest>``,
e.g. ``1532.4 20471 3 1 1733500000.1``. A reader takes the first field as the figure.
"""

from __future__ import annotations

import os
import threading
import time

ENV = "ATTN_GIL_TICKER"
PERIOD_S = 0.005
FLUSH_S = 1.0

_STARTED = threading.Event()


def start_from_env() -> bool:
    """Start the ticker if ``$ATTN_GIL_TICKER`` names a file; once per process. True if it runs."""
    path = os.environ.get(ENV)
    if not path or _STARTED.is_set():
        return _STARTED.is_set()
    _STARTED.set()
    threading.Thread(target=_tick, args=(path,), name="gil-ticker", daemon=True).start()
    return True


def _tick(path: str) -> None:
    longest, ticks, over_100ms, over_1s, when = 0.0, 0, 0, 0, 0.0
    last = time.perf_counter()
    flushed = last
    _write(path, longest, ticks, over_100ms, over_1s, when)
    while True:
        time.sleep(PERIOD_S)
        now = time.perf_counter()
        gap = now - last - PERIOD_S  # the time past the sleep asked for
        last = now
        ticks += 1
        over_100ms += gap > 0.1
        over_1s += gap > 1.0
        grew = gap > longest
        if grew:
            longest, when = gap, time.time()
        if grew or now - flushed >= FLUSH_S:
            _write(path, longest, ticks, over_100ms, over_1s, when)
            flushed = now


def _write(path: str, longest: float, ticks: int, over_100ms: int, over_1s: int, when: float) -> None:
    tmp = f"{path}.tmp"
    try:
        with open(tmp, "w") as f:
            f.write(f"{1000 * longest:.1f} {ticks} {over_100ms} {over_1s} {when:.1f}\n")
        os.replace(tmp, path)  # a reader never sees half a line
    except OSError:
        pass  # a benchmark's file gone: the server carries on


def read(path: str) -> dict[str, float] | None:
    """The figures a ticker wrote to ``path``, or None when it wrote nothing (the hook not installed)."""
    try:
        fields = open(path).read().split()
    except OSError:
        return None
    if len(fields) < 5:
        return None
    names = ("longest_ms", "ticks", "over_100ms", "over_1s", "at")
    return dict(zip(names, (float(v) for v in fields[:5]), strict=True))
