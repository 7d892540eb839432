"""The lesson: steps, each a question to answer before the chart shows the answer.

``/lesson?step=N`` opens step N; ``&host=1`` is the host's view for a projector: the question in
large type and, after a click, the answer. A step's view is its own: the learner's settings
change only when they open the step in the explorer. Every step is drawn the same way: what a
step shows, asks and draws is the step's (``ui/lesson/``); the answers live in ``ui/session.py``.
"""

import dataclasses

import streamlit as st

from ui import layout, lesson, session, translation
from ui import training as ui_training
from ui.lesson.decoder import LEXICON as translation_lexicon
from ui.screens import SCREENS

# The host's view goes on a projector: the sidebar starts folded away.
host, host_problem = lesson.host_view(st.query_params.get("host"))
page = layout.start("nav.lesson", page_params=("step", "host"), sidebar="collapsed" if host else "auto", own_view=True)
t = page.t


def go_to(n: int) -> None:
    st.query_params["step"] = str(n)


def lettered(q: lesson.Question, i: int, markdown: bool = True) -> str:
    """ "C. *on*": an option as the picker shows it; without its italics inside a message (which escapes it)."""
    label = f"{chr(65 + i)}. {t.notice(q.options[i], raw=True)}"
    return label if markdown else label.replace("*", "")


def navigation(number: int) -> None:
    nav = st.columns([1, 1, 2, 2], vertical_alignment="center")
    back, forward = number - 1, number + 1
    nav[0].button(t("lesson.back"), on_click=go_to, args=(back,), disabled=number == 1, icon=":material/arrow_back:")
    nav[1].button(
        t("lesson.next"),
        on_click=go_to,
        args=(forward,),
        disabled=number == lesson.COUNT,
        icon=":material/arrow_forward:",
    )
    key = session.lesson_host_widget(host)
    nav[2].toggle(t("lesson.host"), key=key, on_change=session.lesson_host_changed, help=t("lesson.host_help"))
    right, n = session.lesson_score()
    if n:
        nav[3].markdown(t("lesson.score", right=right, n=n))


def host_question(step: lesson.Step, q: lesson.Question, question_text: str) -> bool:
    """The question and its options in large type; True once the host shows the answer."""
    st.markdown(f"## {question_text}")
    st.markdown("\n".join(f"### {lettered(q, i)}" for i in range(len(q.options))))
    shown = session.lesson_host_shown(step.id)
    if shown:
        label, icon = t("lesson.hide_answer"), ":material/visibility_off:"
        st.button(label, on_click=session.lesson_host_show, args=(step.id, False), icon=icon)
    else:
        label, icon = t("lesson.show_answer"), ":material/visibility:"
        st.button(label, type="primary", on_click=session.lesson_host_show, args=(step.id, True), icon=icon)
    return shown


def learner_question(step: lesson.Step, q: lesson.Question, question_text: str) -> bool:
    """The question, the options to pick from and Reveal; True once revealed."""
    revealed = session.lesson_verdict(step.id) is not None
    st.markdown(f"#### {question_text}")
    key = session.lesson_pick_widget(step.id)
    st.radio(
        question_text,
        list(range(len(q.options))),
        label_visibility="collapsed",
        format_func=lambda i: lettered(q, i),
        index=None,
        key=key,
        on_change=session.lesson_pick,
        args=(step.id, key),
        disabled=revealed,
    )
    chosen = session.lesson_answer(step.id)
    if not revealed:
        st.button(
            t("lesson.reveal"),
            type="primary",
            on_click=session.lesson_reveal,
            args=(step.id, q.is_right(chosen)),
            disabled=chosen is None,
            icon=":material/visibility:",
            help=None if chosen is not None else t("lesson.reveal_help"),
        )
    return revealed


def verdict(step: lesson.Step, q: lesson.Question) -> None:
    answer = lettered(q, q.answer, markdown=False)
    if host:
        st.markdown(f"## {t('lesson.answer_is', answer=answer)}")
        return
    chosen = lettered(q, session.lesson_answer(step.id), markdown=False)
    if session.lesson_verdict(step.id):
        st.success(t("lesson.right", answer=chosen), icon=":material/check_circle:")
    else:
        st.warning(t("lesson.wrong", answer=answer, picked=chosen), icon=":material/cancel:")


# --- the page ---------------------------------------------------------------------------------

number, problem = lesson.step_number(st.query_params.get("step"))
if problem is not None:
    st.warning(t.notice(problem), icon=":material/link:")
    st.query_params["step"] = str(number)  # a copied link shows the step on screen
if host_problem is not None:
    st.warning(t.notice(host_problem), icon=":material/link:")
    st.query_params.pop("host", None)  # the learner's view, as shown
step = lesson.STEPS[number - 1]

st.title(t("lesson.title"))
if not host:
    st.write(t("lesson.intro", n=lesson.COUNT))
st.progress(number / lesson.COUNT, text=t("lesson.progress", n=number, total=lesson.COUNT))
navigation(number)

with layout.guarded(page):
    # The step's own view: the charts draw its settings and vocabulary, not the learner's.
    settings, vocab = lesson.settings_of(step, page.settings.lang), lesson.vocabulary_of(step)
    view = dataclasses.replace(page, settings=settings, vocab=vocab)
    trainings = {}
    keys = lesson.training_keys(step, settings, vocab)
    for name, key in keys.items():  # trained once per server, within the budget, each with its progress
        if isinstance(key, translation.TranslatorKey):
            trainings[name] = ui_training.run_translator(t, key, translation_lexicon)
        else:
            trainings[name] = ui_training.run(t, key, vocab, curves=False)
        if trainings[name] is None:
            layout.stop(page)
    scene = lesson.scene(step, settings.lang, trainings)
    q = lesson.question(step, settings.lang, the_scene=scene)

    st.markdown(f"{'##' if host else '###'} {number} · {t(lesson.title_key(step))}")
    st.badge(
        t(lesson.MODEL_KEYS[step.model]),
        icon=":material/functions:",
        color="blue" if step.model == lesson.PAPER else "orange",
    )
    st.write(t(f"lesson.{step.id}_text", **q.facts))
    step.before(view, scene)

    question_text = t(f"lesson.{step.id}_q", **q.facts)
    revealed = (host_question if host else learner_question)(step, q, question_text)
    if revealed:
        verdict(step, q)
        st.markdown(("#### " if host else "") + t(f"lesson.{step.id}_why", **q.facts))
        step.after(view, scene, q)

    st.divider()
    screen = next(path for path, url, _, _ in SCREENS if url == step.screen)
    if st.button(t("lesson.open"), icon=":material/open_in_new:", help=t("lesson.open_help")):
        session.open_view(view.settings, view.vocab if step.vocab == lesson.SETUP else None)
        st.switch_page(screen)
    if session.lesson_started():
        st.button(t("lesson.reset"), on_click=session.lesson_reset, icon=":material/restart_alt:")
