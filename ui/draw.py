"""Drawing helpers the pages share: a chart from its builder, matrices, token maps, head grids, studies.

Every chart is drawn from a spec built once per content (``ui/chart_cache.py``) and recorded for
the page's downloads (``ui/downloads.py``): the page of this run is ``layout.current_page()``. The
arithmetic of sizes (how many charts fit a row) is ``ui/charts/sizing.py``'s; here are the st calls.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
import streamlit as st

from ui import chart_cache, charts, compute, describe, downloads, layout, session
from ui.i18n import Translator, escape_markdown
from ui.layout import Page

# A window of at most this many tokens has per-cell tooltips in a T×T attention map.
WINDOW_TOKENS = 64


def number_format(t: Translator) -> charts.NumberFormat:
    """How the page's language writes a chart's numbers: "0,25" in Portuguese and Spanish."""
    return charts.NumberFormat(*t.number_symbols)


# The builders that write numbers (in cells, tooltips, ticks): ``chart`` gives them the page's number_format.
_NUMBERS = frozenset({"heatmap", "loss_curve", "scaling_study", "temperature_curve", "row_stats", "head_view"})


def chart(
    builder: str,
    *args,
    name: str | None = None,
    table: downloads.Table | None = None,
    stretch: bool = False,
    **kwargs,
) -> None:
    """Draw ``charts.<builder>(*args, **kwargs)``; its spec is built once per content and cached
    (building an Altair chart costs tens of milliseconds, on every rerun otherwise).

    It joins the page's downloads as ``name`` (default: its title), with ``table`` as its CSV, and its
    text alternative is written from its numbers (``ui/describe.py``) unless ``description`` is given. Its
    numbers are written as the page's language writes them (``number_format``) unless it is given.
    With the tables switched on, ``table`` is written under it; a chart given none gets the one its
    builder's arguments make (``describe.TABLES``), built then only: a normal rerun builds no table.
    ``stretch``: the chart takes its column's width (a curve in one of two columns), not its own.
    """
    page = layout.current_page()
    if page is not None and "description" not in kwargs and builder in describe.DESCRIBE:
        kwargs["description"] = describe.DESCRIBE[builder](page.t, *args, **kwargs)
    if page is not None and "number_format" not in kwargs and builder in _NUMBERS:
        kwargs["number_format"] = number_format(page.t)
    spec = chart_cache.chart_spec(
        builder, chart_cache.arguments_digest(builder, *args, **kwargs), _args=args, _kwargs=kwargs
    )
    st.vega_lite_chart(spec, width="stretch" if stretch else "content")
    _record(page, name or kwargs.get("title"), builder, args, kwargs, table)
    if page is None or not tables_on():
        return
    label = kwargs.get("title") or name or page.t(_UNTITLED.get(builder, "dl.untitled"), raw=True)
    if table is None and builder in describe.TABLES:
        table = describe.TABLES[builder](page.t, *args, **kwargs)
    if table is not None:
        numbers(page, table, label)


# The name in the list of downloads of a chart drawn without a title (its subheader names it).
_UNTITLED = {"head_view": "mh.head_view", "flow_diagram": "home.flow"}


def _record(page: Page | None, name: str | None, builder: str, args: tuple, kwargs: dict, table=None) -> None:
    """Add a drawn chart to this run's downloads: references only, nothing is converted on a rerun."""
    page = page or layout.current_page()
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
    wkey = session.token_window(f"window_{key}", n_tokens)
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
    fitted = domain is None  # the colour scale is fitted to these values: the spec changes with them anyway
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
        "number_format": number_format(t),
        **{k: tuple(v) if isinstance(v, list) else v for k, v in kwargs.items()},
    }
    clickable = click is not None and not charts.uses_image(R, C, kwargs.get("max_plot"))
    if clickable:
        options["select"] = CELL_SELECTION
    rows, cols = tuple(rows), tuple(cols)
    scale = None if fitted else options["domain"]
    options["description"] = describe.matrix(
        t, values, rows, cols, name or title, options["row_title"], options["col_title"], scale=scale
    )
    spec = chart_cache.heatmap_spec(
        chart_cache.digest(values), rows, cols, tuple(sorted(options.items())), _values=values
    )
    _show_heatmap(spec, click if clickable else None)
    masked_value = options.get("masked_value", "-inf")
    table = downloads.Table(values, rows, cols, options["row_title"], masked_value, options["col_title"])
    _record(page, name or title, "heatmap", (values, rows, cols), options, table)
    numbers(page, table, name or title)


def _show_heatmap(spec: dict, click: tuple[str, int] | None) -> None:
    """Draw a heatmap's spec; with ``click=(key, offset)``, a click on a cell explains it."""
    if click is None:
        st.vega_lite_chart(spec, width="content")
    else:
        key, offset = click
        on_click = functools.partial(session.cell_clicked, key, CELL_SELECTION, offset)
        st.vega_lite_chart(spec, width="content", key=key, on_select=on_click, selection_mode=CELL_SELECTION)


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


def side_by_side(*widths: int, shared_legend: bool = False) -> tuple[list, list[bool]]:
    """Places for matrices of these widths and whether each draws its legend: st.columns when they fit
    (``row_plan``), else one container each, stacked, each with its legend. Streamlit cuts a chart
    wider than its column: three equal columns cut Q, K and V from d_k = 4 on."""
    plan = charts.row_plan(*widths, shared_legend=shared_legend)
    if plan is None:
        return [st.container() for _ in widths], [True] * len(widths)
    columns, legends = plan
    return list(st.columns(columns)), legends


def heads_grid(page: Page, matrices, rows, cols, *, domain: tuple[float, float], **kwargs) -> None:
    """One chart per head, ``grid_plan`` to a row, on one colour scale; the last of a row carries the legend."""
    H = len(matrices)
    per_row, max_plot, extra = charts.grid_plan(matrices, rows, cols, domain)
    value_title = page.t(kwargs.get("value_axis", "axis.value"), raw=True)
    for start in range(0, H, per_row):
        n = min(per_row, H - start)
        for i, col in enumerate(st.columns(charts.grid_columns(per_row, n, max_plot, rows))[:n]):
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
        return t.number(round(float(v), 4) + 0.0, 4)  # + 0.0: no "-0.0000"

    notice(
        page,
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


def role_table(roles) -> np.ndarray:
    """(H, 5) a head's weight on the previous, next, own and first token, and its spread, for one chart.

    A relation no query has (one token) is drawn as 0.
    """
    return np.nan_to_num(np.stack([roles.previous, roles.next, roles.self, roles.first, roles.spread], axis=1))


def feature_labels(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i + 1}" for i in range(n)]


def notice(page: Page, key: str, **args) -> None:
    """The line next to a chart that says what to notice in it: a caption from the catalogue, true for
    any input the page can show (a number in it is formatted from the chart's own). Every chart, or row
    of charts drawn side by side, has one (tests/test_notices.py)."""
    st.caption(page.t(key, **args))


# --- the numbers on demand ----------------------------------------------------------------------

NUMBERS_TABLE_CELLS = 1_024  # up to this many cells a real HTML table (st.table), beyond it a grid
NUMBERS_GRID_CELLS = 65_536  # beyond this many cells, the CSV download instead


def _unique(labels) -> list[str]:
    """Labels as headers: a repeated token ("the" ... "the") gets its position, so every header differs."""
    labels = [str(x) for x in labels]
    if len(set(labels)) == len(labels):
        return labels
    return [f"{label} (#{i + 1})" for i, label in enumerate(labels)]


def _cell(t: Translator, value: float, masked: str) -> str:
    if math.isnan(value):
        return ""
    return masked if value == -math.inf else t.number(round(value, 4) + 0.0, 4)  # + 0.0: no "-0.0000"


def tables_on() -> bool:
    """The sidebar's "Show the numbers as tables" is on in this session."""
    return session.switched_on(layout.NUMBERS)


def numbers(page: Page | None, table: downloads.Table, title: str) -> None:
    """A chart's numbers as a table under it, when the sidebar's "Show the numbers" is on (nothing otherwise:
    a normal rerun draws no table): tokens, dimensions, steps, τ or d_k as row and column headers, values as
    the language writes them, a masked cell as the word "masked", a cell with no value (a shorter curve) empty."""
    if page is None or not tables_on():
        return
    t = page.t
    R, C = table.values.shape
    alt = t("a11y.table", raw=True, title=title, rows=table.row_title, cols=table.col_title or "—")
    values = np.asarray(table.values, dtype=np.float64)
    if np.isfinite(values).any():
        alt += ". " + describe.value_range(t, values, table.rows, table.cols)
    if R * C > NUMBERS_GRID_CELLS:
        st.caption(t("a11y.table_too_big", n=R * C, max=NUMBERS_GRID_CELLS))
        return
    small = R * C <= NUMBERS_TABLE_CELLS
    masked = t("chart.masked", raw=True)
    text = [[_cell(t, v, masked) for v in row] for row in values.tolist()]
    rows, cols = _unique(table.rows), _unique(table.cols)
    if small:  # st.table renders Markdown in its cells and headers: a typed word must show as typed
        rows, cols = [escape_markdown(x) for x in rows], [escape_markdown(x) for x in cols]
    frame = pd.DataFrame(text, index=pd.Index(rows, name=table.row_title or None), columns=cols)
    if small:
        st.table(frame, alt=alt, width="content")
    else:
        st.dataframe(frame, alt=alt)
