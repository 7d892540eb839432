"""Attention Explorer: the router. Each screen is a page script in pages/ that stands on its own."""

import streamlit as st

from ui import session
from ui.i18n import Translator
from ui.screens import SCREENS

session.ensure()
t = Translator(session.settings().lang)

# The menu is drawn by every page (ui/layout.py), so it looks the same when a cold deep
# link runs a page file without this router.
pages = [
    st.Page(path, title=t(key), icon=icon, url_path=url or None, default=not url) for path, url, key, icon in SCREENS
]
st.navigation(pages, position="hidden").run()
