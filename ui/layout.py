"""The page frame: the session, the sidebar and its settings, notices, errors, the download panel.

Each page script starts with ``page = layout.start(...)``; the charts it draws go through
``ui/draw.py``. A page must stand on its own:
a fresh server whose first visitor follows a deep link runs the page file without
``app.py`` (Streamlit's legacy ``pages/`` discovery), so nothing here relies on the router.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import functools
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

import core
from ui import compute, downloads, process, scenarios, session, share, state, training
from ui.i18n import Translator, language_names
from ui.screens import SCREENS
from ui.state import Settings

log = logging.getLogger(__name__)

# The tab's icon, a 4 × 4 attention map in the charts' colours, served by the app itself.
ICON = str(Path(__file__).with_name("icon.png"))


@dataclass(frozen=True)
class Page:
    settings: Settings
    t: Translator
    vocab: core.Vocabulary
    title: str = ""
    # This run's charts in drawing order, for the download panel: a new list each run (``start``), and
    # shared by ``dataclasses.replace(page, ...)``, so the charts of a view are the page's.
    figures: downloads.Figures = field(default_factory=downloads.Figures, compare=False, repr=False)


# The page of this script run, for the drawing helpers that are not given it (``draw.chart``, ``draw.flow``):
# a context variable, since each session's script runs in its own thread, so a run never sees another's page.
_PAGE: contextvars.ContextVar[Page | None] = contextvars.ContextVar("page", default=None)


def start(
    title_key: str,
    page_params: tuple[str, ...] = (),
    sidebar: str = "auto",
    own_view: bool = False,
    block_weights: bool = True,
    fold_block: bool = False,
) -> Page:
    """Session, page config, sidebar, URL notices and the URL itself, for any page.

    ``page_params``: the page's own URL parameters (``state.PAGE_PARAMS``), kept in the link.
    ``sidebar``: how the sidebar starts on a first visit ("collapsed" for a projector).
    ``own_view``: the page draws views of its own (the lesson's steps), so the sidebar offers only
    the language and says that the other settings wait for the other screens.
    ``fold_block``: the page draws no block (Home), so the block's settings wait folded in the sidebar:
    a first visit meets the mode, the seed and the language, not every setting at once.
    """
    process.configure()
    session.ensure()
    session.begin_run()
    t = Translator(session.settings().lang)
    st.set_page_config(
        page_title=f"{t(title_key)} · {t('app.title')}",
        page_icon=ICON,  # a file of the app's: a Material icon would be fetched from Google's font server
        layout="wide",
        initial_sidebar_state=sidebar,
    )
    session.sync_url(keep=page_params)  # first: the sidebar says whether the link holds the table
    _frame(t)
    _sidebar(t, own_view, fold_block)
    for notice in session.take_notices():
        st.warning(t.notice(notice), icon=":material/link:")
    page = Page(settings=session.settings(), t=t, vocab=session.vocabulary(), title=t(title_key))
    if not own_view and block_weights:  # a page that draws the encoder block's weights (trained if asked)
        page = _weights(page)
    _PAGE.set(page)
    return page


def current_page() -> Page | None:
    """The page of this script run (``start``), or None outside one."""
    return _PAGE.get()


def _weights(page: Page) -> Page:
    """With ``weights=trained``: the page's training, trained now (its progress shown) when the process
    has none; else the page with random weights, and a message naming the Weights setting and why
    (too few words, width 1, too big for a shared server, stopped, failed)."""
    s, t = page.settings, page.t
    if not (s.paper and s.weights == "trained"):
        return page
    key = compute.TrainKey.of(s, page.vocab)
    if compute.trained(key) is not None:
        return page
    problem = training.problem(key, page.vocab, s)
    stopped = problem is None and session.training_stopped(key)
    if problem is None and not stopped and training.run(t, key, page.vocab, curves=False) is not None:
        return page
    reason = t.notice(problem) if problem is not None else t("train.stopped") if stopped else ""
    st.warning(f"{t('train.weights_random')} {reason}", icon=":material/model_training:")
    if stopped:
        st.button(t("train.again"), on_click=session.allow_training, args=(key,), icon=":material/play_arrow:")
    elif problem is not None and problem.key in ("train.too_few", "train.too_narrow"):
        st.button(t("train.setup"), on_click=session.training_setup, icon=":material/auto_fix_high:")
    return dataclasses.replace(page, settings=dataclasses.replace(s, weights="random"))


def bound(name: str, value) -> dict:
    """Keyword arguments that bind a widget to ``settings.<name>``."""
    return {"key": session.seed_widget(name, value), "on_change": session.commit_widget, "args": (name,)}


_WIDGETS = {
    "multiselect": st.multiselect,
    "radio": st.radio,
    "select": st.selectbox,
    "segmented": st.segmented_control,
    "slider": st.slider,
    "number": st.number_input,
}


def setting(t: Translator, settings: Settings, name: str, widget: str, *, value=None, **extra):
    """The widget of one setting, from its row in ``state.SPECS``: label, help, range, choices.

    A whole-number box is drawn with ``value=None``, so that clearing it leaves it empty
    instead of jumping to the minimum; the callback then changes nothing and the next run
    shows the value again (an empty d_ff box means the default width). A setting the
    article does not have is disabled in tutorial mode.
    """
    spec = state.SPEC[name]
    kwargs = {"label": t(spec.label), **bound(name, getattr(settings, name) if value is None else value)}
    if spec.help:
        kwargs["help"] = t(spec.help, lo=state.format_value(spec.lo), hi=state.format_value(spec.hi))
    if spec.paper_only and settings.mode == "tutorial":
        kwargs["disabled"] = True
    if spec.kind == "choice":
        names = language_names() if name == "lang" else t.options(name, spec.choices)
        kwargs.update(options=spec.choices, format_func=names.get)
    elif widget in ("slider", "number"):  # the others get their options from the caller
        kwargs.update(min_value=spec.lo, max_value=spec.hi)
        if widget == "number":
            kwargs.update(step=1 if spec.kind == "int" else 0.05, value=None)
    return _WIDGETS[widget](**(kwargs | extra))  # the caller's own range (a slider to this sentence's end) wins


def _nav_links(t: Translator, screens=SCREENS, container=None) -> None:
    """Links to the screens. The same translated menu whether app.py routed this run or a
    cold deep link ran the page file alone (then Streamlit's own menu, built from file
    names, is hidden by client.showSidebarNavigation = false). Without any page registry
    (a page run alone by AppTest) plain relative links stand in."""
    container = container or st
    for path, url, key, icon in screens:
        try:
            container.page_link(path, label=t(key), icon=icon)
        except StreamlitPageNotFoundError:
            container.markdown(f"[{t(key)}](./{url})")


def _sidebar(t: Translator, own_view: bool = False, fold_block: bool = False) -> None:
    s = session.settings()
    with st.sidebar:
        _nav_links(t)
        st.divider()
        if own_view:  # widgets that would change nothing here are left out, not shown dead
            setting(t, s, "lang", "select")
            st.caption(t("sidebar.own_view"))
            _numbers_toggle(t)
            _share(t, link_note=False)  # the link holds the page's own view, not these settings
            return
        st.subheader(t("sidebar.settings"))
        setting(t, s, "mode", "radio")
        setting(t, s, "seed", "number")
        setting(t, s, "lang", "select")
        if fold_block:
            block = st.expander(t("block.settings"), expanded=False)
            block.caption(t("block.folded"))
        else:
            st.subheader(t("block.settings"))
            block = st.container()
        with block:
            if not s.paper:
                st.caption(t("block.tutorial_off"))
            for name in ("weights", "pe", "mask", "scale", "norm"):
                setting(t, s, name, "select")
            setting(t, s, "temp", "number", format="%.2f")
        _numbers_toggle(t)
        _share(t)


NUMBERS = "w_numbers"  # the sidebar's toggle that writes each chart's numbers as a table under it (ui/draw.py)


def _numbers_toggle(t: Translator) -> None:
    st.toggle(t("a11y.numbers"), key=NUMBERS, help=t("a11y.numbers_help"), persist_state="session")


# --- the document around the app: its language, announcements, motion, focus -----------------------

# Streamlit serves <html lang="en"> whatever the page says (streamlit#15726), and a screen reader reads a
# page in the voice of that language. This script (run in the page itself: st.html is not an iframe) sets
# the language of the chosen catalogue, and sets it back if anything resets it. It also keeps one polite
# live region outside Streamlit's tree, which survives reruns, and says there what a user's action
# brought: a verdict or notice that appears or changes (Streamlit's success and info boxes are
# role=status, announced by few screen readers when inserted; a warning or error box inserted is
# role=alert and is left to the reader), and a result shown as a metric (a training's accuracy).
_FRAME_SCRIPT = """
(() => {
  const root = document.documentElement;
  window.__a11yLang = %(lang)s;
  if (root.lang !== window.__a11yLang) root.lang = window.__a11yLang;
  if (window.__a11yFrame) return;
  window.__a11yFrame = true;
  new MutationObserver(() => {
    if (root.lang !== window.__a11yLang) root.lang = window.__a11yLang;
  }).observe(root, {attributes: true, attributeFilter: ['lang']});

  const live = document.createElement('div');
  live.id = 'a11y-live';
  live.setAttribute('role', 'status');
  live.setAttribute('aria-live', 'polite');
  live.className = 'a11y-visually-hidden';
  document.body.appendChild(live);

  const SPOKEN = "[data-testid='stAlertContainer'], [data-testid='stMetric']";
  let acted = false, pending = new Set(), timer = null;
  for (const kind of ['keydown', 'pointerdown']) document.addEventListener(kind, () => { acted = true; }, true);
  const say = () => {
    const texts = [...pending].filter(el => el.isConnected).map(el => el.innerText.trim()).filter(Boolean);
    pending = new Set();
    if (texts.length) live.textContent = texts.join(' ');
  };
  new MutationObserver(records => {
    if (!acted) return;
    for (const r of records) {
      const nodes = r.type === 'childList' ? [...r.addedNodes] : [r.target];
      for (const node of nodes) {
        const el = node.nodeType === 1 ? node : node.parentElement;
        if (!el || live.contains(el)) continue;
        const box = el.closest(SPOKEN);
        const inserted = r.type === 'childList' && box === el;
        if (box && !(inserted && box.getAttribute('role') === 'alert')) pending.add(box);
        if (r.type === 'childList' && !box) el.querySelectorAll(SPOKEN).forEach(found => {
          if (found.getAttribute('role') !== 'alert') pending.add(found);
        });
      }
    }
    clearTimeout(timer);
    timer = setTimeout(say, 400);
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
})();
"""

# The frame's own element is hidden (no gap on the page); what its style says holds for the whole page.
_FRAME_STYLE = """
.st-key-a11y_frame { display: none; }
.a11y-visually-hidden {
  position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
/* A visible focus on everything reached by Tab, whatever Streamlit's own widget draws. */
a:focus-visible, button:focus-visible, input:focus-visible, textarea:focus-visible, summary:focus-visible,
[role='button']:focus-visible, [role='tab']:focus-visible, [role='switch']:focus-visible,
[role='combobox']:focus-visible, [role='slider']:focus-visible, [tabindex]:focus-visible {
  outline: 2px solid #1d4ed8 !important; outline-offset: 2px !important;
}
/* A disabled setting's label (tutorial mode) stays readable: Streamlit fades it to 2.3 : 1, which axe
   counts against the page (it cannot tell the label belongs to a disabled widget); 6.1 : 1 here, on the
   sidebar's #f8f8f7. */
.stElementContainer:has([aria-disabled='true'], :disabled) [data-testid='stWidgetLabel'] p {
  color: #605e5c;
}
@media (prefers-reduced-motion: reduce) {
  *, *::before, *::after {
    animation-duration: 0.01ms !important; animation-iteration-count: 1 !important;
    animation-delay: 0s !important; transition-duration: 0.01ms !important; transition-delay: 0s !important;
    scroll-behavior: auto !important;
  }
  /* A training's live curves are redrawn several times a second: left out (its progress bar and text
     stay); the finished curves are drawn once the training ends. */
  [class*='st-key-LIVE_CURVES_'] { display: none !important; }
}
""".replace("LIVE_CURVES", training.LIVE_CURVES)


def html_lang(t: Translator) -> str:
    """The BCP 47 tag of the page's language, from its catalogue's locale: pt_BR -> "pt-BR"."""
    return t.language.locale.replace("_", "-")


def _frame(t: Translator) -> None:
    """The document's language, the live region, reduced motion and visible focus (see ``_FRAME_SCRIPT``).
    Drawn first on every page, in a hidden container; the script is the app's own text, no user's."""
    script = _FRAME_SCRIPT % {"lang": json.dumps(html_lang(t))}
    with st.container(key="a11y_frame"):
        st.html(f"<style>{_FRAME_STYLE}</style><script>{script}</script>", unsafe_allow_javascript=True)


SAVE_PANEL = "w_save_panel"  # the sidebar's toggle that shows what can be saved and opened


def _share(t: Translator, link_note: bool = True) -> None:
    """What the link holds (``link_note``), and the session as a scenario file to save or open."""
    too_long = session.link_too_long()
    if too_long and link_note:
        st.warning(t("share.link_table_too_long", n=too_long, max=share.MAX_LINK_CHARS), icon=":material/link_off:")
    elif link_note:
        st.caption(t("share.link_table" if session.is_custom() else "sidebar.link"))
    # Saving is drawn only when asked for: its widgets (a file uploader, the download buttons) are
    # slow to draw in the browser, on every page (README, "In the browser").
    if not st.toggle(t("share.toggle"), key=SAVE_PANEL, help=t("share.toggle_help")):
        return
    with st.container(border=True):
        st.markdown(f"**{t('share.title')}**")
        settings, custom, lexicon = session.settings(), session.custom_vocabulary(), session.custom_lexicon()
        st.download_button(
            t("share.save"),
            data=lambda: scenarios.scenario_bytes(settings, custom, lexicon),  # built on a click, in its own thread
            file_name=scenarios.scenario_file_name(session.settings()),
            mime="application/json",
            on_click="ignore",
            help=t("share.save_help"),
            icon=":material/download:",
        )
        st.file_uploader(
            t("share.open"),
            type=["json"],
            key=session.uploader_key(),
            on_change=session.load_scenario,
            args=(session.uploader_key(),),
            help=t("share.open_help", mb=scenarios.MAX_SCENARIO_BYTES // 1_000_000),
            max_upload_size=scenarios.MAX_SCENARIO_BYTES // 1_000_000,  # refused by the server before it buffers more
        )
    notices = session.take_upload_notices()
    rejected = bool(notices) and notices[0].key == "share.file_rejected"  # and nothing changed
    for notice in notices:
        (st.error if rejected else st.info)(t.notice(notice), icon=":material/upload_file:")


# --- notes, links and errors on a page ---------------------------------------------------------


def heads_control(page: Page) -> int:
    return setting(page.t, page.settings, "heads", "slider")


def tutorial_note(page: Page, key: str, **args) -> None:
    """The short note that marks where tutorial mode departs from the paper."""
    if page.settings.mode == "tutorial":
        st.info(f"**{page.t('tutorial.badge')}.** {page.t(key, **args)}", icon=":material/menu_book:")


LINKS_PER_ROW = 4


def screen_links(page: Page) -> None:
    """The explorer's screens after Home, four to a row so that every name fits whole at a laptop's
    width (eight in one row cut "Vocabulary" to "Vocabul"); the lesson has a link of its own."""
    screens = [screen for screen in SCREENS[1:] if screen[1] != "lesson"]
    for start in range(0, len(screens), LINKS_PER_ROW):
        row = screens[start : start + LINKS_PER_ROW]
        for col, screen in zip(st.columns(LINKS_PER_ROW), row, strict=False):
            _nav_links(page.t, [screen], container=col)


def lesson_link(page: Page) -> None:
    _nav_links(page.t, [next(screen for screen in SCREENS if screen[1] == "lesson")])


MAX_ERRORS = 8  # a table at d_model = 128 can have hundreds of bad cells: name the first ones


def errors(page: Page, notices) -> None:
    for notice in notices[:MAX_ERRORS]:
        st.error(page.t.notice(notice), icon=":material/error:")
    if len(notices) > MAX_ERRORS:
        st.error(page.t("errors.more", n=len(notices) - MAX_ERRORS), icon=":material/error:")


@contextlib.contextmanager
def guarded(page: Page):
    """No traceback on screen: an unexpected error becomes a short message; state is untouched.

    At the end the sidebar offers the page's charts for download (``download_panel``). A page that
    ends early calls ``stop(page)`` rather than ``st.stop()``: once the script is stopping, nothing
    more can be drawn.
    """
    try:
        yield
    except core.AttentionInputError as exc:
        log.warning("input rejected by core: %s", exc)
        st.error(page.t("error.unexpected", kind=str(exc)), icon=":material/error:")
    except Exception as exc:  # the page must stay usable whatever happened
        log.exception("page failed")
        st.error(page.t("error.unexpected", kind=type(exc).__name__), icon=":material/error:")
    download_panel(page)


def stop(page: Page) -> NoReturn:
    """``st.stop()`` after the download panel. After ``st.stop()`` every element a script draws raises
    StopException again (a BaseException: ``guarded`` lets it through), so the panel comes first."""
    download_panel(page)
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises  # pragma: no cover


# --- downloads ----------------------------------------------------------------------------------

DOWNLOAD_PICK = "dl_pick"  # the widget key of the chart picked for download


def download_panel(page: Page) -> None:
    """The sidebar's downloads of the charts this run drew, once per run (``guarded`` and ``stop`` call it).

    The files are built only on a click: each button gets a zero-argument callable, which Streamlit
    runs when clicked, on a thread of its own (no script context: the callables read only their
    Figure). A rerun pays for one selectbox and four buttons.
    """
    figures = page.figures
    if figures.panel_drawn or not figures or not session.switched_on(SAVE_PANEL):
        return
    figures.panel_drawn = True
    try:
        with st.sidebar:
            _download_widgets(page.t, tuple(figures), downloads.slug(page.title, "page"))
    except Exception:  # the page must stay usable whatever happened
        log.exception("download panel failed")


def _download_widgets(t: Translator, figures: tuple[downloads.Figure, ...], prefix: str) -> None:
    st.subheader(t("dl.title"))
    labels = [f"{i} · {figure.name}" for i, figure in enumerate(figures, start=1)]
    picked = st.selectbox(
        t("dl.pick"), range(len(figures)), format_func=labels.__getitem__, key=DOWNLOAD_PICK, help=t("dl.pick_help")
    )
    i = picked if isinstance(picked, int) and 0 <= picked < len(figures) else 0
    figure = figures[i]
    stem = f"{prefix}-{downloads.file_stem(i + 1, figure.name)}"
    common = {"on_click": "ignore", "width": "stretch"}
    has_csv = figure.table is not None
    # A language that writes "0,5" gets the CSVs its spreadsheets open with a double-click: ";" and "," decimals.
    comma = t.decimal_comma

    def too_big_help(kind: str, too_big: tuple[int, int]) -> str:  # the size, the limit, what to pick instead
        size, limit = (f"{n:,}".replace(",", "." if comma else ",") for n in too_big)
        keys = {"csv": "dl.too_big_csv", "zip": "dl.too_big_zip", "png": "dl.too_big_png", "svg": "dl.too_big_svg"}
        return t(keys[kind], n=size, limit=limit)

    buttons = (
        ("csv", "dl.csv", "text/csv", "dl.csv_help" if has_csv else "dl.no_csv"),
        ("png", "dl.png", "image/png", "dl.png_help"),
        ("svg", "dl.svg", "image/svg+xml", "dl.svg_help"),
    )
    for col, (kind, label, mime, help_key) in zip(st.columns(3), buttons, strict=True):
        too_big = downloads.refusal(kind, figure) if kind != "csv" or has_csv else None
        col.download_button(
            t(label),
            data=functools.partial(downloads.download, kind, figure, comma=comma),
            file_name=f"{stem}.{kind}",
            mime=mime,
            key=f"dl_{kind}",
            help=too_big_help(kind, too_big) if too_big else t(help_key),
            disabled=(kind == "csv" and not has_csv) or too_big is not None,
            **common,
        )
    n_tables = sum(f.table is not None for f in figures)
    if n_tables:
        too_big = downloads.refusal("zip", figures)
        st.download_button(
            t("dl.zip"),
            data=functools.partial(downloads.download_zip, figures, comma=comma),
            file_name=f"{prefix}-matrices.zip",
            mime="application/zip",
            key="dl_zip",
            help=too_big_help("zip", too_big) if too_big else t("dl.zip_help", n=n_tables),
            icon=":material/folder_zip:",
            disabled=too_big is not None,
            **common,
        )
