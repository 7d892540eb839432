"""Home: what the app shows, how to read it, the data flow and where to start."""

import streamlit as st

from ui import draw, layout

page = layout.start("nav.home")
t = page.t

st.title(t("home.title"))
st.markdown(f"**{t('home.tagline')}**")
st.write(t("home.what"))

st.subheader(t("home.flow"))
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

st.subheader(t("home.start"))
st.markdown(t("home.start_body"))
layout.screen_links(page)
st.info(t("home.lesson"), icon=":material/school:")
layout.lesson_link(page)
st.markdown(t("home.modes"))

st.subheader(t("home.read"))
st.write(t("home.read_body"))
layout.download_panel(page)
