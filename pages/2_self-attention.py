"""Self-attention: one head, step by step, from the projections to the output."""

import streamlit as st

from ui import charts, compute, layout

page = layout.start("nav.self_attention")
t, s, vocab = page.t, page.settings, page.vocab

st.title(t("sa.title"))
st.write(t("sa.intro"))

with layout.guarded(page):
    result = compute.current_pass(s, vocab)
    tokens = list(s.tokens)
    T = len(tokens)

    if s.mode == "tutorial":
        layout.tutorial_note(page, "sa.tutorial_note")
        w = layout.token_window(page, T, "sa")
        rows = tokens[w]
        st.subheader(t("sa.t_step_scores"))
        layout.token_map(page, result.scores[w, w], rows, title="E·Eᵀ")
        st.subheader(t("sa.t_step_weights"))
        layout.token_map(page, result.weights[w, w], rows, title="softmax(E·Eᵀ, axis=0)", weights=True)
        st.subheader(t("sa.t_step_output"))
        layout.matrix(page, result.head_output[w], rows, layout.feature_labels("d", vocab.dim), title="weights · E")
    else:
        params, att = result.params, result.attention
        head = 1
        if params.n_heads > 1:
            head = st.segmented_control(t("sa.head"), list(range(1, params.n_heads + 1)), default=1, key="sa_head") or 1
        h = head - 1
        w = layout.token_window(page, T, "sa")
        rows = tokens[w]

        st.subheader(t("sa.step_qkv", h=head, dk=params.d_k))
        q_col, k_col, v_col = st.columns(3)
        qk_domain = charts.symmetric_domain(att.q[h][w], att.k[h][w], att.v[h][w])
        for col, name, arr, prefix in (
            (q_col, "sa.q", att.q, "q"),
            (k_col, "sa.k", att.k, "k"),
            (v_col, "sa.v", att.v, "v"),
        ):
            with col:
                layout.matrix(
                    page, arr[h][w], rows, layout.feature_labels(prefix, arr.shape[-1]), title=t(name), domain=qk_domain
                )

        st.subheader(t("sa.step_scores"))
        layout.token_map(page, compute.unscaled_scores(result, h)[w, w], rows, title=f"Q·Kᵀ ({head})")
        st.subheader(t("sa.step_scaled", scale=f"{result.scale:.4g}"))
        layout.token_map(page, att.scores[h][w, w], rows, title=f"Q·Kᵀ/√d_k ({head})")
        st.subheader(t("sa.step_weights"))
        layout.token_map(page, att.weights[h][w, w], rows, title=f"softmax ({head})", weights=True)
        st.subheader(t("sa.step_output"))
        layout.matrix(
            page, att.head_outputs[h][w], rows, layout.feature_labels("v", params.d_v), title=f"weights · V ({head})"
        )
