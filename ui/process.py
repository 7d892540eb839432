"""What the app changes in its server process, once: nothing here runs at import.

``configure()`` is called at the start of every script run (``layout.start``) and acts only
the first time, so tests and tools can import any module without side effects.
"""

from __future__ import annotations

import gc
import threading

import altair as alt

from ui import sockets, ticker

_DONE = threading.Event()
_LOCK = threading.Lock()


def configure() -> None:
    """The process-wide settings the app relies on; the first call applies them, later ones return."""
    if _DONE.is_set():
        return
    with _LOCK:
        if _DONE.is_set():
            return
        # Streamlit runs gc.collect(2) after every script run (runner.postScriptGC). With streamlit, altair,
        # pandas and pyarrow loaded that walks every long-lived object of those libraries, on every rerun
        # (README, "A rerun on the server"). Freezing what is alive once all of them are imported takes
        # those objects out of the collector's walk; garbage made afterwards is collected as before.
        gc.freeze()

        # Altair's debug mode validates every schema object against the Vega-Lite JSON schema as it is
        # created, on every cache miss. The chart builders' tests
        # validate what they build (ui/charts/ output, to_dict with validation); here it is only served.
        alt.utils.schemapi.disable_debug_mode()

        # Streamlit's server leaves Nagle's algorithm on, so each HTTP response after the first on a
        # connection, and a websocket message that follows another, waits for the browser's delayed ACK
        # (ui/sockets.py). Process-wide, once, at the first script run.
        sockets.enable_tcp_nodelay()

        # A benchmark's GIL-stall ticker, when the server was started with $ATTN_GIL_TICKER (else nothing).
        ticker.start_from_env()
        _DONE.set()
