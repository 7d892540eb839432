"""The process's compute budget: how much heavy work may run at once, and how big one piece may be.

A workshop runs on one server process (a laptop, or a Community Cloud app with one or two
cores). Heavy work holds a slot for as long as it runs: a training one of ``SLOTS``, a
download file one of ``FILE_SLOTS``; the next piece waits for a slot instead of sharing the
cores, so a room that browses keeps its cores whatever one visitor starts. Sizes are checked
before the work starts (``ui/jobs.py`` for trainings, ``ui/downloads.py`` for files).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator

SLOTS = 1  # trainings running at once: one core for them, the other for every page of the room
_SLOTS = threading.BoundedSemaphore(SLOTS)
# Files built at once (a download is at most ~2 s: ui/downloads.py). A pool of their own, so that a
# click does not wait behind a training.
FILE_SLOTS = 1
_FILE_SLOTS = threading.BoundedSemaphore(FILE_SLOTS)
_POLL_S = 0.1


class Cancelled(Exception):
    """Heavy work stopped before it ended: everyone waiting for it left."""


@contextlib.contextmanager
def slot(cancelled: Callable[[], bool] = lambda: False, *, files: bool = False) -> Iterator[None]:
    """Hold one of the process's ``SLOTS`` (or, with ``files``, ``FILE_SLOTS``) while the block runs.

    Waits for a free slot, checking ``cancelled()`` every ``_POLL_S`` seconds: work nobody waits
    for any more raises Cancelled instead of taking a slot.
    """
    pool = _FILE_SLOTS if files else _SLOTS
    while not pool.acquire(timeout=_POLL_S):
        if cancelled():
            raise Cancelled
    try:
        if cancelled():
            raise Cancelled
        yield
    finally:
        pool.release()
