"""Heatmaps: a matrix as one rect per cell (tooltips, numbers in cells, a clickable cell) or as one image.

Two drawing modes, chosen by size (``sizing.uses_image``):

- rect mode (R*C <= RECT_CELL_LIMIT, and in small multiples capped by ``max_plot`` cells
  at least MIN_CELL_PX wide): one rect per cell, tooltips with the exact value;
- image mode: the matrix is colour-mapped in numpy with Vega's own scheme anchors,
  encoded as an 8-bit palette PNG (``png.matrix_png``) and drawn by one ``mark_image``; an
  invisible layer carries the colour scale for the legend. The PNG never has more pixels than
  the plot shows: it is block-averaged down to at most min(MAX_IMAGE_SIDE, plot size) px a side.

The per-cell table is the chart's top-level data, shared by its layers (Altair then needs
no hash of the table, which it would otherwise compute from the frame's text repr).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from ui.charts._common import (
    ENGLISH,
    NumberFormat,
    _accessible,
    _autosize,
    _check_boundaries,
    _check_decimals,
    _check_domain,
    _check_matrix,
    _check_number_format,
    _check_param_name,
    _localized,
    _unique_titles,
)
from ui.charts.axes import _boundary_rules, _color_scale, _matrix_axis, _Position, _position_scale
from ui.charts.colors import MASKED_COLOR, _check_scheme, _color_indices, _dark_background
from ui.charts.png import matrix_png
from ui.charts.sizing import _image_sides, plot_size, shows_values, uses_image

_MASKED_STRIKE = "#404040"  # 4 : 1 against MASKED_COLOR (WCAG asks 3 : 1 of a graphic's parts)


def heatmap(
    values: np.ndarray,
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    *,
    title: str,
    row_title: str,
    col_title: str,
    value_title: str,
    domain: tuple[float, float],
    scheme: str = "viridis",
    col_boundaries: Sequence[int] = (),
    row_boundaries: Sequence[int] = (),
    width: int | None = None,
    height: int | None = None,
    decimals: int = 4,
    show_values: bool | None = None,
    value_decimals: int | None = None,
    masked_label: str = "masked",
    exact_title: str = "float64",
    note: str | None = None,
    max_plot: int | None = None,
    legend: bool = True,
    select: str | None = None,
    masked_value: str = "-inf",
    description: str | None = None,
    number_format: NumberFormat = ENGLISH,
) -> alt.LayerChart:
    """values (R, C) -> heatmap, rows (queries) top to bottom, columns (keys) left to right.

    row_labels (R,), col_labels (C,): shown at cell centres; repeats stay distinct positions.
    domain: the colour scale's fixed (low, high), e.g. WEIGHTS_DOMAIN or symmetric_domain(...).
    col_boundaries / row_boundaries: indices where a separator rule is drawn (head boundaries).
    -inf cells are drawn grey with ``masked_label`` as their tooltip value; NaN and +inf are refused.
    ``masked_value`` is what a masked cell holds, written in it and in its exact tooltip: -inf for
    a score, "0" for an attention weight (drawn masked, its weight is exactly 0).
    Tooltip (rect mode): row label (#position), column label (#position), value rounded to
    ``decimals`` (title value_title) and its shortest exact float64 repr (title exact_title).
    show_values: write the numbers in the cells (default: ``shows_values``: up to 12 x 12 or so), with
    ``value_decimals`` decimals (default: ``cell_decimals()``, 2 or 3). Unless width and height are
    given, the plot grows past its cap as far as the numbers need; a given size too small for them
    drops them (the tooltip still has them).
    note: subtitle, e.g. the caller's text saying the picture is block-averaged (downsample_factors).
    max_plot: cap on each side of the plot area (default 420 px), for small multiples side by side;
    the numbers in cells may make the plot bigger. legend=False leaves the colour legend out.
    Above RECT_CELL_LIMIT cells, or with ``max_plot`` when cells would be thinner than MIN_CELL_PX,
    the matrix is one PNG image of at most the plot's size in px (no per-cell tooltip, no values).

    select: in rect mode, the name of a point selection on the cell under a click (double-click
    clears it), and the selected cell is outlined. Drawn with ``st.vega_lite_chart(spec,
    on_select="rerun")``, the event's ``selection[select]`` is ``[{"r": i, "c": j}]``: the clicked
    cell's 0-based row (query) and column (key) indices; empty (falsy: Streamlit gives ``{}``)
    before a click and after a double-click. Ignored in image mode (``uses_image``).

    description: the chart's text alternative (its ``aria-label``), by default its title. In rect
    mode a masked cell is also struck through, so grey is not the only sign of it.
    number_format: how the page's language writes numbers (``NumberFormat``): the cells, the
    tooltips and the legend write "0,25" in Portuguese.

    Long because of its many options: its parts are ``sizing.plot_size`` (how big, numbers or not),
    ``_cell_table`` (the per-cell data), and ``_rect_layers`` or ``_image_layers``.
    """
    arr, masked, rows, cols = _check_matrix(values, row_labels, col_labels)
    domain = _check_domain(domain)
    scheme = _check_scheme(scheme)
    decimals = _check_decimals(decimals)
    number_format = _check_number_format(number_format)
    if select is not None:
        select = _check_param_name(select, "select")
    R, C = arr.shape
    col_b = _check_boundaries(col_boundaries, C, "col_boundaries")
    row_b = _check_boundaries(row_boundaries, R, "row_boundaries")
    image = uses_image(R, C, max_plot)
    if show_values is None:
        show_values = shows_values(R, C, max_plot)
    show_values = bool(show_values) and not image
    width, height, show_values, value_decimals = plot_size(
        arr, masked, domain, max_plot, show_values, value_decimals, width, height
    )

    pos = _Position(
        _position_scale(C),
        _position_scale(R, reverse=True),
        _matrix_axis(cols, width, col_title, horizontal=True),
        _matrix_axis(rows, height, row_title, horizontal=False),
    )
    color = alt.Color(
        "v:Q",
        scale=_color_scale(scheme, domain),
        legend=alt.Legend(title=value_title, gradientLength=max(80, min(height, 200))) if legend else None,
    )

    data = alt.Undefined
    if image:
        layers = _image_layers(arr, domain, scheme, pos, color, _image_sides(width, height))
    else:
        finite = np.where(masked, domain[0], arr)
        data = _cell_table(
            finite,
            masked,
            rows,
            cols,
            domain,
            scheme,
            decimals=decimals,
            value_decimals=value_decimals if show_values else None,
            masked_label=masked_label,
            masked_value=masked_value,
            number_format=number_format,
        )
        titles = _unique_titles(row_title, col_title, value_title, exact_title)
        layers = _rect_layers(masked.any(), domain, scheme, pos, color, titles, show_values=show_values, select=select)
    layers += _boundary_rules(col_b, row_b, pos)

    chart = alt.LayerChart(
        data=data,
        width=width,
        height=height,
        autosize=_autosize(),
        view=alt.ViewBackground(stroke=None),
        title=alt.TitleParams(text=title, subtitle=note) if note else title if title else alt.Undefined,
    )
    # Given its layers, LayerChart() deep-copies each of them twice to lift selection params (these
    # layers have none) and looks for data, size and view to move up (the data is given above, the
    # layers hold no size or view): about a third of the time it takes to build a small heatmap.
    chart.layer = layers
    return _localized(_accessible(chart, description, title, f"{R} × {C}"), number_format)


def _cell_table(
    finite,
    masked,
    rows,
    cols,
    domain,
    scheme,
    *,
    decimals,
    value_decimals,
    masked_label,
    masked_value,
    number_format: NumberFormat = ENGLISH,
) -> pd.DataFrame:
    """The per-cell table (the chart's top-level data), row-major: indices, value, tooltip texts, and,
    with ``value_decimals`` (numbers in the cells), the text written in each cell and its ink; every
    number written as ``number_format`` says."""
    R, C = finite.shape
    r, c = np.divmod(np.arange(R * C), C)  # row-major cell order
    flat_masked = masked.ravel()
    texts = [number_format.fixed(v, decimals) for v in finite.ravel()]  # the value as the tooltip rounds it
    exact = [number_format.exact(v) for v in finite.ravel()]
    df = pd.DataFrame(
        {
            "r": r,
            "c": c,
            "v": finite.ravel(),
            "row": [f"{rows[i]} (#{i + 1})" for i in r],
            "col": [f"{cols[j]} (#{j + 1})" for j in c],
            "val": [masked_label if m else s for m, s in zip(flat_masked, texts, strict=True)],
            "exact": [masked_value if m else e for m, e in zip(flat_masked, exact, strict=True)],
        }
    )
    if masked.any():
        df["masked"] = flat_masked
    if value_decimals is not None:
        cell_texts = (
            texts if value_decimals == decimals else [number_format.fixed(v, value_decimals) for v in finite.ravel()]
        )
        dark = _dark_background(_color_indices(finite, domain), scheme)
        df["dark"] = (dark & ~masked).ravel()
        shown = "−∞" if masked_value == "-inf" else masked_value
        df["txt"] = [shown if m else s for m, s in zip(flat_masked, cell_texts, strict=True)]
    return df


def _rect_layers(
    any_masked: bool, domain, scheme, pos: _Position, color, titles, *, show_values: bool, select: str | None
) -> list[alt.Chart]:
    """The layers that draw the per-cell table: the rects, the numbers in them, the selected cell's outline."""
    # A thin stroke in the cell's own colour hides the anti-aliasing seams between small cells. Its
    # field is a copy of v: on v itself Vega-Lite would merge it into a symbol legend.
    stroke = alt.Stroke("vs:Q", scale=_color_scale(scheme, domain), legend=None)
    if any_masked:
        color = alt.condition("datum.masked", alt.value(MASKED_COLOR), color)
        stroke = alt.condition("datum.masked", alt.value(MASKED_COLOR), stroke)
    row_t, col_t, val_t, exact_t = titles
    tooltip = [
        alt.Tooltip("row:N", title=row_t),
        alt.Tooltip("col:N", title=col_t),
        alt.Tooltip("val:N", title=val_t),
        alt.Tooltip("exact:N", title=exact_t),
    ]
    base = alt.Chart()  # the table is the LayerChart's data
    pointer = {"cursor": "pointer"} if select is not None else {}
    rect = (
        base.transform_calculate(c1="datum.c + 1", r1="datum.r + 1", vs="datum.v")
        .mark_rect(strokeWidth=0.5, **pointer)
        .encode(
            x=pos.x("c"),
            x2=alt.X2("c1"),
            y=pos.y("r"),
            y2=alt.Y2("r1"),
            color=color,
            stroke=stroke,
            tooltip=tooltip,
        )
    )
    if select is not None:
        rect = rect.add_params(_cell_selection(select))
    layers = [rect]
    if any_masked:  # a diagonal through each masked cell: masked is told by more than its grey
        layers.append(
            base.transform_filter("datum.masked")
            .transform_calculate(c1="datum.c + 1", r1="datum.r + 1")
            .mark_rule(color=_MASKED_STRIKE, strokeWidth=1, **pointer)
            .encode(x=pos.x("c"), x2=alt.X2("c1"), y=pos.y("r"), y2=alt.Y2("r1"), tooltip=tooltip)
        )
    if show_values:
        layers.append(
            base.transform_calculate(cm="datum.c + 0.5", rm="datum.r + 0.5")
            .mark_text(fontSize=10, align="center", baseline="middle", **pointer)
            .encode(
                x=pos.x("cm"),
                y=pos.y("rm"),
                text=alt.Text("txt:N"),
                color=alt.ColorValue("black", condition={"test": "datum.dark", "value": "white"}),
                tooltip=tooltip,
            )
        )
    if select is not None:
        layers += _selected_outline(select, pos, tooltip)
    return layers


# A click on a cell or its number (both rows carry the cell's r and c) selects it; a click anywhere else
# (a separator rule, the axes, the legend) leaves the selection as it was.
_CELL_CLICK = "click[item() && item().datum && isValid(item().datum.r)]"


def _cell_selection(name: str) -> alt.Parameter:
    """Point selection of the clicked cell by its indices (r, c); a double-click empties it."""
    return alt.selection_point(
        name=name, fields=["r", "c"], on=_CELL_CLICK, clear="dblclick", toggle=False, empty=False
    )


def _selected_outline(name: str, pos: _Position, tooltip) -> list[alt.Chart]:
    """The selected cell's outline above every cell: a dark wide stroke under a white thin one,
    visible on any colour (as the separator rules). Same tooltip: it covers the cell's own."""
    base = (
        alt.Chart()
        .transform_filter({"param": name, "empty": False})
        .transform_calculate(c1="datum.c + 1", r1="datum.r + 1")
    )
    enc = {
        "x": pos.x("c"),
        "x2": alt.X2("c1"),
        "y": pos.y("r"),
        "y2": alt.Y2("r1"),
        "tooltip": tooltip,
    }
    return [
        base.mark_rect(filled=False, stroke="black", strokeWidth=4, strokeOpacity=0.8, cursor="pointer").encode(**enc),
        base.mark_rect(filled=False, stroke="white", strokeWidth=1.5, cursor="pointer").encode(**enc),
    ]


def _image_layers(arr, domain, scheme, pos: _Position, color, max_side: tuple[int, int]) -> list[alt.Chart]:
    R, C = arr.shape
    png = matrix_png(arr, domain=domain, scheme=scheme, max_side=max_side)
    url = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    image = (
        alt.Chart(alt.Data(values=[{"url": url, "x0": 0, "x1": C, "y0": 0, "y1": R}]))
        .mark_image(smooth=False, aspect=False)
        .encode(
            x=pos.x("x0"),
            x2=alt.X2("x1"),
            y=pos.y("y0"),
            y2=alt.Y2("y1"),
            url=alt.Url("url:N"),
        )
    )
    # Two size-0 points (no position: no axis to merge) carry the colour scale, so Vega draws the legend.
    legend = (
        alt.Chart(alt.Data(values=[{"v": domain[0]}, {"v": domain[1]}]))
        .mark_point(size=0, filled=True, opacity=1)
        .encode(color=color)
    )
    return [image, legend]


# ---------------------------------------------------------------------------------------
# studies: why scale by 1/√d_k, softmax temperature, statistics per row
