"""Heads that learn: train the block on a task in NumPy, live, and see each head specialise."""

import streamlit as st

from ui import charts, compute, layout, session

page = layout.start("nav.train")
t, s, vocab = page.t, page.settings, page.vocab

st.title(t("train.title"))
st.write(t("train.intro"))

with layout.guarded(page):
    if not s.paper:
        layout.tutorial_note(page, "train.tutorial_note")
        st.stop()
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
        if st.button(t("train.go"), type="primary", icon=":material/play_arrow:"):
            total = s.steps or compute.DEFAULT_STEPS
            bar, curve = st.progress(0.0, text=t("train.progress", step=0, total=total)), st.empty()
            losses: list[float] = []

            def progress(step: int, loss: float) -> None:
                losses.append(loss)
                if step % max(1, total // 40) == 0 or step == total:
                    bar.progress(step / total, text=t("train.progress", step=step, total=total))
                    curve.altair_chart(
                        charts.loss_curve(
                            losses,
                            title=t("train.loss", raw=True),
                            step_title=t("train.step", raw=True),
                            loss_title=t("train.loss_axis", raw=True),
                            total_steps=total,
                        )
                    )

            result = compute.train(key, vocab, progress)
            bar.empty()
            curve.empty()
    if result is None:
        st.caption(t("train.idle"))
        st.stop()

    st.metric(t("train.accuracy"), f"{100 * result.accuracy:.1f}%")
    if s.weights != "trained":
        st.button(
            t("train.show_everywhere"), on_click=session.update, kwargs={"weights": "trained"}, icon=":material/public:"
        )
    layout.chart(
        "loss_curve",
        result.losses,
        title=t("train.loss", raw=True),
        step_title=t("train.step", raw=True),
        loss_title=t("train.loss_axis", raw=True),
    )
    words = compute.held_out_sentence(result, vocab, s.seed)
    view = compute.trained_view(result, vocab, words)
    st.subheader(t("train.maps"))
    st.caption(t("train.maps_help", sentence=" ".join(words)))
    layout.heads_grid(
        page,
        list(view.weights),
        list(words),
        list(words),
        domain=charts.WEIGHTS_DOMAIN,
        row_axis="axis.query",
        col_axis="axis.key",
        value_axis="axis.weight",
    )
    if result.params.n_heads > 1:
        ablation = compute.ablation(result, vocab, s.seed)
        st.subheader(t("train.ablation"))
        for h, acc in enumerate(ablation.head_off):
            st.write(t("train.head_off", n=h + 1, full=f"{100 * ablation.accuracy:.0f}", off=f"{100 * acc:.0f}"))
