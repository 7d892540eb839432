"""Multi-head attention: one map per head, per-head outputs, their concatenation, W_O."""

import streamlit as st

from ui import charts, compute, layout

page = layout.start("nav.multi_head")
t, s, vocab = page.t, page.settings, page.vocab

st.title(t("mh.title"))
st.write(t("mh.intro"))

with layout.guarded(page):
    H = layout.heads_control(page)
    result = compute.current_pass(s, vocab)
    tokens = list(s.tokens)
    T, D = len(tokens), vocab.dim

    if s.mode == "tutorial":
        layout.tutorial_note(page, "mh.tutorial_note", h=H, ht=H * T, d=D)
        w = layout.token_window(page, T, "mh")
        st.subheader(t("mh.t_weights"))
        layout.token_map(page, result.weights[w, w], tokens[w], title="softmax(E·Eᵀ, axis=0)", weights=True)
        st.subheader(t("mh.t_stacked", h=H, ht=H * T, d=D))
        layout.matrix(
            page,
            result.stacked,
            [f"{i // T + 1}·{tok}" for i, tok in enumerate(tokens * H)],
            layout.feature_labels("d", D),
            title=f"np.concatenate([head] × {H})",
            row_axis="axis.row",
            row_boundaries=[T * i for i in range(1, H)],
        )
    else:
        att, params = result.attention, result.params
        st.caption(t("mh.dims", d=D, h=H, dk=params.d_k, t=T, hdv=H * params.d_v))
        w = layout.token_window(page, T, "mh")
        rows = tokens[w]

        st.subheader(t("mh.weights"))
        layout.heads_grid(
            page,
            [layout.masked(att.weights[h], result.mask)[w, w] for h in range(H)],
            rows,
            rows,
            domain=charts.WEIGHTS_DOMAIN,
            row_axis="axis.query",
            col_axis="axis.key",
            value_axis="axis.weight",
            masked_value="0",
        )

        st.subheader(t("mh.outputs"))
        out_domain = charts.symmetric_domain(att.head_outputs[:, w])
        layout.heads_grid(
            page,
            [att.head_outputs[h][w] for h in range(H)],
            rows,
            layout.feature_labels("v", params.d_v),
            domain=out_domain,
        )

        st.subheader(t("mh.concat", t=T, hdv=H * params.d_v))
        concat_cols = [f"{h + 1}·v{j + 1}" for h in range(H) for j in range(params.d_v)]
        layout.matrix(
            page,
            att.concat[w],
            rows,
            concat_cols,
            title="concat(head₁ … headₕ)",
            col_boundaries=[params.d_v * h for h in range(1, H)],
            domain=out_domain,
        )

        st.subheader(t("mh.output", t=T, d=D))
        layout.matrix(page, att.output[w], rows, layout.feature_labels("d", D), title="concat · W_O")
