"""Heads that learn: train the block on a task in NumPy, live, and see each head specialise."""

import streamlit as st

from ui import charts, compute, layout, session

page = layout.start("nav.train")
t, s, vocab = page.t, page.settings, page.vocab


def curve_titles(percent: bool) -> dict:
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


def train_live(key: compute.TrainKey):
    """Train ``key`` (or wait for a visitor training it), with a progress bar and the loss and
    accuracy drawn as they come, every total // 40 steps; they go away when it is done."""
    total = key.steps or compute.DEFAULT_STEPS
    every = max(1, total // 40)
    holder = st.empty()
    with holder.container():
        bar = st.progress(0.0, text=t("train.progress", step=0, total=total))
        left, right = st.columns(2)
        loss_box, accuracy_box = left.empty(), right.empty()
    losses: list[float] = []
    accuracies: list[float] = []

    def progress(step: int, loss: float, *, accuracy: float) -> None:
        losses.append(loss)
        accuracies.append(accuracy)
        if step % every == 0 or step == total:
            bar.progress(step / total, text=t("train.progress", step=step, total=total))
            loss_box.altair_chart(charts.loss_curve(losses, total_steps=total, **curve_titles(False)))
            accuracy_box.altair_chart(charts.loss_curve(accuracies, total_steps=total, **curve_titles(True)))

    result = compute.train(key, vocab, progress)
    holder.empty()
    return result


st.title(t("train.title"))
st.write(t("train.intro"))

with layout.guarded(page):
    if not s.paper:
        layout.tutorial_note(page, "train.tutorial_note")
        layout.stop(page)
    left, mid, right = st.columns(3)
    with left:
        layout.setting(t, s, "task", "select")
    with mid:
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
    blocking = problem is not None and problem.key != "train.narrow"
    if result is None and not blocking:
        prompt = st.empty()  # the button goes away once it has been pressed
        if prompt.button(t("train.go"), type="primary", icon=":material/play_arrow:"):
            prompt.empty()
            result = train_live(key)
    if result is None:
        st.caption(t("train.idle"))
        layout.stop(page)

    st.metric(t("train.accuracy"), f"{100 * result.accuracy:.1f}%")
    if s.weights != "trained":
        st.button(
            t("train.show_everywhere"), on_click=session.update, kwargs={"weights": "trained"}, icon=":material/public:"
        )
    left, right = st.columns(2)
    with left:
        layout.chart("loss_curve", result.losses, **curve_titles(False))
    with right:
        layout.chart("loss_curve", result.accuracies, **curve_titles(True))
    st.caption(t("train.accuracy_help", n=compute.DEFAULT_BATCH))
    words = compute.held_out_sentence(result, vocab, s.seed)
    view = compute.trained_view(result, vocab, words)
    st.subheader(t("train.maps"))
    st.caption(t("train.maps_help", sentence=" ".join(words)))
    layout.weights_grid(page, view.weights, words)
    if result.params.n_heads > 1:
        ablation = compute.ablation(result, vocab, s.seed)
        st.subheader(t("train.ablation"))
        for h, acc in enumerate(ablation.head_off):
            st.write(t("train.head_off", n=h + 1, full=f"{100 * ablation.accuracy:.0f}", off=f"{100 * acc:.0f}"))

    st.subheader(t("train.compare"))
    other_key = compute.compared(key)
    other = compute.trained(other_key)
    if other is None:
        prompt = st.empty()
        with prompt.container():
            st.caption(t("train.compare_idle"))
            go = st.button(t("train.compare_go"), icon=":material/compare_arrows:")
        if go:
            prompt.empty()
            other = train_live(other_key)
    if other is not None:
        attention_only, whole = (other, result) if key.feed_forward else (result, other)
        left, right = st.columns(2)
        left.metric(t("train_ffn.0"), f"{100 * attention_only.accuracy:.1f}%")
        right.metric(t("train_ffn.1"), f"{100 * whole.accuracy:.1f}%")
        curves = {t("train_ffn.0", raw=True): attention_only.accuracies, t("train_ffn.1", raw=True): whole.accuracies}
        titles = curve_titles(True) | {"title": t("train.compare_curve", raw=True)}
        layout.chart("loss_curve", curves, **titles, series_title=t("train.ffn", raw=True))
        if key.task == "neighbours":
            st.write(t("train.compare_neighbours"))
        else:
            st.write(t("train.compare_other"))
