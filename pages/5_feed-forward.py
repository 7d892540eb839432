"""Feed-forward: the hidden layer before and after ReLU, and the final outputs."""

import numpy as np
import streamlit as st

from ui import compute, layout, state

page = layout.start("nav.feed_forward")
t, s, vocab = page.t, page.settings, page.vocab

st.title(t("ff.title"))
st.write(t("ff.intro"))

with layout.guarded(page):
    default = state.default_ffn(s.mode, vocab.dim)
    with st.columns([1, 2])[0]:
        layout.setting(t, s, "ffn", "number", placeholder=t("ff.auto", n=default))
    result = compute.current_pass(s, vocab)
    ffn = result.ffn
    D, F = vocab.dim, result.ffn_params.d_ff

    if s.mode == "tutorial":
        x = result.head_output  # one of the H identical copies the article stacks
        layout.tutorial_note(page, "ff.tutorial_note", h=s.heads, ht=s.heads * len(s.tokens), t=len(s.tokens))
    else:
        x = result.attention.output
    row_labels = list(s.tokens)
    row_axis = "axis.token"
    n = len(row_labels)
    w = layout.token_window(page, n, "ff")
    rows = row_labels[w]
    hidden_cols = layout.feature_labels("h", F)

    st.subheader(t("ff.input", t=n, d=D))
    layout.matrix(page, x[w], rows, layout.feature_labels("d", D), title="x", row_axis=row_axis)
    st.subheader(t("ff.pre", t=n, f=F))
    layout.matrix(
        page,
        ffn.pre_activation[w],
        rows,
        hidden_cols,
        title="x·W1 + b1",
        row_axis=row_axis,
        col_axis="axis.hidden_unit",
    )
    st.subheader(t("ff.hidden", t=n, f=F))
    layout.matrix(
        page,
        ffn.hidden[w],
        rows,
        hidden_cols,
        title="max(0, x·W1 + b1)",
        row_axis=row_axis,
        col_axis="axis.hidden_unit",
    )
    st.caption(t("ff.relu_share", pct=f"{100 * np.mean(ffn.hidden == 0):.0f}"))
    st.subheader(t("ff.output", t=n, d=D))
    layout.matrix(page, ffn.output[w], rows, layout.feature_labels("d", D), title="FFN(x)", row_axis=row_axis)
