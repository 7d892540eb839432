"""What every page shares: the session, the sidebar, notices, notes, charts, errors.

Each page script starts with ``page = layout.start(...)``. A page must stand on its own:
a fresh server whose first visitor follows a deep link runs the page file without
``app.py`` (Streamlit's legacy ``pages/`` discovery), so nothing here relies on the router.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st
from streamlit import dataframe_util
from streamlit.errors import StreamlitPageNotFoundError

import core
from ui import charts, session, sockets, state
from ui.i18n import LANG_NAMES, Translator
from ui.state import Settings

log = logging.getLogger(__name__)

# Streamlit runs gc.collect(2) after every script run (runner.postScriptGC). With streamlit, altair,
# pandas and pyarrow loaded that walks ~120,000 long-lived objects: ~50 ms of CPU per rerun on a
# 2-core machine, more than the page itself. Freezing what is alive once all of them are imported
# takes those objects out of the collector's walk; garbage made afterwards is collected as before.
gc.freeze()

# Altair's debug mode validates every schema object against the Vega-Lite JSON schema as it is
# created: ~a quarter of the time to build a chart, on every cache miss. The chart builders' tests
# validate what they build (ui/charts.py output, to_dict with validation); here it is only served.
alt.utils.schemapi.disable_debug_mode()

# Streamlit's server leaves Nagle's algorithm on, so each HTTP response after the first on a
# connection, and a websocket message that follows another, can wait ~40 ms for the browser's
# delayed ACK (ui/sockets.py). Process-wide, once, at the first script run.
sockets.enable_tcp_nodelay()

# A window of at most this many tokens has per-cell tooltips in a T×T attention map.
WINDOW_TOKENS = 64

# (script, URL path, catalogue key, icon): the screens, in reading order. The URL paths are
# part of the product (people share links) and match the legacy names of the files.
SCREENS = (
    ("pages/0_home.py", "", "nav.home", ":material/home:"),
    ("pages/1_vocabulary.py", "vocabulary", "nav.vocabulary", ":material/abc:"),
    ("pages/2_self-attention.py", "self-attention", "nav.self_attention", ":material/center_focus_strong:"),
    ("pages/3_multi-head.py", "multi-head", "nav.multi_head", ":material/view_column:"),
    ("pages/4_feed-forward.py", "feed-forward", "nav.feed_forward", ":material/arrow_forward:"),
)


@dataclass(frozen=True)
class Page:
    settings: Settings
    t: Translator
    vocab: core.Vocabulary


def start(title_key: str) -> Page:
    """Session, page config, sidebar, URL notices and the URL itself, for any page."""
    session.ensure()
    session.begin_run()
    t = Translator(session.settings().lang)
    st.set_page_config(
        page_title=f"{t(title_key)} · {t('app.title')}", page_icon=":material/visibility:", layout="wide"
    )
    _sidebar(t)
    for notice in session.take_notices():
        st.warning(t.notice(notice), icon=":material/link:")
    session.sync_url()
    return Page(settings=session.settings(), t=t, vocab=session.vocabulary())


def bound(name: str, value) -> dict:
    """Keyword arguments that bind a widget to ``settings.<name>``."""
    return {"key": session.seed_widget(name, value), "on_change": session.commit_widget, "args": (name,)}


def number_box(name: str, value: int, label: str, help: str) -> None:
    """A whole-number box bound to ``settings.<name>``. Its limits come from state.LIMITS.

    Drawn with ``value=None``, so that clearing the box leaves it empty instead of jumping
    to the minimum; the callback then changes nothing and the next run shows the value again.
    """
    lo, hi = state.LIMITS[name]
    st.number_input(label, min_value=lo, max_value=hi, step=1, value=None, help=help, **bound(name, value))


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


def _sidebar(t: Translator) -> None:
    s = session.settings()
    with st.sidebar:
        _nav_links(t)
        st.divider()
        st.subheader(t("sidebar.settings"))
        st.radio(
            t("sidebar.mode"),
            state.MODES,
            format_func=lambda m: t(f"mode.{m}"),
            help=t("sidebar.mode_help"),
            **bound("mode", s.mode),
        )
        number_box("seed", s.seed, t("sidebar.seed"), t("sidebar.seed_help", lo=state.SEED_MIN, hi=state.SEED_MAX))
        st.selectbox(t("sidebar.lang"), state.LANGS, format_func=LANG_NAMES.get, **bound("lang", s.lang))
        st.caption(t("sidebar.link"))


# --- building blocks for pages ----------------------------------------------------------------


def heads_control(page: Page) -> int:
    return st.slider(
        page.t("mh.heads"),
        min_value=state.HEADS_MIN,
        max_value=state.HEADS_MAX,
        help=page.t("mh.heads_help", lo=state.HEADS_MIN, hi=state.HEADS_MAX),
        **bound("heads", page.settings.heads),
    )


def tutorial_note(page: Page, key: str, **args) -> None:
    """The short note that marks where tutorial mode departs from the paper."""
    if page.settings.mode == "tutorial":
        st.info(f"**{page.t('tutorial.badge')}.** {page.t(key, **args)}", icon=":material/menu_book:")


@st.cache_data(max_entries=16, show_spinner=False)
def _flow_spec(steps: tuple[tuple[str, str], ...]) -> dict:
    return charts.flow_diagram(list(steps)).to_dict()


def flow(steps: list[tuple[str, str]]) -> None:
    """The data-flow diagram, built once per language."""
    st.vega_lite_chart(_flow_spec(tuple(steps)), width="content")


def _digest(values: np.ndarray) -> str:
    arr = np.ascontiguousarray(values, dtype=np.float64)
    return hashlib.blake2b(arr.tobytes() + str(arr.shape).encode(), digest_size=16).hexdigest()


_TABLE = "cells"  # the name of a heatmap's per-cell dataset
# A spec of at most this many cells is small (<= ~30 kB): 2,048 are kept. A bigger one (a rect table
# of up to 4,096 cells is ~400 kB, an image 5-90 kB) goes to a 128-entry cache, so the cached specs
# stay under ~110 MB whatever a room of users looks at.
_SMALL_SPEC_CELLS = 256


def _build_heatmap_spec(rows: tuple[str, ...], cols: tuple[str, ...], options: tuple, values: np.ndarray) -> dict:
    """A heatmap's Vega-Lite spec with its data already as Arrow bytes (cached by _heatmap_spec).

    Building an Altair chart and serialising it costs ~5-30 ms; a rerun draws a dozen of
    them. The caches are keyed on a digest of the full array (not Streamlit's sampled hash)
    and small values. The per-cell table (the chart's top-level DataFrame in rect mode) goes
    to Arrow directly: through ``to_dict`` it would be sanitised, turned into records and
    hashed first.
    """
    chart = charts.heatmap(values, list(rows), list(cols), **dict(options))
    datasets = {}
    if isinstance(chart.data, pd.DataFrame):
        datasets[_TABLE] = dataframe_util.convert_anything_to_arrow_bytes(chart.data)
        chart.data = alt.NamedData(name=_TABLE)  # the chart was built for this call: no copy needed
    spec = chart.to_dict(validate=False)  # the chart builders' tests validate against the schema
    for name, data in spec.get("datasets", {}).items():
        datasets[name] = dataframe_util.convert_anything_to_arrow_bytes(pd.DataFrame(data))
    # Inline layer data (the image and its legend, rules) becomes named datasets too: then the spec
    # without its data is the same whenever only the values change, and Streamlit swaps the data of
    # the chart already drawn instead of building a new Vega view.
    for i, layer in enumerate(spec.get("layer", [])):
        inline = layer.get("data", {}).get("values")
        if inline is not None:
            datasets[f"layer{i}"] = dataframe_util.convert_anything_to_arrow_bytes(pd.DataFrame(inline))
            layer["data"] = {"name": f"layer{i}"}
    spec["datasets"] = datasets
    return spec


@st.cache_data(max_entries=2048, show_spinner=False)
def _small_heatmap_spec(digest: str, rows: tuple, cols: tuple, options: tuple, _values: np.ndarray) -> dict:
    return _build_heatmap_spec(rows, cols, options, _values)


@st.cache_data(max_entries=128, show_spinner=False)
def _big_heatmap_spec(digest: str, rows: tuple, cols: tuple, options: tuple, _values: np.ndarray) -> dict:
    return _build_heatmap_spec(rows, cols, options, _values)


def _heatmap_spec(digest: str, rows: tuple, cols: tuple, options: tuple, _values: np.ndarray) -> dict:
    """The cached spec of a heatmap: keyed on a digest of its values (see _build_heatmap_spec)."""
    cache = _small_heatmap_spec if _values.size <= _SMALL_SPEC_CELLS else _big_heatmap_spec
    return cache(digest, rows, cols, options, _values=_values)


def token_window(page: Page, n_tokens: int, key: str) -> slice:
    """All tokens, or, for long sentences, a window the user picks (per-cell tooltips inside it)."""
    if n_tokens <= WINDOW_TOKENS:
        return slice(0, n_tokens)
    wkey = f"window_{key}"
    current = st.session_state.get(wkey)
    if not (isinstance(current, tuple) and 1 <= current[0] <= current[1] <= n_tokens):
        st.session_state[wkey] = (1, n_tokens)
    lo, hi = st.slider(page.t("window.label"), min_value=1, max_value=n_tokens, key=wkey)
    if hi - lo + 1 > WINDOW_TOKENS:
        st.caption(page.t("window.help", n=WINDOW_TOKENS))
    return slice(lo - 1, hi)


def matrix(
    page: Page,
    values,
    rows,
    cols,
    *,
    title: str,
    row_axis: str = "axis.token",
    col_axis: str = "axis.dimension",
    value_axis: str = "axis.value",
    domain: tuple[float, float] | None = None,
    **kwargs,
) -> None:
    """Draw one matrix: weights on the fixed 0-1 viridis scale, anything else on a diverging scale."""
    t = page.t
    R, C = values.shape
    if domain is None:
        domain, scheme = charts.symmetric_domain(values), "blueorange"
    else:
        scheme = "viridis" if domain == charts.WEIGHTS_DOMAIN else "blueorange"
    in_grid = kwargs.get("max_plot") is not None
    note = t("chart.image_note", raw=True, rows=R, cols=C) if charts.uses_image(R, C) and not in_grid else None
    options = {
        "title": title,
        "row_title": t(row_axis),
        "col_title": t(col_axis),
        "value_title": t(value_axis),
        "domain": tuple(float(v) for v in domain),
        "scheme": scheme,
        "masked_label": t("chart.masked"),
        "note": note,
        **{k: tuple(v) if isinstance(v, list) else v for k, v in kwargs.items()},
    }
    spec = _heatmap_spec(_digest(values), tuple(rows), tuple(cols), tuple(sorted(options.items())), _values=values)
    st.vega_lite_chart(spec, width="content")


def token_map(page: Page, values, tokens, *, title: str, weights: bool = False) -> None:
    """A token × token matrix: queries on rows, keys on columns; weights on the fixed 0-1 scale."""
    matrix(
        page,
        values,
        tokens,
        tokens,
        title=title,
        row_axis="axis.query",
        col_axis="axis.key",
        value_axis="axis.weight" if weights else "axis.score",
        domain=charts.WEIGHTS_DOMAIN if weights else None,
    )


HEADS_PER_ROW = 4
GRID_PLOT_PX = 150  # plot side of one head in a row of four: axes included, it fits a quarter of a 1280 px screen


def heads_grid(page: Page, matrices, rows, cols, *, domain: tuple[float, float], **kwargs) -> None:
    """One chart per head, four to a row, on one colour scale; the last of a row carries the legend."""
    H = len(matrices)
    for start in range(0, H, HEADS_PER_ROW):
        n = min(HEADS_PER_ROW, H - start)
        widths = [1.4 if i == n - 1 else 1.0 for i in range(HEADS_PER_ROW)]
        for i, col in enumerate(st.columns(widths)[:n]):
            h = start + i
            with col:
                matrix(
                    page,
                    matrices[h],
                    rows,
                    cols,
                    title=page.t("mh.head_n", raw=True, n=h + 1),
                    domain=domain,
                    max_plot=GRID_PLOT_PX,
                    legend=i == n - 1,
                    **kwargs,
                )


def feature_labels(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i + 1}" for i in range(n)]


def screen_links(page: Page) -> None:
    """The four screens after Home, side by side."""
    for col, screen in zip(st.columns(len(SCREENS) - 1), SCREENS[1:], strict=True):
        _nav_links(page.t, [screen], container=col)


MAX_ERRORS = 8  # a table at d_model = 128 can have hundreds of bad cells: name the first ones


def errors(page: Page, notices) -> None:
    for notice in notices[:MAX_ERRORS]:
        st.error(page.t.notice(notice), icon=":material/error:")
    if len(notices) > MAX_ERRORS:
        st.error(page.t("errors.more", n=len(notices) - MAX_ERRORS), icon=":material/error:")


@contextlib.contextmanager
def guarded(page: Page):
    """No traceback on screen: an unexpected error becomes a short message; state is untouched."""
    try:
        yield
    except core.AttentionInputError as exc:
        log.warning("input rejected by core: %s", exc)
        st.error(page.t("error.unexpected", kind=str(exc)), icon=":material/error:")
    except Exception as exc:  # the page must stay usable whatever happened
        log.exception("page failed")
        st.error(page.t("error.unexpected", kind=type(exc).__name__), icon=":material/error:")
