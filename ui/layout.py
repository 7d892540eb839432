"""What every page shares: the session, the sidebar, notices, notes, charts, errors.

Each page script starts with ``page = layout.start(...)``. A page must stand on its own:
a fresh server whose first visitor follows a deep link runs the page file without
``app.py`` (Streamlit's legacy ``pages/`` discovery), so nothing here relies on the router.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import functools
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import numpy as np
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

import core
from ui import chart_cache, charts, compute, downloads, process, session, share, state, training
from ui.i18n import Translator, language_names
from ui.screens import SCREENS
from ui.state import Settings

log = logging.getLogger(__name__)

# The tab's icon, a 4 × 4 attention map in the charts' colours, served by the app itself.
ICON = str(Path(__file__).with_name("icon.png"))
# A window of at most this many tokens has per-cell tooltips in a T×T attention map.
WINDOW_TOKENS = 64


@dataclass(frozen=True)
class Page:
    settings: Settings
    t: Translator
    vocab: core.Vocabulary
    title: str = ""
    # This run's charts in drawing order, for the download panel: a new list each run (``start``), and
    # shared by ``dataclasses.replace(page, ...)``, so the charts of a view are the page's.
    figures: downloads.Figures = field(default_factory=downloads.Figures, compare=False, repr=False)


# The page of this script run, for the builders that are not given it (``chart``, ``flow``). A context
# variable: each session's script runs in its own thread, so a run never sees another one's page.
_PAGE: contextvars.ContextVar[Page | None] = contextvars.ContextVar("page", default=None)


def start(title_key: str, page_params: tuple[str, ...] = (), sidebar: str = "auto", own_view: bool = False) -> Page:
    """Session, page config, sidebar, URL notices and the URL itself, for any page.

    ``page_params``: the page's own URL parameters (``state.PAGE_PARAMS``), kept in the link.
    ``sidebar``: how the sidebar starts on a first visit ("collapsed" for a projector).
    ``own_view``: the page draws views of its own (the lesson's steps), so the sidebar offers only
    the language and says that the other settings wait for the other screens.
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
    _sidebar(t, own_view)
    for notice in session.take_notices():
        st.warning(t.notice(notice), icon=":material/link:")
    page = Page(settings=session.settings(), t=t, vocab=session.vocabulary(), title=t(title_key))
    if not own_view:
        page = _weights(page)
    _PAGE.set(page)
    return page


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
    elif widget not in ("segmented", "multiselect"):  # these get their options from the caller
        kwargs.update(min_value=spec.lo, max_value=spec.hi)
        if widget == "number":
            kwargs.update(step=1 if spec.kind == "int" else 0.05, value=None)
    return _WIDGETS[widget](**kwargs, **extra)


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


def _sidebar(t: Translator, own_view: bool = False) -> None:
    s = session.settings()
    with st.sidebar:
        _nav_links(t)
        st.divider()
        if own_view:  # widgets that would change nothing here are left out, not shown dead
            setting(t, s, "lang", "select")
            st.caption(t("sidebar.own_view"))
            _share(t, link_note=False)  # the link holds the page's own view, not these settings
            return
        st.subheader(t("sidebar.settings"))
        setting(t, s, "mode", "radio")
        setting(t, s, "seed", "number")
        setting(t, s, "lang", "select")
        st.subheader(t("block.settings"))
        if not s.paper:
            st.caption(t("block.tutorial_off"))
        for name in ("weights", "pe", "mask", "scale", "norm"):
            setting(t, s, name, "select")
        setting(t, s, "temp", "number", format="%.2f")
        _share(t)


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
        settings, custom = session.settings(), session.custom_vocabulary()
        st.download_button(
            t("share.save"),
            data=lambda: share.scenario_bytes(settings, custom),  # built on a click, in its own thread
            file_name=share.scenario_file_name(session.settings()),
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
            help=t("share.open_help", mb=share.MAX_SCENARIO_BYTES // 1_000_000),
            max_upload_size=share.MAX_SCENARIO_BYTES // 1_000_000,  # refused by the server before it buffers more
        )
    notices = session.take_upload_notices()
    rejected = bool(notices) and notices[0].key == "share.file_rejected"  # and nothing changed
    for notice in notices:
        (st.error if rejected else st.info)(t.notice(notice), icon=":material/upload_file:")


# --- building blocks for pages ----------------------------------------------------------------


def heads_control(page: Page) -> int:
    return setting(page.t, page.settings, "heads", "slider")


def tutorial_note(page: Page, key: str, **args) -> None:
    """The short note that marks where tutorial mode departs from the paper."""
    if page.settings.mode == "tutorial":
        st.info(f"**{page.t('tutorial.badge')}.** {page.t(key, **args)}", icon=":material/menu_book:")


def chart(builder: str, *args, name: str | None = None, table: downloads.Table | None = None, **kwargs) -> None:
    """Draw ``charts.<builder>(*args, **kwargs)``; its spec is built once per content and cached
    (building an Altair chart costs tens of milliseconds, on every rerun otherwise).

    It joins the page's downloads as ``name`` (default: its title), with ``table`` as its CSV.
    """
    spec = chart_cache.chart_spec(
        builder, chart_cache.arguments_digest(builder, *args, **kwargs), _args=args, _kwargs=kwargs
    )
    st.vega_lite_chart(spec, width="content")
    _record(None, name or kwargs.get("title"), builder, args, kwargs, table)


# The name in the list of downloads of a chart drawn without a title (its subheader names it).
_UNTITLED = {"head_view": "mh.head_view", "flow_diagram": "home.flow"}


def _record(page: Page | None, name: str | None, builder: str, args: tuple, kwargs: dict, table=None) -> None:
    """Add a drawn chart to this run's downloads: references only, nothing is converted on a rerun."""
    page = page or _PAGE.get()
    if page is None or page.figures.panel_drawn:
        return
    name = name or page.t(_UNTITLED.get(builder, "dl.untitled"))
    page.figures.append(downloads.Figure(name, builder, args, kwargs, table))


def flow(steps: list[tuple[str, str]]) -> None:
    """The data-flow diagram, built once per language."""
    st.vega_lite_chart(chart_cache.flow_spec(tuple(steps)), width="content")
    _record(None, None, "flow_diagram", (list(steps),), {})


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
    click: tuple[str, int] | None = None,
    name: str | None = None,
    **kwargs,
) -> None:
    """Draw one matrix: weights on the fixed 0-1 viridis scale, anything else on a diverging scale.

    ``click=(key, offset)`` makes its cells clickable (when drawn as rects): a click explains
    that cell, whose row and column are ``offset`` tokens into the sentence (a token window).
    It joins the page's downloads (CSV, PNG, SVG) as ``name`` (default: its title).
    """
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
    clickable = click is not None and not charts.uses_image(R, C, kwargs.get("max_plot"))
    if clickable:
        options["select"] = CELL_SELECTION
    rows, cols = tuple(rows), tuple(cols)
    spec = chart_cache.heatmap_spec(
        chart_cache.digest(values), rows, cols, tuple(sorted(options.items())), _values=values
    )
    if not clickable:
        st.vega_lite_chart(spec, width="content")
    else:
        key, offset = click
        on_click = functools.partial(session.cell_clicked, key, CELL_SELECTION, offset)
        st.vega_lite_chart(spec, width="content", key=key, on_select=on_click, selection_mode=CELL_SELECTION)
    numbers = downloads.Table(values, rows, cols, options["row_title"], options.get("masked_value", "-inf"))
    _record(page, name or title, "heatmap", (values, rows, cols), options, numbers)


def masked(weights: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    """Weights to draw: a masked cell is drawn as masked (grey, "masked" in its tooltip), not as a 0."""
    return weights if mask is None else np.where(mask, weights, -np.inf)


CELL_SELECTION = "cell"  # the heatmaps' point selection: a click returns [{"r": row, "c": column}]


def token_map(
    page: Page, values, tokens, *, title: str, weights: bool = False, click: tuple[str, int] | None = None
) -> None:
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
        click=click,
        **({"masked_value": "0"} if weights else {}),
    )


HEADS_PER_ROW = 4
GRID_PLOT_PX = 150  # plot side of one head in a row of four, when its cells carry no numbers
# Heads whose cells carry numbers (up to ~12 tokens) get as few to a row as their numbers need, down to
# one, within the main column of a 1280 px screen with the sidebar open:
GRID_ROW_PX = 820  # width of that column
_GRID_GAP_PX = 16  # between two st.columns
_GRID_LEGEND_PX = 70  # the colour legend beside the last chart of a row
_GRID_AXIS_PX = 45  # a y axis besides its labels (title, ticks), and the chart's padding


def matrix_width(values, rows, domain: tuple[float, float] | None = None) -> int:
    """Rough width (px) of ``matrix``'s chart for ``values`` without its legend: plot, row labels, y axis."""
    domain = charts.symmetric_domain(values) if domain is None else domain
    return charts.plot_width(values, domain) + charts.axis_label_px(rows) + _GRID_AXIS_PX


def row_plan(*widths: int, shared_legend: bool = False) -> tuple[list[float], list[bool]] | None:
    """Column widths and legends for charts ``widths`` px wide without legend (``matrix_width``) in one
    row of the main column: each column sized to its chart; one legend, on the last chart, when they
    share a colour scale, else one each. None when they do not fit: the caller stacks them."""
    legends = [i == len(widths) - 1 for i in range(len(widths))] if shared_legend else [True] * len(widths)
    columns = [w + _GRID_LEGEND_PX * legend for w, legend in zip(widths, legends, strict=True)]
    if sum(columns) + (len(columns) - 1) * _GRID_GAP_PX > GRID_ROW_PX:
        return None
    return [float(c) for c in columns], legends


def side_by_side(*widths: int, shared_legend: bool = False) -> tuple[list, list[bool]]:
    """Places for matrices of these widths and whether each draws its legend: st.columns when they fit
    (``row_plan``), else one container each, stacked, each with its legend. Streamlit cuts a chart
    wider than its column: three equal columns cut Q, K and V from d_k = 4 on."""
    plan = row_plan(*widths, shared_legend=shared_legend)
    if plan is None:
        return [st.container() for _ in widths], [True] * len(widths)
    columns, legends = plan
    return list(st.columns(columns)), legends


def grid_plan(matrices, rows, cols, domain: tuple[float, float]) -> tuple[int, int, dict]:
    """(heads per row, max_plot, extra heatmap options) of ``heads_grid``.

    Without numbers in the cells (big matrices): HEADS_PER_ROW at GRID_PLOT_PX. With them: the most
    heads per row (4, 3, 2, then 1) whose plots hold the numbers, all heads written with the same
    decimals. Costs a min and a max over matrices of at most 144 cells.
    """
    R, C = len(rows), len(cols)
    axis = charts.axis_label_px(rows) + _GRID_AXIS_PX
    if not charts.shows_values(R, C, GRID_PLOT_PX):
        # four to a row, each plot as wide as its column leaves beside its axis (at most GRID_PLOT_PX)
        n = HEADS_PER_ROW
        fit = int((GRID_ROW_PX - (n - 1) * _GRID_GAP_PX - _GRID_LEGEND_PX) / n - axis)
        return n, min(GRID_PLOT_PX, fit), {}
    finite = [m[np.isfinite(m)] for m in (np.asarray(x, dtype=np.float64) for x in matrices)]
    finite = [f for f in finite if f.size]
    lo = min((float(f.min()) for f in finite), default=0.0)
    hi = max((float(f.max()) for f in finite), default=0.0)
    for n in range(HEADS_PER_ROW, 0, -1):
        plot = int((GRID_ROW_PX - (n - 1) * _GRID_GAP_PX - _GRID_LEGEND_PX) / n - axis)
        decimals = charts.cell_decimals(domain, C, lo, hi, plot)
        if C * charts.value_cell_px(lo, hi, decimals) <= plot:
            break
    return n, plot, {"value_decimals": decimals}


def heads_grid(page: Page, matrices, rows, cols, *, domain: tuple[float, float], **kwargs) -> None:
    """One chart per head, ``grid_plan`` to a row, on one colour scale; the last of a row carries the legend."""
    H = len(matrices)
    per_row, max_plot, extra = grid_plan(matrices, rows, cols, domain)
    # the last chart of a row holds the legend too: its column is wider by the legend (as planned)
    legend_w = 1.0 + _GRID_LEGEND_PX / (max_plot + charts.axis_label_px(rows) + _GRID_AXIS_PX)
    value_title = page.t(kwargs.get("value_axis", "axis.value"), raw=True)
    for start in range(0, H, per_row):
        n = min(per_row, H - start)
        widths = [legend_w if i == n - 1 else 1.0 for i in range(per_row)]
        for i, col in enumerate(st.columns(widths)[:n]):
            h = start + i
            title = page.t("mh.head_n", raw=True, n=h + 1)
            with col:
                matrix(
                    page,
                    matrices[h],
                    rows,
                    cols,
                    title=title,
                    domain=domain,
                    max_plot=max_plot,
                    legend=i == n - 1,
                    name=f"{title} · {value_title}",
                    **extra,
                    **kwargs,
                )


def weights_grid(page: Page, weights, tokens, **kwargs) -> None:
    """One attention map per head, queries on rows and keys on columns, on the fixed 0-1 scale."""
    heads_grid(
        page,
        list(weights),
        list(tokens),
        list(tokens),
        domain=charts.WEIGHTS_DOMAIN,
        row_axis="axis.query",
        col_axis="axis.key",
        value_axis="axis.weight",
        **kwargs,
    )


def scaling_chart(page: Page, d_k: int | None = None) -> None:
    """Why √d_k: how a softmax row's spread and top weight change with d_k, scaled and not,
    with ``d_k`` (brought inside the study's range; None: its widest) marked."""
    t = page.t
    study = compute.scaling_study()
    lo, hi = int(study.d_k[0]), int(study.d_k[-1])
    marked = hi if d_k is None else min(max(int(d_k), lo), hi)
    chart(
        "scaling_study",
        study.d_k,
        study.spread_unscaled,
        study.spread_scaled,
        study.top_unscaled,
        study.top_scaled,
        marked,
        title=t("sqrt.chart", raw=True),
        spread_title=t("sqrt.spread", raw=True),
        top_title=t("sqrt.top", raw=True),
        d_k_title="d_k",
        series_title=t("sqrt.series", raw=True),
        unscaled_label=t("sqrt.unscaled", raw=True),
        scaled_label=t("sqrt.scaled", raw=True),
    )


def row_stats(page: Page, before, after, rows) -> None:
    """Each row's mean and spread before and after a layer norm, in one line."""
    (m, sd), (n, td) = compute.row_moments(before), compute.row_moments(after)
    t = page.t
    common = {"row_title": t("axis.token", raw=True), "mean_title": t("an.mean", raw=True)}
    common["std_title"] = t("an.spread", raw=True)
    left, right = st.columns(2)
    labels = (common["mean_title"], common["std_title"])
    for col, mean, std, key in ((left, m, sd, "an.before"), (right, n, td, "an.after")):
        numbers = downloads.Table(np.column_stack((mean, std)), tuple(rows), labels, common["row_title"])
        with col:
            chart("row_stats", list(rows), mean, std, title=t(key, raw=True), table=numbers, **common)

    def f(v: float) -> str:
        return f"{round(float(v), 4) + 0.0:.4f}"  # + 0.0: no "-0.0000"

    st.caption(
        page.t(
            "an.stats_line",
            m0=f(m.min()),
            m1=f(m.max()),
            s0=f(sd.min()),
            s1=f(sd.max()),
            n0=f(n.min()),
            n1=f(n.max()),
            t0=f(td.min()),
            t1=f(td.max()),
        )
    )


def role_table(roles) -> np.ndarray:
    """(H, 5) a head's weight on the previous, next, own and first token, and its spread, for one chart.

    A relation no query has (one token) is drawn as 0.
    """
    return np.nan_to_num(np.stack([roles.previous, roles.next, roles.self, roles.first, roles.spread], axis=1))


def feature_labels(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i + 1}" for i in range(n)]


def screen_links(page: Page) -> None:
    """The explorer's screens after Home, side by side (the lesson has a link of its own)."""
    screens = [screen for screen in SCREENS[1:] if screen[1] != "lesson"]
    for col, screen in zip(st.columns(len(screens)), screens, strict=True):
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
    if figures.panel_drawn or not figures or not st.session_state.get(SAVE_PANEL):
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
