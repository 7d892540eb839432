"""Self-attention: one head, step by step, from the projections to the output."""

import streamlit as st

from ui import charts, compute, derivation, draw, layout, session

page = layout.start("nav.self_attention")
t, s, vocab = page.t, page.settings, page.vocab

st.title(t("sa.title"))
st.write(t("sa.intro"))


def scaled_title(s) -> str:
    """The scaled scores' formula for the settings: Q·Kᵀ/√d_k, Q·Kᵀ/(τ·√d_k), Q·Kᵀ/τ or Q·Kᵀ."""
    tau = "" if s.temp == 1 else "τ·" if s.scale == "sqrt" else "τ"
    if s.scale == "sqrt":
        return f"Q·Kᵀ/({tau}√d_k)" if tau else "Q·Kᵀ/√d_k"
    return f"Q·Kᵀ/{tau}" if tau else "Q·Kᵀ · 1"


def why_sqrt_dk(page, result, tokens) -> None:
    """Why the paper divides by √d_k, and what the temperature does to one row."""
    t, s = page.t, page.settings
    with st.expander(t("sqrt.title"), expanded=s.scale == "none" or s.temp != 1):
        st.write(t("sqrt.body", dk=result.params.d_k))
        draw.scaling_chart(page, result.params.d_k)
        draw.notice(page, "sqrt.notice")
        temps, rows_by_t, i = compute.temperature_rows(result, s)
        if len(tokens) <= draw.WINDOW_TOKENS:
            draw.chart(
                "temperature_curve",
                tokens,
                list(zip(temps, rows_by_t, strict=True)),
                float(s.temp),
                title=t("sqrt.temp_chart", raw=True, token=tokens[i]),
                key_title=t("axis.key", raw=True),
                weight_title=t("axis.weight", raw=True),
                temperature_title="τ",
            )
            draw.notice(page, "sqrt.temp_body", token=tokens[i], temp=draw.number_format(t).text(f"{s.temp:g}"))


def explain(page, result, tokens, *, head) -> None:
    """Pick a cell (or click one on a map) and see its derivation."""
    st.subheader(page.t("ex.title"))
    q_key, k_key = session.seed_cell_widgets()
    labels = {n: f"{n} · {tok}" for n, tok in enumerate(tokens, start=1)}
    left, right, close = st.columns([2, 2, 1], vertical_alignment="bottom")
    for col, key, label in ((left, q_key, "ex.pick_query"), (right, k_key, "ex.pick_key")):
        col.selectbox(
            page.t(label),
            list(labels),
            format_func=labels.get,
            index=None,
            key=key,
            on_change=session.commit_cell_pickers,
            placeholder="—",
        )
    ex = compute.cell_explanation(result, page.settings)
    if ex is None:
        st.caption(page.t("ex.none"))
        return
    close.button(page.t("ex.clear"), on_click=session.clear_cell, icon=":material/close:")
    derivation.derivation(page, ex, tokens, head=head, temp=page.settings.temp if page.settings.paper else 1.0)


with layout.guarded(page):
    result = compute.current_pass(s, vocab)
    tokens = list(s.tokens)
    T = len(tokens)

    if s.mode == "tutorial":
        layout.tutorial_note(page, "sa.tutorial_note")
        w = draw.token_window(page, T, "sa")
        rows = tokens[w]
        st.subheader(t("sa.t_step_scores"))
        draw.token_map(page, result.scores[w, w], rows, title="E·Eᵀ", click=("sa_scores", w.start))
        draw.notice(page, "sa.t_scores_notice")
        st.subheader(t("sa.t_step_weights"))
        draw.token_map(
            page, result.weights[w, w], rows, title="softmax(E·Eᵀ, axis=0)", weights=True, click=("sa_weights", w.start)
        )
        draw.notice(page, "sa.t_weights_notice")
        st.subheader(t("sa.t_step_output"))
        draw.matrix(
            page, result.head_output[w], rows, draw.feature_labels("d", vocab.dim), title=t("chart.weights_e", raw=True)
        )
        draw.notice(page, "sa.t_output_notice")
        explain(page, result, tokens, head=None)
    else:
        params, att = result.params, result.attention
        head = s.head
        if params.n_heads > 1:
            layout.setting(t, s, "head", "segmented", options=list(range(1, params.n_heads + 1)))
        h = head - 1
        w = draw.token_window(page, T, "sa")
        rows = tokens[w]

        st.subheader(t("sa.step_qkv", h=head, dk=params.d_k))
        qk_domain = charts.symmetric_domain(att.q[h][w], att.k[h][w], att.v[h][w])
        parts = (("sa.q", att.q, "q"), ("sa.k", att.k, "k"), ("sa.v", att.v, "v"))
        widths = (charts.matrix_width(arr[h][w], rows, qk_domain) for _, arr, _ in parts)
        places, legends = draw.side_by_side(*widths, shared_legend=True)  # one colour scale
        for place, legend, (name, arr, prefix) in zip(places, legends, parts, strict=True):
            with place:
                cols = draw.feature_labels(prefix, arr.shape[-1])
                draw.matrix(page, arr[h][w], rows, cols, title=t(name), domain=qk_domain, legend=legend)
        draw.notice(page, "sa.qkv_notice")

        st.subheader(t("sa.step_scores"))
        draw.token_map(page, att.logits(h)[w, w], rows, title=f"Q·Kᵀ ({head})")
        draw.notice(page, "sa.scores_notice")
        st.subheader(t("sa.step_scaled", raw=True, formula=scaled_title(s), scale=f"{result.scale:.4g}"))
        if s.mask == "causal":  # the masked cells are what to notice: their scores are −∞, not step 2's
            draw.notice(page, "sa.mask_note")
        scaled = f"{scaled_title(s)} ({head})"
        draw.token_map(page, att.scores[h][w, w], rows, title=scaled, click=("sa_scores", w.start))
        if s.mask != "causal":
            draw.notice(page, "sa.scaled_notice")
        why_sqrt_dk(page, result, tokens)
        st.subheader(t("sa.step_weights"))
        weights = draw.masked(att.weights[h], result.mask)[w, w]
        draw.token_map(page, weights, rows, title=f"softmax ({head})", weights=True, click=("sa_weights", w.start))
        draw.notice(page, "sa.weights_notice")
        st.subheader(t("sa.step_output"))
        draw.matrix(
            page,
            att.head_outputs[h][w],
            rows,
            draw.feature_labels("v", params.d_v),
            title=t("chart.weights_v", head=head, raw=True),
        )
        draw.notice(page, "sa.output_notice")
        explain(page, result, tokens, head=head)
