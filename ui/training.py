"""A training as a page shows it: checked against the budget, started or joined, its progress drawn.

Every page that needs trained weights comes here (/train's button, a link with
``weights=trained`` on any explorer page, the lesson's steps about training, /translate's
translator: ``run_job`` is any training), so the same rules
hold wherever a training starts: its size is checked before it starts (``MAX_TRAIN_COST``), it
runs in the process's job queue (``ui/jobs.py``: one at a time, shared by every session that
asks for the same key), its progress shows where it was asked for, a Stop button or Streamlit's
own Stop ends the wait, and a training nobody waits for stops.
"""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable, Hashable

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import StopException

import core
from ui import budget, chart_cache, charts, compute, describe, jobs, session, translation
from ui.i18n import Translator
from ui.state import Notice, Settings

MAX_TRAIN_COST = budget.MAX_TRAIN_COST  # the limit every training here is checked against
POLL_S = 0.2  # how often a waiting page looks at its training (each look is a Streamlit call)
CURVE_EVERY_S = 0.6  # live curves are redrawn at most this often
# The container of a training's live curves (its key, then the training's tag): the page's style hides it
# from a reader who asks for less motion (ui/layout.py), since its curves are redrawn several times a second.
LIVE_CURVES = "live_curves"


def cost(key: compute.TrainKey, vocab: core.Vocabulary, steps: int | None = None) -> int:
    """What the training ``key`` and what a page then computes from it cost: the held-out accuracy,
    the ablation (every head off in turn) and the accuracy with chosen heads off."""
    return core.training_cost(
        len(vocab),
        vocab.dim,
        steps=key.steps if steps is None else steps,
        feed_forward=key.feed_forward,
        n_targets=core.TASKS[key.task].n_targets,
        evaluations=1 + (key.heads + 1) + 2,
    )


def problem(key: compute.TrainKey, vocab: core.Vocabulary, settings: Settings) -> Notice | None:
    """Why ``key`` cannot train here (too few words, width 1, too big for a shared server); None if it can.

    A warning that does not stop a training (d_k = 1) is not a problem here: see compute.training_problem.
    """
    found = compute.training_problem(vocab, settings)
    if found is not None and found.key != "train.narrow":
        return found
    steps = key.steps or compute.DEFAULT_STEPS
    return budget.over_budget(functools.partial(cost, key, vocab), steps, ("train.too_big", "train.too_big_any"))


def run(t: Translator, key: compute.TrainKey, vocab: core.Vocabulary, *, curves: bool) -> core.TrainResult | None:
    """The trained block for ``key``: the process's, or trained now (with every session that asks for it)
    while its progress is drawn here. None if it failed (a message says why) or was cancelled.

    The caller has checked ``problem``. See ``run_job`` for how the wait ends.
    """
    result = compute.trained(key)
    if result is not None:
        return result
    work = functools.partial(compute.train, key, vocab)
    caption = None if curves else "train.for_page"  # a page that needs the weights, not /train's button
    return run_job(t, key, key.steps or compute.DEFAULT_STEPS, work, curves=curves, caption=caption)


def run_translator(
    t: Translator, key: translation.TranslatorKey, lexicon: core.Lexicon
) -> core.TranslatorResult | None:
    """The translator for ``key``: the process's, or trained now with its loss and exact-match curves drawn
    here (``run_job``). The caller has checked ``translation.problem``."""
    result = translation.trained(key)
    if result is not None:
        return result
    work = functools.partial(translation.train, key, lexicon)
    titles = (curve_titles(t, False), curve_titles(t, True) | {"title": t("tr.exact_curve", raw=True)})
    return run_job(t, key, key.total_steps, work, curves=True, titles=titles)


def run_job(
    t: Translator,
    key: Hashable,
    total: int,
    work: Callable[[Callable[..., None]], object],
    *,
    curves: bool,
    caption: str | None = None,
    titles: tuple[dict, dict] | None = None,
):
    """Run ``work(progress)`` as the process's job for ``key`` (``total`` steps), or join it, while its
    progress is drawn here: a progress bar, a Stop button and, with ``curves``, the loss and accuracy
    so far (``titles``: the two curves' titles, /train's by default). ``caption`` (a catalogue key) says
    above them why this training runs. Returns the result, or None if it failed (a message says why)
    or was cancelled. ``work`` must call ``progress(step, loss, accuracy=...)`` after each step.

    The caller has checked the training's size against the budget. Streamlit's Stop, a rerun or a
    closed tab raise in this session's thread at the next poll; the session then stops waiting, and
    the training stops if nobody else waits for it. Stop (the button, or Streamlit's) is remembered
    for the key, so a page does not start the same training again by itself.
    """
    job = jobs.join(key, total, work)
    box = st.empty()
    tag = hashlib.blake2b(repr(key).encode(), digest_size=6).hexdigest()  # a page may wait for two in one run
    try:
        with box.container():
            if caption is not None:
                st.caption(t(caption))
            status = st.empty()
            st.button(
                t("train.stop"),
                key=f"train_stop_{tag}",
                on_click=session.stop_training,
                args=(key,),
                icon=":material/stop:",
            )
            boxes = _live_boxes(tag) if curves else []
        drawn_at, drawn_step = 0.0, -1
        while not job.done.wait(POLL_S):
            _status(t, status, job)  # a Streamlit call on every poll: a Stop or a rerun ends the wait here
            if boxes and job.step != drawn_step and time.monotonic() - drawn_at >= CURVE_EVERY_S:
                drawn_at, drawn_step = time.monotonic(), job.step
                _curves(t, boxes, job, titles)
    except StopException:
        session.stop_training(key)
        raise
    finally:
        jobs.leave(job)
    box.empty()
    if job.state == jobs.DONE:
        return job.result
    if job.state == jobs.FAILED:
        reason = str(job.error) if isinstance(job.error, core.AttentionInputError) else type(job.error).__name__
        st.error(t("train.failed", reason=reason), icon=":material/error:")
    return None


def button(t: Translator, key, label: str, start: Callable[[], object]) -> object | None:
    """A page's Train button for ``key`` (it goes away once pressed) and what ``start()`` returns when
    it is pressed (the training, drawn as it runs); None until then. A training this session stopped
    says so, and a press lets it start again."""
    if session.training_stopped(key):
        st.caption(t("train.stopped"))
    prompt = st.empty()
    if not prompt.button(t(label), type="primary", icon=":material/play_arrow:"):
        return None
    prompt.empty()
    session.allow_training(key)
    return start()


def _live_boxes(tag: str) -> list:
    """Two places side by side for the live loss and accuracy, in a container the page's style can hide."""
    with st.container(key=f"{LIVE_CURVES}_{tag}"):
        return [column.empty() for column in st.columns(2)]


def _status(t: Translator, status, job: jobs.Job) -> None:
    if job.state == jobs.QUEUED:
        status.progress(0.0, text=t("train.queued", n=max(1, jobs.ahead(job))))
    else:
        step = min(job.step, job.total)
        status.progress(step / job.total, text=t("train.progress", step=step, total=job.total))


def curve_titles(t: Translator, percent: bool) -> dict:
    """The titles of the loss curve (False) or of the accuracy curve (True)."""
    if percent:
        return {
            "title": t("train.accuracy_curve", raw=True),
            "step_title": t("train.step", raw=True),
            "loss_title": t("train.accuracy_axis", raw=True),
            "percent": True,
        }
    return {
        "title": t("train.loss", raw=True),
        "step_title": t("train.step", raw=True),
        "loss_title": t("train.loss_axis", raw=True),
    }


def _curves(t: Translator, boxes, job: jobs.Job, titles: tuple[dict, dict] | None = None) -> None:
    """The loss and the accuracy so far, drawn from specs built for this moment (not cached: they change),
    each as wide as its column, its numbers as the page's language writes them, its text alternative
    as the finished curves' (``describe.curve``)."""
    n = job.step
    losses, accuracies = job.losses[:n], job.accuracies[:n]
    titles = titles or (curve_titles(t, False), curve_titles(t, True))
    numbers = charts.NumberFormat(*t.number_symbols)
    for box, values, title in ((boxes[0], losses, titles[0]), (boxes[1], accuracies, titles[1])):
        description = describe.curve(t, values, **title)
        spec = chart_cache.build_spec(
            "loss_curve", values, total_steps=job.total, number_format=numbers, description=description, **title
        )
        box.vega_lite_chart(spec, width="stretch")
