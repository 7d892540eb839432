"""Home: what the app shows, how to read it, the data flow and where to start."""

import streamlit as st

from ui import draw, layout, lesson

page = layout.start("nav.home", block_weights=False, fold_block=True)  # Home draws no block: nothing to train
t = page.t

st.title(t("home.title"))
st.markdown(f"**{t('home.tagline')}**")
st.write(t("home.what"))

# Newcomers are sent to the lesson first; the screens, one by one, come after it.
st.subheader(t("home.start"))
st.info(t("home.lesson", n=lesson.COUNT), icon=":material/school:")
layout.lesson_link(page)
st.markdown(t("home.start_body"))
layout.screen_links(page)


st.subheader(t("home.transformer"))
st.write(t("home.transformer_body"))
st.markdown(t("home.kinds"))
sa, mh, an, ff, dec = (
    t(k) for k in ("nav.self_attention", "nav.multi_head", "nav.add_norm", "nav.feed_forward", "nav.decoder")
)
encoder = [
    (t("home.tf_source"), t("nav.vocabulary"), "io"),
    (t("home.tf_self"), f"{sa} · {mh}", "attention"),
    (t("flow.add_norm"), an, "norm"),
    (t("flow.ffn"), ff, "ffn"),
    (t("flow.add_norm"), ff, "norm"),
]
decoder = [
    (t("home.tf_target"), dec, "io"),
    (t("home.tf_masked"), dec, "attention"),
    (t("flow.add_norm"), dec, "norm"),
    (t("home.tf_cross"), dec, "cross"),
    (t("flow.add_norm"), dec, "norm"),
    (t("flow.ffn"), dec, "ffn"),
    (t("flow.add_norm"), dec, "norm"),
    (t("home.tf_linear"), dec, "io"),
]
draw.chart(
    "transformer_diagram",
    encoder,
    decoder,
    memory=t("home.tf_memory", raw=True),
    encoder_title=t("home.tf_encoder", raw=True),
    decoder_title=t("home.tf_decoder", raw=True),
    title=t("home.tf_title", raw=True),
    legend=t("home.tf_residual", raw=True),
)
draw.notice(page, "home.tf_notice")

st.subheader(t("home.block"))
steps = [
    (t("flow.embeddings"), t("nav.vocabulary")),
    (t("flow.positions"), t("nav.vocabulary")),
    (t("flow.qkv"), t("nav.self_attention")),
    (t("flow.softmax"), t("nav.self_attention")),
    (t("flow.heads"), t("nav.multi_head")),
    (t("flow.concat"), t("nav.multi_head")),
    (t("flow.w_o"), t("nav.multi_head")),
    (t("flow.add_norm"), t("nav.add_norm")),
    (t("flow.ffn"), t("nav.feed_forward")),
    (t("flow.add_norm"), t("nav.feed_forward")),
    (t("flow.output"), t("nav.feed_forward")),
]
draw.flow(steps)
draw.notice(page, "home.flow_notice")

st.markdown(t("home.modes"))

st.subheader(t("home.read"))
st.write(t("home.read_body"))
layout.download_panel(page)
