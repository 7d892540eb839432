"""Heads that learn: train the block on a task in NumPy, live, and see each head specialise."""

import streamlit as st

from ui import compute, draw, layout, session, training

page = layout.start("nav.train")
t, s, vocab = page.t, page.settings, page.vocab


def percent(share: float) -> str:
    """An accuracy as the page's language writes it: "94.4%", "94,4%"."""
    return f"{t.number(100 * share, 1)}%"


st.title(t("train.title"))
st.write(t("train.intro"))

with layout.guarded(page):
    if not s.paper:
        layout.tutorial_note(page, "train.tutorial_note")
        layout.stop(page)
    layout.setting(t, s, "task", "select")  # a row of its own: a task's name says what it asks, in full
    left, right = st.columns(2)
    with left:
        layout.setting(t, s, "steps", "number", placeholder=t("train.steps_auto"))
    with right:
        layout.setting(t, s, "train_ffn", "radio", horizontal=True)
    layout.heads_control(page)
    st.info(t(f"train.about_{s.task}"), icon=":material/school:")

    problem = compute.training_problem(vocab, s)
    if problem is not None:
        st.warning(t.notice(problem), icon=":material/warning:")
        st.button(t("train.setup"), on_click=session.training_setup, icon=":material/auto_fix_high:")
    key = compute.TrainKey.of(s, vocab)
    result = compute.trained(key)
    blocking = training.problem(key, vocab, s)  # too few words, width 1, or too big for the server
    if result is None and blocking is not None and blocking.key.startswith("train.too_big"):
        st.error(t.notice(blocking), icon=":material/block:")
    if result is None and blocking is None:
        result = training.button(t, key, "train.go", lambda: training.run(t, key, vocab, curves=True))
    if result is None:
        st.caption(t("train.idle"))
        layout.stop(page)

    st.metric(t("train.accuracy"), percent(result.accuracy))
    if s.weights != "trained":
        st.button(
            t("train.show_everywhere"), on_click=session.update, kwargs={"weights": "trained"}, icon=":material/public:"
        )
    left, right = st.columns(2)  # each curve as wide as its column: its own 420 px overflow half the page
    with left:
        draw.chart("loss_curve", result.losses, stretch=True, **training.curve_titles(t, False))
    with right:
        draw.chart("loss_curve", result.accuracies, stretch=True, **training.curve_titles(t, True))
    draw.notice(page, "train.curves_notice")
    st.caption(t("train.accuracy_help", n=compute.DEFAULT_BATCH))
    words = compute.held_out_sentence(result, vocab, s.seed)
    view = compute.trained_view(result, vocab, words)
    st.subheader(t("train.maps"))
    st.caption(t("train.maps_help", sentence=" ".join(words)))
    draw.weights_grid(page, view.weights, words)
    draw.notice(page, "train.maps_notice")
    if result.params.n_heads > 1:
        ablation = compute.ablation(key, result, vocab)
        st.subheader(t("train.ablation"))
        for h, acc in enumerate(ablation.head_off):
            st.write(t("train.head_off", n=h + 1, full=f"{100 * ablation.accuracy:.0f}", off=f"{100 * acc:.0f}"))

    st.subheader(t("train.compare"))
    other_key = compute.compared(key)
    other = compute.trained(other_key)
    other_blocked = training.problem(other_key, vocab, s)
    if other is None and other_blocked is not None:
        st.caption(t.notice(other_blocked))
    elif other is None:
        prompt = st.empty()
        with prompt.container():
            st.caption(t("train.compare_idle"))
            go = st.button(t("train.compare_go"), icon=":material/compare_arrows:")
        if go:
            prompt.empty()
            session.allow_training(other_key)
            other = training.run(t, other_key, vocab, curves=True)
    if other is not None:
        attention_only, whole = (other, result) if key.feed_forward else (result, other)
        left, right = st.columns(2)
        left.metric(t("train_ffn.0"), percent(attention_only.accuracy))
        right.metric(t("train_ffn.1"), percent(whole.accuracy))
        curves = {t("train_ffn.0", raw=True): attention_only.accuracies, t("train_ffn.1", raw=True): whole.accuracies}
        titles = training.curve_titles(t, True) | {"title": t("train.compare_curve", raw=True)}
        draw.chart("loss_curve", curves, **titles, series_title=t("train.ffn", raw=True))
        draw.notice(page, "train.compare_notice")
        if key.task == "neighbours":
            st.write(t("train.compare_neighbours"))
        else:
            st.write(t("train.compare_other"))
