"""Attention Explorer: the router. Each screen is a page script in pages/ that stands on its own."""

import streamlit as st

from ui import session
from ui.i18n import Translator

session.ensure()
t = Translator(session.settings().lang)

PAGES = [
    st.Page("pages/0_home.py", title=t("nav.home"), icon=":material/home:", default=True),
    st.Page("pages/1_vocabulary.py", title=t("nav.vocabulary"), icon=":material/abc:", url_path="vocabulary"),
    st.Page(
        "pages/2_self-attention.py",
        title=t("nav.self_attention"),
        icon=":material/center_focus_strong:",
        url_path="self-attention",
    ),
    st.Page("pages/3_multi-head.py", title=t("nav.multi_head"), icon=":material/view_column:", url_path="multi-head"),
    st.Page(
        "pages/4_feed-forward.py", title=t("nav.feed_forward"), icon=":material/arrow_forward:", url_path="feed-forward"
    ),
]

st.navigation(PAGES).run()
