"""A chart's text alternatives, in the page's language: its description and its numbers as a table.

The description becomes the chart's ``aria-label`` (Vega-Lite's ``description``): what it shows, its
size, its range, the one thing to notice. The table (``downloads.Table``) is what ``draw.numbers``
writes under a chart when the sidebar's "Show the numbers as tables" is on, with row and column
headers a screen reader can walk. Both are written from the arguments of the chart's builder
(``DESCRIBE``, ``TABLES``: by builder name), so ``draw.chart`` and the live training curves
(``ui/training.py``) write them the same way. No streamlit here: plain text and arrays.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ui import charts, downloads
from ui.i18n import Translator

_DECIMALS = 3  # a description reads a value to 3 decimals (the tooltip and the table give 4)


def _n(t: Translator, value: float) -> str:
    """``value`` to 3 decimals as the language writes it; rounded first, so -0.0001 reads "0.000", not "-0.000"."""
    return t.number(round(float(value), _DECIMALS) + 0.0, _DECIMALS)


def short(t: Translator, value: float) -> str:
    """A setting's number as short as it goes ("0.25", "2"), written as the language writes it ("0,25")."""
    return charts.NumberFormat(*t.number_symbols).text(f"{float(value):g}")


def _percent(t: Translator, share: float) -> str:
    return f"{t.number(100 * float(share), 1)}%"


# --- descriptions ---------------------------------------------------------------------------------


def matrix(t: Translator, values, rows, cols, title: str, row_axis: str, col_axis: str, *, scale=None) -> str:
    """A matrix's text alternative: its title, size, row and column names, its range, and how many cells are
    masked. Plain text (an ``aria-label``): arguments are not escaped.

    The range is the values' own, with where the largest is; or, for a matrix on a colour scale fixed
    or shared with other charts (``scale``: its low and high), that scale's. Then the spec stays the
    same when only the values change (a new head count, another seed) and the browser swaps the data
    into the chart it drew; the values' range and largest cell are in the chart's table (``draw.numbers``).
    """
    arr = np.asarray(values, dtype=np.float64)
    R, C = arr.shape
    masked = np.isneginf(arr)
    text = t(
        "a11y.matrix",
        raw=True,
        title=title,
        rows=t("a11y.rows", raw=True, n=R),
        cols=t("a11y.cols", raw=True, n=C),
        row_axis=row_axis,
        col_axis=col_axis,
        row_names=tuple(rows),
        col_names=tuple(cols),
    )
    if scale is not None:
        text += " " + t("a11y.scale", raw=True, lo=_n(t, scale[0]), hi=_n(t, scale[1]))
    elif not masked.all():
        text += " " + value_range(t, arr, rows, cols)
    if masked.any():
        text += " " + t("a11y.masked", raw=True, n=int(masked.sum()))
    return text


def value_range(t: Translator, values: np.ndarray, rows, cols) -> str:
    """ "Values from lo to hi; the largest is at row r, column c." over the cells that hold a number (not
    masked, -inf, nor absent, NaN: a shorter curve beside a longer one); some must."""
    empty = ~np.isfinite(values)
    r, c = np.unravel_index(int(np.argmax(np.where(empty, -np.inf, values))), values.shape)
    lo = float(np.min(np.where(empty, np.inf, values)))
    row, col = f"{rows[r]} (#{r + 1})", f"{cols[c]} (#{c + 1})"
    return t("a11y.range", raw=True, lo=_n(t, lo), hi=_n(t, values[r, c]), row=row, col=col)


def curve(t: Translator, losses, *, title: str, loss_title: str, percent: bool = False, **_) -> str:
    """A training curve (``charts.loss_curve``'s arguments): how many steps, its first and last values; for
    several curves, each one's last."""

    def fmt(v: float) -> str:
        return _percent(t, v) if percent else _n(t, v)

    if isinstance(losses, Mapping):
        ends = tuple(f"{label} {fmt(values[-1])}" for label, values in losses.items() if len(values))
        steps = max((len(values) for values in losses.values()), default=0)
        return t("a11y.curves", raw=True, title=title, axis=loss_title, n=steps, ends=ends)
    values = np.asarray(losses, dtype=np.float64)
    if values.size == 0:
        return title
    return t(
        "a11y.curve", raw=True, title=title, axis=loss_title, n=values.size, first=fmt(values[0]), last=fmt(values[-1])
    )


def scaling(t: Translator, d_k, _spread_u, _spread_s, top_u, top_s, marked, *, title: str, **_) -> str:
    i = int(np.argmin(np.abs(np.asarray(d_k, dtype=np.float64) - float(marked))))
    return t(
        "a11y.scaling",
        raw=True,
        title=title,
        lo=short(t, d_k[0]),
        hi=short(t, d_k[-1]),
        d=short(t, d_k[i]),
        unscaled=_n(t, top_u[i]),
        scaled=_n(t, top_s[i]),
    )


def temperature(t: Translator, tokens, pairs, current, *, title: str, **_) -> str:
    tau, weights = min(pairs, key=lambda pair: abs(float(pair[0]) - float(current)))
    j = int(np.argmax(weights))
    return t(
        "a11y.temperature",
        raw=True,
        title=title,
        n=len(tokens),
        taus=tuple(short(t, x) for x, _ in pairs),
        tau=short(t, tau),
        top=_n(t, weights[j]),
        key=f"{tokens[j]} (#{j + 1})",
    )


def head_view(t: Translator, tokens, weights, *, title: str = "", **_) -> str:
    return t(
        "a11y.head_view",
        raw=True,
        title=title or t("mh.head_view"),
        heads=len(weights),
        n=len(tokens),
        names=tuple(tokens),
    )


def row_stats(t: Translator, rows, means, stds, *, title: str, **_) -> str:
    return t(
        "a11y.row_stats",
        raw=True,
        title=title,
        n=len(rows),
        names=tuple(rows),
        m0=_n(t, np.min(means)),
        m1=_n(t, np.max(means)),
        s0=_n(t, np.min(stds)),
        s1=_n(t, np.max(stds)),
    )


# The text alternative of each chart drawn by ``draw.chart``, from its builder's arguments.
DESCRIBE = {
    "loss_curve": curve,
    "scaling_study": scaling,
    "temperature_curve": temperature,
    "head_view": head_view,
    "row_stats": row_stats,
}


# --- tables ---------------------------------------------------------------------------------------
# A matrix's table is built where it is drawn (``draw.matrix``, ``draw.row_stats``: it is its CSV too);
# these are the other charts', built only when the tables are switched on, and not among the downloads.
# The largest, a head view of 16 heads over 40 tokens (25,600 cells) or two curves of 5,000 steps, stay
# under draw.NUMBERS_GRID_CELLS: none is ever sent to a CSV it does not have.


def curve_table(
    t: Translator, losses, *, step_title: str, loss_title: str, percent: bool = False, series_title: str = "", **_
) -> downloads.Table:
    """A training curve's numbers: a row per step (1, 2, ...), a column per curve (its label; one curve: the
    axis's title); an accuracy in percent. A curve shorter than another leaves its last cells empty (NaN)."""
    series = dict(losses) if isinstance(losses, Mapping) else {loss_title: losses}
    n = max(len(values) for values in series.values())
    values = np.full((n, len(series)), np.nan)
    for k, curve_values in enumerate(series.values()):
        values[: len(curve_values), k] = np.asarray(curve_values, dtype=np.float64) * (100.0 if percent else 1.0)
    cols = tuple(f"{label} (%)" if percent else str(label) for label in series)
    col_title = (series_title or loss_title) if isinstance(losses, Mapping) else loss_title
    return downloads.Table(values, tuple(str(step) for step in range(1, n + 1)), cols, step_title, col_title=col_title)


def scaling_table(
    t: Translator,
    d_k,
    spread_u,
    spread_s,
    top_u,
    top_s,
    _marked,
    *,
    spread_title: str,
    top_title: str,
    d_k_title: str,
    unscaled_label: str,
    scaled_label: str,
    **_,
) -> downloads.Table:
    """The scaling study's numbers: a row per d_k, a column per panel and series (the spread and the
    largest weight, unscaled and scaled)."""
    values = np.column_stack([np.asarray(a, dtype=np.float64) for a in (spread_u, spread_s, top_u, top_s)])
    cols = tuple(
        f"{panel} · {series}" for panel in (spread_title, top_title) for series in (unscaled_label, scaled_label)
    )
    rows = tuple(short(t, d) for d in d_k)
    return downloads.Table(values, rows, cols, d_k_title, col_title=f"{spread_title}, {top_title}")


def temperature_table(
    t: Translator, tokens, pairs, _current, *, key_title: str, temperature_title: str, **_
) -> downloads.Table:
    """The temperature chart's numbers: a row per τ (lowest first), a column per key, the row's weights."""
    ordered = sorted(pairs, key=lambda pair: float(pair[0]))
    values = np.stack([np.asarray(weights, dtype=np.float64) for _, weights in ordered])
    rows = tuple(short(t, tau) for tau, _ in ordered)
    return downloads.Table(values, rows, tuple(str(x) for x in tokens), temperature_title, col_title=key_title)


def head_view_table(
    t: Translator, tokens, weights, *, head_title: str, query_title: str, key_title: str, heads=None, **_
) -> downloads.Table:
    """The head view's numbers: the weight of each line it can draw, a row per head and query ("Head 2 ·
    cat"), a column per key: each head's attention map, one under the other (a masked weight is 0, as the
    view draws it; a weight too small for a line is there too)."""
    w = np.asarray(weights, dtype=np.float64)
    H, T, _ = w.shape
    shown = list(range(H)) if heads is None else sorted({int(h) for h in heads})
    queries = downloads.distinct_labels(tokens)  # a repeated token with its position: each row header differs
    rows = tuple(f"{head_title} {h + 1} · {query}" for h in shown for query in queries)
    values = w[shown].reshape(len(shown) * T, T)  # (heads × queries, keys)
    return downloads.Table(
        values, rows, tuple(str(x) for x in tokens), f"{head_title} · {query_title}", "0", col_title=key_title
    )


# The table of each chart drawn by ``draw.chart`` that is not given one, from its builder's arguments.
TABLES = {
    "loss_curve": curve_table,
    "scaling_study": scaling_table,
    "temperature_curve": temperature_table,
    "head_view": head_view_table,
}
