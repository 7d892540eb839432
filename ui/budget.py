"""The process's compute budget: how much heavy work may run at once, and how big one piece may be.

A workshop runs on one server process (a laptop, or a Community Cloud app with one or two
cores). Heavy work holds a slot for as long as it runs: a training one of ``SLOTS``, a
download file one of ``FILE_SLOTS``, a large page pass one of ``PASS_SLOTS``; the next piece
waits for a slot instead of sharing the cores, so a room that browses keeps its cores whatever one visitor starts. Sizes are checked
before the work starts (``ui/jobs.py`` for trainings, ``ui/downloads.py`` for files).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator

from ui.state import STEPS_MIN, Notice

SLOTS = 1  # trainings running at once: one core for them, the other for every page of the room
_SLOTS = threading.BoundedSemaphore(SLOTS)
# Files built at once (each sized by ui/downloads.py's limits to be quick). A pool of their own, so that a
# click does not wait behind a training.
FILE_SLOTS = 1
_FILE_SLOTS = threading.BoundedSemaphore(FILE_SLOTS)
# Large page passes computed at once (ui/compute.py: a widest page holds ~115 MB while it is computed and
# cached). One: a visitor who opens several widest links in parallel tabs gets them one after another, and
# the memory of one at a time; the small passes of everyone else never wait for it.
PASS_SLOTS = 1
_PASS_SLOTS = threading.BoundedSemaphore(PASS_SLOTS)
_POLL_S = 0.1


# The multiply-adds a training may cost, its evaluations included (core.training_cost,
# core.translator_cost): 8 times the default training of the encoder block (10 words of width 16,
# 1,500 steps), 3.5 times with its feed-forward layer training too. The README gives the time the
# largest allowed trainings take (benchmarks/bench_train.py).
MAX_TRAIN_COST = 3 * 10**10


def over_budget(cost_of: Callable[[int | None], int], steps: int, keys: tuple[str, str], **args) -> Notice | None:
    """None when a training of ``steps`` steps fits MAX_TRAIN_COST; else a notice: ``keys[0]`` saying how
    many steps would fit, or ``keys[1]`` when not even STEPS_MIN do.

    ``cost_of(n)`` is the training's cost with n steps (None: its own). The cost is affine in the steps
    (the same work each step, plus the evaluations), so two costs give the largest count that fits.
    """
    total = cost_of(None)
    if total <= MAX_TRAIN_COST:
        return None
    per_step = cost_of(2) - cost_of(1)
    fixed = cost_of(1) - per_step
    max_steps = (MAX_TRAIN_COST - fixed) // per_step
    return Notice(
        keys[0] if max_steps >= STEPS_MIN else keys[1],
        {
            "cost": f"{total / 1e9:.0f}",
            "max": f"{MAX_TRAIN_COST / 1e9:.0f}",
            "steps": steps,
            "max_steps": max(0, max_steps),
            "min": STEPS_MIN,
            **args,
        },
    )


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


@contextlib.contextmanager
def pass_slot(waiting: Callable[[], contextlib.AbstractContextManager] | None = None) -> Iterator[None]:
    """Hold one of the process's ``PASS_SLOTS`` while a large page pass is computed.

    When none is free, ``waiting()`` (a spinner saying why the page waits) is entered until one is.
    A pass takes a second or two at most, so the wait is not cancelled: the page's next Streamlit call
    after it sees a Stop.
    """
    if not _PASS_SLOTS.acquire(blocking=False):
        with waiting() if waiting is not None else contextlib.nullcontext():
            _PASS_SLOTS.acquire()
    try:
        yield
    finally:
        _PASS_SLOTS.release()
