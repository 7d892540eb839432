"""The process's trainings: one job per key, one at a time, stopped when nobody waits, sized before they start."""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import replace

import numpy as np
import pytest
from streamlit.runtime.scriptrunner_utils.exceptions import StopException
from streamlit.testing.v1 import AppTest

import core
from tests.conftest import PAGES, ROOT
from ui import budget, compute, jobs, state, training
from ui.i18n import Translator
from ui.state import Settings


def slow_work(steps: int, started: list, delay: float = 0.01):
    """A stand-in training: ``steps`` steps of ``delay`` seconds, reporting each to the job."""

    def work(progress):
        started.append(threading.current_thread().name)
        for step in range(1, steps + 1):
            time.sleep(delay)
            progress(step, 1.0 / step, accuracy=step / steps)
        return f"trained {steps}"

    return work


def test_sessions_asking_for_one_key_share_one_job():
    started: list = []
    first = jobs.join(("share", 1), 20, slow_work(20, started))
    second = jobs.join(("share", 1), 20, slow_work(20, started))
    assert first is second and first.waiters == 2
    assert first.done.wait(10)
    jobs.leave(first)
    jobs.leave(second)
    assert first.state == jobs.DONE and first.result == "trained 20" and len(started) == 1
    assert first.losses == [1.0 / s for s in range(1, 21)] and first.step == 20


def test_a_job_stops_when_the_last_session_stops_waiting():
    started: list = []
    job = jobs.join(("cancel", 1), 10_000, slow_work(10_000, started))
    other = jobs.join(("cancel", 1), 10_000, slow_work(10_000, started))
    while job.step < 3:
        time.sleep(0.01)
    jobs.leave(other)
    time.sleep(0.05)
    assert not job.cancel.is_set()  # one session still waits
    jobs.leave(job)
    assert job.done.wait(5)
    assert job.state == jobs.CANCELLED and job.step < 10_000
    again = jobs.join(("cancel", 1), 5, slow_work(5, started))
    assert again is not job  # a new request starts afresh
    assert again.done.wait(5) and again.state == jobs.DONE
    jobs.leave(again)


def test_jobs_run_one_at_a_time_and_the_next_waits_its_turn():
    assert budget.SLOTS == 1
    started: list = []
    first = jobs.join(("queue", 1), 30, slow_work(30, started))
    while first.state != jobs.RUNNING:
        time.sleep(0.005)
    second = jobs.join(("queue", 2), 5, slow_work(5, started))
    time.sleep(0.1)
    assert second.state == jobs.QUEUED and jobs.ahead(second) == 1 and second.step == 0
    assert first.done.wait(10) and second.done.wait(10)
    assert second.state == jobs.DONE
    for job in (first, second):
        jobs.leave(job)


def test_a_queued_job_nobody_waits_for_never_runs():
    started: list = []
    first = jobs.join(("queued-cancel", 1), 30, slow_work(30, started))
    while first.state != jobs.RUNNING:
        time.sleep(0.005)
    second = jobs.join(("queued-cancel", 2), 5, slow_work(5, started))
    jobs.leave(second)
    assert second.done.wait(10) and second.state == jobs.CANCELLED
    assert first.done.wait(10)
    jobs.leave(first)
    assert len(started) == 1


def test_a_failing_job_reports_its_error():
    def work(progress):
        raise core.AttentionInputError("training produced a non-finite loss")

    job = jobs.join(("fail", 1), 5, work)
    assert job.done.wait(5)
    jobs.leave(job)
    assert job.state == jobs.FAILED and "non-finite" in str(job.error)


def test_a_real_training_stops_within_a_step_of_being_cancelled():
    vocab = core.random_vocabulary(state.SETUP_WORDS.split(), 16, 0)
    settings = Settings(preset="random", dim=16, sentence=state.SETUP_WORDS, weights="trained", steps=5000, seed=991)
    key = compute.TrainKey.of(settings, vocab)
    job = jobs.join(key, 5000, lambda progress: compute.train(key, vocab, progress))
    while job.step < 5:
        time.sleep(0.01)
    jobs.leave(job)
    assert job.done.wait(5)
    assert job.state == jobs.CANCELLED and job.step < 5000
    assert compute.trained(key) is None  # nothing half-trained is kept


# --- sizes, before anything starts -------------------------------------------------------------


def widest(**changes) -> tuple[compute.TrainKey, core.Vocabulary, Settings]:
    words = [f"w{i}" for i in range(512)]
    settings = Settings(preset="random", dim=128, heads=16, steps=5000, train_ffn="1", sentence=" ".join(words))
    settings = Settings(**{**settings.__dict__, **changes})
    vocab = core.random_vocabulary(settings.tokens, settings.dim, 0)
    return compute.TrainKey.of(settings, vocab), vocab, settings


def test_the_widest_training_a_link_can_ask_for_is_refused_with_the_steps_that_fit():
    key, vocab, settings = widest(train_ffn="0")
    problem = training.problem(key, vocab, settings)
    assert problem is not None and problem.key == "train.too_big"
    max_steps = problem.args["max_steps"]
    assert 0 < max_steps < 5000
    fits, vocab, settings = widest(train_ffn="0", steps=max_steps)
    assert training.problem(fits, vocab, settings) is None
    over, vocab, settings = widest(train_ffn="0", steps=max_steps + 1)
    assert training.problem(over, vocab, settings).key == "train.too_big"


@pytest.mark.parametrize("task", sorted(core.TASKS))
def test_the_default_and_the_lesson_trainings_fit_the_budget(task):
    vocab = core.random_vocabulary(state.SETUP_WORDS.split(), 16, 0)
    for heads in (1, 2, 4):
        for ffn in ("0", "1"):
            settings = Settings(
                preset="random", dim=16, sentence=state.SETUP_WORDS, task=task, heads=heads, train_ffn=ffn
            )
            key = compute.TrainKey.of(settings, vocab)
            assert training.problem(key, vocab, settings) is None
            assert training.cost(key, vocab) * 3 <= training.MAX_TRAIN_COST  # room for three times as many steps


def test_an_ablation_is_worked_out_once():
    vocab = core.random_vocabulary(state.SETUP_WORDS.split(), 16, 0)
    settings = Settings(preset="random", dim=16, sentence=state.SETUP_WORDS, steps=20, seed=5)
    key = compute.TrainKey.of(settings, vocab)
    result = compute.train(key, vocab)
    first = compute.ablation(key, result, vocab)
    assert compute.ablation(key, result, vocab) is first
    expected = core.ablate_heads(result, vocab, result.task, np.random.default_rng([key.seed, 5]))
    assert first == expected


def test_the_accuracy_with_heads_off_is_worked_out_once_per_key_and_kept_by_its_bytes(monkeypatch):
    vocab = core.random_vocabulary(state.SETUP_WORDS.split(), 16, 0)
    settings = Settings(
        preset="random", dim=16, sentence=state.SETUP_WORDS, steps=20, seed=6, weights="trained", off=(1,)
    )
    compute.train(compute.TrainKey.of(settings, vocab), vocab)
    calls = []
    real = core.evaluate
    monkeypatch.setattr(core, "evaluate", lambda *a, **k: calls.append(k.get("head_mask")) or real(*a, **k))
    first = compute.accuracy_with_heads_off(settings, vocab)
    assert len(calls) == 2  # with every head, and without head 1
    assert compute.accuracy_with_heads_off(settings, vocab) is first and len(calls) == 2  # a rerun: nothing again
    other = compute.accuracy_with_heads_off(replace(settings, off=(2,)), vocab)
    assert len(calls) == 4 and other != first and other[0] == first[0]  # another head off: its own key
    # bounded by bytes, as every other cache: a few floats and the entry's own share
    cache = compute._EVALUATIONS
    assert cache.maxsize == compute.EVALUATION_CACHE_BYTES
    assert cache.getsizeof(first) == compute._evaluation_nbytes(first) < 1024
    ablation = core.HeadAblation(0.5, (0.25,) * 16)
    assert compute._evaluation_nbytes(ablation) > compute._evaluation_nbytes(first)


def test_a_training_too_wide_for_even_the_fewest_steps_says_so():
    key, vocab, settings = widest(steps=None)
    problem = training.problem(key, vocab, settings)
    assert problem.key == "train.too_big_any" and problem.args["max_steps"] < state.STEPS_MIN


# --- a training as a page shows it (ui/training.py) -------------------------------------------------
#
# run_job draws through Streamlit; here it draws into a recorder that keeps what a page would show,
# and raises StopException at a chosen poll, as Streamlit does in a session's thread after its Stop,
# a rerun or a closed tab.

EN = Translator("en")


class Page:
    """What ``run_job`` draws: (kind, text) in order; ``stop_at``: the poll at which Streamlit stops the script."""

    def __init__(self, stop_at: int | None = None):
        self.said: list[tuple[str, str | None]] = []
        self.polls = 0
        self.stop_at = stop_at

    def texts(self, kind: str) -> list[str]:
        return [text for k, text in self.said if k == kind]

    # the st calls run_job makes
    def empty(self):
        return Slot(self)

    def caption(self, text):
        self.said.append(("caption", text))

    def button(self, label, **_):
        self.said.append(("button", label))
        return False

    def columns(self, n):
        return [Slot(self) for _ in range(n)]

    def error(self, text, **_):
        self.said.append(("error", text))


class Slot:
    def __init__(self, page: Page):
        self.page = page

    def container(self):
        return contextlib.nullcontext()

    def progress(self, value, text):
        self.page.polls += 1
        if self.page.stop_at is not None and self.page.polls >= self.page.stop_at:
            raise StopException()
        self.page.said.append(("progress", text))

    def empty(self):
        self.page.said.append(("cleared", None))

    def vega_lite_chart(self, spec, **_):
        self.page.said.append(("chart", None))


@pytest.fixture
def page(monkeypatch):
    """A recorder in place of Streamlit for ui/training.py, polling often; Stop presses are recorded."""
    recorder = Page()
    monkeypatch.setattr(training, "st", recorder)
    monkeypatch.setattr(training, "POLL_S", 0.01)
    recorder.stopped = []
    monkeypatch.setattr(training.session, "stop_training", recorder.stopped.append)
    return recorder


def joined(monkeypatch) -> list[jobs.Job]:
    """The jobs ``run_job`` joins, as they are joined."""
    found: list[jobs.Job] = []
    real = jobs.join
    monkeypatch.setattr(jobs, "join", lambda *args: found.append(real(*args)) or found[-1])
    return found


def test_a_training_a_link_started_shows_why_it_runs_and_its_progress(page):
    started: list = []
    result = training.run_job(EN, ("link", 1), 20, slow_work(20, started), curves=False, caption="train.for_page")
    assert result == "trained 20"
    assert page.texts("caption") == [EN("train.for_page")]  # above the progress: why the page waits
    progress = page.texts("progress")
    steps = [EN("train.progress", step=k, total=20) for k in range(21)]
    assert progress and all(text in steps for text in progress)
    assert page.said[-1] == ("cleared", None)  # the page draws the trained block in its place


def test_a_queued_training_says_how_many_it_waits_for(page):
    release = threading.Event()

    def blocking(progress):
        release.wait(10)
        progress(1, 1.0, accuracy=1.0)
        return "first"

    first = jobs.join(("queued-page", 1), 1, blocking)
    while first.state != jobs.RUNNING:
        time.sleep(0.005)
    out: dict = {}
    waiting = threading.Thread(
        target=lambda: out.setdefault(
            "result", training.run_job(EN, ("queued-page", 2), 5, slow_work(5, []), curves=False)
        )
    )
    waiting.start()
    queued = EN("train.queued", n=1)
    deadline = time.perf_counter() + 5
    while queued not in page.texts("progress") and time.perf_counter() < deadline:
        time.sleep(0.01)
    said_while_queued = list(page.texts("progress"))
    release.set()
    waiting.join(10)
    jobs.leave(first)
    assert queued in said_while_queued, said_while_queued
    assert out["result"] == "trained 5"


def test_stop_leaves_the_training_and_a_training_nobody_waits_for_is_cancelled(page, monkeypatch):
    found = joined(monkeypatch)
    page.stop_at = 4  # Streamlit's Stop (or a rerun, a closed tab) after a few polls
    key = ("stopped-page", 1)
    with pytest.raises(StopException):
        training.run_job(EN, key, 10_000, slow_work(10_000, []), curves=False, caption="train.for_page")
    job = found[0]
    assert page.stopped == [key]  # remembered: the page does not start it again by itself
    assert job.waiters == 0 and job.cancel.is_set()
    assert job.done.wait(5) and job.state == jobs.CANCELLED and job.step < 10_000


def test_stop_in_one_session_leaves_a_training_another_waits_for(page, monkeypatch):
    found = joined(monkeypatch)
    key = ("shared-page", 1)
    other = jobs.join(key, 10_000, slow_work(10_000, []))  # another session waits for the same training
    page.stop_at = 4
    with pytest.raises(StopException):
        training.run_job(EN, key, 10_000, slow_work(10_000, []), curves=False)
    assert found[-1] is other and other.waiters == 1 and not other.cancel.is_set()
    time.sleep(0.05)
    assert other.state == jobs.RUNNING
    jobs.leave(other)  # the last one leaves
    assert other.done.wait(5) and other.state == jobs.CANCELLED


def test_a_link_with_trained_weights_trains_through_the_job_queue_with_its_caption(monkeypatch):
    """The page a link opens (``weights=trained``) trains in the process's queue, saying why it waits."""
    calls = []
    real = training.run_job
    monkeypatch.setattr(training, "run_job", lambda *a, **k: calls.append((a, k)) or real(*a, **k))
    at = AppTest.from_file(str(ROOT / PAGES["multi-head"]), default_timeout=60)
    link = {"preset": "random", "dim": "16", "sentence": state.SETUP_WORDS, "weights": "trained", "steps": "10"}
    for name, value in {**link, "seed": "8641"}.items():  # a seed no other test trains
        at.query_params[name] = value
    at.run()
    assert not at.exception
    assert len(calls) == 1
    (_t, key, total, _work), kwargs = calls[0]
    assert isinstance(key, compute.TrainKey) and (key.seed, key.steps) == (8641, 10)
    assert total == 10 and kwargs == {"curves": False, "caption": "train.for_page"}
    assert compute.trained(key) is not None
    assert not [w for w in at.warning if EN("train.weights_random") in w.value]  # the trained block is drawn
