"""Trainings shared by the process: each runs once, in a thread of its own, within the compute budget.

A job is keyed by content (``compute.TrainKey``): a room that opens one link trains once, and
every session that asks for the same key waits for the same job and sees its progress. The job
holds one of ``budget.SLOTS`` while it runs; the next one waits for the slot (``queued``), so
N links with N seeds train one after another, not N at once.

A job stops when nobody waits for it any more. A session waits by polling with a Streamlit
call on every poll (``ui/training.py``), so Streamlit's Stop, a rerun or a closed tab ends the
wait by raising in that session's thread; the wait then calls ``leave``, and the last session
to leave cancels the job, which stops at its next step.

Nothing here is per user: a job holds only its key, its progress and its result (read-only,
the same for everyone who asks for that key).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from ui import budget

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"


@dataclass(eq=False)
class Job:
    """One training: its progress as it goes (the worker appends; readers copy), then its result or error."""

    key: Hashable
    total: int  # steps
    order: int  # when it was asked for: jobs queue in this order
    losses: list[float] = field(default_factory=list)
    accuracies: list[float] = field(default_factory=list)
    state: str = QUEUED
    result: object = None
    error: BaseException | None = None
    waiters: int = 0
    cancel: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def step(self) -> int:
        return len(self.losses)

    def progress(self, step: int, loss: float, *, accuracy: float) -> None:
        """The training's callback: records the step, and stops the training once cancelled."""
        self.accuracies.append(accuracy)
        self.losses.append(loss)  # last: ``step`` counts a step once both lists hold it
        if self.cancel.is_set():
            raise budget.Cancelled


_JOBS: dict[Hashable, Job] = {}  # the jobs queued or running, by key
_LOCK = threading.Lock()
_ORDER = itertools.count()


def join(key: Hashable, total: int, work: Callable[[Callable[..., None]], object]) -> Job:
    """The job for ``key``, started (``work(progress)`` in a new thread) unless one is queued or running;
    the caller waits for it from now on and must call ``leave`` when it stops waiting."""
    with _LOCK:
        job = _JOBS.get(key)
        if job is None:
            job = _JOBS[key] = Job(key, total, next(_ORDER))
            threading.Thread(target=_run, args=(job, work), name="attention-training", daemon=True).start()
        job.waiters += 1
    return job


def leave(job: Job) -> None:
    """The caller stopped waiting; the last one to leave a job that has not ended cancels it."""
    with _LOCK:
        job.waiters -= 1
        if job.waiters <= 0 and not job.done.is_set():
            job.cancel.set()
            if _JOBS.get(job.key) is job:
                del _JOBS[job.key]  # a new request for the key starts afresh


def ahead(job: Job) -> int:
    """How many jobs run or wait before ``job``."""
    with _LOCK:
        return sum(1 for other in _JOBS.values() if other.order < job.order)


def active() -> int:
    """Jobs queued or running in the process."""
    with _LOCK:
        return len(_JOBS)


def _run(job: Job, work: Callable[[Callable[..., None]], object]) -> None:
    try:
        with budget.slot(job.cancel.is_set):
            job.state = RUNNING
            job.result = work(job.progress)
        job.state = DONE
    except budget.Cancelled:
        job.state = CANCELLED
    except Exception as exc:  # reported to every waiting session by ui/training.py
        job.error, job.state = exc, FAILED
    finally:
        with _LOCK:
            if _JOBS.get(job.key) is job:
                del _JOBS[job.key]
        job.done.set()
