"""Feed-forward: the hidden layer before and after ReLU, and the final outputs."""

import streamlit as st

from ui import compute, draw, layout, state

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
        layout.tutorial_note(page, "ff.tutorial_note", n=s.heads, ht=s.heads * len(s.tokens), t=len(s.tokens))
        x_title, input_key = "x", "ff.input"
    elif result.block is None:
        x, x_title, input_key = result.attention.output, "MultiHead(x)", "ff.input"
    elif result.block.norm_first:
        x, x_title, input_key = result.block.norm2, "LayerNorm(h)", "ff.input_pre"
    else:
        x, x_title, input_key = result.block.norm1, "h = LayerNorm(x + MultiHead(x))", "ff.input_post"
    if s.mode == "tutorial":
        x_title, input_key = "x", "ff.input"
    row_labels = list(s.tokens)
    row_axis = "axis.token"
    n = len(row_labels)
    w = draw.token_window(page, n, "ff")
    rows = row_labels[w]
    hidden_cols = draw.feature_labels("h", F)

    st.subheader(t(input_key, t=n, d=D))
    draw.matrix(page, x[w], rows, draw.feature_labels("d", D), title=x_title, row_axis=row_axis)
    draw.notice(page, "ff.input_notice")
    st.subheader(t("ff.pre", t=n, f=F))
    draw.matrix(
        page,
        ffn.pre_activation[w],
        rows,
        hidden_cols,
        title="x·W1 + b1",
        row_axis=row_axis,
        col_axis="axis.hidden_unit",
    )
    draw.notice(page, "ff.pre_notice")
    st.subheader(t("ff.hidden", t=n, f=F))
    draw.matrix(
        page,
        ffn.hidden[w],
        rows,
        hidden_cols,
        title="max(0, x·W1 + b1)",
        row_axis=row_axis,
        col_axis="axis.hidden_unit",
    )
    draw.notice(page, "ff.relu_share", pct=f"{100 * compute.zero_fraction(ffn.hidden):.0f}")
    st.subheader(t("ff.output_paper" if s.paper and result.block is not None else "ff.output", t=n, d=D))
    draw.matrix(page, ffn.output[w], rows, draw.feature_labels("d", D), title="FFN(x)", row_axis=row_axis)
    draw.notice(page, "ff.output_notice")

    block = result.block if s.paper else None
    if block is not None:
        dims = draw.feature_labels("d", D)
        st.subheader(t("ff.add_norm2"))
        if block.norm_first:
            st.caption(t("ff.pre_formula2"))
            draw.matrix(page, block.residual2[w], rows, dims, title="h + FFN(LayerNorm(h))")
            draw.notice(page, "ff.residual2_notice")
        else:
            st.caption(t("ff.post_formula2"))
            draw.matrix(page, block.residual2[w], rows, dims, title="h + FFN(h)")
            draw.notice(page, "ff.residual2_notice")
            draw.matrix(page, block.norm2[w], rows, dims, title="LayerNorm(h + FFN(h))")
            draw.notice(page, "an.norm_notice")
            draw.row_stats(page, block.residual2[w], block.norm2[w], rows)
        st.success(
            t("ff.block_output_causal" if s.mask == "causal" else "ff.block_output", t=n, d=D),
            icon=":material/check_circle:",
        )
