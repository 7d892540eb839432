"""The process's compute budget: how much heavy work may run at once, and how big one piece may be.

A workshop runs on one server process (a laptop, or a Community Cloud app with one or two
cores). Heavy work (a training, an ablation, a download built from a large page) holds a slot
of ``SLOTS`` for as long as it runs; the next piece waits for a slot instead of sharing the
cores, so a room that browses keeps its cores whatever one visitor starts. Sizes are checked
before the work starts (``ui/jobs.py`` for trainings, ``ui/downloads.py`` for files).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator

SLOTS = 1  # heavy jobs running at once: one core for them, the other for every page of the room
_SLOTS = threading.BoundedSemaphore(SLOTS)
_POLL_S = 0.1


class Cancelled(Exception):
    """Heavy work stopped before it ended: everyone waiting for it left."""


@contextlib.contextmanager
def slot(cancelled: Callable[[], bool] = lambda: False) -> Iterator[None]:
    """Hold one of the process's ``SLOTS`` while the block runs.

    Waits for a free slot, checking ``cancelled()`` every ``_POLL_S`` seconds: work nobody waits
    for any more raises Cancelled instead of taking a slot.
    """
    while not _SLOTS.acquire(timeout=_POLL_S):
        if cancelled():
            raise Cancelled
    try:
        if cancelled():
            raise Cancelled
        yield
    finally:
        _SLOTS.release()
