"""The lesson: ten steps, each a question to answer on a chart before the chart shows the answer.

``/lesson?step=N`` opens step N; ``&host=1`` is the host's view for a projector: the
question in large type and, after a click, the answer. A step's view is its own: the
learner's settings change only when they open the step in the explorer.
"""

import dataclasses

import streamlit as st

from ui import charts, compute, derivation, draw, layout, lesson, session
from ui import training as ui_training
from ui.screens import SCREENS

# The host's view goes on a projector: the sidebar starts folded away.
host = st.query_params.get("host") == "1"
page = layout.start("nav.lesson", page_params=("step", "host"), sidebar="collapsed" if host else "auto", own_view=True)
t = page.t

_ANSWERS = "lesson_answers"  # step id -> the option the learner picked
_SCORE = "lesson_score"  # step id -> right (True) or not, once revealed
_HOST_SHOWN = "lesson_host_shown"  # step ids whose answer the host revealed


def _state(key: str) -> dict:
    return st.session_state.setdefault(key, {})


def go_to(n: int) -> None:
    st.query_params["step"] = str(n)


def set_host(key: str) -> None:
    if st.session_state[key]:
        st.query_params["host"] = "1"
    else:
        st.query_params.pop("host", None)


def pick(step_id: str, key: str) -> None:
    value = st.session_state.get(key)
    if value is not None:
        _state(_ANSWERS)[step_id] = value


def reveal(step_id: str, right: bool) -> None:
    _state(_SCORE)[step_id] = right


def reset() -> None:
    for key in (_ANSWERS, _SCORE, _HOST_SHOWN):
        st.session_state[key] = {}


def option_label(notice) -> str:
    return t.notice(notice, raw=True)


# --- what each step draws, before and after the answer ---------------------------------------


def embedding_table(view) -> None:
    vocab = view.vocab
    draw.matrix(view, vocab.vectors, vocab.words, draw.feature_labels("d", vocab.dim), title="E")


def scores_map(view, result) -> None:
    tokens = list(view.settings.tokens)
    draw.token_map(view, result.scores, tokens, title="E·Eᵀ")


def before(step, view, result) -> None:
    """What the learner looks at while deciding."""
    tokens = list(view.settings.tokens)
    if step.id in ("embeddings", "score"):
        embedding_table(view)
    elif step.id in ("row",):
        draw.token_map(view, result.attention.scores[0], tokens, title="Q·Kᵀ/√d_k")
    elif step.id == "axis":
        scores_map(view, result)
    elif step.id == "mask":
        draw.token_map(view, result.attention.logits(0), tokens, title="Q·Kᵀ")
    elif step.id == "off":
        trained_maps(step, view)
    elif step.id == "block":
        d = view.vocab.dim
        draw.matrix(view, result.block.residual1, tokens, draw.feature_labels("d", d), title="x + MultiHead(x)")


def trained_maps(step, view) -> None:
    training = lesson.trained_block(step, view.settings.lang)
    words, trained, _ = lesson.trained_roles(training, view.vocab, view.settings.seed)
    st.caption(t("train.maps_help", sentence=" ".join(words)))
    draw.weights_grid(view, trained.weights, words)


def after(step, view, result, q) -> None:
    """The chart that shows the answer."""
    s, tokens = view.settings, list(view.settings.tokens)
    if step.id == "embeddings":
        scores_map(view, result)
    elif step.id == "score":
        ex = compute.cell_explanation(result, s)
        derivation.derivation(view, ex, tokens, head=None, temp=1.0)
    elif step.id == "sqrt":
        draw.scaling_chart(view)  # the widest d_k marked: where the question ends
    elif step.id == "row":
        draw.token_map(view, result.attention.weights[0], tokens, title="softmax", weights=True)
    elif step.id == "axis":
        left, right = st.columns(2)
        with left:
            draw.token_map(view, result.weights, tokens, title=t("lesson.axis_article", raw=True), weights=True)
        with right:
            paper = lesson.row_softmax(result.scores)
            draw.token_map(view, paper, tokens, title=t("lesson.axis_paper", raw=True), weights=True)
    elif step.id == "mask":
        weights = draw.masked(result.attention.weights[0], result.mask)
        draw.token_map(view, weights, tokens, title="softmax", weights=True)
    elif step.id == "heads":
        att = result.attention
        domain = charts.symmetric_domain(att.q)
        draw.heads_grid(view, list(att.q), tokens, draw.feature_labels("q", att.q.shape[-1]), domain=domain)
    elif step.id == "trained":
        trained_maps(step, view)
    elif step.id == "off":
        ablation = q.ablation  # worked out with the question: the same numbers
        cols = st.columns(len(ablation.head_off) + 1)
        cols[0].metric(t("lesson.all_heads"), f"{100 * ablation.accuracy:.0f}%")
        for h, acc in enumerate(ablation.head_off):
            delta = f"{100 * (acc - ablation.accuracy):.0f} pp"
            cols[h + 1].metric(t("lesson.head_off", n=h + 1), f"{100 * acc:.0f}%", delta=delta)
    elif step.id == "block":
        draw.row_stats(view, result.block.residual1, result.block.norm1, tokens)


# --- the page ---------------------------------------------------------------------------------

number, problem = lesson.step_number(st.query_params.get("step"))
if problem is not None:
    st.warning(t.notice(problem), icon=":material/link:")
    st.query_params["step"] = str(number)  # a copied link shows the step on screen
step = lesson.STEPS[number - 1]


score = _state(_SCORE)
st.title(t("lesson.title"))
if not host:
    st.write(t("lesson.intro"))
st.progress(number / lesson.COUNT, text=t("lesson.progress", n=number, total=lesson.COUNT))

nav = st.columns([1, 1, 2, 2], vertical_alignment="center")
nav[0].button(t("lesson.back"), on_click=go_to, args=(number - 1,), disabled=number == 1, icon=":material/arrow_back:")
nav[1].button(
    t("lesson.next"),
    on_click=go_to,
    args=(number + 1,),
    disabled=number == lesson.COUNT,
    icon=":material/arrow_forward:",
)
host_key = "lesson_host_toggle"
st.session_state[host_key] = host
nav[2].toggle(t("lesson.host"), key=host_key, on_change=set_host, args=(host_key,), help=t("lesson.host_help"))
if score:
    nav[3].markdown(t("lesson.score", right=sum(score.values()), n=len(score)))

with layout.guarded(page):
    # The step's own view: the charts draw its settings and vocabulary, not the learner's.
    view = dataclasses.replace(
        page, settings=lesson.settings_of(step, page.settings.lang), vocab=lesson.vocabulary_of(step)
    )
    training = None
    if view.settings.weights == "trained":  # steps about training: trained once per server, within its budget
        training = ui_training.run(t, compute.TrainKey.of(view.settings, view.vocab), view.vocab, curves=False)
        if training is None:
            layout.stop(page)
    result = compute.current_pass(view.settings, view.vocab)
    q = lesson.question(step, view.settings.lang, result, training)
    labels = [option_label(o) for o in q.options]

    heading = "##" if host else "###"
    st.markdown(f"{heading} {t(f'lesson.{step.id}_title')}")
    st.write(t(f"lesson.{step.id}_text", **q.facts))
    before(step, view, result)

    question_text = t(f"lesson.{step.id}_q", **q.facts)
    if host:
        st.markdown(f"## {question_text}")
        st.markdown("\n".join(f"### {chr(65 + i)}. {label}" for i, label in enumerate(labels)))
        shown = _state(_HOST_SHOWN)
        if step.id not in shown:
            st.button(
                t("lesson.show_answer"),
                type="primary",
                on_click=lambda: shown.__setitem__(step.id, True),
                icon=":material/visibility:",
            )
            revealed, right = False, None
        else:
            revealed, right = True, None
            st.button(
                t("lesson.hide_answer"), on_click=lambda: shown.pop(step.id, None), icon=":material/visibility_off:"
            )
    else:
        answers = _state(_ANSWERS)
        pick_key = f"lesson_pick_{step.id}"
        st.session_state[pick_key] = answers.get(step.id)
        revealed = step.id in score
        st.markdown(f"#### {question_text}")
        st.radio(
            question_text,
            list(range(len(labels))),
            label_visibility="collapsed",
            format_func=lambda i: f"{chr(65 + i)}. {labels[i]}",
            index=None,
            key=pick_key,
            on_change=pick,
            args=(step.id, pick_key),
            disabled=revealed,
        )
        chosen = answers.get(step.id)
        right = chosen == q.answer if chosen is not None else None
        if not revealed:
            st.button(
                t("lesson.reveal"),
                type="primary",
                on_click=reveal,
                args=(step.id, bool(right)),
                disabled=chosen is None,
                icon=":material/visibility:",
                help=None if chosen is not None else t("lesson.reveal_help"),
            )

    if revealed:
        answer = f"{chr(65 + q.answer)}. {labels[q.answer]}"
        if host:
            st.markdown(f"## {t('lesson.answer_is', answer=answer)}")
        elif score.get(step.id):
            st.success(t("lesson.right", answer=answer), icon=":material/check_circle:")
        else:
            chosen = answers.get(step.id)
            picked = f"{chr(65 + chosen)}. {labels[chosen]}"
            st.warning(t("lesson.wrong", answer=answer, picked=picked), icon=":material/cancel:")
        st.markdown(("#### " if host else "") + t(f"lesson.{step.id}_why", **q.facts))
        after(step, view, result, q)

    st.divider()
    screen = next(path for path, url, _, _ in SCREENS if url == step.screen)
    if st.button(t("lesson.open"), icon=":material/open_in_new:", help=t("lesson.open_help")):
        session.open_view(view.settings, view.vocab if step.vocab == lesson.SETUP else None)
        st.switch_page(screen)
    if score or _state(_HOST_SHOWN):
        st.button(t("lesson.reset"), on_click=reset, icon=":material/restart_alt:")
