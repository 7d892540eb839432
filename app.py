"""Attention Explorer: the router. Each screen is a page script in pages/ that stands on its own."""

import streamlit as st

from ui import session
from ui.i18n import Translator
from ui.screens import SCREENS

session.ensure()
t = Translator(session.settings().lang)

# The menu is drawn by every page (ui/layout.py), so it looks the same when a cold deep
# link runs a page file without this router.
# No icon on a Page: Streamlit would make it the tab's icon and fetch it from Google's font server on
# every visit. The menu's icons are drawn from the bundled font (ui/layout.py); the tab's is the app's own.
pages = [st.Page(path, title=t(key), url_path=url or None, default=not url) for path, url, key, _ in SCREENS]
st.navigation(pages, position="hidden").run()
