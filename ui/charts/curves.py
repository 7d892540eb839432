"""Curves: a training curve, why scale by 1/√d_k, softmax temperature."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

from ui.charts._common import (
    _CELL_PX,
    _RULE_COLOR,
    ENGLISH,
    HEAD_COLORS,
    WEIGHTS_DOMAIN,
    ChartInputError,
    NumberFormat,
    _accessible,
    _autosize,
    _check_decimals,
    _check_labels,
    _check_number,
    _check_number_format,
    _check_vector,
    _check_within,
    _localized,
    _number_labels,
    _records,
    _unique_titles,
    _value_fields,
)
from ui.charts.axes import _matrix_axis, _position_scale
from ui.charts.colors import _PALETTE_SIZE, palette

# Okabe-Ito vermillion and blue: two series told apart under every common colour-vision deficiency;
# their point shapes (circle, square) tell them apart without colour too.
_PAIR_COLORS = ("#d55e00", "#0072b2")
_PAIR_SHAPES = ("circle", "square")
_SERIES_DASHES = ((1, 0), (6, 3), (2, 2), (8, 3, 2, 3))  # solid, dashed, dotted, dash-dot: a line per series
_PANEL_PX = (220, 170)  # one panel of a side-by-side pair: the pair fits half of a 1280 px screen
_LINE_WIDTH_PX = (240, 480)  # a chart over the keys of one row: least and most plot width
_TEMPERATURE_EXTENT = 0.8  # viridis from dark (low τ) to 0.8: its last yellows vanish on white


# ---------------------------------------------------------------------------------------
# a curve per training step

CURVE_POINTS = 1000  # points drawn per curve at most: a 420 px line shows no more


def curve_steps(n: int, max_points: int = CURVE_POINTS) -> np.ndarray:
    """The 0-based steps of an n-step curve that are drawn: all, or every k-th, the first and the last."""
    if n <= max_points:
        return np.arange(n)
    stride = math.ceil(n / (max_points - 1))
    steps = np.arange(0, n, stride)
    return steps if steps[-1] == n - 1 else np.append(steps, n - 1)


def step_ticks(last: int, most: int = 6) -> list[int]:
    """Round step numbers to mark on a curve of ``last`` steps: multiples of 1, 2 or 5 × 10^k, at most
    ``most`` of them (1,500 steps: 500, 1000, 1500; Vega's own choice on a domain from 1 gave 500, 1500)."""
    step = 1
    while last // step > most:
        for factor in (2, 5 / 2, 2):
            step = int(step * factor)
            if last // step <= most:
                break
    return list(range(step, last + 1, step))


def loss_curve(
    losses: Sequence[float] | Mapping[str, Sequence[float]],
    *,
    title: str,
    step_title: str,
    loss_title: str,
    total_steps: int | None = None,
    percent: bool = False,
    series_title: str = "",
    description: str | None = None,
    number_format: NumberFormat = ENGLISH,
):
    """Training loss per step (1-based), a line on a fixed x range up to ``total_steps`` (the plan), so a
    curve drawn while training grows from the left instead of rescaling at every update.

    Any per-step curve draws the same way: ``percent=True`` for shares 0-1 (an accuracy), on a fixed
    0-100% axis. ``losses`` as a mapping label -> values draws one coloured line per label (in that
    order, a legend titled ``series_title``), e.g. two trainings' accuracies to compare.
    A curve longer than CURVE_POINTS steps is drawn through every k-th step and its last one
    (``curve_steps``): each point is a real step with its real value, at a line's resolution.
    description: the chart's text alternative (its ``aria-label``), by default its title.
    number_format: how the page's language writes numbers (``NumberFormat``): ticks and tooltips.
    """
    number_format = _check_number_format(number_format)
    named = isinstance(losses, Mapping)
    series = dict(losses) if named else {"": losses}
    df, n = _curve_points(series, named)
    last = max(n, int(total_steps or n), 1)
    x = alt.X(
        "step:Q",
        title=step_title,
        scale=alt.Scale(domain=[1, last], nice=False),
        axis=alt.Axis(values=step_ticks(last), format="d"),
    )
    if percent:
        y = alt.Y("loss:Q", title=loss_title, scale=alt.Scale(domain=[0, 1], nice=False), axis=alt.Axis(format="%"))
    else:
        y = alt.Y("loss:Q", title=loss_title, scale=alt.Scale(zero=True))
    fmt = ".1%" if percent else ".4f"
    tooltip = [alt.Tooltip("step:Q", title=step_title), alt.Tooltip("loss:Q", title=loss_title, format=fmt)]
    # fit-x: the whole chart (axes, title, legend) is ``width`` wide, the plot 200 px tall. Drawn with
    # width="stretch" it takes its column's width; Streamlit's own "fit" would squeeze the legend of two
    # curves into 200 px as well and leave the plot no height.
    fit_width = alt.AutoSizeParams(type="fit-x", contains="padding")
    chart = alt.Chart(df, title=title, width=420, height=200, autosize=fit_width)
    chart = _localized(_accessible(chart, description, title, loss_title), number_format)
    if not named:
        return chart.mark_line(color="#0072B2", strokeWidth=2).encode(x=x, y=y, tooltip=tooltip)
    color, dash = _series_marks(list(series), series_title)
    tooltip = [alt.Tooltip("series:N", title=series_title), *tooltip]
    return chart.mark_line(strokeWidth=2).encode(x=x, y=y, color=color, strokeDash=dash, tooltip=tooltip)


def _curve_points(series: Mapping[str, Sequence[float]], named: bool) -> tuple[pd.DataFrame, int]:
    """The points drawn of each curve (step 1-based, value, and its series when ``named``), and the
    longest curve's length."""
    if not series:
        raise ChartInputError("losses must hold at least one curve")
    frames, n = [], 0
    for label, curve in series.items():
        values = np.asarray(curve, dtype=np.float64)
        if values.ndim != 1 or not np.isfinite(values).all():
            what = f"the curve {label!r} must be" if named else "losses must be"
            raise ChartInputError(f"{what} a 1-D sequence of finite numbers, but the shape is {values.shape}")
        steps = curve_steps(len(values))
        frames.append(pd.DataFrame({"step": steps + 1, "loss": values[steps], "series": label}))
        n = max(n, len(values))
    return (pd.concat(frames, ignore_index=True) if named else frames[0].drop(columns="series")), n


def _series_marks(labels: list[str], series_title: str) -> tuple[alt.Color, alt.StrokeDash]:
    """A colour and a dash per series: the lines are told apart without colour (the legend merges both)."""
    colors = [HEAD_COLORS[i % len(HEAD_COLORS)] for i in range(len(labels))]
    color = alt.Color(
        "series:N",
        title=series_title,
        scale=alt.Scale(domain=labels, range=colors),
        sort=labels,
        legend=alt.Legend(orient="bottom"),
    )
    dash = alt.StrokeDash(
        "series:N",
        title=series_title,
        scale=alt.Scale(
            domain=labels, range=[list(_SERIES_DASHES[i % len(_SERIES_DASHES)]) for i in range(len(labels))]
        ),
        sort=labels,
        legend=alt.Legend(orient="bottom", symbolStrokeWidth=2),
    )
    return color, dash


# ---------------------------------------------------------------------------------------
# why divide by √d_k


def scaling_study(
    d_k,
    spread_unscaled,
    spread_scaled,
    top_unscaled,
    top_scaled,
    current_d_k: float,
    *,
    title: str,
    spread_title: str,
    top_title: str,
    d_k_title: str,
    series_title: str,
    unscaled_label: str,
    scaled_label: str,
    exact_title: str = "float64",
    decimals: int = 4,
    width: int = _PANEL_PX[0],
    height: int = _PANEL_PX[1],
    description: str | None = None,
    number_format: NumberFormat = ENGLISH,
) -> alt.HConcatChart:
    """Why divide by √d_k: d_k (N,), four curves (N,) -> two line panels over d_k on a log2 axis.

    Left (title spread_title): the standard deviation of the scores q·k without (spread_unscaled)
    and with (spread_scaled) the factor 1/√d_k, from 0. Right (top_title): the largest softmax
    weight of a row, top_unscaled and top_scaled in [0, 1], on a fixed 0-1 axis. Each panel has
    the two series (unscaled_label, scaled_label: one shared legend titled series_title), points
    on the lines, and a dashed rule at current_d_k. d_k: >= 2 positive, strictly increasing values;
    current_d_k within [d_k[0], d_k[-1]]. Tooltip: d_k, series, value rounded to ``decimals``
    (titled with its panel's title) and its shortest exact float64 repr (exact_title).
    description: the chart's text alternative (its ``aria-label``), by default its title.
    number_format: how the page's language writes numbers (``NumberFormat``): ticks and tooltips.

    Long because of its many titles and options: its parts are ``_check_study`` and ``_study_panel``.
    """
    d, spread, top, current = _check_study(d_k, spread_unscaled, spread_scaled, top_unscaled, top_scaled, current_d_k)
    decimals = _check_decimals(decimals)
    number_format = _check_number_format(number_format)
    series = [str(unscaled_label), str(scaled_label)]
    if series[0] == series[1]:
        raise ChartInputError(
            f"unscaled_label and scaled_label must differ (they name the legend's entries), but both are {series[0]!r}"
        )

    x = alt.X(
        "d_k:Q",
        scale=alt.Scale(type="log", base=2, domain=[float(d[0]), float(d[-1])], nice=False),
        axis=alt.Axis(title=d_k_title, values=[float(v) for v in d], format="~g", labelOverlap=True),
    )
    legend = alt.Legend(title=series_title, orient="bottom")
    color = alt.Color("series:N", scale=alt.Scale(domain=series, range=list(_PAIR_COLORS)), legend=legend)
    shape = alt.Shape("series:N", scale=alt.Scale(domain=series, range=list(_PAIR_SHAPES)), legend=legend)
    rule = (
        alt.Chart(alt.Data(values=[{"d_k": current, "dk": number_format.text(f"{current:g}")}]))
        .mark_rule(color=_RULE_COLOR, strokeDash=[4, 3], strokeWidth=1.5)
        .encode(x=x, tooltip=alt.Tooltip("dk:N", title=d_k_title))
    )
    panels = [
        _study_panel(
            d,
            dict(zip(series, curves, strict=True)),
            panel_title,
            y_scale,
            encoding={"x": x, "color": color, "shape": shape},
            rule=rule,
            titles=(d_k_title, series_title, exact_title),
            decimals=decimals,
            size=(int(width), int(height)),
            number_format=number_format,
        )
        for curves, panel_title, y_scale in (
            (spread, spread_title, alt.Scale(zero=True, nice=True)),
            (top, top_title, alt.Scale(domain=list(WEIGHTS_DOMAIN), nice=False)),
        )
    ]
    chart = (
        alt.hconcat(*panels, spacing=24, autosize=_autosize(), title=title if title else alt.Undefined)
        .resolve_scale(color="shared", shape="shared")
        .resolve_legend(color="shared", shape="shared")
    )
    return _localized(_accessible(chart, description, title, f"{spread_title}, {top_title}"), number_format)


def _check_study(d_k, spread_unscaled, spread_scaled, top_unscaled, top_scaled, current_d_k):
    """scaling_study's curves as arrays: d_k (N,) >= 2 positive and increasing, spreads (N,) >= 0, top
    weights (N,) in [0, 1], and current_d_k within d_k's range."""
    d = _check_vector(d_k, "d_k")
    if d.size < 2 or (d <= 0).any() or (np.diff(d) <= 0).any():
        raise ChartInputError(f"d_k must hold >= 2 positive, strictly increasing values, but is {d.tolist()}")
    N = d.size
    spread = [
        _check_within(_check_vector(a, k, N), k, 0.0)
        for a, k in ((spread_unscaled, "spread_unscaled"), (spread_scaled, "spread_scaled"))
    ]
    top = [
        _check_within(_check_vector(a, k, N), k, 0.0, 1.0)
        for a, k in ((top_unscaled, "top_unscaled"), (top_scaled, "top_scaled"))
    ]
    current = _check_number(current_d_k, "current_d_k")
    if not d[0] <= current <= d[-1]:
        raise ChartInputError(f"current_d_k must lie within d_k's range [{d[0]:g}, {d[-1]:g}], but is {current:g}")
    return d, spread, top, current


def _study_panel(
    d,
    curves: dict,
    panel_title: str,
    y_scale,
    *,
    encoding: dict,
    rule,
    titles,
    decimals: int,
    size,
    number_format: NumberFormat = ENGLISH,
) -> alt.LayerChart:
    """One panel of scaling_study: each series ({label: values (N,)}) as a line with points over d_k, and
    the rule at the current d_k. Tooltip: d_k, series, value rounded and exact (as ``number_format`` says)."""
    N = d.size
    rows = []
    for label, arr in curves.items():
        rows += _records(
            {
                "d_k": [float(v) for v in d],
                "dk": [number_format.text(f"{v:g}") for v in d],
                "series": [label] * N,
                **_value_fields("y", arr, decimals, number_format),
            }
        )
    d_k_title, series_title, exact_title = titles
    dk_t, series_t, val_t, exact_t = _unique_titles(d_k_title, series_title, panel_title, exact_title)
    tooltip = [
        alt.Tooltip("dk:N", title=dk_t),
        alt.Tooltip("series:N", title=series_t),
        alt.Tooltip("y_val:N", title=val_t),
        alt.Tooltip("y_exact:N", title=exact_t),
    ]
    x, color, shape = encoding["x"], encoding["color"], encoding["shape"]
    y = alt.Y("y:Q", scale=y_scale, axis=alt.Axis(title=None))
    base = alt.Chart()  # the rows are the panel's data
    panel = alt.LayerChart(data=alt.Data(values=rows), width=size[0], height=size[1], title=panel_title)
    panel.layer = [
        base.mark_line(strokeWidth=2).encode(x=x, y=y, color=color),
        base.mark_point(filled=True, size=45, opacity=1).encode(x=x, y=y, color=color, shape=shape, tooltip=tooltip),
        rule,
    ]
    return panel


# ---------------------------------------------------------------------------------------
# softmax temperature


def _temperature_items(weights_by_temperature, T: int) -> list[tuple[float, np.ndarray]]:
    """{τ: weights (T,)} or [(τ, weights (T,)), ...] -> [(τ, weights)] sorted by τ; τ > 0 distinct, weights in [0, 1]."""
    pairs = (
        list(weights_by_temperature.items())
        if isinstance(weights_by_temperature, Mapping)
        else list(weights_by_temperature)
    )
    if not pairs:
        raise ChartInputError("weights_by_temperature must hold at least one (τ, weights) pair, but is empty")
    items = []
    for k, pair in enumerate(pairs):
        try:
            tau, weights = pair
        except (TypeError, ValueError):
            raise ChartInputError(
                f"weights_by_temperature entry {k} must be a pair (τ, weights), but is {pair!r}"
            ) from None
        tau = _check_number(tau, f"τ of entry {k}")
        if tau <= 0:
            raise ChartInputError(f"τ of entry {k} must be > 0, but is {tau}")
        name = f"weights at τ={tau:g}"
        items.append((tau, _check_within(_check_vector(weights, name, T), name, 0.0, 1.0)))
    taus = [tau for tau, _ in items]
    if len(set(taus)) != len(taus):
        raise ChartInputError(f"the temperatures must be distinct, but are {taus}")
    return sorted(items, key=lambda item: item[0])


def temperature_curve(
    labels: Sequence[str],
    weights_by_temperature,
    current: float,
    *,
    title: str,
    key_title: str,
    weight_title: str,
    temperature_title: str,
    exact_title: str = "float64",
    decimals: int = 4,
    width: int | None = None,
    height: int = 200,
    description: str | None = None,
    number_format: NumberFormat = ENGLISH,
) -> alt.LayerChart:
    """One attention row at several temperatures τ: labels (T,), {τ: weights (T,)} -> one line per τ over the keys.

    weights_by_temperature: a dict {τ: weights} or a sequence of (τ, weights) pairs; τ > 0 and
    distinct, weights (T,) in [0, 1] (the row softmax(scores / τ)). Keys sit at positions 0.5,
    1.5, ... (repeated tokens stay distinct positions, as in heatmap); weight on a fixed 0-1 axis.
    One colour per τ, in order of τ from dark (low τ: sharp) to light (high τ: flat), with a
    legend titled temperature_title. current: the τ drawn thick, opaque and on top (one of the
    given τ, to 1e-9 relative); the others thin and faded. Tooltip: key (#position), τ, weight
    rounded to ``decimals`` and its shortest exact float64 repr. description: the chart's text
    alternative (its ``aria-label``), by default its title. number_format: how the page's language
    writes numbers (``NumberFormat``): τ, ticks and tooltips.

    Long because of its many titles and options: its parts are ``_temperature_items`` (the checks),
    ``_temperature_rows`` (the table) and ``_temperature_color`` (a shade per τ).
    """
    keys = _check_labels(labels, "labels")
    T = len(keys)
    items = _temperature_items(weights_by_temperature, T)
    taus = [tau for tau, _ in items]
    cur = _check_number(current, "current")
    matches = [i for i, tau in enumerate(taus) if math.isclose(tau, cur, rel_tol=1e-9)]
    if not matches:
        raise ChartInputError(f"current must be one of the temperatures {taus}, but is {cur}")
    decimals = _check_decimals(decimals)
    number_format = _check_number_format(number_format)
    tau_labels = _number_labels(taus, number_format)

    rows = _temperature_rows(keys, items, tau_labels, matches[0], decimals, number_format)
    width = int(width) if width is not None else min(max(T * _CELL_PX, _LINE_WIDTH_PX[0]), _LINE_WIDTH_PX[1])
    x = alt.X("x:Q", scale=_position_scale(T), axis=_matrix_axis(keys, width, key_title, horizontal=True))
    y = alt.Y("w:Q", scale=alt.Scale(domain=list(WEIGHTS_DOMAIN), nice=False), axis=alt.Axis(title=weight_title))
    color = _temperature_color(tau_labels, tau_labels[matches[0]], temperature_title)
    key_t, tau_t, val_t, exact_t = _unique_titles(key_title, temperature_title, weight_title, exact_title)
    tooltip = [
        alt.Tooltip("key:N", title=key_t),
        alt.Tooltip("t:N", title=tau_t),
        alt.Tooltip("w_val:N", title=val_t),
        alt.Tooltip("w_exact:N", title=exact_t),
    ]
    base = alt.Chart()  # the rows are the LayerChart's data
    layers = [
        base.transform_filter("!datum.cur").mark_line(strokeWidth=1.5, opacity=0.7).encode(x=x, y=y, color=color),
        base.transform_filter("datum.cur").mark_line(strokeWidth=3).encode(x=x, y=y, color=color),
        base.mark_point(filled=True).encode(
            x=x,
            y=y,
            color=color,
            size=alt.condition("datum.cur", alt.value(70), alt.value(30)),
            opacity=alt.condition("datum.cur", alt.value(1.0), alt.value(0.8)),
            order=alt.condition("datum.cur", alt.value(1), alt.value(0)),
            tooltip=tooltip,
        ),
    ]
    chart = alt.LayerChart(
        data=alt.Data(values=rows),
        width=width,
        height=int(height),
        autosize=_autosize(),
        title=title if title else alt.Undefined,
    )
    chart.layer = layers
    return _localized(_accessible(chart, description, title, f"{weight_title}, {temperature_title}"), number_format)


def _temperature_rows(
    keys: list[str], items, tau_labels: list[str], current: int, decimals: int, number_format: NumberFormat = ENGLISH
) -> list[dict]:
    """temperature_curve's rows: one per key and τ (items [(τ, weights (T,))]), ``current`` the index of the
    τ drawn on top; the weights written as ``number_format`` says."""
    T = len(keys)
    rows = []
    for i, (tau, weights) in enumerate(items):
        rows += _records(
            {
                "x": [j + 0.5 for j in range(T)],
                "key": [f"{keys[j]} (#{j + 1})" for j in range(T)],
                "tau": [tau] * T,
                "t": [tau_labels[i]] * T,
                "cur": [i == current] * T,
                **_value_fields("w", weights, decimals, number_format),
            }
        )
    return rows


def _temperature_color(tau_labels: list[str], current_label: str, temperature_title: str) -> alt.Color:
    """One viridis shade per τ, dark (low τ) to light; the legend writes the current τ in bold."""
    shades = palette("viridis")[
        np.round(np.linspace(0.0, _TEMPERATURE_EXTENT, len(tau_labels)) * (_PALETTE_SIZE - 1)).astype(int)
    ]
    return alt.Color(
        "t:N",
        scale=alt.Scale(domain=tau_labels, range=["#" + bytes(rgb).hex() for rgb in shades]),
        legend=alt.Legend(
            title=temperature_title,
            symbolOpacity=1,
            labelFontWeight=alt.ExprRef(f"datum.label === {json.dumps(current_label)} ? 'bold' : 'normal'"),
        ),
    )
