"""Add & Norm: the residual sum around the attention sublayer and the layer norm that follows or precedes it."""

import streamlit as st

from ui import compute, draw, layout

page = layout.start("nav.add_norm")
t, s, vocab = page.t, page.settings, page.vocab

st.title(t("an.title"))
st.write(t("an.intro"))

with layout.guarded(page):
    result = compute.current_pass(s, vocab)
    tokens = list(s.tokens)
    dims = draw.feature_labels("d", vocab.dim)
    w = draw.token_window(page, len(tokens), "an")
    rows = tokens[w]
    if not s.paper or result.block is None:  # nothing to add or normalise: what goes on to the feed-forward
        if s.paper:
            st.info(t("an.none"), icon=":material/block:")
        else:
            layout.tutorial_note(page, "an.tutorial_note")
        out = result.attention.output if s.paper else result.head_output
        st.subheader(t("an.straight", t=len(tokens), d=vocab.dim))
        draw.matrix(page, out[w], rows, dims, title="MultiHead(x)" if s.paper else t("chart.weights_e", raw=True))
        draw.notice(page, "an.straight_notice")
    else:
        block = result.block
        if s.norm == "post":
            st.caption(t("an.post_formula"))
            st.subheader(t("an.residual1", t=len(tokens), d=vocab.dim))
            draw.matrix(page, block.residual1[w], rows, dims, title="x + MultiHead(x)")
            draw.notice(page, "an.residual_notice")
            st.subheader(t("an.norm1"))
            draw.matrix(page, block.norm1[w], rows, dims, title="LayerNorm(x + MultiHead(x))")
            draw.notice(page, "an.norm_notice")
            draw.row_stats(page, block.residual1[w], block.norm1[w], rows)
        else:
            st.caption(t("an.pre_formula"))
            st.subheader(t("an.pre_norm1"))
            draw.matrix(page, block.norm1[w], rows, dims, title="LayerNorm(x)")
            draw.notice(page, "an.norm_notice")
            draw.row_stats(page, result.x[w], block.norm1[w], rows)
            st.subheader(t("an.residual1", t=len(tokens), d=vocab.dim))
            draw.matrix(page, block.residual1[w], rows, dims, title="x + MultiHead(LayerNorm(x))")
            draw.notice(page, "an.residual_notice")
        st.caption(t("an.next"))
