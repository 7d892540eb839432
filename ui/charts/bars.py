"""Bars per row: each token's mean and spread, before and after a layer norm."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np

from ui.charts._common import (
    _CHAR_PX,
    _RULE_COLOR,
    _TEXT_COLOR,
    ENGLISH,
    ChartInputError,
    NumberFormat,
    _accessible,
    _autosize,
    _check_decimals,
    _check_domain,
    _check_labels,
    _check_number,
    _check_number_format,
    _check_vector,
    _check_within,
    _localized,
    _records,
    _unique_titles,
    _value_fields,
)
from ui.charts.axes import _matrix_axis, _Position, _position_scale
from ui.charts.colors import nonnegative_domain, symmetric_domain
from ui.charts.sizing import _plot_px, title_lines

_BAR_COLOR = "#4c78a8"
_ROW_PX = 24  # row height of row_stats
ROW_STATS_VALUES_LIMIT: int = 12  # row_stats writes the numbers when it has at most this many rows


def _pad_domain(lo: float, hi: float, length_px: int, left_px: float, right_px: float) -> tuple[float, float]:
    """(lo, hi) widened so that [lo, hi] keeps length_px - left_px - right_px px and the rest is free at its ends."""
    inner = max(length_px - left_px - right_px, 0.25 * length_px)
    per_px = (hi - lo) / inner
    return (lo - left_px * per_px, hi + right_px * per_px)


_RULE_GAP_PX = 4  # a number beside a bar starts this far right of the bar's end (or of the rule it would cross)


def _clear_of_rule(values: np.ndarray, texts: list[str], rule: float | None, domain, width: int) -> list[float]:
    """Where each number of the spread panel starts (left-aligned, _RULE_GAP_PX to the right of it): its
    bar's end, or the dashed rule at ``rule`` when the number written there would cross it ("0.8561"
    beside a bar ending just short of the rule at 1). A number past the rule, or ending clear before it,
    stays at its bar."""
    starts = [float(v) for v in values]
    if rule is None:
        return starts
    per_px = (domain[1] - domain[0]) / width
    for i, (v, text) in enumerate(zip(starts, texts, strict=True)):
        left = v + _RULE_GAP_PX * per_px  # where the text starts
        right = left + (len(text) * _CHAR_PX + _RULE_GAP_PX) * per_px  # where it ends, and a gap after it
        if v - _RULE_GAP_PX * per_px < rule < right:  # the rule falls in the text (or in its gap to the bar)
            starts[i] = max(v, rule)
    return starts


def row_stats(
    labels: Sequence[str],
    means,
    stds,
    *,
    title: str,
    row_title: str,
    mean_title: str,
    std_title: str,
    exact_title: str = "float64",
    decimals: int = 4,
    show_values: bool | None = None,
    mean_domain: tuple[float, float] | None = None,
    std_domain: tuple[float, float] | None = None,
    std_target: float | None = 1.0,
    width: int = 160,  # two panels and the token labels fit a half-page column at 1280 px
    height: int | None = None,
    description: str | None = None,
    number_format: NumberFormat = ENGLISH,
) -> alt.HConcatChart:
    """Per row (token): labels (T,), means (T,), stds (T,) -> two bar panels side by side, tokens top to bottom.

    For LayerNorm: after it every row reads mean 0 and spread 1. Left (title mean_title): each
    row's mean as a bar from 0, on mean_domain (default symmetric, at least (-1, 1)); right
    (std_title): its standard deviation (>= 0) from 0 on std_domain (default (0, max(stds,
    std_target))), with a dashed rule at std_target (None: no rule). Rows keep their positions
    (repeated tokens stay distinct); token labels on the left panel only, titled row_title. Pass the
    same domains to a before and an after chart to compare them. The values are written beside
    the bars when show_values (default: at most ROW_STATS_VALUES_LIMIT rows). Tooltip: row label
    (#position), the value rounded to ``decimals`` and its shortest exact float64 repr.
    A number that would cross the dashed rule at std_target is written just past the rule instead
    (``_clear_of_rule``). description: the chart's text alternative (its ``aria-label``), by default
    its title. number_format: how the page's language writes numbers (``NumberFormat``).

    Long because of its many titles and options: its parts are ``_check_row_stats``, ``_row_stats_columns``
    (the table) and ``_row_stats_panel``.
    """
    m, sd, rows_text = _check_row_stats(labels, means, stds)
    T = m.size
    decimals = _check_decimals(decimals)
    number_format = _check_number_format(number_format)
    target = None
    if std_target is not None:
        target = _check_number(std_target, "std_target")
        if target < 0:
            raise ChartInputError(f"std_target must be >= 0 (a standard deviation), but is {target}")
    mean_dom = _check_domain(mean_domain) if mean_domain is not None else symmetric_domain(m, [1.0])
    std_dom = (
        _check_domain(std_domain)
        if std_domain is not None
        else nonnegative_domain(sd, [1.0 if target is None else target])
    )
    if show_values is None:
        show_values = T <= ROW_STATS_VALUES_LIMIT
    width = int(width)
    height = int(height) if height is not None else _plot_px(T, _ROW_PX)

    columns = _row_stats_columns(rows_text, m, sd, decimals, number_format)
    if show_values:  # room for the numbers beside the bars
        text_px = max(len(s) for s in columns["mean_val"] + columns["std_val"]) * _CHAR_PX + 8
        mean_dom = _pad_domain(*mean_dom, width, text_px, text_px)
        std_dom = _pad_domain(*std_dom, width, 0, text_px)
        columns["std_at"] = _clear_of_rule(sd, columns["std_val"], target, std_dom, width)
    y_scale = _position_scale(T, reverse=True)
    panels = [
        _row_stats_panel(
            field,
            panel_title,
            alt.Scale(domain=list(domain), nice=False, zero=False),
            y_scale,
            y_axis,
            reference,
            titles=(row_title, exact_title),
            size=(width, height),
            show_values=show_values,
            text_at=text_at,
        )
        for field, panel_title, domain, y_axis, reference, text_at in (
            ("mean", mean_title, mean_dom, _matrix_axis(rows_text, height, row_title, horizontal=False), 0.0, "mean"),
            ("std", std_title, std_dom, None, target, "std_at"),
        )
    ]
    chart = alt.HConcatChart(
        data=alt.Data(values=_records(columns)),
        hconcat=panels,
        spacing=16,
        autosize=_autosize(),
        title=title if title else alt.Undefined,
    )
    return _localized(_accessible(chart, description, title, f"{mean_title}, {std_title}"), number_format)


def _check_row_stats(labels, means, stds) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """means (T,) finite, stds (T,) finite and >= 0, and T labels."""
    m = _check_vector(means, "means")
    T = m.size
    sd = _check_within(_check_vector(stds, "stds", T), "stds", 0.0)
    return m, sd, _check_labels(labels, "labels", T)


def _row_stats_columns(
    rows_text: list[str], m: np.ndarray, sd: np.ndarray, decimals: int, number_format: NumberFormat = ENGLISH
) -> dict[str, list]:
    """row_stats' table, one row per token: bar extent, label, each value rounded and exact (written as
    ``number_format`` says), and which values read negative (their number goes left of the bar's end)."""
    T = m.size
    columns = {
        "y0": [i + 0.15 for i in range(T)],
        "y1": [i + 0.85 for i in range(T)],
        "ym": [i + 0.5 for i in range(T)],
        "row": [f"{rows_text[i]} (#{i + 1})" for i in range(T)],
        **_value_fields("mean", m, decimals, number_format),
        **_value_fields("std", sd, decimals, number_format),
    }
    for field in ("mean", "std"):  # a number reading negative goes left of its bar's end ("0.0000" of -1e-17 right)
        columns[f"{field}_left"] = [t.startswith("-") for t in columns[f"{field}_val"]]
    return columns


def _row_stats_panel(
    field: str,
    panel_title: str,
    x_scale,
    y_scale,
    y_axis,
    reference,
    *,
    titles,
    size,
    show_values: bool,
    text_at: str | None = None,
) -> alt.LayerChart:
    """One panel of row_stats: a bar per row from 0 to its ``field`` value, a rule at ``reference`` (None:
    none), and the numbers beside the bars when ``show_values``: a number reading >= 0 starts at the
    column ``text_at`` (default: the bar's end), one reading negative ends at its bar's end."""
    width, height = size
    pos = _Position(x_scale, y_scale, alt.Axis(title=None, tickCount=4), y_axis)
    row_title, exact_title = titles
    row_t, val_t, exact_t = _unique_titles(row_title, panel_title, exact_title)
    tooltip = [
        alt.Tooltip("row:N", title=row_t),
        alt.Tooltip(f"{field}_val:N", title=val_t),
        alt.Tooltip(f"{field}_exact:N", title=exact_t),
    ]
    base = alt.Chart()  # the rows are the chart's data
    layers = [
        base.mark_rect(color=_BAR_COLOR).encode(
            x=pos.x(field), x2=alt.X2Datum(0.0), y=pos.y("y0"), y2=alt.Y2("y1"), tooltip=tooltip
        )
    ]
    if reference is not None:
        dash = [] if field == "mean" else [4, 3]
        layers.append(
            alt.Chart(alt.Data(values=[{"ref": float(reference)}]))
            .mark_rule(color=_RULE_COLOR, strokeWidth=1.5, strokeDash=dash)
            .encode(x=pos.x("ref"))
        )
    if show_values:
        placements = (  # (which rows, alignment, offset, x field): >= 0 right of the bar, < 0 left of it
            (f"!datum.{field}_left", "left", _RULE_GAP_PX, text_at or field),
            (f"datum.{field}_left", "right", -_RULE_GAP_PX, field),
        )
        for test, align, dx, at in placements:
            layers.append(
                base.transform_filter(test)
                .mark_text(align=align, baseline="middle", dx=dx, fontSize=10, color=_TEXT_COLOR)
                .encode(x=pos.x(at), y=pos.y("ym"), text=alt.Text(f"{field}_val:N"), tooltip=tooltip)
            )
    panel = alt.LayerChart(
        width=width, height=height, title=title_lines(panel_title, width), view=alt.ViewBackground(stroke=None)
    )
    panel.layer = layers
    return panel
